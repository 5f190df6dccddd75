"""t-SNE view: the shared projection scatter (:mod:`._projection`) on t-SNE-x × t-SNE-y.

t-SNE runs for seconds to minutes on thousands of images, so the view shows the map
improving: the node publishes its layout every few iterations (``nodes/tsne.py``) and
the scatter moves its points to each one; a progress bar with Cancel stops the run
between iterations (the last drawn layout stays until the next run).

The run's own settings (perplexity, metric, PCA components, normalise) sit in a row
above the plot. With a Distances input t-SNE lays out the given matrix, so the metric,
PCA and normalise controls are disabled then, their tooltip saying why: a control that
looks editable but changes nothing misleads.
"""

from __future__ import annotations

from typing import cast

from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from petriflow.analysis.projection import TSNE_METRICS
from petriflow.core.scheduler import NodeState, NodeStatus
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, progress_with_cancel
from petriflow.gui.views._projection import ProjectionView
from petriflow.nodes.tsne import COORDS

__all__ = ["TSNEView"]

#: the tooltip of the controls a Distances input makes irrelevant
IGNORED_WITH_DISTANCES = ("Not used while Distances is connected: t-SNE lays out the given "
                          "distance matrix as it is (disconnect Distances to use it).")


class TSNEView(ProjectionView):
    """Scatter of the t-SNE map, redrawn while it is optimised; Cancel stops it."""

    coords = COORDS

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        cast(QVBoxLayout, self.layout()).insertLayout(0, self._run_controls())
        self.progress, self.cancel_button, row = progress_with_cancel(
            node, "Stop t-SNE now (the map drawn so far stays until the next run)")
        cast(QVBoxLayout, self.layout()).addLayout(row)
        self._show_settings()
        self.on_status(node.status())

    def _run_controls(self) -> QHBoxLayout:
        """Perplexity, metric, PCA components, normalise: the node's run settings."""
        row = QHBoxLayout()
        self.perplexity_spin = QDoubleSpinBox()
        self.perplexity_spin.setRange(1.0, 500.0)
        self.perplexity_spin.setDecimals(1)
        self.perplexity_spin.setKeyboardTracking(False)
        self.perplexity_spin.setToolTip("About how many neighbours each point keeps close")
        self.perplexity_spin.valueChanged.connect(
            lambda v: self.set_settings(perplexity=float(v)))
        self.metric_combo = QComboBox()
        for metric in TSNE_METRICS:
            self.metric_combo.addItem(metric.capitalize(), metric)
        self.metric_combo.activated.connect(
            lambda i: self.set_settings(metric=self.metric_combo.itemData(i)))
        self.pca_spin = QSpinBox()
        self.pca_spin.setRange(0, 10_000)
        self.pca_spin.setSpecialValueText("off")
        self.pca_spin.setKeyboardTracking(False)
        self.pca_spin.valueChanged.connect(lambda v: self.set_settings(pca_components=int(v)))
        self.normalize_check = QCheckBox("Normalise")
        self.normalize_check.toggled.connect(lambda on: self.set_settings(normalize=bool(on)))
        self.metric_label, self.pca_label = QLabel("Metric:"), QLabel("PCA components:")
        self.data_only = (self.metric_label, self.metric_combo, self.pca_label, self.pca_spin,
                          self.normalize_check)
        self.data_tips = {
            self.metric_combo: "Distance between rows of Data", self.metric_label: "",
            self.pca_spin: "Reduce Data to this many principal components first (0 = off)",
            self.pca_label: "", self.normalize_check: "Scale Data's columns to unit "
                                                      "variance first"}
        for w in (QLabel("Perplexity:"), self.perplexity_spin, *self.data_only):
            row.addWidget(w)
        row.addStretch(1)
        return row

    def on_settings(self) -> None:
        super().on_settings()
        if not hasattr(self, "perplexity_spin"):
            return  # the base class's first call, before the controls exist
        s = self.settings
        for w, value in ((self.perplexity_spin, s.perplexity), (self.pca_spin,
                                                                 s.pca_components)):
            w.blockSignals(True)
            w.setValue(value)
            w.blockSignals(False)
        self.metric_combo.setCurrentIndex(max(self.metric_combo.findData(s.metric), 0))
        self.normalize_check.blockSignals(True)
        self.normalize_check.setChecked(bool(s.normalize))
        self.normalize_check.blockSignals(False)

    def _show_distances_input(self) -> None:
        """Metric, PCA and normalise disabled (with the reason) while a Distances matrix
        is t-SNE's input: they apply to Data only."""
        distances = self.inputs().get("Distances") is not None
        for w in self.data_only:
            w.setEnabled(not distances)
            w.setToolTip(IGNORED_WITH_DISTANCES if distances else self.data_tips[w])

    def on_status(self, status: NodeStatus) -> None:
        super().on_status(status)
        if not hasattr(self, "progress"):
            return  # the base class's first status, before the bar exists
        self._show_distances_input()
        running = status.state is NodeState.RUNNING
        self.progress.setValue(int(status.progress) if running else 0)
        self.progress.setFormat(f"%p% {status.message}" if running else "")
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)


@register_view("petriflow.tsne")
def make_view(node: NodeFacade) -> QWidget:
    return TSNEView(node)
