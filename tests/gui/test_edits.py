"""Every edit kind is undoable and redoable, and leaves the workflow file unchanged."""

from __future__ import annotations

from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtTest import QTest

from petriflow.core.ows import workflow_to_bytes
from petriflow.gui import undo as cmd
from petriflow.gui.settings_panel import SettingsPanel

from .conftest import drag, vp


def _undo_redo(window, edit) -> None:
    """Run ``edit``; undo must restore the file bytes, redo must bring the edit back."""
    before = workflow_to_bytes(window.workflow)
    edit()
    after = workflow_to_bytes(window.workflow)
    assert after != before, "the edit changed nothing"
    window.undo_action.trigger()
    assert workflow_to_bytes(window.workflow) == before
    window.redo_action.trigger()
    assert workflow_to_bytes(window.workflow) == after
    # the canvas mirrors the workflow after every step
    assert set(window.scene.node_items) == {n.id for n in window.workflow.nodes}
    assert set(window.scene.link_items) == {lk.id for lk in window.workflow.links}
    assert set(window.scene.annotation_items) == {a.id for a in window.workflow.annotations}


def _two_linked(window) -> tuple[str, str]:
    src = window.add_node("tests.source", QPointF(0, 0))
    add = window.add_node("tests.add", QPointF(250, 0))
    assert window.scene.try_link(src, add)
    return src, add


def test_undo_add_node(window) -> None:
    _undo_redo(window, lambda: window.add_node("tests.source", QPointF(10, 20)))
    # after the redo the add is on the stack again: undo is enabled and names it
    assert window.undo_action.isEnabled()
    assert window.undo_action.text() == "&Undo Add Source"


def test_undo_move_by_mouse(window) -> None:
    src, _add = _two_linked(window)
    item = window.scene.node_items[src]

    def move() -> None:
        window.scene.clearSelection()
        drag(window, item.scenePos() + QPointF(0, -12), item.scenePos() + QPointF(60, 88))

    _undo_redo(window, move)
    x, y = window.workflow.node(src).position
    assert abs(x - 60) <= 1 and abs(y - 100) <= 1
    link = next(iter(window.scene.link_items.values()))
    assert link.path().elementAt(0).x == item.anchor_pos("output").x()


def test_undo_rename_in_place(window) -> None:
    nid = window.add_node("tests.source", QPointF(0, 0))

    def rename() -> None:
        window.scene.clearSelection()
        window.scene.node_items[nid].setSelected(True)
        window.rename_action.trigger()
        title = window.scene.node_items[nid].title_item
        assert title.editing
        QTest.keyClicks(window.view.viewport(), "Numbers")
        QTest.keyClick(window.view.viewport(), Qt.Key.Key_Return)

    _undo_redo(window, rename)
    assert window.workflow.node(nid).title == "Numbers"
    assert window.scene.node_items[nid].title == "Numbers"


def test_undo_link_and_remove_link(window) -> None:
    src = window.add_node("tests.source", QPointF(0, 0))
    add = window.add_node("tests.add", QPointF(250, 0))
    _undo_redo(window, lambda: window.scene.try_link(src, add))
    (link,) = window.workflow.links
    _undo_redo(window, lambda: window.undo_stack.push(
        cmd.SetLinkEnabledCommand(window.workflow, link.id, False)))

    def remove_link() -> None:
        window.scene.clearSelection()
        window.scene.link_items[link.id].setSelected(True)
        window.delete_action.trigger()

    _undo_redo(window, remove_link)


def test_undo_delete_nodes_restores_links_ids_and_settings(window, qtbot) -> None:
    src, add = _two_linked(window)
    window.undo_stack.push(cmd.SettingsCommand(window.workflow, src, value=5))

    def delete() -> None:
        window.select_all_action.trigger()
        window.delete_action.trigger()

    _undo_redo(window, delete)
    assert window.workflow.nodes == []
    window.undo_action.trigger()
    assert window.workflow.node(src).settings.value == 5
    qtbot.waitUntil(lambda: window.scheduler.output(add, "Number") == 6, timeout=5000)


def test_undo_settings_from_panel(window, qtbot) -> None:
    nid = window.add_node("tests.source", QPointF(0, 0))
    panel = window.open_node(nid)
    assert isinstance(panel, SettingsPanel)
    spin = panel.editors["value"]
    _undo_redo(window, lambda: spin.setValue(7))
    assert window.workflow.node(nid).settings.value == 7
    window.undo_action.trigger()
    assert spin.value() == 1  # the panel follows undo
    qtbot.waitUntil(lambda: window.scheduler.output(nid, "Number") == 1, timeout=5000)


def test_undo_copy_paste(window) -> None:
    _two_linked(window)
    window.select_all_action.trigger()
    assert window.copy_selection()
    _undo_redo(window, window.paste)
    assert len(window.workflow.nodes) == 4 and len(window.workflow.links) == 2
    titles = sorted(n.title for n in window.workflow.nodes)
    assert titles == ["Add", "Add (1)", "Source", "Source (1)"]


def test_undo_annotations(window) -> None:
    _undo_redo(window, lambda: window.scene.create_text_annotation(QPointF(0, 0), "Step 1"))
    _undo_redo(window, lambda: window.scene.create_arrow_annotation(QPointF(0, 60),
                                                                    QPointF(80, 90)))
    text_id, arrow_id = (a.id for a in window.workflow.annotations)
    item = window.scene.annotation_items[text_id]

    def edit_text() -> None:
        item.start_editing()
        item.setPlainText("Step 1: embed the images")
        window.scene.annotation_edited(item)

    _undo_redo(window, edit_text)
    assert window.workflow.annotations[0].text == "Step 1: embed the images"

    def move_arrow() -> None:
        window.scene.clearSelection()
        drag(window, QPointF(40, 75), QPointF(40, 175))

    _undo_redo(window, move_arrow)
    arrow = next(a for a in window.workflow.annotations if a.id == arrow_id)
    assert abs(arrow.start[1] - 160) <= 2

    def delete() -> None:
        window.scene.clearSelection()
        window.scene.annotation_items[text_id].setSelected(True)
        window.delete_action.trigger()

    _undo_redo(window, delete)
    assert [a.id for a in window.workflow.annotations] == [arrow_id]
    window.undo_action.trigger()
    assert [a.id for a in window.workflow.annotations] == [text_id, arrow_id]


def test_modified_marker_follows_undo_stack(window, tmp_path) -> None:
    assert not window.isWindowModified()
    window.add_node("tests.source", QPointF(0, 0))
    assert window.isWindowModified()
    assert window.save_as(tmp_path / "w.ows")
    assert not window.isWindowModified() and window.windowTitle().startswith("w.ows")
    window.undo_action.trigger()
    assert window.isWindowModified()


def test_viewport_helper_maps_items(window) -> None:
    nid = window.add_node("tests.source", QPointF(0, 0))
    p = vp(window, window.scene.node_items[nid].scenePos())
    assert window.view.viewport().rect().contains(p)
