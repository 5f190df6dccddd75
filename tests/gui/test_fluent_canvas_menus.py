"""The fluent canvas's menu commands with real clicks (issue 18.3): Edit › Align and
Tidy Up, View › Zoom, File › Save Workflow as Image (through the real file dialog), and
the welcome dialog's lists, Open button and "Show at start" box."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from PyQt6.QtCore import QPoint, QPointF, QSettings, Qt, QTimer
from PyQt6.QtGui import QImage
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMenu

from petriflow.bundled import list_examples


def _menu(window, title: str) -> QMenu:
    for act in window.menuBar().actions():
        if act.text().replace("&", "") == title:
            return act.menu()
    raise AssertionError(title)


def _click(qtbot, menu: QMenu, *path: str) -> None:
    """Open ``menu`` and click through ``path`` (a submenu's title, then its item)."""
    menu.popup(QPoint(80, 80))
    qtbot.waitUntil(menu.isVisible)
    for text in path:
        (act,) = [a for a in menu.actions()
                  if a.text().replace("&", "").rstrip("…") == text]
        QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         menu.actionGeometry(act).center())
        if act.menu() is not None:
            menu = act.menu()
            qtbot.waitUntil(menu.isVisible)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)


def test_align_and_tidy_up_from_the_edit_menu(window, qtbot):
    a = window.add_node("tests.source", QPointF(0, 0))
    b = window.add_node("tests.add", QPointF(70, 260))
    c = window.add_node("tests.add", QPointF(-30, 130))
    window.scene.try_link(a, b)
    window.scene.try_link(b, c)
    window.document.select_nodes([a, b, c])
    steps = window.undo_stack.count()
    edit = _menu(window, "Edit")
    _click(qtbot, edit, "Align", "Left")
    assert {window.workflow.node(n).position[0] for n in (a, b, c)} == {-30.0}
    assert window.undo_stack.count() == steps + 1
    _click(qtbot, edit, "Tidy Up")
    xs = [window.workflow.node(n).position[0] for n in (a, b, c)]
    assert xs[0] < xs[1] < xs[2]  # data flows left to right
    assert window.undo_stack.count() == steps + 2
    assert window.undo_stack.undoText() == "Tidy up"


def test_zoom_from_the_view_menu(window, qtbot):
    view = _menu(window, "View")
    _click(qtbot, view, "Zoom In")
    assert window.view.zoom() > 1.2
    _click(qtbot, view, "Reset Zoom")
    assert window.view.zoom() == 1.0
    _click(qtbot, view, "Zoom Out")
    assert window.view.zoom() < 0.9


def _answer_file_dialog(qtbot, path: str, done: list) -> None:
    """Type ``path`` into the save dialog that is open now and press Return."""
    dialog = QApplication.activeModalWidget()
    if not isinstance(dialog, QFileDialog):  # not up yet: look again
        QTimer.singleShot(100, lambda: _answer_file_dialog(qtbot, path, done))
        return
    name = dialog.findChild(QLineEdit, "fileNameEdit") or dialog.findChild(QLineEdit)
    name.selectAll()
    QTest.keyClicks(name, path)
    QTest.keyClick(name, Qt.Key.Key_Return)
    done.append(path)


def test_save_workflow_as_image_through_the_file_menu(window, qtbot, tmp_path):
    window.add_node("tests.source", QPointF(0, 0))
    window.add_node("tests.add", QPointF(220, 0))
    native = Qt.ApplicationAttribute.AA_DontUseNativeDialogs
    before = QApplication.testAttribute(native)
    QApplication.setAttribute(native, True)  # Qt's own dialog: its line edit is typed in
    try:
        for name in ("flow.svg", "flow.png"):
            done: list = []
            QTimer.singleShot(200, lambda n=name, d=done: _answer_file_dialog(
                qtbot, str(tmp_path / n), d))
            _click(qtbot, _menu(window, "File"), "Save Workflow as Image")
            assert done == [str(tmp_path / name)]
    finally:
        QApplication.setAttribute(native, before)
    svg = ET.parse(tmp_path / "flow.svg").getroot()  # well-formed XML
    assert svg.tag.endswith("svg")
    assert "Add" in "".join(svg.itertext())
    image = QImage(str(tmp_path / "flow.png"))
    assert not image.isNull() and image.width() > 100
    assert "flow.png" in window.statusBar().currentMessage()


def test_welcome_dialog_with_real_clicks(window, qtbot, tmp_path):
    saved = tmp_path / "mine.ows"
    window.add_node("tests.source", QPointF(0, 0))
    assert window.save_as(saved)
    window.new_workflow()
    assert window.workflow.path is None and not window.workflow.nodes
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    dialog = window.show_welcome(settings)
    qtbot.waitExposed(dialog)
    assert dialog.examples.count() == len(list_examples())
    box = dialog.show_at_start
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert not box.isChecked()
    assert QSettings(str(tmp_path / "settings.ini"),
                     QSettings.Format.IniFormat).value("welcome/show_at_start") in (False,
                                                                                    "false")
    recent = dialog.recent
    where = recent.visualItemRect(recent.item(0)).center()
    for dclick in (QTest.mouseClick, QTest.mouseDClick):  # a double-click: press first
        dclick(recent.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
               where)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window.workflow.path == saved and len(window.workflow.nodes) == 1

    dialog = window.show_welcome(settings)
    qtbot.waitExposed(dialog)
    assert not dialog.show_at_start.isChecked()  # remembered
    dialog.examples.setCurrentRow(0)
    QTest.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window.document.example == list_examples()[0].name


def test_link_menu_shows_its_whole_hint_and_stays_on_screen(window, qtbot):
    from .conftest import drag

    src = window.add_node("tests.source", QPointF(0, 0))
    window.workflow.set_title(src, "Image Viewer of the second experiment")
    drag(window, window.scene.node_items[src].anchor_pos("output"), QPointF(300, 20))
    menu = window._quick_menu
    hint = menu.search.placeholderText()
    assert "Image Viewer of the second experiment" in hint
    assert menu.search.fontMetrics().horizontalAdvance(hint) < menu.search.width() - 8
    menu.close()
    area = QApplication.primaryScreen().availableGeometry()
    menu.popup(area.bottomRight() - QPoint(5, 5))  # a drop near the screen's corner
    assert area.contains(menu.frameGeometry())
    menu.close()


def test_a_duplicate_lands_clear_of_every_node_and_note(make_window, qtbot):
    """Ctrl+D on a node of the clustering example: the copy's disc and text meet no
    other node or note, and no title loses room to it (a copy 40 units off sat on its
    original's title and both names were cut: "Distan ces")."""
    from petriflow.bundled import find_example
    from petriflow.core.registry import default_registry
    from petriflow.gui.canvas.annotation_items import TextAnnotationItem

    window = make_window(reg=default_registry())
    window.pause_action.trigger()
    assert window.open_example(find_example("image-clustering").path)
    scene = window.scene
    scene.layout_text()
    widths = {n: it.title_item.textWidth() for n, it in scene.node_items.items()}
    distances = window.workflow.find_node("Distances").id
    window.document.select_nodes([distances])
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    (copy,) = scene.selected_node_ids()
    assert copy not in widths
    scene.layout_text()
    item = scene.node_items[copy]
    notes = [a.sceneBoundingRect() for a in scene.annotation_items.values()
             if isinstance(a, TextAnnotationItem)]
    for nid, other in scene.node_items.items():
        if nid != copy:
            assert not any(a.intersects(b) for a in item.footprint()
                           for b in other.footprint()), other.title
    assert not any(a.intersects(n) for a in item.footprint() for n in notes)
    assert {n: scene.node_items[n].title_item.textWidth() for n in widths} == widths
    assert item.title_item.textWidth() == widths[distances]
