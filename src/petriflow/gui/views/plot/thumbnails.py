"""Points drawn as small thumbnails (the *Thumbnails* option, up to
:data:`MAX_POINTS` points).

Why a limit: each thumbnail is a decoded image and a graphics item; beyond a few hundred
they overlap into a mosaic nobody can read and decoding them takes seconds. Images are
decoded on the node's task runner through the hover cache's decoder and appear as they
arrive; until then (or when a file is missing) a grey square stands in.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtGui import QColor, QImage, QPen, QPixmap
from PyQt6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem, QGraphicsRectItem

from petriflow.gui.views._facade import TaskRunner
from petriflow.gui.views.plot.hover import ThumbnailCache
from petriflow.gui.views.plot.points import RING_COLORS

__all__ = ["MAX_POINTS", "THUMB_EDGE", "ThumbnailLayer"]

MAX_POINTS = 500
THUMB_EDGE = 40
#: opacity of thumbnails outside the Data Subset
FADED_OPACITY = 0.3


class ThumbnailLayer:
    """Pixmap items at data positions, a fixed size on screen whatever the zoom."""

    max_points = MAX_POINTS

    def __init__(self, plot_item: pg.PlotItem, tasks: TaskRunner) -> None:
        self.plot_item = plot_item
        self.cache = ThumbnailCache(tasks, THUMB_EDGE)
        self.items: dict[str, list[QGraphicsPixmapItem]] = {}
        self.frames: list[QGraphicsRectItem] = []
        placeholder = QPixmap(THUMB_EDGE // 2, THUMB_EDGE // 2)
        placeholder.fill(QColor("#cccccc"))
        self.placeholder = placeholder

    def clear(self) -> None:
        for items in self.items.values():
            for item in items:
                self.plot_item.removeItem(item)
        for frame in self.frames:
            self.plot_item.removeItem(frame)
        self.items, self.frames = {}, []

    def show(self, xy: np.ndarray, paths: list[str], selected: np.ndarray,
             colors: list[str] | None = None, faded: np.ndarray | None = None) -> None:
        """Thumbnails at ``xy``, framed in each point's colour, or its selection group's
        ring colour when ``selected`` (a mask or each point's group, 0 = none); the
        ``faded`` ones (outside a Data Subset) pale and below the others, as the points
        are drawn."""
        self.clear()
        colors = colors or [""] * len(paths)
        fade = np.zeros(len(paths), dtype=bool) if faded is None else np.asarray(faded)
        for (x, y), path, group, color, pale in zip(xy, paths, np.asarray(selected, dtype=int),
                                                   colors, fade, strict=True):
            sel = int(group) > 0
            item = QGraphicsPixmapItem()
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            item.setPos(float(x), float(y))
            if pale:
                item.setOpacity(FADED_OPACITY)
            self.plot_item.addItem(item)
            item.setZValue(0 if pale else 2 if sel else 1)  # the subset, selection on top
            self.items.setdefault(path, []).append(item)
            self._set(item, self.cache.get(path, self._arrived) if path else "no image")
            if sel or color:  # the class colour, or the selection, around the image
                frame = QGraphicsRectItem(item.boundingRect(), item)
                ring = RING_COLORS[(int(group) - 1) % len(RING_COLORS)] if sel else color
                pen = QPen(QColor(ring), 3 if sel else 2)
                pen.setCosmetic(True)
                frame.setPen(pen)
                self.frames.append(frame)

    def _set(self, item: QGraphicsPixmapItem, image: Any) -> None:
        pix = QPixmap.fromImage(image) if isinstance(image, QImage) else self.placeholder
        item.setPixmap(pix)
        item.setOffset(-pix.width() / 2, -pix.height() / 2)
        for child in item.childItems():  # the frame follows the image's size
            if isinstance(child, QGraphicsRectItem):
                child.setRect(item.boundingRect())
        item.setToolTip(image if isinstance(image, str) else "")

    def _arrived(self, path: str) -> None:
        for item in self.items.get(path, []):
            self._set(item, self.cache.images.get(path))
