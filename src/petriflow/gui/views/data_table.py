"""Data Table view: the input as a spreadsheet; the selected rows flow downstream.

The table is virtual: a :class:`TableModel` answers Qt's questions from the Table's
numpy arrays, so only the visible cells are ever formatted and 20,000 rows (or 1,000
embedding features) open at once. Sorting permutes an index array, never the data. The
selection is written to the node's ``selected_rows`` as *positions in the input* (so it
does not depend on the sort), once per mouse gesture, through the undo stack.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PyQt6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    Qt,
)
from PyQt6.QtGui import QBrush, QColor, QFont
from PyQt6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from petriflow.core.scheduler import NodeStatus
from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import (
    NodeFacade,
    NodeView,
    SelectionOnRelease,
    class_colors,
    row_selection,
    rows_context,
)
from petriflow.gui.views.export_actions import add_export_actions

__all__ = ["DataTableView", "TableModel"]


class TableModel(QAbstractTableModel):
    """Columns: the class (coloured), the metas, then the features; rows in ``order``."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.table: Table | None = None
        self.order = np.zeros(0, dtype=np.int64)  # view row -> input position
        self.columns: list[tuple[str, str, Any]] = []  # (kind, name, array)
        self._colors: list[QBrush] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_table(self, table: Table | None) -> None:
        self.beginResetModel()
        self.table = table
        self.columns = []
        if table is not None:
            if table.y is not None and table.class_name:
                self.columns.append(("class", table.class_name, table.y))
                self._colors = [QBrush(QColor(c.red(), c.green(), c.blue(), 70))
                                for c in class_colors(len(table.class_values))]
            for name, values in table.metas.items():
                self.columns.append(("meta", name, values))
            for j, name in enumerate(table.feature_names):
                self.columns.append(("feature", name, j))
            self.order = np.arange(len(table), dtype=np.int64)
        else:
            self.order = np.zeros(0, dtype=np.int64)
        self.endResetModel()

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def value(self, column: int, position: int) -> Any:
        """The raw value of a cell (by input position), for sorting and display."""
        kind, _, values = self.columns[column]
        if kind == "feature":
            return self.table.X[position, values]  # type: ignore[union-attr]
        return values[position]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.table is None:
            return None
        col, pos = index.column(), int(self.order[index.row()])
        kind = self.columns[col][0]
        if role == Qt.ItemDataRole.DisplayRole:
            v = self.value(col, pos)
            if kind == "class":
                return "?" if v < 0 else self.table.class_values[int(v)]
            if isinstance(v, float | np.floating):
                return "?" if np.isnan(v) else f"{v:.4g}"
            if v is None:
                return ""
            if self.columns[col][1] == self.table.image_column:
                return str(v).replace("\\", "/").rsplit("/", 1)[-1]  # full path: tooltip
            return str(v)
        if role == Qt.ItemDataRole.ToolTipRole and kind == "meta":
            v = self.value(col, pos)
            return None if v is None else str(v)
        if role == Qt.ItemDataRole.BackgroundRole and kind == "class":
            v = int(self.value(col, pos))
            return self._colors[v] if v >= 0 else None
        if role == Qt.ItemDataRole.FontRole and kind == "class":
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and kind == "feature":
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.columns[section][1] if 0 <= section < len(self.columns) else None
        return str(int(self.order[section]) + 1) if 0 <= section < len(self.order) else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Stable sort of the view rows by one column (-1: the input's order)."""
        if self.table is None:
            return
        self.layoutAboutToBeChanged.emit()
        n = len(self.table)
        if column < 0 or column >= len(self.columns):
            self.order = np.arange(n, dtype=np.int64)
        else:
            kind, _, values = self.columns[column]
            if kind == "feature":
                keys = self.table.X[:, values]
            elif kind == "class":
                keys = np.asarray(values)
            else:
                arr = np.asarray(values)
                keys = arr if arr.dtype.kind in "biuf" else arr.astype(str)
            idx = np.argsort(keys, kind="stable")
            if order == Qt.SortOrder.DescendingOrder:
                # reversed, but keep ties in input order (stable descending)
                idx = np.argsort(keys[::-1], kind="stable")[::-1]
                idx = (n - 1 - idx)
            self.order = idx.astype(np.int64)
        self.layoutChanged.emit()

    def rows_of(self, positions: Any) -> np.ndarray:
        """View rows of input positions (positions outside the table are dropped)."""
        inverse = np.empty(len(self.order), dtype=np.int64)
        inverse[self.order] = np.arange(len(self.order))
        pos = np.asarray([p for p in positions if 0 <= int(p) < len(self.order)], dtype=np.int64)
        return np.sort(inverse[pos])


class DataTableView(NodeView):
    """A sortable spreadsheet of the input with row selection."""

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self.data_table: Table | None = None
        self._sorted: tuple[int, Any, int] | None = None  # (column, order, table id) shown
        layout = QVBoxLayout(self)
        self.model = self.make_model()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        vh = self.table.verticalHeader()
        vh.setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        vh.setSectionResizeMode(vh.ResizeMode.Fixed)
        hh = self.table.horizontalHeader()
        hh.setDefaultSectionSize(110)
        hh.setSectionsClickable(True)
        hh.setSortIndicatorShown(True)
        hh.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        hh.sortIndicatorChanged.connect(self.sort_by)
        self._selection = SelectionOnRelease(self.table, self._on_selection)
        layout.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.info = QLabel()
        self.info.setStyleSheet("color: #555;")
        bar.addWidget(self.info, 1)
        self.status_label = QLabel()
        self.status_label.setStyleSheet("color: #555;")
        bar.addWidget(self.status_label)
        layout.addLayout(bar)
        add_export_actions(self, table=self.model)
        self.resize(820, 560)
        self.on_data()
        self.on_status(self.node.status())

    def make_model(self) -> TableModel:
        """The table model (a view built on this one, e.g. Predictions, adds to it)."""
        return TableModel(self)

    # ------------------------------------------------------------------ data
    def shown_table(self) -> Table | None:
        """The table shown and selected from: the input (Predictions: its output)."""
        return self.inputs().get("Data")

    def on_data(self) -> None:
        data = self.shown_table()
        if data is self.data_table:
            return
        self.data_table = data
        was = self._updating
        self._updating = True
        try:
            self.model.set_table(data)
            self._show_sort()
            if data is not None and data.y is not None:
                self.table.setColumnWidth(0, 130)
            self._show_selection()
        finally:
            self._updating = was

    def on_settings(self) -> None:
        self._show_sort()
        self._show_selection()

    def _show_sort(self) -> None:
        """Sort as the settings say (the column is found by name: it survives a new
        input with the same columns; a column that is gone means the input's order)."""
        s = self.settings
        names = [c[1] for c in self.model.columns]
        column = names.index(s.sort_column) if s.sort_column in names else -1
        order = (Qt.SortOrder.DescendingOrder if s.sort_descending and column >= 0
                 else Qt.SortOrder.AscendingOrder)
        state = (column, order, id(self.model.table))
        if state == self._sorted:
            return
        self._sorted = state
        hh = self.table.horizontalHeader()
        hh.blockSignals(True)
        hh.setSortIndicator(column, order)
        hh.blockSignals(False)
        self.model.sort(column, order)

    def on_status(self, status: NodeStatus) -> None:
        self.status_label.setText(status.message)

    def sort_by(self, column: int, order: Qt.SortOrder) -> None:
        """Sort the rows shown (the selection, stored by input position, stays)."""
        was = self._updating
        self._updating = True
        try:
            self.model.sort(column, order)
            self._sorted = (column, order, id(self.model.table))
            self._show_selection()
        finally:
            self._updating = was
        if 0 <= column < len(self.model.columns):  # saved with the workflow, no re-run
            self.set_settings(sort_column=self.model.columns[column][1],
                              sort_descending=order == Qt.SortOrder.DescendingOrder)

    def _show_selection(self) -> None:
        was = self._updating
        self._updating = True
        try:
            sel = QItemSelection()
            rows = self.model.rows_of(self._selected())
            last = self.model.columnCount() - 1
            if len(rows) and last >= 0:
                # contiguous runs of view rows: one range each, not one per row
                breaks = np.flatnonzero(np.diff(rows) != 1) + 1
                for run in np.split(rows, breaks):
                    sel.select(self.model.index(int(run[0]), 0),
                               self.model.index(int(run[-1]), last))
            self.table.selectionModel().select(
                sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self._show_info()
        finally:
            self._updating = was

    def _show_info(self) -> None:
        t = self.data_table
        if t is None:
            self.info.setText("No data on the input.")
            return
        n_sel = len(self._selected())
        self.info.setText(f"{t.summary()}; {n_sel} selected" if n_sel else t.summary())

    # ------------------------------------------------------------------ edits
    def row_center(self, view_row: int, column: int = 0) -> Any:
        """Viewport pixel of a cell's centre (what a click there hits)."""
        return self.table.visualRect(self.model.index(view_row, column)).center()

    def _on_selection(self) -> None:
        if self._updating or not self._alive():
            return
        rows = {ix.row() for ix in self.table.selectionModel().selectedRows()}
        positions = sorted(int(self.model.order[r]) for r in rows)
        self.set_settings(selected_rows=positions,
                          selection_context=rows_context(self.identity_table(), positions,
                                                         self.node.directory))
        self._show_info()

    def _selected(self) -> list[int]:
        """Input positions of the rows the node selects."""
        s = self.settings
        return row_selection(self.identity_table(), s.selected_rows, s.selection_context,
                             self.node.directory)

    def identity_table(self) -> Table | None:
        """The rows a selection's context names (the shown table; Predictions: its
        input, whose rows keep their identity when the models change)."""
        return self.data_table


@register_view("petriflow.data_table")
def make_view(node: NodeFacade) -> QWidget:
    return DataTableView(node)
