"""The widget toolbox: node types by category, with icons, descriptions and a filter.

Items carry the node's qualified name in a private MIME type, so the canvas accepts a
drag from here and nothing else mistakes it for a file drop.
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QMimeData, QObject, QSize, Qt, pyqtSignal
from PyQt6.QtGui import QBrush, QColor, QFont
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from petriflow.core.node import Node
from petriflow.core.registry import NodeRegistry
from petriflow.gui.icons import category_color, node_icon
from petriflow.help_index import WidgetEntry, widget_entries

__all__ = ["NODE_MIME", "ToolBox", "matches"]

NODE_MIME = "application/x-petriflow-node"
_QN_ROLE = Qt.ItemDataRole.UserRole + 1


def matches(node_type: type[Node], text: str) -> bool:
    """Does a filter text match a node's name, keywords, description or category?"""
    words = text.lower().split()
    hay = " ".join((node_type.name, node_type.category, node_type.description,
                    *node_type.keywords)).lower()
    return all(w in hay for w in words)


class _Tree(QTreeWidget):
    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:
        mime = QMimeData()
        names = [it.data(0, _QN_ROLE) for it in items if it.data(0, _QN_ROLE)]
        if names:
            mime.setData(NODE_MIME, names[0].encode())
        return mime

    def mimeTypes(self) -> list[str]:
        return [NODE_MIME]


class ToolBox(QWidget):
    """Categories (Data, Images, Unsupervised, Model, Evaluate) of draggable node types."""

    #: a node type was activated (double-click or Enter): add it to the canvas
    node_requested = pyqtSignal(str)

    def __init__(self, registry: NodeRegistry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter widgets…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.filter.returnPressed.connect(self._activate_first)
        # Down goes into the list, Esc clears the filter (keys that did nothing)
        self.filter.installEventFilter(self)
        self.filter.setToolTip("Type part of a name or what it does; Enter adds the first "
                               "match, Down goes to the list, Esc clears")
        layout.addWidget(self.filter)
        # a filter that matches nothing left an empty list without a word: the words go
        # right under the filter (the list stays, so the dock keeps its width)
        self.no_match = QLabel()
        self.no_match.setWordWrap(True)
        self.no_match.setStyleSheet("color: #666; padding: 6px;")
        self.no_match.setVisible(False)
        layout.addWidget(self.no_match)
        self.tree = _Tree()
        self.tree.setHeaderHidden(True)
        self.tree.setIconSize(QSize(28, 28))
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.tree.setIndentation(10)
        self.tree.itemActivated.connect(self._on_activated)
        layout.addWidget(self.tree)
        self.items: dict[str, QTreeWidgetItem] = {}
        self._populate()

    def _populate(self) -> None:
        bold = QFont()
        bold.setBold(True)
        # the same list as the help index and `petriflow widgets` (help_index.py)
        groups: dict[str, list[WidgetEntry]] = {}
        for entry in widget_entries(self.registry):
            groups.setdefault(entry.category, []).append(entry)
        for category, entries in groups.items():
            top = QTreeWidgetItem([category])
            top.setFont(0, bold)
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            top.setBackground(0, QBrush(category_color(category).lighter(115)))
            top.setForeground(0, QBrush(QColor("#303030")))
            self.tree.addTopLevelItem(top)
            for entry in entries:
                item = QTreeWidgetItem([entry.name])
                item.setIcon(0, node_icon(self.registry.get(entry.qualified_name)))
                item.setToolTip(0, f"<b>{entry.name}</b><br>{entry.description}<br>"
                                   "<i>F1: its help page</i>")
                item.setStatusTip(0, entry.description)
                item.setData(0, _QN_ROLE, entry.qualified_name)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsDragEnabled)
                top.addChild(item)
                self.items[entry.qualified_name] = item
            top.setExpanded(True)

    def apply_filter(self, text: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            visible = 0
            for j in range(top.childCount()):
                child = top.child(j)
                nt = self.registry.get(child.data(0, _QN_ROLE))
                show = nt is not None and matches(nt, text)
                child.setHidden(not show)
                visible += show
            top.setHidden(visible == 0)
        none = bool(text.strip()) and not self.visible_names()
        self.no_match.setText(f"No widget matches “{text.strip()}”. Try fewer letters, or "
                              "what it does (\"cluster\", \"classify\", \"images\")."
                              if none else "")
        self.no_match.setVisible(none)

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
        if obj is self.filter and event is not None and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down:
                names = self.visible_names()
                if names:
                    item = self.items[names[0]]
                    self.tree.setFocus()
                    self.tree.setCurrentItem(item)
                    return True
            elif event.key() == Qt.Key.Key_Escape and self.filter.text():
                self.filter.clear()
                return True
        return super().eventFilter(obj, event)

    def visible_names(self) -> list[str]:
        """Qualified names shown now (tests and the quick menu use this)."""
        return [qn for qn, it in self.items.items()
                if not it.isHidden() and not it.parent().isHidden()]

    def mime_for(self, qualified_name: str) -> QMimeData:
        """The drag payload for a node type (what a drag from the tree carries)."""
        return self.tree.mimeData([self.items[qualified_name]])

    def _activate_first(self) -> None:
        names = self.visible_names()
        if names:
            self.node_requested.emit(names[0])

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        qn = item.data(0, _QN_ROLE)
        if qn:
            self.node_requested.emit(qn)
