"""Fig. 2 of the paper: click a dendrogram branch; its images reach Image Viewer and MDS."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest
from scipy.cluster.hierarchy import linkage, to_tree
from scipy.spatial.distance import squareform

from petriflow.gui.undo import AddLinkCommand, SettingsCommand
from tests.gui.views_helpers import (
    CLUSTERING,
    RUN_TIMEOUT_MS,
    click,
    ids,
    node_by_title,
    open_example,
    wait_settled,
)


def cluster_row_ids(dm, node: int) -> set[int]:
    """Row ids under scipy node ``node``, computed without petriflow's clustering code."""
    D = np.asarray(dm.values, dtype=np.float64)
    Z = linkage(np.maximum(squareform((D + D.T) / 2, checks=False), 0), method="ward")
    leaves = to_tree(Z, rd=True)[1][node].pre_order()
    return {int(dm.table.row_ids[i]) for i in leaves}


def test_click_branch_selects_cluster_downstream(make_window, qtbot, app_embedding) -> None:
    """As in the app: the example's images are embedded in the worker process."""
    win = open_example(make_window, CLUSTERING)
    hc, viewer, mds = (node_by_title(win, t)
                       for t in ("Hierarchical Clustering", "Image Viewer", "MDS"))
    wait_settled(qtbot, win)
    view = win.open_node(hc)
    qtbot.waitUntil(lambda: view.tree is not None, timeout=10_000)
    assert view.is_ready()
    dm = win.scheduler.inputs(hc)["Distances"]
    n = len(dm)
    assert n == 48
    sizes = view.tree.geom.last_leaf - view.tree.geom.first_leaf + 1
    # a mid-sized cluster, and a second one outside it
    node = next(v for v in range(2 * n - 2, n - 1, -1) if 5 <= sizes[v] <= 16)
    dendro = view.dendrogram
    assert dendro.node_at(dendro.node_point(node).toPointF()) == node

    click(dendro, dendro.node_point(node))
    expected = cluster_row_ids(dm, node)
    assert len(expected) == sizes[node]
    s = win.workflow.node(hc).settings
    assert s.selection_mode == "manual" and s.selected_nodes == [node]
    qtbot.waitUntil(lambda: ids(win.scheduler.inputs(viewer).get("Data")) == expected,
                    timeout=20_000)
    qtbot.waitUntil(lambda: ids(win.scheduler.inputs(mds).get("Data Subset")) == expected,
                    timeout=20_000)
    assert dendro.selected == [node]

    # ctrl-click adds a disjoint cluster
    g = view.tree.geom
    other = next(v for v in range(2 * n - 2, n - 1, -1) if 3 <= sizes[v] <= 16
                 and (g.last_leaf[v] < g.first_leaf[node] or g.first_leaf[v] > g.last_leaf[node]))
    click(dendro, dendro.node_point(other), ctrl=True)
    both = expected | cluster_row_ids(dm, other)
    qtbot.waitUntil(lambda: ids(win.scheduler.inputs(viewer).get("Data")) == both,
                    timeout=20_000)
    assert sorted(win.workflow.node(hc).settings.selected_nodes) == sorted([node, other])

    # undo brings back the single cluster; a click on empty space clears
    win.undo_stack.undo()
    qtbot.waitUntil(lambda: ids(win.scheduler.inputs(viewer).get("Data")) == expected,
                    timeout=20_000)
    assert dendro.selected == [node]
    click(dendro, QPoint(2, dendro.height() - 2))
    qtbot.waitUntil(lambda: win.scheduler.inputs(viewer).get("Data") is None, timeout=20_000)
    assert win.workflow.node(hc).settings.selected_nodes == []


def test_mode_controls_write_settings(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    hc = node_by_title(win, "Hierarchical Clustering")
    view = win.open_node(hc)
    view.top_spin.setValue(5)
    assert win.workflow.node(hc).settings.top_n == 5
    view.mode_buttons["height_ratio"].click()
    assert win.workflow.node(hc).settings.selection_mode == "height_ratio"
    view.ratio_spin.setValue(50.0)
    assert win.workflow.node(hc).settings.cut_ratio == 50.0
    view.linkage_combo.setCurrentIndex(view.linkage_combo.findData("average"))
    view.linkage_combo.activated.emit(view.linkage_combo.currentIndex())
    assert win.workflow.node(hc).settings.linkage == "average"
    win.undo_stack.undo()
    assert view.linkage_combo.currentData() == "ward"


def test_drag_cut_line_sets_height_ratio(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    hc, viewer = node_by_title(win, "Hierarchical Clustering"), node_by_title(win, "Image Viewer")
    view = win.open_node(hc)
    qtbot.waitExposed(view)
    view.mode_buttons["height_ratio"].click()
    qtbot.waitUntil(lambda: view.tree is not None and view.dendrogram.cut_x() is not None,
                    timeout=RUN_TIMEOUT_MS)
    dendro = view.dendrogram
    y = dendro.height() // 2
    start = QPoint(round(dendro.cut_x()), y)
    end = QPoint(dendro.LEFT + (dendro.width() - dendro.LEFT - dendro.RIGHT_LABELS) // 2, y)
    QTest.mousePress(dendro, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 5):
        QTest.mouseMove(dendro, start + (end - start) * (i / 4))
    QTest.mouseRelease(dendro, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    s = win.workflow.node(hc).settings
    assert s.selection_mode == "height_ratio"
    assert abs(s.cut_ratio - dendro.ratio_at(end.x())) < 0.01
    assert s.cut_ratio < 75.0
    # a lower cut gives more, smaller clusters; together they still cover every item
    qtbot.waitUntil(lambda: len(view.current_clusters()) > 1, timeout=5_000)
    wait_settled(qtbot, win)
    assert len(win.scheduler.inputs(viewer)["Data"]) == view.tree.n


def test_data_subset_marks_leaves(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    hc, table = node_by_title(win, "Hierarchical Clustering"), node_by_title(win, "Data Table")
    win.undo_stack.push(SettingsCommand(win.workflow, table, selected_rows=[0, 1, 2]))
    win.undo_stack.push(AddLinkCommand(win.workflow, table, "Selected Data", hc, "Data Subset"))
    view = win.open_node(hc)
    wait_settled(qtbot, win)
    qtbot.waitUntil(lambda: view.dendrogram.subset is not None
                    and int(view.dendrogram.subset.sum()) == 3, timeout=10_000)
    dm = win.scheduler.inputs(hc)["Distances"]
    marked = {int(dm.table.row_ids[i]) for i in np.flatnonzero(view.dendrogram.subset)}
    assert marked == ids(win.scheduler.inputs(hc)["Data Subset"])


def test_zoom_spreads_leaves_and_branch_clicks_still_select(make_window, qtbot) -> None:
    from PyQt6.QtCore import QPointF
    from PyQt6.QtGui import QWheelEvent
    from PyQt6.QtWidgets import QApplication

    win = open_example(make_window, CLUSTERING)
    hc = node_by_title(win, "Hierarchical Clustering")
    wait_settled(qtbot, win)
    view = win.open_node(hc)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.tree is not None, timeout=10_000)
    d = view.dendrogram
    fit_row = d._row_height()
    assert d.height() == view.scroll.viewport().height()  # zoom 1: the tree fits

    view.zoom_in_button.click()
    view.zoom_in_button.click()
    assert view.zoom > 2.0
    assert d._row_height() > 2.0 * fit_row
    assert d.height() > view.scroll.viewport().height()  # it scrolls now

    # Ctrl+wheel zooms in further (a real wheel event on the dendrogram)
    before = d._row_height()
    pos = QPointF(d.width() / 2, d.height() / 2)
    wheel = QWheelEvent(pos, QPointF(d.mapToGlobal(pos.toPoint())), QPoint(0, 0),
                        QPoint(0, 120), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase,
                        False)
    QApplication.sendEvent(d, wheel)
    assert d._row_height() > before

    # a branch click after zooming selects that cluster: scroll it into view, click
    dm = win.scheduler.inputs(hc)["Distances"]
    n = len(dm)
    node = 2 * n - 4  # a merge two levels below the root
    point = d.node_point(node)
    view.scroll.ensureVisible(point.x(), point.y())
    click(d, point)
    assert win.workflow.node(hc).settings.selected_nodes == [node]
    qtbot.waitUntil(lambda: ids(win.scheduler.output(hc, "Selected Data"))
                    == cluster_row_ids(dm, node), timeout=RUN_TIMEOUT_MS)

    view.zoom_fit_button.click()
    assert view.zoom == 1.0 and abs(d._row_height() - fit_row) < 1e-6


def test_status_line_counts_in_words_and_says_what_to_do(make_window, qtbot) -> None:
    """Under the dendrogram: "1 cluster selected, 16 items" (was "1 cluster(s) selected,
    16 items"), and after a click on empty space what to do (was "0 cluster(s) selected,
    0 items")."""
    win = open_example(make_window, CLUSTERING)
    hc = node_by_title(win, "Hierarchical Clustering")
    wait_settled(qtbot, win)
    view = win.open_node(hc)
    qtbot.waitUntil(lambda: view.tree is not None, timeout=10_000)
    qtbot.waitUntil(lambda: view.info.text() == "3 clusters selected, 48 items",
                    timeout=10_000)  # the example's Top 3
    n = len(win.scheduler.inputs(hc)["Distances"])
    sizes = view.tree.geom.last_leaf - view.tree.geom.first_leaf + 1
    node = next(v for v in range(2 * n - 2, n - 1, -1) if 5 <= sizes[v] <= 16)
    dendro = view.dendrogram
    click(dendro, dendro.node_point(node))
    qtbot.waitUntil(lambda: view.info.text() == f"1 cluster selected, {sizes[node]} items",
                    timeout=20_000)
    click(dendro, QPoint(2, dendro.height() - 2))
    qtbot.waitUntil(lambda: view.info.text().startswith("Nothing selected: click a branch"),
                    timeout=20_000)


def test_turning_thumbnails_on_zooms_until_they_can_be_seen(make_window, qtbot) -> None:
    """48 leaves in one window are 12-px rows: the leaf thumbnails were specks. A click
    on "Thumbnails at leaves" zooms to 32-px rows (the tree scrolls); unchecking keeps
    the zoom, undo takes the thumbnails away."""
    from petriflow.gui.views.hierarchical_clustering import THUMB_ROW

    win = open_example(make_window, CLUSTERING)
    hc = node_by_title(win, "Hierarchical Clustering")
    wait_settled(qtbot, win)
    view = win.open_node(hc)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.tree is not None, timeout=10_000)
    d = view.dendrogram
    assert d._row_height() < 20  # the whole tree fits: small rows
    box = view.thumbs_check
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    assert win.workflow.node(hc).settings.leaf_thumbnails
    qtbot.waitUntil(lambda: abs(d._row_height() - THUMB_ROW) < 0.5, timeout=5_000)
    assert view.scroll.verticalScrollBar().maximum() > 0
    assert view.zoom_out_button.isEnabled()
    win.undo_stack.undo()
    assert not win.workflow.node(hc).settings.leaf_thumbnails and not box.isChecked()


def test_a_typed_top_n_applies_without_enter_once_typing_stops(make_window, qtbot) -> None:
    """Typing 5 in Top N changed nothing until Enter (it looked dead, Xvfb walk-through);
    now it applies a moment after the last key. "12" is one change, not "1" then "12"."""
    from petriflow.gui.views.typed_numbers import TYPING_MS

    win = open_example(make_window, CLUSTERING)
    hc = node_by_title(win, "Hierarchical Clustering")
    view = win.open_node(hc)
    qtbot.waitExposed(view)
    s = lambda: win.workflow.node(hc).settings  # noqa: E731
    spin = view.top_spin
    steps = win.undo_stack.count()
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "12")
    assert s().top_n == 3  # not at every key
    qtbot.waitUntil(lambda: s().top_n == 12, timeout=5 * TYPING_MS)
    assert win.undo_stack.count() == steps + 1  # one step for "12"
    # typed into the ratio box: applies, and switches to that mode
    ratio = view.ratio_spin
    ratio.setFocus()
    ratio.selectAll()
    QTest.keyClicks(ratio, "40")
    qtbot.waitUntil(lambda: s().cut_ratio == 40.0, timeout=5 * TYPING_MS)
    assert s().selection_mode == "height_ratio"
    # Enter still applies at once
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "4")
    QTest.keyClick(spin, Qt.Key.Key_Return)
    assert s().top_n == 4 and s().selection_mode == "top_n"
    win.undo_stack.undo()
    assert s().top_n == 12 and spin.value() == 12


def test_unconnected_the_leaf_boxes_name_their_defaults(make_window, qtbot) -> None:
    """Opened with no distances, Label and Colour were two blank boxes."""
    from petriflow.core.registry import NodeRegistry
    from petriflow.nodes.hierarchical_clustering import HierarchicalClustering

    win = make_window(reg=NodeRegistry([HierarchicalClustering]))
    hc = win.add_node("petriflow.hierarchical_clustering")
    view = win.open_node(hc)
    qtbot.waitExposed(view)
    assert view.annotation_combo.currentText() == "(image name)"
    assert view.color_combo.currentText() == "(class)"
