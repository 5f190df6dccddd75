"""A node on the canvas: icon disc, anchors, editable title, progress ring, badges.

The item is a view of one :class:`WorkflowNode`; it never edits the workflow itself.
Moves, renames and links are turned into undo commands by the scene, so the item only
reports what the user did (``title_edited``) and shows what the scheduler says.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QTextOption
from PyQt6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsSimpleTextItem,
    QGraphicsTextItem,
    QStyleOptionGraphicsItem,
    QWidget,
)

from petriflow.core.scheduler import NodeState, NodeStatus
from petriflow.core.workflow import WorkflowNode
from petriflow.gui.icons import paint_node_disc

if TYPE_CHECKING:
    from petriflow.gui.canvas.link_item import LinkItem

__all__ = ["AnchorItem", "NodeItem"]

RADIUS = 26.0
ANCHOR_GAP = 7.0
ANCHOR_RADIUS = 5.5
TITLE_WIDTH = 150.0
#: widest a status line may be when no neighbour is close; closer neighbours narrow it
STATUS_WIDTH = 160.0
#: narrowest text a crowded node is given (below that, text may touch a neighbour's)
MIN_TEXT_WIDTH = 48.0

class AnchorItem(QGraphicsEllipseItem):
    """An input (left) or output (right) anchor: links start and end here."""

    def __init__(self, node: NodeItem, kind: str) -> None:
        r = ANCHOR_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, node)
        self.node = node
        self.kind = kind  # "input" | "output"
        x = (RADIUS + ANCHOR_GAP) * (-1 if kind == "input" else 1)
        self.setPos(x, 0)
        self.setBrush(QColor("#FFFFFF"))
        self.setPen(QPen(QColor("#6B6B6B"), 1.4))
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        names = [c.name for c in (node.input_channels if kind == "input"
                                  else node.output_channels)]
        what = "Inputs" if kind == "input" else "Outputs"
        self.setToolTip(f"{what}: {', '.join(names)}\nDrag to link")

    def hoverEnterEvent(self, event) -> None:
        self.setBrush(QColor("#FFE08A"))
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self.setBrush(QColor("#FFFFFF"))
        super().hoverLeaveEvent(event)

class _Badge(QGraphicsEllipseItem):
    """Warning/error badge; its tooltip carries the full message."""

    def __init__(self, parent: QGraphicsItem, color: str, glyph: str) -> None:
        super().__init__(-8, -8, 16, 16, parent)
        self.setBrush(QColor(color))
        self.setPen(QPen(QColor("#FFFFFF"), 1.5))
        text = QGraphicsSimpleTextItem(glyph, self)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(12)
        text.setFont(font)
        text.setBrush(QColor("#FFFFFF"))
        br = text.boundingRect()
        text.setPos(-br.width() / 2, -br.height() / 2)
        self.setZValue(5)
        self.hide()

class _TitleItem(QGraphicsTextItem):
    """The node title; editable in place (F2, double-click on it, or the context menu)."""

    def __init__(self, node: NodeItem) -> None:
        super().__init__(node)
        self.node = node
        self.setTextWidth(TITLE_WIDTH)
        opt = QTextOption(Qt.AlignmentFlag.AlignHCenter)
        opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.document().setDefaultTextOption(opt)
        self.setPos(-TITLE_WIDTH / 2, RADIUS + 4)
        self._before = ""

    def start_editing(self) -> None:
        self._before = self.toPlainText()
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        cursor = self.textCursor()
        cursor.select(cursor.SelectionType.Document)
        self.setTextCursor(cursor)

    @property
    def editing(self) -> bool:
        return bool(self.textInteractionFlags() & Qt.TextInteractionFlag.TextEditorInteraction)

    def finish_editing(self, accept: bool = True) -> None:
        if not self.editing:
            return
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)
        text = " ".join(self.toPlainText().split())
        if not accept or not text:
            self.setPlainText(self._before)
            return
        if text != self._before:
            self.node.title_edited.emit(self.node.node_id, text)

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish_editing(True)
            return
        if event.key() == Qt.Key.Key_Escape:
            self.finish_editing(False)
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:
        self.finish_editing(True)
        super().focusOutEvent(event)

class NodeItem(QGraphicsObject):
    """The canvas item of one workflow node; its position is the disc's centre."""

    title_edited = pyqtSignal(str, str)  # node id, new title

    def __init__(self, node: WorkflowNode) -> None:
        super().__init__()
        self.node_id = node.id
        self.node_type = node.node_type
        self.input_channels = node.node_type.inputs if node.node_type else ()
        self.output_channels = node.node_type.outputs if node.node_type else ()
        self.links: list[LinkItem] = []
        self.status = NodeStatus()
        #: what the node sent last ("48 images, 48×1000"), shown under the title when idle
        self.output_summary = ""
        self._dimmed = False
        self._hot = False
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
        )
        self.setAcceptHoverEvents(True)
        self.setZValue(10)
        self.input_anchor = AnchorItem(self, "input") if self.input_channels else None
        self.output_anchor = AnchorItem(self, "output") if self.output_channels else None
        self.title_item = _TitleItem(self)
        self.message_item = StatusLine(self)
        self.warning_badge = _Badge(self, "#E8A317", "!")
        self.error_badge = _Badge(self, "#D0312D", "×")
        self.warning_badge.setPos(RADIUS * 0.72, -RADIUS * 0.72)
        self.error_badge.setPos(RADIUS * 0.72, -RADIUS * 0.72)
        self.update_from(node)
        self.set_status(NodeStatus())

    # ------------------------------------------------------------------ model -> item
    @property
    def title(self) -> str:
        return self.title_item.toPlainText()

    def update_from(self, node: WorkflowNode) -> None:
        if not self.title_item.editing:
            self.title_item.setPlainText(node.title)
        self.setPos(QPointF(*node.position))
        self._layout_message()
        kind = node.type_name
        desc = node.node_type.description if node.node_type else "not available in Petriflow"
        self.setToolTip(f"<b>{node.title}</b> ({kind})<br>{desc}")

    def set_status(self, status: NodeStatus) -> None:
        self.status = status
        error = status.state == NodeState.ERROR
        warn = status.state == NodeState.WARNING
        self.error_badge.setVisible(error)
        self.error_badge.setToolTip(status.message if error else "")
        self.warning_badge.setVisible(warn and not error)
        self.warning_badge.setToolTip("\n".join(status.warnings) or status.message)
        if status.state == NodeState.RUNNING:
            line = f"{status.progress:.0f}%" + (f" · {status.message}" if status.message else "")
        elif status.state == NodeState.QUEUED:
            line = "queued"
        elif error:
            # a few words under the red badge ("No images found"); the badge's and the
            # line's tooltips carry the whole message
            line = short_error(status.message)
        elif warn:
            # the count stays ("37 images, 2 classes"); the amber badge has the warning
            line = self.output_summary or status.message
        else:
            line = status.message or self.output_summary
        self.message_item.set_full_text(line, error=error,
                                        tooltip=status.message if error else None)
        self._layout_message()
        self.update()

    def set_output_summary(self, text: str) -> None:
        self.output_summary = text
        self.set_status(self.status)

    def _layout_message(self) -> None:
        y = self.title_item.pos().y() + self.title_item.boundingRect().height() - 2
        br = self.message_item.boundingRect()
        self.message_item.setPos(-br.width() / 2, y)

    def set_text_width(self, width: float) -> None:
        """Narrow the title and status line to ``width`` (the scene gives a crowded node
        less room so that its text never runs into a neighbour's)."""
        width = max(MIN_TEXT_WIDTH, width)
        title_width = min(TITLE_WIDTH, width)
        if abs(self.title_item.textWidth() - title_width) > 0.5:
            self.title_item.setTextWidth(title_width)
            self.title_item.setPos(-title_width / 2, RADIUS + 4)
        self.message_item.set_max_width(min(STATUS_WIDTH, width))
        self._layout_message()

    def footprint(self) -> list[QRectF]:
        """Scene rectangles this node's drawing covers: disc with anchors, the title's
        text, the status line (what link labels and links must keep clear of)."""
        reach = RADIUS + ANCHOR_GAP + ANCHOR_RADIUS
        rects = [QRectF(-reach, -RADIUS - 6, 2 * reach, 2 * RADIUS + 10)]
        doc = self.title_item.document()
        text_w = min(doc.idealWidth(), self.title_item.textWidth())
        top = self.title_item.pos().y()
        rects.append(QRectF(-text_w / 2, top + 3, text_w,
                            self.title_item.boundingRect().height() - 6))
        if self.message_item.lines:
            rects.append(self.message_item.mapRectToParent(self.message_item.boundingRect()))
        return [self.mapRectToScene(r) for r in rects]

    def set_dimmed(self, dimmed: bool) -> None:
        """Greyed out while a link is dragged and this node cannot take it."""
        self._dimmed = dimmed
        self.setOpacity(0.3 if dimmed else 1.0)

    def set_hot(self, hot: bool) -> None:
        """Highlighted as the target under the cursor while linking."""
        if hot != self._hot:
            self._hot = hot
            self.update()

    def anchor_pos(self, kind: str) -> QPointF:
        """Scene position where a link attaches ('input' left, 'output' right)."""
        dx = (RADIUS + ANCHOR_GAP) * (-1 if kind == "input" else 1)
        return self.mapToScene(QPointF(dx, 0))

    # ------------------------------------------------------------------ painting
    def boundingRect(self) -> QRectF:
        r = RADIUS + 6
        return QRectF(-r, -r, 2 * r, 2 * r)

    def shape(self):
        from PyQt6.QtGui import QPainterPath

        path = QPainterPath()
        path.addEllipse(QPointF(0, 0), RADIUS + 2, RADIUS + 2)
        return path

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        disc = QRectF(-RADIUS, -RADIUS, 2 * RADIUS, 2 * RADIUS)
        if self.isSelected() or self._hot:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#7FB3F5") if self.isSelected() else QColor("#FFD54F"))
            painter.drawEllipse(disc.adjusted(-5, -5, 5, 5))
        if self.node_type is None:
            paint_node_disc(painter, disc, "Other", "", "?")
        else:
            paint_node_disc(painter, disc, self.node_type.category, self.node_type.icon,
                            self.node_type.name)
        state = self.status.state
        ring = disc.adjusted(-3, -3, 3, 3)
        if state == NodeState.RUNNING:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(QColor("#DDDDDD"), 4))
            painter.drawEllipse(ring)
            pen = QPen(QColor("#2E7CD6"), 4)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            painter.setPen(pen)
            span = -int(360 * 16 * max(self.status.progress, 3.0) / 100.0)
            painter.drawArc(ring, 90 * 16, span)
        elif state == NodeState.QUEUED:
            pen = QPen(QColor("#2E7CD6"), 2, Qt.PenStyle.DotLine)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(ring)

    # ------------------------------------------------------------------ interaction
    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            for link in self.links:
                link.update_path()
        return super().itemChange(change, value)

    def mouseDoubleClickEvent(self, event) -> None:
        scene = self.scene()
        if scene is not None and hasattr(scene, "node_activated"):
            scene.node_activated.emit(self.node_id)
        event.accept()

class StatusLine(QGraphicsItem):
    """The line under a node's title: progress, "Waiting for input", or what it sent.

    It never grows wider than the room the scene gives it: a long line wraps once at a
    comma ("48 images, 48×1000," / "3 classes") and is elided beyond that, with the
    whole text in the tooltip, so two neighbours' lines never run into each other.
    """

    def __init__(self, parent: QGraphicsItem) -> None:
        super().__init__(parent)
        self._font = QFont()
        self._font.setPointSizeF(7.5)
        self._metrics = QFontMetricsF(self._font)
        self.full_text = ""
        #: an error's few words: one line, elided, in the error colour
        self.error = False
        self._tooltip: str | None = None
        self.max_width = STATUS_WIDTH
        self.lines: list[str] = []
        self._rect = QRectF()

    def text(self) -> str:
        """What is shown (lines joined by a newline)."""
        return "\n".join(self.lines)

    def set_full_text(self, text: str, error: bool = False,
                      tooltip: str | None = None) -> None:
        if (text, error, tooltip) != (self.full_text, self.error, self._tooltip):
            self.full_text, self.error, self._tooltip = text, error, tooltip
            self._fit()

    def set_max_width(self, width: float) -> None:
        if abs(width - self.max_width) > 0.5:
            self.max_width = width
            self._fit()

    def _fit(self) -> None:
        self.prepareGeometryChange()
        self.lines = fit_lines(self.full_text, self._metrics, self.max_width,
                               max_lines=1 if self.error else 2)
        width = max((self._metrics.horizontalAdvance(line) for line in self.lines),
                    default=0.0)
        self._rect = QRectF(0, 0, width, self._metrics.height() * len(self.lines))
        whole = " ".join(self.lines) == self.full_text
        self.setToolTip(self._tooltip or ("" if whole else self.full_text))
        self.update()

    def boundingRect(self) -> QRectF:
        return self._rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem,
              widget: QWidget | None = None) -> None:
        painter.setFont(self._font)
        painter.setPen(QColor(ERROR_TEXT if self.error else "#666666"))
        h = self._metrics.height()
        for i, line in enumerate(self.lines):
            painter.drawText(QRectF(0, i * h, self._rect.width(), h),
                             int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                             line)


#: the error line's colour: the badge's red, darkened to read as small text on white
ERROR_TEXT = "#B0201C"


def short_error(message: str) -> str:
    """An error message's first sentence without a quoted path: "No images found in
    '/home/u/pics'." reads "No images found" under the node, whose line is only a title
    wide; the whole message stays in the tooltips."""
    first = message.strip().splitlines()[0] if message.strip() else ""
    sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0].rstrip(".:")
    short = re.sub(r"\s+(?:in|from|at|to|of)\s+'[^']*[/\\][^']*'", "", sentence)
    return short.strip() or sentence


def fit_lines(text: str, metrics: QFontMetricsF, width: float, max_lines: int = 2
              ) -> list[str]:
    """``text`` in at most ``max_lines`` lines no wider than ``width``: wrapped at ", "
    or spaces (the most balanced break), the last line elided if it still does not fit."""
    if not text:
        return []
    if metrics.horizontalAdvance(text) <= width or max_lines <= 1:
        return [metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)]
    words = text.split(" ")
    best: tuple[float, list[str]] | None = None
    for i in range(1, len(words)):
        head, tail = " ".join(words[:i]), " ".join(words[i:])
        wh, wt = metrics.horizontalAdvance(head), metrics.horizontalAdvance(tail)
        if wh > width:
            break
        # prefer breaks after a comma, then the most even split
        score = max(wh, wt) - (width * 0.25 if head.endswith(",") else 0.0)
        if best is None or score < best[0]:
            best = (score, [head, tail])
    if best is None:
        return [metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)]
    head, tail = best[1]
    return [head, *fit_lines(tail, metrics, width, max_lines - 1)]
