"""The "Opened from Orange" panel: shown once when a workflow made by Orange is opened.

A dock widget, not a dialog: it never blocks the canvas, the user reads it while looking
at the nodes and closes it when done. One row per widget (what it became), with the
settings carried, those not carried and why, and notes underneath. The report itself
is plain data built while reading (``compat/orange/report.py``); this module only shows it.

Orange workflows nearly all name Inception v3, whose weights a fresh machine lacks: when
an Image Embedder of the file names a model whose weights are not here, the panel offers
"Get <model> weights…", which opens that node's view and starts its download there (the
view asks for consent, shows progress and checks the checksum).
"""

from __future__ import annotations

from typing import Any

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

__all__ = ["OBJECT_NAME", "OrangeReportDock", "missing_weights", "show_orange_report"]

OBJECT_NAME = "orange-report"
EMBEDDER = "petriflow.image_embedder"


def missing_weights(workflow: Any, report: OrangeImportReport) -> list[tuple[str, Any]]:
    """(node id, spec) of the first Image Embedder of each model whose weights are not on
    this machine. A quick look for the files (no checksum: that is the view's job, and
    hashing 100 MB would stall the window right after opening)."""
    from petriflow.analysis.embedding import EmbedderError, get_embedder
    from petriflow.analysis.embedding.backbones.weights import (
        candidate_dirs,
        custom_record_path,
    )

    found: dict[str, tuple[str, Any]] = {}
    for entry in report.nodes:
        if entry.mapped_to != EMBEDDER:
            continue
        try:
            settings = workflow.node(entry.node_id).settings
            spec = get_embedder(str(getattr(settings, "model", "")))
        except (KeyError, EmbedderError):
            continue
        if spec.official is None or spec.id in found:
            continue  # shipped with a package (SqueezeNet), or already listed
        if custom_record_path(spec.id).is_file() or any(
                (folder / spec.official.filename).is_file() for folder, _ in candidate_dirs()):
            continue
        found[spec.id] = (entry.node_id, spec)
    return list(found.values())


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
        self.weights_buttons: list[QPushButton] = []
        self.weights_row = QVBoxLayout()
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addLayout(self.weights_row)
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

    def offer_weights(self, window: Any, missing: list[tuple[str, Any]]) -> None:
        """One "Get <model> weights…" button per model whose weights are missing."""
        for button in self.weights_buttons:
            self.weights_row.removeWidget(button)
            button.deleteLater()
        self.weights_buttons = []
        for node_id, spec in missing:
            button = QPushButton(f"Get {spec.display_name} weights…")
            button.setToolTip(f"The file names {spec.display_name}; its weights are not on "
                              "this machine. Opens the Image Embedder and starts the "
                              "download there (asks first).")
            button.clicked.connect(
                lambda _=False, nid=node_id: get_weights(window, nid))
            self.weights_row.addWidget(button)
            self.weights_buttons.append(button)


def get_weights(window: Any, node_id: str) -> None:
    """Open the Image Embedder's view and start its weights download (consent asked)."""
    view = window.open_node(node_id)
    panel = getattr(view, "weights", None)
    if panel is not None:
        panel.download()


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
    workflow = getattr(window, "workflow", None)
    dock.offer_weights(window, missing_weights(workflow, report) if workflow else [])
    dock.show()
    dock.raise_()
    return dock
