"""The open windows of a document's nodes: each node's view, or its settings panel.

Why a module of its own: a node's window outlives neither its document nor itself (closed
views delete themselves), and it follows the node's status; keeping that bookkeeping here
leaves the main window to its menus and docks.
"""

from __future__ import annotations

from PyQt6 import sip
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QKeySequence, QShortcut
from PyQt6.QtWidgets import QWidget

from petriflow.gui.document import Document
from petriflow.gui.icons import node_icon
from petriflow.gui.settings_panel import SettingsPanel
from petriflow.gui.views import VIEWS, ViewContext

__all__ = ["NodeWindows"]


class NodeWindows:
    """At most one window per node of ``document``, parented to ``owner``."""

    def __init__(self, document: Document, owner: QWidget) -> None:
        self.document = document
        self.owner = owner
        self.views: dict[str, QWidget] = {}
        document.replacing.connect(self.close_all)
        document.status_changed.connect(lambda node_id, _status: self.refresh(node_id))
        document.outputs_changed.connect(self.refresh)

    def open(self, node_id: str) -> QWidget:
        """Show a node's view (its registered view, else the settings panel)."""
        existing = self.live(node_id)
        if existing is not None:
            existing.show()
            existing.raise_()
            existing.activateWindow()
            return existing
        node = self.document.workflow.node(node_id)
        widget = self.build(node_id)
        widget.setParent(self.owner, Qt.WindowType.Window)
        widget.setWindowIcon(node_icon(node.node_type))
        widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # Esc closes a node's window, as it does a dialog
        close = QShortcut(QKeySequence(Qt.Key.Key_Escape), widget)
        close.setContext(Qt.ShortcutContext.WindowShortcut)
        close.activated.connect(widget.close)
        # Ctrl+Z / Ctrl+Shift+Z in a node's window undo the workflow's last edit, as in
        # the canvas (a label in Annotate Images, a selection); a focused text field
        # keeps its own undo (it takes the key first)
        stack = self.document.undo_stack
        from petriflow.gui.menus import unique_shortcuts

        # each key once: on X11 the standard Redo already is Ctrl+Shift+Z, and a key
        # bound twice in a window is "ambiguous" and does nothing
        for keys, act in ((unique_shortcuts(QKeySequence.StandardKey.Undo), stack.undo),
                          (unique_shortcuts(QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z"),
                           stack.redo)):
            for key in keys:
                shortcut = QShortcut(key, widget)
                shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
                shortcut.activated.connect(act)
        if hasattr(self.owner, "help_menu"):  # the "?" and F1: the widget's guide
            from petriflow.gui.help_menu import add_view_help

            add_view_help(widget, node.qualified_name, self.owner)  # type: ignore[arg-type]
        if hasattr(self.owner, "report_menu"):  # "Add to report": gui/report_capture.py
            from petriflow.gui.report_capture import add_view_report

            add_view_report(widget, node_id, self.owner)  # type: ignore[arg-type]
        self.views[node_id] = widget
        widget.show()
        return widget

    def build(self, node_id: str) -> QWidget:
        """A new, parentless view of the node (its registered view, else the settings
        panel): a window here, the side panel's content in presentation mode."""
        doc = self.document
        node = doc.workflow.node(node_id)
        factory = VIEWS.get(node.qualified_name)
        if factory is not None:
            assert doc.scheduler is not None and doc.bridge is not None
            return factory(ViewContext(doc.workflow, node_id, doc.scheduler, doc.bridge,
                                       doc.undo_stack))
        panel = SettingsPanel(doc.workflow, node_id, doc.undo_stack)
        panel.show_status(doc.describe_status(node_id))
        return panel

    def live(self, node_id: str) -> QWidget | None:
        """The node's open view window, if it still exists (closed views delete themselves).

        Why not ``destroyed.connect``: that signal also fires while the main window is being
        destroyed, and a slot bound to a half-destroyed window crashes PyQt.
        """
        widget = self.views.get(node_id)
        if widget is not None and sip.isdeleted(widget):
            del self.views[node_id]
            return None
        return widget

    def refresh(self, node_id: str) -> None:
        """A settings panel shows its node's latest status and outputs."""
        view = self.live(node_id)
        if isinstance(view, SettingsPanel):
            view.show_status(self.document.describe_status(node_id))

    def close_all(self) -> None:
        """The document is being replaced: its node windows go with it."""
        for nid in list(self.views):
            w = self.live(nid)
            if w is not None:
                w.close()
        self.views.clear()
