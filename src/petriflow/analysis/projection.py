"""2-D projections: metric MDS (SMACOF), PCA and t-SNE.

MDS is our own vectorised SMACOF so that it can report progress, publish intermediate
layouts and stop on cancellation between iterations (scikit-learn's ``smacof`` cannot).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, get_args

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
    "tsne_init",
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


def _signed(X: np.ndarray) -> np.ndarray:
    """Each axis flipped so that its largest |value| is positive (as Torgerson's)."""
    signs = np.sign(X[np.abs(X).argmax(axis=0), np.arange(X.shape[1])])
    signs[signs == 0] = 1.0
    return X * signs


def tsne_init(X: np.ndarray | None = None, D: np.ndarray | None = None) -> np.ndarray:
    """The starting layout: the first two principal components of ``X``, or classical
    scaling of the distances ``D`` (the same layout when ``D`` is Euclidean between the
    rows of ``X``), signs fixed, scaled as scikit-learn's "pca" init (PC1 sd 1e-4).

    Why our own: scikit-learn refuses its PCA init with precomputed distances, and a
    Distances input must give the layout the equivalent metric gives on the data.
    """
    if D is not None:
        Y = torgerson_init(D)
    else:
        assert X is not None
        Xc = np.asarray(X, dtype=np.float64)
        Xc = Xc - Xc.mean(axis=0)
        # scores of the top two components: the SVD of the centred data
        U, S, _ = np.linalg.svd(Xc, full_matrices=False)
        k = min(2, len(S))
        Y = np.zeros((len(Xc), 2))
        Y[:, :k] = U[:, :k] * S[:k]
        Y = _signed(Y)
    sd = float(np.std(Y[:, 0]))
    return (Y / (sd if sd > 0 else 1.0) * 1e-4).astype(np.float32)


#: the thread's observer of scikit-learn's t-SNE iterations (see _watch_sklearn_tsne)
_tsne_observer = threading.local()


def _observed(objective: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(objective)
    def wrapper(params: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        observe = getattr(_tsne_observer, "fn", None)
        if observe is not None:
            observe(params)
        return objective(params, *args, **kwargs)

    wrapper._petriflow_observed = True  # type: ignore[attr-defined]
    return wrapper


def _watch_sklearn_tsne() -> bool:
    """Let this thread see every iteration of scikit-learn's t-SNE.

    scikit-learn's TSNE has no callback; its gradient descent calls the KL objective
    once per iteration with the current layout. The objectives are wrapped once (the
    wrapper only reads the layout, so results are unchanged) and the wrapper calls the
    observer of the calling thread, so concurrent t-SNE runs in other threads neither
    see nor disturb each other. False if scikit-learn's internals moved (then no live
    layouts, same result).
    """
    try:
        from sklearn.manifold import _t_sne
    except ImportError:  # pragma: no cover - scikit-learn is a dependency
        return False
    names = ("_kl_divergence_bh", "_kl_divergence")
    if not all(callable(getattr(_t_sne, name, None)) for name in names):
        return False
    with _WATCH_LOCK:
        for name in names:
            f = getattr(_t_sne, name)
            if not getattr(f, "_petriflow_observed", False):
                setattr(_t_sne, name, _observed(f))
    return True


_WATCH_LOCK = threading.Lock()


def tsne_projection(
    X: np.ndarray | None = None,
    *,
    distances: np.ndarray | None = None,
    perplexity: float = 30.0,
    early_exaggeration: float = 12.0,
    max_iter: int = 1000,
    metric: str = "euclidean",
    pca_components: int = 50,
    normalize: bool = False,
    random_state: int = 0,
    callback: Callable[[int, np.ndarray], None] | None = None,
    callback_every: int = 50,
    check: Callable[[], None] | None = None,
) -> np.ndarray:
    """t-SNE (scikit-learn, Barnes-Hut) of the rows of ``X`` (after an optional PCA to
    ``pca_components``) or of precomputed ``distances`` (``metric`` and the PCA do not
    apply then).

    ``callback(iteration, layout)`` gets a copy of the layout every ``callback_every``
    iterations (the live view); ``check()`` runs every iteration and may raise to
    cancel. Neither changes the result: the same seed gives the same layout with or
    without them.
    """
    from sklearn.manifold import TSNE

    from petriflow.analysis.preprocess import standardize

    init: np.ndarray | str
    if distances is not None:
        D = np.asarray(distances, dtype=np.float64)
        n = D.shape[0]
        data, sk_metric, init = D, "precomputed", tsne_init(D=D)
    else:
        assert X is not None
        Xf = np.asarray(X, dtype=np.float64)
        if normalize:
            Xf = standardize(Xf)
        n = Xf.shape[0]
        if 0 < pca_components < Xf.shape[1] and n > pca_components:
            Xf = pca_projection(Xf, pca_components, random_state=random_state).transformed
        data, sk_metric = Xf, metric
        init = tsne_init(X=Xf) if metric == "euclidean" else "random"
    perplexity = min(float(perplexity), max((n - 1) / 3.0, 1.0))
    import inspect

    iter_kw = "max_iter" if "max_iter" in inspect.signature(TSNE).parameters else "n_iter"
    tsne = TSNE(
        n_components=2,
        perplexity=perplexity,
        early_exaggeration=early_exaggeration,
        **{iter_kw: max(250, int(max_iter))},
        metric=sk_metric,
        init=init,
        random_state=random_state,
        learning_rate="auto",
    )
    if (callback is None and check is None) or not _watch_sklearn_tsne():
        return np.asarray(tsne.fit_transform(data))
    count = 0

    def observe(params: np.ndarray) -> None:
        nonlocal count
        if check is not None:
            check()
        if callback is not None and count > 0 and callback_every > 0 \
                and count % callback_every == 0:
            callback(count, np.array(params, dtype=np.float64).reshape(n, 2))
        count += 1

    _tsne_observer.fn = observe
    try:
        return np.asarray(tsne.fit_transform(data))
    finally:
        _tsne_observer.fn = None
