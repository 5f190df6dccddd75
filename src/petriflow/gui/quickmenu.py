"""The quick menu: type a widget's name on the canvas (right-click or Space) to add it.

A link dropped on empty canvas opens it restricted to the widgets that can take that link
(``only``), as Orange does: the user picks the next step instead of hunting for it in the
toolbox and dragging a second link.
"""

from __future__ import annotations

from PyQt6.QtCore import QPoint, QSize, Qt, pyqtSignal
from PyQt6.QtGui import QGuiApplication
from PyQt6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from petriflow.core.registry import NodeRegistry
from petriflow.gui.icons import node_icon
from petriflow.gui.toolbox import matches

__all__ = ["QuickMenu"]

_QN_ROLE = Qt.ItemDataRole.UserRole + 1


class QuickMenu(QFrame):
    """A popup with a search field; Enter or a click picks the highlighted widget."""

    picked = pyqtSignal(str)  # qualified name

    def __init__(self, registry: NodeRegistry, parent=None, *,
                 only: list[str] | None = None, hint: str = "") -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.registry = registry
        #: qualified names offered (None: every widget)
        self.only = set(only) if only is not None else None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.search = QLineEdit()
        self.search.setPlaceholderText(hint or "Type a widget name…")
        self.list = QListWidget()
        self.list.setIconSize(QSize(22, 22))
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        # wide enough for the whole hint ("Widgets that take Image Viewer's output…")
        room = self.search.fontMetrics().horizontalAdvance(self.search.placeholderText())
        self.resize(max(260, room + 40), 320)
        for items in registry.by_category().values():
            for nt in items:
                if self.only is not None and nt.qualified_name not in self.only:
                    continue
                it = QListWidgetItem(node_icon(nt), nt.name)
                it.setToolTip(nt.description)
                it.setData(_QN_ROLE, nt.qualified_name)
                self.list.addItem(it)
        self.search.textChanged.connect(self.apply_filter)
        self.search.returnPressed.connect(self.accept_current)
        self.list.itemActivated.connect(lambda _it: self.accept_current())
        self.list.itemClicked.connect(lambda _it: self.accept_current())
        self.list.setCurrentRow(0)

    def apply_filter(self, text: str) -> None:
        first = None
        for i in range(self.list.count()):
            it = self.list.item(i)
            nt = self.registry.get(it.data(_QN_ROLE))
            show = nt is not None and matches(nt, text)
            it.setHidden(not show)
            if show and first is None:
                first = i
        if first is not None:
            self.list.setCurrentRow(first)

    def offered(self) -> list[str]:
        """Qualified names of the widgets listed and not filtered out, in order."""
        return [self.list.item(i).data(_QN_ROLE) for i in range(self.list.count())
                if not self.list.item(i).isHidden()]

    def accept_current(self) -> None:
        it = self.list.currentItem()
        if it is not None and not it.isHidden():
            self.picked.emit(it.data(_QN_ROLE))
        self.close()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self.list.keyPressEvent(event)
            return
        super().keyPressEvent(event)

    def popup(self, at: QPoint) -> None:
        """Show at ``at`` (a screen point), moved up/left as needed to stay on screen:
        a link dropped near the canvas's bottom edge still shows the whole list."""
        screen = QGuiApplication.screenAt(at) or QGuiApplication.primaryScreen()
        self.move(at)
        self.show()  # its final size is known once shown
        if screen is not None:
            area, frame = screen.availableGeometry(), self.frameGeometry()
            x = max(area.left(), min(at.x(), area.left() + area.width() - frame.width()))
            y = max(area.top(), min(at.y(), area.top() + area.height() - frame.height()))
            if (x, y) != (at.x(), at.y()):
                self.move(x, y)
        self.search.setFocus()
