"""Annotate Images labelled as a user does it: mouse clicks, digit keys, Ctrl+Z in the
window itself (not the undo stack called by the test), with a model ranking the images.

Two things a click-through in the app found: Ctrl+Z in a node's window did nothing (the
Undo shortcut lived in the main window only), and with "least sure first" a labelled
image jumped to the end of the grid, so the next image slid under the mouse and the next
key press labelled another image than the one the user was looking at.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from tests.gui.test_views_annotate_images import (
    TABLES,
    FixedSettings,
    _click,
    _link,
    annotate_window,  # noqa: F401  (the fixture)
)
from tests.gui.views_helpers import wait_settled


def test_labels_stay_under_the_mouse_and_ctrl_z_undoes_in_the_window(
        annotate_window, qtbot) -> None:  # noqa: F811
    win = annotate_window
    src = win.add_node("tests.fixed_images", settings=FixedSettings("all"))
    train = win.add_node("tests.fixed_images", settings=FixedSettings("train"))
    svm = win.add_node("petriflow.svm")
    ann = win.add_node("petriflow.annotate_images")
    win.workflow.update_settings(ann, class_names=["red", "green", "blue"],
                                 least_sure_first=True)
    _link(win, src, "Data", ann, "Data")
    _link(win, train, "Data", svm, "Data")
    _link(win, svm, "Model", ann, "Model")
    wait_settled(qtbot, win)
    view = win.open_node(ann)
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=5_000)
    wait_settled(qtbot, win)
    assert view.model.titles[0].startswith("#1 ")
    names = TABLES["all"].metas["image"]
    order = list(view.rows)
    node = win.workflow.node(ann)

    # label the first two images the grid shows, one after the other, by click and key
    view.list.setFocus()
    _click(view, 0)
    QTest.keyClick(view.list, Qt.Key.Key_1)
    wait_settled(qtbot, win)
    assert view.rows == order  # the labelled image kept its place
    assert view.model.titles[0] == "red"
    _click(view, 1)
    QTest.keyClick(view.list, Qt.Key.Key_2)
    wait_settled(qtbot, win)
    labelled = {str(names[order[0]]): "red", str(names[order[1]]): "green"}
    assert sorted(node.settings.labels.values()) == ["green", "red"]
    assert {k.rsplit("/", 1)[-1]: v for k, v in node.settings.labels.items()} == \
        {k.rsplit("/", 1)[-1]: v for k, v in labelled.items()}
    assert [b.text() for b in view.class_buttons] == ["1  red (1)", "2  green (1)",
                                                      "3  blue (0)"]
    out = win.scheduler.outputs(ann)
    assert len(out["Labelled Data"]) == 2 and len(out["Unlabelled Data"]) == 10

    # Ctrl+Z pressed in the Annotate Images window: the last label goes, then the first
    QTest.keyClick(view.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert list(node.settings.labels.values()) == ["red"]
    assert view.class_buttons[1].text() == "2  green (0)"
    QTest.keyClick(view.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert node.settings.labels == {}
    wait_settled(qtbot, win)  # the node ranks both images again
    assert view.rows == order  # undone labels leave the grid as it was, too
    assert view.model.titles[0].startswith("#1 ")
    # Ctrl+Shift+Z brings the first back
    QTest.keyClick(view.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert list(node.settings.labels.values()) == ["red"]
    wait_settled(qtbot, win)
    assert len(win.scheduler.outputs(ann)["Labelled Data"]) == 1
    # a text field keeps its own Ctrl+Z: typing a class name and undoing the typing
    # leaves the workflow's labels alone
    view.new_class.setFocus()
    QTest.keyClicks(view.new_class, "gre")
    QTest.keyClick(view.new_class, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert view.new_class.text() == ""
    assert list(node.settings.labels.values()) == ["red"]
