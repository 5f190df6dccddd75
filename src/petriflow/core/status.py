"""A node's runtime state as the scheduler reports it: plain immutable values.

Why a module of its own: views, the canvas, ``petriflow run`` and tests read node states
without needing the scheduler's machinery; the scheduler re-exports both names.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["NodeState", "NodeStatus", "counted", "is_selection", "waiting_message"]


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


def is_selection(channel: str) -> bool:
    """An output that holds what the user selected ("Selected Data", "Selected Images"):
    it is None while nothing is selected, which is no fault of the node that sent it."""
    return channel.startswith("Selected ")


def waiting_message(missing: list[str], unselected: dict[str, str]) -> str:
    """Why a node does not run: "Nothing selected in Hierarchical Clustering" for inputs
    whose source ran and sent an empty selection (``unselected``: input -> source title),
    "Waiting for input: Data" for the rest (their source has not sent anything yet).

    Why the difference: after a click on empty dendrogram space the Image Viewer said it
    was waiting, as if something were still to come; it needs a selection made."""
    parts = [f"Nothing selected in {title}"
             for title in dict.fromkeys(unselected[n] for n in missing if n in unselected)]
    rest = [n for n in missing if n not in unselected]
    if rest:
        parts.append(("waiting for input: " if parts else "Waiting for input: ")
                     + ", ".join(rest))
    return "; ".join(parts)
