"""The main window shell: toolbox dock, canvas, menus, toolbar, node views, pause/step.

Why a module of its own: the window is what a person clicks — its actions, menus and docks,
the windows of the nodes they open, the dialogs that ask them something. What it shows, the
open document (workflow, scheduler, bridge, scene, undo stack; new/open/save, autosave,
recovery, recent files) lives in :mod:`petriflow.gui.document`; copy and paste in
:mod:`petriflow.gui.clipboard`; the action table, menus and toolbar in
:mod:`petriflow.gui.menus`; the open node windows in :mod:`petriflow.gui.node_windows`.
The window forwards the document's parts (``workflow``,
``scheduler``, ``scene``, ...) because tests and scripts drive the app through it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt6.QtCore import QPointF, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QUndoStack
from PyQt6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMessageBox, QWidget

from petriflow.bundled import is_bundled
from petriflow.core.node import RunOptions
from petriflow.core.registry import NodeRegistry, default_registry
from petriflow.core.scheduler import NodeState, Scheduler
from petriflow.core.workflow import Workflow
from petriflow.gui import clipboard
from petriflow.gui.autosave import AutosaveStore, Recovery
from petriflow.gui.bridge import SchedulerBridge
from petriflow.gui.canvas.scene import CanvasScene
from petriflow.gui.canvas.view import CanvasView
from petriflow.gui.canvas_tools import CanvasTools
from petriflow.gui.document import Document, examples_dir
from petriflow.gui.help_menu import install_help, show_node_help
from petriflow.gui.menus import WindowMenus
from petriflow.gui.node_windows import NodeWindows
from petriflow.gui.presentation import Presenter, install_presentation
from petriflow.gui.quickmenu import QuickMenu
from petriflow.gui.report_window import install_report
from petriflow.gui.toolbox import ToolBox

__all__ = ["MainWindow"]


class MainWindow(CanvasTools, WindowMenus, QMainWindow):
    """The Petriflow canvas application window."""

    #: an uncaught exception's one-line summary, from any thread (shown in the status bar)
    internal_error = pyqtSignal(str)
    presenter: Presenter

    def __init__(
        self, registry: NodeRegistry | None = None, data_dir: Path | None = None,
        parent: QWidget | None = None, *, run_options: RunOptions | None = None,
    ) -> None:
        super().__init__(parent)
        self.registry = registry if registry is not None else default_registry()
        if data_dir is None:
            import platformdirs

            data_dir = Path(platformdirs.user_data_dir("petriflow", appauthor=False))
        self.data_dir = Path(data_dir)
        self.document = Document(self, self.registry, self.data_dir, self,
                                 run_options=run_options)
        self.node_windows = NodeWindows(self.document, self)
        self.document.replaced.connect(self._show_document)
        self.document.status_changed.connect(self._update_run_label)
        self.document.title_changed.connect(self._update_title)
        self.document.message.connect(self._show_message)
        self.view = CanvasView(self.document.scene)
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
        install_help(self)  # F1 and the Help menu's pages
        install_report(self)  # the Report menu; "Add to report" in node windows
        install_presentation(self)  # View → Presentation Mode (F11): gui/presentation.py
        self.toolbox.node_requested.connect(self._add_from_toolbox)
        self.view.node_dropped.connect(self.drop_node)  # onto a link: inserted
        self.view.folder_dropped.connect(self.add_image_folder)
        self.view.file_dropped.connect(self._open_dropped)
        self.resize(1200, 760)
        self.document.replace(Workflow(registry=self.registry), start=True)

    # ------------------------------------------------------------------ the document's parts
    @property
    def workflow(self) -> Workflow:
        """The open workflow (a new object after New/Open)."""
        return self.document.workflow

    @property
    def scheduler(self) -> Scheduler | None:
        """The scheduler running the open workflow."""
        return self.document.scheduler

    @property
    def bridge(self) -> SchedulerBridge | None:
        """Scheduler news, delivered on the GUI thread."""
        return self.document.bridge

    @property
    def scene(self) -> CanvasScene:
        """The scene drawing the open workflow."""
        return self.document.scene

    @property
    def undo_stack(self) -> QUndoStack:
        """The edits of the open workflow (cleared when another opens)."""
        return self.document.undo_stack

    @property
    def autosave(self) -> AutosaveStore:
        """Where unsaved changes are autosaved."""
        return self.document.autosave

    @property
    def autosave_timer(self) -> QTimer:
        """Fires the periodic autosave."""
        return self.document.autosave_timer

    # ================================================================== document
    def _show_document(self) -> None:
        """A new document is in place: show its scene, follow its signals."""
        scene = self.document.scene
        scene.node_activated.connect(self.open_node)
        scene.message.connect(self._show_message)
        scene.quick_menu_requested.connect(self.show_quick_menu)
        scene.link_dropped.connect(self.show_link_menu)
        scene.help_requested.connect(lambda node_id: show_node_help(self, node_id))
        self.view.setScene(scene)
        self._update_title()
        self._update_run_label()
        QTimer.singleShot(0, self.view.fit_workflow)

    def describe_status(self, node_id: str) -> str:
        """State, message and outputs of a node, for its settings panel."""
        return self.document.describe_status(node_id)

    def _show_message(self, text: str, ms: int = 10000) -> None:
        self.statusBar().showMessage(text, ms)

    def _update_run_label(self, *_: object) -> None:
        counts = self.document.state_counts()
        running = counts.get(NodeState.RUNNING, 0)
        queued = counts.get(NodeState.QUEUED, 0)
        errors = counts.get(NodeState.ERROR, 0)
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
        """Unsaved edits, or a document restored from an autosave."""
        return self.document.is_modified()

    def _update_title(self, *_: object) -> None:
        self.setWindowTitle(f"{self.document.display_name()}[*] — Petriflow")
        self.setWindowModified(self.is_modified())

    # ------------------------------------------------------------------ new / open / save
    def _open_dropped(self, path: str) -> None:
        self.open_file(Path(path))

    def new_workflow(self) -> None:
        """An empty untitled workflow (after asking to save changes)."""
        self.document.new()

    def open_dialog(self) -> None:
        """Ask for a workflow file and open it."""
        start = str(self.workflow.directory or examples_dir() or Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open workflow", start,
                                              "Workflows (*.ows);;All files (*)")
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path, *, ask: bool = True, offer_recovery: bool = True) -> bool:
        """Open a workflow file (after asking to save changes); False if not opened."""
        return self.document.open_file(path, ask=ask, offer_recovery=offer_recovery)

    def open_example(self, path: Path) -> bool:
        """Open a bundled example as an untitled copy (Save asks where)."""
        return self.document.open_example(path)

    def show_opened(self, workflow: Workflow, path: Path) -> None:
        """After opening: the Orange conversion report, and any load warnings."""
        from petriflow.gui.orange_import_dock import show_orange_report

        # non-modal; None hides it
        show_orange_report(self, workflow.orange_report, workflow.registry)
        if workflow.load_warnings:
            n = len(workflow.load_warnings)
            self.statusBar().showMessage(
                f"Opened with {n} warning{'s' if n > 1 else ''}: "
                + "; ".join(workflow.load_warnings[:3]), 15000)
        else:
            self.statusBar().showMessage(f"Opened {path.name}", 5000)

    def save(self) -> bool:
        """Save to the workflow's file (asking for one when it has none, or when it is a
        shipped example: those are never overwritten)."""
        if self.workflow.path is None or is_bundled(self.workflow.path):
            return self.save_as()
        return self.document.write(self.workflow.path)

    def save_as(self, path: Path | None = None) -> bool:
        """Save to ``path``, or to a file chosen in a dialog."""
        if path is None:
            start = str(self.workflow.path if self.workflow.path and not
                        is_bundled(self.workflow.path)
                        else Path.home() / f"{self.document.example or 'untitled'}.ows")
            chosen, _ = QFileDialog.getSaveFileName(self, "Save workflow", start,
                                                    "Workflows (*.ows)")
            if not chosen:
                return False
            path = Path(chosen)
            if path.suffix.lower() != ".ows":
                path = path.with_suffix(".ows")
        return self.document.write(Path(path))

    def maybe_save(self) -> bool:
        """Ask about unsaved changes; True when it is fine to drop the document."""
        return self.document.maybe_save()

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
        """A failure: in the status bar and a warning dialog."""
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
        """Help → About."""
        QMessageBox.about(self, "About Petriflow", self.about_text())

    def _show_internal_error(self, text: str) -> None:
        # not a dialog: the app keeps running and the details are in the log file
        self.statusBar().showMessage(text, 20000)

    # ------------------------------------------------------------------ autosave, recovery
    def autosave_now(self) -> Path | None:
        """Write the autosave if there are unsaved changes (the timer calls this)."""
        return self.document.autosave_now()

    def offer_recovery(self) -> bool:
        """If an unsaved autosave of this document exists, offer to restore it."""
        return self.document.offer_recovery()

    def ask_recover(self, recovery: Recovery) -> bool:
        """Ask whether to restore an autosave (a dialog; tests replace this method)."""
        answer = QMessageBox.question(
            self, "Recover workflow", recovery.describe() + "\n\nRestore them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    # ------------------------------------------------------------------ recent, examples
    def recent_files(self) -> list[Path]:
        """Workflows opened or saved lately, the latest first."""
        return self.document.recent_files()

    # ================================================================== edits
    def add_node(self, qualified_name: str, pos: QPointF | None = None,
                 settings: Any = None) -> str | None:
        """Add a node (undoably) at ``pos`` or the view's centre, and select it."""
        node_type = self.registry.get(qualified_name)
        if node_type is None:
            return None
        where = pos if pos is not None else self.view.center_scene_pos()
        return self.document.add_node(node_type, where, settings)

    def _add_from_toolbox(self, qualified_name: str) -> None:
        """Enter in the toolbox filter or a double-click: add the node, and give the
        canvas the keys, so that Delete, F2 or Ctrl+Z act on the new, selected node (with
        the filter keeping focus, Ctrl+Z undid the filter's typing and Delete edited it)."""
        if self.add_node(qualified_name) is not None:
            self.view.setFocus()

    def add_image_folder(self, folder: str, pos: QPointF) -> str | None:
        """A folder dropped on the canvas becomes an Import Images node reading it."""
        nt = self.registry.get("petriflow.import_images")
        if nt is None:
            self.statusBar().showMessage("Import Images is not available", 5000)
            return None
        return self.add_node(nt.qualified_name, pos, settings=nt.Settings(folder=folder))

    def delete_selection(self) -> None:
        """Remove the selected nodes, links and notes (one undo step)."""
        self.document.delete_selection()

    def rename_selected(self) -> None:
        """Edit the title of the one selected node in place."""
        nodes = self.scene.selected_node_ids()
        if len(nodes) == 1:
            self.scene.start_rename(nodes[0])

    def _set_mode(self, mode: str) -> None:
        self.scene.mode = mode
        hint = ("Click where the note goes" if mode == "text"
                else "Drag on the canvas to draw the arrow")
        self.statusBar().showMessage(hint, 5000)

    def copy_selection(self) -> bool:
        """Copy selected nodes (+ links between them) and annotations as .ows text."""
        return clipboard.copy_part(self.workflow, set(self.scene.selected_node_ids()),
                                   set(self.scene.selected_annotation_ids()))

    def cut(self) -> None:
        """Copy the selection, then delete it."""
        if self.copy_selection():
            self.delete_selection()

    def paste(self) -> None:
        """Paste the clipboard's nodes and notes, offset, and select the new nodes."""
        new_ids = clipboard.paste_part(self.workflow, self.undo_stack, self.registry)
        if new_ids is not None:
            self.document.select_nodes(new_ids)

    def show_quick_menu(self, screen_pos: Any, scene_pos: QPointF) -> QuickMenu:
        """The searchable node menu; the picked node lands at ``scene_pos``."""
        menu = QuickMenu(self.registry, self)
        menu.picked.connect(lambda qn: self.add_node(qn, scene_pos))
        menu.popup(screen_pos)
        self._quick_menu = menu
        return menu

    # ================================================================== run control
    def toggle_pause(self) -> None:
        """Pause (nothing new starts) or resume propagation, following the Pause action."""
        assert self.scheduler is not None
        self.document.paused = self.pause_action.isChecked()
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
        if self.presenter.active:  # halo, caption and side view: gui/presentation.py
            return self.presenter.step()
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
        return self.node_windows.open(node_id)

    def open_selected(self) -> None:
        """Open the views of the selected nodes."""
        for nid in self.scene.selected_node_ids():
            self.open_node(nid)

    def live_view(self, node_id: str) -> QWidget | None:
        """The node's open view window, if it still exists."""
        return self.node_windows.live(node_id)

    @property
    def _views(self) -> dict[str, QWidget]:
        return self.node_windows.views

    # ================================================================== closing
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.document.close()
        event.accept()
