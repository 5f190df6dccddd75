"""2-D projections: metric MDS (SMACOF), PCA and t-SNE.

MDS is our own vectorised SMACOF so that it can report progress, publish intermediate
layouts and stop on cancellation between iterations (scikit-learn's ``smacof`` cannot).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

__all__ = [
    "MDS_INITS",
    "TSNE_METRICS",
    "MDSInit",
    "MDSResult",
    "PCAResult",
    "TSNEMetric",
    "kruskal_stress",
    "mds_smacof",
    "pca_projection",
    "torgerson_init",
    "tsne_projection",
]

#: the one declaration of each choice (node setting types; runtime tuples)
MDSInit = Literal["pca", "random"]
MDS_INITS: tuple[MDSInit, ...] = get_args(MDSInit)
TSNEMetric = Literal["euclidean", "cosine"]
TSNE_METRICS: tuple[TSNEMetric, ...] = get_args(TSNEMetric)


def _pairwise_euclidean(X: np.ndarray) -> np.ndarray:
    sq = (X * X).sum(axis=1)
    D = sq[:, None] + sq[None, :] - 2.0 * (X @ X.T)
    np.maximum(D, 0.0, out=D)
    np.sqrt(D, out=D)
    np.fill_diagonal(D, 0.0)
    return D


def kruskal_stress(D: np.ndarray, X: np.ndarray) -> float:
    """Kruskal's stress-1: sqrt(Σ (d_ij − δ_ij)² / Σ δ_ij²) over pairs."""
    E = _pairwise_euclidean(np.asarray(X, dtype=np.float64))
    D = np.asarray(D, dtype=np.float64)
    denom = float((D * D).sum())
    return float(np.sqrt(((E - D) ** 2).sum() / denom)) if denom > 0 else 0.0


def point_stress(D: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Each point's share of the squared stress (for sizing points by misfit)."""
    E = _pairwise_euclidean(np.asarray(X, dtype=np.float64))
    D = np.asarray(D, dtype=np.float64)
    denom = float((D * D).sum()) or 1.0
    return ((E - D) ** 2).sum(axis=1) / denom


def torgerson_init(D: np.ndarray, dim: int = 2) -> np.ndarray:
    """Classical (Torgerson) scaling: top eigenvectors of the double-centred −½D²."""
    D = np.asarray(D, dtype=np.float64)
    n = D.shape[0]
    if n <= dim:
        return np.zeros((n, dim))
    B = -0.5 * D * D
    B -= B.mean(axis=0, keepdims=True)
    B -= B.mean(axis=1, keepdims=True)
    if n > 600:
        from scipy.sparse.linalg import eigsh

        vals, vecs = eigsh(B, k=dim, which="LA", v0=np.ones(n))
    else:
        from scipy.linalg import eigh

        vals, vecs = eigh(B, subset_by_index=[n - dim, n - 1])
    idx = np.argsort(vals)[::-1]
    vals, vecs = vals[idx], vecs[:, idx]
    X = vecs * np.sqrt(np.maximum(vals, 0.0))
    # deterministic sign: largest |value| of each axis positive
    signs = np.sign(X[np.abs(X).argmax(axis=0), np.arange(dim)])
    signs[signs == 0] = 1.0
    return X * signs


@dataclass
class MDSResult:
    embedding: np.ndarray
    stress: float
    n_iter: int
    converged: bool


def mds_smacof(
    D: np.ndarray,
    *,
    init: str = "pca",
    max_iter: int = 300,
    eps: float = 1e-6,
    random_state: int = 0,
    callback: Callable[[int, np.ndarray, float], None] | None = None,
    callback_every: int = 25,
    check: Callable[[], None] | None = None,
) -> MDSResult:
    """Metric MDS by SMACOF (Guttman transform) minimizing raw stress, unit weights.

    ``init`` is "pca" (Torgerson) or "random" (seeded). Stops after ``max_iter``
    iterations or when the relative decrease of stress falls below ``eps``.
    ``callback(iteration, layout, stress)`` runs every ``callback_every`` iterations;
    ``check()`` may raise to cancel.
    """
    D = np.asarray(D, dtype=np.float64)
    n = D.shape[0]
    if n == 0:
        return MDSResult(np.zeros((0, 2)), 0.0, 0, True)
    if n == 1:
        return MDSResult(np.zeros((1, 2)), 0.0, 0, True)
    if init == "pca":
        X = torgerson_init(D)
        if not np.any(X):
            X = np.random.default_rng(random_state).uniform(-1, 1, (n, 2))
    elif init == "random":
        X = np.random.default_rng(random_state).uniform(-1, 1, (n, 2)) * (D.max() or 1.0)
    else:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(MDS_INITS)}")
    X = X - X.mean(axis=0)
    prev = np.inf
    stress = np.inf
    converged = False
    it = 0
    denom = float((D * D).sum()) / 2.0 or 1.0
    for it in range(1, max_iter + 1):
        if check is not None:
            check()
        E = _pairwise_euclidean(X)
        raw = float(((E - D) ** 2).sum()) / 2.0
        stress = raw
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(E > 0, D / E, 0.0)
        B = -ratio
        B[np.diag_indices(n)] = ratio.sum(axis=1)
        X = (B @ X) / n
        if callback is not None and callback_every > 0 and it % callback_every == 0:
            callback(it, X, float(np.sqrt(raw / denom)))
        if prev - raw < eps * max(prev, 1e-300) and it > 1:
            converged = True
            break
        prev = raw
    return MDSResult(X, kruskal_stress(D, X), it, converged or stress == 0)


@dataclass
class PCAResult:
    transformed: np.ndarray  # (n, k)
    components: np.ndarray  # (k, d)
    explained_variance_ratio: np.ndarray  # (k,)
    mean: np.ndarray


def pca_projection(
    X: np.ndarray, n_components: int = 10, *, normalize: bool = False, random_state: int = 0
) -> PCAResult:
    """PCA (scikit-learn); ``n_components`` is clamped to min(n_rows, n_features)."""
    from sklearn.decomposition import PCA

    from petriflow.analysis.preprocess import standardize

    X = np.asarray(X, dtype=np.float64)
    if normalize:
        X = standardize(X)
    k = max(1, min(int(n_components), X.shape[0], X.shape[1]))
    pca = PCA(n_components=k, random_state=random_state, svd_solver="auto")
    T = pca.fit_transform(X)
    comps = pca.components_.copy()
    # deterministic signs (sklearn already flips by svd_flip; make it explicit)
    signs = np.sign(comps[np.arange(k), np.abs(comps).argmax(axis=1)])
    signs[signs == 0] = 1.0
    return PCAResult(T * signs, comps * signs[:, None], pca.explained_variance_ratio_, pca.mean_)


def tsne_projection(
    X: np.ndarray,
    *,
    perplexity: float = 30.0,
    early_exaggeration: float = 12.0,
    max_iter: int = 1000,
    metric: str = "euclidean",
    pca_components: int = 50,
    normalize: bool = False,
    random_state: int = 0,
) -> np.ndarray:
    """t-SNE (scikit-learn, Barnes-Hut) after an optional PCA to ``pca_components``."""
    from sklearn.manifold import TSNE

    from petriflow.analysis.preprocess import standardize

    X = np.asarray(X, dtype=np.float64)
    if normalize:
        X = standardize(X)
    n = X.shape[0]
    if 0 < pca_components < X.shape[1] and n > pca_components:
        X = pca_projection(X, pca_components, random_state=random_state).transformed
    perplexity = min(float(perplexity), max((n - 1) / 3.0, 1.0))
    import inspect

    iter_kw = "max_iter" if "max_iter" in inspect.signature(TSNE).parameters else "n_iter"
    tsne = TSNE(
        n_components=2,
        perplexity=perplexity,
        early_exaggeration=early_exaggeration,
        **{iter_kw: max(250, int(max_iter))},
        metric=metric,
        init="pca" if metric == "euclidean" else "random",
        random_state=random_state,
        learning_rate="auto",
    )
    return tsne.fit_transform(X)
