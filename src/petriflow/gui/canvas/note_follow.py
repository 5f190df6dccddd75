"""Where notes and their arrows go when Tidy Up moves the nodes they are about.

Why a module: a note written about a node ("Click a branch of the dendrogram", with an
arrow at Hierarchical Clustering) must still sit by that node after the layout changed,
readable and pointing at it. Each note moves as its node moves
(:func:`~petriflow.gui.presentation_canvas.note_owners` says which node that is); if a
node or a link is then under it, or its arrow would cross a link or another node, it
moves on, a quarter row at a time, down or up — past its node to the other side, where
its arrow is mirrored to point at the node from there. Plain arithmetic on the
workflow's positions (the link curves are :func:`~petriflow.gui.canvas.layout.link_curve`),
so the caller turns the answer into undo commands.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

from petriflow.core.workflow import Annotation, ArrowAnnotation, TextAnnotation, Workflow
from petriflow.gui.canvas import layout

__all__ = ["notes_following"]

Position = tuple[float, float]
Rect = tuple[float, float, float, float]

#: how far (scene units) a note may move beyond its node's move, each way
MAX_STEPS = 12
STEP = layout.ROW_PITCH / 4


def _crosses(p: Position, q: Position, a: Position, b: Position) -> bool:
    """Whether segments p-q and a-b cross or touch (an end on the other segment counts:
    a link's sampled point can lie exactly on an arrow)."""
    def side(u: Position, v: Position, w: Position) -> float:
        return (v[0] - u[0]) * (w[1] - u[1]) - (v[1] - u[1]) * (w[0] - u[0])

    return (side(p, q, a) * side(p, q, b) <= 0) and (side(a, b, p) * side(a, b, q) <= 0)


class _Scene:
    """The new layout's obstacles: node boxes and link polylines."""

    def __init__(self, workflow: Workflow, new: dict[str, Position]) -> None:
        self.nodes = {n.id: new.get(n.id, n.position) for n in workflow.nodes}
        self.curves = [layout.link_curve(self.nodes[lk.source_id], self.nodes[lk.sink_id])
                       for lk in workflow.links
                       if lk.source_id in self.nodes and lk.sink_id in self.nodes]

    def rect_free(self, rect: Rect) -> bool:
        left, top, right, bottom = layout.NODE_REACH
        x, y, w, h = rect
        y0, y1 = y - 6, y + h + 6
        if any(px + left < x + w and x < px + right and py + top < y1 and y0 < py + bottom
               for px, py in self.nodes.values()):
            return False
        return not any(x <= cx <= x + w and y0 <= cy <= y1
                       for curve in self.curves for cx, cy in curve)

    def arrow_free(self, start: Position, end: Position, owner: str) -> bool:
        for curve in self.curves:
            if any(_crosses(start, end, a, b) for a, b in itertools.pairwise(curve)):
                return False
        left, top, right, bottom = layout.NODE_REACH
        points = [(start[0] + (end[0] - start[0]) * k / 20,
                   start[1] + (end[1] - start[1]) * k / 20) for k in range(21)]
        return not any(px + left <= x <= px + right and py + top <= y <= py + bottom
                       for nid, (px, py) in self.nodes.items() if nid != owner
                       for x, y in points)


def _arrow(arrow: ArrowAnnotation, shift: Position, off: float, flip: bool,
           note_old: Rect, note_new: Rect, owner_old: Position, owner_new: Position
           ) -> tuple[Position, Position]:
    """The arrow's new ends: carried with its note and node, or mirrored about the node
    when the note went to the node's other side."""
    (sx, sy), (ex, ey) = arrow.start, arrow.end
    dx, dy = shift
    if not flip:
        return (sx + dx, sy + dy + off), (ex + dx, ey + dy)
    tail = sy - note_old[1]  # where on the note's height the tail was
    return ((sx + dx, note_new[1] + note_new[3] - tail),
            (ex + dx, owner_new[1] - (ey - owner_old[1])))


def notes_following(workflow: Workflow, new: dict[str, Position]) -> list[Annotation]:
    """The notes and arrows that move when the nodes go to ``new`` (node id ->
    position), as changed copies: a text note with the node it is about, its arrows
    with it; an arrow on no note with the node its head points at. Others stay."""
    from petriflow.gui.presentation_canvas import ARROW_GRIP, _distance, note_owners

    old = {n.id: n.position for n in workflow.nodes}
    owners = {k: v for k, v in note_owners(workflow).items() if v in new}
    texts = {a.id: a for a in workflow.annotations if isinstance(a, TextAnnotation)}
    arrows = [a for a in workflow.annotations if isinstance(a, ArrowAnnotation)]
    tail_of = {a.id: next((t.id for t in texts.values() if t.id in owners
                           and _distance(a.start, t.rect) <= ARROW_GRIP), None)
               for a in arrows}
    scene = _Scene(workflow, new)

    def shift(nid: str | None) -> Position:
        if nid is None or nid not in new:
            return 0.0, 0.0
        return new[nid][0] - old[nid][0], new[nid][1] - old[nid][1]

    out: dict[str, Annotation] = {}
    for note_id, owner in owners.items():
        note = texts[note_id]
        dx, dy = shift(owner)  # (even a note whose node stays may now be on a link)
        x, y, w, h = note.rect
        mine = [a for a in arrows if tail_of[a.id] == note_id]
        below = y + h / 2 > old[owner][1]
        for off in [0.0] + [s * k * STEP for k in range(1, MAX_STEPS + 1) for s in (1, -1)]:
            rect = (x + dx, y + dy + off, w, h)
            flip = (rect[1] + h / 2 > new[owner][1]) != below
            ends = [_arrow(a, (dx, dy), off, flip, note.rect, rect, old[owner], new[owner])
                    for a in mine]
            if scene.rect_free(rect) and all(
                    scene.arrow_free(s, e, owner) and _distance(e, rect) >= 16
                    and math.dist(e, new[owner]) < math.dist(s, new[owner])
                    for s, e in ends):  # clear, and each arrow leaves the note for the node
                break
        else:  # nowhere clear: it moves with its node and no further
            off, flip, rect = 0.0, False, (x + dx, y + dy, w, h)
            ends = [_arrow(a, (dx, dy), 0.0, False, note.rect, rect, old[owner], new[owner])
                    for a in mine]
        if rect != note.rect:
            out[note_id] = replace(note, rect=rect)
        for a, (start, end) in zip(mine, ends, strict=True):
            if (start, end) != (a.start, a.end):
                out[a.id] = replace(a, start=start, end=end)
    for a in arrows:
        if a.id in out or tail_of[a.id] is not None:
            continue
        near = min(((math.dist(a.end, p), nid) for nid, p in old.items()), default=None)
        if near is not None and near[0] <= ARROW_GRIP + 60:
            dx, dy = shift(near[1])
            if (dx, dy) != (0.0, 0.0):
                out[a.id] = replace(a, start=(a.start[0] + dx, a.start[1] + dy),
                                    end=(a.end[0] + dx, a.end[1] + dy))
    return [out[a.id] for a in workflow.annotations if a.id in out]
