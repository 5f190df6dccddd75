"""Image Viewer view: a thumbnail grid of the input's images; selection is a setting.

Why a model/view list rather than one widget per image: a QListView in icon mode asks
the model only for the items it paints, so a folder of 10 000 images opens instantly and
only the visible thumbnails are decoded. Decoding (Pillow with ``draft`` for JPEGs, via
:func:`petriflow.analysis.images.load_image`) runs on the node's task runner — never on
the GUI thread, and stopped by the node's cancel — and the results are kept in an LRU
cache keyed by (path, edge size).

Space or a double-click on a thumbnail opens a larger preview (:class:`ImagePreview`):
the image is decoded on a worker at up to :data:`PREVIEW_EDGE` pixels and scaled to fit
the window; Esc closes it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from PyQt6 import sip
from PyQt6.QtCore import (
    QAbstractListModel,
    QCoreApplication,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
)
from PyQt6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap, QResizeEvent
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from petriflow.analysis.images import load_image
from petriflow.core.node import Cancelled, CancelToken, NodeError
from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import (
    NodeFacade,
    NodeView,
    SelectionOnRelease,
    TaskRunner,
    class_colors,
    row_selection,
    rows_context,
)
from petriflow.gui.views.dendrogram import ClassLegend
from petriflow.gui.views.export_actions import add_export_actions
from petriflow.nodes.image_viewer import image_column_of, resolve_image_path

__all__ = [
    "ImagePreview", "ImageViewerView", "ThumbnailModel", "decode_thumbnail", "thumbnail_list",
]

#: decoded thumbnails kept in memory (per view)
CACHE_ITEMS = 2000
#: the longest edge (pixels) an image is decoded at for the preview window
PREVIEW_EDGE = 2048


def _title_text(value: Any) -> str:
    """A title from a cell: numbers to three significant digits ("0.873", "12.5")."""
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{float(value):.3g}"
    return str(value)


def decode_thumbnail(path: Path, size: int) -> QImage:
    """A thumbnail no larger than ``size`` (runs on a worker thread)."""
    from PIL import Image

    loaded = load_image(path, target_size=size)
    img = Image.fromarray(np.ascontiguousarray(loaded.as_rgb()), "RGB")
    img.thumbnail((size, size))
    rgb = img.convert("RGB")
    data = rgb.tobytes()
    qimg = QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888)
    return qimg.copy()  # own the pixels (``data`` is freed with this frame)


class ThumbnailModel(QAbstractListModel):
    """Rows of the input table: title text and a lazily decoded thumbnail.

    Decodes run on ``tasks`` (the view's node's runner; a private one when the model
    is used alone): the pool leaves a core to the GUI thread, and a cancelled decode
    is asked for again the next time its thumbnail is painted.
    """

    def __init__(self, parent: QObject | None = None, tasks: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.paths: list[str] = []
        self.titles: list[str] = []
        #: title colour per row (the row's class), or None
        self.colors: list[QColor | None] = []
        self.rows_of: dict[str, list[int]] = {}
        self.size = 100
        self.cache: OrderedDict[tuple[str, int], QPixmap | None] = OrderedDict()
        self.pending: set[tuple[str, int]] = set()
        #: ids of the threads that decoded (tests check the GUI thread is not one)
        self.decode_threads: set[int] = set()
        self.tasks = tasks if tasks is not None else TaskRunner()
        self._placeholder: QPixmap | None = None
        self._broken: QPixmap | None = None
        #: paths whose decode failed (damaged or not an image): drawn crossed out, not
        #: in the grey of a thumbnail still loading, which they looked like for ever
        self.broken: set[str] = set()
        #: newest request first: when scrolling fast, what is on screen now decodes
        #: before what scrolled past
        self._requests = 0
        #: decoded thumbnails not yet shown: shown together, one repaint per event-loop
        #: pass instead of one per thumbnail
        self._arrived: list[tuple[tuple[str, int], QImage | None]] = []
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(0)
        self._flush.timeout.connect(self._show_arrived)

    @property
    def pool(self) -> QThreadPool:
        """The decoders' thread pool (one core fewer than the machine has)."""
        return self.tasks.pool

    def set_items(self, paths: list[str], titles: list[str],
                  colors: list[QColor | None] | None = None) -> None:
        self.beginResetModel()
        self.broken &= set(paths)
        self.paths, self.titles = paths, titles
        self.colors = list(colors) if colors is not None else []
        self.rows_of: dict[str, list[int]] = {}
        for row, path in enumerate(paths):
            self.rows_of.setdefault(path, []).append(row)
        self.endResetModel()

    def set_size(self, size: int) -> None:
        if size != self.size:
            self.size = size
            self._placeholder = None
            if self.paths:
                self.dataChanged.emit(self.index(0), self.index(len(self.paths) - 1))

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.paths)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.titles[row]
        if role == Qt.ItemDataRole.ForegroundRole:
            color = self.colors[row] if row < len(self.colors) else None
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            path = self.paths[row]
            return (f"{path}\nCannot be read: damaged, or not an image"
                    if path in self.broken else path)
        if role == Qt.ItemDataRole.DecorationRole:
            key = (self.paths[row], self.size)
            if key in self.cache:
                self.cache.move_to_end(key)
                return self.cache[key] or self.broken_placeholder()
            if key not in self.pending:  # asked for = visible: decode it now, off-thread
                self.pending.add(key)
                self._requests += 1
                self.tasks.run(lambda _token, key=key: self._decode(key),
                               lambda image, error, key=key: self._decoded(key, image, error),
                               priority=self._requests % 2**30)
            return self.placeholder()
        return None

    def placeholder(self) -> QPixmap:
        if self._placeholder is None:
            pm = QPixmap(self.size, self.size)
            pm.fill(QColor("#e8e8e8"))
            self._placeholder = pm
        return self._placeholder

    def broken_placeholder(self) -> QPixmap:
        """A pale red square crossed out: this image could not be read."""
        if self._broken is None or self._broken.width() != self.size:
            pm = QPixmap(self.size, self.size)
            pm.fill(QColor("#f6e3e3"))
            painter = QPainter(pm)
            painter.setPen(QPen(QColor("#b00020"), max(2, self.size // 32)))
            m = self.size // 4
            painter.drawLine(m, m, self.size - m, self.size - m)
            painter.drawLine(self.size - m, m, m, self.size - m)
            painter.end()
            self._broken = pm
        return self._broken

    def _decode(self, key: tuple[str, int]) -> QImage | None:
        """On a worker thread."""
        self.decode_threads.add(threading.get_ident())
        try:
            return decode_thumbnail(Path(key[0]), key[1])
        except Exception:  # a broken file shows as a grey placeholder, not a crash
            return None

    def _decoded(self, key: tuple[str, int], image: QImage | None,
                 error: BaseException | None) -> None:
        if sip.isdeleted(self):
            return  # the view closed while this decode ran
        if isinstance(error, Cancelled):
            self.pending.discard(key)  # not decoded: asked for again when painted
            return
        self._on_loaded(key, image)

    def _on_loaded(self, key: tuple[str, int], image: QImage | None) -> None:
        self._arrived.append((key, image))
        if not self._flush.isActive():
            self._flush.start()

    def _show_arrived(self) -> None:
        arrived, self._arrived = self._arrived, []
        rows: list[int] = []
        for key, image in arrived:
            self.pending.discard(key)
            self.cache[key] = QPixmap.fromImage(image) if image is not None else None
            if image is None:
                self.broken.add(key[0])
            if key[1] == self.size:
                rows.extend(self.rows_of.get(key[0], ()))
        while len(self.cache) > CACHE_ITEMS:
            self.cache.popitem(last=False)
        if rows:
            self.dataChanged.emit(self.index(min(rows)), self.index(max(rows)),
                                  [Qt.ItemDataRole.DecorationRole])

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Wait for the decodes under way and show them (tests, benchmarks)."""
        done = self.pool.waitForDone(msecs)
        QCoreApplication.sendPostedEvents()  # the decoders' queued "loaded" signals
        self._show_arrived()
        return done


def thumbnail_list(model: ThumbnailModel) -> QListView:
    """A grid of ``model``'s thumbnails as every image view shows them: uniform cells
    that reflow with the window, extended selection, and a drag that selects instead
    of moving images (the Image Viewer and Annotate Images look and behave alike)."""
    view = QListView()
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setMovement(QListView.Movement.Static)
    view.setUniformItemSizes(True)
    view.setWordWrap(False)
    view.setSpacing(6)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setDragEnabled(False)
    view.setModel(model)
    return view


class ImagePreview(QDialog):
    """A larger view of one image, scaled to fit the window; Esc closes it.

    ``path`` is the file shown; the image is decoded on a worker (``loaded`` is False
    until it arrives, and a stale decode for a previous path is dropped).
    """

    def __init__(self, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window)
        self.tasks = tasks
        self.path = ""
        self.loaded = False
        self.pixmap: QPixmap | None = None
        self._token: CancelToken | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("Loading…")
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setMinimumSize(64, 64)
        self.label.setStyleSheet("background: #222; color: #ccc;")
        layout.addWidget(self.label)
        self.resize(800, 640)

    def show_image(self, path: str, title: str = "") -> None:
        self.path, self.loaded, self.pixmap = path, False, None
        self.setWindowTitle(f"{Path(path).name} — {title}" if title else Path(path).name)
        self.setToolTip(path)
        self.label.setPixmap(QPixmap())
        self.label.setText("Loading…")
        if self._token is not None:
            self._token.cancel()  # an earlier image still decoding: not wanted now

        def done(image: Any, error: BaseException | None) -> None:
            if sip.isdeleted(self) or self._token is not token:
                return
            self.loaded = True
            if isinstance(error, Cancelled):
                self.label.setText("Cancelled")
                return
            if error is not None or image is None:
                self.label.setText(f"Cannot read {Path(path).name}")
                return
            self.pixmap = QPixmap.fromImage(image)
            self.label.setText("")
            self._fit()

        token = self.tasks.run(lambda _token: decode_thumbnail(Path(path), PREVIEW_EDGE), done)
        self._token = token
        self.show()
        self.raise_()
        self.activateWindow()

    def _fit(self) -> None:
        if self.pixmap is not None and not self.pixmap.isNull():
            self.label.setPixmap(self.pixmap.scaled(
                self.label.size(), Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()


class ImageViewerView(NodeView):
    """Thumbnail grid, size slider, title column; the selection is ``selected``."""

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self.table: Table | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Title"))
        self.title_combo = QComboBox()
        self.title_combo.activated.connect(
            lambda i: self.set_settings(title_column=self.title_combo.itemData(i) or ""))
        bar.addWidget(self.title_combo)
        bar.addSpacing(16)
        bar.addWidget(QLabel("Size"))
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(32, 512)
        self.size_slider.setMaximumWidth(240)
        self.size_slider.valueChanged.connect(self._preview_size)
        self.size_slider.sliderReleased.connect(self._commit_size)
        bar.addWidget(self.size_slider)
        bar.addStretch(1)
        self.info = QLabel()
        self.info.setStyleSheet("color: #555;")
        bar.addWidget(self.info)
        layout.addLayout(bar)
        self.legend = ClassLegend()  # titles are coloured by class
        layout.addWidget(self.legend)
        self.model = ThumbnailModel(self, self.node.tasks)
        self.model.dataChanged.connect(self._count_images)  # a decode found a bad file
        self.list = thumbnail_list(self.model)
        self._selection = SelectionOnRelease(self.list, self._on_selection)
        self.list.viewport().installEventFilter(self)  # double-click: preview
        self.list.installEventFilter(self)  # Space: preview
        self.preview: ImagePreview | None = None
        layout.addWidget(self.list, 1)
        # what an empty grid means, in its place: a blank white panel told a first-time
        # user nothing (the node before may simply have nothing selected yet)
        self.empty = QLabel()
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #555; background: white; border: 1px solid #bbb;"
                                 " padding: 24px;")
        layout.addWidget(self.empty, 1)
        add_export_actions(self, image=self.list)
        self.resize(820, 640)
        self._updating = True
        try:
            self._apply_size(self.settings.thumbnail_size)
        finally:
            self._updating = False
        self._loaded = False  # on_data fills even when the first input is None
        self.on_data()

    def is_ready(self) -> bool:
        return not self.model.pending

    # ------------------------------------------------------------------ data
    def on_data(self) -> None:
        table = self.inputs().get("Data")
        if table is self.table and self._loaded:
            return
        self.table, self._loaded = table, True
        self._updating = True
        try:
            self._fill_titles()
            self._fill_items()
            self._show_selection()
        finally:
            self._updating = False

    def _fill_titles(self) -> None:
        self.title_combo.clear()
        has_class = self.table is not None and self.table.has_class
        self.title_combo.addItem("(image name, class by colour)" if has_class
                                 else "(image name)", "")
        if self.table is not None:
            if self.table.has_class:
                self.title_combo.addItem(self.table.class_name, self.table.class_name)
            # numbers too (as "0.87"): Annotate Images' "uncertainty" and Predictions'
            # probabilities are what "least sure first" is about, and were not offered
            for name in self.table.metas:
                self.title_combo.addItem(name, name)
        ix = self.title_combo.findData(self.settings.title_column)
        self.title_combo.setCurrentIndex(max(ix, 0))

    def _titles(self) -> list[str]:
        t, wanted = self.table, self.settings.title_column
        assert t is not None
        if wanted and wanted in t.column_names:
            return [_title_text(v) for v in t.column(wanted)]
        # by default the image's own name: the class is already shown by the colour
        for name in ("image name", "name"):
            if name in t.metas:
                return [str(v) for v in t.metas[name]]
        if t.has_class:
            return [str(v) for v in t.class_labels()]
        return [str(i + 1) for i in range(len(t))]

    def _title_colors(self) -> list[QColor | None] | None:
        """Each row's class colour (the dendrogram's and the projections'), or None."""
        t = self.table
        if t is None or not t.has_class or t.y is None:
            return None
        palette = class_colors(len(t.class_values))
        return [palette[int(c)] if c >= 0 else None for c in np.asarray(t.y).tolist()]

    def _show_empty(self, why: str) -> None:
        """No thumbnails: ``why`` in the grid's place (``""``: the grid)."""
        self.empty.setText(why)
        self.empty.setVisible(bool(why))
        self.list.setVisible(not why)

    def _fill_items(self) -> None:
        if self.table is None:
            self.model.set_items([], [])
            self.legend.set_classes(())
            self.info.setText("No data on the input.")
            self._show_empty(
                "No images to show yet.\n\nConnect a node that sends images to this "
                "one's Data input (Import Images, Image Embedder), or, if one is "
                "connected, select images there: a dendrogram branch, a confusion-matrix "
                "cell, points in a plot, rows in a table.")
            return
        try:
            column = image_column_of(self.table, self.settings.image_column)
        except NodeError as exc:
            self.model.set_items([], [])
            self.info.setText(str(exc))
            self._show_empty(str(exc))
            return
        self._show_empty("" if len(self.table) else "The input has no images (0 rows).")
        bases = [b for b in (self.node.directory, Path.cwd()) if b is not None]
        paths = [str(resolve_image_path(str(v), bases)) if v else ""
                 for v in self.table.metas[column]]
        self.model.set_items(paths, self._titles(), self._title_colors())
        self.legend.set_classes(tuple(str(c) for c in self.table.class_values)
                                if self.table.has_class else ())
        self._count_images()

    def _count_images(self, *_: Any) -> None:
        """ "5 images", and how many of those shown could not be read."""
        if self.table is None or not self.model.paths:
            return
        n, bad = len(self.model.paths), len(self.model.broken)
        self.info.setText(f"{counted(n, 'image')}"
                          + (f", {bad} cannot be read" if bad else ""))

    # ------------------------------------------------------------------ settings
    def on_settings(self) -> None:
        s = self.settings
        self._apply_size(s.thumbnail_size)
        if self.table is not None:
            ix = self.title_combo.findData(s.title_column)
            self.title_combo.setCurrentIndex(max(ix, 0))
            self.model.titles = self._titles()
            if self.model.paths:
                self.model.dataChanged.emit(self.model.index(0),
                                            self.model.index(len(self.model.paths) - 1))
        self._show_selection()

    def _apply_size(self, size: int) -> None:
        size = int(min(max(size, 32), 1024))
        self.size_slider.blockSignals(True)
        self.size_slider.setValue(size)
        self.size_slider.blockSignals(False)
        self._preview_size(size)

    def _preview_size(self, size: int) -> None:
        self.model.set_size(size)
        self.list.setIconSize(QSize(size, size))
        self.list.setGridSize(QSize(size + 16, size + 28))
        if not self.size_slider.isSliderDown() and not self._updating:
            self._commit_size()  # keyboard or wheel: no release to wait for

    def _commit_size(self) -> None:
        self.set_settings(thumbnail_size=int(self.size_slider.value()))

    def _show_selection(self) -> None:
        n = self.model.rowCount()
        selection = QItemSelection()
        s = self.settings
        picked = row_selection(self.table, s.selected, s.selection_context,
                               self.node.directory)
        rows = sorted({r for r in picked if 0 <= r < n})
        # contiguous runs: one range each; one range per row made "select all" of
        # 20,000 thumbnails freeze the window for seconds
        start = prev = None
        for row in [*rows, None]:
            if start is not None and (row is None or row != prev + 1):
                selection.select(self.model.index(start), self.model.index(prev))
                start = None
            if row is not None and start is None:
                start = row
            prev = row
        was = self._updating
        self._updating = True
        try:
            self.list.selectionModel().select(
                selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            self._updating = was

    def eventFilter(self, obj: Any, event: Any) -> bool:
        """Space or a double-click opens the larger preview (the selection itself is
        written once per gesture by ``SelectionOnRelease``)."""
        kind = event.type()
        if (obj is self.list and kind == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Space and not event.isAutoRepeat()):
            self.open_preview(self.list.currentIndex())
            return True
        if (kind == QEvent.Type.MouseButtonDblClick
                and event.button() == Qt.MouseButton.LeftButton):
            index = self.list.indexAt(event.position().toPoint())
            if index.isValid():
                self.open_preview(index)
                return True
        return super().eventFilter(obj, event)

    def open_preview(self, index: QModelIndex) -> None:
        """Show the image of ``index`` (the current item for Space) in the preview."""
        if not index.isValid() or not self.model.paths[index.row()]:
            return
        if self.preview is None:
            self.preview = ImagePreview(self.node.tasks, self)
        row = index.row()
        self.preview.show_image(self.model.paths[row], self.model.titles[row])

    def _on_selection(self) -> None:
        rows = sorted(ix.row() for ix in self.list.selectionModel().selectedIndexes())
        self.set_settings(selected=rows, selection_context=rows_context(
            self.table, rows, self.node.directory))


@register_view("petriflow.image_viewer")
def make_view(node: NodeFacade) -> QWidget:
    return ImageViewerView(node)
