"""The main window's commands: every action with its text, shortcut and tip, and the menus
and toolbar that show them.

Why a module of its own: it is the one table to read when looking for a command or a
shortcut, and it keeps :mod:`petriflow.gui.mainwindow` (what the commands do) short.
:class:`WindowMenus` is a mixin of :class:`~petriflow.gui.mainwindow.MainWindow`: the
actions stay window attributes (``window.pause_action``), as tests and scripts use them.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QMenu

from petriflow.bundled import list_examples
from petriflow.gui.preferences import make_preferences_action

if TYPE_CHECKING:
    from petriflow.gui.mainwindow import MainWindow

__all__ = ["WindowMenus", "folder_label", "unique_shortcuts"]


def unique_shortcuts(*keys: QKeySequence.StandardKey | str) -> list[QKeySequence]:
    """The key sequences of ``keys`` (standard keys expand to the platform's list), each
    once, in order.

    Why: a standard key may already hold an extra binding added by hand — on X11, Redo's
    list is Ctrl+Shift+Z, and registering it twice makes Qt refuse it as an "Ambiguous
    shortcut overload" — while on another platform the same extra is missing from the
    list. Asking for the union, once each, gives every platform every binding.
    """
    out: list[QKeySequence] = []
    seen: set[str] = set()
    for key in keys:
        expanded = ([QKeySequence(key)] if isinstance(key, str)
                    else QKeySequence.keyBindings(key))
        for seq in expanded:
            text = seq.toString()
            if text and text not in seen:
                seen.add(text)
                out.append(seq)
    return out


def folder_label(path: Path) -> str:
    """A file's folder for a menu: ``~`` for the home folder, the full path otherwise."""
    folder = path.parent
    with contextlib.suppress(ValueError):
        return str(Path("~") / folder.relative_to(Path.home()))
    return str(folder)


class WindowMenus:
    """Builds the actions, menus and toolbar of a :class:`MainWindow`."""

    new_action: QAction
    open_action: QAction
    save_action: QAction
    save_as_action: QAction
    quit_action: QAction
    undo_action: QAction
    redo_action: QAction
    cut_action: QAction
    copy_action: QAction
    paste_action: QAction
    delete_action: QAction
    select_all_action: QAction
    rename_action: QAction
    open_node_action: QAction
    text_action: QAction
    arrow_action: QAction
    pause_action: QAction
    step_action: QAction
    fit_action: QAction
    preferences_action: QAction
    recent_menu: QMenu
    examples_menu: QMenu
    help_menu: QMenu

    def _action(self: MainWindow, text: str, slot: Any, shortcut: Any = None,
                tip: str = "") -> QAction:
        """A window action that calls ``slot`` (without the ``checked`` argument)."""
        act = QAction(text, self)
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if tip:
            act.setStatusTip(tip)
        act.triggered.connect(lambda *_: slot())
        self.addAction(act)
        return act

    def _make_actions(self: MainWindow) -> None:
        K = QKeySequence.StandardKey
        self.new_action = self._action("&New", self.new_workflow, K.New)
        self.open_action = self._action("&Open…", self.open_dialog, K.Open)
        self.save_action = self._action("&Save", self.save, K.Save)
        self.save_as_action = self._action("Save &As…", self.save_as, K.SaveAs)
        self.quit_action = self._action("&Quit", self.close)
        # Quit has no standard key on some platforms (Windows: Alt+F4 closes the window)
        self.quit_action.setShortcuts(unique_shortcuts(K.Quit, "Ctrl+Q"))
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(K.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        # Ctrl+Shift+Z and Ctrl+Y on every platform, each bound once (unique_shortcuts)
        self.redo_action.setShortcuts(unique_shortcuts(K.Redo, "Ctrl+Shift+Z", "Ctrl+Y"))
        # toolbar buttons say just Undo/Redo and keep their width; the Edit menu and the
        # buttons' tooltips say what ("Undo Change linkage of Hierarchical Clustering")
        self.undo_action.setIconText("Undo")
        self.redo_action.setIconText("Redo")
        self.cut_action = self._action("Cu&t", self.cut, K.Cut)
        self.copy_action = self._action("&Copy", self.copy_selection, K.Copy)
        self.paste_action = self._action("&Paste", self.paste, K.Paste)
        self.delete_action = self._action("&Delete", self.delete_selection, K.Delete)
        self.delete_action.setShortcuts(unique_shortcuts(K.Delete, "Backspace"))
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
                                       "Ctrl+9")  # Ctrl+0 is Reset Zoom
        for act in (self.delete_action, self.select_all_action, self.rename_action,
                    self.copy_action, self.cut_action, self.paste_action):
            # leave these keys to a title or note being edited
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.removeAction(act)
            self.view.addAction(act)
        self._make_canvas_actions()  # Duplicate, Align, Tidy Up, zoom: gui/canvas_tools.py

    def _make_menus(self: MainWindow) -> None:
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
        self._add_canvas_menus(file_menu, edit, view)
        edit.addSeparator()  # Preferences… (Ctrl+,) last, as is usual: gui/preferences.py
        self.preferences_action = make_preferences_action(self)
        edit.addAction(self.preferences_action)
        help_menu = self.help_menu = bar.addMenu("&Help")  # pages: gui/help_menu.py
        help_menu.addAction(self._action("&About Petriflow", self.about,
                                         tip="Version, and where the log file is"))
        tools = self.addToolBar("Canvas")
        tools.setObjectName("canvas-tools")
        tools.addActions([self.undo_action, self.redo_action])
        tools.addSeparator()
        tools.addActions([self.text_action, self.arrow_action])
        tools.addSeparator()
        tools.addActions([self.pause_action, self.step_action])

    def _fill_recent(self: MainWindow) -> None:
        self.recent_menu.clear()
        files = [p for p in self.recent_files() if p.exists()]
        for p in files:  # each file once (recent_files), with its folder: names repeat
            act = self.recent_menu.addAction(f"{p.name}  —  {folder_label(p)}",
                                             lambda p=p: self.open_file(p))
            act.setToolTip(str(p))
        if not files:
            self.recent_menu.addAction("(none)").setEnabled(False)

    def _fill_examples(self: MainWindow) -> None:
        self.examples_menu.clear()
        examples = list_examples()  # the ones shipped in the package
        for example in examples:
            act = self.examples_menu.addAction(
                example.title, lambda p=example.path: self.open_example(p))
            act.setToolTip(example.summary)
            act.setStatusTip(example.summary)
        self.examples_menu.setToolTipsVisible(True)
        if not examples:
            self.examples_menu.addAction("(no examples found)").setEnabled(False)
