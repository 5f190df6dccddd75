"""A number typed into a spin box applies a moment after the last key.

Why: with keyboard tracking off (the views' old way) a typed "5" changed nothing until
Enter, which a first-time user takes for a dead control (Top N in Hierarchical
Clustering, C in Logistic Regression); with tracking on, every keystroke re-runs the
node and adds an undo step ("1" on the way to "12"). Here typing waits for a pause of
:data:`TYPING_MS`, Enter or leaving the box apply at once, and arrows, the wheel and code
(``setValue``) apply at once as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QEvent, QObject, Qt, QTimer
from PyQt6.QtWidgets import QDoubleSpinBox, QSpinBox

__all__ = ["TYPING_MS", "apply_when_typed"]

#: a typed number is applied this long after the last keystroke (milliseconds)
TYPING_MS = 400

_NOT_TYPING = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Up, Qt.Key.Key_Down,
               Qt.Key.Key_PageUp, Qt.Key.Key_PageDown)


class _KeyWatch(QObject):
    """Whether a key was typed into a spin box since the last :meth:`take`."""

    def __init__(self, spin: QSpinBox | QDoubleSpinBox) -> None:
        super().__init__(spin)
        self.typed = False
        spin.installEventFilter(self)
        if spin.lineEdit() is not None:
            spin.lineEdit().installEventFilter(self)

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
        if event is not None and event.type() == QEvent.Type.KeyPress:
            self.typed = event.key() not in _NOT_TYPING
        return False

    def take(self) -> bool:
        typed, self.typed = self.typed, False
        return typed


def apply_when_typed(spin: QSpinBox | QDoubleSpinBox, apply: Callable[[Any], None],
                     busy: Callable[[], bool] = lambda: False) -> None:
    """Call ``apply(value)`` when ``spin``'s value should take effect (see the module).

    ``busy()`` true means the view is showing settings itself: nothing is applied.
    ``apply`` should ignore a value equal to the current setting (Enter after the pause
    calls it once more)."""
    timer = QTimer(spin)
    timer.setSingleShot(True)
    timer.setInterval(TYPING_MS)
    typing = _KeyWatch(spin)

    def now() -> None:
        timer.stop()
        apply(spin.value())

    def changed(_value: Any) -> None:
        if busy():
            return
        if typing.take():
            timer.start()
        else:
            now()

    spin.setKeyboardTracking(True)
    spin.valueChanged.connect(changed)
    spin.editingFinished.connect(lambda: timer.isActive() and now())
    timer.timeout.connect(now)
