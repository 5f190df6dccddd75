"""The window's canvas commands: Duplicate, Align, Tidy Up, zoom, Save Workflow as Image,
the quick menu after a link drop and a toolbox drop onto a link.

Why a mixin of its own: :class:`~petriflow.gui.mainwindow.MainWindow` is the shell and
:mod:`petriflow.gui.menus` the table of its other commands; these are one feature (the
fluent canvas of issue 18), whose logic lives in :mod:`petriflow.gui.canvas.fluent`,
:mod:`~petriflow.gui.canvas.layout` and :mod:`~petriflow.gui.canvas.export_image`. Here
they become actions, each edit one undo step.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QFileDialog, QMenu

from petriflow.gui import undo as cmd
from petriflow.gui.canvas import fluent, layout
from petriflow.gui.canvas.export_image import FORMATS, save_scene_image
from petriflow.gui.canvas.note_follow import notes_following
from petriflow.gui.quickmenu import QuickMenu

if TYPE_CHECKING:
    from petriflow.gui.mainwindow import MainWindow

__all__ = ["ZOOM_STEP", "CanvasTools"]

#: one Ctrl++ / Ctrl+- (and one Ctrl+wheel notch) zooms by this factor
ZOOM_STEP = 1.25

_ALIGN_TEXT = {"left": "&Left", "centre": "&Centre", "right": "&Right",
               "top": "&Top", "middle": "&Middle", "bottom": "&Bottom"}


class CanvasTools:
    """Canvas actions of a :class:`MainWindow` (built by :mod:`petriflow.gui.menus`)."""

    duplicate_action: QAction
    tidy_action: QAction
    zoom_in_action: QAction
    zoom_out_action: QAction
    zoom_reset_action: QAction
    save_image_action: QAction
    welcome_action: QAction
    align_actions: dict[str, QAction]

    def _make_canvas_actions(self: MainWindow) -> None:
        K = QKeySequence.StandardKey
        from petriflow.gui.menus import unique_shortcuts

        self.duplicate_action = self._action(
            "D&uplicate", self.duplicate_selection, "Ctrl+D",
            "Copy the selected nodes with their settings and the links between them")
        self.align_actions = {
            mode: self._action(text, lambda m=mode: self.align_selected(m),
                               tip=f"Align the selected nodes ({mode})")
            for mode, text in _ALIGN_TEXT.items()}
        self.tidy_action = self._action(
            "T&idy Up", self.tidy_up,
            tip="Lay the workflow out left to right in columns, without overlaps")
        self.zoom_in_action = self._action("Zoom &In", lambda: self.view.zoom_by(ZOOM_STEP))
        self.zoom_in_action.setShortcuts(unique_shortcuts(K.ZoomIn, "Ctrl+="))
        self.zoom_out_action = self._action("Zoom &Out",
                                            lambda: self.view.zoom_by(1 / ZOOM_STEP))
        self.zoom_out_action.setShortcuts(unique_shortcuts(K.ZoomOut))
        self.zoom_reset_action = self._action("&Reset Zoom", lambda: self.view.reset_zoom(),
                                              "Ctrl+0", "Show the canvas at 100%")
        self.save_image_action = self._action(
            "Save Workflow as &Image…", self.save_image,
            tip="The whole workflow as an SVG or PNG picture")
        self.welcome_action = self._action("&Welcome…", self.show_welcome,
                                           tip="Examples and recent workflows")
        # Ctrl+D is Duplicate (as in Orange); on X11 the platform's Delete keys include
        # Ctrl+D too, and a key two actions claim fires neither ("ambiguous")
        duplicate_key = QKeySequence("Ctrl+D")
        for other in self.findChildren(QAction):
            if other is not self.duplicate_action and duplicate_key in other.shortcuts():
                other.setShortcuts([k for k in other.shortcuts() if k != duplicate_key])
        # leave Ctrl+D to a title or note being edited, as Copy and Delete do
        self.duplicate_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.removeAction(self.duplicate_action)
        self.view.addAction(self.duplicate_action)

    def _add_canvas_menus(self: MainWindow, file_menu: QMenu, edit: QMenu,
                          view: QMenu) -> None:
        file_menu.insertAction(self.quit_action, self.save_image_action)
        file_menu.insertAction(self.quit_action, self.welcome_action)
        file_menu.insertSeparator(self.quit_action)
        edit.addAction(self.duplicate_action)
        edit.addSeparator()
        align = edit.addMenu("A&lign")
        align.addActions([self.align_actions[m] for m in ("left", "centre", "right")])
        align.addSeparator()
        align.addActions([self.align_actions[m] for m in ("top", "middle", "bottom")])
        edit.addAction(self.tidy_action)
        view.addSeparator()
        view.addActions([self.zoom_in_action, self.zoom_out_action, self.zoom_reset_action])

    # ------------------------------------------------------------------ edits
    def duplicate_selection(self: MainWindow) -> list[str]:
        """Duplicate the selected nodes (settings and inner links kept), one undo step;
        the copies become the selection."""
        new_ids = fluent.duplicate(self.scene, self.scene.selected_node_ids())
        if new_ids:
            self.document.select_nodes(new_ids)
        return new_ids

    def _move(self: MainWindow, new: dict[str, tuple[float, float]], text: str) -> bool:
        old = {nid: self.workflow.node(nid).position for nid in new}
        new = {nid: pos for nid, pos in new.items() if pos != old[nid]}
        if not new:
            self.statusBar().showMessage(f"{text}: nothing to move", 4000)
            return False
        command = cmd.MoveCommand(self.workflow, {n: old[n] for n in new}, new)
        command.setText(text)
        self.undo_stack.push(command)
        return True

    def align_selected(self: MainWindow, mode: str) -> bool:
        """Align the selected nodes (at least two) on one line, one undo step."""
        ids = self.scene.selected_node_ids()
        if len(ids) < 2:
            self.statusBar().showMessage("Align: select two or more nodes", 4000)
            return False
        positions = {nid: self.workflow.node(nid).position for nid in ids}
        return self._move(layout.align(positions, mode), f"Align {mode}")

    def tidy_up(self: MainWindow) -> bool:
        """Lay the whole workflow out in columns, left to right, one undo step; each note
        (and its arrow) moves with the node it is about, so it still points at it."""
        positions = {n.id: n.position for n in self.workflow.nodes}
        links = [(lk.source_id, lk.sink_id) for lk in self.workflow.links]
        new = layout.tidy(positions, links)
        notes = notes_following(self.workflow, new)
        if notes:
            self.undo_stack.beginMacro("Tidy up")
        moved = self._move(new, "Tidy up")
        for ann in notes:
            self.undo_stack.push(cmd.ReplaceAnnotationCommand(self.workflow, ann,
                                                              "Move annotation"))
        if notes:
            self.undo_stack.endMacro()
        if moved or notes:
            self.view.fit_workflow()
        return moved or bool(notes)

    # ------------------------------------------------------------------ drops
    def drop_node(self: MainWindow, qualified_name: str, pos: QPointF) -> str | None:
        """A toolbox widget dropped on the canvas: between a link's ends when dropped onto
        a link whose channels fit, else an ordinary new node (the status bar says why it
        was not inserted)."""
        node_type = self.registry.get(qualified_name)
        if node_type is None:
            return None
        inserted = fluent.insert_node(self.scene, node_type, pos)
        if inserted is not None:
            self.document.select_nodes([inserted])
            return inserted
        return self.add_node(qualified_name, pos)

    def show_link_menu(self: MainWindow, node_id: str, kind: str, screen_pos: QPoint,
                       scene_pos: QPointF) -> QuickMenu | None:
        """A link dropped on empty canvas: the quick menu of the widgets that take it;
        the picked one lands there, linked (one undo step)."""
        node = self.workflow.node(node_id)
        if node.node_type is None:
            return None
        names = fluent.fitting_types(self.registry, node.node_type, kind)
        if not names:
            what = "takes its outputs" if kind == "output" else "provides its inputs"
            self.scene.notify(f"No widget {what} ({node.title}).", scene_pos)
            return None
        hint = (f"Widgets that take {node.title}'s output…" if kind == "output"
                else f"Widgets that feed {node.title}…")
        menu = QuickMenu(self.registry, self, only=names, hint=hint)

        def picked(qn: str) -> None:
            nt = self.registry.get(qn)
            if nt is not None:
                new_id = fluent.add_linked(self.scene, nt, node_id, kind, scene_pos)
                if new_id is not None:
                    self.document.select_nodes([new_id])

        menu.picked.connect(picked)
        menu.popup(screen_pos)
        self._quick_menu = menu
        return menu

    # ------------------------------------------------------------------ pictures, welcome
    def save_image(self: MainWindow, path: Path | str | None = None) -> Path | None:
        """Save the workflow as an SVG or PNG picture (asks where when ``path`` is None)."""
        if path is None:
            stem = (self.workflow.path.stem if self.workflow.path is not None
                    else self.document.example or "workflow")
            chosen, chosen_filter = QFileDialog.getSaveFileName(
                self, "Save workflow as image", str(Path.home() / f"{stem}.svg"), FORMATS)
            if not chosen:
                return None
            path = Path(chosen)
            if path.suffix.lower() not in (".svg", ".png"):
                path = path.with_name(path.name + (".png" if "PNG" in chosen_filter
                                                   else ".svg"))
        try:
            written = save_scene_image(self.scene, path, self.document.display_name())
        except OSError as exc:
            self.show_error("Save workflow as image", str(exc))
            return None
        self.statusBar().showMessage(f"Saved the workflow picture to {written}", 8000)
        return written

    def show_welcome(self: MainWindow, settings: Any = None) -> Any:
        """The welcome dialog (examples, recent workflows, "Show at start")."""
        from petriflow.gui.welcome import WelcomeDialog

        dialog = WelcomeDialog(self, settings=settings)
        dialog.open()
        self._welcome = dialog
        return dialog
