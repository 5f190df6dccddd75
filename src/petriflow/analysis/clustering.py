"""Hierarchical clustering on a distance matrix, cuts, and dendrogram geometry.

Cluster *nodes* use scipy's numbering of a linkage matrix ``Z`` over ``n`` items:
leaves are ``0 … n-1`` and the merge in row ``i`` of ``Z`` creates node ``n + i``. A
manual selection is a list of such node indices; given the same distances and linkage
the tree (and so the numbering) is the same, which makes saved selections replayable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

__all__ = [
    "LINKAGES",
    "SELECTION_MODES",
    "Dendrogram",
    "Linkage",
    "SelectionMode",
    "cluster_members",
    "clusters_by_height_ratio",
    "clusters_top_n",
    "dendrogram_geometry",
    "hierarchical_linkage",
    "labels_for_clusters",
    "normalize_selection",
    "selected_clusters",
]

#: the linkage methods: the one declaration (node setting type and runtime tuple)
Linkage = Literal["single", "average", "weighted", "complete", "ward"]
LINKAGES: tuple[Linkage, ...] = get_args(Linkage)
#: how the selected clusters are chosen: clicked branches, a height cut, or the top N
SelectionMode = Literal["manual", "height_ratio", "top_n"]
SELECTION_MODES: tuple[SelectionMode, ...] = get_args(SelectionMode)
#: peak working memory of :func:`hierarchical_linkage` per cell of the n × n matrix
LINKAGE_BYTES_PER_CELL = 20


def hierarchical_linkage(D: np.ndarray, method: str = "ward") -> np.ndarray:
    """scipy linkage matrix (n-1, 4) for a square symmetric distance matrix."""
    # lazy: scipy.cluster/spatial cost ~0.3 s at import and the canvas only lists nodes
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    if method not in LINKAGES:
        raise ValueError(f"unknown linkage {method!r}; choose one of {', '.join(LINKAGES)}")
    n = np.shape(D)[0]
    if n < 2:
        return np.zeros((0, 4))
    # float64 copies, their symmetrized mean and the condensed form: measured peak
    # ~19 bytes per matrix cell on top of the input (tracemalloc, n = 3000). Refuse
    # before allocating, with how many rows would fit, rather than being OOM-killed.
    from petriflow.analysis.distances import check_memory

    check_memory(n, bytes_per_value=LINKAGE_BYTES_PER_CELL, what="hierarchical clustering")
    D = np.asarray(D, dtype=np.float64)
    D = (D + D.T) / 2.0
    condensed = squareform(D, checks=False)
    if not np.all(np.isfinite(condensed)):
        raise ValueError("the distance matrix contains missing or infinite values")
    return linkage(np.maximum(condensed, 0.0), method=method)


@dataclass(frozen=True)
class Dendrogram:
    """Geometry for drawing a dendrogram, independent of any toolkit.

    Attributes:
        leaf_order: item indices from left to right.
        x: horizontal position of every node (leaves at 0 … n-1 in leaf order,
            a merge at the mean of its children's positions).
        height: merge height of every node (0 for leaves).
        children: (n-1, 2) child node indices of each merge node ``n + i``.
        first_leaf, last_leaf: leaf-order span [first, last] covered by each node.
    """

    leaf_order: np.ndarray
    x: np.ndarray
    height: np.ndarray
    children: np.ndarray
    first_leaf: np.ndarray
    last_leaf: np.ndarray

    @property
    def n_leaves(self) -> int:
        return len(self.leaf_order)


def dendrogram_geometry(Z: np.ndarray, n: int | None = None) -> Dendrogram:
    """Leaf order (scipy's, left child first), node positions and heights. Iterative."""
    Z = np.asarray(Z)
    if n is None:
        n = len(Z) + 1
    n_nodes = 2 * n - 1 if n else 0
    children = Z[:, :2].astype(np.int64) if len(Z) else np.zeros((0, 2), np.int64)
    height = np.zeros(n_nodes)
    if len(Z):
        height[n:] = Z[:, 2]
    # leaf order: depth-first from the root, left child first
    order: list[int] = []
    if n == 1:
        order = [0]
    elif n > 1:
        stack = [n_nodes - 1]
        while stack:
            node = stack.pop()
            if node < n:
                order.append(node)
            else:
                left, right = children[node - n]
                stack.append(int(right))
                stack.append(int(left))
    leaf_order = np.asarray(order, dtype=np.int64)
    x = np.zeros(n_nodes)
    first = np.zeros(n_nodes, dtype=np.int64)
    last = np.zeros(n_nodes, dtype=np.int64)
    if n:
        pos = np.empty(n, dtype=np.int64)
        pos[leaf_order] = np.arange(n)
        x[:n] = pos
        first[:n] = pos
        last[:n] = pos
    for i in range(len(children)):  # children always precede their parent
        a, b = children[i]
        x[n + i] = (x[a] + x[b]) / 2.0
        first[n + i] = min(first[a], first[b])
        last[n + i] = max(last[a], last[b])
    return Dendrogram(leaf_order, x, height, children, first, last)


def cluster_members(geom: Dendrogram, node: int) -> np.ndarray:
    """Item indices under ``node`` (in leaf order)."""
    return geom.leaf_order[geom.first_leaf[node] : geom.last_leaf[node] + 1]


def normalize_selection(geom: Dendrogram, nodes: Iterable[int]) -> tuple[list[int], int]:
    """Valid, non-overlapping selected nodes ordered left to right; and n dropped.

    Nodes out of range are dropped; a node inside another selected node is dropped
    (the enclosing cluster wins), so the result is a deterministic canonical form.
    """
    n_nodes = len(geom.height)
    given = [int(v) for v in nodes]
    valid = sorted(
        {v for v in given if 0 <= v < n_nodes},
        key=lambda v: (geom.first_leaf[v], -geom.last_leaf[v]),
    )
    out: list[int] = []
    covered_to = -1
    for v in valid:
        if geom.first_leaf[v] <= covered_to:
            continue  # inside the previous selected cluster
        out.append(v)
        covered_to = int(geom.last_leaf[v])
    return out, len(given) - len(out)


def clusters_by_height_ratio(Z: np.ndarray, n: int, ratio_percent: float) -> list[int]:
    """Cluster nodes below a cut at ``ratio_percent`` % of the tree's height.

    The cut is drawn at ``ratio × max height``; a node is a cluster when its height is
    at most the cut and its parent's is above it. 100 % gives one cluster, 0 % splits
    into the groups of identical items.
    """
    if n == 0:
        return []
    if n == 1:
        return [0]
    ratio = min(max(float(ratio_percent), 0.0), 100.0) / 100.0
    height = np.concatenate([np.zeros(n), Z[:, 2]])
    cut = ratio * height[-1]
    parent = _parents(Z, n)
    nodes = [
        v
        for v in range(2 * n - 1)
        if height[v] <= cut and (parent[v] < 0 or height[parent[v]] > cut)
    ]
    return nodes


def _parents(Z: np.ndarray, n: int) -> np.ndarray:
    parent = np.full(2 * n - 1, -1, dtype=np.int64)
    for i, (a, b) in enumerate(np.asarray(Z)[:, :2].astype(np.int64)):
        parent[a] = parent[b] = n + i
    return parent


def clusters_top_n(Z: np.ndarray, n: int, n_clusters: int) -> list[int]:
    """The ``n_clusters`` clusters left after undoing the last ``n_clusters - 1`` merges."""
    if n == 0:
        return []
    k = min(max(int(n_clusters), 1), n)
    if k == 1:
        return [2 * n - 2]
    first_removed = 2 * n - k  # merge nodes >= this are undone
    parent = _parents(Z, n)
    return [v for v in range(first_removed) if parent[v] >= first_removed]


def selected_clusters(
    Z: np.ndarray,
    geom: Dendrogram,
    mode: str,
    *,
    selected_nodes: Iterable[int] = (),
    cut_ratio: float = 75.0,
    top_n: int = 3,
) -> tuple[list[int], int]:
    """The selected cluster nodes, left to right, and how many saved ones were dropped.

    Why one function: the Hierarchical Clustering node outputs these clusters and its
    dendrogram view highlights them; both must agree for every mode. ``selected_nodes``
    is used in "manual" mode (out-of-range, repeated or nested nodes are dropped and
    counted), ``cut_ratio`` (% of the tree's height) in "height_ratio" and ``top_n`` in
    "top_n". Raises ``ValueError`` (a message for the user) for an unknown mode or a
    top N below 1.
    """
    n = len(geom.leaf_order)
    if mode == "manual":
        return normalize_selection(geom, selected_nodes)
    if mode == "height_ratio":
        nodes = clusters_by_height_ratio(Z, n, cut_ratio)
    elif mode == "top_n":
        if top_n < 1:
            raise ValueError("Top N must be at least 1.")
        nodes = clusters_top_n(Z, n, top_n)
    else:
        raise ValueError(f"Unknown selection mode {mode!r}.")
    return normalize_selection(geom, nodes)[0], 0


def labels_for_clusters(geom: Dendrogram, clusters: list[int], n: int) -> np.ndarray:
    """Per item: index into ``clusters`` (in the given order) or -1 when unselected."""
    labels = np.full(n, -1, dtype=np.int64)
    for k, node in enumerate(clusters):
        labels[cluster_members(geom, node)] = k
    return labels
