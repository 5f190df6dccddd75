"""Text and arrow annotations: educators explain the steps of a workflow on the canvas.

Items hold their annotation's geometry in scene coordinates and are placed at (0, 0);
when the user drags one, its ``pos()`` is the offset, which the scene turns into an
undoable edit (:meth:`moved_annotation`) and then resets when the workflow reports it.
"""

from __future__ import annotations

import copy
import math

from PyQt6.QtCore import QLineF, QPointF, QRectF, Qt
from PyQt6.QtGui import QBrush, QColor, QFont, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PyQt6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsTextItem

from petriflow.core.workflow import Annotation, ArrowAnnotation, TextAnnotation

__all__ = ["ArrowAnnotationItem", "TextAnnotationItem", "annotation_item"]

_MOVABLE = (QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)


class TextAnnotationItem(QGraphicsTextItem):
    """A framed text note; double-click to edit, click outside to finish."""

    def __init__(self, annotation: TextAnnotation) -> None:
        super().__init__()
        self.annotation = annotation
        self.setFlags(_MOVABLE)
        self.setZValue(2)
        self._editing = False
        self.update_from(annotation)

    @property
    def annotation_id(self) -> str:
        return self.annotation.id

    def update_from(self, annotation: TextAnnotation) -> None:
        self.annotation = annotation
        font = QFont()
        size = annotation.font.get("size") or annotation.font.get("font-size")
        try:
            font.setPixelSize(int(float(size))) if size else font.setPixelSize(13)
        except (TypeError, ValueError):
            font.setPixelSize(13)
        family = annotation.font.get("family") or annotation.font.get("font-family")
        if family:
            font.setFamily(str(family))
        self.setFont(font)
        if annotation.content_type == "text/html":
            self.setHtml(annotation.text)
        else:
            self.setPlainText(annotation.text)
        x, y, w, _h = annotation.rect
        self.setTextWidth(max(w, 40.0))
        self.setPos(0, 0)
        self.setTransformOriginPoint(0, 0)
        self._origin = QPointF(x, y)
        self.setPos(self._origin)
        self.setDefaultTextColor(QColor("#303030"))

    def moved_annotation(self) -> TextAnnotation | None:
        """A copy with the rectangle where the user dragged it (None if not moved)."""
        if self.pos() == self._origin:
            return None
        new = copy.deepcopy(self.annotation)
        _x, _y, w, h = new.rect
        new.rect = (round(self.pos().x(), 1), round(self.pos().y(), 1), w, h)
        return new

    def start_editing(self) -> None:
        self._editing = True
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def edited_annotation(self) -> TextAnnotation | None:
        """A copy with the edited text (None if the text did not change)."""
        text = self.toPlainText()
        if text == self.annotation.text:
            return None
        new = copy.deepcopy(self.annotation)
        new.text, new.content_type = text, "text/plain"
        x, y, w, _h = new.rect
        new.rect = (x, y, w, round(self.boundingRect().height(), 1))
        return new

    def mouseDoubleClickEvent(self, event) -> None:
        if not self._editing:
            self.start_editing()
        super().mouseDoubleClickEvent(event)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        if self._editing:
            self._editing = False
            self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
            scene = self.scene()
            if scene is not None and hasattr(scene, "annotation_edited"):
                scene.annotation_edited(self)

    def paint(self, painter, option, widget=None) -> None:
        painter.setPen(QPen(QColor("#B0B0B0") if not self.isSelected() else QColor("#2E7CD6"),
                            1, Qt.PenStyle.SolidLine))
        painter.setBrush(QColor(255, 255, 240, 230))
        painter.drawRoundedRect(self.boundingRect(), 3, 3)
        super().paint(painter, option, widget)


class ArrowAnnotationItem(QGraphicsPathItem):
    """A coloured arrow pointing at something on the canvas."""

    def __init__(self, annotation: ArrowAnnotation) -> None:
        super().__init__()
        self.setFlags(_MOVABLE)
        self.setZValue(3)
        self.update_from(annotation)

    @property
    def annotation_id(self) -> str:
        return self.annotation.id

    def update_from(self, annotation: ArrowAnnotation) -> None:
        self.annotation = annotation
        self.setPos(0, 0)
        start, end = QPointF(*annotation.start), QPointF(*annotation.end)
        color = QColor(annotation.color or "#C1272D")
        if not color.isValid():
            color = QColor("#C1272D")
        path = QPainterPath(start)
        path.lineTo(end)
        line = QLineF(start, end)
        if line.length() > 0:
            angle = math.atan2(-(end.y() - start.y()), end.x() - start.x())
            size = 12.0
            p1 = end - QPointF(math.cos(angle - math.pi / 7) * size,
                               -math.sin(angle - math.pi / 7) * size)
            p2 = end - QPointF(math.cos(angle + math.pi / 7) * size,
                               -math.sin(angle + math.pi / 7) * size)
            path.addPolygon(QPolygonF([end, p1, p2, end]))
        self.setPath(path)
        pen = QPen(color, 3)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        self.setPen(pen)
        self.setBrush(QBrush(color))

    def moved_annotation(self) -> ArrowAnnotation | None:
        dx, dy = self.pos().x(), self.pos().y()
        if dx == 0 and dy == 0:
            return None
        new = copy.deepcopy(self.annotation)
        new.start = (round(new.start[0] + dx, 1), round(new.start[1] + dy, 1))
        new.end = (round(new.end[0] + dx, 1), round(new.end[1] + dy, 1))
        return new

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def boundingRect(self) -> QRectF:
        return super().boundingRect().adjusted(-8, -8, 8, 8)


def annotation_item(annotation: Annotation) -> TextAnnotationItem | ArrowAnnotationItem:
    if isinstance(annotation, TextAnnotation):
        return TextAnnotationItem(annotation)
    return ArrowAnnotationItem(annotation)
