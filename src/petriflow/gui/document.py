"""The open document: a workflow with the scheduler that runs it, and its file life.

Why a module of its own: one window holds one document — a :class:`Workflow`, the
:class:`Scheduler` that runs it, the bridge that brings scheduler news to the GUI thread, the
scene that draws it and the undo stack of its edits — and opening another file replaces all
five together. When and how that happens (new, open, save, save as, autosave, recovery after a
crash, the recent-files list) is a job of its own, separate from the window shell's menus and
docks (:mod:`petriflow.gui.mainwindow`). The questions only a person can answer (save the
changes? restore the autosave?) are asked through the :class:`DocumentHost`, the window, so
tests and headless runs can answer them instead.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any, Protocol

from PyQt6.QtCore import QObject, QPointF, QTimer, pyqtSignal
from PyQt6.QtGui import QUndoStack

from petriflow.bundled import absolutize_relative_paths, examples_dir, is_bundled
from petriflow.core.node import Node, RunOptions
from petriflow.core.ows import WorkflowFormatError, load_workflow, parse_workflow, save_workflow
from petriflow.core.registry import NodeRegistry
from petriflow.core.scheduler import NodeState, NodeStatus, Scheduler
from petriflow.core.workflow import Workflow
from petriflow.gui import undo as cmd
from petriflow.gui.autosave import INTERVAL_MS, AutosaveStore, Recovery
from petriflow.gui.bridge import SchedulerBridge
from petriflow.gui.canvas.scene import CanvasScene
from petriflow.gui.summaries import summarize

__all__ = ["MAX_RECENT", "Document", "DocumentHost", "examples_dir"]

MAX_RECENT = 10


class DocumentHost(Protocol):
    """What a document asks of its window: questions for a person, and what they see."""

    def ask_save_changes(self) -> str:
        """'save' | 'discard' | 'cancel'."""
        ...

    def ask_recover(self, recovery: Recovery) -> bool:
        """Whether to restore an autosave."""
        ...

    def show_error(self, title: str, text: str) -> None:
        """Tell about a failure (a dialog in the app)."""
        ...

    def save(self) -> bool:
        """Save the document, asking for a file name when it has none."""
        ...

    def show_opened(self, workflow: Workflow, path: Path) -> None:
        """A file was opened: show its Orange report and load warnings, if any."""
        ...


class Document(QObject):
    """The workflow, scheduler, bridge, scene and undo stack of one window, and its file."""

    #: about to drop the current workflow (the window closes its node views)
    replacing = pyqtSignal()
    #: a new workflow, scheduler, bridge and scene are in place (the window shows the scene)
    replaced = pyqtSignal()
    #: a node's status, after the scene has drawn it: node id, :class:`NodeStatus`
    status_changed = pyqtSignal(str, object)
    #: a node's outputs changed: node id
    outputs_changed = pyqtSignal(str)
    #: the file name or the modified state changed (the window title follows)
    title_changed = pyqtSignal()
    #: a notice for the status bar: text, milliseconds
    message = pyqtSignal(str, int)

    def __init__(self, host: DocumentHost, registry: NodeRegistry, data_dir: Path,
                 parent: QObject | None = None, *,
                 run_options: RunOptions | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.registry = registry
        #: how this window's schedulers run nodes (the app: embed in a worker process)
        self.run_options = run_options if run_options is not None else RunOptions()
        self.data_dir = Path(data_dir)
        self.autosave = AutosaveStore(self.data_dir / "autosave")
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self.title_changed)
        self.recovered = False  # restored from an autosave: modified though stack is clean
        self.paused = False  # the user paused propagation: a new document starts paused too
        self.statuses: dict[str, NodeStatus] = {}
        #: the bundled example this untitled document is a copy of (for its title)
        self.example: str | None = None
        self.workflow = Workflow(registry=registry)
        self.scheduler: Scheduler | None = None
        self.bridge: SchedulerBridge | None = None
        self.scene = CanvasScene(self.workflow, self.undo_stack, parent)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(INTERVAL_MS)
        self.autosave_timer.timeout.connect(self.autosave_now)
        self.autosave_timer.start()

    # ------------------------------------------------------------------ lifecycle
    def replace(self, workflow: Workflow, start: bool = True) -> None:
        """Replace the document: workflow, scheduler, bridge, scene, undo history."""
        self.replacing.emit()
        if self.bridge is not None:
            self.bridge.close()
        if self.scheduler is not None:
            self.scheduler.close()
        old_scene = self.scene
        old_scene.close()
        self.undo_stack.clear()
        self.recovered = False
        self.example = None
        self.workflow = workflow
        self.statuses = {}
        # the scheduler subscribes to the workflow before the scene, so it knows a new
        # node by the time the scene asks for its status;
        # created paused so the window shows before any node starts; resumed below
        self.scheduler = Scheduler(workflow, paused=True, options=self.run_options)
        self.scene = CanvasScene(workflow, self.undo_stack, self.parent())
        self.replaced.emit()  # the view shows the new scene before the old one goes
        old_scene.deleteLater()
        self.bridge = SchedulerBridge(self.scheduler, self.parent())
        self.bridge.status_changed.connect(self._on_status)
        self.bridge.outputs_changed.connect(self._on_outputs)
        self.scene.set_scheduler(self.scheduler)
        self.title_changed.emit()
        if start and not self.paused:
            scheduler = self.scheduler
            QTimer.singleShot(0, lambda: scheduler is self.scheduler and scheduler.resume())

    def close(self) -> None:
        """The window closes: no autosave left behind, nothing keeps running."""
        self.autosave.discard(self.workflow.path)
        self.autosave_timer.stop()
        if self.bridge is not None:
            self.bridge.close()
        if self.scheduler is not None:
            self.scheduler.close()
        self.scene.close()

    def _on_status(self, node_id: str, status: NodeStatus) -> None:
        self.scene.on_status(node_id, status)
        self.statuses[node_id] = status
        self.status_changed.emit(node_id, status)

    def _on_outputs(self, node_id: str, outputs: dict[str, Any]) -> None:
        self.scene.on_outputs(node_id, outputs)
        self.outputs_changed.emit(node_id)

    def describe_status(self, node_id: str) -> str:
        """State, message and outputs of a node, for its settings panel."""
        status = self.statuses.get(node_id) or (
            self.scheduler.status(node_id) if self.scheduler else NodeStatus())
        if status.state == NodeState.IDLE and status.message:
            lines = [status.message]  # "Waiting for input: Data", not "Idle: Waiting …"
        else:
            lines = [status.state.value.capitalize()
                     + (f": {status.message}" if status.message else "")]
        lines += status.infos  # notes that are no problem (a README skipped)
        if self.scheduler is not None and status.state in (NodeState.DONE, NodeState.WARNING):
            outputs = self.scheduler.outputs(node_id)
            for name, value in outputs.items():
                lines.append(f"{name}: {summarize(value)}")
        return "\n".join(lines)

    def state_counts(self) -> dict[NodeState, int]:
        """How many of the workflow's nodes are in each state (for the run label)."""
        ids = {n.id for n in self.workflow.nodes}
        counts: dict[NodeState, int] = {}
        for nid, s in self.statuses.items():
            if nid in ids:
                counts[s.state] = counts.get(s.state, 0) + 1
        return counts

    def is_modified(self) -> bool:
        """Unsaved edits, or a document restored from an autosave."""
        return self.recovered or not self.undo_stack.isClean()

    def display_name(self) -> str:
        """The file's name; for an untitled copy of an example, which example."""
        if self.workflow.path is not None:
            return self.workflow.path.name
        return f"{self.example} (example, untitled)" if self.example else "untitled"

    # ------------------------------------------------------------------ edits
    def free_position(self, pos: QPointF) -> tuple[float, float]:
        """The spot nearest ``pos`` where a new node's disc, title and status line
        (:data:`~petriflow.gui.canvas.fluent.NODE_BOX`) meet no other node's.

        Why not a small nudge: a node added from the toolbox (Enter, double-click) lands
        at the view's centre; 30 units off a node there, both titles were squeezed to
        fit ("Distan ces", "Hierar chical Cluste ring")."""
        from petriflow.gui.canvas.fluent import NODE_BOX

        x, y = round(pos.x(), 1), round(pos.y(), 1)
        w, h = NODE_BOX[2], NODE_BOX[3]
        taken = [n.position for n in self.workflow.nodes]

        def free(cx: float, cy: float) -> bool:
            return all(abs(cx - a) >= w or abs(cy - b) >= h for a, b in taken)

        if free(x, y):
            return (x, y)
        step = 20.0
        spots = sorted(((i * step, j * step) for i in range(-30, 31) for j in range(-30, 31)),
                       key=lambda d: (d[0] ** 2 + d[1] ** 2, -d[1], -d[0]))
        for dx, dy in spots:
            if free(x + dx, y + dy):
                return (x + dx, y + dy)
        return (x + 30, y + 30)  # a very crowded canvas: as before

    def add_node(self, node_type: type[Node], pos: QPointF, settings: Any = None) -> str | None:
        """Add a node (one undo step) near ``pos`` and select it; its id."""
        command = cmd.AddNodeCommand(self.workflow, node_type, self.free_position(pos),
                                     settings=settings)
        self.undo_stack.push(command)
        self.select_nodes([command.node_id or ""])
        return command.node_id

    def select_nodes(self, node_ids: list[str]) -> None:
        """Select exactly these nodes on the canvas."""
        self.scene.clearSelection()
        for nid in node_ids:
            item = self.scene.node_items.get(nid)
            if item is not None:
                item.setSelected(True)

    def delete_selection(self) -> None:
        """Remove the selected nodes, links and notes (one undo step)."""
        nodes = self.scene.selected_node_ids()
        links = self.scene.selected_link_ids()
        anns = self.scene.selected_annotation_ids()
        if nodes or links or anns:
            self.undo_stack.push(cmd.RemoveCommand(self.workflow, nodes, links, anns))

    # ------------------------------------------------------------------ new / open / save
    def new(self) -> None:
        """An empty untitled document (after asking to save changes)."""
        if self.maybe_save():
            self.replace(Workflow(registry=self.registry))

    def open_file(self, path: Path, *, ask: bool = True, offer_recovery: bool = True) -> bool:
        """Open a workflow file (after asking to save changes); False if not opened.

        A shipped example (File > Open into the examples folder, a drop, the command
        line) opens as an untitled copy, like File > Examples: Save never overwrites it.
        """
        if is_bundled(path):
            return self.open_example(path, ask=ask)
        if ask and not self.maybe_save():
            return False
        try:
            workflow = load_workflow(path, registry=self.registry)
        except WorkflowFormatError as exc:
            self.host.show_error("Cannot open workflow", str(exc))
            return False
        self.replace(workflow)
        self.add_recent(Path(path))
        self.host.show_opened(workflow, Path(path))
        if offer_recovery:
            self.offer_recovery()
        return True

    def open_example(self, path: Path, *, ask: bool = True) -> bool:
        """Open an example as an untitled copy; False if not opened.

        Why a copy: the shipped file may be read-only (an installed package) and must stay
        as shipped, so the document has no file and Save asks where. Its settings that
        name the example's own data (``data/textures``) become absolute paths, since an
        untitled document has no folder for them to be relative to.
        """
        if ask and not self.maybe_save():
            return False
        path = Path(path)
        try:
            workflow = load_workflow(path, registry=self.registry)
        except WorkflowFormatError as exc:
            self.host.show_error("Cannot open example", str(exc))
            return False
        absolutize_relative_paths(workflow, path.parent)
        workflow.path = None
        self.replace(workflow)
        self.example = path.stem
        self.title_changed.emit()
        self.host.show_opened(workflow, path)
        return True

    def write(self, path: Path) -> bool:
        """Write the workflow to ``path``; it becomes the document's file."""
        old = self.workflow.path
        try:
            save_workflow(self.workflow, path)
        except OSError as exc:
            self.host.show_error("Cannot save workflow", f"{path}: {exc.strerror or exc}")
            return False
        if old != self.workflow.path:
            self.autosave.discard(old)
        self.autosave.discard(self.workflow.path)
        self.autosave.discard(None)
        self.recovered = False
        self.example = None
        self.undo_stack.setClean()
        self.title_changed.emit()
        self.add_recent(path)
        self.message.emit(f"Saved {path.name}", 5000)
        return True

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; True when it is fine to drop the document."""
        if not self.is_modified():
            return True
        answer = self.host.ask_save_changes()
        if answer == "save":
            return self.host.save()
        if answer == "discard":
            self.autosave.discard(self.workflow.path)
            return True
        return False

    # ------------------------------------------------------------------ autosave
    def autosave_now(self) -> Path | None:
        """Write the autosave if there are unsaved changes (the timer calls this)."""
        if not self.is_modified():
            return None
        try:
            return self.autosave.save(self.workflow)
        except OSError as exc:
            self.message.emit(f"Autosave failed: {exc}", 10000)
            return None

    def offer_recovery(self) -> bool:
        """If an unsaved autosave of this document exists, offer to restore it."""
        rec = self.autosave.find(self.workflow.path)
        if rec is None:
            return False
        if not self.host.ask_recover(rec):
            self.autosave.discard(rec.original)
            return False
        try:
            workflow = parse_workflow(rec.autosave.read_bytes(), registry=self.registry,
                                      source=rec.autosave.name)
        except (OSError, WorkflowFormatError) as exc:
            self.host.show_error("Cannot recover", str(exc))
            return False
        workflow.path = rec.original
        self.replace(workflow)
        self.recovered = True
        self.title_changed.emit()
        self.message.emit("Recovered the autosaved workflow", 8000)
        return True

    # ------------------------------------------------------------------ recent files
    def _recent_file(self) -> Path:
        return self.data_dir / "recent.json"

    def recent_files(self) -> list[Path]:
        """Workflows opened or saved lately, the latest first, each file once.

        Once by its resolved path: the list may hold one file under two spellings (a
        symlinked folder, ``..``, a list written by an older version).
        """
        try:
            stored = [Path(p) for p in json.loads(self._recent_file().read_text())]
        except (OSError, ValueError, TypeError):
            return []
        seen: set[Path] = set()
        out: list[Path] = []
        for p in stored:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                out.append(key)
        return out

    def add_recent(self, path: Path) -> None:
        """Put ``path`` first in the recent-files list (best effort: a read-only disk is fine)."""
        path = Path(path).resolve()
        if is_bundled(path):
            return  # examples open as untitled copies: File > Examples lists them
        items = [p for p in self.recent_files() if p != path]
        items.insert(0, path)
        with contextlib.suppress(OSError):
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._recent_file().write_text(json.dumps([str(p) for p in items[:MAX_RECENT]]))
