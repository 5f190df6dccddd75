"""The fluent canvas gestures: a link dropped on empty canvas, a node dropped onto a link,
Duplicate.

Why a module beside the scene: these gestures combine several edits (add a node *and*
link it; remove a link *and* add two) into one undo step, and decide from the channel
declarations alone whether they fit — the same rule a drag between two nodes uses,
:func:`petriflow.core.node.default_link`. The scene only tells them where the mouse let
go.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from PyQt6.QtCore import QPointF, QRectF

from petriflow.core.node import Node, default_link
from petriflow.core.registry import NodeRegistry
from petriflow.core.workflow import Link, LinkError, Workflow
from petriflow.gui import undo as cmd
from petriflow.gui.canvas.annotation_items import TextAnnotationItem
from petriflow.gui.canvas.layout import COLUMN_PITCH, ROW_PITCH
from petriflow.gui.canvas.link_item import LinkItem
from petriflow.gui.canvas.node_item import RADIUS, STATUS_WIDTH, NodeItem
from petriflow.gui.canvas.note_follow import notes_following

if TYPE_CHECKING:
    from petriflow.gui.canvas.scene import CanvasScene

__all__ = [
    "DUPLICATE_OFFSET",
    "add_linked",
    "clear_offset",
    "duplicate",
    "finish_move",
    "fitting_types",
    "insert_node",
    "insertion_pairs",
    "link_at",
    "make_room",
]

#: a duplicate lands this far right of its original (and rows down, see clear_offset)
DUPLICATE_OFFSET = 40.0
#: the room a node's disc, title and status line take around its centre (x, y, w, h)
NODE_BOX = (-STATUS_WIDTH / 2 - 5, -RADIUS - 6, STATUS_WIDTH + 10, 2 * RADIUS + 56)
#: how close to a link (scene units) a drop counts as "onto" it
LINK_HIT = 10.0


def type_pairs(source: type[Node], sink: type[Node], output: str | None = None,
               input_: str | None = None) -> list[tuple[str, str]]:
    """(output, input) names whose types fit, optionally only of one output / input.

    Why from the types rather than the workflow: the node a quick menu or a toolbox drop
    would add does not exist yet."""
    return [(o.name, i.name) for o in source.outputs for i in sink.inputs
            if issubclass(o.type, i.type)
            and (output is None or o.name == output) and (input_ is None or i.name == input_)]


def fitting_types(registry: NodeRegistry, node_type: type[Node], kind: str) -> list[str]:
    """Qualified names of the widgets a link dragged from ``node_type``'s ``kind`` anchor
    ("output" or "input") can go to: those with an input that takes one of its outputs
    (or an output that one of its inputs takes), in the toolbox's order."""
    out = []
    for types in registry.by_category().values():
        for other in types:
            pairs = (type_pairs(node_type, other) if kind == "output"
                     else type_pairs(other, node_type))
            if pairs:
                out.append(other.qualified_name)
    return out


def _pick(source: type[Node], sink: type[Node], pairs: list[tuple[str, str]]):
    """The pair a gesture links without asking: the default link, or the only pair."""
    pair = default_link(source, sink, pairs)
    return pair if pair is not None or len(pairs) != 1 else pairs[0]


def add_linked(scene: CanvasScene, node_type: type[Node], anchor_id: str, kind: str,
               pos: QPointF) -> str | None:
    """Add ``node_type`` at ``pos`` linked to the node whose ``kind`` anchor the link was
    dragged from, as one undo step ("Add X and link"). The channels are chosen as a
    drag between two nodes chooses them (asking only when really ambiguous); if the user
    cancels that question, nothing is left behind. Returns the new node's id."""
    stack = scene.undo_stack
    stack.beginMacro(f"Add {node_type.name} and link")
    add = cmd.AddNodeCommand(scene.workflow, node_type, (round(pos.x(), 1), round(pos.y(), 1)))
    stack.push(add)
    new_id = add.node_id or ""
    linked = (scene.try_link(anchor_id, new_id) if kind == "output"
              else scene.try_link(new_id, anchor_id))
    stack.endMacro()
    if not linked:
        stack.undo()  # the node alone is not what was asked for
        return None
    return new_id


def link_at(scene: CanvasScene, pos: QPointF) -> LinkItem | None:
    """The link passing within :data:`LINK_HIT` of ``pos`` (the topmost), if any."""
    hit = QRectF(pos.x() - LINK_HIT, pos.y() - LINK_HIT, 2 * LINK_HIT, 2 * LINK_HIT)
    for item in scene.items(hit):
        if isinstance(item, LinkItem) and item.link.id in scene.link_items:
            return item
    return None


def insertion_pairs(workflow: Workflow, link: Link, node_type: type[Node] | None
                    ) -> tuple[tuple[str, str], tuple[str, str]] | str:
    """The channels that put ``node_type`` between ``link``'s ends, or why it cannot go
    there (one sentence for the status bar).

    source → new must take the link's output and new → sink must feed the link's input,
    each by its default link: the link's data keeps flowing to the same place, through
    the new node."""
    source, sink = workflow.node(link.source_id), workflow.node(link.sink_id)
    if node_type is None:
        return "Cannot insert an unknown widget into a link."
    name = node_type.name
    if source.node_type is None or sink.node_type is None:
        return f"Cannot insert {name!r}: the link joins an unknown widget."
    first = _pick(source.node_type, node_type,
                  type_pairs(source.node_type, node_type, output=link.source_channel))
    if first is None:
        return (f"Cannot insert {name!r} into the link: it takes no "
                f"{link.source_channel!r} from {source.title!r}.")
    second = _pick(node_type, sink.node_type,
                   type_pairs(node_type, sink.node_type, input_=link.sink_channel))
    if second is None:
        return (f"Cannot insert {name!r} into the link: it sends nothing that "
                f"{sink.title!r} takes as {link.sink_channel!r}.")
    return first, second


def _push_insert(scene: CanvasScene, node_id: str, link: Link,
                 pairs: tuple[tuple[str, str], tuple[str, str]]) -> None:
    (out1, in1), (out2, in2) = pairs
    wf = scene.workflow
    scene.push(cmd.RemoveCommand(wf, [], [link.id]))
    scene.push(cmd.AddLinkCommand(wf, link.source_id, out1, node_id, in1))
    scene.push(cmd.AddLinkCommand(wf, node_id, out2, link.sink_id, in2))
    make_room(scene, node_id, link.source_id, link.sink_id)


def _reachable(workflow: Workflow, start: str, forward: bool) -> set[str]:
    """``start`` and every node its links lead to (``forward``) or come from."""
    step: dict[str, list[str]] = {}
    for lk in workflow.links:
        a, b = (lk.source_id, lk.sink_id) if forward else (lk.sink_id, lk.source_id)
        step.setdefault(a, []).append(b)
    seen, todo = {start}, [start]
    while todo:
        for nxt in step.get(todo.pop(), []):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def make_room(scene: CanvasScene, node_id: str, source_id: str, sink_id: str) -> bool:
    """After ``node_id`` went in between ``source_id`` and ``sink_id``: move it and the
    sink's side right so that each of the two links spans at least
    :data:`~petriflow.gui.canvas.layout.COLUMN_PITCH`, as Tidy Up would draw them; a
    node moved onto another's place (a sibling branch) or a note goes to the nearest
    free half row there instead.

    Why: a widget dropped onto a short link leaves three nodes crowded, so the link
    labels no longer fit on their curves (they break over two lines or hide) and titles
    are cut until the user tidies up. Only the new node and what lies downstream of the
    sink move (with the notes about them, :func:`notes_following`); nothing upstream
    ever does, and nothing moves when there is room already. Pushed on the caller's
    undo macro, so one Ctrl+Z undoes the insert and the move together."""
    wf = scene.workflow
    old = {n.id: n.position for n in wf.nodes}
    sx = old[source_id][0]
    nx, ny = old[node_id]
    new: dict[str, tuple[float, float]] = {}
    if nx - sx < COLUMN_PITCH:
        nx = round(sx + COLUMN_PITCH, 1)
        new[node_id] = (nx, ny)
    shift = nx + COLUMN_PITCH - old[sink_id][0]
    if shift > 0:
        upstream = _reachable(wf, node_id, forward=False)
        for nid in sorted(_reachable(wf, sink_id, forward=True) - upstream):
            x, y = old[nid]
            new[nid] = (round(x + shift, 1), y)
    if node_id in new:  # moved right: onto a free row there, nearest the drop first
        now = {**old, **new}
        others = [p for k, p in now.items() if k != node_id]
        notes = [a.sceneBoundingRect() for a in scene.annotation_items.values()
                 if isinstance(a, TextAnnotationItem)]
        for k in range(12):
            dy = (k + 1) // 2 * ROW_PITCH / 2 * (1 if k % 2 else -1)
            if all(abs(nx - x) >= COLUMN_PITCH - 0.5 or abs(ny + dy - y) >= ROW_PITCH - 0.5
                   for x, y in others) and not any(_box(nx, ny + dy).intersects(r)
                                                   for r in notes):
                new[node_id] = (nx, round(ny + dy, 1))
                break
    if not new:
        return False
    following = notes_following(wf, {k: v for k, v in new.items() if k != node_id})
    scene.push(cmd.MoveCommand(wf, {k: old[k] for k in new}, new))
    for ann in following:
        scene.push(cmd.ReplaceAnnotationCommand(wf, ann, "Move annotation"))
    return True


def insert_node(scene: CanvasScene, node_type: type[Node], pos: QPointF) -> str | None:
    """A toolbox widget dropped at ``pos``: onto a link whose channels fit, it goes in
    between (one undo step: add, unlink, link twice) and its id is returned. Otherwise
    nothing changes, the status bar and a note on the canvas say why, and None is
    returned (the caller then adds the node as an ordinary drop)."""
    item = link_at(scene, pos)
    if item is None:
        return None
    link = item.link
    pairs = insertion_pairs(scene.workflow, link, node_type)
    if isinstance(pairs, str):
        scene.notify(pairs, pos)  # status bar and a note where it was dropped
        return None
    stack = scene.undo_stack
    stack.beginMacro(f"Insert {node_type.name}")
    try:
        add = cmd.AddNodeCommand(scene.workflow, node_type,
                                 (round(pos.x(), 1), round(pos.y(), 1)))
        stack.push(add)
        _push_insert(scene, add.node_id or "", link, pairs)
    except LinkError as exc:  # the workflow changed under us: keep what was done whole
        scene.notify(str(exc))
    finally:
        stack.endMacro()
    return add.node_id


def finish_move(scene: CanvasScene) -> None:
    """The mouse let go after moving items: record the move; when it was one unlinked
    node dropped onto a link whose channels fit, insert it there in the same undo step.

    Why only an unlinked node: a linked one keeps its links, and re-wiring them on a
    move would surprise; when the channels do not fit, the node just moves and a
    note over it (and the status bar) says why it was not inserted."""
    moved = [it for it, before in scene._pressed.items()
             if isinstance(it, NodeItem) and it.scene() is scene and it.pos() != before]
    target = None
    if len(moved) == 1 and len(scene._pressed) == 1:
        node_id = moved[0].node_id
        if not any(node_id in (lk.source_id, lk.sink_id) for lk in scene.workflow.links):
            target = link_at(scene, moved[0].pos())
    if target is None:
        scene._commit_moves()
        return
    node = scene.workflow.node(node_id)
    pairs = insertion_pairs(scene.workflow, target.link, node.node_type)
    if isinstance(pairs, str):
        scene._commit_moves()
        scene.notify(pairs, moved[0].pos())  # status bar and a note over the node
        return
    link = target.link
    scene.undo_stack.beginMacro(f"Insert {node.title}")
    try:
        scene._commit_moves()
        _push_insert(scene, node_id, link, pairs)
    except LinkError as exc:
        scene.notify(str(exc))
    finally:
        scene.undo_stack.endMacro()


def _box(x: float, y: float) -> QRectF:
    return QRectF(x + NODE_BOX[0], y + NODE_BOX[1], NODE_BOX[2], NODE_BOX[3])


def clear_offset(scene: CanvasScene, origins: list[tuple[float, float]]
                 ) -> tuple[float, float]:
    """How far copies of nodes at ``origins`` move so that none meets a node or a note.

    Why not a fixed small offset: a copy 40 units off its original sat on the original's
    title, and both names were cut to fit ("Distan ces"). The copies go
    :data:`DUPLICATE_OFFSET` right and one row down, then further down in half rows
    until every copy is a column pitch across or a row pitch down from every node (the
    rule Tidy Up keeps) and its text box misses every text note."""
    nodes = [n.position for n in scene.workflow.nodes]
    notes = [a.sceneBoundingRect() for a in scene.annotation_items.values()
             if isinstance(a, TextAnnotationItem)]
    for halves in range(2, 80):
        dx, dy = DUPLICATE_OFFSET, halves * ROW_PITCH / 2
        spots = [(x + dx, y + dy) for x, y in origins]
        if all(abs(sx - nx) >= COLUMN_PITCH - 0.5 or abs(sy - ny) >= ROW_PITCH - 0.5
               for sx, sy in spots for nx, ny in nodes) and not any(
                _box(sx, sy).intersects(r) for sx, sy in spots for r in notes):
            return dx, dy
    return DUPLICATE_OFFSET, ROW_PITCH  # a very crowded canvas: one row down


def duplicate(scene: CanvasScene, node_ids: list[str]) -> list[str]:
    """Copies of the given nodes with their settings and the links between them, offset
    by :data:`DUPLICATE_OFFSET`, as one undo step; the new ids in the same order.

    Why not through the clipboard: Duplicate must not overwrite what the user copied,
    and settings are copied as objects, so nothing is lost in a text round trip. The
    copies keep their arrangement, moved clear of everything (:func:`clear_offset`)."""
    wf = scene.workflow
    nodes = [wf.node(nid) for nid in node_ids]
    nodes = [n for n in nodes if n.node_type is not None]  # unknown widgets stay single
    if not nodes:
        return []
    label = nodes[0].title if len(nodes) == 1 else f"{len(nodes)} nodes"
    dx, dy = clear_offset(scene, [n.position for n in nodes])
    new_ids: dict[str, str] = {}
    stack = scene.undo_stack
    stack.beginMacro(f"Duplicate {label}")
    try:
        for node in nodes:
            assert node.node_type is not None
            x, y = node.position
            add = cmd.AddNodeCommand(wf, node.node_type, (x + dx, y + dy),
                                     settings=copy.deepcopy(node.settings),
                                     title=wf.unique_title(node.title))
            stack.push(add)
            new_ids[node.id] = add.node_id or ""
        for lk in wf.links:
            if lk.source_id in new_ids and lk.sink_id in new_ids:
                try:
                    stack.push(cmd.AddLinkCommand(wf, new_ids[lk.source_id], lk.source_channel,
                                                  new_ids[lk.sink_id], lk.sink_channel))
                except LinkError:
                    continue
    finally:
        stack.endMacro()
    return [new_ids[n.id] for n in nodes]
