"""Pairwise distances, computed in row blocks straight into a float32 matrix.

Why blocks: the full n × n float32 result is the only large allocation (scipy's
``pdist`` + ``squareform`` would need three times as much in float64), progress and
cancellation happen between blocks, and cosine/Euclidean/Pearson use a matrix product
per block, which is much faster than ``cdist`` for 1000-d embeddings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Literal, get_args

import numpy as np

from petriflow.analysis.preprocess import standardize

__all__ = [
    "METRICS",
    "MemoryLimitError",
    "Metric",
    "available_memory",
    "check_memory",
    "pairwise_distances",
]

#: Supported metrics (setting values): the one declaration, in menu order.
Metric = Literal["cosine", "euclidean", "manhattan", "pearson", "spearman", "jaccard"]
#: each metric and its human name, derived from :data:`Metric`
METRICS: dict[str, str] = {m: m.capitalize() for m in get_args(Metric)}

#: Fraction of the currently available memory a distance matrix may take.
MEMORY_FRACTION = 0.7
_BLOCK_BYTES = 32 * 2**20


class MemoryLimitError(MemoryError):
    """The matrix would not fit; ``max_items`` says how many items would."""

    def __init__(self, message: str, max_items: int) -> None:
        super().__init__(message)
        self.max_items = max_items


def available_memory() -> int:
    """Bytes of memory available to new allocations (Linux /proc/meminfo, else sysconf)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 2**62  # unknown platform: do not refuse


def _gib(n_bytes: float) -> str:
    return f"{n_bytes / 2**30:.1f} GiB"


def check_memory(n_items: int, bytes_per_value: int = 4, what: str = "distance matrix") -> None:
    """Raise :class:`MemoryLimitError` when an n × n matrix would not fit in memory."""
    need = n_items * n_items * bytes_per_value
    budget = available_memory() * MEMORY_FRACTION
    if need <= budget:
        return
    max_items = int(np.sqrt(max(budget, 0) / bytes_per_value))
    raise MemoryLimitError(
        f"A {n_items}×{n_items} {what} needs {_gib(need)} but only "
        f"{_gib(available_memory())} of memory is available; at most about {max_items} "
        f"rows would fit. Use fewer rows (e.g. a sample) and try again.",
        max_items,
    )


def _prepare(M: np.ndarray, metric: str, normalize: bool) -> np.ndarray:
    M = np.asarray(M, dtype=np.float64)
    if normalize:
        M = standardize(M)
    if metric == "spearman":
        from scipy.stats import rankdata  # lazy: scipy.stats costs ~0.6 s at import

        M = rankdata(M, axis=1)
        metric = "pearson"
    if metric == "pearson":
        M = M - M.mean(axis=1, keepdims=True)
        metric = "cosine"
    if metric == "cosine":
        norms = np.linalg.norm(M, axis=1, keepdims=True)
        norms[norms == 0] = 1.0  # a zero vector is at distance 1 from everything
        M = M / norms
    if metric == "jaccard":
        M = M != 0
    return M


def pairwise_distances(
    M: np.ndarray,
    metric: str = "cosine",
    *,
    normalize: bool = False,
    progress: Callable[[float], None] | None = None,
    check: Callable[[], None] | None = None,
) -> np.ndarray:
    """Distances between the rows of ``M`` as an (n, n) float32 matrix.

    Metrics: cosine (1 − cos), euclidean, manhattan, pearson (1 − r), spearman (1 − ρ),
    jaccard (on nonzero = True). ``normalize`` standardizes each column of ``M`` first.
    ``progress(fraction)`` is called after each block; ``check()`` may raise to cancel.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
    n = M.shape[0]
    check_memory(n)
    P = _prepare(M, metric, normalize)
    out = np.empty((n, n), dtype=np.float32)
    if n == 0:
        return out
    block = max(1, min(n, _BLOCK_BYTES // max(8 * n, 1)))
    sq = (P * P).sum(axis=1) if metric == "euclidean" else None
    for start in range(0, n, block):
        if check is not None:
            check()
        stop = min(n, start + block)
        A = P[start:stop]
        if metric in ("manhattan", "jaccard"):
            from scipy.spatial.distance import cdist  # lazy: keeps the canvas start-up fast
        if metric in ("cosine", "pearson", "spearman"):
            D = 1.0 - A @ P.T
            np.clip(D, 0.0, 2.0, out=D)
        elif metric == "euclidean":
            assert sq is not None
            D = sq[start:stop, None] + sq[None, :] - 2.0 * (A @ P.T)
            np.maximum(D, 0.0, out=D)
            np.sqrt(D, out=D)
        elif metric == "manhattan":
            D = cdist(A, P, "cityblock")
        else:  # jaccard
            D = cdist(A, P, "jaccard")
            np.nan_to_num(D, copy=False)  # two all-zero rows: distance 0
        out[start:stop] = D
        if progress is not None:
            progress(stop / n)
    np.fill_diagonal(out, 0.0)
    # rounding in the block products can make the matrix slightly asymmetric
    if metric in ("cosine", "pearson", "spearman", "euclidean"):
        _symmetrize_inplace(out)
    return out


def _symmetrize_inplace(D: np.ndarray, block: int = 2048) -> None:
    n = D.shape[0]
    for i in range(0, n, block):
        for j in range(i, n, block):
            a = D[i : i + block, j : j + block]
            b = D[j : j + block, i : i + block]
            m = (a + b.T) * 0.5
            D[i : i + block, j : j + block] = m
            D[j : j + block, i : i + block] = m.T
