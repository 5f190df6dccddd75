"""The Preferences dialog (Edit → Preferences…, Ctrl+,): the app's settings in one place.

Why: a few things are the user's, not a workflow's — where model weights are fetched
from (an institution's mirror), whether the welcome dialog opens at start, how fast a
presentation advances — and each was set somewhere different (the Image Embedder's
"Mirror…", the welcome dialog's check box, the presentation toolbar). Here they are
together, read from and written to the same QSettings keys those places use, so each
place and this dialog always show the same value. Nothing here goes into a workflow file.

The weights mirror is validated as it is typed (an ``http://`` or ``https://`` base URL,
or empty); OK stays disabled while it is not one. ``PETRIFLOW_WEIGHTS_MIRROR`` from the
environment is shown when set: the app uses it when the field is empty (a value set here
wins), and the command line (``petriflow models download``) uses it alone. The weights
folder is shown with a button that opens it in the file manager.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PyQt6.QtCore import QSettings, Qt, QUrl
from PyQt6.QtGui import QAction, QDesktopServices, QKeySequence
from PyQt6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from petriflow.gui.mainwindow import MainWindow

__all__ = ["PreferencesDialog", "make_preferences_action", "mirror_problem",
           "open_preferences"]


def _settings() -> QSettings:
    """The user's preferences: the same store the weights row uses (tests point it at a
    private file through ``model_weights.app_settings``)."""
    from petriflow.gui.views import model_weights

    return model_weights.app_settings()


def mirror_problem(text: str) -> str:
    """Why ``text`` is not a usable mirror base URL, or ``""`` when it is (or is empty)."""
    from urllib.parse import urlsplit

    text = text.strip()
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        return "A mirror is a base URL starting with http:// or https://."
    if not parts.hostname:
        return "The mirror URL has no host name (e.g. https://weights.example.org/torch)."
    if any(c.isspace() for c in text):
        return "A URL has no spaces."
    return ""


class PreferencesDialog(QDialog):
    """Edits the user's preferences; OK stores them, Cancel forgets the edits."""

    def __init__(self, window: QWidget | None = None, focus: str = "") -> None:
        super().__init__(window)
        from petriflow.analysis.embedding.backbones.download import MIRROR_ENV
        from petriflow.analysis.embedding.backbones.files import weights_dir
        from petriflow.gui.presentation import DEFAULT_SECONDS, SECONDS_KEY
        from petriflow.gui.views.model_weights import mirror_setting
        from petriflow.gui.welcome import stored_choice

        self.window_ = window
        self.setWindowTitle("Preferences")
        self.setObjectName("preferences-dialog")
        settings = _settings()
        top = QVBoxLayout(self)

        weights = QGroupBox("Model weights")
        # a box layout, not a form: word-wrapped notes get their height for the width
        # they really have (a form row computes it for a narrower one)
        column = QVBoxLayout(weights)
        mirror_row = QHBoxLayout()
        mirror_row.addWidget(QLabel("Download mirror"))
        self.mirror_edit = QLineEdit(mirror_setting())
        self.mirror_edit.setPlaceholderText("empty: the public source of each file")
        self.mirror_edit.setClearButtonEnabled(True)
        self.mirror_edit.setToolTip(
            "A base URL under which your institution serves the official weights file "
            "names (e.g. https://weights.example.org/torch). Each file's official SHA-256 "
            "is checked all the same, so a mirror cannot bring other weights.")
        self.mirror_edit.textChanged.connect(self._check_mirror)
        mirror_row.addWidget(self.mirror_edit, 1)
        column.addLayout(mirror_row)
        self.mirror_note = QLabel()
        self.mirror_note.setWordWrap(True)
        column.addWidget(self.mirror_note)
        env = os.environ.get(MIRROR_ENV, "").strip()
        self.env_note = QLabel(
            f"{MIRROR_ENV} is set in the environment to {env}: the app uses it when the "
            f"field above is empty (a mirror set here wins); `petriflow models download` "
            f"uses it." if env else
            f"The command line (`petriflow models download`) uses {MIRROR_ENV} instead.")
        self.env_note.setWordWrap(True)
        self.env_note.setStyleSheet("color: #555;")
        self.env_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.env_note)
        self.weights_folder = weights_dir()
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel("Weights folder"))
        by_env = " (PETRIFLOW_WEIGHTS_DIR)" if os.environ.get("PETRIFLOW_WEIGHTS_DIR") else ""
        self.folder_label = QLabel(f"{self.weights_folder}{by_env}")
        self.folder_label.setToolTip(str(self.weights_folder))
        self.folder_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        folder_row.addWidget(self.folder_label, 1)
        self.open_folder_button = QPushButton("Open Folder")
        self.open_folder_button.setToolTip("Show the weights folder in the file manager")
        self.open_folder_button.clicked.connect(self.open_weights_folder)
        folder_row.addWidget(self.open_folder_button)
        column.addLayout(folder_row)
        top.addWidget(weights)

        start = QGroupBox("Start and presentation")
        form2 = QFormLayout(start)
        self.welcome_box = QCheckBox("Show the welcome dialog at start")
        self.welcome_box.setChecked(stored_choice(settings))
        form2.addRow(self.welcome_box)
        self.seconds_spin = QDoubleSpinBox()
        self.seconds_spin.setRange(0.5, 120.0)  # the presentation toolbar's range
        self.seconds_spin.setDecimals(1)
        self.seconds_spin.setSuffix(" s")
        try:
            seconds = float(settings.value(SECONDS_KEY, DEFAULT_SECONDS))
        except (TypeError, ValueError):
            seconds = DEFAULT_SECONDS
        self.seconds_spin.setValue(max(0.5, seconds))
        self.seconds_spin.setToolTip("Seconds between automatic steps in presentation mode")
        form2.addRow("Presentation auto-step", self.seconds_spin)
        top.addWidget(start)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        top.addWidget(self.buttons)
        self._check_mirror()
        self.setMinimumWidth(640)
        self.adjustSize()
        if focus == "mirror":
            self.mirror_edit.setFocus()
            self.mirror_edit.selectAll()

    # ------------------------------------------------------------------ mirror
    def _check_mirror(self) -> None:
        problem = mirror_problem(self.mirror_edit.text())
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        if ok is not None:
            ok.setEnabled(not problem)
        if problem:
            self.mirror_note.setText(problem)
            self.mirror_note.setStyleSheet("color: #a33;")
        else:
            self.mirror_note.setText(
                "Official checksums are checked for every file, whatever the source.")
            self.mirror_note.setStyleSheet("color: #555;")

    def open_weights_folder(self) -> bool:
        """Open the weights folder in the file manager (made first: a fresh machine has
        none yet). False when the desktop could not open it."""
        try:
            self.weights_folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self.mirror_note.setText(f"Cannot create {self.weights_folder} ({exc.strerror}).")
            return False
        return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.weights_folder))))

    # ------------------------------------------------------------------ store
    def accept(self) -> None:
        """Store every preference (the mirror through the weights row's own setter) and
        tell the open window's presenter and weights rows."""
        from petriflow.gui.presentation import SECONDS_KEY
        from petriflow.gui.views import model_weights
        from petriflow.gui.welcome import SHOW_AT_START_KEY

        if mirror_problem(self.mirror_edit.text()):
            return
        model_weights.set_mirror_setting(self.mirror_edit.text())
        settings = _settings()
        settings.setValue(SHOW_AT_START_KEY, self.welcome_box.isChecked())
        seconds = float(self.seconds_spin.value())
        settings.setValue(SECONDS_KEY, seconds)
        presenter = getattr(self.window_, "presenter", None)
        if presenter is not None and hasattr(presenter, "seconds"):
            presenter.seconds.setValue(seconds)  # its toolbar shows the same value
        model_weights.preferences_changed()
        super().accept()


def open_preferences(window: MainWindow, focus: str = "") -> PreferencesDialog:
    """Show the dialog (window-modal, not blocking: the event loop goes on) and return it;
    a second call while it is open raises the open one."""
    dialog = getattr(window, "preferences_dialog", None)
    if isinstance(dialog, PreferencesDialog) and dialog.isVisible():
        dialog.raise_()
        dialog.activateWindow()
        return dialog
    dialog = PreferencesDialog(window, focus=focus)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.preferences_dialog = dialog  # type: ignore[attr-defined]
    dialog.open()
    return dialog


def make_preferences_action(window: MainWindow) -> QAction:
    """Edit → Preferences… with the platform's key and Ctrl+, everywhere."""
    from petriflow.gui.menus import unique_shortcuts

    act = QAction("Pre&ferences…", window)
    act.setShortcuts(unique_shortcuts(QKeySequence.StandardKey.Preferences, "Ctrl+,"))
    act.setStatusTip("Weights mirror and folder, welcome dialog, presentation speed")
    act.setMenuRole(QAction.MenuRole.PreferencesRole)
    act.triggered.connect(lambda *_: open_preferences(window))
    window.addAction(act)
    return act
