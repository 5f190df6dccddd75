"""Logistic Regression view: learner name, regularization type and strength, balancing.

C runs from 0.001 to 1000 on a log-scale slider (one step per ×10^0.25) next to a spin
box for exact values; the setting is written when the slider is released or the spin
box is committed, so a drag is one undoable edit and one re-run, not forty.
"""

from __future__ import annotations

import math

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from petriflow.analysis import learners
from petriflow.core.scheduler import NodeState, NodeStatus
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView
from petriflow.gui.views.typed_numbers import apply_when_typed

__all__ = ["LogisticRegressionView"]

_PENALTY_LABELS = {"l2": "Ridge (L2)", "l1": "Lasso (L1)", "none": "None"}
#: (penalty, label) in the order of the one declaration, analysis.learners.Penalty
PENALTIES = tuple((key, _PENALTY_LABELS[key]) for key in learners.PENALTIES)
C_MIN, C_MAX = 1e-3, 1e3
STEPS_PER_DECADE = 4


def c_to_slider(c: float) -> int:
    c = min(max(c, C_MIN), C_MAX)
    return round((math.log10(c) - math.log10(C_MIN)) * STEPS_PER_DECADE)


def slider_to_c(v: int) -> float:
    return float(f"{10 ** (math.log10(C_MIN) + v / STEPS_PER_DECADE):.4g}")


class LogisticRegressionView(NodeView):
    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.editingFinished.connect(
            lambda: self.set_settings(learner_name=self.name_edit.text().strip()
                                      or "Logistic Regression"))
        form.addRow("Learner name", self.name_edit)
        self.penalty_combo = QComboBox()
        for key, text in PENALTIES:
            self.penalty_combo.addItem(text, key)
        self.penalty_combo.currentIndexChanged.connect(
            lambda i: self.set_settings(penalty=self.penalty_combo.itemData(i)))
        form.addRow("Regularization", self.penalty_combo)
        row = QHBoxLayout()
        self.c_slider = QSlider(Qt.Orientation.Horizontal)
        self.c_slider.setRange(0, c_to_slider(C_MAX))
        self.c_slider.setPageStep(STEPS_PER_DECADE)
        self.c_slider.valueChanged.connect(self._slider_moved)
        self.c_slider.sliderReleased.connect(self._commit_slider)
        row.addWidget(QLabel("0.001 (strong)"))
        row.addWidget(self.c_slider, 1)
        row.addWidget(QLabel("1000 (weak)"))
        self.c_spin = QDoubleSpinBox()
        self.c_spin.setDecimals(3)
        self.c_spin.setRange(C_MIN, C_MAX)
        # a typed C applies after a pause, not only on Enter (typed_numbers.py)
        apply_when_typed(self.c_spin, self._typed_c, lambda: self._updating)
        row.addWidget(self.c_spin)
        form.addRow("Strength C", row)
        self.c_hint = QLabel("Small C = strong regularization (simpler model); "
                             "large C = weak regularization.")
        self.c_hint.setStyleSheet("color: #555;")
        self.c_hint.setWordWrap(True)
        form.addRow("", self.c_hint)
        self.balance_box = QCheckBox("Balance class distribution (weight classes "
                                     "inversely to their frequency)")
        self.balance_box.toggled.connect(
            lambda on: self.set_settings(class_weight_balanced=bool(on)))
        form.addRow("", self.balance_box)
        layout.addLayout(form)
        layout.addStretch(1)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        self.resize(480, 260)
        self.show_current()

    # ------------------------------------------------------------------ settings
    def _slider_moved(self, v: int) -> None:
        if self._updating:
            return
        was = self._updating
        self._updating = True
        try:
            self.c_spin.setValue(slider_to_c(v))  # show the value while dragging
        finally:
            self._updating = was
        if not self.c_slider.isSliderDown():  # keys, clicks on the groove, wheel
            self._commit_slider()

    def _typed_c(self, v: float) -> None:
        if float(v) != float(self.settings.C):
            self.set_settings(C=float(v))

    def _commit_slider(self) -> None:
        self.set_settings(C=slider_to_c(self.c_slider.value()))

    def on_settings(self) -> None:
        s = self.settings
        if not self.name_edit.hasFocus() or self.name_edit.text() != s.learner_name:
            self.name_edit.setText(s.learner_name)
        self.penalty_combo.setCurrentIndex(max(self.penalty_combo.findData(s.penalty), 0))
        self.c_spin.setValue(float(s.C))
        self.c_slider.setValue(c_to_slider(float(s.C)))
        self.c_slider.setEnabled(s.penalty != "none")
        self.c_spin.setEnabled(s.penalty != "none")
        self.balance_box.setChecked(bool(s.class_weight_balanced))

    def on_data(self) -> None:
        out = self.outputs()
        data = self.inputs().get("Data")
        if out.get("Model") is not None and data is not None:
            self.status_label.setText(f"Model trained on {len(data)} rows.")
        elif data is None:
            self.status_label.setText("No data on the input: the learner is output only.")

    def on_status(self, status: NodeStatus) -> None:
        if status.state in (NodeState.ERROR, NodeState.WARNING) and status.message:
            self.status_label.setText(status.message)
        elif status.state == NodeState.RUNNING:
            self.status_label.setText(status.message or "training…")


@register_view("petriflow.logistic_regression")
def make_view(node: NodeFacade) -> QWidget:
    return LogisticRegressionView(node)
