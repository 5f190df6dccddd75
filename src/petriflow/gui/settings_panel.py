"""A settings form generated from a node's Settings dataclass (fallback view).

Used for nodes that have no custom view yet. Each edit becomes a
:class:`~petriflow.gui.undo.SettingsCommand`, so it is undoable and re-runs the node
through the scheduler like any other edit. Field types map to controls: bool → check
box, int/float → spin box, Literal → combo box, str → line edit (with a "…" button for
paths); lists, dicts and other values are shown read-only (selections are written by
views, not typed in) — except a list of names whose metadata says ``{"edit": "names"}``
(Aggregate Profiles' group columns): a line edit of comma-separated names.

Rows are labelled as the undo stack and the report name the field
(:func:`petriflow.core.describe.setting_label`: "Number of neighbours", not "N neighbors").
Field metadata ``help`` becomes the row's tooltip and ``placeholder`` the empty line
edit's grey text (what "" means: "the user cache folder", "all images are one plate").

The "…" button of a path asks for a folder unless the field's metadata says otherwise:
``{"browse": "open" | "save", "filter": "Models (*.skops)", "suffix": ".skops"}`` opens
a file dialog (Save Model's and Load Model's ``path``). A chosen file inside the
workflow's folder is stored relative to it, as File stores its table, so a copied project
still finds it.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any

from PyQt6 import sip
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QUndoStack
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from petriflow.core.describe import setting_label
from petriflow.core.workflow import Workflow, WorkflowEvent
from petriflow.gui.undo import SettingsCommand

__all__ = ["STATUS_CHARS", "SettingsPanel", "field_kind"]

#: the longest status shown under a settings form (the rest is in its tooltip)
STATUS_CHARS = 240


def _unwrap_optional(hint: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return hint, False


def field_kind(hint: Any) -> str:
    """'bool' | 'int' | 'float' | 'choice' | 'str' | 'readonly' for a type hint."""
    hint, _ = _unwrap_optional(hint)
    if typing.get_origin(hint) is typing.Literal:
        return "choice"
    if hint is bool:
        return "bool"
    if hint is int:
        return "int"
    if hint is float:
        return "float"
    if hint is str:
        return "str"
    return "readonly"


def _label(name: str, settings_cls: type | None = None) -> str:
    """A row's label: the field's words (its metadata ``label``), first letter capital."""
    words = (setting_label(settings_cls, name) if settings_cls is not None
             else name.replace("_", " "))
    return words[:1].upper() + words[1:]


def _names(text: str) -> list[str]:
    """Comma-separated names as a list ("compound, concentration")."""
    return [part.strip() for part in text.split(",") if part.strip()]


class SettingsPanel(QWidget):
    """Form for one node's settings; follows undo/redo of its settings."""

    def __init__(self, workflow: Workflow, node_id: str, undo_stack: QUndoStack,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workflow, self.node_id, self.undo_stack = workflow, node_id, undo_stack
        node = workflow.node(node_id)
        self.setWindowTitle(node.title)
        layout = QVBoxLayout(self)
        self.header = QLabel()
        self.header.setWordWrap(True)
        layout.addWidget(self.header)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addLayout(self.form)
        layout.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #666;")
        layout.addWidget(self.status)
        self.editors: dict[str, QWidget] = {}
        nt = node.node_type
        self._settings_cls: type | None = nt.Settings if nt is not None else None
        self._setters: dict[str, Callable[[Any], None]] = {}
        self._updating = False
        self._build()
        self.refresh()
        self._unsubscribe = workflow.subscribe(self._on_event)
        self.resize(380, max(160, 60 + 34 * len(self.editors)))
        self._fit_height()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        node = self.workflow.node(self.node_id)
        nt = node.node_type
        if nt is None:
            self.header.setText(f"<b>{node.type_name}</b> is not available in Petriflow; its "
                                "settings are kept as they were in the file.")
            return
        self.header.setText(f"<b>{nt.name}</b> — {nt.description}")
        if not dataclasses.is_dataclass(nt.Settings) or not dataclasses.fields(nt.Settings):
            self.form.addRow(QLabel("This widget has no settings."))
            return
        hints = typing.get_type_hints(nt.Settings)
        for f in dataclasses.fields(nt.Settings):
            self._add_field(f.name, hints.get(f.name, Any), f.metadata)

    def _add_field(self, name: str, hint: Any,
                   metadata: Mapping[str, Any] | None = None) -> None:
        kind = field_kind(hint)
        meta = dict(metadata or {})
        if meta.get("edit") == "names":
            kind = "names"
        inner, optional = _unwrap_optional(hint)
        editor: QWidget
        line: QLineEdit | None = None
        if kind == "names":
            line = QLineEdit()
            line.editingFinished.connect(
                lambda n=name, w=line: self._commit(n, _names(w.text())))
            self._setters[name] = lambda v, w=line: w.setText(", ".join(map(str, v or ())))
            editor = line
        elif kind == "bool":
            box = QCheckBox()
            box.toggled.connect(lambda v, n=name: self._commit(n, bool(v)))
            self._setters[name] = lambda v, w=box: w.setChecked(bool(v))
            editor = box
        elif kind == "int":
            spin = QSpinBox()
            spin.setRange(-1_000_000_000, 1_000_000_000)
            if optional:
                spin.setSpecialValueText("(none)")
                spin.setMinimum(-1)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(lambda v, n=name, o=optional: self._commit(
                n, None if (o and v == -1) else int(v)))
            self._setters[name] = lambda v, w=spin: w.setValue(-1 if v is None else int(v))
            editor = spin
        elif kind == "float":
            dspin = QDoubleSpinBox()
            dspin.setRange(-1e12, 1e12)
            dspin.setDecimals(4)
            dspin.setKeyboardTracking(False)
            dspin.valueChanged.connect(lambda v, n=name: self._commit(n, float(v)))
            self._setters[name] = lambda v, w=dspin: w.setValue(float(v or 0.0))
            editor = dspin
        elif kind == "choice":
            combo = QComboBox()
            values = list(typing.get_args(inner))
            for v in values:
                combo.addItem(str(v), v)
            combo.activated.connect(lambda i, n=name, w=combo: self._commit(n, w.itemData(i)))
            self._setters[name] = lambda v, w=combo: w.setCurrentIndex(max(w.findData(v), 0))
            editor = combo
        elif kind == "str":
            line = QLineEdit()
            line.editingFinished.connect(lambda n=name, w=line: self._commit(n, w.text()))
            self._setters[name] = lambda v, w=line: w.setText("" if v is None else str(v))
            editor = line
            if meta.get("browse") in ("open", "save"):
                editor = self._with_file_browse(line, name, meta)
            elif any(k in name for k in ("folder", "path", "file", "directory")):
                editor = self._with_browse(line, name)
        else:
            label = QLabel()
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            label.setToolTip("Set by the widget's view (e.g. a selection); read-only here.")
            self._setters[name] = lambda v, w=label: w.setText(_short_repr(v))
            editor = label
        if line is not None and meta.get("placeholder"):
            line.setPlaceholderText(str(meta["placeholder"]))
        editor.setObjectName(f"setting-{name}")
        self.editors[name] = editor
        label = QLabel(_label(name, self._settings_cls))
        if meta.get("help"):
            label.setToolTip(str(meta["help"]))
            editor.setToolTip(str(meta["help"]))
        self.form.addRow(label, editor)

    def _with_browse(self, line: QLineEdit, name: str) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(line)
        button = QPushButton("…")
        button.setFixedWidth(32)

        def browse() -> None:
            start = line.text() or str(self.workflow.directory or "")
            folder = QFileDialog.getExistingDirectory(
                self, _label(name, self._settings_cls), start)
            if folder:
                line.setText(folder)
                self._commit(name, folder)

        button.clicked.connect(browse)
        row.addWidget(button)
        return box

    def _with_file_browse(self, line: QLineEdit, name: str,
                          metadata: dict[str, Any]) -> QWidget:
        """A path with a "…" button that opens a file dialog (open or save)."""
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(line)
        button = QPushButton("…")
        button.setObjectName(f"browse-{name}")
        button.setFixedWidth(32)
        saving = metadata["browse"] == "save"
        button.setToolTip("Choose where to save" if saving else "Choose a file")
        button.clicked.connect(lambda: self.browse_file(name, metadata))
        row.addWidget(button)
        return box

    def browse_file(self, name: str, metadata: Mapping[str, Any]) -> None:
        """Ask for a file; store it relative to the workflow's folder when inside it."""
        from petriflow.analysis.image_import import relative_setting_path

        folder = self.workflow.directory
        current = str(getattr(self.workflow.node(self.node_id).settings, name) or "")
        start = str(folder / current if folder is not None and current else
                    current or folder or "")
        title, filters = _label(name, self._settings_cls), str(metadata.get("filter", ""))
        if metadata.get("browse") == "save":
            chosen, _ = QFileDialog.getSaveFileName(self, title, start, filters)
            suffix = str(metadata.get("suffix", ""))
            if chosen and suffix and not chosen.lower().endswith(suffix.lower()):
                chosen += suffix
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, title, start, filters)
        if chosen:
            value = relative_setting_path(chosen, folder)
            self._setters[name](value)
            self._commit(name, value)

    # ------------------------------------------------------------------ sync
    def refresh(self) -> None:
        """Show the workflow's current values (after undo/redo or a view's edit)."""
        node = self.workflow.node(self.node_id)
        self.setWindowTitle(node.title)
        if node.settings is None or not dataclasses.is_dataclass(node.settings):
            return
        self._updating = True
        try:
            for name, setter in self._setters.items():
                setter(getattr(node.settings, name))
        finally:
            self._updating = False

    def closeEvent(self, event) -> None:
        self._unsubscribe()
        super().closeEvent(event)

    def _on_event(self, event: WorkflowEvent) -> None:
        if sip.isdeleted(self):  # deleted with its main window without being closed
            self._unsubscribe()
            return
        if event.node_id != self.node_id:
            return
        if event.kind == WorkflowEvent.NODE_REMOVED:
            self.close()
        elif event.kind in (WorkflowEvent.SETTINGS_CHANGED, WorkflowEvent.NODE_CHANGED):
            self.refresh()

    def _commit(self, name: str, value: Any) -> None:
        if self._updating:
            return
        current = getattr(self.workflow.node(self.node_id).settings, name)
        if current == value:
            return
        try:
            self.undo_stack.push(SettingsCommand(self.workflow, self.node_id, **{name: value}))
        except (ValueError, TypeError) as exc:
            self.show_status(str(exc))
            self.refresh()

    def show_status(self, text: str) -> None:
        """The node's status under the form, at most :data:`STATUS_CHARS` characters
        (the whole text in the tooltip): a long message wrapped over the form's height
        and squeezed its rows until no field could be read."""
        shown = text
        if len(text) > STATUS_CHARS:
            shown = text[:STATUS_CHARS].rsplit(" ", 1)[0] + " …"
        self.status.setText(shown)
        self.status.setToolTip(text if shown != text else "")
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow (never shrink) the window to the height its rows and wrapped status ask
        for at its width: a wrapped label's height is not a minimum Qt enforces, so a
        longer status squeezed the form's rows instead."""
        layout = self.layout()
        if layout is None:
            return
        need = (layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth()
                else layout.totalSizeHint().height())
        if need > self.height():
            self.resize(self.width(), need)


def _short_repr(value: Any) -> str:
    if isinstance(value, list | tuple | set) and len(value) > 8:
        return f"{len(value)} items"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…"
