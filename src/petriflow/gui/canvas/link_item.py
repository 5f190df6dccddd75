"""A link on the canvas: a curve from an output anchor to an input anchor.

Shows "Output → Input" as a label, is dashed when disabled, and on hover tells what
flowed on it (the scene supplies the summary; the item holds no data).
"""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtGui import QColor, QFont, QPainterPath, QPainterPathStroker, QPen
from PyQt6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsSimpleTextItem

from petriflow.core.workflow import Link
from petriflow.gui.canvas.node_item import NodeItem

__all__ = ["LinkItem", "link_path"]

ACTIVE = QColor("#5A5A5A")
EMPTY = QColor("#A8A8A8")


def link_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A horizontal-tangent cubic from ``start`` to ``end`` (also used while dragging)."""
    path = QPainterPath(start)
    dx = max(abs(end.x() - start.x()) * 0.5, 40.0)
    path.cubicTo(QPointF(start.x() + dx, start.y()), QPointF(end.x() - dx, end.y()), end)
    return path


class LinkItem(QGraphicsPathItem):
    """The canvas item of one workflow link."""

    def __init__(
        self, link: Link, source: NodeItem, sink: NodeItem,
        summary: Callable[[Link], str] | None = None,
    ) -> None:
        super().__init__()
        self.link = link
        self.source, self.sink = source, sink
        self._summary = summary
        self.has_data = False
        source.links.append(self)
        sink.links.append(self)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(5)
        self.label = QGraphicsSimpleTextItem(self)
        font = QFont()
        font.setPointSizeF(7.5)
        self.label.setFont(font)
        self.label.setBrush(QColor("#505050"))
        self.update_from(link)

    @property
    def link_id(self) -> str:
        return self.link.id

    def detach(self) -> None:
        for node in (self.source, self.sink):
            if self in node.links:
                node.links.remove(self)

    def update_from(self, link: Link) -> None:
        self.link = link
        self.label.setText(f"{link.source_channel} → {link.sink_channel}")
        self._restyle()
        self.update_path()

    def set_has_data(self, has_data: bool) -> None:
        """Solid dark when a value flows, light when the source sends nothing."""
        self.has_data = has_data
        self._restyle()

    def _restyle(self) -> None:
        color = ACTIVE if (self.has_data and self.link.enabled) else EMPTY
        pen = QPen(color, 2.2 if self.link.enabled else 1.8)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        if not self.link.enabled:
            pen.setStyle(Qt.PenStyle.DashLine)
        if self.isSelected():
            pen.setColor(QColor("#2E7CD6"))
            pen.setWidthF(3.0)
        self.setPen(pen)

    def update_path(self) -> None:
        start = self.source.anchor_pos("output")
        end = self.sink.anchor_pos("input")
        path = link_path(start, end)
        self.setPath(path)
        self.place_label()

    def place_label(self) -> None:
        """Put the label on the curve where it covers the least of nodes and other labels."""
        path = self.path()
        br = self.label.boundingRect()
        scene = self.scene()
        best, best_cost = None, None
        for t in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
            mid = path.pointAtPercent(t)
            pos = QPointF(mid.x() - br.width() / 2, mid.y() - br.height() - 2)
            if scene is None:
                best = pos
                break
            rect = br.translated(pos)
            cost = 0.0
            for it in scene.items(rect):
                if it is self.label or it is self:
                    continue
                blocking = (isinstance(it, NodeItem) or isinstance(it.parentItem(), NodeItem)
                            or (isinstance(it, QGraphicsSimpleTextItem)
                                and isinstance(it.parentItem(), LinkItem)))
                if blocking:
                    overlap = rect.intersected(it.sceneBoundingRect())
                    cost += overlap.width() * overlap.height()
            if best_cost is None or cost < best_cost - 1e-6:
                best, best_cost = pos, cost
            if cost == 0:
                break
        self.label.setPos(best)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self._restyle()
        return super().itemChange(change, value)

    def hoverEnterEvent(self, event) -> None:
        state = "" if self.link.enabled else " (disabled)"
        text = self._summary(self.link) if self._summary is not None else ""
        self.setToolTip(f"{self.label.text()}{state}\n{text}".strip())
        super().hoverEnterEvent(event)
