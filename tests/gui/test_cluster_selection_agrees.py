"""The dendrogram view highlights exactly the clusters the Hierarchical Clustering node
outputs, in every selection mode (one function computes them, issue 13.3)."""

from __future__ import annotations

import numpy as np

from petriflow.gui.undo import SettingsCommand
from tests.gui.views_helpers import CLUSTERING, node_by_title, open_example, wait_settled


def test_view_clusters_are_the_nodes_clusters(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    hc = node_by_title(win, "Hierarchical Clustering")
    wait_settled(qtbot, win)
    view = win.open_node(hc)
    qtbot.waitUntil(lambda: view.tree is not None, timeout=10_000)
    n = view.tree.n
    for settings in ({"selection_mode": "height_ratio", "cut_ratio": 40.0},
                     {"selection_mode": "top_n", "top_n": 4},
                     {"selection_mode": "manual", "selected_nodes": [2 * n - 3, 0]}):
        win.undo_stack.push(SettingsCommand(win.workflow, hc, **settings))
        wait_settled(qtbot, win)
        data = win.scheduler.output(hc, "Data")
        column = np.asarray(data.metas["Cluster"], dtype=object)
        shown = view.current_clusters()
        assert shown == view.dendrogram.selected
        geom = view.tree.geom
        from_view = np.full(n, "Other", dtype=object)
        for k, node in enumerate(shown):
            from_view[geom.leaf_order[geom.first_leaf[node]:geom.last_leaf[node] + 1]] = \
                f"C{k + 1}"
        assert list(from_view) == list(column), settings
        if settings["selection_mode"] == "top_n":
            assert len(shown) == 4
