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
        """Put the label on the curve where it covers no node (middle if possible)."""
        path = self.path()
        br = self.label.boundingRect()
        scene = self.scene()
        first = None
        for t in (0.5, 0.38, 0.62, 0.28, 0.72):
            mid = path.pointAtPercent(t)
            pos = QPointF(mid.x() - br.width() / 2, mid.y() - br.height() - 2)
            first = first or pos
            if scene is None:
                break
            rect = br.translated(pos)
            if not any(isinstance(it, NodeItem) or isinstance(it.parentItem(), NodeItem)
                       for it in scene.items(rect)):
                self.label.setPos(pos)
                return
        self.label.setPos(first)

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
