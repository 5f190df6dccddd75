"""Test and Score's model comparison: P(row model better than column model).

Its own module (the Test and Score view is built from it) so the scores view stays
about sampling and scores. The numbers come from
:func:`petriflow.analysis.model_comparison.compare_models` (the correlated Bayesian
t-test on per-fold scores); with a negligible difference (ROPE) each cell also says
how likely the two models are practically equivalent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QStandardItem, QStandardItemModel
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
)

from petriflow.analysis.evaluation import SCORE_NAMES
from petriflow.core.types import EvaluationResults

__all__ = ["ModelComparison"]


class ModelComparison(QGroupBox):
    """Score choice, negligible-difference setting and the pairwise table.

    ``write(**changes)`` writes the node's settings (undoable); :meth:`show_results`
    refills the table from results and the current settings.
    """

    def __init__(self, write: Callable[..., None]) -> None:
        super().__init__("Model comparison")
        self._write = write
        self._quiet = False
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Compare by"))
        self.score_combo = QComboBox()
        self.score_combo.addItems(SCORE_NAMES)
        self.score_combo.activated.connect(
            lambda i: self._emit(comparison_score=SCORE_NAMES[i]))
        bar.addWidget(self.score_combo)
        self.rope_check = QCheckBox("Negligible difference:")
        self.rope_check.toggled.connect(lambda on: self._emit(use_rope=bool(on)))
        bar.addWidget(self.rope_check)
        self.rope_spin = QDoubleSpinBox()
        self.rope_spin.setRange(0.0, 1.0)
        self.rope_spin.setDecimals(3)
        self.rope_spin.setSingleStep(0.01)
        self.rope_spin.setKeyboardTracking(False)
        self.rope_spin.valueChanged.connect(lambda v: self._emit(rope=float(v)))
        bar.addWidget(self.rope_spin)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.model = QStandardItemModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # equal columns, never narrower than the longest model name (set with the names)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #555;")
        layout.addWidget(self.note)

    def _emit(self, **changes: Any) -> None:
        if not self._quiet:
            self._write(**changes)

    def show_settings(self, settings: Any) -> None:
        self._quiet = True
        try:
            score = getattr(settings, "comparison_score", "AUC")
            self.score_combo.setCurrentIndex(
                SCORE_NAMES.index(score) if score in SCORE_NAMES else 0)
            self.rope_check.setChecked(bool(settings.use_rope))
            self.rope_spin.setValue(float(settings.rope))
            self.rope_spin.setEnabled(bool(settings.use_rope))
        finally:
            self._quiet = False

    def show_results(self, results: EvaluationResults | None, settings: Any) -> None:
        from petriflow.analysis.model_comparison import LOWER_IS_BETTER, compare_models

        self.show_settings(settings)
        self.model.clear()
        if results is None:
            self.note.setText("")
            return
        names = list(results.learner_names)
        if len(names) < 2:
            self.note.setText("Connect two or more learners to compare them.")
            return
        rope = float(settings.rope) if settings.use_rope else 0.0
        score = settings.comparison_score if settings.comparison_score in SCORE_NAMES \
            else "AUC"
        try:
            comp = compare_models(results, score, rope)
        except ValueError as exc:
            self.note.setText(str(exc)[0].upper() + str(exc)[1:] + ".")
            return
        self.model.setHorizontalHeaderLabels(names)
        widest = max(self.table.fontMetrics().horizontalAdvance(n) for n in names)
        self.table.horizontalHeader().setMinimumSectionSize(widest + 16)
        for i in range(len(names)):
            row = []
            for j in range(len(names)):
                item = QStandardItem("")
                if i != j:
                    p = float(comp.better[i, j])
                    text = f"{p:.3f}"
                    tip = f"P({names[i]} better than {names[j]} by {score}) = {p:.3f}"
                    if rope > 0:
                        q = float(comp.negligible[i, j])
                        text += f"\n({q:.3f})"
                        tip += f"; P(difference below {rope:g}) = {q:.3f}"
                    item.setText(text)
                    item.setToolTip(tip)
                    item.setData(p, Qt.ItemDataRole.UserRole)
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                row.append(item)
            self.model.appendRow(row)
        self.model.setVerticalHeaderLabels(names)
        self.table.resizeRowsToContents()
        better = f"a lower (better) {score}" if score in LOWER_IS_BETTER else \
            f"a higher {score}"
        self.note.setText(
            f"Probability that the row's model has {better} than the column's "
            f"(correlated Bayesian t-test on {comp.n_folds} folds)"
            + (f"; in brackets: that the difference is below {rope:g}." if rope > 0 else ".")
        )

    def probability(self, row: int, column: int) -> float | None:
        """The probability shown in a cell (for tests and scripts)."""
        item = self.model.item(row, column)
        value = None if item is None else item.data(Qt.ItemDataRole.UserRole)
        return None if value is None or not np.isfinite(value) else float(value)
