"""Confusion Matrix view: actual × predicted table; select cells (Fig. 3 of the paper).

Cells are selected by clicking or dragging (Ctrl/⌘ adds), or with the Correct /
Misclassified / Clear buttons; the selection is the node's ``selected_cells`` setting,
written through the undo stack, so the rows of those cells flow downstream. The sums
row and column are shown but cannot be selected (they are not cells of the matrix).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PyQt6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PyQt6.QtGui import QBrush, QColor, QFont, QStandardItem, QStandardItemModel
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from petriflow.analysis.evaluation import confusion_values, correct_cells, misclassified_cells
from petriflow.core.scheduler import NodeStatus
from petriflow.core.status import counted
from petriflow.core.types import EvaluationResults
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView, SelectionOnRelease
from petriflow.gui.views.export_actions import add_export_actions
from petriflow.nodes._selection import cells_context, restore_cells

__all__ = ["ConfusionMatrixView"]

SHOW = (("counts", "Number of instances"), ("proportion_actual", "Proportion of actual"),
        ("proportion_predicted", "Proportion of predicted"))


class ConfusionMatrixView(NodeView):
    """The matrix (rows: actual, columns: predicted) with selection helpers."""

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self.results: EvaluationResults | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Learner"))
        self.learner_combo = QComboBox()
        self.learner_combo.activated.connect(lambda i: self.set_settings(learner=i))
        bar.addWidget(self.learner_combo)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Show"))
        self.show_combo = QComboBox()
        for key, text in SHOW:
            self.show_combo.addItem(text, key)
        self.show_combo.activated.connect(
            lambda i: self.set_settings(show=self.show_combo.itemData(i)))
        bar.addWidget(self.show_combo)
        bar.addStretch(1)
        layout.addLayout(bar)
        self.caption = QLabel("Rows: actual class · columns: predicted class")
        self.caption.setStyleSheet("color: #555;")
        layout.addWidget(self.caption)
        self.model = QStandardItemModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self._selection = SelectionOnRelease(self.table, self._on_selection)
        layout.addWidget(self.table, 1)
        add_export_actions(self, image=self.table, table=self.model)
        buttons = QHBoxLayout()
        self.correct_button = QPushButton("Select Correct")
        self.misclassified_button = QPushButton("Select Misclassified")
        self.clear_button = QPushButton("Clear Selection")
        self.correct_button.clicked.connect(lambda: self._select_helper(correct_cells))
        self.misclassified_button.clicked.connect(
            lambda: self._select_helper(misclassified_cells))
        self.clear_button.clicked.connect(lambda: self._select([]))
        for b in (self.correct_button, self.misclassified_button, self.clear_button):
            buttons.addWidget(b)
        # how many images the selected cells send: "Select Misclassified" on a perfect
        # classifier selected six empty cells and nothing told why the viewer was empty
        self.selection_label = QLabel()
        buttons.addSpacing(8)
        buttons.addWidget(self.selection_label)
        buttons.addStretch(1)
        self.info = QLabel()
        self.info.setStyleSheet("color: #555;")
        buttons.addWidget(self.info)
        layout.addLayout(buttons)
        self.resize(620, 460)
        self._loaded = False  # on_data fills even when the first input is None
        self.on_data()
        self.on_status(self.node.status())

    @property
    def n_classes(self) -> int:
        return len(self.results.class_values) if self.results is not None else 0

    # ------------------------------------------------------------------ data
    def on_data(self) -> None:
        results = self.inputs().get("Evaluation Results")
        if results is self.results and self._loaded:
            return
        self.results, self._loaded = results, True
        for button in (self.correct_button, self.misclassified_button, self.clear_button):
            button.setEnabled(results is not None)  # nothing to select: they did nothing
        self._updating = True
        try:
            self.learner_combo.clear()
            if results is not None:
                self.learner_combo.addItems(list(results.learner_names))
            self._fill()
        finally:
            self._updating = False

    def on_status(self, status: NodeStatus) -> None:
        self.info.setText(status.message)

    def on_settings(self) -> None:
        self._fill()

    def _fill(self) -> None:
        """Rebuild the table from the results and the current settings."""
        s = self.settings
        was = self._updating
        self._updating = True
        try:
            self.show_combo.setCurrentIndex(max(self.show_combo.findData(s.show), 0))
            self.model.clear()
            res = self.results
            if res is None:
                self.caption.setText(
                    "No evaluation results on the input yet: connect the Evaluation "
                    "Results of Test and Score or Predictions.")
                self.selection_label.setText("")
                return
            li = s.learner if 0 <= s.learner < len(res.learner_names) else 0
            self.learner_combo.setCurrentIndex(li)
            k = len(res.class_values)
            counts = res.confusion_matrix(li)
            shown = confusion_values(res, li, s.show)
            self.model.setRowCount(k + 1)
            self.model.setColumnCount(k + 1)
            labels = [str(c) for c in res.class_values]
            self.model.setHorizontalHeaderLabels([f"→ {c}" for c in labels] + ["Σ"])
            self.model.setVerticalHeaderLabels([*labels, "Σ"])
            top = float(shown.max()) or 1.0
            bold = QFont()
            bold.setBold(True)
            for a in range(k):
                for p in range(k):
                    v = shown[a, p]
                    text = f"{int(v)}" if s.show == "counts" else f"{v:.2f}"
                    item = QStandardItem(text)
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    item.setToolTip(f"actual {labels[a]}, predicted {labels[p]}: "
                                    f"{int(counts[a, p])} rows")
                    hue = 120 if a == p else 0  # green diagonal, red errors
                    alpha = int(30 + 170 * v / top) if v else 0
                    item.setBackground(QBrush(QColor.fromHsv(hue, 160, 230, alpha)))
                    self.model.setItem(a, p, item)
            for a in range(k):
                self.model.setItem(a, k, self._sum_item(int(counts[a].sum()), bold))
            for p in range(k):
                self.model.setItem(k, p, self._sum_item(int(counts[:, p].sum()), bold))
            self.model.setItem(k, k, self._sum_item(int(counts.sum()), bold))
            acc = np.trace(counts) / counts.sum() if counts.sum() else float("nan")
            self.caption.setText(f"{res.learner_names[li]}: rows are actual classes, columns "
                                 f"predicted; accuracy {acc:.3f}")
            self._show_selection()
        finally:
            self._updating = was

    @staticmethod
    def _sum_item(value: int, font: QFont) -> QStandardItem:
        item = QStandardItem(str(value))
        item.setFont(font)
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)  # not selectable
        item.setForeground(QBrush(QColor("#555")))
        return item

    def _show_selection(self) -> None:
        k = self.n_classes
        sel = QItemSelection()
        cells = [(int(c[0]), int(c[1])) for c in self._selected()
                 if len(c) == 2 and all(0 <= int(v) < k for v in c)]
        for a, p in cells:
            ix = self.model.index(a, p)
            sel.select(ix, ix)
        self.table.selectionModel().select(
            sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.selection_label.setText(self._selection_text(cells))

    def _selection_text(self, cells: list[tuple[int, int]]) -> str:
        """What the selected cells send downstream, in words."""
        if not cells or self.results is None:
            return ""
        counts = self.results.confusion_matrix(
            self.settings.learner if 0 <= self.settings.learner < len(
                self.results.learner_names) else 0)
        n = int(sum(counts[a, p] for a, p in cells))
        if n:
            return f"{counted(n, 'image')} selected"
        if all(a != p for a, p in cells):
            return "<b>0 images selected</b>: nothing is misclassified there"
        return "<b>0 images selected</b>: the selected cells are empty"

    # ------------------------------------------------------------------ edits
    def cell_rect_center(self, actual: int, predicted: int) -> Any:
        """Viewport pixel of a cell's centre (what a click there hits)."""
        return self.table.visualRect(self.model.index(actual, predicted)).center()

    def _on_selection(self) -> None:
        k = self.n_classes
        cells = sorted([ix.row(), ix.column()]
                       for ix in self.table.selectionModel().selectedIndexes()
                       if ix.row() < k and ix.column() < k)
        self._select(cells)

    def _select_helper(self, cells_of: Any) -> None:
        if self.n_classes:
            self._select(cells_of(self.n_classes))

    def _selected(self) -> list[list[int]]:
        """The cells the node selects (the saved cells, if made on these results)."""
        s, res = self.settings, self.results
        if res is None:
            return [] if s.selection_context else list(s.selected_cells)
        return restore_cells(res.data, res.class_values, s.selected_cells,
                             s.selection_context).selection

    def _select(self, cells: list[list[int]]) -> None:
        res = self.results
        context = cells_context(res.data, res.class_values, cells) if res is not None else {}
        self.set_settings(selected_cells=cells, selection_context=context)


@register_view("petriflow.confusion_matrix")
def make_view(node: NodeFacade) -> QWidget:
    return ConfusionMatrixView(node)
