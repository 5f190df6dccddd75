"""What the pointer is over: the nearest point's image thumbnail and chosen columns, in a
small overlay shown at once.

Why an overlay, not a QToolTip: a tooltip waits ~700 ms and cannot be updated when the
decoded image arrives. The overlay shows the text immediately; the thumbnail comes from
a cache, or is decoded on the node's task runner (the Image Viewer's
:func:`~petriflow.gui.views.image_viewer.decode_thumbnail`, never on the GUI thread) and
shown when it arrives if the pointer is still on that point. A missing or unreadable
file shows a placeholder with the reason.

The hovered point itself gets a dark ring (:func:`hover_ring`), so it is plain which of
many overlapping points the picture belongs to: one extra one-spot item, moved on each
hover, never a restyle of the 50,000-point layer.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pyqtgraph as pg
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtGui import QAction, QColor, QImage, QPen, QPixmap
from PyQt6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from petriflow.core.node import Cancelled
from petriflow.gui.views._facade import TaskRunner
from petriflow.gui.views.plot.encode import column_choices

__all__ = ["HOVER_EDGE", "HoverMixin", "HoverOverlay", "ThumbnailCache", "hover_ring"]

#: the longest edge of a hover thumbnail (pixels)
HOVER_EDGE = 160
#: thumbnails kept per view
CACHE_ITEMS = 500
#: the hover ring's colour and how far (pixels) it stands off the marker's edge
RING_COLOR = "#111111"
RING_GAP = 4


def hover_ring() -> pg.ScatterPlotItem:
    """The ring drawn round the hovered point: above every point and selection ring,
    outside the plot's bounds (it never changes the range)."""
    pen = QPen(QColor(RING_COLOR))
    pen.setCosmetic(True)
    pen.setWidthF(2.0)
    ring = pg.ScatterPlotItem(pen=pen, brush=None, symbol="o", pxMode=True)
    ring.setBrush(QColor(0, 0, 0, 0))
    ring.setZValue(1e8)
    ring.hide()
    return ring


class ThumbnailCache:
    """Decoded thumbnails by path, least recently used dropped; decodes on ``tasks``.

    ``get(path, done)`` returns a cached image (or the reason it failed) at once, or
    None after starting a decode whose ``done(path)`` runs on the GUI thread."""

    def __init__(self, tasks: TaskRunner, edge: int = HOVER_EDGE) -> None:
        self.tasks, self.edge = tasks, edge
        self.images: OrderedDict[str, QImage | str] = OrderedDict()
        self.pending: set[str] = set()
        #: threads that decoded (tests check the GUI thread never does)
        self.decode_threads: set[int] = set()

    def get(self, path: str, done: Any) -> QImage | str | None:
        if path in self.images:
            self.images.move_to_end(path)
            return self.images[path]
        if not path:
            return "no image file for this row"
        if path not in self.pending:
            self.pending.add(path)
            self.tasks.run(lambda _t: self._decode(path),
                           lambda img, err: self._arrived(path, img, err, done), priority=1)
        return None

    def _decode(self, path: str) -> QImage | str:
        from petriflow.gui.views.image_viewer import decode_thumbnail

        self.decode_threads.add(threading.get_ident())
        if not os.path.exists(path):
            return f"file not found: {path}"
        try:
            return decode_thumbnail(Path(path), self.edge)
        except Exception as exc:  # an unreadable file is shown, not raised
            return f"cannot read {Path(path).name}: {exc}"

    def _arrived(self, path: str, image: Any, error: BaseException | None, done: Any) -> None:
        self.pending.discard(path)
        if isinstance(error, Cancelled):
            return  # asked for again on the next hover
        self.images[path] = image if error is None else f"cannot read: {error}"
        while len(self.images) > CACHE_ITEMS:
            self.images.popitem(last=False)
        done(path)


class HoverOverlay(QFrame):
    """A frame floating over the plot: thumbnail (or placeholder) and text lines."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.Box)
        self.setStyleSheet("HoverOverlay { background: #fffff4; border: 1px solid #999; }")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(2)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel()
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.image)
        layout.addWidget(self.text)
        #: the row shown (tests), and the path whose image is awaited
        self.row: int | None = None
        self.path = ""
        #: the ring on the hovered point (set by :class:`HoverMixin`), hidden with this
        self.ring: pg.ScatterPlotItem | None = None
        self.hide()

    def show_row(self, row: int, lines: list[str], image: QImage | str | None,
                 path: str, at: QPoint) -> None:
        self.row, self.path = row, path
        self.text.setText("\n".join(lines))
        self.set_image(image)
        self.adjustSize()
        parent = self.parentWidget()
        x, y = at.x() + 16, at.y() + 16
        if parent is not None:  # keep it inside the view
            x = min(x, parent.width() - self.width() - 2)
            y = y if y + self.height() < parent.height() else at.y() - self.height() - 8
        self.move(max(0, x), max(0, y))
        self.show()
        self.raise_()

    def set_image(self, image: QImage | str | None) -> None:
        """A thumbnail, a reason it cannot be shown (placeholder), or "loading"."""
        if isinstance(image, QImage):
            self.image.setPixmap(QPixmap.fromImage(image))
            self.image.setToolTip("")
            return
        pix = QPixmap(HOVER_EDGE // 2, HOVER_EDGE // 2)
        pix.fill(QColor("#e8e8e8"))
        self.image.setPixmap(pix)
        if image is None:
            self.image.setToolTip("loading…")
        else:
            self.text.setText(f"{self.text.text()}\n⚠ {image}")
            self.image.setToolTip(image)
        self.adjustSize()

    @property
    def loaded(self) -> bool:
        """True when the shown row's thumbnail is on screen (tests, benchmarks)."""
        return self.isVisible() and not self.image.toolTip()

    def clear(self) -> None:
        self.row = None
        self.path = ""
        self.hide()
        if self.ring is not None and self.ring.isVisible():
            self.ring.hide()


#: the pointer must be this close (pixels, beyond the marker's radius) to a point
HOVER_PIXELS = 4.0


class HoverMixin:
    """Hover for :class:`~petriflow.gui.views._projection.ProjectionView`: the nearest
    drawn point under the pointer (in pixels, vectorised: ~1 ms for 50,000 points)."""

    node: Any
    table: Any
    xy: Any
    shown: Any
    sizes: Any
    plot: Any
    box: Any
    settings: Any
    hover_menu: Any
    set_settings: Any
    marker_size: Any

    def init_hover(self) -> None:
        self.overlay = HoverOverlay(self.plot)
        self.overlay.ring = hover_ring()
        self.plot.plot_item.addItem(self.overlay.ring, ignoreBounds=True)
        self.thumb_cache = ThumbnailCache(self.node.tasks)
        self._paths: dict[int, str] = {}
        self._image_column = None
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot.left.connect(self.overlay.clear)

    def clear_hover(self, table: Any) -> None:
        """New data: forget the resolved paths (decoded images stay cached by path)."""
        self._paths = {}
        self._image_column: str | None = None
        if table is not None:
            from petriflow.nodes.image_viewer import image_column_of

            try:
                self._image_column = image_column_of(table)
            except Exception:  # no image column: text only
                self._image_column = None
        self.overlay.clear()

    def _image_paths_at(self, rows: Any) -> list[str]:
        """The rows' image files, resolved against the workflow's folder ("" = none);
        resolved when first asked (a stat per row: 50,000 would take half a second)."""
        from petriflow.nodes.image_viewer import resolve_image_path

        column = self._image_column
        if self.table is None or column is None:
            return [""] * len(rows)
        values = self.table.metas[column]
        bases = [b for b in (self.node.directory, Path.cwd()) if b is not None]
        out = []
        for r in rows:
            r = int(r)
            if r not in self._paths:
                v = values[r]
                self._paths[r] = str(resolve_image_path(str(v), bases)) if v else ""
            out.append(self._paths[r])
        return out

    def point_at(self, scene_pos: Any) -> int | None:
        """The row of the drawn point under ``scene_pos``, or None."""
        if self.table is None or len(self.shown) == 0:
            return None
        view = self.box.mapSceneToView(scene_pos)
        pw, ph = self.box.viewPixelSize()
        if not pw or not ph:
            return None
        xy = self.xy[self.shown]
        d2 = ((xy[:, 0] - view.x()) / pw) ** 2 + ((xy[:, 1] - view.y()) / ph) ** 2
        k = int(d2.argmin())
        radius = self.sizes[self.shown[k]] / 2 + HOVER_PIXELS
        return int(self.shown[k]) if d2[k] <= radius * radius else None

    def _on_mouse_moved(self, scene_pos: Any) -> None:
        from PyQt6.QtWidgets import QApplication

        if QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            self.overlay.clear()  # a drag (selection, pan) is not a hover
            return
        row = self.point_at(scene_pos)
        if row is None:
            self.overlay.clear()
            return
        if row == self.overlay.row and self.overlay.isVisible():
            return
        at = self.plot.mapFromScene(scene_pos)
        path = self._image_paths_at([row])[0]
        image = self.thumb_cache.get(path, self._thumb_arrived) if path else None
        self.overlay.show_row(row, self.hover_lines(row), image if path else
                              "no image column", path, at)
        self.ring_on(row)

    def ring_on(self, row: int) -> None:
        """The hover ring round ``row``'s marker (also after the point moved)."""
        ring = self.overlay.ring
        if ring is None:
            return
        x, y = self.xy[row]
        ring.setData([float(x)], [float(y)], size=self.marker_size(row) + 2 * RING_GAP)
        ring.show()

    def hover_lines(self, row: int) -> list[str]:
        """The hovered row's name (or image file), class and the chosen columns."""
        table = self.table
        lines: list[str] = []
        path = self._image_paths_at([row])[0]
        if path:
            lines.append(Path(path).name)
        if table.has_class and table.class_name:
            lines.append(f"{table.class_name}: {table.column(table.class_name)[row]}")
        for name in self.settings.hover_columns:
            if name in table.column_names and name != table.class_name:
                lines.append(f"{name}: {table.column(name)[row]}")
        return lines or [f"row {row + 1}"]

    def _thumb_arrived(self, path: str) -> None:
        if self.overlay.isVisible() and self.overlay.path == path:
            self.overlay.set_image(self.thumb_cache.images.get(path))

    def _fill_hover_menu(self, table: Any) -> None:
        """The Hover menu: a checkable entry per column, ticked as the settings say."""
        chosen = set(self.settings.hover_columns)
        names = column_choices(table)
        if [a.text() for a in self.hover_menu.actions()] == names and chosen == {
                a.text() for a in self.hover_menu.actions() if a.isChecked()}:
            return
        self.hover_menu.clear()
        for name in names:
            action = QAction(name, self.hover_menu)
            action.setCheckable(True)
            action.setChecked(name in chosen)
            action.toggled.connect(self._on_hover_columns)
            self.hover_menu.addAction(action)

    def _on_hover_columns(self, _on: bool) -> None:
        self.set_settings(hover_columns=[a.text() for a in self.hover_menu.actions()
                                         if a.isChecked()])
