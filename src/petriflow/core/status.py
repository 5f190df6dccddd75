"""A node's runtime state as the scheduler reports it: plain immutable values.

Why a module of its own: views, the canvas, ``petriflow run`` and tests read node states
without needing the scheduler's machinery; the scheduler re-exports both names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["NodeState", "NodeStatus", "counted"]


class NodeState(str, enum.Enum):
    IDLE = "idle"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class NodeStatus:
    """A snapshot of one node's runtime state (immutable, safe to pass across threads)."""

    state: NodeState = NodeState.IDLE
    progress: float = 0.0
    message: str = ""
    warnings: tuple[str, ...] = ()
    elapsed: float | None = None
    runs: int = 0  # completed runs, for tests and diagnostics
    #: notes that are no problem (Import Images: "Skipped 1 non-image file: README.txt");
    #: shown in the node's view, never as a warning badge
    infos: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        return self.state in (NodeState.DONE, NodeState.WARNING, NodeState.ERROR, NodeState.IDLE)


def counted(n: int, one: str, many: str | None = None) -> str:
    """``n`` and its noun in the right number: "1 image", "3 images", "1 class".

    Why here: node messages and the canvas's summaries of what flowed both become
    the line under a node's title, and "1 images, 3 classes" read as a bug."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
