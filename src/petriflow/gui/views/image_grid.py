"""Image Grid view: the node's grid of thumbnails; the selection is ``selected``.

The node decided where each image goes (``grid row``/``grid column`` of its ``Data``
output); this view draws that grid as a table of cells and decodes thumbnails with the
Image Viewer's :class:`ThumbnailModel` — on the node's task runner, never on the GUI
thread. A thumbnail that cannot be made shows a crossed placeholder whose tooltip says
why (file not found, not an image …). Images in the Data Subset get a highlighted
cell; a click or a drag selects images (Ctrl/Shift add), written once per gesture.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
from PyQt6.QtCore import QAbstractTableModel, QModelIndex, QObject, QSize, Qt
from PyQt6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap, QShowEvent
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from petriflow.analysis.image_grid import grid_shape
from petriflow.analysis.images import ImageLoadError
from petriflow.analysis.selection import is_selection_meta
from petriflow.core.node import NodeError
from petriflow.core.scheduler import NodeStatus
from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import (
    NodeFacade,
    NodeView,
    SelectionOnRelease,
    TaskRunner,
    row_selection,
    rows_context,
)
from petriflow.gui.views.empty_hint import EmptyHint
from petriflow.gui.views.export_actions import add_export_actions
from petriflow.gui.views.image_viewer import ThumbnailModel, decode_thumbnail
from petriflow.nodes.image_grid import GRID_COLUMN, GRID_ROW
from petriflow.nodes.image_viewer import image_column_of, resolve_image_path

__all__ = ["GridModel", "GridThumbnails", "ImageGridView"]

#: the background of cells whose image is in the Data Subset
SUBSET_COLOR = QColor("#ffb347")
#: pixels around each thumbnail, and below it when labels are shown
PAD, LABEL_HEIGHT = 6, 18


class GridThumbnails(ThumbnailModel):
    """The Image Viewer's thumbnails, remembering why one could not be made."""

    def __init__(self, parent: QObject | None = None, tasks: TaskRunner | None = None) -> None:
        super().__init__(parent, tasks)
        #: path -> the reason its thumbnail is a placeholder (written by the decoders)
        self.problems: dict[str, str] = {}

    def _decode(self, key: tuple[str, int]) -> Any:
        """On a worker thread: a QImage, or None with the reason in ``problems``."""
        self.decode_threads.add(threading.get_ident())
        if not key[0]:
            self.problems[key[0]] = "no image path in this row"
            return None
        try:
            return decode_thumbnail(Path(key[0]), key[1])
        except ImageLoadError as exc:
            self.problems[key[0]] = exc.reason
        except Exception as exc:  # a decoder bug is one cell's problem, not the view's
            self.problems[key[0]] = f"cannot show the image ({exc})"
        return None


class GridModel(QAbstractTableModel):
    """Cells of the grid: the data row in each cell (-1 = empty) over the thumbnails."""

    def __init__(self, thumbs: GridThumbnails, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thumbs = thumbs
        self.cells = np.full((0, 0), -1, dtype=int)
        self.labels: list[str] = []
        self.subset = np.zeros(0, dtype=bool)
        self.crop = False
        self._cropped: dict[int, tuple[int, QPixmap]] = {}
        self._failed: QPixmap | None = None
        thumbs.dataChanged.connect(self._thumbs_changed)

    def set_grid(self, cells: np.ndarray, labels: list[str], subset: np.ndarray) -> None:
        self.beginResetModel()
        self.cells, self.labels, self.subset = cells, labels, subset
        self._cropped.clear()
        self.endResetModel()

    def set_look(self, labels: list[str] | None = None, crop: bool | None = None) -> None:
        if labels is not None:
            self.labels = labels
        if crop is not None and crop != self.crop:
            self.crop = crop
            self._cropped.clear()
        self._all_changed()

    def row_at(self, index: QModelIndex) -> int:
        if not index.isValid():
            return -1
        return int(self.cells[index.row(), index.column()])

    def index_of(self, row: int) -> QModelIndex:
        where = np.argwhere(self.cells == row)
        return self.index(int(where[0][0]), int(where[0][1])) if len(where) else QModelIndex()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.cells.shape[0]

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.cells.shape[1]

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if self.row_at(index) < 0:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row < 0:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.labels[row] if row < len(self.labels) else None
        if role == Qt.ItemDataRole.DecorationRole:
            return self._pixmap(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            path = self.thumbs.paths[row]
            problem = self.thumbs.problems.get(path)
            text = path or "(no image path)"
            return f"{text}\n{problem}" if problem else text
        if role == Qt.ItemDataRole.BackgroundRole:
            in_subset = row < len(self.subset) and self.subset[row]
            return QBrush(SUBSET_COLOR) if in_subset else None
        return None

    def _pixmap(self, row: int) -> QPixmap:
        """The row's thumbnail scaled to the cell: whole (fit) or its centre (crop);
        small images are scaled up too, so that every cell has the same size."""
        source = self.thumbs.index(row)
        pixmap = self.thumbs.data(source, Qt.ItemDataRole.DecorationRole)
        if self.thumbs.paths[row] in self.thumbs.problems:
            return self.failed_placeholder()
        if pixmap is self.thumbs.placeholder():
            return pixmap
        cached = self._cropped.get(row)
        if cached is not None and cached[0] == pixmap.cacheKey():
            return cached[1]
        edge = self.thumbs.size
        mode = (Qt.AspectRatioMode.KeepAspectRatioByExpanding if self.crop
                else Qt.AspectRatioMode.KeepAspectRatio)
        scaled = pixmap.scaled(edge, edge, mode, Qt.TransformationMode.SmoothTransformation)
        if self.crop:
            scaled = scaled.copy((scaled.width() - edge) // 2,
                                 (scaled.height() - edge) // 2, edge, edge)
        self._cropped[row] = (pixmap.cacheKey(), scaled)
        return scaled

    def failed_placeholder(self) -> QPixmap:
        """Grey with a red cross: there is no thumbnail (the tooltip says why)."""
        edge = self.thumbs.size
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

    def _thumbs_changed(self, *_: Any) -> None:
        self._all_changed()

    def _all_changed(self) -> None:
        if self.cells.size:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(self.cells.shape[0] - 1, self.cells.shape[1] - 1))


class _CellDelegate(QStyledItemDelegate):
    """Thumbnail centred above its label."""

    def initStyleOption(self, option: QStyleOptionViewItem | None, index: QModelIndex) -> None:
        super().initStyleOption(option, index)
        if option is not None:
            option.decorationPosition = QStyleOptionViewItem.Position.Top
            option.displayAlignment = (Qt.AlignmentFlag.AlignHCenter
                                       | Qt.AlignmentFlag.AlignBottom)


class ImageGridView(NodeView):
    """Grid of thumbnails with label, fit, size and grid-size controls."""

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self.table: Table | None = None
        self.subset_mask = np.zeros(0, dtype=bool)
        #: the image_column setting the shown paths were read with
        self._image_column = ""
        #: why no grid shows (a missing image column), kept in the info line
        self._problem = ""
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Label"))
        self.label_combo = QComboBox()
        self.label_combo.activated.connect(
            lambda i: self.set_settings(title_column=self.label_combo.itemData(i) or ""))
        bar.addWidget(self.label_combo)
        self.fit_combo = QComboBox()
        self.fit_combo.addItem("Fit", "fit")
        self.fit_combo.addItem("Crop", "crop")
        self.fit_combo.setToolTip("Fit: whole images; crop: the centre fills the cell")
        self.fit_combo.activated.connect(
            lambda i: self.set_settings(fit=self.fit_combo.itemData(i)))
        bar.addWidget(self.fit_combo)
        self.size_spin = self._spin(bar, "Size", 32, 512, "thumbnail_size",
                                    "Cell size in pixels")
        self.rows_spin = self._spin(bar, "Rows", 0, 200, "rows", "0 = automatic")
        self.columns_spin = self._spin(bar, "Columns", 0, 200, "columns", "0 = automatic")
        bar.addStretch(1)
        self.info = QLabel()
        self.info.setStyleSheet("color: #555;")
        bar.addWidget(self.info)
        layout.addLayout(bar)
        self.thumbs = GridThumbnails(self, self.node.tasks)
        self.model = GridModel(self.thumbs, self)
        self.grid = QTableView()
        self.grid.setModel(self.model)
        self.grid.setItemDelegate(_CellDelegate(self.grid))
        for header in (self.grid.horizontalHeader(), self.grid.verticalHeader()):
            if header is not None:
                header.hide()
                header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.grid.setShowGrid(False)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self._selection = SelectionOnRelease(self.grid, self._on_selection)
        layout.addWidget(self.grid, 1)
        self.empty_hint = EmptyHint(self.grid, self._empty_text)
        add_export_actions(self, image=self.grid)
        self.resize(820, 680)
        #: the window size this view last chose; once the user resizes the window it
        #: differs and the view no longer resizes it (see :meth:`_fit_window`)
        self._chosen_size: QSize | None = self.size()
        self._fill_labels()  # "(no label)" before any input (the box was blank)
        self.show_current()

    def showEvent(self, event: QShowEvent | None) -> None:
        super().showEvent(event)
        self._fit_window()

    def _spin(self, bar: QHBoxLayout, text: str, low: int, high: int, key: str,
              tip: str) -> QSpinBox:
        bar.addWidget(QLabel(text))
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setToolTip(tip)
        if low == 0:
            spin.setSpecialValueText("auto")
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(lambda v: self.set_settings(**{key: int(v)}))
        bar.addWidget(spin)
        return spin

    def is_ready(self) -> bool:
        return not self.thumbs.pending

    # ------------------------------------------------------------------ data
    def on_data(self) -> None:
        table = self.outputs().get("Data")
        subset = self.inputs().get("Data Subset")
        mask = (np.isin(table.row_ids, subset.row_ids) if table is not None
                and subset is not None else np.zeros(0, dtype=bool))
        if self._same_grid(table) and np.array_equal(mask, self.subset_mask):
            # e.g. the node re-ran for a new selection: keep the cells (and the scroll)
            self.table = table
            self._show_selection()
            return
        self.table, self.subset_mask = table, mask
        self._updating = True
        try:
            self._fill_labels()
            self._fill_grid()
            self._show_selection()
        finally:
            self._updating = False

    def _same_grid(self, table: Table | None) -> bool:
        """Whether ``table`` puts the same rows in the same cells as the one shown."""
        old = self.table
        if self._image_column != self.settings.image_column:
            return False
        if table is old:
            return True
        if table is None or old is None or GRID_ROW not in table.metas \
                or GRID_ROW not in old.metas:
            return False
        return (np.array_equal(table.row_ids, old.row_ids)
                and all(np.array_equal(table.metas[k], old.metas[k])
                        for k in (GRID_ROW, GRID_COLUMN)))

    def _fill_labels(self) -> None:
        self.label_combo.clear()
        self.label_combo.addItem("(no label)", "")
        if self.table is not None:
            for name in self.table.column_names:
                if name not in (GRID_ROW, GRID_COLUMN) and not is_selection_meta(name):
                    self.label_combo.addItem(name, name)
        self.label_combo.setCurrentIndex(max(self.label_combo.findData(
            self.settings.title_column), 0))

    def _labels(self) -> list[str]:
        t, wanted = self.table, self.settings.title_column
        if t is None or not wanted or wanted not in t.column_names:
            return []
        return ["" if v is None else str(v) for v in t.column(wanted)]

    def on_status(self, status: NodeStatus) -> None:
        self.empty_hint.refresh()  # "Waiting for input" / "Nothing selected in …" now

    def _empty_text(self) -> str:
        """What the blank grid means, in its place (gui/views/empty_hint.py)."""
        if self.table is not None and GRID_ROW in self.table.metas:
            return getattr(self, "_problem", "") or "The input has no images (0 rows)."
        why = self.node.status().message
        return ("No images to lay out yet.\n\nConnect Image Embedder's Embeddings to this "
                "node's Embeddings input." + (f"\n\n{why}" if why else ""))

    def _fill_grid(self) -> None:
        t = self.table
        if t is None or GRID_ROW not in t.metas:
            self.thumbs.set_items([], [])
            self.model.set_grid(np.full((0, 0), -1), [], self.subset_mask)
            self.info.setText("No grid yet (connect embeddings of images).")
            return
        try:
            column = image_column_of(t, self.settings.image_column)
        except NodeError as exc:
            self.info.setText(str(exc))
            self._problem = str(exc)
            self.empty_hint.refresh()
            return
        self._problem = ""
        r = np.asarray(t.metas[GRID_ROW], dtype=int) - 1
        c = np.asarray(t.metas[GRID_COLUMN], dtype=int) - 1
        rows, cols = grid_shape(len(t), self.settings.rows, self.settings.columns)
        cells = np.full((max(rows, r.max() + 1), max(cols, c.max() + 1)), -1, dtype=int)
        cells[r, c] = np.arange(len(t))
        bases = [b for b in (self.node.directory, Path.cwd()) if b is not None]
        paths = [str(resolve_image_path(str(v), bases)) if v else ""
                 for v in t.metas[column]]
        self._image_column = self.settings.image_column
        self.thumbs.problems.clear()
        self.thumbs.set_items(paths, [Path(p).name for p in paths])
        self.model.set_grid(cells, self._labels(), self.subset_mask)
        self._apply_size()
        self._show_info()

    def _show_info(self) -> None:
        """"48 images, 7 × 7, 3 selected" (and how many are in the Data Subset)."""
        t, model = self.table, self.model
        if t is None or GRID_ROW not in t.metas or self._problem:
            return  # the info says what is missing or wrong
        text = f"{counted(len(t), 'image')}, {model.rowCount()} × {model.columnCount()}"
        if self.subset_mask.any():
            text += f", {int(self.subset_mask.sum())} in the subset"
        picked = len(self.selected_rows())
        self.info.setText(text + (f", {picked} selected" if picked else ""))

    # ------------------------------------------------------------------ settings
    def on_settings(self) -> None:
        s = self.settings
        for spin, value in ((self.size_spin, s.thumbnail_size), (self.rows_spin, s.rows),
                            (self.columns_spin, s.columns)):
            spin.blockSignals(True)
            spin.setValue(int(value))
            spin.blockSignals(False)
        self.fit_combo.setCurrentIndex(max(self.fit_combo.findData(s.fit), 0))
        self.label_combo.setCurrentIndex(max(self.label_combo.findData(s.title_column), 0))
        self.model.set_look(labels=self._labels(), crop=s.fit == "crop")
        self._apply_size()
        self._show_selection()

    def _apply_size(self) -> None:
        edge = int(min(max(self.settings.thumbnail_size, 32), 512))
        self.thumbs.set_size(edge)
        self.grid.setIconSize(QSize(edge, edge))
        label = LABEL_HEIGHT if self.model.labels else 0
        for header, extent in ((self.grid.horizontalHeader(), edge + PAD),
                               (self.grid.verticalHeader(), edge + PAD + label)):
            if header is not None:
                header.setDefaultSectionSize(extent)
                header.setMinimumSectionSize(extent)
        self._fit_window()

    def _fit_window(self) -> None:
        """Size the window so that the whole grid shows, up to 90 % of the screen.

        Why: it opened at 820 × 680 whatever the grid; 7 rows of 100-px cells had the
        last row cut behind a scroll bar while 50 px stood empty right of the grid.
        A window the user resized keeps its size (scroll bars then, as they chose)."""
        if not self.isWindow() or not self.isVisible():
            return  # a side panel's content (presentation), or shown later (showEvent)
        window = self
        if self._chosen_size is None or window.size() != self._chosen_size:
            self._chosen_size = None
            return
        h, v = self.grid.horizontalHeader(), self.grid.verticalHeader()
        if h is None or v is None or not self.model.rowCount():
            return
        frame = 2 * self.grid.frameWidth()
        want = QSize(h.defaultSectionSize() * self.model.columnCount() + frame,
                     v.defaultSectionSize() * self.model.rowCount() + frame)
        size = window.size() + want - self.grid.size()
        screen = window.screen()
        if screen is not None:
            room = screen.availableGeometry().size() * 0.9
            size = size.boundedTo(room)
        size = size.expandedTo(window.minimumSizeHint())
        window.resize(size)
        self._chosen_size = window.size()

    def _show_selection(self) -> None:
        sm = self.grid.selectionModel()
        if sm is None:
            return
        s = self.settings
        picked = row_selection(self.table, s.selected, s.selection_context,
                               self.node.directory)
        was = self._updating
        self._updating = True
        try:
            sm.clearSelection()
            for row in picked:
                index = self.model.index_of(row)
                if index.isValid():
                    sm.select(index, sm.SelectionFlag.Select)
        finally:
            self._updating = was
        self._show_info()

    def selected_rows(self) -> list[int]:
        sm = self.grid.selectionModel()
        rows = {self.model.row_at(ix) for ix in (sm.selectedIndexes() if sm else [])}
        return sorted(r for r in rows if r >= 0)

    def _on_selection(self) -> None:
        rows = self.selected_rows()
        self._show_info()
        self.set_settings(selected=rows, selection_context=rows_context(
            self.table, rows, self.node.directory))


@register_view("petriflow.image_grid")
def make_view(node: NodeFacade) -> QWidget:
    return ImageGridView(node)
