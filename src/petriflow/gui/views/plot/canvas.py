"""The scatter canvas: a pyqtgraph plot whose left drag selects (rectangle or lasso),
wheel zooms, right or middle drag pans, and Home (or the view's Reset) shows it all.

Why selection owns the left button: selecting images is what the projections are for,
as in Orange; panning is one button away and zoom is the wheel. The canvas reports a
finished gesture as a boolean mask over the points with the modifiers held, and the
view decides what the selection becomes (Shift adds, Ctrl/Alt removes).

The range follows the data (:meth:`PlotCanvas.fit`) until the user zooms or pans; from
then on new layouts of the same points (t-SNE's live frames) keep the user's view, until
Home/Reset (:meth:`PlotCanvas.reset_view`) or new data (:meth:`PlotCanvas.forget_view`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from matplotlib.path import Path as MplPath
from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QKeyEvent, QPainterPath, QPen
from PyQt6.QtWidgets import QGraphicsPathItem, QGraphicsRectItem

__all__ = ["PlotAxes", "PlotCanvas", "SelectViewBox", "inside"]

#: every pointer move reaches the scene: pyqtgraph's default drops moves closer than
#: 10 ms, which cut corners off a fast lasso (the hover search is ~1 ms anyway)
pg.setConfigOptions(antialias=False, background="w", foreground="#444", mouseRateLimit=0)


class SelectViewBox(pg.ViewBox):
    """A ViewBox whose left drag draws a selection outline instead of panning."""

    #: a finished gesture: outline polygon in data coordinates, keyboard modifiers
    selected = pyqtSignal(object, object)
    #: a left click without a drag (modifiers)
    clicked = pyqtSignal(object)

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.lasso_mode = False
        self.press: QPointF | None = None
        self.path: list[QPointF] = []
        pen = QPen(QColor("#1f77b4"))
        pen.setCosmetic(True)
        pen.setWidthF(1.2)
        self.band = QGraphicsRectItem()
        self.band.setPen(pen)
        self.band.setBrush(QColor(31, 119, 180, 40))
        self.band.setZValue(1e9)
        self.band.hide()
        self.addItem(self.band, ignoreBounds=True)
        self.outline = QGraphicsPathItem()
        self.outline.setPen(pen)
        self.outline.setZValue(1e9)
        self.outline.hide()
        self.addItem(self.outline, ignoreBounds=True)

    def mouseDragEvent(self, ev: Any, axis: int | None = None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.accept()
            pan = ev.button() in (Qt.MouseButton.RightButton, Qt.MouseButton.MiddleButton)
            if pan:  # pan by the pointer's motion, in data units
                tr = self.childGroup.transform()
                tr = pg.functions.invertQTransform(tr)
                delta = tr.map(ev.lastPos()) - tr.map(ev.pos())
                self.translateBy(x=delta.x(), y=delta.y())
                self.sigRangeChangedManually.emit(self.state["mouseEnabled"])
            return
        ev.accept()
        pos = self.mapToView(ev.pos())
        if ev.isStart():
            self.press = self.mapToView(ev.buttonDownPos())
            self.path = [self.press]
        if self.press is None:
            return
        self.path.append(pos)
        if self.lasso_mode:
            qpath = QPainterPath(self.path[0])
            for p in self.path[1:]:
                qpath.lineTo(p)
            qpath.closeSubpath()
            self.outline.setPath(qpath)
            self.outline.show()
        else:
            self.band.setRect(QRectF(self.press, pos).normalized())
            self.band.show()
        if ev.isFinish():
            self.band.hide()
            self.outline.hide()
            if self.lasso_mode:
                poly = np.array([(p.x(), p.y()) for p in self.path])
            else:
                x0, y0, x1, y1 = self.press.x(), self.press.y(), pos.x(), pos.y()
                poly = np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
            self.press = None
            self.path = []
            self.selected.emit(poly, ev.modifiers())

    def mouseClickEvent(self, ev: Any) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.clicked.emit(ev.modifiers())
        else:
            super().mouseClickEvent(ev)


def inside(poly: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Points of ``xy`` inside a polygon (data coordinates); a rectangle's four corners
    test exactly as min ≤ v ≤ max, so a drag never loses a point on its edge."""
    if len(poly) == 4 and poly[0, 1] == poly[1, 1] and poly[1, 0] == poly[2, 0]:
        (x0, y0), (x1, y1) = poly[0], poly[2]
        return ((xy[:, 0] >= min(x0, x1)) & (xy[:, 0] <= max(x0, x1))
                & (xy[:, 1] >= min(y0, y1)) & (xy[:, 1] <= max(y0, y1)))
    if len(poly) < 3:
        return np.zeros(len(xy), dtype=bool)
    ok = np.isfinite(xy).all(axis=1)
    out = np.zeros(len(xy), dtype=bool)
    out[ok] = MplPath(poly).contains_points(xy[ok])
    return out


class PlotCanvas(pg.PlotWidget):
    """The plot widget: a :class:`SelectViewBox`, Home resets the range; ``left`` when
    the pointer leaves (the hover overlay hides); ``digit(k)`` for the keys 1–9 (the
    view picks selection group k)."""

    left = pyqtSignal()
    digit = pyqtSignal(int)

    def __init__(self, parent: Any = None) -> None:
        self.box = SelectViewBox()
        super().__init__(parent, viewBox=self.box)
        self.plot_item: pg.PlotItem = self.getPlotItem()
        self.plot_item.hideButtons()
        self.plot_item.setMenuEnabled(False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)  # hover without a button held
        #: the user zoomed or panned since the last reset: :meth:`fit` keeps the range
        self.user_view = False
        self.box.sigRangeChangedManually.connect(self._on_user_range)

    def _on_user_range(self, *_: Any) -> None:
        self.user_view = True

    def keyPressEvent(self, ev: QKeyEvent | None) -> None:
        if ev is not None and ev.key() == Qt.Key.Key_Home:
            self.reset_view()
            ev.accept()
            return
        if (ev is not None and Qt.Key.Key_1.value <= ev.key() <= Qt.Key.Key_9.value
                and not ev.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            self.digit.emit(ev.key() - Qt.Key.Key_0.value)
            ev.accept()
            return
        super().keyPressEvent(ev)

    def leaveEvent(self, ev: Any) -> None:
        self.left.emit()
        super().leaveEvent(ev)

    def reset_view(self) -> None:
        """Show every point (the Home key and the Reset button, and new data)."""
        self.user_view = False
        self.box.enableAutoRange()
        self.box.autoRange(padding=0.05)

    def fit(self) -> None:
        """Show every point unless the user has zoomed or panned (a live frame)."""
        if not self.user_view:
            self.reset_view()

    def forget_view(self) -> None:
        """The next :meth:`fit` shows every point again: a new map is coming."""
        self.user_view = False


class PlotAxes:
    """What the plot's axes show (names, tick positions): read by tests and scripts with
    matplotlib's method names, which callers of the former canvas used."""

    def __init__(self, plot_item: pg.PlotItem) -> None:
        self.plot_item = plot_item

    def get_xlabel(self) -> str:
        return str(self.plot_item.getAxis("bottom").labelText)

    def get_ylabel(self) -> str:
        return str(self.plot_item.getAxis("left").labelText)

    def get_xticks(self) -> list[float]:
        axis = self.plot_item.getAxis("bottom")
        if not axis.isVisible() or not axis.style["showValues"]:
            return []
        lo, hi = self.plot_item.getViewBox().viewRange()[0]
        return [v for _, ticks in axis.tickValues(lo, hi, max(axis.width(), 100))
                for v in ticks]
