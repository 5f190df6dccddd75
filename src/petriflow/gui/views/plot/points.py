"""The points layer: every marker drawn with one ``drawPixmapFragments`` call from a
small atlas of pre-rendered sprites, positions mapped with numpy.

Why not pyqtgraph's ScatterPlotItem: its ``setData`` looks up a sprite per point in
Python (65 ms for 50,000 points even with one style), which a selection, a legend
click or a new layout pays each time. Here a style is one integer per point (colour,
fading, symbol, size, selection ring — see :meth:`PointsLayer.set_points`): restyling
50,000 points is a few numpy passes, and only the distinct styles are rendered.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF
from PyQt6.QtGui import QBrush, QColor, QPainter, QPen, QPixmap
from pyqtgraph.graphicsItems.ScatterPlotItem import renderSymbol
from pyqtgraph.Qt import internals

from petriflow.gui.views.plot.encode import SYMBOLS

__all__ = ["RING_COLORS", "PointsLayer", "Style", "styled"]

#: a style: (symbol, size in pixels, fill colour, selection ring: 0 = none, else the
#: selection group, whose colour is ``RING_COLORS[(ring - 1) % len(RING_COLORS)]``)
Style = tuple[str, int, QColor, int]
#: ring colours of selection groups 1, 2, … (group 1 black, as a single selection)
RING_COLORS = ("#000000", "#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e")


class PointsLayer(pg.GraphicsObject):
    """Markers at data positions, a fixed size on screen whatever the zoom."""

    def __init__(self) -> None:
        super().__init__()
        self.xy: np.ndarray = np.zeros((0, 2))
        self.sprite: np.ndarray = np.zeros(0, dtype=int)
        #: the symbol of each drawn point (tests and exports)
        self.symbols: np.ndarray = np.zeros(0, dtype=object)
        #: the distinct styles drawn (tests: the selection groups' rings)
        self.styles: list[Style] = []
        self.atlas = QPixmap()
        self.rects: np.ndarray = np.zeros((0, 4), dtype=int)
        self._bounds = QRectF()
        self._pad = 0.0
        self._frags = internals.PrimitiveArray(QPainter.PixmapFragment, 10)

    def set_points(self, xy: np.ndarray, sprite: np.ndarray, styles: list[Style]) -> None:
        """Draw ``xy`` (finite, in drawing order) with ``styles[sprite[i]]``."""
        self.prepareGeometryChange()
        self.xy = np.ascontiguousarray(xy, dtype=float)
        self.sprite = np.asarray(sprite, dtype=int)
        self.symbols = np.array([s[0] for s in styles] + [None], dtype=object)[:-1][
            self.sprite] if len(styles) else np.zeros(0, dtype=object)
        self.styles = styles
        self._render_atlas(styles)
        if len(self.xy):
            lo, hi = self.xy.min(axis=0), self.xy.max(axis=0)
            self._bounds = QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        else:
            self._bounds = QRectF()
        self._pad = max((s[1] for s in styles), default=0) / 2 + 2
        self.informViewBoundsChanged()
        self.update()

    def clear(self) -> None:
        self.set_points(np.zeros((0, 2)), np.zeros(0, dtype=int), [])

    def _render_atlas(self, styles: list[Style]) -> None:
        images = []
        for symbol, size, color, ring in styles:
            pen = pg.mkPen(None)
            if ring:
                # cosmetic: renderSymbol scales the painter by the size, so a plain
                # 2-px pen would be 2 × size pixels wide and hide the marker
                pen = QPen(QColor(RING_COLORS[(ring - 1) % len(RING_COLORS)]), 2.0)
                pen.setCosmetic(True)
            images.append(renderSymbol(symbol, size, pen, QBrush(color)))
        width = sum(im.width() for im in images)
        height = max((im.height() for im in images), default=0)
        self.atlas = QPixmap(max(1, width), max(1, height))
        self.atlas.fill(QColor(0, 0, 0, 0))
        rects = []
        painter = QPainter(self.atlas)
        x = 0
        for im in images:
            painter.drawImage(x, 0, im)
            rects.append((x, 0, im.width(), im.height()))
            x += im.width()
        painter.end()
        self.rects = np.array(rects, dtype=float).reshape(-1, 4)

    # ------------------------------------------------------------------ geometry
    def boundingRect(self) -> QRectF:
        px = self.pixelLength(pg.Point(1, 0)) or 0.0
        py = self.pixelLength(pg.Point(0, 1)) or 0.0
        return self._bounds.adjusted(-self._pad * px, -self._pad * py,
                                     self._pad * px, self._pad * py)

    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange: Any = None) -> Any:
        if not len(self.xy):
            return None, None
        values = self.xy[:, ax]
        return float(values.min()), float(values.max())

    def pixelPadding(self) -> float:
        return self._pad

    def viewTransformChanged(self) -> None:
        self.prepareGeometryChange()

    # ------------------------------------------------------------------ drawing
    def paint(self, p: QPainter, *args: Any) -> None:
        if not len(self.xy):
            return
        tr = p.transform()
        x = self.xy[:, 0] * tr.m11() + self.xy[:, 1] * tr.m21() + tr.dx()
        y = self.xy[:, 0] * tr.m12() + self.xy[:, 1] * tr.m22() + tr.dy()
        p.resetTransform()
        window = p.viewport()
        keep = ((x > window.left() - 20) & (x < window.right() + 20)
                & (y > window.top() - 20) & (y < window.bottom() + 20))
        n = int(keep.sum())
        if not n:
            return
        self._frags.resize(n)
        frags = self._frags.ndarray()
        frags[:, 0] = x[keep]
        frags[:, 1] = y[keep]
        frags[:, 2:6] = self.rects[self.sprite[keep]]
        frags[:, 6:10] = [1.0, 1.0, 0.0, 1.0]  # scale x, y, rotation, opacity
        p.drawPixmapFragments(*self._frags.drawargs(), self.atlas)


def faded(color: str) -> QColor:
    """A colour for points outside the subset or a highlighted class."""
    c = QColor(color)
    c.setAlpha(40)
    return c


def styled(xy: np.ndarray, color: np.ndarray, lut: list[str], shape: np.ndarray,
           fade: np.ndarray, sizes: np.ndarray, selected: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, list[Style]]:
    """Positions in drawing order (faded, plain, selected), each point's sprite index and
    the distinct styles. A style is one integer (colour, fading, symbol, size, ring):
    bounded, so the distinct ones are found without sorting 50,000 keys. ``selected`` is
    a mask or each point's selection group (0 = not selected; rings cycle colours)."""
    ring = np.asarray(selected).astype(int)
    ring = np.where(ring > 0, (ring - 1) % len(RING_COLORS) + 1, 0)
    rings = len(RING_COLORS) + 1
    selected = ring > 0
    symbol = shape % len(SYMBOLS)
    size = np.clip(np.rint(sizes), 1, 63).astype(int)
    key = (((color * 2 + fade) * len(SYMBOLS) + symbol) * 64 + size) * rings + ring
    present = np.zeros(int(key.max(initial=0)) + 1, dtype=bool)
    present[key] = True
    uniq = np.flatnonzero(present)
    sprite = (np.cumsum(present) - 1)[key]
    styles: list[Style] = []
    for k in uniq.tolist():
        k, r = divmod(k, rings)
        k, px = divmod(k, 64)
        k, sym = divmod(k, len(SYMBOLS))
        c, f = divmod(k, 2)
        styles.append((SYMBOLS[sym], px, faded(lut[c]) if f else QColor(lut[c]), r))
    order = np.concatenate([np.flatnonzero(fade & ~selected),
                            np.flatnonzero(~fade & ~selected), np.flatnonzero(selected)])
    return xy[order], sprite[order], styles
