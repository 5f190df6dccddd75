"""Test and Score view: how to sample, which class to score, the scores per learner.

Every control writes one setting through the undo stack; the node re-runs and the
scores table is refilled from its Evaluation Results output.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QStandardItem, QStandardItemModel
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from petriflow.analysis.evaluation import METHODS as RESAMPLING_METHODS
from petriflow.analysis.evaluation import SCORE_NAMES
from petriflow.core.scheduler import NodeStatus
from petriflow.core.table import Table
from petriflow.core.types import EvaluationResults
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView
from petriflow.gui.views.export_actions import add_export_actions
from petriflow.gui.views.model_comparison import ModelComparison

__all__ = ["TestAndScoreView"]

_METHOD_LABELS = {
    "cross_validation": "Cross validation",
    "cross_validation_by_feature": "Cross validation by feature",
    "random_sampling": "Random sampling",
    "leave_one_out": "Leave one out",
    "test_on_train": "Test on train data",
    "test_on_test": "Test on test data",
}
#: (method, label) in the order of the one declaration, analysis.evaluation.Resampling
METHODS = tuple((method, _METHOD_LABELS[method]) for method in RESAMPLING_METHODS)
AVERAGE = "(average over classes)"
#: the scores, in the column order of Orange's Test and Score
COLUMNS = SCORE_NAMES


class TestAndScoreView(NodeView):
    """Sampling on the left, the scores table on the right."""

    __test__ = False  # not a pytest test class

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self.results: EvaluationResults | None = None
        self.data: Table | None = None
        # the body is one row (sampling | scores); the window's own bottom row ("Add to
        # report", "?") goes below it, not into a third column that squeezes the tables
        outer = QVBoxLayout(self)
        layout = QHBoxLayout()
        outer.addLayout(layout, 1)
        side = QVBoxLayout()
        box = QGroupBox("Sampling")
        grid = QVBoxLayout(box)
        self.method_group = QButtonGroup(self)
        self.method_buttons: dict[str, QRadioButton] = {}
        self.folds_spin = self._spin(2, 100, lambda v: self.set_settings(n_folds=v))
        self.stratified_check = QCheckBox("Stratified")
        self.stratified_check.toggled.connect(lambda on: self.set_settings(stratified=on))
        self.feature_combo = QComboBox()
        self.feature_combo.activated.connect(
            lambda i: self.set_settings(fold_column=self.feature_combo.itemData(i) or ""))
        self.repeats_spin = self._spin(1, 1000, lambda v: self.set_settings(n_repeats=v))
        self.train_spin = QDoubleSpinBox()
        self.train_spin.setRange(1.0, 99.0)
        self.train_spin.setSuffix(" %")
        self.train_spin.setKeyboardTracking(False)
        self.train_spin.valueChanged.connect(lambda v: self.set_settings(train_size=v))
        for i, (method, text) in enumerate(METHODS):
            button = QRadioButton(text)
            self.method_group.addButton(button, i)
            self.method_buttons[method] = button
            grid.addWidget(button)
            extra = QFormLayout()
            extra.setContentsMargins(22, 0, 0, 4)
            if method == "cross_validation":
                extra.addRow("Folds", self.folds_spin)
                extra.addRow(self.stratified_check)
            elif method == "cross_validation_by_feature":
                extra.addRow("Folds from", self.feature_combo)
            elif method == "random_sampling":
                extra.addRow("Repeats", self.repeats_spin)
                extra.addRow("Training set", self.train_spin)
            if extra.rowCount():
                grid.addLayout(extra)
        self.method_group.idClicked.connect(
            lambda i: self.set_settings(resampling=METHODS[i][0]))
        side.addWidget(box)
        target_box = QGroupBox("Target class")
        tl = QVBoxLayout(target_box)
        self.target_combo = QComboBox()
        self.target_combo.activated.connect(
            lambda i: self.set_settings(target_class=self.target_combo.itemData(i) or ""))
        tl.addWidget(self.target_combo)
        side.addWidget(target_box)
        side.addStretch(1)
        side_box = QWidget()
        side_box.setLayout(side)
        side_box.setFixedWidth(260)
        layout.addWidget(side_box)
        right = QVBoxLayout()
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        right.addWidget(self.caption)
        self.model = QStandardItemModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        # scores sized to their header ("Specificity" whole), the learner takes the rest;
        # too narrow a window scrolls instead of cutting numbers
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        right.addWidget(self.table, 1)
        self.comparison = ModelComparison(lambda **c: self.set_settings(**c))
        right.addWidget(self.comparison, 1)
        self.info = QLabel()
        self.info.setStyleSheet("color: #555;")
        self.info.setWordWrap(True)
        right.addWidget(self.info)
        layout.addLayout(right, 1)
        add_export_actions(self, table=self.model)
        self.resize(900, 640)
        self.on_data()
        self.on_settings_quiet()
        self.on_status(self.node.status())

    @staticmethod
    def _spin(lo: int, hi: int, slot: Any) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(slot)
        return spin

    def on_settings_quiet(self) -> None:
        was = self._updating
        self._updating = True
        try:
            self.on_settings()
        finally:
            self._updating = was

    # ------------------------------------------------------------------ data
    def on_data(self) -> None:
        data = self.inputs().get("Data")
        results = self.outputs().get("Evaluation Results")
        if data is not self.data:
            self.data = data
            self._fill_choices()
        self.results = results
        self._fill_scores()

    def on_status(self, status: NodeStatus) -> None:
        self.info.setText(status.message)

    def on_settings(self) -> None:
        s = self.settings
        self.comparison.show_results(self.results, s)
        button = self.method_buttons.get(s.resampling)
        if button is not None:
            button.setChecked(True)
        self.folds_spin.setValue(int(s.n_folds))
        self.stratified_check.setChecked(bool(s.stratified))
        self.repeats_spin.setValue(int(s.n_repeats))
        self.train_spin.setValue(float(s.train_size))
        self._select_data(self.feature_combo, s.fold_column)
        self._select_data(self.target_combo, s.target_class)
        for method, widget in (("cross_validation", self.folds_spin),
                               ("cross_validation", self.stratified_check),
                               ("cross_validation_by_feature", self.feature_combo),
                               ("random_sampling", self.repeats_spin),
                               ("random_sampling", self.train_spin)):
            widget.setEnabled(s.resampling == method)

    @staticmethod
    def _select_data(combo: QComboBox, value: str) -> None:
        i = combo.findData(value)
        if i < 0 and value:  # a saved value not in the data (yet): show it anyway
            combo.addItem(f"{value} (missing)", value)
            i = combo.count() - 1
        combo.setCurrentIndex(max(i, 0))

    def _fill_choices(self) -> None:
        was = self._updating
        self._updating = True
        try:
            self.target_combo.clear()
            self.target_combo.addItem(AVERAGE, "")
            self.feature_combo.clear()
            self.feature_combo.addItem("(choose a column)", "")
            data = self.data
            if data is not None:
                for value in data.class_values:
                    self.target_combo.addItem(str(value), str(value))
                for name, values in data.metas.items():
                    if name != data.image_column and len(set(np.asarray(values).tolist())) \
                            < max(len(data), 2):
                        self.feature_combo.addItem(name, name)
            self.on_settings()
        finally:
            self._updating = was

    def _fill_scores(self) -> None:
        self.model.clear()
        self.model.setHorizontalHeaderLabels(["Learner", *COLUMNS])
        res = self.results
        self.comparison.show_results(res, self.settings)
        if res is None:
            self.caption.setText("No evaluation results (connect Data and a learner).")
            return
        method = dict(METHODS).get(res.method, res.method.replace("_", " "))
        target = self.settings.target_class or "average over classes"
        self.caption.setText(f"<b>{method}</b> on {len(res)} predictions; "
                             f"target class: {target}")
        for name in res.learner_names:
            scores = res.scores.get(name, {})
            row = [QStandardItem(name)]
            for col in COLUMNS:
                v = scores.get(col)
                item = QStandardItem("" if v is None or np.isnan(v) else f"{v:.3f}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if v is not None:
                    item.setData(float(v), Qt.ItemDataRole.UserRole)
                row.append(item)
            self.model.appendRow(row)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def score(self, learner: int, name: str) -> float | None:
        """The score shown in the table (for tests and scripts)."""
        item = self.model.item(learner, 1 + COLUMNS.index(name))
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)


@register_view("petriflow.test_and_score")
def make_view(node: NodeFacade) -> QWidget:
    return TestAndScoreView(node)
