"""Child process of tests/gui/test_canvas_notes.py: the crash pattern of a canvas note.

A real gesture leaves a note on the canvas (an unlinked widget that does not fit dragged
onto a link), the window is torn down as pytest-qt tears it down (``close`` and
``deleteLater`` with no event loop running, so the C++ window outlives its Python
wrappers) or its document is replaced, Python's garbage is collected, and events are
processed past the note's timer. Before gui/canvas/notes.py the timer then called a
collected Python closure and this process died with SIGSEGV; it must print "survived".

Run as ``python -m tests.gui.note_teardown_child MODE NOTE_MS`` with MODE ``window`` or
``replace``.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6.QtCore import QEventLoop, QPointF
from PyQt6.QtWidgets import QApplication

from petriflow.core.node import RunOptions
from petriflow.core.workflow import Workflow
from petriflow.gui.canvas import notes
from petriflow.gui.mainwindow import MainWindow
from tests.gui.conftest import drag, gui_registry


def main(mode: str, note_ms: int) -> None:
    notes.NOTE_MS = note_ms
    app = QApplication([])
    win = MainWindow(registry=gui_registry(), data_dir=Path(tempfile.mkdtemp()) / "data",
                     run_options=RunOptions(embedding="in_process"))
    win.ask_save_changes = lambda: "discard"
    win.show()
    app.processEvents()
    src = win.add_node("tests.source", QPointF(0, 0))
    add = win.add_node("tests.add", QPointF(400, 0))
    assert win.scene.try_link(src, add)
    win.add_node("tests.table_sink", QPointF(200, 220))
    win.scene.clearSelection()
    (link,) = win.scene.link_items.values()
    drag(win, QPointF(200, 220), link.path().pointAtPercent(0.5))
    shown = notes.canvas_notes(win.scene)
    assert [n.toPlainText() for n in shown] and "Cannot insert" in shown[0].toPlainText(), \
        [n.toPlainText() for n in shown]
    del shown, link
    if mode == "window":
        win.close()
        win.deleteLater()
    else:
        win.document.replace(Workflow(registry=win.registry))
    del win
    gc.collect()
    end = time.monotonic() + note_ms / 1000 + 1.5
    while time.monotonic() < end:  # top-level processing: the deferred delete waits
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        gc.collect()
        time.sleep(0.02)
    print("survived", mode, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
