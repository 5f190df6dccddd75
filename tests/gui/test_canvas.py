"""The canvas driven like a user would: drops, mouse drags between anchors, menus."""

from __future__ import annotations

from PyQt6.QtCore import QMimeData, QPointF, Qt, QUrl
from PyQt6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from petriflow.core.registry import default_registry
from petriflow.core.scheduler import NodeState
from petriflow.gui.canvas.node_item import NodeItem

from .conftest import drag, vp


def _drop(window, mime: QMimeData, scene_pos: QPointF) -> None:
    """Deliver a drag-enter, a drag-move and the drop, as a drag from outside would."""
    point = vp(window, scene_pos)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    viewport = window.view.viewport()
    enter = QDragEnterEvent(point, *args)
    QApplication.sendEvent(viewport, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(viewport, QDragMoveEvent(point, *args))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(point), *args))


def _node(window, title: str) -> NodeItem:
    node = window.workflow.find_node(title)
    return window.scene.node_items[node.id]


def test_toolbox_has_categories_icons_and_filter(qtbot) -> None:
    from petriflow.gui.toolbox import ToolBox

    box = ToolBox(default_registry())
    tops = [box.tree.topLevelItem(i).text(0) for i in range(box.tree.topLevelItemCount())]
    assert tops[:5] == ["Data", "Images", "Unsupervised", "Model", "Evaluate"]
    item = box.items["petriflow.distances"]
    assert not item.icon(0).isNull()
    assert "distances" in item.toolTip(0).lower()
    box.filter.setText("dendrogram")
    assert box.visible_names() == ["petriflow.hierarchical_clustering"]
    box.filter.setText("")
    assert len(box.visible_names()) == len(default_registry())


def test_drop_from_toolbox_creates_node(window) -> None:
    mime = window.toolbox.mime_for("tests.source")
    _drop(window, mime, QPointF(120, 80))
    nodes = window.workflow.nodes
    assert [n.qualified_name for n in nodes] == ["tests.source"]
    assert nodes[0].position == (120.0, 80.0)
    assert nodes[0].id in window.scene.node_items
    assert window.isWindowModified() and "untitled" in window.windowTitle()


def test_double_click_and_quick_menu_add_nodes(window, qtbot) -> None:
    window.toolbox.node_requested.emit("tests.add")
    menu = window.show_quick_menu(window.view.mapToGlobal(window.view.rect().center()),
                                  QPointF(300, 200))
    QTest.keyClicks(menu.search, "table sou")
    QTest.keyClick(menu.search, Qt.Key.Key_Return)
    names = sorted(n.qualified_name for n in window.workflow.nodes)
    assert names == ["tests.add", "tests.table_source"]
    assert window.workflow.find_node("Table Source").position == (300.0, 200.0)


def test_drag_between_anchors_links_and_data_flows(window, qtbot) -> None:
    src = window.add_node("tests.source", QPointF(0, 0))
    add = window.add_node("tests.add", QPointF(250, 40))
    start = window.scene.node_items[src].anchor_pos("output")
    drag(window, start, window.scene.node_items[add].scenePos())
    links = window.workflow.links
    assert [(lk.source_id, lk.source_channel, lk.sink_id, lk.sink_channel) for lk in links] \
        == [(src, "Number", add, "Number")]
    item = window.scene.link_items[links[0].id]
    assert item.label.text() == "Number → Number"
    qtbot.waitUntil(lambda: window.scheduler.output(add, "Number") == 2, timeout=5000)
    qtbot.waitUntil(lambda: item.has_data, timeout=2000)
    assert window.scene.link_summary(links[0]) == "1"  # what Source sent on the link
    # the scheduler's value is read directly, the canvas hears of the state through the
    # bridge's queued signal: wait for it rather than race it
    qtbot.waitUntil(lambda: _node(window, "Add").status.state == NodeState.DONE,
                    timeout=2000)
    assert _node(window, "Add").status.state == NodeState.DONE


def test_incompatible_link_is_refused_with_message(window, qtbot) -> None:
    src = window.add_node("tests.source", QPointF(0, 0))
    sink = window.add_node("tests.table_sink", QPointF(250, 0))
    ok = window.add_node("tests.add", QPointF(250, 150))
    viewport = window.view.viewport()
    a = vp(window, window.scene.node_items[src].anchor_pos("output"))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(viewport, a + (a - a).__class__(30, 0))
    # while dragging, the node that cannot take the link is greyed out, the other is not
    assert window.scene.node_items[sink].opacity() < 0.5
    assert window.scene.node_items[ok].opacity() == 1.0
    b = vp(window, window.scene.node_items[sink].scenePos())
    QTest.mouseMove(viewport, b)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    assert window.workflow.links == []
    message = window.statusBar().currentMessage()
    assert "Cannot link" in message and "Table" in message and "int" in message
    assert window.scene.node_items[sink].opacity() == 1.0
    assert window.undo_stack.count() == 3  # three adds, no link


def test_ambiguous_link_asks_which_channels(window) -> None:
    src = window.add_node("tests.source", QPointF(0, 0))
    pair = window.add_node("tests.pair", QPointF(250, 0))
    asked = []

    def chooser(source, sink, pairs):
        asked.append(pairs)
        return pairs[1]

    window.scene.channel_chooser = chooser
    drag(window, window.scene.node_items[src].anchor_pos("output"),
         window.scene.node_items[pair].scenePos())
    assert asked == [[("Number", "Left"), ("Number", "Right")]]
    assert [lk.sink_channel for lk in window.workflow.links] == ["Right"]


def test_default_channels_link_without_a_dialog(make_window) -> None:
    """Issue 14.7: side outputs (Skipped Files, Coefficients) never make a drag ask."""
    window = make_window(reg=default_registry())
    imp = window.add_node("petriflow.import_images", QPointF(0, 0))
    emb = window.add_node("petriflow.image_embedder", QPointF(220, 0))
    lr = window.add_node("petriflow.logistic_regression", QPointF(220, 160))
    ts = window.add_node("petriflow.test_and_score", QPointF(440, 80))
    asked = []
    window.scene.channel_chooser = lambda *args: asked.append(args)
    items = window.scene.node_items
    drag(window, items[imp].anchor_pos("output"), items[emb].scenePos())
    drag(window, items[lr].anchor_pos("output"), items[ts].scenePos())
    assert asked == []
    assert sorted((lk.source_channel, lk.sink_channel) for lk in window.workflow.links) == [
        ("Data", "Images"), ("Learner", "Learner")]


def test_disabled_link_is_dashed(window) -> None:
    from petriflow.gui import undo as cmd

    src = window.add_node("tests.source", QPointF(0, 0))
    add = window.add_node("tests.add", QPointF(250, 0))
    assert window.scene.try_link(src, add)
    link = window.workflow.links[0]
    window.undo_stack.push(cmd.SetLinkEnabledCommand(window.workflow, link.id, False))
    assert window.scene.link_items[link.id].pen().style() == Qt.PenStyle.DashLine
    window.undo_stack.undo()
    assert window.scene.link_items[link.id].pen().style() == Qt.PenStyle.SolidLine


def test_error_badge_carries_message(window, qtbot) -> None:
    src = window.add_node("tests.source", QPointF(0, 0))
    crash = window.add_node("tests.crash", QPointF(250, 0))
    window.scene.try_link(src, crash)
    item = window.scene.node_items[crash]
    qtbot.waitUntil(lambda: item.error_badge.isVisible(), timeout=5000)
    assert "division by zero" in item.error_badge.toolTip()


def test_folder_drop_creates_import_images(window, tmp_path) -> None:
    folder = tmp_path / "pics"
    folder.mkdir()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    _drop(window, mime, QPointF(50, 50))
    (node,) = window.workflow.nodes
    assert node.qualified_name == "petriflow.import_images"
    assert node.settings.folder == str(folder)


def test_double_click_opens_settings_panel(window, qtbot) -> None:
    from petriflow.gui.settings_panel import SettingsPanel

    nid = window.add_node("tests.source", QPointF(0, 0))
    pos = vp(window, window.scene.node_items[nid].scenePos())
    QTest.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, pos)
    panel = window._views[nid]
    assert isinstance(panel, SettingsPanel)
    assert set(panel.editors) == {"value", "delay"}


def test_registered_view_is_preferred(window, monkeypatch) -> None:
    from PyQt6.QtWidgets import QLabel

    from petriflow.gui import views

    made = []

    def factory(ctx):
        made.append(ctx.node_id)
        return QLabel("custom")

    monkeypatch.setitem(views.VIEWS, "tests.add", factory)
    nid = window.add_node("tests.add", QPointF(0, 0))
    widget = window.open_node(nid)
    assert made == [nid] and widget.text() == "custom"


def test_text_and_arrow_annotations_by_mouse(window) -> None:
    window.text_action.trigger()
    a = vp(window, QPointF(10, 10))
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, a)
    window.arrow_action.trigger()
    drag(window, QPointF(0, 100), QPointF(120, 160))
    kinds = [type(a).__name__ for a in window.workflow.annotations]
    assert kinds == ["TextAnnotation", "ArrowAnnotation"]
    arrow = window.workflow.annotations[1]
    assert abs(arrow.end[0] - arrow.start[0] - 120) < 3
