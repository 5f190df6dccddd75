"""Undoable canvas edits. Every edit goes through :class:`Workflow` methods.

Why through the workflow: the scheduler and the canvas both observe workflow events, so
an edit (or its undo) re-runs exactly the nodes it affects and the saved file always
matches what is on screen. Commands keep ids stable across undo/redo (a removed node
comes back with the same id, title, settings and links), so later commands in the stack
still refer to the right objects.

Named ``undo`` (not ``commands``) so it is not mistaken for the command-line interface,
:mod:`petriflow.commands`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from PyQt6.QtGui import QUndoCommand

from petriflow.core.describe import describe_change
from petriflow.core.node import Node, copy_settings
from petriflow.core.status import counted
from petriflow.core.workflow import Annotation, Link, UnknownNodeInfo, Workflow

__all__ = [
    "AddAnnotationCommand",
    "AddLinkCommand",
    "AddNodeCommand",
    "MoveCommand",
    "RemoveCommand",
    "RenameCommand",
    "ReplaceAnnotationCommand",
    "SetLinkEnabledCommand",
    "SettingsCommand",
]


@dataclass
class NodeSnapshot:
    """Everything needed to put a removed node back exactly as it was."""

    id: str
    title: str
    node_type: type[Node] | None
    settings: Any
    position: tuple[float, float]
    unknown: UnknownNodeInfo | None
    extra_properties: dict[str, Any]

    @classmethod
    def of(cls, workflow: Workflow, node_id: str) -> NodeSnapshot:
        n = workflow.node(node_id)
        return cls(n.id, n.title, n.node_type, copy.deepcopy(n.settings), n.position,
                   n.unknown, dict(n.extra_properties))

    def restore(self, workflow: Workflow) -> None:
        node = workflow.add_node(
            self.node_type, title=self.title, position=self.position,
            settings=copy.deepcopy(self.settings), node_id=self.id, unknown=self.unknown,
        )
        node.extra_properties = dict(self.extra_properties)


def _restore_link(workflow: Workflow, lk: Link) -> None:
    workflow.add_link(
        lk.source_id, lk.source_channel, lk.sink_id, lk.sink_channel, enabled=lk.enabled,
        link_id=lk.id, channel_ids=(lk.source_channel_id, lk.sink_channel_id),
    )


class AddNodeCommand(QUndoCommand):
    """Add a node (from the toolbox, the quick menu or a folder drop)."""

    def __init__(
        self, workflow: Workflow, node_type: type[Node], position: tuple[float, float],
        settings: Any = None, title: str | None = None,
    ) -> None:
        super().__init__(f"Add {node_type.name}")
        self.workflow = workflow
        self.node_type = node_type
        self.position = position
        self.settings = settings
        self.title = title
        self.node_id: str | None = None

    def redo(self) -> None:
        node = self.workflow.add_node(
            self.node_type, position=self.position, node_id=self.node_id, title=self.title,
            settings=copy.deepcopy(self.settings) if self.settings is not None else None,
        )
        self.node_id, self.title = node.id, node.title

    def undo(self) -> None:
        assert self.node_id is not None
        self.workflow.remove_node(self.node_id)


class RemoveCommand(QUndoCommand):
    """Remove nodes (with their links), links and annotations in one step."""

    def __init__(
        self, workflow: Workflow, node_ids: list[str], link_ids: list[str] = (),
        annotation_ids: list[str] = (),
    ) -> None:
        super().__init__("Remove")
        self.workflow = workflow
        self.nodes = [NodeSnapshot.of(workflow, nid) for nid in node_ids]
        involved = set(node_ids)
        links = {lk.id: lk for lk in workflow.links
                 if lk.id in set(link_ids) or {lk.source_id, lk.sink_id} & involved}
        # keep workflow order so link ids and input order come back unchanged
        self.links = [copy.copy(lk) for lk in workflow.links if lk.id in links]
        wanted = set(annotation_ids)
        self.annotations = [(i, copy.deepcopy(a)) for i, a in enumerate(workflow.annotations)
                            if a.id in wanted]
        n = len(self.nodes) + len(self.links) + len(self.annotations)
        self.setText(f"Remove {counted(n, 'item')}")

    def redo(self) -> None:
        for lk in self.links:
            if lk.id in {x.id for x in self.workflow.links}:
                self.workflow.remove_link(lk.id)
        for snap in self.nodes:
            self.workflow.remove_node(snap.id)
        for _, ann in self.annotations:
            self.workflow.remove_annotation(ann.id)

    def undo(self) -> None:
        for snap in self.nodes:
            snap.restore(self.workflow)
        for lk in self.links:
            _restore_link(self.workflow, lk)
        for index, ann in self.annotations:
            self.workflow.add_annotation(copy.deepcopy(ann))
            # put it back at its old place in the list so the file is unchanged
            current = self.workflow.annotations
            item = current.pop()
            current.insert(min(index, len(current)), item)


class MoveCommand(QUndoCommand):
    """Nodes moved by dragging; positions are already on screen when this is pushed."""

    def __init__(
        self, workflow: Workflow, old: dict[str, tuple[float, float]],
        new: dict[str, tuple[float, float]],
    ) -> None:
        super().__init__(f"Move {counted(len(new), 'node')}")
        self.workflow, self.old, self.new = workflow, old, new

    def redo(self) -> None:
        for nid, pos in self.new.items():
            self.workflow.set_position(nid, pos)

    def undo(self) -> None:
        for nid, pos in self.old.items():
            self.workflow.set_position(nid, pos)


class RenameCommand(QUndoCommand):
    def __init__(self, workflow: Workflow, node_id: str, title: str) -> None:
        self.old = workflow.node(node_id).title
        super().__init__(f"Rename {self.old!r} to {title!r}")
        self.workflow, self.node_id, self.title = workflow, node_id, title

    def redo(self) -> None:
        self.workflow.set_title(self.node_id, self.title)

    def undo(self) -> None:
        self.workflow.set_title(self.node_id, self.old)


class AddLinkCommand(QUndoCommand):
    """Link two channels; raises :class:`LinkError` on construction if it cannot be made."""

    def __init__(
        self, workflow: Workflow, source_id: str, source_channel: str, sink_id: str,
        sink_channel: str,
    ) -> None:
        out, inp = workflow.check_link(source_id, source_channel, sink_id, sink_channel)
        super().__init__(f"Link {out} → {inp}")
        self.workflow = workflow
        self.args = (source_id, out, sink_id, inp)
        self.link_id: str | None = None

    def redo(self) -> None:
        self.link_id = self.workflow.add_link(*self.args, link_id=self.link_id).id

    def undo(self) -> None:
        assert self.link_id is not None
        self.workflow.remove_link(self.link_id)


class SetLinkEnabledCommand(QUndoCommand):
    def __init__(self, workflow: Workflow, link_id: str, enabled: bool) -> None:
        super().__init__("Enable link" if enabled else "Disable link")
        self.workflow, self.link_id, self.enabled = workflow, link_id, enabled

    def redo(self) -> None:
        self.workflow.set_link_enabled(self.link_id, self.enabled)

    def undo(self) -> None:
        self.workflow.set_link_enabled(self.link_id, not self.enabled)


class SettingsCommand(QUndoCommand):
    """Change some settings fields of a node (validated by the workflow)."""

    def __init__(self, workflow: Workflow, node_id: str, text: str | None = None, /,
                 **changes: Any) -> None:
        node = workflow.node(node_id)
        # in words ("Change linkage of Hierarchical Clustering"), or as a view says it
        # ("Select 16 images in …"); never field ids
        settings_cls = type(node.settings)
        super().__init__(text or describe_change(settings_cls, node.title, changes))
        self.workflow, self.node_id, self.changes = workflow, node_id, changes
        # copy_settings: a lasso's 20,000-row selection deep-copied item by item cost
        # ~25 ms of the lasso's response
        self.old = copy_settings(node.settings)

    def redo(self) -> None:
        self.workflow.update_settings(self.node_id, **self.changes)

    def undo(self) -> None:
        self.workflow.set_settings(self.node_id, copy_settings(self.old))


class AddAnnotationCommand(QUndoCommand):
    def __init__(self, workflow: Workflow, annotation: Annotation) -> None:
        super().__init__("Add annotation")
        self.workflow, self.annotation = workflow, annotation

    def redo(self) -> None:
        self.annotation = self.workflow.add_annotation(copy.deepcopy(self.annotation))

    def undo(self) -> None:
        self.workflow.remove_annotation(self.annotation.id)


class ReplaceAnnotationCommand(QUndoCommand):
    """Edit an annotation (text, rectangle, arrow ends) by swapping in a changed copy.

    The workflow has no 'change annotation' method, so this removes and re-adds with the
    same id at the same place in the list (files keep their order).
    """

    def __init__(self, workflow: Workflow, new: Annotation, text: str = "Edit annotation") -> None:
        super().__init__(text)
        self.workflow = workflow
        self.new = copy.deepcopy(new)
        self.old = copy.deepcopy(next(a for a in workflow.annotations if a.id == new.id))

    def _put(self, ann: Annotation) -> None:
        index = next(i for i, a in enumerate(self.workflow.annotations) if a.id == ann.id)
        self.workflow.remove_annotation(ann.id)
        self.workflow.add_annotation(copy.deepcopy(ann))
        current = self.workflow.annotations
        current.insert(index, current.pop())

    def redo(self) -> None:
        self._put(self.new)

    def undo(self) -> None:
        self._put(self.old)
