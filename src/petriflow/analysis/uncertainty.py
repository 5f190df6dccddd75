"""How unsure a model is of each row, and which unlabelled images to label next.

Why: labelling by eye is the slow step of an image study, and each image labelled
teaches a model most when the model could not yet tell its class (uncertainty
sampling, as in CellProfiler Analyst's "fetch uncertain" and ilastik's suggestions).
Annotate Images ranks its unlabelled images with these functions; they are plain
numpy so that a script or a test can rank without a workflow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np

__all__ = ["UNCERTAINTY_MEASURES", "UncertaintyMeasure", "least_sure_order", "uncertainty"]

#: ``least_confident``: 1 − the highest class probability; ``margin``: 1 − (highest −
#: second highest), which also separates "torn between two classes" from "unsure of all"
UncertaintyMeasure = Literal["least_confident", "margin"]
UNCERTAINTY_MEASURES: tuple[str, ...] = get_args(UncertaintyMeasure)


def uncertainty(proba: np.ndarray, measure: UncertaintyMeasure = "least_confident",
                ) -> np.ndarray:
    """One value in [0, 1] per row of ``proba`` (n × k class probabilities); higher
    means less sure. A row of NaNs (a model that could not score it) is least sure
    of all (1.0), so it is shown first rather than hidden."""
    p = np.asarray(proba, dtype=np.float64)
    if p.ndim != 2:
        raise ValueError(f"probabilities must be n × k, not {p.shape}")
    if measure not in UNCERTAINTY_MEASURES:
        raise ValueError(f"unknown measure {measure!r}; one of {', '.join(UNCERTAINTY_MEASURES)}")
    n, k = p.shape
    if n == 0:
        return np.zeros(0)
    if k == 0:
        return np.ones(n)
    bad = ~np.isfinite(p).all(axis=1)
    p = np.where(np.isfinite(p), p, 0.0)
    top = np.sort(p, axis=1)[:, ::-1]
    if measure == "least_confident":
        out = 1.0 - top[:, 0]
    else:
        second = top[:, 1] if k > 1 else np.zeros(n)
        out = 1.0 - (top[:, 0] - second)
    out = np.clip(out, 0.0, 1.0)
    out[bad] = 1.0
    return out


def least_sure_order(proba: np.ndarray, measure: UncertaintyMeasure = "least_confident",
                     rows: Sequence[int] | None = None) -> list[int]:
    """Row positions (of ``rows``, all rows by default) from the least to the most
    sure. Ties keep the input order (a stable sort), so the order does not flicker
    between runs of the same model."""
    u = uncertainty(proba, measure)
    candidates = np.arange(len(u)) if rows is None else np.asarray(list(rows), dtype=np.intp)
    if candidates.size == 0:
        return []
    order = np.argsort(-u[candidates], kind="stable")
    return [int(r) for r in candidates[order]]
