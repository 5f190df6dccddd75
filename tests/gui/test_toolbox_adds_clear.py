"""A node added from the toolbox (filter + Enter, or a double-click) lands at the view's
centre; when a node is already there, the new one goes to the nearest spot where neither
covers the other. Found in the Xvfb walk-through: "clus" + Enter on the clustering
example put "Hierarchical Clustering (1)" 30 units off Distances, and both titles were
squeezed to fit ("Distan ces", "Hierar chical Cluste ring (1)")."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from petriflow.gui.canvas.fluent import NODE_BOX
from tests.gui.views_helpers import CLUSTERING, node_by_title, open_example, wait_settled


def _overlaps(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < NODE_BOX[2] and abs(a[1] - b[1]) < NODE_BOX[3]


def test_enter_in_the_filter_adds_a_node_clear_of_the_others(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    distances = node_by_title(win, "Distances")
    wait_settled(qtbot, win)
    win.view.centerOn(win.scene.node_items[distances])  # the centre is on a node
    before = {n.id for n in win.workflow.nodes}
    box = win.toolbox.filter
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    QTest.keyClicks(box, "clus")
    QTest.keyClick(box, Qt.Key.Key_Return)
    new = [n for n in win.workflow.nodes if n.id not in before]
    assert len(new) == 1 and new[0].title == "Hierarchical Clustering (1)"
    others = [n.position for n in win.workflow.nodes if n.id != new[0].id]
    assert not any(_overlaps(new[0].position, p) for p in others)
    # near where it was asked for: within a node box or so of the centre
    centre = win.view.center_scene_pos()
    assert abs(new[0].position[0] - centre.x()) <= 2 * NODE_BOX[2]
    assert abs(new[0].position[1] - centre.y()) <= 2 * NODE_BOX[3]
    # the neighbour's title keeps its full width (the scene narrows a crowded node's)
    from petriflow.gui.canvas.node_item import TITLE_WIDTH

    qtbot.wait(50)
    for nid in (distances, new[0].id):
        assert win.scene.node_items[nid].title_item.textWidth() == TITLE_WIDTH
    win.undo_stack.undo()
    assert {n.id for n in win.workflow.nodes} == before


def test_after_enter_the_keys_go_to_the_canvas(window, qtbot) -> None:
    """Ctrl+Z right after adding undoes the add (it undid the filter's typing), Delete
    deletes the new node (it edited the filter)."""
    box = window.toolbox.filter
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    QTest.keyClicks(box, "distances")
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert [n.title for n in window.workflow.nodes] == ["Distances"]
    assert window.view.hasFocus() or window.view.viewport().hasFocus()
    target = QApplication.focusWidget()
    QTest.keyClick(target, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.workflow.nodes == [] and box.text() == "distances"
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    QTest.keyClick(box, Qt.Key.Key_Return)
    assert len(window.workflow.nodes) == 1
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Delete)
    assert window.workflow.nodes == [] and box.text() == "distances"


def test_filter_keys_and_a_filter_that_matches_nothing(make_window, qtbot) -> None:
    """A filter matching nothing left an empty list with no word; Down in the filter and
    Esc did nothing. Now: a line says no widget matches; Esc clears the filter; Down
    goes to the first match, and Enter there adds it."""
    from petriflow.core.registry import default_registry

    window = make_window(reg=default_registry())
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    tb = window.toolbox
    box = tb.filter
    QTest.mouseClick(box, Qt.MouseButton.LeftButton)
    QTest.keyClicks(box, "zzqq")
    assert tb.visible_names() == []
    assert tb.no_match.isVisible() and "zzqq" in tb.no_match.text()
    # the words right under the filter, not below a blank list
    assert tb.no_match.geometry().top() < tb.tree.geometry().top()
    QTest.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == "" and not tb.no_match.isVisible()
    assert len(tb.visible_names()) == len(tb.items)
    QTest.keyClicks(box, "viewer")
    first = tb.visible_names()[0]
    QTest.keyClick(box, Qt.Key.Key_Down)
    assert tb.tree.hasFocus()
    assert tb.tree.currentItem() is tb.items[first]
    QTest.keyClick(tb.tree, Qt.Key.Key_Return)
    assert [n.node_type.qualified_name for n in window.workflow.nodes] == [first]
