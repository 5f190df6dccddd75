"""MDS view: the HC branch selection shows as the emphasized Data Subset; a rectangle
drag with the real mouse selects the points inside it; partial layouts are drawn."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest

from petriflow.gui.undo import SettingsCommand
from tests.gui.views_helpers import CLUSTERING, ids, node_by_title, open_example, wait_settled


def test_subset_emphasis_and_rectangle_selection(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    hc, mds = node_by_title(win, "Hierarchical Clustering"), node_by_title(win, "MDS")
    wait_settled(qtbot, win)
    # one cluster of the dendrogram selected upstream: MDS gets it as its Data Subset
    hc_view = win.open_node(hc)
    qtbot.waitUntil(lambda: hc_view.tree is not None, timeout=10_000)
    n = hc_view.tree.n
    node = 2 * n - 3  # the last merge below the root: one of the root's two clusters
    win.undo_stack.push(SettingsCommand(win.workflow, hc, selection_mode="manual",
                                        selected_nodes=[node]))
    wait_settled(qtbot, win)
    subset = win.scheduler.inputs(mds)["Data Subset"]
    view = win.open_node(mds)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: int(view.subset_mask.sum()) == len(subset), timeout=20_000)
    assert len(view.xy) == n
    qtbot.waitUntil(lambda: "stress" in view.stress_label.text().lower(), timeout=5_000)

    # drag a rectangle around the left half of the layout with the real mouse
    xy = view.xy
    mid_x = float(np.median(xy[:, 0]))
    lo = view.data_to_widget(xy[:, 0].min(), xy[:, 1].max())
    hi = view.data_to_widget(mid_x, xy[:, 1].min())
    a, b = lo - QPoint(4, 4), hi + QPoint(0, 4)
    canvas = view.canvas
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, 6):
        QTest.mouseMove(canvas, a + (b - a) * (i / 5))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    # expected: points whose pixel lies within the dragged rectangle
    px = [view.data_to_widget(x, y) for x, y in xy]
    expected = sorted(i for i, p in enumerate(px)
                      if a.x() <= p.x() <= b.x() and a.y() <= p.y() <= b.y())
    assert 0 < len(expected) < n
    assert win.workflow.node(mds).settings.selected == expected
    data = win.scheduler.output(mds, "Data")
    want = {int(data.row_ids[i]) for i in expected}
    qtbot.waitUntil(lambda: ids(win.scheduler.output(mds, "Selected Data")) == want,
                    timeout=20_000)

    # a click without a drag clears
    QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    assert win.workflow.node(mds).settings.selected == []


def test_partial_layouts_are_drawn(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    mds = node_by_title(win, "MDS")
    wait_settled(qtbot, win)
    view = win.open_node(mds)
    before = view.partial_draws
    win.undo_stack.push(SettingsCommand(win.workflow, mds, init="random", refresh_every=1))
    wait_settled(qtbot, win)
    qtbot.waitUntil(lambda: view.partial_draws > before, timeout=20_000)
    qtbot.waitUntil(lambda: "stress" in view.stress_label.text().lower(), timeout=5_000)
