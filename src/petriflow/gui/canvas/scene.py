"""The canvas scene: mirrors a :class:`Workflow` and turns gestures into undo commands.

Direction of data: the workflow is the single source of truth. The scene subscribes to
its events and creates/updates/removes items; user gestures (drag a node, drag a link,
rename, edit an annotation) become :mod:`petriflow.gui.undo` commands pushed onto the undo
stack, which edit the workflow, whose events then update the items. So undo, the
scheduler and the saved file can never disagree with what is drawn.

All workflow edits happen on the GUI thread, so workflow events arrive here directly;
scheduler events come through :class:`~petriflow.gui.bridge.SchedulerBridge`.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

from PyQt6.QtCore import QPoint, QPointF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QColor, QPen, QUndoCommand, QUndoStack
from PyQt6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsScene,
    QGraphicsSceneContextMenuEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsTextItem,
    QMenu,
)

from petriflow.core.node import default_link
from petriflow.core.scheduler import NodeStatus, Scheduler
from petriflow.core.workflow import (
    ArrowAnnotation,
    Link,
    LinkError,
    TextAnnotation,
    Workflow,
    WorkflowEvent,
    WorkflowNode,
)
from petriflow.gui import undo as cmd
from petriflow.gui.canvas import fluent
from petriflow.gui.canvas.annotation_items import (
    ArrowAnnotationItem,
    TextAnnotationItem,
    annotation_item,
)
from petriflow.gui.canvas.link_item import LinkItem, link_path
from petriflow.gui.canvas.node_item import AnchorItem, NodeItem
from petriflow.gui.canvas.notes import show_note
from petriflow.gui.summaries import summarize

__all__ = ["CanvasScene", "ChannelChooser"]

#: nodes whose centres are closer than this vertically have text at the same height
#: (a title and a status line of up to two lines each, under the disc)
TEXT_BAND = 66.0
#: room for a node's title and status line when no neighbour is close
TEXT_ROOM = 170.0
#: space kept between neighbours' text
TEXT_GAP = 12.0
#: how far a label may stick out of its link's bounding box (half a wide label)
LABEL_REACH = 110.0

#: asks the user which (output, input) pair to link; None = cancelled
ChannelChooser = Callable[[WorkflowNode, WorkflowNode, list[tuple[str, str]]],
                          tuple[str, str] | None]


class CanvasScene(QGraphicsScene):
    """A QGraphicsScene showing one workflow."""

    node_activated = pyqtSignal(str)  # double-click / Open: show the node's view
    help_requested = pyqtSignal(str)  # context menu Help: the node's guide (gui/help_menu.py)
    message = pyqtSignal(str)  # a notice for the status bar (refused link, ...)
    quick_menu_requested = pyqtSignal(QPoint, QPointF)  # screen pos, scene pos
    rename_requested = pyqtSignal(str)
    # a link dropped on empty canvas: (node id, anchor kind, screen pos, scene pos)
    link_dropped = pyqtSignal(str, str, QPoint, QPointF)

    def __init__(self, workflow: Workflow, undo_stack: QUndoStack, parent: Any = None) -> None:
        super().__init__(parent)
        self.workflow = workflow
        self.undo_stack = undo_stack
        self.scheduler: Scheduler | None = None
        self.channel_chooser: ChannelChooser | None = None
        self.mode: str | None = None  # None | "text" | "arrow"
        self.node_items: dict[str, NodeItem] = {}
        self.link_items: dict[str, LinkItem] = {}
        self.annotation_items: dict[str, TextAnnotationItem | ArrowAnnotationItem] = {}
        self._drag: tuple[NodeItem, str] | None = None  # link drag: (node, anchor kind)
        self._drag_item: QGraphicsPathItem | None = None
        self._hot: NodeItem | None = None
        self._arrow_start: QPointF | None = None
        self._pressed: dict[QGraphicsItem, QPointF] = {}
        self.setBackgroundBrush(QColor("#FAFAFA"))
        for node in workflow.nodes:
            self._add_node_item(node)
        self._layout_timer = QTimer(self)
        self._layout_timer.setSingleShot(True)
        self._layout_timer.setInterval(0)
        self._layout_timer.timeout.connect(self.layout_text)
        for link in workflow.links:
            self._add_link_item(link)
        self._sync_annotations()
        self.layout_text()
        self._unsubscribe = workflow.subscribe(self._on_event)

    def close(self) -> None:
        """Stop following the workflow (the window is switching documents)."""
        self._unsubscribe()

    # ------------------------------------------------------------------ workflow -> items
    def _on_event(self, event: WorkflowEvent) -> None:
        self.schedule_layout()
        k = event.kind
        if k == WorkflowEvent.NODE_ADDED:
            self._add_node_item(self.workflow.node(event.node_id))
        elif k == WorkflowEvent.NODE_REMOVED:
            item = self.node_items.pop(event.node_id, None)
            if item is not None:
                if self._hot is item:
                    self._hot = None
                self.removeItem(item)
        elif k == WorkflowEvent.NODE_CHANGED:
            item = self.node_items.get(event.node_id)
            if item is not None:
                item.update_from(self.workflow.node(event.node_id))
        elif k == WorkflowEvent.LINK_ADDED:
            self._add_link_item(event.link)
        elif k == WorkflowEvent.LINK_REMOVED:
            item = self.link_items.pop(event.link.id, None)
            if item is not None:
                item.detach()
                self.removeItem(item)
        elif k == WorkflowEvent.LINK_ENABLED:
            item = self.link_items.get(event.link.id)
            if item is not None:
                item.update_from(event.link)
        elif k == WorkflowEvent.ANNOTATIONS_CHANGED:
            self._sync_annotations()

    def _add_node_item(self, node: WorkflowNode) -> None:
        item = NodeItem(node)
        item.title_edited.connect(self._on_title_edited)
        self.node_items[node.id] = item
        self.addItem(item)
        if self.scheduler is not None:
            with contextlib.suppress(KeyError):  # scheduler not told about it yet
                item.set_status(self.scheduler.status(node.id))

    def _add_link_item(self, link: Link) -> None:
        source, sink = self.node_items.get(link.source_id), self.node_items.get(link.sink_id)
        if source is None or sink is None:
            return
        item = LinkItem(link, source, sink, summary=self.link_summary)
        self.link_items[link.id] = item
        self.addItem(item)
        if self.scheduler is not None:
            item.set_has_data(self.scheduler.output(link.source_id, link.source_channel)
                              is not None)

    def _sync_annotations(self) -> None:
        current = {a.id: a for a in self.workflow.annotations}
        for ann_id in list(self.annotation_items):
            if ann_id not in current:
                self.removeItem(self.annotation_items.pop(ann_id))
        for ann_id, ann in current.items():
            item = self.annotation_items.get(ann_id)
            if item is not None and type(item.annotation) is type(ann):
                item.update_from(ann)
                continue
            if item is not None:
                self.removeItem(item)
            item = annotation_item(ann)
            self.annotation_items[ann_id] = item
            self.addItem(item)

    # ------------------------------------------------------------------ scheduler -> items
    def set_scheduler(self, scheduler: Scheduler | None) -> None:
        self.scheduler = scheduler
        if scheduler is None:
            return
        for nid, item in self.node_items.items():
            item.set_status(scheduler.status(nid))
        for item in self.link_items.values():
            lk = item.link
            item.set_has_data(scheduler.output(lk.source_id, lk.source_channel) is not None)

    def on_status(self, node_id: str, status: NodeStatus) -> None:
        item = self.node_items.get(node_id)
        if item is not None:
            before = item.message_item.lines
            item.set_status(status)
            if item.message_item.lines != before:
                self.schedule_layout()

    def on_outputs(self, node_id: str, outputs: dict[str, Any]) -> None:
        node_item = self.node_items.get(node_id)
        if node_item is not None:
            node_item.set_output_summary(self.output_summary(node_id, outputs))
        for item in self.link_items.values():
            if item.link.source_id == node_id:
                item.set_has_data(outputs.get(item.link.source_channel) is not None)
        self.schedule_layout()  # the node's summary line may now cover a label

    def output_summary(self, node_id: str, outputs: dict[str, Any]) -> str:
        """Summary of a node's main output (the default channel, else the first sent)."""
        node_type = self.workflow.node(node_id).node_type
        if node_type is None or not outputs:
            return ""
        ordered = sorted(node_type.outputs, key=lambda o: not o.default)
        for out in ordered:
            if outputs.get(out.name) is not None:
                return summarize(outputs[out.name])
        return ""

    def link_summary(self, link: Link) -> str:
        """What flowed on ``link`` ("48 images, 48×1000"), for its hover tooltip."""
        if self.scheduler is None:
            return ""
        if not link.enabled:
            return "disabled: delivers nothing"
        try:
            value = self.scheduler.output(link.source_id, link.source_channel)
        except KeyError:
            return ""
        return summarize(value)

    # ------------------------------------------------------------------ legible text
    def schedule_layout(self) -> None:
        """Lay text out again once control returns to the event loop (coalesced)."""
        if not self._layout_timer.isActive():
            self._layout_timer.start()

    def layout_text(self) -> None:
        """Give every node's title and status line the room its neighbours leave, then
        place every link label clear of nodes and of the labels placed before it.

        Why one pass over the whole scene: a label's best spot depends on the others, and
        a node's room on where its neighbours are; both change with any move or result.
        Two nodes side by side each get at most their distance minus a gap, and each
        line is centred, so their lines cannot meet however long the text.
        """
        self._layout_timer.stop()
        nodes = list(self.node_items.values())
        centres = [(item.pos().x(), item.pos().y()) for item in nodes]
        for item, (px, py) in zip(nodes, centres, strict=True):
            room = TEXT_ROOM
            for qx, qy in centres:
                if abs(qy - py) < TEXT_BAND and (qx, qy) != (px, py):
                    room = min(room, abs(qx - px) - TEXT_GAP)
            item.set_text_width(room)
        obstacles = [rect.adjusted(-3, -2, 3, 2) for n in nodes for rect in n.footprint()]
        obstacles += [a.sceneBoundingRect() for a in self.annotation_items.values()
                      if isinstance(a, TextAnnotationItem)]
        links = sorted(self.link_items.values(), key=lambda lk: lk.path().length())
        boxes = {id(lk): lk.path().boundingRect() for lk in links}
        for link in links:  # short links have the fewest free spots: they choose first
            # only what lies near this link can meet its label (keeps big canvases fast)
            near = boxes[id(link)].adjusted(-LABEL_REACH, -LABEL_REACH,
                                            LABEL_REACH, LABEL_REACH)
            others = [other.path() for other in links
                      if other is not link and boxes[id(other)].intersects(near)]
            taken = link.place_label([o for o in obstacles if o.intersects(near)], others)
            if taken is not None:
                obstacles.append(taken)

    # ------------------------------------------------------------------ selection helpers
    def selected_node_ids(self) -> list[str]:
        return [nid for nid, it in self.node_items.items() if it.isSelected()]

    def selected_link_ids(self) -> list[str]:
        return [lid for lid, it in self.link_items.items() if it.isSelected()]

    def selected_annotation_ids(self) -> list[str]:
        return [aid for aid, it in self.annotation_items.items() if it.isSelected()]

    def select_all(self) -> None:
        for item in self.items():
            if item.flags() & QGraphicsItem.GraphicsItemFlag.ItemIsSelectable:
                item.setSelected(True)

    def editing_text(self) -> bool:
        """True while a title or annotation text has keyboard focus (keys go there)."""
        focus = self.focusItem()
        return isinstance(focus, QGraphicsTextItem) and bool(
            focus.textInteractionFlags() & Qt.TextInteractionFlag.TextEditorInteraction)

    # ------------------------------------------------------------------ edits
    def push(self, command: QUndoCommand) -> None:
        self.undo_stack.push(command)

    def _on_title_edited(self, node_id: str, title: str) -> None:
        if node_id in self.node_items and self.workflow.node(node_id).title != title:
            self.push(cmd.RenameCommand(self.workflow, node_id, title))

    def start_rename(self, node_id: str) -> None:
        item = self.node_items.get(node_id)
        if item is not None:
            item.title_item.start_editing()

    def annotation_edited(self, item: TextAnnotationItem) -> None:
        new = item.edited_annotation()
        if new is not None and item.annotation_id in {a.id for a in self.workflow.annotations}:
            self.push(cmd.ReplaceAnnotationCommand(self.workflow, new, "Edit text"))

    def try_link(self, source_id: str, sink_id: str) -> bool:
        """Link two nodes as a user asked; refuse with a message, ask when ambiguous."""
        pairs = self.workflow.compatible_channels(source_id, sink_id)
        if not pairs:
            self.notify(self.refusal(source_id, sink_id),
                        self.node_items[sink_id].scenePos() if sink_id in self.node_items
                        else None)
            return False
        src = self.workflow.node(source_id).node_type
        snk = self.workflow.node(sink_id).node_type
        pair = (default_link(src, snk, pairs) if src is not None and snk is not None
                else None)
        if pair is None and len(pairs) == 1 and (src is None or snk is None):
            pair = pairs[0]
        if pair is None:
            chooser = self.channel_chooser or _dialog_chooser
            pair = chooser(self.workflow.node(source_id), self.workflow.node(sink_id), pairs)
            if pair is None:
                return False
        try:
            self.push(cmd.AddLinkCommand(self.workflow, source_id, pair[0], sink_id, pair[1]))
        except LinkError as exc:
            self.notify(str(exc))
            return False
        return True

    def refusal(self, source_id: str, sink_id: str) -> str:
        """Why these two nodes cannot be linked, in one sentence."""
        source, sink = self.workflow.node(source_id), self.workflow.node(sink_id)
        _, outs = self.workflow.channels_of(source_id)
        ins, _ = self.workflow.channels_of(sink_id)
        if not outs:
            return f"Cannot link: {source.title!r} has no outputs."
        if not ins:
            return f"Cannot link: {sink.title!r} has no inputs."
        reasons: list[str] = []
        for o in outs:
            for i in ins:
                try:
                    self.workflow.check_link(source_id, o.name, sink_id, i.name)
                except LinkError as exc:
                    if issubclass(o.type, i.type):  # types fit: a more specific reason
                        reasons.append(str(exc))
        if reasons:
            return "Cannot link: " + reasons[0]
        have = ", ".join(f"{o.name} ({o.type.__name__})" for o in outs)
        want = ", ".join(f"{i.name} ({i.type.__name__})" for i in ins)
        return (f"Cannot link {source.title!r} to {sink.title!r}: its outputs [{have}] "
                f"do not fit the inputs [{want}].")

    def notify(self, text: str, where: QPointF | None = None) -> None:
        """Tell the user something: status bar (via ``message``) and, given ``where``, a
        note on the canvas there that vanishes by itself (gui/canvas/notes.py)."""
        self.message.emit(text)
        if where is not None:
            show_note(self, text, where)

    def create_text_annotation(self, pos: QPointF, text: str = "") -> str:
        ann = TextAnnotation("", (pos.x(), pos.y(), 200.0, 40.0), text or "Text",
                             "text/plain", {"size": 13})
        command = cmd.AddAnnotationCommand(self.workflow, ann)
        self.push(command)
        return command.annotation.id

    def create_arrow_annotation(self, start: QPointF, end: QPointF) -> str:
        ann = ArrowAnnotation("", (round(start.x(), 1), round(start.y(), 1)),
                              (round(end.x(), 1), round(end.y(), 1)), "#C1272D")
        command = cmd.AddAnnotationCommand(self.workflow, ann)
        self.push(command)
        return command.annotation.id

    # ------------------------------------------------------------------ mouse
    def _node_at(self, pos: QPointF, exclude: NodeItem | None = None) -> NodeItem | None:
        for item in self.items(pos):
            node = item if isinstance(item, NodeItem) else getattr(item, "node", None)
            if isinstance(node, NodeItem) and node is not exclude:
                return node
        return None

    def _anchor_at(self, pos: QPointF) -> AnchorItem | None:
        for item in self.items(pos):
            if isinstance(item, AnchorItem):
                return item
        return None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        pos = event.scenePos()
        if event.button() == Qt.MouseButton.LeftButton:
            if self.mode == "text":
                self.mode = None
                ann_id = self.create_text_annotation(pos)
                item = self.annotation_items.get(ann_id)
                if isinstance(item, TextAnnotationItem):
                    item.start_editing()
                event.accept()
                return
            if self.mode == "arrow":
                self._arrow_start = pos
                self._drag_item = QGraphicsPathItem(link_path(pos, pos))
                self._drag_item.setPen(QPen(QColor("#C1272D"), 3))
                self.addItem(self._drag_item)
                event.accept()
                return
            anchor = self._anchor_at(pos)
            if anchor is not None and not self.editing_text():
                self._start_link_drag(anchor.node, anchor.kind, pos)
                event.accept()
                return
        super().mousePressEvent(event)
        self._pressed = {it: it.pos() for it in self.selectedItems()
                         if isinstance(it, NodeItem | TextAnnotationItem | ArrowAnnotationItem)}

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        pos = event.scenePos()
        if self._arrow_start is not None and self._drag_item is not None:
            from PyQt6.QtGui import QPainterPath

            path = QPainterPath(self._arrow_start)
            path.lineTo(pos)
            self._drag_item.setPath(path)
            return
        if self._drag is not None and self._drag_item is not None:
            node, kind = self._drag
            start = node.anchor_pos(kind)
            self._drag_item.setPath(link_path(start, pos) if kind == "output"
                                    else link_path(pos, start))
            target = self._node_at(pos, exclude=node)
            hot = target if target is not None and target.opacity() > 0.5 else None
            if hot is not self._hot:
                if self._hot is not None:
                    self._hot.set_hot(False)
                if hot is not None:
                    hot.set_hot(True)
                self._hot = hot
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        pos = event.scenePos()
        if self._arrow_start is not None:
            start, self._arrow_start = self._arrow_start, None
            self._remove_drag_item()
            self.mode = None
            if (pos - start).manhattanLength() > 8:
                self.create_arrow_annotation(start, pos)
            return
        if self._drag is not None:
            node, kind = self._drag
            self._end_link_drag()
            target = self._node_at(pos, exclude=node)
            if target is not None:
                if kind == "output":
                    self.try_link(node.node_id, target.node_id)
                else:
                    self.try_link(target.node_id, node.node_id)
            elif self._node_at(pos) is None:  # empty canvas: the window offers what fits
                self.link_dropped.emit(node.node_id, kind, event.screenPos(), pos)
            return
        super().mouseReleaseEvent(event)
        fluent.finish_move(self)  # a move; onto a link, maybe an insertion

    def _commit_moves(self) -> None:
        pressed, self._pressed = self._pressed, {}
        old: dict[str, tuple[float, float]] = {}
        new: dict[str, tuple[float, float]] = {}
        annotations = []
        for item, before in pressed.items():
            if item.scene() is not self:
                continue
            if isinstance(item, NodeItem) and item.pos() != before:
                old[item.node_id] = (before.x(), before.y())
                new[item.node_id] = (round(item.pos().x(), 1), round(item.pos().y(), 1))
            elif isinstance(item, TextAnnotationItem | ArrowAnnotationItem):
                moved = item.moved_annotation()
                if moved is not None:
                    annotations.append(moved)
        n = bool(new) + len(annotations)
        if not n:
            return
        if n > 1:
            self.undo_stack.beginMacro("Move")
        if new:
            self.push(cmd.MoveCommand(self.workflow, old, new))
        for ann in annotations:
            self.push(cmd.ReplaceAnnotationCommand(self.workflow, ann, "Move annotation"))
        if n > 1:
            self.undo_stack.endMacro()

    def _start_link_drag(self, node: NodeItem, kind: str, pos: QPointF) -> None:
        self._drag = (node, kind)
        self._drag_item = QGraphicsPathItem()
        pen = QPen(QColor("#2E7CD6"), 2, Qt.PenStyle.DashLine)
        self._drag_item.setPen(pen)
        self._drag_item.setZValue(50)
        self.addItem(self._drag_item)
        for nid, other in self.node_items.items():
            if other is node:
                continue
            pairs = (self.workflow.compatible_channels(node.node_id, nid) if kind == "output"
                     else self.workflow.compatible_channels(nid, node.node_id))
            other.set_dimmed(not pairs)

    def _end_link_drag(self) -> None:
        self._drag = None
        self._remove_drag_item()
        for item in self.node_items.values():
            item.set_dimmed(False)
            item.set_hot(False)
        self._hot = None

    def _remove_drag_item(self) -> None:
        if self._drag_item is not None:
            with contextlib.suppress(RuntimeError):
                self.removeItem(self._drag_item)
            self._drag_item = None

    # ------------------------------------------------------------------ context menus
    def _set_link_enabled(self, link_id: str, enabled: bool, *_: object) -> None:
        self.push(cmd.SetLinkEnabledCommand(self.workflow, link_id, enabled))

    def _remove(self, nodes: list[str], links: list[str], anns: list[str], *_: object) -> None:
        self.push(cmd.RemoveCommand(self.workflow, nodes, links, anns))

    def contextMenuEvent(self, event: QGraphicsSceneContextMenuEvent) -> None:
        pos = event.scenePos()
        node = self._node_at(pos)
        if node is not None:
            menu = QMenu()
            menu.addAction("Open", lambda: self.node_activated.emit(node.node_id))
            menu.addAction("Rename", lambda: self.start_rename(node.node_id))
            menu.addAction("Help", lambda: self.help_requested.emit(node.node_id))
            menu.addSeparator()
            menu.addAction("Remove", functools.partial(self._remove, [node.node_id], [], []))
            menu.exec(event.screenPos())
            return
        for item in self.items(pos):
            if isinstance(item, LinkItem):
                link_id = item.link_id
                enabled = item.link.enabled
                menu = QMenu()
                act = menu.addAction("Enabled")
                act.setCheckable(True)
                act.setChecked(enabled)
                act.triggered.connect(
                    functools.partial(self._set_link_enabled, link_id, not enabled))
                menu.addAction("Remove", functools.partial(self._remove, [], [link_id], []))
                menu.exec(event.screenPos())
                return
            if isinstance(item, TextAnnotationItem | ArrowAnnotationItem):
                ann_id = item.annotation_id
                menu = QMenu()
                if isinstance(item, TextAnnotationItem):
                    menu.addAction("Edit text", item.start_editing)
                menu.addAction("Remove", functools.partial(self._remove, [], [], [ann_id]))
                menu.exec(event.screenPos())
                return
        self.quick_menu_requested.emit(event.screenPos(), pos)


def _dialog_chooser(
    source: WorkflowNode, sink: WorkflowNode, pairs: list[tuple[str, str]]
) -> tuple[str, str] | None:
    from petriflow.gui.channel_dialog import choose_channels

    return choose_channels(source, sink, pairs)
