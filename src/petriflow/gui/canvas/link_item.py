"""A link on the canvas: a curve from an output anchor to an input anchor.

Shows its channels as a label ("Output → Input", or one name when both are called the
same, as Orange does), is dashed when disabled, and on hover tells what flowed on it
(the scene supplies the summary; the item holds no data).

Legibility: the label sits *on* the curve with a background, at the spot along the link
that covers no node (disc, title, status line) and no other label; when no such spot
exists it wraps to two lines, and when even that collides it is hidden and shown on
hover or selection instead (the scene places all labels in one pass, see
``CanvasScene.layout_text``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
)
from PyQt6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from petriflow.core.workflow import Link
from petriflow.gui.canvas.node_item import NodeItem

__all__ = ["LinkItem", "LinkLabel", "link_path"]

ACTIVE = QColor("#5A5A5A")
EMPTY = QColor("#A8A8A8")
#: where along the curve a label may sit, best first
LABEL_STOPS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82)
LABEL_Z = 7.0  # above every link (5), below nodes (10)
LABEL_HOVER_Z = 30.0


class LinkLabel(QGraphicsItem):
    """A link's channel names on a rounded background, one or two centred lines.

    A scene item of its own (not the link's child) so that it can stack above every
    link yet below the nodes; ``text()`` is always the full "Output → Input".
    """

    PAD_X, PAD_Y = 3.0, 1.0

    def __init__(self, text: str) -> None:
        super().__init__()
        self._font = QFont()
        self._font.setPointSizeF(7.5)
        self._metrics = QFontMetricsF(self._font)
        self._text = text
        self.lines: list[str] = [text]
        self._rect = QRectF()
        self.setZValue(LABEL_Z)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._measure()

    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = text
        self.setToolTip(text)

    def set_lines(self, lines: Sequence[str]) -> None:
        if list(lines) != self.lines:
            self.prepareGeometryChange()
            self.lines = list(lines)
            self._measure()
            self.update()

    def size_of(self, lines: Sequence[str]) -> tuple[float, float]:
        w = max((self._metrics.horizontalAdvance(line) for line in lines), default=0.0)
        return w + 2 * self.PAD_X, self._metrics.height() * len(lines) + 2 * self.PAD_Y

    def _measure(self) -> None:
        w, h = self.size_of(self.lines)
        self._rect = QRectF(-w / 2, -h / 2, w, h)  # centred on its position

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(250, 250, 250, 235))
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setFont(self._font)
        painter.setPen(QColor("#404040"))
        h = self._metrics.height()
        for i, line in enumerate(self.lines):
            row = QRectF(self._rect.left(), self._rect.top() + self.PAD_Y + i * h,
                         self._rect.width(), h)
            painter.drawText(row, int(Qt.AlignmentFlag.AlignHCenter), line)


def label_variants(source_channel: str, sink_channel: str) -> list[list[str]]:
    """The ways a link label may be written, most readable first."""
    if source_channel == sink_channel:
        return [[source_channel]]
    return [[f"{source_channel} → {sink_channel}"], [f"{source_channel} →", sink_channel]]


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
        self.label = LinkLabel(f"{link.source_channel} → {link.sink_channel}")
        #: False when no spot along the link is free: the label then shows on hover only
        self.label_fits = True
        self._hovered = False
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
        self.label.set_text(f"{link.source_channel} → {link.sink_channel}")
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
        self.setPath(link_path(start, end))
        scene = self.scene()
        if scene is not None and hasattr(scene, "schedule_layout"):
            scene.schedule_layout()  # labels and status widths follow the move
        else:
            self.place_label([])

    def place_label(self, obstacles: Sequence[QRectF],
                    others: Sequence[QPainterPath] = ()) -> QRectF | None:
        """Put the label on the curve where it covers none of ``obstacles`` (node
        footprints, labels placed before) and crosses the fewest ``others`` (other links'
        paths); one line before two. Returns the rectangle taken, or None when every
        spot collides: the label is then hidden until the link is hovered or selected.
        """
        path = self.path()
        best: tuple[tuple[float, int, int, int], list[str], QPointF, QRectF] | None = None
        for v, lines in enumerate(label_variants(self.link.source_channel,
                                                 self.link.sink_channel)):
            w, h = self.label.size_of(lines)
            for k, t in enumerate(LABEL_STOPS):
                at = path.pointAtPercent(t)
                rect = QRectF(at.x() - w / 2, at.y() - h / 2, w, h)
                hard = sum(_area(rect.intersected(o)) for o in obstacles if rect.intersects(o))
                soft = sum(1 for o in others if o.intersects(rect))
                key = (hard, soft, v, k)
                if best is None or key < best[0]:
                    best = (key, lines, at, rect)
            if best is not None and best[0][0] == 0 and best[0][1] == 0:
                break
        assert best is not None
        key, lines, at, rect = best
        self.label.set_lines(lines)
        self.label.setPos(at)
        self.label_fits = key[0] == 0
        self._show_label()
        return rect if self.label_fits else None

    def _show_label(self) -> None:
        on_demand = self._hovered or self.isSelected()
        self.label.setVisible(self.label_fits or on_demand)
        self.label.setZValue(LABEL_HOVER_Z if on_demand and not self.label_fits else LABEL_Z)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self._restyle()
            self._show_label()
        elif change == QGraphicsItem.GraphicsItemChange.ItemSceneChange:
            old = self.label.scene()
            if old is not None:
                old.removeItem(self.label)
        elif (change == QGraphicsItem.GraphicsItemChange.ItemSceneHasChanged
              and value is not None):
            value.addItem(self.label)
        return super().itemChange(change, value)

    def hoverEnterEvent(self, event) -> None:
        state = "" if self.link.enabled else " (disabled)"
        text = self._summary(self.link) if self._summary is not None else ""
        self.setToolTip(f"{self.label.text()}{state}\n{text}".strip())
        self._hovered = True
        self._show_label()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hovered = False
        self._show_label()
        super().hoverLeaveEvent(event)


def _area(rect: QRectF) -> float:
    return max(rect.width(), 0.0) * max(rect.height(), 0.0)
