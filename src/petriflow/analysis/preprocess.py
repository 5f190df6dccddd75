"""Small, explicit feature clean-ups shared by the analysis functions."""

from __future__ import annotations

import numpy as np

__all__ = ["impute_nan", "standardize"]


def impute_nan(X: np.ndarray) -> tuple[np.ndarray, int]:
    """Replace NaN/inf by the column mean (0 for all-missing columns).

    Returns the cleaned float32 array and the number of values replaced (0 means the
    input array is returned unchanged, without a copy).
    """
    X = np.asarray(X, dtype=np.float32)
    bad = ~np.isfinite(X)
    n_bad = int(bad.sum())
    if not n_bad:
        return X, 0
    X = X.copy()
    X[bad] = np.nan
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            means = np.nanmean(X, axis=0)
    means = np.where(np.isfinite(means), means, 0.0).astype(np.float32)
    rows, cols = np.nonzero(bad)
    X[rows, cols] = means[cols]
    return X, n_bad


def standardize(X: np.ndarray) -> np.ndarray:
    """Columns scaled to zero mean and unit variance (constant columns become 0)."""
    X = np.asarray(X, dtype=np.float64)
    mean = X.mean(axis=0)
    std = X.std(axis=0)
    std[std == 0] = 1.0
    return (X - mean) / std
