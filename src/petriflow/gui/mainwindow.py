"""The main window: toolbox, canvas, menus, file handling, autosave, pause/step.

One window holds one document: a :class:`Workflow`, the :class:`Scheduler` that runs it,
the bridge that brings scheduler news to the GUI thread, the scene that draws it and
the undo stack of its edits. Opening another file replaces all five together.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

from PyQt6 import sip
from PyQt6.QtCore import QMimeData, QPointF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QUndoStack
from PyQt6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from petriflow.core.ows import (
    WorkflowFormatError,
    load_workflow,
    parse_workflow,
    save_workflow,
    workflow_to_bytes,
)
from petriflow.core.registry import NodeRegistry, default_registry
from petriflow.core.scheduler import NodeState, NodeStatus, Scheduler
from petriflow.core.workflow import LinkError, Workflow
from petriflow.gui import commands as cmd
from petriflow.gui.autosave import INTERVAL_MS, AutosaveStore, Recovery
from petriflow.gui.bridge import SchedulerBridge
from petriflow.gui.canvas.scene import CanvasScene
from petriflow.gui.canvas.view import CanvasView
from petriflow.gui.icons import node_icon
from petriflow.gui.quickmenu import QuickMenu
from petriflow.gui.settings_panel import SettingsPanel
from petriflow.gui.summaries import summarize
from petriflow.gui.toolbox import ToolBox
from petriflow.gui.views import VIEWS, ViewContext

__all__ = ["CLIPBOARD_MIME", "MainWindow", "examples_dir"]

CLIPBOARD_MIME = "application/x-petriflow-ows"
MAX_RECENT = 10


def examples_dir() -> Path | None:
    """The bundled ``workflows/`` folder (next to ``src/`` in a checkout)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "workflows"
        if candidate.is_dir() and any(candidate.glob("*.ows")):
            return candidate
    return None


class MainWindow(QMainWindow):
    """The Petriflow canvas application window."""

    #: an uncaught exception's one-line summary, from any thread (shown in the status bar)
    internal_error = pyqtSignal(str)

    def __init__(
        self, registry: NodeRegistry | None = None, data_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.registry = registry if registry is not None else default_registry()
        if data_dir is None:
            import platformdirs

            data_dir = Path(platformdirs.user_data_dir("petriflow", appauthor=False))
        self.data_dir = Path(data_dir)
        self.autosave = AutosaveStore(self.data_dir / "autosave")
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._update_title)
        self._recovered = False  # restored from an autosave: modified though stack is clean
        self._views: dict[str, QWidget] = {}
        self._statuses: dict[str, NodeStatus] = {}
        self.workflow = Workflow()
        self.scheduler: Scheduler | None = None
        self.bridge: SchedulerBridge | None = None
        self.scene = CanvasScene(self.workflow, self.undo_stack, self)
        self.view = CanvasView(self.scene)
        self.setCentralWidget(self.view)
        self.toolbox = ToolBox(self.registry)
        dock = QDockWidget("Widgets", self)
        dock.setObjectName("toolbox")
        dock.setWidget(self.toolbox)
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        self.run_label = QLabel()
        self.statusBar().addPermanentWidget(self.run_label)
        self.internal_error.connect(self._show_internal_error)
        self._make_actions()
        self._make_menus()
        self.toolbox.node_requested.connect(self.add_node)
        self.view.node_dropped.connect(self.add_node)
        self.view.folder_dropped.connect(self.add_image_folder)
        self.view.file_dropped.connect(self._open_dropped)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(INTERVAL_MS)
        self.autosave_timer.timeout.connect(self.autosave_now)
        self.autosave_timer.start()
        self.resize(1200, 760)
        self._set_workflow(Workflow(), start=True)

    # ================================================================== actions & menus
    def _action(self, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if tip:
            act.setStatusTip(tip)
        act.triggered.connect(lambda *_: slot())
        self.addAction(act)
        return act

    def _make_actions(self) -> None:
        K = QKeySequence.StandardKey
        self.new_action = self._action("&New", self.new_workflow, K.New)
        self.open_action = self._action("&Open…", self.open_dialog, K.Open)
        self.save_action = self._action("&Save", self.save, K.Save)
        self.save_as_action = self._action("Save &As…", self.save_as, K.SaveAs)
        self.quit_action = self._action("&Quit", self.close, K.Quit)
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(K.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts([QKeySequence(K.Redo), QKeySequence("Ctrl+Shift+Z")])
        self.cut_action = self._action("Cu&t", self.cut, K.Cut)
        self.copy_action = self._action("&Copy", self.copy_selection, K.Copy)
        self.paste_action = self._action("&Paste", self.paste, K.Paste)
        self.delete_action = self._action("&Delete", self.delete_selection, K.Delete)
        self.delete_action.setShortcuts([QKeySequence(K.Delete), QKeySequence("Backspace")])
        self.select_all_action = self._action("Select &All", lambda: self.scene.select_all(),
                                              K.SelectAll)
        self.rename_action = self._action("Re&name", self.rename_selected, "F2")
        self.open_node_action = self._action("&Open Widget", self.open_selected, "Ctrl+Return")
        self.text_action = self._action("&Text Annotation", lambda: self._set_mode("text"),
                                        tip="Click on the canvas to place a note")
        self.arrow_action = self._action("&Arrow Annotation", lambda: self._set_mode("arrow"),
                                         tip="Drag on the canvas to draw an arrow")
        self.pause_action = self._action("&Pause", self.toggle_pause, "F9",
                                         "Freeze propagation: nothing new starts")
        self.pause_action.setCheckable(True)
        self.step_action = self._action("&Step", self.step, "F10",
                                        "While paused, run one node that is ready")
        self.step_action.setEnabled(False)
        self.fit_action = self._action("&Fit Workflow", lambda: self.view.fit_workflow(),
                                       "Ctrl+0")
        for act in (self.delete_action, self.select_all_action, self.rename_action,
                    self.copy_action, self.cut_action, self.paste_action):
            # leave these keys to a title or note being edited
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.removeAction(act)
            self.view.addAction(act)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.new_action, self.open_action])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.examples_menu = file_menu.addMenu("&Examples")
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.examples_menu.aboutToShow.connect(self._fill_examples)
        edit = bar.addMenu("&Edit")
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        edit.addActions([self.cut_action, self.copy_action, self.paste_action,
                         self.delete_action])
        edit.addSeparator()
        edit.addActions([self.select_all_action, self.rename_action, self.open_node_action])
        insert = bar.addMenu("&Insert")
        insert.addActions([self.text_action, self.arrow_action])
        run = bar.addMenu("&Run")
        run.addActions([self.pause_action, self.step_action])
        view = bar.addMenu("&View")
        view.addAction(self.fit_action)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&About Petriflow", self.about,
                                         tip="Version, and where the log file is"))
        tools = self.addToolBar("Canvas")
        tools.setObjectName("canvas-tools")
        tools.addActions([self.undo_action, self.redo_action])
        tools.addSeparator()
        tools.addActions([self.text_action, self.arrow_action])
        tools.addSeparator()
        tools.addActions([self.pause_action, self.step_action])

    # ================================================================== document
    def _set_workflow(self, workflow: Workflow, start: bool = True) -> None:
        """Replace the document: workflow, scheduler, bridge, scene, undo history."""
        for nid in list(self._views):
            w = self.live_view(nid)
            if w is not None:
                w.close()
        self._views.clear()
        if self.bridge is not None:
            self.bridge.close()
        if self.scheduler is not None:
            self.scheduler.close()
        old_scene = self.scene
        old_scene.close()
        self.undo_stack.clear()
        self._recovered = False
        self.workflow = workflow
        self._statuses = {}
        # the scheduler subscribes to the workflow before the scene, so it knows a new
        # node by the time the scene asks for its status;
        # created paused so the window shows before any node starts; resumed below
        self.scheduler = Scheduler(workflow, paused=True)
        self.scene = CanvasScene(workflow, self.undo_stack, self)
        self.scene.node_activated.connect(self.open_node)
        self.scene.message.connect(self._show_message)
        self.scene.quick_menu_requested.connect(self.show_quick_menu)
        self.view.setScene(self.scene)
        old_scene.deleteLater()
        self.bridge = SchedulerBridge(self.scheduler, self)
        self.bridge.status_changed.connect(self._on_status)
        self.bridge.outputs_changed.connect(self._on_outputs)
        self.scene.set_scheduler(self.scheduler)
        self._update_title()
        self._update_run_label()
        if start and not self.pause_action.isChecked():
            scheduler = self.scheduler
            QTimer.singleShot(0, lambda: scheduler is self.scheduler and scheduler.resume())
        QTimer.singleShot(0, self.view.fit_workflow)

    def _show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)

    def _on_status(self, node_id: str, status: NodeStatus) -> None:
        self.scene.on_status(node_id, status)
        self._statuses[node_id] = status
        view = self.live_view(node_id)
        if isinstance(view, SettingsPanel):
            view.show_status(self.describe_status(node_id))
        self._update_run_label()

    def _on_outputs(self, node_id: str, outputs: dict[str, Any]) -> None:
        self.scene.on_outputs(node_id, outputs)
        view = self.live_view(node_id)
        if isinstance(view, SettingsPanel):
            view.show_status(self.describe_status(node_id))

    def describe_status(self, node_id: str) -> str:
        """State, message and outputs of a node, for its settings panel."""
        status = self._statuses.get(node_id) or (
            self.scheduler.status(node_id) if self.scheduler else NodeStatus())
        lines = [status.state.value.capitalize()
                 + (f": {status.message}" if status.message else "")]
        if self.scheduler is not None and status.state in (NodeState.DONE, NodeState.WARNING):
            outputs = self.scheduler.outputs(node_id)
            for name, value in outputs.items():
                lines.append(f"{name}: {summarize(value)}")
        return "\n".join(lines)

    def _update_run_label(self) -> None:
        ids = {n.id for n in self.workflow.nodes}
        states = [s.state for nid, s in self._statuses.items() if nid in ids]
        running = states.count(NodeState.RUNNING)
        queued = states.count(NodeState.QUEUED)
        errors = states.count(NodeState.ERROR)
        parts = []
        if self.pause_action.isChecked():
            parts.append("Paused")
        if running:
            parts.append(f"{running} running")
        if queued:
            parts.append(f"{queued} queued")
        if errors:
            parts.append(f"{errors} with errors")
        self.run_label.setText(" · ".join(parts) if parts else "Ready")

    def is_modified(self) -> bool:
        return self._recovered or not self.undo_stack.isClean()

    def _update_title(self, *_: object) -> None:
        name = self.workflow.path.name if self.workflow.path else "untitled"
        self.setWindowTitle(f"{name}[*] — Petriflow")
        self.setWindowModified(self.is_modified())

    # ------------------------------------------------------------------ new / open / save
    def _open_dropped(self, path: str) -> None:
        self.open_file(Path(path))

    def new_workflow(self) -> None:
        if self.maybe_save():
            self._set_workflow(Workflow())

    def open_dialog(self) -> None:
        start = str(self.workflow.directory or examples_dir() or Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open workflow", start,
                                              "Workflows (*.ows);;All files (*)")
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path, *, ask: bool = True, offer_recovery: bool = True) -> bool:
        """Open a workflow file (after asking to save changes); False if not opened."""
        if ask and not self.maybe_save():
            return False
        try:
            workflow = load_workflow(path, registry=self.registry)
        except WorkflowFormatError as exc:
            self.show_error("Cannot open workflow", str(exc))
            return False
        self._set_workflow(workflow)
        self._add_recent(Path(path))
        from petriflow.gui.orange_report import show_orange_report

        show_orange_report(self, workflow.orange_report)  # non-modal; None hides it
        if workflow.load_warnings:
            n = len(workflow.load_warnings)
            self.statusBar().showMessage(
                f"Opened with {n} warning{'s' if n > 1 else ''}: "
                + "; ".join(workflow.load_warnings[:3]), 15000)
        else:
            self.statusBar().showMessage(f"Opened {Path(path).name}", 5000)
        if offer_recovery:
            self.offer_recovery()
        return True

    def save(self) -> bool:
        if self.workflow.path is None:
            return self.save_as()
        return self._write(self.workflow.path)

    def save_as(self, path: Path | None = None) -> bool:
        if path is None:
            start = str(self.workflow.path or (Path.home() / "untitled.ows"))
            chosen, _ = QFileDialog.getSaveFileName(self, "Save workflow", start,
                                                    "Workflows (*.ows)")
            if not chosen:
                return False
            path = Path(chosen)
            if path.suffix.lower() != ".ows":
                path = path.with_suffix(".ows")
        old = self.workflow.path
        if self._write(Path(path)):
            if old != self.workflow.path:
                self.autosave.discard(old)
            return True
        return False

    def _write(self, path: Path) -> bool:
        try:
            save_workflow(self.workflow, path)
        except OSError as exc:
            self.show_error("Cannot save workflow", f"{path}: {exc.strerror or exc}")
            return False
        self.autosave.discard(self.workflow.path)
        self.autosave.discard(None)
        self._recovered = False
        self.undo_stack.setClean()
        self._update_title()
        self._add_recent(path)
        self.statusBar().showMessage(f"Saved {path.name}", 5000)
        return True

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; True when it is fine to drop the document."""
        if not self.is_modified():
            return True
        answer = self.ask_save_changes()
        if answer == "save":
            return self.save()
        if answer == "discard":
            self.autosave.discard(self.workflow.path)
            return True
        return False

    def ask_save_changes(self) -> str:
        """'save' | 'discard' | 'cancel' (a dialog; tests replace this method)."""
        name = self.workflow.path.name if self.workflow.path else "this workflow"
        buttons = (QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                   | QMessageBox.StandardButton.Cancel)
        answer = QMessageBox.question(self, "Unsaved changes",
                                      f"Save the changes to {name}?", buttons,
                                      QMessageBox.StandardButton.Save)
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(answer, "cancel")

    def show_error(self, title: str, text: str) -> None:
        self.statusBar().showMessage(text, 15000)
        QMessageBox.warning(self, title, text)

    def about_text(self) -> str:
        """Version and the log file (where full error reports go), for Help → About."""
        from petriflow import __version__
        from petriflow.core.logs import default_log_dir, log_file

        where = log_file() or (default_log_dir() / "petriflow.log")
        return (f"Petriflow {__version__}\n\nFull error reports (tracebacks) are written "
                f"to the log file:\n{where}")

    def about(self) -> None:
        QMessageBox.about(self, "About Petriflow", self.about_text())

    def _show_internal_error(self, text: str) -> None:
        # not a dialog: the app keeps running and the details are in the log file
        self.statusBar().showMessage(text, 20000)

    # ------------------------------------------------------------------ autosave
    def autosave_now(self) -> Path | None:
        """Write the autosave if there are unsaved changes (the timer calls this)."""
        if not self.is_modified():
            return None
        try:
            return self.autosave.save(self.workflow)
        except OSError as exc:
            self.statusBar().showMessage(f"Autosave failed: {exc}", 10000)
            return None

    def offer_recovery(self) -> bool:
        """If an unsaved autosave of this document exists, offer to restore it."""
        rec = self.autosave.find(self.workflow.path)
        if rec is None:
            return False
        if not self.ask_recover(rec):
            self.autosave.discard(rec.original)
            return False
        try:
            workflow = parse_workflow(rec.autosave.read_bytes(), registry=self.registry,
                                      source=rec.autosave.name)
        except (OSError, WorkflowFormatError) as exc:
            self.show_error("Cannot recover", str(exc))
            return False
        workflow.path = rec.original
        self._set_workflow(workflow)
        self._recovered = True
        self._update_title()
        self.statusBar().showMessage("Recovered the autosaved workflow", 8000)
        return True

    def ask_recover(self, recovery: Recovery) -> bool:
        """Ask whether to restore an autosave (a dialog; tests replace this method)."""
        answer = QMessageBox.question(
            self, "Recover workflow", recovery.describe() + "\n\nRestore them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    # ------------------------------------------------------------------ recent, examples
    def _recent_file(self) -> Path:
        return self.data_dir / "recent.json"

    def recent_files(self) -> list[Path]:
        try:
            return [Path(p) for p in json.loads(self._recent_file().read_text())]
        except (OSError, ValueError, TypeError):
            return []

    def _add_recent(self, path: Path) -> None:
        path = Path(path).resolve()
        items = [p for p in self.recent_files() if p != path]
        items.insert(0, path)
        with contextlib.suppress(OSError):
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._recent_file().write_text(json.dumps([str(p) for p in items[:MAX_RECENT]]))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        files = [p for p in self.recent_files() if p.exists()]
        for p in files:
            self.recent_menu.addAction(p.name, lambda p=p: self.open_file(p)).setToolTip(str(p))
        if not files:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def _fill_examples(self) -> None:
        self.examples_menu.clear()
        folder = examples_dir()
        files = sorted(folder.glob("*.ows")) if folder else []
        for p in files:
            title = p.stem.replace("-", " ").capitalize()
            self.examples_menu.addAction(title, lambda p=p: self.open_file(p))
        if not files:
            self.examples_menu.addAction("(no examples found)").setEnabled(False)

    # ================================================================== edits
    def _free_position(self, pos: QPointF) -> tuple[float, float]:
        """``pos`` nudged so a new node does not land exactly on another one."""
        x, y = round(pos.x(), 1), round(pos.y(), 1)
        taken = [n.position for n in self.workflow.nodes]
        while any(abs(x - a) < 40 and abs(y - b) < 40 for a, b in taken):
            x, y = x + 30, y + 30
        return (x, y)

    def add_node(self, qualified_name: str, pos: QPointF | None = None,
                 settings: Any = None) -> str | None:
        node_type = self.registry.get(qualified_name)
        if node_type is None:
            return None
        where = self._free_position(pos if pos is not None else self.view.center_scene_pos())
        command = cmd.AddNodeCommand(self.workflow, node_type, where, settings=settings)
        self.undo_stack.push(command)
        self.scene.clearSelection()
        item = self.scene.node_items.get(command.node_id or "")
        if item is not None:
            item.setSelected(True)
        return command.node_id

    def add_image_folder(self, folder: str, pos: QPointF) -> str | None:
        """A folder dropped on the canvas becomes an Import Images node reading it."""
        nt = self.registry.get("petriflow.import_images")
        if nt is None:
            self.statusBar().showMessage("Import Images is not available", 5000)
            return None
        return self.add_node(nt.qualified_name, pos, settings=nt.Settings(folder=folder))

    def delete_selection(self) -> None:
        nodes = self.scene.selected_node_ids()
        links = self.scene.selected_link_ids()
        anns = self.scene.selected_annotation_ids()
        if nodes or links or anns:
            self.undo_stack.push(cmd.RemoveCommand(self.workflow, nodes, links, anns))

    def rename_selected(self) -> None:
        nodes = self.scene.selected_node_ids()
        if len(nodes) == 1:
            self.scene.start_rename(nodes[0])

    def open_selected(self) -> None:
        for nid in self.scene.selected_node_ids():
            self.open_node(nid)

    def _set_mode(self, mode: str) -> None:
        self.scene.mode = mode
        hint = ("Click where the note goes" if mode == "text"
                else "Drag on the canvas to draw the arrow")
        self.statusBar().showMessage(hint, 5000)

    # ------------------------------------------------------------------ clipboard
    def copy_selection(self) -> bool:
        """Copy selected nodes (+ links between them) and annotations as .ows text."""
        ids = set(self.scene.selected_node_ids())
        anns = set(self.scene.selected_annotation_ids())
        if not ids and not anns:
            return False
        part = Workflow()
        for node in self.workflow.nodes:
            if node.id in ids:
                copy_ = part.add_node(node.node_type, title=node.title, position=node.position,
                                      settings=node.settings, node_id=node.id,
                                      unknown=node.unknown)
                copy_.extra_properties = dict(node.extra_properties)
        for lk in self.workflow.links:
            if lk.source_id in ids and lk.sink_id in ids:
                with contextlib.suppress(LinkError):
                    part.add_link(lk.source_id, lk.source_channel, lk.sink_id,
                                  lk.sink_channel, enabled=lk.enabled)
        for ann in self.workflow.annotations:
            if ann.id in anns:
                part.add_annotation(_copy(ann))
        mime = QMimeData()
        data = workflow_to_bytes(part)
        mime.setData(CLIPBOARD_MIME, data)
        QGuiApplication.clipboard().setMimeData(mime)
        return True

    def cut(self) -> None:
        if self.copy_selection():
            self.delete_selection()

    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not mime.hasFormat(CLIPBOARD_MIME):
            return
        try:
            part = parse_workflow(bytes(mime.data(CLIPBOARD_MIME)), registry=self.registry)
        except WorkflowFormatError:
            return
        offset = 30.0
        self.undo_stack.beginMacro("Paste")
        new_ids: dict[str, str] = {}
        try:
            for node in part.nodes:
                if node.node_type is None:
                    continue
                command = cmd.AddNodeCommand(
                    self.workflow, node.node_type,
                    (node.position[0] + offset, node.position[1] + offset),
                    settings=node.settings, title=self.workflow.unique_title(node.title))
                self.undo_stack.push(command)
                new_ids[node.id] = command.node_id or ""
            for lk in part.links:
                if lk.source_id in new_ids and lk.sink_id in new_ids:
                    with contextlib.suppress(LinkError):
                        self.undo_stack.push(cmd.AddLinkCommand(
                            self.workflow, new_ids[lk.source_id], lk.source_channel,
                            new_ids[lk.sink_id], lk.sink_channel))
            for ann in part.annotations:
                moved = _copy(ann)
                moved.id = ""
                _shift(moved, offset)
                self.undo_stack.push(cmd.AddAnnotationCommand(self.workflow, moved))
        finally:
            self.undo_stack.endMacro()
        self.scene.clearSelection()
        for nid in new_ids.values():
            if nid in self.scene.node_items:
                self.scene.node_items[nid].setSelected(True)

    # ------------------------------------------------------------------ quick menu
    def show_quick_menu(self, screen_pos: Any, scene_pos: QPointF) -> QuickMenu:
        menu = QuickMenu(self.registry, self)
        menu.picked.connect(lambda qn: self.add_node(qn, scene_pos))
        menu.popup(screen_pos)
        self._quick_menu = menu
        return menu

    # ================================================================== run control
    def toggle_pause(self) -> None:
        assert self.scheduler is not None
        if self.pause_action.isChecked():
            self.scheduler.pause()
            self.statusBar().showMessage(
                "Paused: nothing new runs. Step (F10) runs one node; Pause again resumes.", 8000)
        else:
            self.scheduler.resume()
            self.statusBar().showMessage("Resumed", 3000)
        self.step_action.setEnabled(self.pause_action.isChecked())
        self._update_run_label()

    def step(self) -> str | None:
        """While paused, start one node that is ready; returns its id."""
        if self.scheduler is None or not self.scheduler.paused:
            return None
        nid = self.scheduler.step()
        if nid is None:
            self.statusBar().showMessage("Nothing is ready to run", 5000)
        else:
            self.statusBar().showMessage(f"Step: running {self.workflow.node(nid).title!r}", 5000)
        return nid

    # ================================================================== node views
    def open_node(self, node_id: str) -> QWidget:
        """Show a node's view (its registered view, else the settings panel)."""
        existing = self.live_view(node_id)
        if existing is not None:
            existing.show()
            existing.raise_()
            existing.activateWindow()
            return existing
        node = self.workflow.node(node_id)
        factory = VIEWS.get(node.qualified_name)
        if factory is not None:
            assert self.scheduler is not None and self.bridge is not None
            widget = factory(ViewContext(self.workflow, node_id, self.scheduler, self.bridge,
                                         self.undo_stack))
        else:
            widget = SettingsPanel(self.workflow, node_id, self.undo_stack)
            widget.show_status(self.describe_status(node_id))
        widget.setParent(self, Qt.WindowType.Window)
        widget.setWindowIcon(node_icon(node.node_type))
        widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._views[node_id] = widget
        widget.show()
        return widget

    def live_view(self, node_id: str) -> QWidget | None:
        """The node's open view window, if it still exists (closed views delete themselves).

        Why not ``destroyed.connect``: that signal also fires while this window is being
        destroyed, and a slot bound to a half-destroyed window crashes PyQt.
        """
        widget = self._views.get(node_id)
        if widget is not None and sip.isdeleted(widget):
            del self._views[node_id]
            return None
        return widget

    # ================================================================== closing
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.autosave.discard(self.workflow.path)
        self.autosave_timer.stop()
        if self.bridge is not None:
            self.bridge.close()
        if self.scheduler is not None:
            self.scheduler.close()
        self.scene.close()
        event.accept()


def _copy(annotation: Any) -> Any:
    import copy

    return copy.deepcopy(annotation)


def _shift(annotation: Any, d: float) -> None:
    if hasattr(annotation, "rect"):
        x, y, w, h = annotation.rect
        annotation.rect = (x + d, y + d, w, h)
    else:
        annotation.start = (annotation.start[0] + d, annotation.start[1] + d)
        annotation.end = (annotation.end[0] + d, annotation.end[1] + d)
