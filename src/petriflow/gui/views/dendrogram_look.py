"""What the dendrogram shows of its items: leaf labels and colours by any column, and
the tree pruned to a maximum depth.

Why apart from the widget: the widget paints whatever :class:`Tree` it is given; this
module turns the full tree (as the node clusters it) and the view settings
(``annotation``, ``color_by``, ``max_depth``) into that tree, without recomputing the
linkage. Colours follow the projections' rules (:mod:`petriflow.gui.views.plot.encode`):
the most frequent values of a column and "other", so a column of 10,000 file names still
gives a legend one can read. A collapsed subtree is one leaf named by its first item and
its count ("img3.png … (17)": both ends survive eliding), coloured by its most common
value; its tooltip lists its first items.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from petriflow.analysis.dendrogram_pruning import PrunedTree, prune_tree
from petriflow.core.table import Table
from petriflow.gui.views.dendrogram import Tree
from petriflow.gui.views.plot.encode import categorize, column_choices, column_values

__all__ = ["annotated_tree", "leaf_columns", "per_shown_leaf"]

#: names listed in a collapsed leaf's tooltip
TIP_ITEMS = 12


def leaf_columns(table: Table | None, n: int) -> list[str]:
    """Columns that can name or colour the leaves (the items' table's, class first)."""
    if table is None or len(table) != n:
        return []
    return column_choices(table)


def _text(values: np.ndarray) -> list[str]:
    if values.dtype.kind == "f":
        return ["?" if not np.isfinite(v) else f"{v:.4g}" for v in values.tolist()]
    return [str(v) for v in values.tolist()]


def _labels(tree: Tree, table: Table | None, column: str) -> list[str]:
    if column and column in leaf_columns(table, tree.n):
        assert table is not None
        return _text(column_values(table, column))
    return list(tree.labels)


def _colours(tree: Tree, table: Table | None,
             column: str) -> tuple[np.ndarray | None, tuple[str, ...]]:
    if column and column in leaf_columns(table, tree.n):
        assert table is not None
        codes, names = categorize(column_values(table, column))
        return codes, tuple(names)
    return tree.classes, tree.class_values


def per_shown_leaf(values: np.ndarray, pruned: PrunedTree | None) -> np.ndarray:
    """A boolean per item -> per shown leaf (true when any of its items is)."""
    if pruned is None:
        return values
    return np.array([bool(values[m].any()) for m in pruned.members], dtype=bool)


def annotated_tree(tree: Tree, table: Table | None, annotation: str, color_by: str,
                   max_depth: int) -> tuple[Tree, PrunedTree | None]:
    """The tree to paint (labels, colours, pruning applied) and the pruning's node maps
    (None when nothing is collapsed: the shown tree's nodes are the full tree's)."""
    labels = _labels(tree, table, annotation)
    codes, values = _colours(tree, table, color_by)
    pruned = prune_tree(tree.Z, tree.geom, tree.n, max_depth)
    if pruned is None:
        return dataclasses.replace(tree, labels=labels, classes=codes,
                                   class_values=values, tips=None), None
    shown_labels, tips = [], []
    shown_codes = np.full(pruned.n, -1, dtype=np.int64)
    for k, items in enumerate(pruned.members):
        first = labels[int(items[0])]
        if len(items) == 1:
            shown_labels.append(first)
            tips.append(first)
        else:
            shown_labels.append(f"{first} … ({len(items)})")
            names = [labels[int(i)] for i in items[:TIP_ITEMS]]
            more = f"\n… and {len(items) - TIP_ITEMS} more" if len(items) > TIP_ITEMS else ""
            tips.append(f"{len(items)} items (a subtree collapsed by pruning):\n"
                        + "\n".join(names) + more)
        if codes is not None:
            known = codes[items]
            known = known[known >= 0]
            if len(known):
                shown_codes[k] = int(np.bincount(known).argmax())  # the most common
    shown = Tree(pruned.Z, pruned.geom, shown_labels,
                 shown_codes if codes is not None else None, values, tree.linkage,
                 pruned.n, None, tips=tips)
    return shown, pruned
