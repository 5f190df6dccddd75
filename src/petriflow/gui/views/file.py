"""File view: choose the table file, see what was read, pick the target.

The path is stored relative to the workflow's folder when the file lies inside it
(:func:`relative_setting_path`, as Import Images stores its folder), so a copied project
folder still opens its metadata. The reader's notes (encoding fallback, mixed columns,
skipped rows) are shown under the summary.
"""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from petriflow.analysis.image_import import relative_setting_path
from petriflow.core.scheduler import NodeState, NodeStatus
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView

__all__ = ["FileView"]

FILE_FILTER = "Tables (*.csv *.tsv *.tab *.txt *.xlsx *.parquet *.pq);;All files (*)"
#: the target combo's first entry: the node infers the class by name
INFERRED = "(inferred by name)"


class FileView(NodeView):
    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("File"))
        self.path = QLineEdit()
        self.path.setToolTip("CSV, TSV, Excel (.xlsx) or Parquet; relative to the workflow")
        self.path.editingFinished.connect(lambda: self.choose(self.path.text()))
        row.addWidget(self.path, 1)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browse)
        row.addWidget(self.browse_button)
        layout.addLayout(row)
        target_row = QHBoxLayout()
        target_row.addWidget(QLabel("Target"))
        self.target = QComboBox()
        self.target.activated.connect(self._target_picked)
        target_row.addWidget(self.target, 1)
        layout.addLayout(target_row)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: #a15c00;")
        layout.addWidget(self.notes)
        layout.addStretch(1)
        self.resize(560, 220)
        self.show_current()

    def choose(self, path: str) -> None:
        """Read ``path`` (stored relative to the workflow's folder when inside it)."""
        value = relative_setting_path(path, self.node.directory) if path.strip() else ""
        if value != self.settings.path:
            self.set_settings(path=value)

    def browse(self) -> None:
        start = str(self.node.directory or "")
        path, _ = QFileDialog.getOpenFileName(self, "Open a table", start, FILE_FILTER)
        if path:
            self.choose(path)

    def on_settings(self) -> None:
        self.path.setText(self.settings.path)
        self._fill_targets()

    def on_data(self) -> None:
        self._fill_targets()
        data = self.outputs().get("Data")
        self.summary.setText(data.summary() if data is not None else "")

    def on_status(self, status: NodeStatus) -> None:
        lines = list(status.warnings)
        if status.state == NodeState.ERROR:
            lines.insert(0, status.message)
        self.notes.setText("\n".join(lines))

    def _fill_targets(self) -> None:
        data = self.outputs().get("Data")
        names = [] if data is None else [n for n in data.column_names
                                         if n not in data.feature_names]
        current = self.settings.target
        if current and current not in names:
            names.append(current)
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem(INFERRED)
        self.target.addItems(names)
        self.target.setCurrentText(current or INFERRED)
        self.target.blockSignals(False)

    def _target_picked(self, index: int) -> None:
        text = self.target.itemText(index)
        self.set_settings(target="" if text == INFERRED else text)


@register_view("petriflow.file")
def make_view(node: NodeFacade) -> QWidget:
    return FileView(node)
