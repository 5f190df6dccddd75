"""Distances view: the metric, per-feature standardization and rows/columns.

Every control writes the node's setting through the undo stack (so the node re-runs
and Ctrl+Z restores it); undo and other editors are reflected in :meth:`on_settings`.
"""

from __future__ import annotations

import html

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from petriflow.analysis.distances import METRICS
from petriflow.core.scheduler import NodeState, NodeStatus
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView

__all__ = ["DistancesView"]

EXPLANATION = (
    "<b>Cosine</b> (the default) compares the <i>direction</i> of two feature vectors and "
    "ignores their length. Deep-network embeddings of images differ mostly in which "
    "features are active, not in overall magnitude (which follows contrast and "
    "brightness), so cosine groups similar images better than Euclidean distance."
)

TIPS = {
    "cosine": "1 − cosine similarity; recommended for image embeddings.",
    "euclidean": "Straight-line distance; sensitive to the scale of each feature.",
    "manhattan": "Sum of absolute differences; less sensitive to single outliers.",
    "pearson": "1 − Pearson correlation; ignores each vector's offset and scale.",
    "spearman": "1 − Spearman rank correlation; robust to monotone transformations.",
    "jaccard": "For binary (present/absent) features; nonzero counts as present.",
}


class DistancesView(NodeView):
    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.metric_combo = QComboBox()
        for key, name in METRICS.items():
            self.metric_combo.addItem(name, key)
            self.metric_combo.setItemData(self.metric_combo.count() - 1, TIPS.get(key, ""),
                                          Qt.ItemDataRole.ToolTipRole)
        self.metric_combo.currentIndexChanged.connect(
            lambda i: self.set_settings(metric=self.metric_combo.itemData(i)))
        form.addRow("Distance metric", self.metric_combo)
        self.normalize_box = QCheckBox("Standardize features (zero mean, unit variance)")
        self.normalize_box.toggled.connect(lambda on: self.set_settings(normalize=bool(on)))
        form.addRow("", self.normalize_box)
        axis = QHBoxLayout()
        self.rows_radio = QRadioButton("Rows (images)")
        self.columns_radio = QRadioButton("Columns (features)")
        self.axis_group = QButtonGroup(self)
        self.axis_group.addButton(self.rows_radio)
        self.axis_group.addButton(self.columns_radio)
        self.rows_radio.toggled.connect(
            lambda on: self.set_settings(axis="rows" if on else "columns"))
        axis.addWidget(self.rows_radio)
        axis.addWidget(self.columns_radio)
        axis.addStretch(1)
        form.addRow("Compare", axis)
        layout.addLayout(form)
        self.tip = QLabel()
        self.tip.setWordWrap(True)
        self.tip.setStyleSheet("color: #555;")
        layout.addWidget(self.tip)
        self.explanation = QLabel(EXPLANATION)
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet(
            "background: #f4f6fa; border: 1px solid #d8dde6; padding: 6px;")
        layout.addWidget(self.explanation)
        layout.addStretch(1)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.resize(460, 300)
        self.show_current()

    def on_settings(self) -> None:
        s = self.settings
        self.metric_combo.setCurrentIndex(max(self.metric_combo.findData(s.metric), 0))
        self.normalize_box.setChecked(bool(s.normalize))
        (self.rows_radio if s.axis == "rows" else self.columns_radio).setChecked(True)
        self.tip.setText(TIPS.get(s.metric, ""))

    def on_data(self) -> None:
        self._show_status(self.node.status())

    def on_status(self, status: NodeStatus) -> None:
        self._show_status(status)

    def _show_status(self, status: NodeStatus) -> None:
        """The output, then the node's warnings in amber: both, in one place (the output
        line written after a run replaced the warning, so Jaccard on embeddings put an
        amber badge on the canvas and said nothing here)."""
        if status.state == NodeState.ERROR and status.message:
            self.status_label.setStyleSheet("color: #b00020;")
            self.status_label.setText(status.message)
            return
        self.status_label.setStyleSheet("")
        if status.state == NodeState.RUNNING:
            self.status_label.setText(status.message or "computing…")
            return
        dm = self.outputs().get("Distances")
        if dm is not None:
            n = len(dm.values) if hasattr(dm, "values") else 0
            name = METRICS.get(self.settings.metric, self.settings.metric)
            text = f"Output: {n} × {n} {name} distances."
        elif self.inputs().get("Data") is None:
            text = "No data on the input."
        else:
            text = status.message
        warnings = [w for w in status.warnings if w]
        if warnings:
            escaped = "<br>".join(html.escape(w) for w in warnings)
            text = (f"{html.escape(text)}<br><span style='color: #a15c00;'>{escaped}</span>"
                    if text else f"<span style='color: #a15c00;'>{escaped}</span>")
        self.status_label.setText(text)


@register_view("petriflow.distances")
def make_view(node: NodeFacade) -> QWidget:
    return DistancesView(node)
