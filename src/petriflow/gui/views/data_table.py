"""Data Table view: the input as a spreadsheet; the selected rows flow downstream.

The table is virtual: a :class:`TableModel` answers Qt's questions from the Table's
numpy arrays, so only the visible cells are ever formatted and 20,000 rows (or 1,000
embedding features) open at once. Sorting permutes an index array, never the data. The
selection is written to the node's ``selected_rows`` as *positions in the input* (so it
does not depend on the sort), once per mouse gesture, through the undo stack.

Image rows show their thumbnail in the image column, decoded by the Image Viewer's
decoder and cache (the Image Grid's :class:`GridThumbnails`, which remembers why a file
could not be shown) on the node's task runner: only the rows on screen are decoded,
never on the GUI thread, and an unreadable file is a crossed placeholder whose tooltip
says why. Rows of the Data Subset input (matched by row id, as in the other views) get
a highlighted background.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PyQt6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QSize,
    Qt,
)
from PyQt6.QtGui import QBrush, QColor, QFont, QPainter, QPen, QPixmap
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from petriflow.core.node import NodeError
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
from petriflow.gui.views.empty_hint import EmptyHint
from petriflow.gui.views.export_actions import add_export_actions
from petriflow.gui.views.image_grid import GridThumbnails
from petriflow.nodes.image_viewer import image_column_of, resolve_image_path

__all__ = ["SUBSET_BRUSH", "THUMBNAIL_SIZE", "DataTableView", "TableModel"]

#: the background of rows in the Data Subset
SUBSET_BRUSH = QBrush(QColor("#ffe0a8"))
#: thumbnail edge (pixels) in the image column
THUMBNAIL_SIZE = 48


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
        #: per input position: in the Data Subset (highlighted), or None
        self.subset: np.ndarray | None = None
        #: thumbnails of the image column (None: not shown) and each row's resolved path
        self.thumb_model: GridThumbnails | None = None
        self.thumb_col = -1
        self.thumb_paths: list[str] = []
        self._failed: QPixmap | None = None

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

    def set_subset(self, mask: np.ndarray | None) -> None:
        """Highlight the rows where ``mask`` (per input position) is true."""
        self.subset = mask if mask is not None and mask.any() else None
        if self.order.size and self.columns:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.order) - 1, len(self.columns) - 1),
                                  [Qt.ItemDataRole.BackgroundRole])

    def set_thumbnails(self, thumbs: GridThumbnails | None, column: str = "",
                       paths: list[str] | None = None) -> None:
        """Show ``thumbs`` of ``paths`` (per input position) in the column ``column``."""
        if self.thumb_model is not None:
            self.thumb_model.dataChanged.disconnect(self._thumbnails_arrived)
        names = [c[1] for c in self.columns]
        self.thumb_col = names.index(column) if thumbs is not None and column in names else -1
        self.thumb_model = thumbs if self.thumb_col >= 0 else None
        self.thumb_paths = list(paths or [])
        if self.thumb_model is not None:
            self.thumb_model.set_items(self.thumb_paths, [""] * len(self.thumb_paths))
            self.thumb_model.dataChanged.connect(self._thumbnails_arrived)
        self.layoutChanged.emit()

    def thumbnail(self, pos: int) -> QPixmap:
        """The row's thumbnail; asking for it starts its decode (off the GUI thread)."""
        thumbs = self.thumb_model
        assert thumbs is not None
        key = (self.thumb_paths[pos], thumbs.size)
        if key in thumbs.cache and thumbs.cache[key] is None:
            return self.failed_placeholder()
        pixmap: QPixmap = thumbs.data(thumbs.index(pos), Qt.ItemDataRole.DecorationRole)
        return pixmap

    def failed_placeholder(self) -> QPixmap:
        """Grey with a red cross: no thumbnail (the tooltip says why)."""
        edge = self.thumb_model.size if self.thumb_model is not None else THUMBNAIL_SIZE
        if self._failed is None or self._failed.width() != edge:
            pm = QPixmap(edge, edge)
            pm.fill(QColor("#e8e8e8"))
            p = QPainter(pm)
            p.setPen(QPen(QColor("#c0392b"), max(2, edge // 25)))
            m = edge // 4
            p.drawLine(m, m, edge - m, edge - m)
            p.drawLine(edge - m, m, m, edge - m)
            p.end()
            self._failed = pm
        return self._failed

    def _thumbnails_arrived(self, *_: Any) -> None:
        if self.thumb_col >= 0 and self.order.size:
            self.dataChanged.emit(self.index(0, self.thumb_col),
                                  self.index(len(self.order) - 1, self.thumb_col),
                                  [Qt.ItemDataRole.DecorationRole])

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
        if col == self.thumb_col and self.thumb_model is not None:
            if role == Qt.ItemDataRole.DecorationRole:
                return self.thumbnail(pos)
            if role == Qt.ItemDataRole.ToolTipRole:
                problem = self.thumb_model.problems.get(self.thumb_paths[pos])
                return self.thumb_paths[pos] + (f"\n{problem}" if problem else "")
        if role == Qt.ItemDataRole.ToolTipRole and kind == "meta":
            v = self.value(col, pos)
            return None if v is None else str(v)
        if role == Qt.ItemDataRole.BackgroundRole and kind == "class":
            v = int(self.value(col, pos))
            return self._colors[v] if v >= 0 else None
        if role == Qt.ItemDataRole.BackgroundRole and self.subset is not None \
                and self.subset[pos]:
            return SUBSET_BRUSH
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
        self.empty_hint = EmptyHint(self.table, self.empty_text)
        bar = QHBoxLayout()
        self.info = QLabel()
        self.info.setStyleSheet("color: #555;")
        bar.addWidget(self.info, 1)
        #: thumbnails of image rows (the Data Table's own; a view built on it has none)
        self.image_thumbs: GridThumbnails | None = None
        self.thumbs_check: QCheckBox | None = None
        self._thumbs_on = False  # whether thumbnails were shown as the settings said
        if self.shows_thumbnails():
            self.image_thumbs = GridThumbnails(self, self.node.tasks)
            self.image_thumbs.set_size(THUMBNAIL_SIZE)
            self.thumbs_check = QCheckBox("Thumbnails")
            self.thumbs_check.setToolTip("Show each image row's thumbnail in its image column")
            self.thumbs_check.setChecked(self.settings.show_thumbnails)
            self.thumbs_check.toggled.connect(lambda on: self.set_settings(
                f"{'Show' if on else 'Hide'} thumbnails in {self.node.title}",
                show_thumbnails=on))
            bar.addWidget(self.thumbs_check)
        self.status_label = QLabel()
        self.status_label.setStyleSheet("color: #555;")
        bar.addWidget(self.status_label)
        layout.addLayout(bar)
        add_export_actions(self, table=self.model)
        self.resize(820, 560)
        self.on_data()
        self.on_status(self.node.status())

    def shows_thumbnails(self) -> bool:
        """Whether this view draws thumbnails (a view built on this one may not)."""
        return hasattr(self.settings, "show_thumbnails") and type(self) is DataTableView

    def is_ready(self) -> bool:
        return self.image_thumbs is None or not self.image_thumbs.pending

    def make_model(self) -> TableModel:
        """The table model (a view built on this one, e.g. Predictions, adds to it)."""
        return TableModel(self)

    # ------------------------------------------------------------------ data
    def shown_table(self) -> Table | None:
        """The table shown and selected from: the input (Predictions: its output)."""
        return self.inputs().get("Data")

    def on_data(self) -> None:
        data = self.shown_table()
        self._show_subset(data)
        if data is self.data_table:
            return
        self.data_table = data
        was = self._updating
        self._updating = True
        try:
            self.model.set_table(data)
            self._show_thumbnails()
            self._show_subset(data)
            self._show_sort()
            if data is not None and data.y is not None:
                self.table.setColumnWidth(0, 130)
            self._show_selection()
        finally:
            self._updating = was

    def on_settings(self) -> None:
        on = getattr(self.settings, "show_thumbnails", False)
        if self.thumbs_check is not None and on != self._thumbs_on:
            self.thumbs_check.blockSignals(True)
            self.thumbs_check.setChecked(on)
            self.thumbs_check.blockSignals(False)
            self._show_thumbnails()
        self._show_sort()
        self._show_selection()

    def _show_subset(self, data: Table | None) -> None:
        subset = self.inputs().get("Data Subset")
        mask = (np.isin(np.asarray(data.row_ids), np.asarray(subset.row_ids))
                if data is not None and subset is not None else None)
        self.model.set_subset(mask)

    def _show_thumbnails(self) -> None:
        """Thumbnails in the image column (paths resolved against the workflow's folder,
        as the Image Viewer does), rows tall enough for them; none without images."""
        if self.image_thumbs is None:
            return  # a view built on this one draws (or not) its own
        data = self.data_table
        column = ""
        self._thumbs_on = bool(getattr(self.settings, "show_thumbnails", False))
        if data is not None and self.settings.show_thumbnails:
            try:
                column = image_column_of(data)
            except NodeError:  # no image column: a plain table
                column = ""
        vh = self.table.verticalHeader()
        text_row = self.table.fontMetrics().height() + 6
        if not column or data is None:
            self.model.set_thumbnails(None)
            vh.setDefaultSectionSize(text_row)
            return
        bases = [b for b in (self.node.directory, Path.cwd()) if b is not None]
        paths = [str(resolve_image_path(str(v), bases)) if v else ""
                 for v in data.metas[column]]
        self.model.set_thumbnails(self.image_thumbs, column, paths)
        self.table.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        vh.setDefaultSectionSize(max(text_row, THUMBNAIL_SIZE + 4))
        if self.model.thumb_col >= 0:
            self.table.setColumnWidth(self.model.thumb_col, THUMBNAIL_SIZE + 140)

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
        self.empty_hint.refresh()

    def empty_text(self) -> str:
        """What a blank table means, in its place (a white panel told a first-time user
        nothing; the status line says "Waiting for input: Data" in small grey type)."""
        if self.data_table is not None:
            return "The input table has no rows."
        why = self.node.status().message
        return ("No data yet.\n\nConnect a node that sends a table to this one's Data "
                "input (File, Import Images, Image Embedder, …)."
                + (f"\n\n{why}" if why else ""))

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
