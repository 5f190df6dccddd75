"""The welcome dialog: the bundled examples and the recent workflows, on start.

Why: a new user facing an empty canvas does not know where to begin, and a returning one
wants yesterday's file; both are one double-click away here. It can be turned off
("Show at start", kept in QSettings) and reopened from File → Welcome…. It is shown only
when the app starts with nothing to open (no file, no ``--example``), never headless
(``--screenshot``, ``--exit-when-shown``) and never under pytest, where no one could
close it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from PyQt6.QtCore import QSettings, Qt
from PyQt6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from petriflow.bundled import list_examples
from petriflow.gui.menus import folder_label

if TYPE_CHECKING:
    from petriflow.gui.mainwindow import MainWindow

__all__ = ["SHOW_AT_START_KEY", "WelcomeDialog", "should_show_at_start", "stored_choice"]

SHOW_AT_START_KEY = "welcome/show_at_start"
_PATH_ROLE = Qt.ItemDataRole.UserRole + 1
_KIND_ROLE = Qt.ItemDataRole.UserRole + 2


def _settings(settings: QSettings | None) -> QSettings:
    return settings if settings is not None else QSettings("Petriflow", "Petriflow")


def stored_choice(settings: QSettings | None = None) -> bool:
    """The user's "Show at start" (default yes; QSettings may hand back text)."""
    value = _settings(settings).value(SHOW_AT_START_KEY, True)
    return value not in (False, "false", "0", 0)


def should_show_at_start(settings: QSettings | None = None) -> bool:
    """Whether start-up shows the dialog: the user's choice, never in tests."""
    return "PYTEST_CURRENT_TEST" not in os.environ and stored_choice(settings)


class WelcomeDialog(QDialog):
    """Examples on the left, recent workflows on the right; double-click (or Open) opens."""

    def __init__(self, window: MainWindow, settings: QSettings | None = None) -> None:
        super().__init__(window)
        self.window_ = window
        self.settings = _settings(settings)
        self.setWindowTitle("Welcome to Petriflow")
        self.resize(760, 440)
        top = QVBoxLayout(self)
        intro = QLabel("<h2>Welcome to Petriflow</h2>Open an example to see a workflow at "
                       "work, pick up a recent one, or close this and drag widgets from the "
                       "toolbox onto the canvas.")
        intro.setWordWrap(True)
        top.addWidget(intro)
        lists = QHBoxLayout()
        top.addLayout(lists, 1)
        self.examples = QListWidget()
        for example in list_examples():
            item = QListWidgetItem(example.title)
            item.setToolTip(example.summary)
            item.setData(_PATH_ROLE, str(example.path))
            item.setData(_KIND_ROLE, "example")
            self.examples.addItem(item)
        self.recent = QListWidget()
        for path in [p for p in window.recent_files() if p.exists()]:
            item = QListWidgetItem(f"{path.name}  —  {folder_label(path)}")
            item.setToolTip(str(path))
            item.setData(_PATH_ROLE, str(path))
            item.setData(_KIND_ROLE, "file")
            self.recent.addItem(item)
        for title, widget, empty in (("Examples", self.examples, "(no examples installed)"),
                                     ("Recent workflows", self.recent, "(none yet)")):
            column = QVBoxLayout()
            column.addWidget(QLabel(f"<b>{title}</b>"))
            column.addWidget(widget)
            if widget.count() == 0:
                column.addWidget(QLabel(empty))
            lists.addLayout(column)
            widget.itemActivated.connect(self.open_item)
        self.show_at_start = QCheckBox("Show at start")
        self.show_at_start.setChecked(stored_choice(self.settings))
        self.show_at_start.toggled.connect(self._remember)
        buttons = QDialogButtonBox()
        self.open_button = buttons.addButton("Open", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Close", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self._open_current)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.show_at_start)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        top.addLayout(bottom)
        if self.examples.count():
            self.examples.setCurrentRow(0)
            self.examples.setFocus()

    def _remember(self, checked: bool) -> None:
        self.settings.setValue(SHOW_AT_START_KEY, bool(checked))
        self.settings.sync()

    def _open_current(self) -> None:
        for widget in (self.recent, self.examples):
            if widget.hasFocus() and widget.currentItem() is not None:
                self.open_item(widget.currentItem())
                return
        item = self.examples.currentItem() or self.recent.currentItem()
        if item is not None:
            self.open_item(item)
        else:
            self.reject()

    def open_item(self, item: QListWidgetItem) -> bool:
        """Open an example (as an untitled copy) or a recent file; close on success."""
        path = Path(item.data(_PATH_ROLE))
        opened = (self.window_.open_example(path) if item.data(_KIND_ROLE) == "example"
                  else self.window_.open_file(path))
        if opened:
            self.accept()
        return bool(opened)
