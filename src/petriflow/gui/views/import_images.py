"""Import Images view: choose a folder, see how many images per class were found.

The node's ``folder`` setting is what is saved with the workflow; the recent folders
are a small per-process list (most recent first). Reload re-runs the node on the same
folder (``Scheduler.invalidate``), e.g. after files were added; Cancel stops a long
scan (``Scheduler.cancel``: the node ends idle, nothing is sent downstream).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from petriflow.core.scheduler import NodeState, NodeStatus
from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView, progress_with_cancel

__all__ = ["RECENT_FOLDERS", "ImportImagesView"]

#: recently used folders, most recent first (shared by the views of this process)
RECENT_FOLDERS: list[str] = []
MAX_RECENT = 8


def remember(folder: str) -> None:
    if not folder:
        return
    if folder in RECENT_FOLDERS:
        RECENT_FOLDERS.remove(folder)
    RECENT_FOLDERS.insert(0, folder)
    del RECENT_FOLDERS[MAX_RECENT:]


def skipped_count(warnings: tuple[str, ...]) -> int:
    """Files skipped, summed from the node's "Skipped 3 unreadable image(s), ..." warning."""
    total = 0
    for w in warnings:
        if w.startswith("Skipped "):
            total += sum(int(n) for n in re.findall(r"(\d+) (?:unreadable|listed|non-image|"
                                                     r"hidden)", w))
    return total


class ImportImagesView(NodeView):
    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Folder"))
        self.folder_combo = QComboBox()
        self.folder_combo.setEditable(True)
        self.folder_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.folder_combo.setMinimumContentsLength(30)
        self.folder_combo.setToolTip("A folder of images (subfolders become classes) or a "
                                     ".csv/.tsv list of image paths; type a path and press "
                                     "Enter, or pick a recent one")
        self.folder_combo.lineEdit().returnPressed.connect(self._typed)
        self.folder_combo.activated.connect(self._picked)
        row.addWidget(self.folder_combo, 1)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self.browse)
        row.addWidget(self.browse_button)
        self.reload_button = QPushButton("Reload")
        self.reload_button.setToolTip("Scan the folder again (e.g. after adding images)")
        self.reload_button.clicked.connect(self.reload)
        row.addWidget(self.reload_button)
        layout.addLayout(row)
        self.progress, self.cancel_button, progress_row = progress_with_cancel(self.node)
        # before a folder is chosen the bar reads "Choose a folder of images" and looks
        # like a button: a click there opens the folder dialog (it did nothing)
        self.progress.installEventFilter(self)
        layout.addLayout(progress_row)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.classes = QTreeWidget()
        self.classes.setHeaderLabels(["Class", "Images"])
        self.classes.setRootIsDecorated(False)
        self.classes.setColumnWidth(0, 260)
        layout.addWidget(self.classes, 1)
        self.skipped_label = QLabel()
        self.skipped_label.setWordWrap(True)
        self.skipped_label.setStyleSheet("color: #a15c00;")
        layout.addWidget(self.skipped_label)
        # notes that are no problem (a README skipped, with the file names): grey, not
        # the warning's amber
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color: #555;")
        layout.addWidget(self.note_label)
        # every file passed over, with why (the node's Skipped Files output); hidden
        # when there are none
        self.skipped_list = QTreeWidget()
        self.skipped_list.setHeaderLabels(["Skipped file", "Reason"])
        self.skipped_list.setRootIsDecorated(False)
        self.skipped_list.setColumnWidth(0, 220)
        self.skipped_list.setVisible(False)
        layout.addWidget(self.skipped_list, 1)
        self._status: NodeStatus | None = None
        self.resize(560, 380)
        self.show_current()

    # ------------------------------------------------------------------ edits
    def set_folder(self, folder: str) -> None:
        folder = folder.strip()
        remember(folder)
        self.set_settings(folder=folder)
        self._fill_recent()

    def _typed(self) -> None:
        self.set_folder(self.folder_combo.currentText())

    def _picked(self, index: int) -> None:
        self.set_folder(self.folder_combo.itemText(index))

    def browse(self) -> None:
        start = self.settings.folder or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Image folder", start)
        if folder:
            self.set_folder(folder)

    def reload(self) -> None:
        self.node.rerun()

    def eventFilter(self, obj: QObject | None, event: QEvent | None) -> bool:
        if (obj is self.progress and event is not None
                and event.type() == QEvent.Type.MouseButtonRelease
                and not self.settings.folder.strip()):
            self.browse()
            return True
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------------ display
    def _fill_recent(self) -> None:
        folder = self.settings.folder
        remember(folder)
        was = self.folder_combo.blockSignals(True)
        try:
            self.folder_combo.clear()
            self.folder_combo.addItems(RECENT_FOLDERS)
            self.folder_combo.setCurrentText(folder)
        finally:
            self.folder_combo.blockSignals(was)

    def on_settings(self) -> None:
        self._fill_recent()

    def on_data(self) -> None:
        self._show_skipped(self.outputs().get("Skipped Files"))
        table = self.outputs().get("Data")
        self.classes.clear()
        if table is None:
            self.summary.setText("No images loaded." if not self.settings.folder
                                 else "No images.")
            return
        n_cat = len(table.class_values)
        self.summary.setText(f"{len(table)} images" + (f" in {n_cat} classes" if n_cat else ""))
        if n_cat and table.y is not None:
            counts = np.bincount(table.y[table.y >= 0], minlength=n_cat)
            for name, c in zip(table.class_values, counts, strict=True):
                self.classes.addTopLevelItem(QTreeWidgetItem([str(name), str(int(c))]))
            missing = int((table.y < 0).sum())
            if missing:
                self.classes.addTopLevelItem(QTreeWidgetItem(["(no class)", str(missing)]))
        else:
            self.classes.addTopLevelItem(QTreeWidgetItem(["(no subfolders)", str(len(table))]))

    def _show_skipped(self, skipped: Table | None) -> None:
        self.skipped_list.clear()
        self._show_skipped_rows(skipped)
        status = self._status
        if status is not None and status.warnings and status.state != NodeState.ERROR:
            self.skipped_label.setText(self._skipped_text(status.warnings))

    def _show_skipped_rows(self, skipped: Table | None) -> None:
        if skipped is None or not len(skipped):
            self.skipped_list.setVisible(False)
            return
        for name, path, reason in zip(skipped.metas["file name"], skipped.metas["path"],
                                      skipped.metas["skip reason"], strict=True):
            item = QTreeWidgetItem([str(name), str(reason)])
            item.setToolTip(0, str(path))
            item.setToolTip(1, str(reason))
            self.skipped_list.addTopLevelItem(item)
        self.skipped_list.setVisible(True)

    def on_status(self, status: NodeStatus) -> None:
        chosen = bool(self.settings.folder.strip())
        running = chosen and status.state in (NodeState.RUNNING, NodeState.QUEUED)
        finished = chosen and status.state in (NodeState.DONE, NodeState.WARNING)
        # a full "done" bar only after a folder was read, never before one is chosen
        self.progress.setValue(int(status.progress) if running else (100 if finished else 0))
        self.progress.setFormat(f"%p% {status.message}" if running else
                                ("done" if finished else
                                 "" if chosen else "Choose a folder of images"))
        self.progress.setCursor(Qt.CursorShape.ArrowCursor if chosen
                                else Qt.CursorShape.PointingHandCursor)
        self.progress.setToolTip("" if chosen else "Click to choose a folder (as Browse…)")
        self._status = status
        self.note_label.setText("" if running else "\n".join(status.infos))
        self.reload_button.setEnabled(not running)
        self.cancel_button.setEnabled(status.state is NodeState.RUNNING)
        # an error (no such folder, no images) in red; skipped files are a warning
        self.skipped_label.setStyleSheet("color: #b00020;" if status.state == NodeState.ERROR
                                         else "color: #a15c00;")
        if status.state == NodeState.ERROR:
            self.skipped_label.setText(status.message)
        elif status.warnings:
            self.skipped_label.setText(self._skipped_text(status.warnings))
        elif not running:
            self.skipped_label.setText("")

    def _skipped_text(self, warnings: tuple[str, ...]) -> str:
        """The amber line: when the list below names every skipped file with its reason,
        just how many ("1 file skipped. Skipped 1 unreadable image(s) (notes.png)." said
        it twice, above a list that says it a third time, and by another name)."""
        n = skipped_count(warnings)
        files = f"{counted(n, 'file')} skipped"
        if n and self.skipped_list.topLevelItemCount() == n:
            words = {"unreadable": "unreadable", "listed": "not found",
                     "non-image": "not images", "hidden": "hidden"}
            kinds = [words[k] for w in warnings if w.startswith("Skipped ")
                     for k in re.findall(r"\d+ (unreadable|listed|non-image|hidden)", w)]
            others = [w for w in warnings if not w.startswith("Skipped ")]
            why = f" ({', '.join(dict.fromkeys(kinds))})" if kinds else ""
            return " ".join([f"{files}{why}; see why in the list below.", *others])
        return (f"{files}. " if n else "") + " ".join(warnings)


@register_view("petriflow.import_images")
def make_view(node: NodeFacade) -> QWidget:
    return ImportImagesView(node)
