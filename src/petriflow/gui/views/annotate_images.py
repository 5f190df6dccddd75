"""Annotate Images view: a thumbnail grid, a class bar, keys 1–9/0 to label.

Why this shape: labelling hundreds of images is done with the keyboard — select, press
a digit, go on — so the keys are the main way in, and each press is one undo step with
a sentence that says what it did ("Label 3 images as 'brick' in Annotate Images").
The grid reuses the Image Viewer's :class:`ThumbnailModel` (decoding off the GUI
thread, cached), so a large folder opens as fast as there. The order "least sure
first" is the node's (its Unlabelled Data output, ranked by the connected model), not
computed here: the model never runs on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PyQt6.QtCore import QEvent, QItemSelection, QItemSelectionModel, QSize, Qt
from PyQt6.QtGui import QColor
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from petriflow.core.node import NodeError
from petriflow.core.scheduler import NodeStatus
from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView, class_colors
from petriflow.gui.views.empty_hint import EmptyHint
from petriflow.gui.views.image_viewer import ThumbnailModel, thumbnail_list
from petriflow.nodes._selection import row_keys
from petriflow.nodes.annotate_images import UNCERTAINTY_COLUMN, class_values_of, matched_keys
from petriflow.nodes.image_viewer import image_column_of, resolve_image_path

__all__ = ["AnnotateImagesView"]

#: what the grid shows
SHOW = (("all", "All images"), ("unlabelled", "Unlabelled"), ("labelled", "Labelled"))
#: digit keys in the order of the class buttons (0 is the tenth class)
KEYS = (Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5,
        Qt.Key.Key_6, Qt.Key.Key_7, Qt.Key.Key_8, Qt.Key.Key_9, Qt.Key.Key_0)


def _same_ranking(old: list[int], new: list[int], labels: list[str],
                  ranking: dict[int, float]) -> bool:
    """True when ``new`` shows the same images as ``old`` and the unlabelled images the
    model ranks are in the same order in both: only labels changed (given, removed,
    undone), so the grid may keep ``old``'s order; another model's ranking differs."""
    if len(old) != len(new) or set(old) != set(new):
        return False

    def ranked(rows: list[int]) -> list[int]:
        return [r for r in rows if not labels[r] and r in ranking]

    return ranked(old) == ranked(new)


class AnnotateImagesView(NodeView):
    """Thumbnails of the input's images; ``rows`` are the input positions shown."""

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self.table: Table | None = None
        #: input row position of each grid item, in grid order
        self.rows: list[int] = []
        self.show_mode = "all"
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show"))
        self.show_combo = QComboBox()
        for key, text in SHOW:
            self.show_combo.addItem(text, key)
        self.show_combo.activated.connect(self._on_show)
        top.addWidget(self.show_combo)
        self.least_sure = QCheckBox("Show least sure first")
        self.least_sure.setToolTip("With a model connected: the unlabelled images the model "
                                   "is least sure of come first, so each label teaches most.")
        self.least_sure.toggled.connect(
            lambda on: self.set_settings(least_sure_first=bool(on)))
        top.addWidget(self.least_sure)
        top.addSpacing(12)
        top.addWidget(QLabel("Size"))
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(48, 320)
        self.size_slider.setMaximumWidth(160)
        self.size_slider.valueChanged.connect(self._apply_size)
        self.size_slider.sliderReleased.connect(
            lambda: self.set_settings(thumbnail_size=int(self.size_slider.value())))
        top.addWidget(self.size_slider)
        top.addStretch(1)
        self.info = QLabel()
        self.info.setStyleSheet("color: #555;")
        top.addWidget(self.info)
        layout.addLayout(top)

        self.class_bar = QHBoxLayout()
        self.class_buttons: list[QPushButton] = []
        self.new_class = QLineEdit()
        self.new_class.setPlaceholderText("New class…")
        self.new_class.setMaximumWidth(140)
        self.new_class.returnPressed.connect(self._add_from_field)
        self.add_button = QPushButton("Add class")
        self.add_button.clicked.connect(self._add_from_field)
        self.unlabel_button = QPushButton("Unlabel (⌫)")
        self.unlabel_button.clicked.connect(lambda: self.assign(""))
        bar = QHBoxLayout()
        bar.addLayout(self.class_bar)
        bar.addStretch(1)
        for w in (self.unlabel_button, self.new_class, self.add_button):
            bar.addWidget(w)
        layout.addLayout(bar)

        self.model = ThumbnailModel(self, self.node.tasks)
        self.list = thumbnail_list(self.model)
        self.list.installEventFilter(self)  # the digit keys
        layout.addWidget(self.list, 1)
        self.empty_hint = EmptyHint(self.list, self._empty_text)
        self.resize(900, 660)
        self.show_current()

    def _empty_text(self) -> str:
        """What the blank grid means, in its place (gui/views/empty_hint.py)."""
        if self.table is not None:
            return self.info.text() or "The input has no images (0 rows)."
        why = self.node.status().message
        return ("No images to label yet.\n\nConnect Import Images' Data (or Image "
                "Embedder's Embeddings) to this node's Data input; a model on its Model "
                "input ranks the images it is least sure of first."
                + (f"\n\n{why}" if why else ""))

    def on_status(self, status: NodeStatus) -> None:
        self.empty_hint.refresh()

    def is_ready(self) -> bool:
        return not self.model.pending

    # ------------------------------------------------------------------ reading
    def _base(self) -> Path | None:
        return self.node.directory

    def class_values(self) -> list[str]:
        s = self.settings
        return class_values_of(s.class_names, s.labels)

    def labels(self) -> list[str]:
        """The label of each input row ("" when unlabelled)."""
        if self.table is None:
            return []
        keys = matched_keys(self.table, self.settings.labels, self._base())
        return [str(self.settings.labels[k]) if k else "" for k in keys]

    def _ranking(self) -> dict[int, float]:
        """Input position -> the model's uncertainty, from the node's Unlabelled Data
        (in its order: least sure first when the option is on)."""
        out = self.outputs().get("Unlabelled Data")
        if self.table is None or out is None or UNCERTAINTY_COLUMN not in out.metas:
            return {}
        where = {int(i): p for p, i in enumerate(np.asarray(self.table.row_ids).tolist())}
        u = np.asarray(out.metas[UNCERTAINTY_COLUMN], dtype=float)
        return {where[int(i)]: float(u[k]) for k, i in enumerate(out.row_ids.tolist())
                if int(i) in where}

    # ------------------------------------------------------------------ showing
    def on_data(self) -> None:
        self.table = self.inputs().get("Data")
        self._fill()

    def on_settings(self) -> None:
        s = self.settings
        self.least_sure.setChecked(bool(s.least_sure_first))
        self.size_slider.blockSignals(True)
        self.size_slider.setValue(int(min(max(s.thumbnail_size, 48), 320)))
        self.size_slider.blockSignals(False)
        self._apply_size(self.size_slider.value())
        self._fill()

    def _fill(self) -> None:
        """Grid items, titles and the class bar from the input and the labels."""
        self._fill_class_bar()
        given = self.inputs()
        has_model = given.get("Model") is not None or given.get("Learner") is not None
        self.least_sure.setEnabled(has_model)
        if self.table is None:
            self.rows = []
            self.model.set_items([], [])
            self.info.setText("No data on the input.")
            return
        try:
            column = image_column_of(self.table)
        except NodeError as exc:
            self.rows = []
            self.model.set_items([], [])
            self.info.setText(str(exc))
            return
        labels = self.labels()
        ranking = self._ranking()
        rows = list(range(len(self.table)))
        if self.settings.least_sure_first and ranking:
            first = sorted((r for r in rows if not labels[r] and r in ranking),
                           key=lambda r: -ranking[r])  # stable: the node's order on ties
            rows = first + [r for r in rows if r not in ranking or labels[r]]
        if self.show_mode == "unlabelled":
            rows = [r for r in rows if not labels[r]]
        elif self.show_mode == "labelled":
            rows = [r for r in rows if labels[r]]
        elif _same_ranking(self.rows, rows, labels, ranking):
            # a label given or undone: the image stays where it was (it used to jump to
            # the end, and the next image slid under the mouse); a new ranking re-sorts
            rows = self.rows
        picked = set(self.selected_rows())
        bases = [b for b in (self._base(), Path.cwd()) if b is not None]
        values = self.table.metas[column]
        paths = [str(resolve_image_path(str(values[r]), bases)) if values[r] else ""
                 for r in rows]
        titles, colors = self._titles(rows, labels, ranking)
        same = rows == self.rows and paths == self.model.paths
        self.rows = rows
        if same:  # only titles changed: no reset, the selection and scroll stay
            self.model.titles, self.model.colors = titles, colors
            if rows:
                self.model.dataChanged.emit(self.model.index(0),
                                            self.model.index(len(rows) - 1))
        else:
            self.model.set_items(paths, titles, colors)
            self._select(picked)
        done = sum(1 for lab in labels if lab)
        text = f"{done} of {counted(len(labels), 'image')} labelled"
        if ranking and self.settings.least_sure_first:
            u = sorted(ranking.values(), reverse=True)
            text += f"; least sure first (uncertainty {u[0]:.2g} to {u[-1]:.2g})"
        self.info.setText(text)

    def _titles(self, rows: list[int], labels: list[str],
                ranking: dict[int, float]) -> tuple[list[str], list[QColor | None]]:
        assert self.table is not None
        names = self.table.metas.get("image name")
        palette = class_colors(max(len(self.class_values()), 1))
        index = {c: i for i, c in enumerate(self.class_values())}
        titles: list[str] = []
        colors: list[QColor | None] = []
        #: rank of each unlabelled image the model ranks (1 = least sure): the rank is
        #: what guides the next label; probabilities of a confident model round to 0.00
        ranks = {r: k + 1 for k, r in enumerate(
            sorted((r for r in ranking if not labels[r]), key=lambda r: -ranking[r]))}
        for r in rows:
            name = str(names[r]) if names is not None else str(r + 1)
            if labels[r]:
                titles.append(labels[r])
                colors.append(palette[index[labels[r]] % len(palette)])
            elif r in ranks and self.settings.least_sure_first:
                titles.append(f"#{ranks[r]} {name}")
                colors.append(None)
            else:
                titles.append(name)
                colors.append(None)
        return titles, colors

    def _fill_class_bar(self) -> None:
        """One button per class with its key and count; the buttons are kept while the
        classes are the same (a label changes only their counts)."""
        labels = self.labels()
        values = self.class_values()
        if [b.property("class_name") for b in self.class_buttons] != values:
            for button in self.class_buttons:
                self.class_bar.removeWidget(button)
                button.hide()
                button.deleteLater()
            self.class_buttons = []
            palette = class_colors(max(len(values), 1))
            for i, name in enumerate(values):
                button = QPushButton()
                button.setProperty("class_name", name)
                button.setToolTip(f"Label the selected images as '{name}'"
                                  + (f" (key {(i + 1) % 10})" if i < len(KEYS) else "")
                                  + "; double-click to rename")
                button.setStyleSheet(f"border-left: 6px solid {palette[i].name()}; "
                                     "padding: 4px 8px;")
                button.clicked.connect(lambda _=False, name=name: self.assign(name))
                button.installEventFilter(self)  # double-click: rename
                self.class_bar.addWidget(button)
                self.class_buttons.append(button)
        for i, (button, name) in enumerate(zip(self.class_buttons, values, strict=True)):
            key = f"{(i + 1) % 10}  " if i < len(KEYS) else ""
            button.setText(f"{key}{name} ({sum(1 for lab in labels if lab == name)})")

    def _apply_size(self, size: int) -> None:
        self.model.set_size(size)
        self.list.setIconSize(QSize(size, size))
        self.list.setGridSize(QSize(size + 16, size + 28))

    def _on_show(self, index: int) -> None:
        self.show_mode = str(self.show_combo.itemData(index))
        self._fill()

    # ------------------------------------------------------------------ selection
    def selected_rows(self) -> list[int]:
        """Input positions of the selected thumbnails."""
        sm = self.list.selectionModel()
        if sm is None:
            return []
        return sorted(self.rows[ix.row()] for ix in sm.selectedIndexes()
                      if ix.row() < len(self.rows))

    def _select(self, rows: set[int]) -> None:
        sm = self.list.selectionModel()
        if sm is None:
            return
        selection = QItemSelection()
        for item, r in enumerate(self.rows):
            if r in rows:
                selection.select(self.model.index(item), self.model.index(item))
        sm.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    # ------------------------------------------------------------------ acting
    def assign(self, name: str, rows: list[int] | None = None) -> None:
        """Label the selected images (or ``rows``) as ``name`` ("" removes their
        labels): one undo step, worded."""
        if self.table is None:
            return
        rows = self.selected_rows() if rows is None else rows
        if not rows:
            self.info.setText("Select images first (click, Shift/Ctrl-click, Ctrl+A).")
            return
        keys = row_keys(self.table, self._base())
        saved = matched_keys(self.table, self.settings.labels, self._base())
        labels = dict(self.settings.labels)
        for r in rows:
            if saved[r] and saved[r] != keys[r]:
                labels.pop(saved[r], None)  # stored under another spelling of the path
            if name:
                labels[keys[r]] = name
            else:
                labels.pop(keys[r], None)
        title = self.node.title
        text = (f"Label {counted(len(rows), 'image')} as '{name}' in {title}" if name
                else f"Unlabel {counted(len(rows), 'image')} in {title}")
        self.set_settings(text, labels=labels)

    def assign_key(self, key: int) -> bool:
        """A digit or Backspace/Delete pressed on the grid; True when it was one."""
        if key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.assign("")
            return True
        if key in KEYS:
            i = KEYS.index(Qt.Key(key))
            values = self.class_values()
            if i < len(values):
                self.assign(values[i])
            else:
                self.info.setText(f"No class {i + 1}: add one with 'Add class'.")
            return True
        return False

    def add_class(self, name: str) -> None:
        name = name.strip()
        if not name or name in self.class_values():
            return
        self.set_settings(f"Add class '{name}' in {self.node.title}",
                          class_names=[*self.settings.class_names, name])

    def rename_class(self, old: str, new: str) -> None:
        """Rename a class; every label follows (one undo step)."""
        new = new.strip()
        if not new or new == old or new in self.class_values():
            return
        names = [new if c == old else c for c in self.class_values()]
        labels = {k: (new if v == old else v) for k, v in self.settings.labels.items()}
        self.set_settings(f"Rename class '{old}' to '{new}' in {self.node.title}",
                          class_names=names, labels=labels)

    def _add_from_field(self) -> None:
        self.add_class(self.new_class.text())
        self.new_class.clear()

    def eventFilter(self, obj: Any, event: Any) -> bool:
        kind = event.type()
        if (obj is self.list and kind == QEvent.Type.KeyPress
                and event.modifiers() in (Qt.KeyboardModifier.NoModifier,
                                          Qt.KeyboardModifier.KeypadModifier)
                and self.assign_key(event.key())):
            return True
        if kind == QEvent.Type.MouseButtonDblClick and obj in self.class_buttons:
            old = self.class_values()[self.class_buttons.index(obj)]
            new, ok = QInputDialog.getText(self, "Rename class", "Class name:", text=old)
            if ok:
                self.rename_class(old, new)
            return True
        return super().eventFilter(obj, event)


@register_view("petriflow.annotate_images")
def make_view(node: NodeFacade) -> QWidget:
    return AnnotateImagesView(node)
