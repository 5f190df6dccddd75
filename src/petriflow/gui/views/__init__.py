"""Custom node views, looked up by the node's qualified name.

The canvas opens ``VIEWS[qualified_name](context)`` on double-click, or the generic
:class:`~petriflow.gui.settings_panel.SettingsPanel` when no view is registered. Views
are registered with :func:`register_view`; the per-widget views arrive in a later issue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PyQt6.QtGui import QUndoStack
    from PyQt6.QtWidgets import QWidget

    from petriflow.core.scheduler import Scheduler
    from petriflow.core.workflow import Workflow
    from petriflow.gui.bridge import SchedulerBridge

__all__ = ["VIEWS", "ViewContext", "ViewFactory", "register_view"]


@dataclass
class ViewContext:
    """What a view needs: the node, where to write settings, where outputs come from.

    Write settings through ``undo_stack.push(SettingsCommand(workflow, node_id, ...))``;
    read inputs/outputs with ``scheduler.inputs(node_id)`` / ``scheduler.outputs(node_id)``
    and follow changes through ``bridge`` signals (already on the GUI thread).
    """

    workflow: Workflow
    node_id: str
    scheduler: Scheduler
    bridge: SchedulerBridge
    undo_stack: QUndoStack
    extra: dict[str, Any] | None = None


ViewFactory = Callable[[ViewContext], "QWidget"]

#: qualified node name -> factory returning a top-level QWidget
VIEWS: dict[str, ViewFactory] = {}


def register_view(qualified_name: str) -> Callable[[ViewFactory], ViewFactory]:
    """Decorator: ``@register_view("petriflow.distances") def make(ctx): ...``."""

    def deco(factory: ViewFactory) -> ViewFactory:
        VIEWS[qualified_name] = factory
        return factory

    return deco
