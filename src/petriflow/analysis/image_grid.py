"""Image Grid layout: similar images in neighbouring cells of a rows × columns grid.

How: the rows are projected to 2-D (PCA, the two directions along which the images
differ most), each axis is stretched by rank over the grid's side (so that a few
outliers do not squeeze everyone else into a corner), and every image gets one cell by
an optimal assignment (:func:`scipy.optimize.linear_sum_assignment`, squared distance
from the image's point to the cell's centre). An optimal assignment keeps the
projection's neighbourhoods: two well-separated groups of images end up in two
contiguous regions of the grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["EXACT_LIMIT", "GridLayout", "grid_layout", "grid_shape"]


def grid_shape(n: int, rows: int = 0, columns: int = 0) -> tuple[int, int]:
    """(rows, columns) for ``n`` images: near-square when both are 0; one given, the
    other follows; both given and too small, columns grow (every image needs a cell)."""
    n = max(int(n), 1)
    rows, columns = max(int(rows), 0), max(int(columns), 0)
    if rows and columns:
        return rows, max(columns, math.ceil(n / rows))
    if columns:
        return math.ceil(n / columns), columns
    if rows:
        return rows, math.ceil(n / rows)
    columns = math.ceil(math.sqrt(n))
    return math.ceil(n / columns), columns


@dataclass(frozen=True)
class GridLayout:
    rows: int
    columns: int
    #: grid row and column of each input row
    row: np.ndarray
    column: np.ndarray


def _project_2d(X: np.ndarray) -> np.ndarray:
    """The first two principal components (PCA's own code: randomized on large data,
    deterministic signs); zeros where the data has fewer directions."""
    from petriflow.analysis.projection import pca_projection

    X = np.asarray(X, dtype=np.float64)
    pts = np.zeros((len(X), 2))
    if X.shape[1] == 0 or len(X) < 2 or not np.any(X - X.mean(axis=0)):
        return pts
    transformed = pca_projection(X, 2).transformed
    pts[:, :transformed.shape[1]] = transformed
    return pts


def _stretch(values: np.ndarray, cells: int) -> np.ndarray:
    """Values mapped onto [0, cells) by rank, so that outliers do not squeeze the rest."""
    if cells <= 1 or len(values) < 2:
        return np.full(len(values), cells / 2.0)
    ranks = np.argsort(np.argsort(values, kind="stable"), kind="stable")
    return (ranks + 0.5) * cells / len(values)


#: above this many images the optimal assignment (O(n³) time, n² memory) gives way to
#: sorting into columns by the first axis, then within each column by the second
EXACT_LIMIT = 2500


def grid_layout(X: np.ndarray, rows: int = 0, columns: int = 0,
                exact_limit: int = EXACT_LIMIT) -> GridLayout:
    """Cells for the rows of ``X`` (n × d features) on a grid of ``grid_shape``.

    The wider side of the grid takes the projection's first (widest) axis.
    """
    n = len(X)
    r, c = grid_shape(n, rows, columns)
    if n == 0:
        return GridLayout(r, c, np.zeros(0, dtype=int), np.zeros(0, dtype=int))
    pts = _project_2d(X)
    major, minor = (0, 1) if c >= r else (1, 0)
    if n > exact_limit:
        return _sorted_layout(pts[:, major], pts[:, minor], r, c)
    from scipy.optimize import linear_sum_assignment

    x = _stretch(pts[:, major], c)
    y = _stretch(pts[:, minor], r)
    cell_r, cell_c = np.divmod(np.arange(r * c), c)
    cost = (x[:, None] - (cell_c[None, :] + 0.5)) ** 2 + (y[:, None] - (cell_r[None, :] + 0.5)) ** 2
    items, cells = linear_sum_assignment(cost)
    where = np.empty(n, dtype=int)
    where[items] = cells
    return GridLayout(r, c, cell_r[where], cell_c[where])


def _sorted_layout(x: np.ndarray, y: np.ndarray, r: int, c: int) -> GridLayout:
    """Columns filled in order of ``x``, each column in order of ``y``: O(n log n)."""
    n = len(x)
    row, col = np.empty(n, dtype=int), np.empty(n, dtype=int)
    by_x = np.argsort(x, kind="stable")
    per_column = -(-n // c)
    for j in range(c):
        members = by_x[j * per_column:(j + 1) * per_column]
        if len(members) == 0:
            break
        col[members] = j
        row[members[np.argsort(y[members], kind="stable")]] = np.arange(len(members))
    return GridLayout(max(r, per_column), c, row, col)
