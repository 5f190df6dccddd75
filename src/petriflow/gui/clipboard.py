"""Copy and paste of canvas parts: selected nodes, the links between them, and notes.

Why a module of its own: the clipboard format (a small ``.ows`` document under a private MIME
type) and the undoable paste that re-creates its parts with fresh ids and titles are one job,
apart from the window that offers Cut/Copy/Paste in its Edit menu.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

from PyQt6.QtCore import QMimeData
from PyQt6.QtGui import QGuiApplication, QUndoStack

from petriflow.core.ows import WorkflowFormatError, parse_workflow, workflow_to_bytes
from petriflow.core.registry import NodeRegistry
from petriflow.core.workflow import LinkError, Workflow
from petriflow.gui import undo as cmd

__all__ = ["CLIPBOARD_MIME", "PASTE_OFFSET", "copy_part", "paste_part"]

CLIPBOARD_MIME = "application/x-petriflow-ows"
#: pasted parts land this far right and down of the originals, so both stay visible
PASTE_OFFSET = 30.0


def copy_part(workflow: Workflow, node_ids: set[str], annotation_ids: set[str]) -> bool:
    """Put the given nodes (+ links between them) and annotations on the clipboard as .ows.

    False (clipboard untouched) when nothing is given.
    """
    if not node_ids and not annotation_ids:
        return False
    part = Workflow()
    for node in workflow.nodes:
        if node.id in node_ids:
            copy_ = part.add_node(node.node_type, title=node.title, position=node.position,
                                  settings=node.settings, node_id=node.id,
                                  unknown=node.unknown)
            copy_.extra_properties = dict(node.extra_properties)
    for lk in workflow.links:
        if lk.source_id in node_ids and lk.sink_id in node_ids:
            with contextlib.suppress(LinkError):
                part.add_link(lk.source_id, lk.source_channel, lk.sink_id,
                              lk.sink_channel, enabled=lk.enabled)
    for ann in workflow.annotations:
        if ann.id in annotation_ids:
            part.add_annotation(copy.deepcopy(ann))
    mime = QMimeData()
    mime.setData(CLIPBOARD_MIME, workflow_to_bytes(part))
    QGuiApplication.clipboard().setMimeData(mime)
    return True


def paste_part(workflow: Workflow, undo_stack: QUndoStack,
               registry: NodeRegistry) -> list[str] | None:
    """Add the clipboard's part to ``workflow`` as one undoable "Paste".

    Returns the ids of the new nodes, or None when the clipboard holds no workflow part.
    """
    mime = QGuiApplication.clipboard().mimeData()
    if mime is None or not mime.hasFormat(CLIPBOARD_MIME):
        return None
    try:
        part = parse_workflow(bytes(mime.data(CLIPBOARD_MIME)), registry=registry)
    except WorkflowFormatError:
        return None
    offset = PASTE_OFFSET
    undo_stack.beginMacro("Paste")
    new_ids: dict[str, str] = {}
    try:
        for node in part.nodes:
            if node.node_type is None:
                continue
            command = cmd.AddNodeCommand(
                workflow, node.node_type,
                (node.position[0] + offset, node.position[1] + offset),
                settings=node.settings, title=workflow.unique_title(node.title))
            undo_stack.push(command)
            new_ids[node.id] = command.node_id or ""
        for lk in part.links:
            if lk.source_id in new_ids and lk.sink_id in new_ids:
                with contextlib.suppress(LinkError):
                    undo_stack.push(cmd.AddLinkCommand(
                        workflow, new_ids[lk.source_id], lk.source_channel,
                        new_ids[lk.sink_id], lk.sink_channel))
        for ann in part.annotations:
            moved = copy.deepcopy(ann)
            moved.id = ""
            _shift(moved, offset)
            undo_stack.push(cmd.AddAnnotationCommand(workflow, moved))
    finally:
        undo_stack.endMacro()
    return list(new_ids.values())


def _shift(annotation: Any, d: float) -> None:
    """Move a text note (``rect``) or an arrow (``start``/``end``) by ``d`` both ways."""
    if hasattr(annotation, "rect"):
        x, y, w, h = annotation.rect
        annotation.rect = (x + d, y + d, w, h)
    else:
        annotation.start = (annotation.start[0] + d, annotation.start[1] + d)
        annotation.end = (annotation.end[0] + d, annotation.end[1] + d)
