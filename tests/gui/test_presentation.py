"""Presentation mode (issue 18.4): F11 enlarges the canvas and leaves it exactly as it
was; F10 steps one node, puts a halo on it, captions it and shows its view in the side
panel; auto-advance runs the workflow in order and stops at its end. Real key events.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtGui import QUndoStack
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from petriflow.core.ows import load_workflow
from petriflow.core.scheduler import NodeState
from petriflow.core.workflow import ArrowAnnotation, TextAnnotation
from petriflow.gui import undo as cmd
from petriflow.gui.canvas.annotation_items import ArrowAnnotationItem
from petriflow.gui.canvas.scene import CanvasScene
from petriflow.gui.presentation_canvas import (
    FONT_SCALE,
    CanvasEnlarger,
    StepHalo,
    nearest_note,
)
from petriflow.gui.settings_panel import SettingsPanel
from tests.gui.test_canvas_legibility import LONGEST, problems

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


def _activate(qtbot, widget) -> None:
    widget.activateWindow()
    widget.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=3000)


def _key(window, key) -> None:
    QTest.keyClick(window.view.viewport(), key)


@pytest.fixture
def chain(window, qtbot):
    """Source → Add → Add, run once; returns the window and the three ids in order."""
    src = window.add_node("tests.source", QPointF(0, 0))
    a = window.add_node("tests.add", QPointF(220, 0))
    b = window.add_node("tests.add", QPointF(440, 0))
    window.scene.try_link(src, a)
    window.scene.try_link(a, b)
    qtbot.waitUntil(lambda: window.scheduler.output(b, "Number") == 3, timeout=5000)
    qtbot.waitUntil(lambda: window.scene.node_items[b].status.state == NodeState.DONE,
                    timeout=5000)
    _activate(qtbot, window)
    return window, [src, a, b]


def _looks(window) -> dict:
    """What presentation mode may change, as plain values."""
    scene = window.scene
    return {
        "titles": {n: i.title_item.font().toString() for n, i in scene.node_items.items()},
        "lines": {n: i.message_item._font.toString() for n, i in scene.node_items.items()},
        "status": {n: i.message_item.text() for n, i in scene.node_items.items()},
        "labels": {k: i.label._font.toString() for k, i in scene.link_items.items()},
        "pens": {k: i.pen().widthF() for k, i in scene.link_items.items()},
        "pos": {n: (i.pos().x(), i.pos().y()) for n, i in scene.node_items.items()},
        "movable": {n: bool(i.flags() & i.GraphicsItemFlag.ItemIsMovable)
                    for n, i in scene.node_items.items()},
        "bars": {t.objectName(): t.isVisible() for t in window.findChildren(
            type(window.presenter.toolbar))},
        "toolbox": window.toolbox.isVisible(),
        "transform": window.view.transform(),
        "paused": window.scheduler.paused,
    }


def test_f11_enlarges_the_canvas_and_f11_again_restores_it_exactly(chain, qtbot) -> None:
    window, (src, a, _b) = chain
    before = _looks(window)
    positions = {n.id: n.position for n in window.workflow.nodes}
    _key(window, Qt.Key.Key_F11)
    assert window.presenter.active and window.presenter.mode_action.isChecked()
    title = window.scene.node_items[src].title_item.font()
    assert title.pointSizeF() > 1.3 * QApplication.font().pointSizeF()
    link = next(iter(window.scene.link_items))
    assert window.scene.link_items[link].pen().widthF() > 2 * before["pens"][link]
    assert window.scene.link_items[link].label._font.pointSizeF() > 10
    assert not window.toolbox.isVisible()  # toolbars simplified
    assert not window.findChild(type(window.presenter.toolbar), "canvas-tools").isVisible()
    assert window.presenter.toolbar.isVisible() and window.scheduler.paused
    # drawn further apart, but the workflow's own positions stay
    assert window.scene.node_items[a].pos().x() > positions[a][0]
    assert {n.id: n.position for n in window.workflow.nodes} == positions
    _key(window, Qt.Key.Key_F11)
    assert not window.presenter.active
    assert _looks(window) == before


def test_f11_scales_notes_like_titles_and_keeps_them_by_their_nodes(chain) -> None:
    """A note grows FONT_SCALE times like the node titles (not just with the spacing),
    stays on its side of the node it is about, its arrow still leaves it for the node,
    and F11 again gives the note back its size and place."""
    window, (_src, a, _b) = chain
    window.undo_stack.push(cmd.AddAnnotationCommand(
        window.workflow, TextAnnotation("n1", (170, -130, 100, 40), "Adds one")))
    window.undo_stack.push(cmd.AddAnnotationCommand(
        window.workflow, ArrowAnnotation("ar", (220, -110), (220, -40))))
    note = window.scene.annotation_items["n1"]
    arrow = window.scene.annotation_items["ar"]
    size = note.font().pixelSize()
    normal = (note.pos(), note.sceneBoundingRect(), note.textWidth(), note.font().toString())
    _key(window, Qt.Key.Key_F11)
    assert window.presenter.active
    assert note.font().pixelSize() == round(size * FONT_SCALE)
    assert note.textWidth() == pytest.approx(normal[2] * FONT_SCALE)
    assert note.transform().isIdentity()  # larger text, not a magnified picture
    grown, disc = note.sceneBoundingRect(), window.scene.node_items[a].sceneBoundingRect()
    assert grown.width() == pytest.approx(normal[1].width() * FONT_SCALE)
    assert grown.height() > normal[1].height() * 1.3  # (the margins stay as they are)
    assert grown.bottom() < disc.top() and grown.left() < disc.center().x() < grown.right()
    # as far from its node as before times the spacing (give or take the text margins)
    gap = disc.center().y() - grown.bottom()
    was = window.workflow.node(a).position[1] - normal[1].bottom()
    assert gap == pytest.approx(was * window.presenter.enlarger.spread, abs=8)
    line = arrow.path()  # the arrow starts on the grown note and heads for the node
    tail = arrow.mapToScene(line.pointAtPercent(0))
    assert grown.adjusted(-2, -2, 2, 2).contains(tail) and arrow.isVisible()
    _key(window, Qt.Key.Key_F11)
    assert not window.presenter.active
    assert (note.pos(), note.sceneBoundingRect(), note.textWidth(),
            note.font().toString()) == normal


def test_f10_steps_exactly_one_node_with_halo_caption_and_side_view(chain, qtbot) -> None:
    window, (src, a, b) = chain
    window.undo_stack.push(cmd.AddAnnotationCommand(
        window.workflow, TextAnnotation("n1", (200, 60, 200, 40), "Adds one to the number")))
    _key(window, Qt.Key.Key_F11)
    window.presenter.restart_action.trigger()
    qtbot.waitUntil(lambda: window.scene.node_items[b].status.state == NodeState.QUEUED,
                    timeout=3000)
    _key(window, Qt.Key.Key_F10)
    assert window.presenter.steps == [src]
    halos = [c for c in window.scene.node_items[src].childItems() if isinstance(c, StepHalo)]
    assert len(halos) == 1 and halos[0].isVisible()
    qtbot.waitUntil(lambda: window.scheduler.status(src).state == NodeState.DONE, timeout=5000)
    qtbot.wait(150)
    # exactly one: the next node waits for the next F10
    assert window.scheduler.status(a).state == NodeState.QUEUED
    dock = window.presenter.side_dock
    first_view = dock.widget()
    assert dock.isVisible() and isinstance(first_view, SettingsPanel)
    assert first_view.isVisible() and first_view.window() is window  # beside the canvas
    assert window.presenter.caption.text().startswith("1. Source")  # no note near it
    qtbot.waitUntil(lambda: "done" in first_view.status.text().lower(), timeout=3000)

    _key(window, Qt.Key.Key_F10)
    assert window.presenter.steps == [src, a]
    assert [c for c in window.scene.node_items[src].childItems()
            if isinstance(c, StepHalo)] == []  # the halo moved on
    assert any(isinstance(c, StepHalo) for c in window.scene.node_items[a].childItems())
    assert "Adds one to the number" in window.presenter.caption.text()
    assert dock.widget() is not first_view  # replaced, not piled up
    qtbot.waitUntil(lambda: sip.isdeleted(first_view), timeout=3000)
    assert len([w for w in QApplication.topLevelWidgets()
                if isinstance(w, SettingsPanel) and w.isVisible()]) == 0


def test_auto_advance_runs_the_whole_workflow_in_order_and_stops(chain, qtbot) -> None:
    window, ids = chain
    presenter = window.presenter
    presenter.auto_seconds = 0.05
    _key(window, Qt.Key.Key_F11)
    presenter.start_over()
    presenter.auto_action.trigger()  # no key from here on
    qtbot.waitUntil(lambda: not presenter.auto_action.isChecked(), timeout=10000)
    assert presenter.steps == ids  # each node once, in the workflow's order
    assert all(window.scheduler.status(n).state == NodeState.DONE for n in ids)
    assert window.scheduler.output(ids[-1], "Number") == 3
    assert presenter.caption.text().startswith("The end")
    qtbot.wait(300)
    assert presenter.steps == ids  # it stopped


def test_nearest_note_within_reach_else_none(window) -> None:
    nid = window.add_node("tests.source", QPointF(0, 0))
    assert nearest_note(window.scene, nid) is None
    window.undo_stack.push(cmd.AddAnnotationCommand(
        window.workflow, TextAnnotation("far", (2000, 0, 100, 30), "far away")))
    window.undo_stack.push(cmd.AddAnnotationCommand(
        window.workflow, TextAnnotation("near", (60, -20, 100, 30), "close by")))
    assert nearest_note(window.scene, nid) == "close by"
    # a note belongs to one node: the closest, or the one its arrow points at
    other = window.add_node("tests.source", QPointF(300, 0))
    window.undo_stack.push(cmd.AddAnnotationCommand(
        window.workflow, TextAnnotation("mid", (120, 80, 100, 30), "about the other")))
    assert nearest_note(window.scene, other) == "about the other"
    assert nearest_note(window.scene, nid) == "close by"
    window.undo_stack.push(cmd.AddAnnotationCommand(
        window.workflow, ArrowAnnotation("arr", (170, 80), (10, 30))))
    assert nearest_note(window.scene, nid) == "close by"  # the closer of its two notes
    assert nearest_note(window.scene, other) is None


@pytest.mark.parametrize("name", sorted(p.stem for p in WORKFLOWS.glob("*.ows")))
def test_bundled_examples_read_well_in_presentation_mode(qapp, name: str) -> None:
    """Labels never hidden, status lines never meet: the legibility rules at the larger
    size, with the longest summary on every node; and all back after leaving."""
    wf = load_workflow(WORKFLOWS / f"{name}.ows")
    scene = CanvasScene(wf, QUndoStack())
    for item in scene.node_items.values():
        item.set_output_summary(LONGEST)
    scene.layout_text()
    fonts = {n: i.title_item.font().toString() for n, i in scene.node_items.items()}
    notes = {k: (i.pos(), i.transform(), i.isVisible(), i.boundingRect())
             for k, i in scene.annotation_items.items()}
    enlarger = CanvasEnlarger(scene)
    enlarger.apply()
    assert problems(scene) == []
    for item in scene.node_items.values():
        assert " ".join(item.message_item.lines) == LONGEST  # wrapped, never elided
    boxes = [r for n in scene.node_items.values() for r in n.footprint()]
    for arrow in scene.annotation_items.values():  # an arrow never crosses node text
        if isinstance(arrow, ArrowAnnotationItem) and arrow.isVisible():
            line = arrow.path()
            assert not any(box.contains(line.pointAtPercent(k / 50))
                           for box in boxes for k in range(51))
    enlarger.restore()
    assert problems(scene) == []
    assert {n: i.title_item.font().toString() for n, i in scene.node_items.items()} == fonts
    assert {k: (i.pos(), i.transform(), i.isVisible(), i.boundingRect())
            for k, i in scene.annotation_items.items()} == notes
    assert {n: (i.pos().x(), i.pos().y()) for n, i in scene.node_items.items()} == {
        n.id: n.position for n in wf.nodes}


def test_auto_advance_presents_the_image_clustering_example(make_window, qtbot) -> None:
    """The bundled example, from a paused open to its end, without a key between steps:
    every node once, each after the nodes that feed it, and the last view in the panel."""
    from petriflow.bundled import find_example
    from petriflow.core.registry import default_registry

    window = make_window(reg=default_registry())
    window.pause_action.setChecked(True)
    window.toggle_pause()
    assert window.open_example(find_example("image-clustering").path)
    _activate(qtbot, window)
    presenter = window.presenter
    presenter.auto_seconds = 0.05
    _key(window, Qt.Key.Key_F11)
    presenter.auto_action.trigger()
    qtbot.waitUntil(lambda: not presenter.auto_action.isChecked(), timeout=240_000)
    wf = window.workflow
    assert sorted(presenter.steps) == sorted(n.id for n in wf.nodes)
    for link in wf.links:  # in order: a source is always shown before what it feeds
        assert presenter.steps.index(link.source_id) < presenter.steps.index(link.sink_id)
    assert all(window.scheduler.status(n.id).state == NodeState.DONE for n in wf.nodes)
    assert presenter.side_dock.isVisible()
    assert presenter.side_dock.windowTitle() == wf.node(presenter.steps[-1]).title


def test_side_panel_has_help_and_add_to_report_like_every_view(chain, qtbot) -> None:
    """The step's view in the side panel carries the "?" and "Add to report" of every
    node window (real clicks), and F1 with the focus in the panel opens the step's
    page rather than being swallowed by two F1 shortcuts."""
    from PyQt6.QtWidgets import QToolButton, QWidget

    from petriflow.gui.help_menu import help_browser
    from petriflow.gui.report_window import report_window

    window, (src, a, _b) = chain
    _key(window, Qt.Key.Key_F11)
    window.presenter.start_over()
    _key(window, Qt.Key.Key_F10)
    _key(window, Qt.Key.Key_F10)  # the second step: Add
    assert window.presenter.steps == [src, a]
    view = window.presenter.side_dock.widget()
    help_button = view.findChild(QToolButton, "help-button")
    report_button = view.findChild(QToolButton, "report-button")
    assert help_button is not None and help_button.isVisible()
    assert report_button is not None and report_button.isVisible()
    for button in (help_button, report_button):  # nothing covers it, its text is whole
        centre = button.mapTo(view, button.rect().center())
        assert view.childAt(centre) in (button, *button.findChildren(QWidget))
        assert button.fontMetrics().horizontalAdvance(button.text()) < button.width()
    QTest.mouseClick(help_button, Qt.MouseButton.LeftButton)
    browser = help_browser(window)
    qtbot.waitUntil(browser.isVisible)
    assert "the Add widget" in browser.text.toPlainText()  # toy widgets: no guide
    QTest.mouseClick(report_button, Qt.MouseButton.LeftButton)
    assert [item.title for item in report_window(window).items()] == ["Add"]
    browser.hide()
    report_window(window).hide()
    _activate(qtbot, window)
    window.scene.clearSelection()
    window.document.select_nodes([src])  # F1 on the canvas would show Source
    help_button.setFocus()
    QTest.keyClick(help_button, Qt.Key.Key_F1)
    qtbot.waitUntil(browser.isVisible)
    assert "the Add widget" in browser.text.toPlainText()


def test_the_audience_follows_each_step_with_one_click_on_auto_advance(chain, qtbot) -> None:
    """One mouse click on the toolbar's Auto-advance; then, with no key or click, every
    step in turn gets its caption and its own view (with "?" and "Add to report")
    beside the canvas, and the end says so."""
    from PyQt6.QtWidgets import QToolButton

    window, ids = chain
    presenter = window.presenter
    presenter.auto_seconds = 0.05
    _key(window, Qt.Key.Key_F11)
    presenter.start_over()
    seen: list[tuple[str, str, bool]] = []

    def shown(title: str) -> None:
        view = presenter.side_dock.widget()
        seen.append((title, presenter.caption.text(),
                     view.findChild(QToolButton, "report-button") is not None
                     and view.findChild(QToolButton, "help-button") is not None))

    presenter.side_dock.windowTitleChanged.connect(shown)
    button = presenter.toolbar.widgetForAction(presenter.auto_action)
    assert button.isVisible()
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not presenter.auto_action.isChecked(), timeout=10000)
    titles = [window.workflow.node(n).title for n in ids]
    assert [t for t, _, _ in seen] == titles
    assert [c.split(":")[0] for _, c, _ in seen] == [f"{i}. {t}" for i, t in
                                                     enumerate(titles, 1)]
    assert all(buttons for _, _, buttons in seen)
    assert presenter.caption.text().startswith("The end")


def test_first_f10_on_a_workflow_that_has_run_starts_from_its_first_node(chain, qtbot):
    """A teacher opens a workflow (it runs), presses F11 then F10: the class sees the
    first node, not "The end"; later, at the real end, F10 says so."""
    window, (src, a, b) = chain
    _key(window, Qt.Key.Key_F11)
    _key(window, Qt.Key.Key_F10)
    assert window.presenter.steps == [src]
    assert window.presenter.caption.text().startswith("1. Source")
    for nid in (a, b):
        qtbot.waitUntil(lambda: window.scheduler.is_settled(), timeout=5000)
        _key(window, Qt.Key.Key_F10)
        assert window.presenter.steps[-1] == nid
    qtbot.waitUntil(lambda: window.scheduler.is_settled(), timeout=5000)
    _key(window, Qt.Key.Key_F10)
    assert window.presenter.steps == [src, a, b]
    assert window.presenter.caption.text().startswith("The end")
