"""Petriflow: explore image collections with deep features, on your own machine.

Public API: :func:`load_workflow`, :func:`save_workflow`, :class:`Workflow`,
:class:`Scheduler`, :class:`Table`. Nothing here imports Qt or torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Scheduler", "Table", "Workflow", "__version__", "load_workflow", "save_workflow"]

if TYPE_CHECKING:
    from petriflow.core.scheduler import Scheduler
    from petriflow.core.table import Table
    from petriflow.core.workflow import Workflow


def load_workflow(path: Any, registry: Any = None) -> Workflow:
    """Read a ``.ows`` file (Petriflow's or Orange's) into a :class:`Workflow`."""
    from petriflow.core.ows import load_workflow as _load

    return _load(path, registry=registry)


def save_workflow(workflow: Workflow, path: Any) -> None:
    """Write ``workflow`` to ``path`` atomically, in Orange's ``.ows`` XML layout."""
    from petriflow.core.ows import save_workflow as _save

    _save(workflow, path)


def __getattr__(name: str) -> Any:
    if name == "Workflow":
        from petriflow.core.workflow import Workflow

        return Workflow
    if name == "Scheduler":
        from petriflow.core.scheduler import Scheduler

        return Scheduler
    if name == "Table":
        from petriflow.core.table import Table

        return Table
    raise AttributeError(name)
