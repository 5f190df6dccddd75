"""The report window's list of items: reordered by dragging, Alt+Up/Alt+Down, Delete.

Why not QListWidget's own InternalMove: its drop is honoured only when Qt reports the
list itself as the drag's source, and after a move it may remove the "moved" row once
more when the drag says MoveAction (the rows vanish). Here the drag carries its own
payload (this list's token and the row), the drop computes the place between two items
and asks the window to move it (:meth:`ReportWindow.move_item`, the same move as the
Up/Down buttons), so every way of reordering updates the preview the same way, and a
drop from another window or program is refused.
"""

from __future__ import annotations

from PyQt6.QtCore import QByteArray, QMimeData, QPoint, Qt, pyqtSignal
from PyQt6.QtGui import QAction, QDrag, QKeySequence, QPainter, QPen
from PyQt6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

__all__ = ["MIME", "ReportList"]

#: the drag's payload type: "<list token>:<row>"
MIME = "application/x-petriflow-report-item"


class ReportList(QListWidget):
    """Emits ``move_requested(row, target)`` (target: the row it ends up at) and
    ``delete_requested()``; the window does the moving."""

    move_requested = pyqtSignal(int, int)
    delete_requested = pyqtSignal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._token = f"{id(self):x}".encode("ascii")
        self._drop_at = -1  # insertion place (0..count) while a drag is over the list
        #: the payload of the latest drag this list started (tests read it)
        self.last_drag: QMimeData | None = None
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)  # drawn here: between items, never "onto"
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        for keys, step in (("Alt+Up", -1), ("Alt+Down", 1)):
            act = QAction(self)
            act.setShortcut(QKeySequence(keys))
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            act.triggered.connect(lambda *_, s=step: self._step(s))
            self.addAction(act)
        delete = QAction(self)
        delete.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete),
                             QKeySequence("Backspace")])
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(lambda *_: self.delete_requested.emit())
        self.addAction(delete)

    def _step(self, step: int) -> None:
        row = self.currentRow()
        if row >= 0 and 0 <= row + step < self.count():
            self.move_requested.emit(row, row + step)

    # ------------------------------------------------------------------ dragging out
    def mimeTypes(self) -> list[str]:
        return [MIME]

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:  # type: ignore[override]
        data = QMimeData()
        if items:
            data.setData(MIME, QByteArray(self._token + b":%d" % self.row(items[0])))
        return data

    def startDrag(self, supportedActions: Qt.DropAction) -> None:
        item = self.currentItem()
        if item is None:
            return
        data = self.mimeData([item])
        self.last_drag = data
        drag = QDrag(self)
        drag.setMimeData(data)
        icon = item.icon()
        if not icon.isNull():
            drag.setPixmap(icon.pixmap(self.iconSize()))
        # the drop has moved the item already: whatever the drag reports, remove nothing
        drag.exec(Qt.DropAction.MoveAction)
        self._set_drop_at(-1)

    # ------------------------------------------------------------------ dropping in
    def source_row(self, data: QMimeData | None) -> int:
        """The row a payload of this list's own drag names, -1 for anything else."""
        if data is None or not data.hasFormat(MIME):
            return -1
        token, _, row = bytes(data.data(MIME).data()).partition(b":")
        if token != self._token or not row.isdigit():
            return -1
        n = int(row)
        return n if 0 <= n < self.count() else -1

    def drop_place(self, pos: QPoint) -> int:
        """Where a drop at viewport ``pos`` inserts: before the item under it when in
        its upper half, after it in its lower half, at the end below the last item."""
        item = self.itemAt(pos)
        if item is None:
            return self.count()
        rect = self.visualItemRect(item)
        row = self.row(item)
        return row + 1 if pos.y() >= rect.center().y() else row

    def _accept(self, event) -> bool:
        if self.source_row(event.mimeData()) < 0:
            event.ignore()
            self._set_drop_at(-1)
            return False
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        return True

    def dragEnterEvent(self, event) -> None:
        self._accept(event)

    def dragMoveEvent(self, event) -> None:
        if self._accept(event):
            self._set_drop_at(self.drop_place(event.position().toPoint()))

    def dragLeaveEvent(self, event) -> None:
        self._set_drop_at(-1)
        event.accept()

    def dropEvent(self, event) -> None:
        row = self.source_row(event.mimeData())
        self._set_drop_at(-1)
        if row < 0:
            event.ignore()
            return
        place = self.drop_place(event.position().toPoint())
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        target = place - 1 if place > row else place  # after taking the row out
        if target != row:
            self.move_requested.emit(row, target)

    # ------------------------------------------------------------------ the indicator
    def _set_drop_at(self, place: int) -> None:
        if place != self._drop_at:
            self._drop_at = place
            viewport = self.viewport()
            if viewport is not None:
                viewport.update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self._drop_at < 0 or self.count() == 0:
            return
        if self._drop_at < self.count():
            item = self.item(self._drop_at)
            y = max(1, self.visualItemRect(item).top()) if item is not None else 1
        else:
            last = self.item(self.count() - 1)
            y = self.visualItemRect(last).bottom() if last is not None else 0
        viewport = self.viewport()
        if viewport is None:
            return
        painter = QPainter(viewport)
        painter.setPen(QPen(self.palette().highlight().color(), 2))
        painter.drawLine(2, y, viewport.width() - 2, y)
        painter.end()
