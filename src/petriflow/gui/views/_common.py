"""What every node view shares: following its node, writing settings, colours.

Why a base class: each view must follow three sources of change — new inputs or outputs
(the scheduler, via its :class:`NodeFacade` on the GUI thread), edits of its settings
(its own clicks, undo/redo, a settings panel) and the node's removal — and must stop
listening when it closes. Getting that wrong in one view crashes the canvas, so it lives
here once. Work off the GUI thread goes through the node's :class:`TaskRunner`
(``self.node.tasks``), which the scheduler's cancel reaches.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PyQt6 import sip
from PyQt6.QtCore import QEvent, QObject, QTimer
from PyQt6.QtGui import QCloseEvent, QColor
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QWidget,
)

from petriflow.core.scheduler import NodeState, NodeStatus
from petriflow.core.table import Table
from petriflow.gui.views._facade import NodeFacade, TaskRunner
from petriflow.nodes._selection import restore_rows, rows_context

__all__ = ["PALETTE", "NodeFacade", "NodeView", "SelectionOnRelease", "TaskRunner",
           "class_colors", "progress_with_cancel", "row_selection", "rows_context"]

#: Tableau-10 style categorical colours (colour-blind friendlier than Qt's defaults)
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)


def class_colors(n: int) -> list[QColor]:
    """``n`` distinguishable colours (the palette repeats beyond ten)."""
    return [QColor(PALETTE[i % len(PALETTE)]) for i in range(n)]


def progress_with_cancel(node: NodeFacade, tip: str = "") -> tuple[
        QProgressBar, QPushButton, QHBoxLayout]:
    """A progress bar with a Cancel button that cancels ``node``'s run, in one row.

    Why here: the nodes with long runs (Import Images, Image Embedder) show the same
    row; Cancel starts disabled and the view enables it while the node runs."""
    bar = QProgressBar()
    bar.setRange(0, 100)
    bar.setTextVisible(True)
    button = QPushButton("Cancel")
    if tip:
        button.setToolTip(tip)
    button.setEnabled(False)
    button.clicked.connect(lambda: node.cancel())
    row = QHBoxLayout()
    row.addWidget(bar, 1)
    row.addWidget(button)
    return bar, button, row


def row_selection(table: Table | None, positions: list[int], context: dict[str, Any],
                  base: Path | None = None) -> list[int]:
    """The positions in ``table`` the node selects for a saved row selection (the rows
    the user picked, found by identity: ``nodes/_selection.py``), so that a view shows
    exactly what the node outputs (``base``: the workflow's folder, the node's too).
    Views write ``rows_context(table, positions, base)`` with each new selection."""
    if table is None:
        return [] if context else list(positions)
    return restore_rows(table, positions, context, base=base).selection


class SelectionOnRelease(QObject):
    """Calls ``commit()`` when an item view's selection changes, once per mouse gesture.

    A drag over cells, rows or thumbnails is one edit: the selection is written when the
    button is released, not at every item crossed (each write re-runs the node and
    everything after it, and adds an undo step). Keyboard changes commit at once.
    """

    def __init__(self, view: QAbstractItemView, commit: Callable[[], None]) -> None:
        super().__init__(view)
        self._commit = commit
        self.mouse_down = False
        view.selectionModel().selectionChanged.connect(self._changed)
        view.viewport().installEventFilter(self)

    def _changed(self, *_: Any) -> None:
        if not self.mouse_down:
            self._commit()

    def eventFilter(self, obj: Any, event: Any) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            self.mouse_down = True
        elif kind == QEvent.Type.MouseButtonRelease and self.mouse_down:
            self.mouse_down = False
            QTimer.singleShot(0, self._changed)  # after the view's own release handling
        return False


class NodeView(QWidget):
    """Base of node views: subclasses implement :meth:`on_data` and :meth:`on_settings`.

    ``on_data`` is called when the node's inputs or outputs may have changed (after each
    of its runs and partial results), ``on_settings`` after any change of its settings.
    Settings are written with :meth:`set_settings` so that every click is undoable.
    ``self.node`` (a :class:`NodeFacade`) is all a view sees of the workflow: its own
    node, and ``self.node.tasks`` for work off the GUI thread.
    """

    def __init__(self, node: NodeFacade, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node = node
        node.setParent(self)
        self._updating = False
        self.setWindowTitle(node.title)
        node.data_changed.connect(self._on_data_changed)
        node.status_changed.connect(self._on_status)
        node.partial_result.connect(self._on_partial)
        node.settings_changed.connect(self._on_settings_changed)
        node.removed.connect(self.close)

    # ------------------------------------------------------------------ accessors
    @property
    def node_id(self) -> str:
        return self.node.node_id

    @property
    def settings(self) -> Any:
        return self.node.settings

    def inputs(self) -> dict[str, Any]:
        return self.node.inputs()

    def outputs(self) -> dict[str, Any]:
        return self.node.outputs()

    def set_settings(self, text: str | None = None, /, **changes: Any) -> None:
        """Push an undoable settings change (ignored while the view itself is updating);
        ``text``: the undo line when the view can say more than the settings ("Select
        16 images in Hierarchical Clustering")."""
        if self._updating:
            return
        self.node.set_settings(text, **changes)

    def report_summary(self) -> list[str]:
        """Lines for "Add to report". Not overridden, the report uses the node type's
        summary (``petriflow.report.summaries``: classes, accuracy, clusters,
        selection); a view that shows more than its node knows overrides this (the
        outputs in words below are only what an override gets from ``super()``)."""
        from petriflow.report.words import summarize_outputs

        return summarize_outputs(self.outputs())

    def is_ready(self) -> bool:
        """False while background work for what is on screen is under way (used by
        ``--screenshot`` to grab finished views, and by tests)."""
        return True

    # ------------------------------------------------------------------ hooks
    def on_data(self) -> None:  # pragma: no cover - overridden
        """Inputs or outputs changed: redraw from ``inputs()`` / ``outputs()``."""

    def on_settings(self) -> None:  # pragma: no cover - overridden
        """Settings changed (a click, undo, redo): show them."""

    def on_partial(self, outputs: dict[str, Any]) -> None:
        """A partial result of a running node (e.g. an MDS layout in progress)."""

    def on_status(self, status: NodeStatus) -> None:
        """The node's state changed (e.g. to show its message)."""

    def show_current(self) -> None:
        """Show the node as it is now: settings, data and state (end of a subclass's
        ``__init__``, once its widgets exist)."""
        self._show_settings()
        self.on_data()
        self.on_status(self.node.status())

    def _show_settings(self) -> None:
        # controls changed here must not write the settings back as a new edit
        self._updating = True
        try:
            self.on_settings()
        finally:
            self._updating = False

    # ------------------------------------------------------------------ plumbing
    def _alive(self) -> bool:
        return not sip.isdeleted(self)

    def _on_data_changed(self) -> None:
        if self._alive():
            self.on_data()

    def _on_partial(self, outputs: dict[str, Any]) -> None:
        if self._alive():
            self.on_partial(outputs)

    def _on_status(self, status: NodeStatus) -> None:
        if not self._alive():
            return
        self.on_status(status)
        if status.state in (NodeState.IDLE, NodeState.ERROR):
            self.on_data()  # inputs went away, or the run failed: show what is left

    def _on_settings_changed(self) -> None:
        if self._alive():
            self.setWindowTitle(self.node.title)
            self._show_settings()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.node.release()
        super().closeEvent(event)
