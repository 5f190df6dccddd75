"""Canvas notes (gui/canvas/notes.py): shown where a gesture was refused, gone by
themselves, gone with their scene, and never able to call into a torn-down window.

The crash test runs in a child process (tests/gui/note_teardown_child.py) so that a
segfault fails this test instead of killing pytest."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QPointF

from petriflow.core.workflow import Workflow
from petriflow.gui.canvas.notes import canvas_notes, show_note

from .conftest import drag
from .test_canvas import _drop
from .test_fluent_canvas import _link_mid, _linked_pair

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("mode", ["window", "replace"])
def test_a_note_outliving_its_window_does_not_crash_the_process(mode):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-m", "tests.gui.note_teardown_child", mode, "400"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert f"survived {mode}" in done.stdout


def test_a_refused_drag_onto_a_link_leaves_a_note_over_the_node(window, qtbot):
    _linked_pair(window)
    sink = window.add_node("tests.table_sink", QPointF(200, 220))
    window.scene.clearSelection()
    drag(window, QPointF(200, 220), _link_mid(window))
    (note,) = canvas_notes(window.scene)
    assert note.toPlainText().startswith("Cannot insert 'Table Sink'")
    assert note.toPlainText() == window.statusBar().currentMessage()
    node_pos = window.scene.node_items[sink].scenePos()
    assert note.sceneBoundingRect().left() < node_pos.x() < note.sceneBoundingRect().right()
    assert note.sceneBoundingRect().bottom() < node_pos.y()  # above the node, not over it


def test_a_refused_toolbox_drop_leaves_a_note_where_it_was_dropped(window):
    _linked_pair(window)
    where = _link_mid(window)
    _drop(window, window.toolbox.mime_for("tests.table_sink"), where)
    (note,) = canvas_notes(window.scene)
    assert "Cannot insert 'Table Sink'" in note.toPlainText()
    assert note.sceneBoundingRect().left() < where.x() < note.sceneBoundingRect().right()


def test_a_note_removes_itself_after_its_time(window, qtbot):
    note = show_note(window.scene, "short", QPointF(0, 0), ms=50)
    assert canvas_notes(window.scene) == [note]
    qtbot.waitUntil(lambda: not canvas_notes(window.scene), timeout=3000)
    assert sip.isdeleted(note)


def test_notes_go_with_their_scene_when_the_document_is_replaced(window, qtbot):
    note = show_note(window.scene, "long", QPointF(0, 0), ms=60_000)
    old = window.scene
    window.document.replace(Workflow(registry=window.registry))
    assert window.scene is not old and not canvas_notes(window.scene)
    qtbot.waitUntil(lambda: sip.isdeleted(note), timeout=3000)  # old scene deleteLater
