"""Hierarchical Clustering: a dendrogram over a distance matrix; select clusters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from petriflow.analysis.clustering import (
    LINKAGES,
    Linkage,
    SelectionMode,
    dendrogram_geometry,
    hierarchical_linkage,
    labels_for_clusters,
    selected_clusters,
)
from petriflow.analysis.distances import MemoryLimitError
from petriflow.analysis.selection import SELECTED_META, unique_name
from petriflow.core.memo import RunMemo
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix
from petriflow.nodes._selection import mark_unverified, restore_clusters
from petriflow.nodes._shared import check_choice

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

CLUSTER_META = "Cluster"


def _row_table(dm: DistanceMatrix) -> Table:
    """The table whose rows the matrix's items are (a label-only table if none)."""
    if dm.axis == 0 and dm.table is not None:
        return dm.table
    labels = dm.labels or tuple(f"item {i + 1}" for i in range(len(dm)))
    return Table.from_arrays(np.zeros((len(dm), 0)), [], metas={"label": list(labels)})


def item_table(dm: DistanceMatrix) -> Table:
    """The matrix's items as rows (what a saved cluster selection is tied to)."""
    return _row_table(dm)


def linkage_tree(dm: DistanceMatrix, method: str,
                 memo: RunMemo | None = None) -> tuple[np.ndarray, Any]:
    """(linkage matrix, dendrogram geometry) of ``dm``, computed once per matrix and
    method in ``memo`` (the scheduler's, shared by the node and its dendrogram view: a
    click on a branch re-runs the node with a new selection but the same matrix; Ward
    on 10,000 items takes seconds, the selection milliseconds). Without a memo (a node
    run on its own) it is computed each time."""

    def compute() -> tuple[np.ndarray, Any]:
        Z = hierarchical_linkage(dm.values, method)
        return Z, dendrogram_geometry(Z, len(dm))

    if memo is None:
        return compute()
    return memo.get(dm, ("linkage", method), compute)


class HierarchicalClustering(Node):
    qualified_name = "petriflow.hierarchical_clustering"
    name = "Hierarchical Clustering"
    category = "Unsupervised"
    icon = "hierarchical-clustering"
    description = "Cluster items by their distances into a dendrogram and select clusters."
    keywords = ("clustering", "dendrogram", "hierarchical", "linkage", "ward")
    priority = 20
    inputs = (
        Input("Distances", DistanceMatrix, default=True, id="distances"),
        Input("Data Subset", Table, required=False, id="subset"),
    )
    outputs = (
        Output("Selected Data", Table, default=True, id="selected_data"),
        Output("Data", Table, id="annotated_data"),
    )
    replaces = (
        "Orange.widgets.unsupervised.owhierarchicalclustering.OWHierarchicalClustering",
        "Orange.widgets.unsupervised.owhierarchicalclustering.OWHierarchicalClustering2",
    )

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Hierarchical Clustering: combo indices, cut, and the saved selection."""
        used = {"linkage", "selection_method", "cut_ratio", "top_n", "pruning", "max_depth"}
        if "linkage" in s:
            t.pick("linkage", s["linkage"], _ORANGE_LINKAGES, "linkage", "linkage")
        if "selection_method" in s:
            t.pick("selection_method", s["selection_method"], _ORANGE_MODES, "selection_mode",
                   "selection mode")
        ratio = t.as_number(s.get("cut_ratio"))
        if ratio is not None:
            t.set("cut_ratio", "cut_ratio", min(max(ratio, 0.0), 100.0))
        top_n = t.as_int(s.get("top_n"))
        if top_n is not None:
            t.set("top_n", "top_n", max(1, top_n))
        depth = t.as_int(s.get("max_depth"))
        if t.as_int(s.get("pruning")) and depth is not None:
            t.set("max_depth", "max_depth", max(1, depth))
        elif "max_depth" in s:
            t.ignored.append("max_depth")
        for old in ("append_clusters", "cluster_name", "cluster_role"):
            if old in s:
                used.add(old)
                t.skip(old, "Petriflow always appends a 'Cluster' meta column")
        session = s.get("__session_state_data")
        if isinstance(session, dict) and session.get("selection_state"):
            nodes = _nodes_from_orange(session["selection_state"])
            if nodes is None:
                t.skip("__session_state_data", "the saved manual selection could not be read")
            else:
                t.values["selected_nodes"] = nodes
                t.carried["__session_state_data"] = f"manual selection -> selected_nodes={nodes}"
                t.notes.append(
                    "Hierarchical Clustering: the manual selection is carried as dendrogram "
                    "branches of Orange's saved tree; it picks the same items only when the "
                    "distances give the same tree (Orange itself drops it otherwise)"
                )
        return used

    @dataclass
    class Settings:
        linkage: Linkage = "ward"
        selection_mode: SelectionMode = field(default="manual",
                                              metadata={"label": "selection method"})
        #: manual selection: cluster nodes of scipy's linkage tree (leaves 0..n-1, the
        #: merge in row i of the linkage matrix is node n+i), any order; the node
        #: uses them in left-to-right dendrogram order, dropping nested ones
        selected_nodes: list[int] = field(default_factory=list,
                                          metadata={"selects": ("branch", "branches")})
        #: cut at this % of the tree's height (selection_mode "height_ratio")
        cut_ratio: float = field(default=75.0, metadata={"label": "cut height"})
        #: number of top clusters (selection_mode "top_n")
        top_n: int = field(default=3, metadata={"label": "number of clusters"})
        #: what a manual selection was made on (``nodes/_selection.py``): the items in
        #: order and the tree's merges, so that it is restored only on that tree
        selection_context: dict[str, Any] = field(default_factory=dict)
        #: the dendrogram's look (view only, saved with the workflow): the column that
        #: names the leaves ("" = the image name), the column that colours them ("" =
        #: the class) and the depth below which subtrees are drawn as one leaf (0 = all)
        annotation: str = field(default="", metadata={"label": "leaf labels"})
        color_by: str = field(default="", metadata={"label": "colour by"})
        max_depth: int = field(default=0, metadata={"label": "pruning depth"})
        #: each leaf's image beside its label when the rows are tall enough (view only)
        leaf_thumbnails: bool = field(default=False, metadata={"label": "leaf thumbnails"})

    view_settings = ("annotation", "color_by", "max_depth", "leaf_thumbnails")
    settings_version = 2

    @classmethod
    def migrate_settings(cls, values: dict[str, Any], version: int) -> dict[str, Any]:
        """Version 1 saved cluster numbers only: not applied to an unknown tree."""
        if version < 2 and values.get("selection_mode", "manual") == "manual":
            return mark_unverified(values, "selected_nodes")
        return values

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        dm: DistanceMatrix = inputs["Distances"]
        s = self.settings
        check_choice(s.linkage, LINKAGES, "linkage")
        n = len(dm)
        if n == 0:
            raise NodeError("The distance matrix is empty.")
        progress(5, f"{s.linkage} linkage of {n} items")
        cancel.check()
        try:
            Z, geom = linkage_tree(dm, s.linkage, self.context.memo)
        except MemoryLimitError as exc:  # says how many rows would fit
            raise NodeError(str(exc)) from None
        except ValueError as exc:
            raise NodeError(f"Cannot cluster: {exc}.") from None
        cancel.check()
        nodes = s.selected_nodes
        if s.selection_mode == "manual":
            restored = restore_clusters(_row_table(dm), Z, nodes, s.selection_context)
            restored.report(progress)
            nodes = restored.selection
        try:
            clusters, dropped = selected_clusters(
                Z, geom, s.selection_mode, selected_nodes=nodes,
                cut_ratio=s.cut_ratio, top_n=s.top_n)
        except ValueError as exc:
            raise NodeError(str(exc)) from None
        if dropped:
            progress.warn(
                f"{dropped} saved cluster(s) do not fit this dendrogram "
                f"(out of range, repeated or nested) and were ignored."
            )
        labels = labels_for_clusters(geom, clusters, n)
        names = np.array([f"C{k + 1}" for k in range(len(clusters))] + ["Other"], dtype=object)
        cluster_col = names[labels]  # -1 -> "Other"
        selected_mask = labels >= 0
        flags = np.where(selected_mask, "Yes", "No").astype(object)
        progress(100, selection_message(len(clusters), int(selected_mask.sum()),
                                        s.selection_mode))

        if dm.axis == 1:  # column clustering: select features of the source table
            if dm.table is None or dm.table.n_features != n:
                return {"Selected Data": None, "Data": None}
            keep = np.flatnonzero(selected_mask)
            src = dm.table
            sel = src.with_features(src.X[:, keep], [src.feature_names[i] for i in keep])
            return {"Selected Data": sel if len(keep) else None, "Data": None}

        table = _row_table(dm)
        annotated = (table.with_meta(unique_name(table.metas, SELECTED_META), flags)
                     .with_meta(CLUSTER_META, cluster_col))
        # Selected Data keeps the input's row order (not the dendrogram's leaf order)
        selected = (
            table.take(np.flatnonzero(selected_mask)).with_meta(
                CLUSTER_META, cluster_col[selected_mask]
            )
            if selected_mask.any()
            else None
        )
        return {"Selected Data": selected, "Data": annotated}


# Orange's combo orders (indices saved in its files)
_ORANGE_LINKAGES = ["single", "average", "weighted", "complete", "ward"]
_ORANGE_MODES = ["manual", "height_ratio", "top_n"]


def _nodes_from_orange(state: Any) -> list[int] | None:
    """Orange's ``(clusters as leaf-index tuples, linkage rows)`` -> scipy node ids.

    Leaves are 0..n-1; the merge in row i of the linkage matrix is node n+i, as in
    ``selected_nodes``.
    """
    try:
        selected, linkage = state
        rows = [(int(a), int(b)) for a, b, *_ in linkage]
    except (TypeError, ValueError):
        return None
    n = len(rows) + 1
    members: dict[int, frozenset[int]] = {i: frozenset((i,)) for i in range(n)}
    for i, (a, b) in enumerate(rows):
        if a not in members or b not in members:
            return None
        members[n + i] = members[a] | members[b]
    by_set = {v: k for k, v in members.items()}
    out = []
    for cluster in selected:
        try:
            node = by_set.get(frozenset(int(x) for x in cluster))
        except (TypeError, ValueError):
            return None
        if node is None:
            return None
        out.append(node)
    return out


def selection_message(clusters: int, items: int, mode: str) -> str:
    """The status line under the dendrogram: "2 clusters selected, 48 items", or, when
    nothing is selected, what to do ("cluster(s)" read clumsily, and an empty manual
    selection said "0 cluster(s) selected, 0 items" with no hint)."""
    if not clusters:
        return ("Nothing selected: click a branch (Ctrl-click adds one)"
                if mode == "manual" else "Nothing selected")
    return (f"{counted(clusters, 'cluster')} selected, "
            f"{counted(items, 'item')}")

