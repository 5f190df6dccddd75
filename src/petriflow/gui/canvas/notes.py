"""Short-lived notes on the canvas ("Cannot link: ...") that vanish by themselves.

Why the note removes itself with no Python callback: a note used to be dropped by a
4-second QTimer connected to a Python closure that held the scene and the note. When a
window was torn down without its deferred delete being processed (pytest-qt's
``deleteLater`` at loop level 0), Python's garbage collector cleared that closure as part
of the window's unreachable wrapper cycle while the C++ timer kept running; it then fired
in a later test into a freed function and the process died with a segfault. Here the
timer is the note's own child and its ``timeout`` goes straight to the note's C++
``deleteLater`` slot: nothing Python can be called, the timer dies with the note, and the
note dies with its scene (``QGraphicsScene`` deletes its items) or by itself after
:data:`NOTE_MS`. ``tests/gui/test_canvas_notes.py`` reproduces the old crash pattern in
a subprocess.
"""

from __future__ import annotations

from PyQt6 import sip
from PyQt6.QtCore import QPointF, QTimer
from PyQt6.QtGui import QColor, QPen
from PyQt6.QtWidgets import QGraphicsItem, QGraphicsRectItem, QGraphicsScene, QGraphicsTextItem

__all__ = ["NOTE_MS", "NOTE_WIDTH", "canvas_notes", "show_note"]

#: how long a note stays (ms): long enough to read two lines
NOTE_MS = 4000
#: a note's text width in scene units (centred over the place it is about)
NOTE_WIDTH = 260.0
#: the item data key/value that marks a note (so the scene can find its notes)
_ROLE, _MARK = 0x4E4F, "petriflow-canvas-note"


def show_note(scene: QGraphicsScene, text: str, where: QPointF,
              ms: int | None = None) -> QGraphicsTextItem:
    """Put ``text`` on ``scene`` just above ``where``; it removes itself after ``ms``
    (default :data:`NOTE_MS`, read at each call)."""
    note = QGraphicsTextItem(text)
    note.setDefaultTextColor(QColor("#B00020"))
    note.setTextWidth(NOTE_WIDTH)
    note.setZValue(100)
    note.setPos(where + QPointF(-NOTE_WIDTH / 2, -75))
    note.setData(_ROLE, _MARK)
    # an opaque card behind the text, so a link under it does not strike it through;
    # a child item: it goes when the note goes
    card = QGraphicsRectItem(note.boundingRect().adjusted(-2, 0, 2, 0), note)
    card.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
    card.setBrush(QColor(255, 255, 255, 235))
    card.setPen(QPen(QColor("#B00020"), 1))
    scene.addItem(note)
    timer = QTimer(note)  # the note's child: deleted with it, never outlives it
    timer.setSingleShot(True)
    timer.timeout.connect(note.deleteLater)  # a C++ slot: no Python runs when it fires
    timer.start(NOTE_MS if ms is None else ms)
    return note


def canvas_notes(scene: QGraphicsScene) -> list[QGraphicsTextItem]:
    """The notes now on ``scene`` (a deleted one is already gone from its items)."""
    return [item for item in scene.items()
            if isinstance(item, QGraphicsTextItem) and not sip.isdeleted(item)
            and item.data(_ROLE) == _MARK]
