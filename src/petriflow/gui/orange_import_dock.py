"""The "Opened from Orange" panel: shown once when a workflow made by Orange is opened.

A dock widget, not a dialog: it never blocks the canvas, the user reads it while looking
at the nodes and closes it when done. One row per widget (what it became), with the
settings carried, those not carried and why, and notes underneath. The report itself
is plain data built while reading (``compat/orange/report.py``); this module only shows it.
"""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from petriflow.compat.orange.report import OrangeImportReport
from petriflow.core.registry import NodeRegistry, default_registry

__all__ = ["OBJECT_NAME", "OrangeReportDock", "show_orange_report"]

OBJECT_NAME = "orange-report"


class OrangeReportDock(QDockWidget):
    """A dismissable dock listing what became of each Orange widget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Opened from Orange", parent)
        self.setObjectName(OBJECT_NAME)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(1)
        self.tree.setHeaderHidden(True)
        self.tree.setWordWrap(True)
        self.setMinimumWidth(440)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignRight)
        self.setWidget(body)

    def set_report(self, report: OrangeImportReport,
                   registry: NodeRegistry | None = None) -> None:
        """Show ``report``; node names come from ``registry`` (the workflow's)."""
        registry = registry if registry is not None else default_registry()
        self.summary.setText(report.summary())
        self.tree.clear()
        for entry in report.nodes:
            short = entry.orange_name.rsplit(".", 1)[-1]
            if entry.mapped_to is not None:
                node_type = registry.get(entry.mapped_to)
                what = f"→ {node_type.name if node_type else entry.mapped_to}"
            else:
                what = "→ placeholder (kept unchanged, passes no data)"
            item = QTreeWidgetItem([f"{entry.title} ({short}) {what}"])
            item.setToolTip(0, f"{entry.orange_name} {what}")
            if not entry.mapped:
                item.setForeground(0, Qt.GlobalColor.darkYellow)
            for key, value in entry.carried.items():
                _child(item, f"✓ {key}: {value}")
            for key, why in entry.not_carried.items():
                _child(item, f"✗ {key}: not carried: {why}").setForeground(
                    0, Qt.GlobalColor.darkRed)
            for note in entry.notes:
                _child(item, f"note: {note}")
            self.tree.addTopLevelItem(item)
            item.setExpanded(bool(entry.not_carried or entry.notes))
        for text in report.dropped_links:
            self.tree.addTopLevelItem(QTreeWidgetItem([f"link dropped: {text}"]))


def _child(parent: QTreeWidgetItem, text: str) -> QTreeWidgetItem:
    item = QTreeWidgetItem(parent, [text])
    item.setToolTip(0, text)
    return item


def show_orange_report(window: QMainWindow, report: OrangeImportReport | None,
                       registry: NodeRegistry | None = None) -> OrangeReportDock | None:
    """Show ``report`` in the window's dock (created on first use), without blocking;
    ``None`` (a file not from Orange) hides a report left from an earlier file."""
    dock = window.findChild(OrangeReportDock, OBJECT_NAME)
    if report is None:
        if dock is not None:
            dock.hide()
        return None
    if dock is None:
        dock = OrangeReportDock(window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.set_report(report, registry)
    dock.show()
    dock.raise_()
    return dock
