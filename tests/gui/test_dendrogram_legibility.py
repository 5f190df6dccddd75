"""Dendrogram legibility (issue 14.11): long names elided in the middle with the whole
name in a tooltip, a class legend, and selected clusters in colours no class has."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QPointF

from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix
from petriflow.gui.views._common import PALETTE
from petriflow.gui.views.dendrogram import (
    SELECTED_BRANCH,
    SELECTION_BANDS,
    UNSELECTED_BRANCH,
    ClassLegend,
    DendrogramWidget,
    build_tree,
)

LONG = "microscope_plate07_well_B12_field_0042_channel_DAPI_corrected.tiff"


def widget_with_tree(qtbot) -> DendrogramWidget:
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (4, 3)), rng.normal(8, 1, (4, 3))])
    names = [LONG if i == 2 else f"img{i}.png" for i in range(8)]
    table = Table.from_arrays(X, classes=["a"] * 4 + ["b"] * 4,
                              metas={"image name": names})
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    w = DendrogramWidget()
    qtbot.addWidget(w)
    w.resize(520, 320)
    w.set_tree(build_tree(DistanceMatrix(D, table), "ward"))
    w.show()
    qtbot.waitExposed(w)
    return w


def test_long_leaf_names_are_elided_in_the_middle_with_a_tooltip(qtbot) -> None:
    w = widget_with_tree(qtbot)
    shown = w.shown_label(2)
    assert shown != LONG and "…" in shown
    head, tail = shown.split("…")
    assert LONG.startswith(head) and LONG.endswith(tail) and head and tail  # both ends
    # hovering the leaf's row right of the tree gives the whole name and its class
    y = w._y_of_pos(w.tree.geom.x[2])
    tip = w.tooltip_at(QPointF(w._x_of_height(0.0) + 40, y))
    assert tip == f"{LONG} — a"
    short = w.shown_label(0)
    assert short == "img0.png"  # short names are left whole
    w.grab()  # paints without error at this size


def test_selected_clusters_are_tagged_and_never_in_a_class_colour(qtbot) -> None:
    w = widget_with_tree(qtbot)
    n = w.tree.n
    roots = [int(v) for v in w.tree.geom.children[-1]]  # the two top clusters
    w.set_selection(roots, None)
    tags = w.cluster_tags()
    assert [t for t, _ in tags] == ["C1", "C2"]  # as the node names them in its output
    assert w.tooltip_at(tags[0][1].center()).startswith("Cluster C1")
    pens = {pen.color().name() for pen, _ in w._segments(w._xs(), w._y_of_pos(w.tree.geom.x),
                                                           w.owners())}
    assert SELECTED_BRANCH in pens and pens <= {SELECTED_BRANCH, UNSELECTED_BRANCH}

    def far(a: str, b: str) -> bool:
        ca, cb = (np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) for c in (a, b))
        return float(np.abs(ca - cb).sum()) > 90

    for colour in (SELECTED_BRANCH, *SELECTION_BANDS):
        assert all(far(colour, cls) for cls in PALETTE), colour
    assert n == 8
    w.grab()


def test_class_legend_names_each_colour(qtbot) -> None:
    legend = ClassLegend()
    qtbot.addWidget(legend)
    assert legend.isHidden() and legend.entries == []
    legend.set_classes(("cats", "dogs <3"))
    assert legend.entries == ["cats", "dogs <3"]
    assert not legend.isHidden()
    legend.set_classes(())
    assert legend.isHidden()


def test_a_tree_that_cannot_be_built_clears_the_legend(make_window, qtbot) -> None:
    """The view's error path (non-finite distances) leaves no legend and no tree."""
    from dataclasses import dataclass

    from petriflow.core.node import Node, Output
    from petriflow.core.registry import NodeRegistry
    from petriflow.nodes.hierarchical_clustering import HierarchicalClustering

    @dataclass
    class _NoSettings:
        pass

    class BadDistances(Node):
        qualified_name = "tests.bad_distances"
        name = "Bad Distances"
        outputs = (Output("Distances", DistanceMatrix),)
        Settings = _NoSettings

        def run(self, inputs, progress, cancel):
            values = np.array([[0.0, np.nan, 1.0], [np.nan, 0.0, 1.0], [1.0, 1.0, 0.0]])
            return {"Distances": DistanceMatrix(values)}

    reg = NodeRegistry()  # a private one: the shared default stays as shipped
    reg.register(BadDistances)
    reg.register(HierarchicalClustering)
    window = make_window(reg=reg)
    src = window.add_node("tests.bad_distances")
    hc = window.add_node("petriflow.hierarchical_clustering")
    window.workflow.add_link(src, "Distances", hc, "Distances")
    qtbot.waitUntil(lambda: window.scheduler.inputs(hc).get("Distances") is not None,
                    timeout=5_000)
    view = window.open_node(hc)
    qtbot.waitUntil(view.is_ready, timeout=5_000)
    assert view.tree is None and view.info.text().startswith("Cannot cluster")
    assert view.legend.isHidden()
