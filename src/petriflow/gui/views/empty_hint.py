"""What an empty table, grid or list means, said in its own place.

A first-time user who opens a Data Table, Predictions or Image Grid with nothing on its
input saw a blank white panel and, at best, "Waiting for input: Data" in small grey type
at the bottom. The hint is a label centred in the item view's viewport, shown exactly
while the view's model has no rows, with text the view chooses (what to connect, or why
its input is empty). It follows the model's own signals, so every path that empties or
fills the view (new input, a filter, an error) keeps it right without the view calling it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtWidgets import QAbstractItemView, QLabel

__all__ = ["EmptyHint"]


class EmptyHint(QObject):
    """A centred, word-wrapped note over ``view``'s viewport while its model is empty.

    ``text`` is called each time the note is shown, so it can say what is missing now
    (nothing connected, an empty selection upstream, a table without images).
    """

    def __init__(self, view: QAbstractItemView, text: Callable[[], str]) -> None:
        super().__init__(view)
        self.view, self.text = view, text
        self.label = QLabel(view.viewport())
        self.label.setObjectName("empty-hint")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setStyleSheet("color: #555; padding: 24px;")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        view.viewport().installEventFilter(self)
        self._model: Any = None
        self._watch(view.model())
        self.refresh()

    def _watch(self, model: Any) -> None:
        if model is self._model or model is None:
            return
        self._model = model
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved,
                       model.layoutChanged):
            signal.connect(self.refresh)

    def refresh(self, *_: Any) -> None:
        """Show the note (with fresh text) when the model has no rows, else hide it."""
        model = self.view.model()
        self._watch(model)
        empty = model is None or model.rowCount() == 0
        if empty:
            self.label.setText(self.text())
            self.label.setGeometry(self.view.viewport().rect())
        self.label.setVisible(empty and bool(self.label.text()))

    def eventFilter(self, obj: Any, event: Any) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.label.setGeometry(self.view.viewport().rect())
        return False
