"""UMAP: a 2-D map of the data's neighbourhood graph (umap-learn).

Why a module of its own and a lazy import: umap-learn pulls in numba and pynndescent,
whose import takes seconds and whose first call compiles (JIT) for tens of seconds on a
cold cache; nothing imports this module's dependency until a UMAP node actually runs.
umap-learn has no progress callback and cannot be interrupted: the node checks its
cancel token before and after the fit.
"""

from __future__ import annotations

import warnings
from typing import Literal, get_args

import numpy as np

__all__ = ["UMAP_METRICS", "UMAPMetric", "umap_projection"]

#: the distances UMAP may build its neighbourhood graph on (cosine suits CNN embeddings)
UMAPMetric = Literal["cosine", "euclidean", "manhattan", "correlation"]
UMAP_METRICS: tuple[UMAPMetric, ...] = get_args(UMAPMetric)


def umap_projection(
    X: np.ndarray,
    *,
    n_neighbors: int = 15,
    min_dist: float = 0.1,
    metric: str = "cosine",
    random_state: int = 0,
) -> np.ndarray:
    """The (n, 2) UMAP layout of the rows of ``X``; the same seed gives the same layout.

    ``n_neighbors`` is clamped to n − 1 (UMAP needs fewer neighbours than rows). With a
    seed umap-learn runs single-threaded: that is the price of reproducible maps.
    """
    import umap

    X = np.asarray(X, dtype=np.float32)
    n = X.shape[0]
    if n < 3:
        raise ValueError(f"UMAP needs at least 3 rows; the data has {n}.")
    if metric not in UMAP_METRICS:
        raise ValueError(f"unknown UMAP metric {metric!r}; use one of {', '.join(UMAP_METRICS)}")
    k = int(min(max(int(n_neighbors), 2), n - 1))
    model = umap.UMAP(
        n_components=2, n_neighbors=k, min_dist=float(min_dist), metric=metric,
        random_state=int(random_state), transform_seed=int(random_state), n_jobs=1,
        # a spectral start fails on graphs with many components (tiny or duplicated data)
        init="spectral" if n > k + 1 else "random",
    )
    with warnings.catch_warnings():
        # "n_jobs overridden by setting random_state" and small-data notes: expected
        warnings.simplefilter("ignore", UserWarning)
        layout = model.fit_transform(X)
    return np.asarray(layout, dtype=np.float64)
