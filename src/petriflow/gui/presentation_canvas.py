"""Presentation mode on the canvas: larger text, thicker links, a halo on the running node.

Why a module of its own: these are changes to the canvas items that must all be undone
exactly when the mode ends, and they are tested on their own (the legibility rules at
the larger size); :mod:`petriflow.gui.presentation` is the window side (actions, caption
bar, side panel, stepping). It reaches into the status line's and link label's cached
font metrics rather than growing the canvas modules, which are shared and near their
size limit.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PyQt6 import sip
from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPen, QTransform
from PyQt6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem

from petriflow.core.workflow import ArrowAnnotation, TextAnnotation, Workflow
from petriflow.gui.canvas.annotation_items import ArrowAnnotationItem, TextAnnotationItem
from petriflow.gui.canvas.node_item import RADIUS, NodeItem

if TYPE_CHECKING:
    from petriflow.gui.canvas.link_item import LinkItem
    from petriflow.gui.canvas.scene import CanvasScene

__all__ = ["FONT_SCALE", "LINK_SCALE", "SPREADS", "CanvasEnlarger", "StepHalo",
           "nearest_note", "note_owners"]

#: text on the canvas is this much larger in presentation mode (read from the back row)
FONT_SCALE = 1.6
#: how much further apart nodes and notes may be drawn to make room for the larger
#: text, tried in order: the first at which every label and status line fits is kept
SPREADS = (1.2, 1.3, 1.4, 1.5, 1.65, 1.8, 2.0, 2.5)
#: links are this much thicker
LINK_SCALE = 2.2
#: an arrow whose tail is this close to a note (scene pixels) is that note's
ARROW_GRIP = 30.0
#: a note further than this from a node (scene pixels) is about something else
NOTE_REACH = 320.0


def _distance(point: tuple[float, float], rect: tuple[float, float, float, float]) -> float:
    x, y = point
    ax, ay, aw, ah = rect
    return math.hypot(max(ax - x, 0.0, x - (ax + aw)), max(ay - y, 0.0, y - (ay + ah)))


def note_owners(workflow: Workflow, reach: float = NOTE_REACH) -> dict[str, str]:
    """Which node each text note is about: the node an arrow from the note points at,
    else the node closest to the note (within ``reach``). Note id -> node id.

    Why not simply the note closest to a node: one note near two nodes would caption
    both, though it was written about one of them (and a single note in a workflow
    would caption every step).
    """
    nodes = {n.id: n.position for n in workflow.nodes}
    notes = [a for a in workflow.annotations
             if isinstance(a, TextAnnotation) and a.text.strip()]
    owners: dict[str, str] = {}
    for note in notes:
        near = sorted((_distance(pos, note.rect), nid) for nid, pos in nodes.items())
        if near and near[0][0] <= reach:
            owners[note.id] = near[0][1]
    for arrow in workflow.annotations:
        if not isinstance(arrow, ArrowAnnotation) or not nodes:
            continue
        tail = [n for n in notes if _distance(arrow.start, n.rect) <= ARROW_GRIP]
        head = min((math.dist(arrow.end, pos), nid) for nid, pos in nodes.items())
        if tail and head[0] <= ARROW_GRIP + 60:  # within a disc and its text of the tip
            owners[tail[0].id] = head[1]
    return owners


def nearest_note(scene: CanvasScene, node_id: str, reach: float = NOTE_REACH) -> str | None:
    """The text of the note about this node (see :func:`note_owners`), the closest one
    when several are."""
    wf = scene.workflow
    pos = wf.node(node_id).position
    owners = note_owners(wf, reach)
    mine = [(_distance(pos, a.rect), a.text.strip()) for a in wf.annotations
            if isinstance(a, TextAnnotation) and owners.get(a.id) == node_id]
    return min(mine)[1] if mine else None


class StepHalo(QGraphicsEllipseItem):
    """A glowing ring behind the node that runs, so the room sees which one it is.

    A child of the node (it moves with it) stacked behind it; it stays inside the node's
    disc-and-anchors footprint, so it never covers a title, status line or link label.
    """

    def __init__(self, node: NodeItem) -> None:
        r = RADIUS + 6
        super().__init__(-r, -r, 2 * r, 2 * r, node)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemStacksBehindParent)
        self.setPen(QPen(QColor("#FF9800"), 6))
        self.setBrush(QBrush(QColor(255, 193, 7, 110)))
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)


def _scaled(font: QFont, scale: float) -> QFont:
    out = QFont(font)
    if font.pixelSize() > 0:
        out.setPixelSize(round(font.pixelSize() * scale))
    else:
        out.setPointSizeF(font.pointSizeF() * scale)
    return out


def _set_measured_font(item: Any, font: QFont) -> None:
    """Give a status line or link label a font. Both measure their text with a cached
    ``QFontMetricsF`` (so the scene can fit text without painting); the cache goes with
    the font, then the item measures itself again."""
    item._font = QFont(font)
    item._metrics = QFontMetricsF(item._font)
    if hasattr(item, "_fit"):  # StatusLine: wrap and elide again at the new size
        item._fit()
    else:  # LinkLabel
        item.prepareGeometryChange()
        item._measure()
        item.update()


class CanvasEnlarger:
    """Larger titles, status lines, link labels and notes, thicker links, on one scene.

    Larger text needs more room between nodes, or the legibility rules (a label on a free
    spot of its link, status lines that never meet) could not hold: the items are drawn
    further apart (the least of :data:`SPREADS` at which everything fits, so the text is
    as large on screen as it can be), around the scene's origin. Only the items move;
    the workflow's positions stay, and the canvas is not editable by dragging while the
    mode is on (a drag would write the spread positions back). The scene's own layout
    (text room between neighbours, label placement) then runs again at the new size.
    What was changed is kept per item and put back by :meth:`restore`.
    """

    def __init__(self, scene: CanvasScene) -> None:
        self.scene = scene
        self._titles: dict[NodeItem, QFont] = {}
        self._lines: dict[NodeItem, QFont] = {}
        self._labels: dict[LinkItem, QFont] = {}
        #: each note's rectangle at normal size (its drawn height, not the stored one)
        self._notes: dict[TextAnnotationItem, QRectF] = {}
        self._flags: dict[QGraphicsItem, QGraphicsItem.GraphicsItemFlag] = {}
        self.active = False
        self.spread = 1.0

    def apply(self) -> None:
        """Enlarge and spread every item not yet enlarged (nodes, links and notes added
        since included), put every item at its spread place again (the scene resets a
        node's place when the node changes) and thicken every link's pen (a link resets
        it when its data or selection changes, so this runs again then)."""
        self.active = True
        movable = QGraphicsItem.GraphicsItemFlag.ItemIsMovable
        for node in self.scene.node_items.values():
            if node not in self._titles:
                self._titles[node] = node.title_item.font()
                node.title_item.setFont(_scaled(self._titles[node], FONT_SCALE))
                self._lines[node] = QFont(node.message_item._font)
                _set_measured_font(node.message_item, _scaled(self._lines[node], FONT_SCALE))
                node._layout_message()
        for link in self.scene.link_items.values():
            if link not in self._labels:
                self._labels[link] = QFont(link.label._font)
                _set_measured_font(link.label, _scaled(self._labels[link], FONT_SCALE))
            self.thicken(link)
        for note in self.scene.annotation_items.values():
            if isinstance(note, TextAnnotationItem) and note not in self._notes:
                x, y, _w, _h = note.annotation.rect
                self._notes[note] = QRectF(QPointF(x, y), note.boundingRect().size())
                note.setFont(_scaled(note.font(), FONT_SCALE))
                note.setTextWidth(note.textWidth() * FONT_SCALE)
        for item in [*self.scene.node_items.values(), *self.scene.annotation_items.values()]:
            if item not in self._flags:
                self._flags[item] = item.flags()
                item.setFlag(movable, False)
        # never closer than before: the canvas must not jump back and forth as results
        # (and their summaries) come in
        for spread in [s for s in SPREADS if s >= self.spread] or [self.spread]:
            self._place(spread)
            if self.fits():
                break

    def _place(self, spread: float) -> None:
        """Nodes and notes ``spread`` times as far from the origin, links following, and
        the scene's text layout run at once."""
        self.spread = spread
        for nid, node in self.scene.node_items.items():
            x, y = self.scene.workflow.node(nid).position
            node.setPos(x * spread, y * spread)
        grows = self._note_growth(spread)
        for item, fixed in grows.items():
            item.setPos(self._on_grown(item, fixed, spread, self._notes[item].topLeft()))
        for link in self.scene.link_items.values():
            link.update_path()
        self.scene.layout_text()
        arrows = {a.id: a for a in self.scene.workflow.annotations
                  if isinstance(a, ArrowAnnotation)}
        boxes = [r.adjusted(-4, -4, 4, 4) for n in self.scene.node_items.values()
                 for r in n.footprint()]
        for item in self.scene.annotation_items.values():
            if isinstance(item, ArrowAnnotationItem) and item.annotation_id in arrows:
                arrow = arrows[item.annotation_id]
                start = QPointF(*arrow.start)
                tail = start * spread
                for note, fixed in grows.items():
                    rect = self._notes[note]
                    if _distance(arrow.start, (rect.x(), rect.y(), rect.width(),
                                               rect.height())) <= ARROW_GRIP:
                        tail = self._on_grown(note, fixed, spread, start)  # on its note
                        break
                self._place_arrow(item, arrow, tail, boxes)

    def _on_grown(self, item: TextAnnotationItem, fixed: QPointF, spread: float,
                  point: QPointF) -> QPointF:
        """Where ``point`` (on or near the note at normal size) is on the grown note,
        which grows from ``fixed`` (that point goes ``spread`` times further out, like
        the nodes): the same place across the note's width and height, and what lay
        beyond its edge ``spread`` times as far beyond (an arrow's tail)."""
        rect, size = self._notes[item], item.boundingRect().size()

        def frac(p: QPointF) -> tuple[float, float]:
            return (min(max((p.x() - rect.left()) / max(rect.width(), 1.0), 0.0), 1.0),
                    min(max((p.y() - rect.top()) / max(rect.height(), 1.0), 0.0), 1.0))

        (fu, fv), (u, v) = frac(fixed), frac(point)
        inside = QPointF(rect.left() + u * rect.width(), rect.top() + v * rect.height())
        corner = fixed * spread - QPointF(fu * size.width(), fv * size.height())
        return corner + QPointF(u * size.width(), v * size.height()) + (point - inside) * spread

    def _note_growth(self, spread: float) -> dict[TextAnnotationItem, QPointF]:
        """Where each enlarged note grows from: the point of its normal-size rectangle
        nearest the node it is about (:func:`note_owners`; its centre when it is about
        none); that point goes ``spread`` times further out, as the nodes do.

        Why not scale about its corner: a note is FONT_SCALE times larger but only
        ``spread`` times further out, so a note above its node would grow down over it;
        grown away from its node, it keeps its side of the node and its distance."""
        owners = note_owners(self.scene.workflow)
        nodes = {n.id: n.position for n in self.scene.workflow.nodes}
        out = {}
        for item, rect in self._notes.items():
            if sip.isdeleted(item) or item.scene() is not self.scene:
                continue
            owner = owners.get(item.annotation_id)
            if owner in nodes:
                px, py = nodes[owner]
                fixed = QPointF(min(max(px, rect.left()), rect.right()),
                                min(max(py, rect.top()), rect.bottom()))
            else:
                fixed = rect.center()
            out[item] = fixed
        return out

    @staticmethod
    def _place_arrow(item: ArrowAnnotationItem, arrow: ArrowAnnotation, tail: QPointF,
                     boxes: list[QRectF]) -> None:
        """An arrow's tail stays on its (grown, spread) note, at ``tail``; its head comes
        back along the arrow until the arrow is clear of every node's disc and text,
        which are larger now; an arrow that cannot be cleared is hidden (the caption
        shows the note)."""
        head = QPointF(*arrow.end) + (tail - QPointF(*arrow.start))

        def clear(t: float) -> bool:
            return not any(box.contains(tail + (head - tail) * (t * k / 20))
                           for box in boxes for k in range(21))

        t = 1.0
        while t > 0.3 and not clear(t):
            t -= 0.05
        end = tail + (head - tail) * t
        item.update_from(replace(arrow, start=(tail.x(), tail.y()), end=(end.x(), end.y())))
        item.setVisible(t > 0.3)

    def fits(self) -> bool:
        """Every link label on a free spot and every status line whole (wrapped, not
        elided): the legibility rules of the normal size."""
        if not all(link.label_fits for link in self.scene.link_items.values()):
            return False
        return all(" ".join(n.message_item.lines) == n.message_item.full_text
                   for n in self.scene.node_items.values())

    def thicken(self, link: LinkItem) -> None:
        """The link's own pen (its data, enabled and selected states), only wider: a
        thin line is lost on a projector."""
        link._restyle()  # the link's own style (data, enabled, selected) first
        pen = link.pen()
        pen.setWidthF(pen.widthF() * LINK_SCALE)
        link.setPen(pen)

    def rethicken(self) -> None:
        """Thicken again after links restyled themselves (new data, a selection)."""
        if self.active:
            for link in self.scene.link_items.values():
                self.thicken(link)

    def restore(self) -> None:
        """Every font, pen, place and flag as it was before :meth:`apply`."""
        self.active = False
        for node, font in self._titles.items():
            if not sip.isdeleted(node):
                node.title_item.setFont(font)
                _set_measured_font(node.message_item, self._lines[node])
        for item, flags in self._flags.items():
            if not sip.isdeleted(item):
                item.setFlags(flags)
        for nid, node in self.scene.node_items.items():
            node.update_from(self.scene.workflow.node(nid))  # its own place, text laid out
        notes = {a.id: a for a in self.scene.workflow.annotations}
        for item in self.scene.annotation_items.values():
            item.setTransform(QTransform())
            item.setVisible(True)
            item.update_from(notes.get(item.annotation_id, item.annotation))  # type: ignore[arg-type]
        for link, font in self._labels.items():
            if not sip.isdeleted(link):
                _set_measured_font(link.label, font)
        for link in self.scene.link_items.values():
            link._restyle()
            link.update_path()
        self._titles.clear()
        self._lines.clear()
        self._labels.clear()
        self._notes.clear()
        self._flags.clear()
        self.scene.layout_text()
