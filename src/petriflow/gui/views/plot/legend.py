"""The legend under the scatter: one button per colour category (click hides or shows
that class, pointer over it highlights it) or, for a continuous column, a colour bar.

Why buttons: a class hidden by a click must be visibly "off" (struck out), reachable by
keyboard, and saved with the workflow; a toggle button gives all three.
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QEvent, QObject
from PyQt6.QtGui import QColor, QLinearGradient, QPainter, QPixmap
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget

__all__ = ["Legend"]


class Legend(QWidget):
    """``toggled(label)`` is called when an entry is clicked; ``highlight(label | None)``
    while the pointer is over one."""

    def __init__(self, toggled: Callable[[str], None],
                 highlight: Callable[[str | None], None]) -> None:
        super().__init__()
        self.toggled, self.highlight = toggled, highlight
        self.layout_ = QHBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(2)
        self.buttons: dict[str, QToolButton] = {}
        self.colorbar: QLabel | None = None

    def clear(self) -> None:
        while self.layout_.count():
            item = self.layout_.takeAt(0)
            if item is not None and (w := item.widget()) is not None:
                w.deleteLater()
        self.buttons = {}
        self.colorbar = None

    def set_entries(self, entries: list[tuple[str, str]], hidden: set[str]) -> None:
        self.clear()
        for label, color in entries:
            button = QToolButton()
            button.setCheckable(True)
            button.setAutoRaise(True)
            button.setToolTip(f"Click to hide or show {label}")
            button.setText(f"● {label}")
            button.setChecked(label not in hidden)
            self._style(button, color)
            button.clicked.connect(lambda _on, label=label: self.toggled(label))
            button.installEventFilter(self)
            button.setProperty("label", label)
            self.buttons[label] = button
            self.layout_.addWidget(button)
        self.layout_.addStretch(1)

    @staticmethod
    def _style(button: QToolButton, color: str) -> None:
        off = "" if button.isChecked() else "text-decoration: line-through; color: #aaa;"
        button.setStyleSheet(f"QToolButton {{ color: {color}; {off} }}")

    def show_hidden(self, hidden: set[str], colors: dict[str, str]) -> None:
        for label, button in self.buttons.items():
            button.setChecked(label not in hidden)
            self._style(button, colors.get(label, "#444"))

    def set_colorbar(self, name: str, lo: float, hi: float, lut: list[str]) -> None:
        """A horizontal colour bar with the column's range."""
        self.clear()
        pix = QPixmap(160, 12)
        painter = QPainter(pix)
        grad = QLinearGradient(0, 0, 160, 0)
        for i, c in enumerate(lut):
            grad.setColorAt(i / max(1, len(lut) - 1), QColor(c))
        painter.fillRect(pix.rect(), grad)
        painter.end()
        self.colorbar = QLabel()
        self.colorbar.setPixmap(pix)
        for widget in (QLabel(f"{name}: {lo:.4g}"), self.colorbar, QLabel(f"{hi:.4g}")):
            self.layout_.addWidget(widget)
        self.layout_.addStretch(1)

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
        if event is not None and obj is not None and isinstance(obj, QToolButton):
            if event.type() == QEvent.Type.Enter:
                self.highlight(obj.property("label"))
            elif event.type() == QEvent.Type.Leave:
                self.highlight(None)
        return False

