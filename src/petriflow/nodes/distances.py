"""Distances: pairwise distances between rows (or columns) of a table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from petriflow.analysis.distances import METRICS, MemoryLimitError, Metric, pairwise_distances
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix
from petriflow.nodes._shared import check_choice, features_or_error

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


class Distances(Node):
    qualified_name = "petriflow.distances"
    name = "Distances"
    category = "Unsupervised"
    icon = "distances"
    description = "Compute pairwise distances between rows or columns."
    keywords = ("distance", "similarity", "cosine", "euclidean", "matrix")
    priority = 10
    inputs = (Input("Data", Table, default=True, id="data"),)
    outputs = (Output("Distances", DistanceMatrix, default=True, id="distances"),)
    replaces = ("Orange.widgets.unsupervised.owdistances.OWDistances",)

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Distances: ``metric_id`` (v4) or ``metric_idx`` (older), and ``axis``."""
        used = {"metric_id", "metric_idx", "normalized_dist", "axis"}
        metric_id: int | None = None
        key = "metric_id"
        if "metric_id" in s:
            metric_id = t.as_int(s["metric_id"])
        elif "metric_idx" in s:
            key = "metric_idx"
            idx = t.as_int(s["metric_idx"])
            # files without a version predate normalization (Orange forces it off)
            normalized = version is not None and bool(s.get("normalized_dist", False))
            if idx is not None and (version is None or version < 3):
                # Mahalanobis moved from index 2 to 9 in settings version 3
                idx = 9 if idx == 2 else idx - 1 if 2 < idx <= 9 else idx
            if idx is not None and 0 <= idx < len(_ORANGE_V3_TO_V4):
                metric_id = _ORANGE_V3_TO_V4[idx]
                if normalized and metric_id in (0, 2):
                    metric_id += 1
        if key in s:
            ok = metric_id is not None and 0 <= metric_id < 12
            entry = _ORANGE_METRICS[metric_id] if ok and metric_id is not None else None
            if metric_id is None or not ok:
                t.skip(key, f"unexpected metric {s[key]!r}; the default (Cosine) is used")
            elif entry is None:
                t.skip(key, f"{_ORANGE_METRIC_NAMES[metric_id]} distance is not available "
                            "in Petriflow; the default (Cosine) is used")
            else:
                label, metric, normalize = entry
                t.values.update(metric=metric, normalize=normalize)
                t.carried[key] = f"{label} -> metric={metric!r}, normalize={normalize}"
                if "absolute" in label:
                    t.notes.append(f"Distances: Orange's {label} has no exact counterpart; "
                                   f"plain {metric.title()} is used")
                if normalize:
                    t.notes.append("Distances: Orange normalizes each feature by its spread, "
                                   "Petriflow standardizes it; distances may differ by a scale")
            if "normalized_dist" in s:
                t.carried["normalized_dist"] = "folded into the metric"
        axis = s.get("axis")
        if axis is not None:
            t.pick("axis", axis, ["rows", "columns"], "axis", "axis")
        return used

    @dataclass
    class Settings:
        metric: Metric = "cosine"
        #: compare rows (images) or columns (features)
        axis: Literal["rows", "columns"] = "rows"
        #: standardize each feature (zero mean, unit variance) first
        normalize: bool = False

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        s = self.settings
        check_choice(s.metric, METRICS, "metric")
        X = features_or_error(data, progress, "Distances")
        M = X if s.axis == "rows" else X.T
        if s.metric == "jaccard" and not np.isin(M, (0.0, 1.0)).all():
            progress.warn("Jaccard distance treats every nonzero value as 1 (present).")
        what = "rows" if s.axis == "rows" else "columns"
        progress(0, f"{METRICS[s.metric]} distances between {len(M)} {what}")
        try:
            values = pairwise_distances(
                M, s.metric, normalize=s.normalize,
                progress=lambda f: progress(100.0 * f), check=cancel.check,
            )
        except MemoryLimitError as exc:
            raise NodeError(str(exc)) from None
        labels: tuple[str, ...] = ()
        if s.axis == "columns":
            labels = data.feature_names
        elif "image name" in data.metas:
            labels = tuple(str(v) for v in data.metas["image name"])
        return {
            "Distances": DistanceMatrix(
                values, table=data, axis=0 if s.axis == "rows" else 1,
                labels=labels, metric=s.metric,
            )
        }


# Orange's Distances metric ids (settings v4): Euclidean, Euclidean (normalized),
# Manhattan, Manhattan (normalized), Mahalanobis, Hamming, Cosine, Pearson,
# Pearson (absolute), Spearman, Spearman (absolute), Jaccard.
_ORANGE_METRICS: list[tuple[str, str, bool] | None] = [
    ("Euclidean", "euclidean", False), ("Euclidean (normalized)", "euclidean", True),
    ("Manhattan", "manhattan", False), ("Manhattan (normalized)", "manhattan", True),
    None, None,  # Mahalanobis, Hamming
    ("Cosine", "cosine", False), ("Pearson", "pearson", False),
    ("Pearson (absolute)", "pearson", False), ("Spearman", "spearman", False),
    ("Spearman (absolute)", "spearman", False), ("Jaccard", "jaccard", False),
]
_ORANGE_METRIC_NAMES = [
    "Euclidean", "Euclidean (normalized)", "Manhattan", "Manhattan (normalized)",
    "Mahalanobis", "Hamming", "Cosine", "Pearson", "Pearson (absolute)", "Spearman",
    "Spearman (absolute)", "Jaccard",
]
# settings v3 ``metric_idx`` -> v4 id (Orange's own migrate_settings)
_ORANGE_V3_TO_V4 = [0, 2, 6, 11, 9, 10, 7, 8, 5, 4, 0]
