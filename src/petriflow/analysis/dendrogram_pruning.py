"""Prune a dendrogram to a maximum depth for display (numpy only).

Why: a tree of thousands of leaves is unreadable; Orange's Hierarchical Clustering
draws only the top levels and shows each deeper subtree as one leaf. The shown tree is
a smaller linkage (so the dendrogram widget paints and hit-tests it unchanged) plus two
maps between its nodes and the full tree's: a click on a shown node selects the full
tree's node (a collapsed leaf selects all its items), and a selection of a full-tree
node is drawn on its shown ancestor. The node's selection settings always speak of the
full tree, so pruning never changes what a saved workflow selects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from petriflow.analysis.clustering import Dendrogram, dendrogram_geometry

__all__ = ["PrunedTree", "node_depths", "prune_tree"]


@dataclass(frozen=True)
class PrunedTree:
    """The tree shown after pruning, and how its nodes map to the full tree's."""

    Z: np.ndarray  #: linkage of the shown tree (its leaves are 0..n-1)
    geom: Dendrogram
    n: int  #: shown leaves
    nodes: np.ndarray  #: shown node id -> full tree node id
    shown_of: np.ndarray  #: full tree node id -> the shown node that is or contains it
    members: list[np.ndarray]  #: full-tree items under each shown leaf

    def counts(self) -> np.ndarray:
        """Items under each shown leaf (1 for a leaf that was not collapsed)."""
        return np.array([len(m) for m in self.members], dtype=np.int64)


def node_depths(children: np.ndarray, n: int) -> np.ndarray:
    """Depth of every node of a linkage tree (the root is 0).

    Children precede their parent in a linkage matrix, so one pass from the last row
    (the root) backwards visits every parent before its children."""
    depth = np.zeros(2 * n - 1, dtype=np.int64)
    for i in range(len(children) - 1, -1, -1):
        a, b = children[i]
        depth[a] = depth[b] = depth[n + i] + 1
    return depth


def prune_tree(Z: np.ndarray, geom: Dendrogram, n: int, max_depth: int) -> PrunedTree | None:
    """The tree cut below ``max_depth`` levels (each deeper subtree one leaf), or None
    when nothing would be collapsed (``max_depth`` ≤ 0 or the tree is shallower)."""
    if max_depth <= 0 or n < 2:
        return None
    children = geom.children
    depth = node_depths(children, n)
    ids = np.arange(2 * n - 1)
    shown = depth <= max_depth
    leaf = shown & ((depth == max_depth) | (ids < n))
    if not (leaf & (ids >= n)).any():
        return None  # no merge is collapsed
    leaves = np.flatnonzero(leaf)
    leaves = leaves[np.argsort(geom.first_leaf[leaves], kind="stable")]
    m = len(leaves)
    new_id = np.full(2 * n - 1, -1, dtype=np.int64)
    new_id[leaves] = np.arange(m)
    rows = np.flatnonzero(shown[n:] & ~leaf[n:])  # shown merges, in linkage order
    new_id[n + rows] = m + np.arange(len(rows))
    size = geom.last_leaf - geom.first_leaf + 1
    Z_new = np.column_stack([new_id[children[rows, 0]], new_id[children[rows, 1]],
                             np.asarray(Z)[rows, 2], size[n + rows]]).astype(float)
    nodes = np.empty(2 * m - 1, dtype=np.int64)
    kept = np.flatnonzero(new_id >= 0)
    nodes[new_id[kept]] = kept
    shown_of = new_id.copy()
    for i in range(n - 2, -1, -1):  # top-down: a hidden node takes its parent's
        for c in children[i]:
            if shown_of[c] < 0:
                shown_of[c] = shown_of[n + i]
    members = [geom.leaf_order[geom.first_leaf[v]:geom.last_leaf[v] + 1] for v in leaves]
    return PrunedTree(Z_new, dendrogram_geometry(Z_new, m), m, nodes, shown_of, members)
