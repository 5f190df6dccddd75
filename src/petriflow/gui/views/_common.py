"""What every node view shares: following its node, writing settings, colours, workers.

Why a base class: each view must follow three sources of change — new inputs or outputs
(the scheduler, via the bridge on the GUI thread), edits of its settings (its own
clicks, undo/redo, a settings panel) and the node's removal — and must stop listening
when it closes. Getting that wrong in one view crashes the canvas, so it lives here once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from PyQt6 import sip
from PyQt6.QtCore import QEvent, QObject, QRunnable, QThreadPool, QTimer, pyqtSignal
from PyQt6.QtGui import QCloseEvent, QColor
from PyQt6.QtWidgets import QAbstractItemView, QWidget

from petriflow.core.scheduler import NodeState, NodeStatus
from petriflow.core.workflow import WorkflowEvent
from petriflow.gui.undo import SettingsCommand
from petriflow.gui.views import ViewContext

__all__ = ["PALETTE", "NodeView", "SelectionOnRelease", "class_colors", "run_in_background"]

#: Tableau-10 style categorical colours (colour-blind friendlier than Qt's defaults)
PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)


def class_colors(n: int) -> list[QColor]:
    """``n`` distinguishable colours (the palette repeats beyond ten)."""
    return [QColor(PALETTE[i % len(PALETTE)]) for i in range(n)]


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
    """

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.node_id = ctx.node_id
        self._updating = False
        node = ctx.workflow.node(ctx.node_id)
        self.setWindowTitle(node.title)
        ctx.bridge.outputs_changed.connect(self._on_outputs)
        ctx.bridge.status_changed.connect(self._on_status)
        ctx.bridge.partial_result.connect(self._on_partial)
        self._unsubscribe: Callable[[], None] | None = ctx.workflow.subscribe(self._on_event)

    # ------------------------------------------------------------------ accessors
    @property
    def settings(self) -> Any:
        return self.ctx.workflow.node(self.node_id).settings

    def inputs(self) -> dict[str, Any]:
        return self.ctx.scheduler.inputs(self.node_id)

    def outputs(self) -> dict[str, Any]:
        return self.ctx.scheduler.outputs(self.node_id)

    def set_settings(self, **changes: Any) -> None:
        """Push an undoable settings change (ignored while the view itself is updating)."""
        if self._updating:
            return
        current = self.settings
        if all(getattr(current, k) == v for k, v in changes.items()):
            return
        self.ctx.undo_stack.push(SettingsCommand(self.ctx.workflow, self.node_id, **changes))

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
        self.on_status(self.ctx.scheduler.status(self.node_id))

    def _show_settings(self) -> None:
        # controls changed here must not write the settings back as a new edit
        self._updating = True
        try:
            self.on_settings()
        finally:
            self._updating = False

    # ------------------------------------------------------------------ plumbing
    def _alive(self) -> bool:
        if sip.isdeleted(self):
            self._disconnect()
            return False
        return True

    def _on_outputs(self, node_id: str, outputs: dict[str, Any]) -> None:
        if self._alive() and node_id == self.node_id:
            self.on_data()

    def _on_partial(self, node_id: str, outputs: dict[str, Any]) -> None:
        if self._alive() and node_id == self.node_id:
            self.on_partial(outputs)

    def _on_status(self, node_id: str, status: NodeStatus) -> None:
        if not self._alive() or node_id != self.node_id:
            return
        self.on_status(status)
        if status.state in (NodeState.IDLE, NodeState.ERROR):
            self.on_data()  # inputs went away, or the run failed: show what is left

    def _on_event(self, event: WorkflowEvent) -> None:
        if not self._alive() or event.node_id != self.node_id:
            return
        if event.kind == WorkflowEvent.NODE_REMOVED:
            self.close()
        elif event.kind in (WorkflowEvent.SETTINGS_CHANGED, WorkflowEvent.NODE_CHANGED):
            self.setWindowTitle(self.ctx.workflow.node(self.node_id).title)
            self._show_settings()

    def _disconnect(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        bridge = self.ctx.bridge
        if sip.isdeleted(bridge):  # the window went first: its connections went with it
            return
        for signal, slot in ((bridge.outputs_changed, self._on_outputs),
                             (bridge.status_changed, self._on_status),
                             (bridge.partial_result, self._on_partial)):
            with contextlib.suppress(TypeError, RuntimeError):
                signal.disconnect(slot)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._disconnect()
        super().closeEvent(event)


class _Signals(QObject):
    done = pyqtSignal(object, object)  # (result, error)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: _Signals) -> None:
        super().__init__()
        self.fn, self.signals = fn, signals

    def run(self) -> None:
        try:
            result, error = self.fn(), None
        except Exception as exc:  # reported to the view, never lost in a worker
            result, error = None, exc
        self.signals.done.emit(result, error)


_KEEP: set[_Signals] = set()


def run_in_background(fn: Callable[[], Any],
                      callback: Callable[[Any, BaseException | None], None]) -> None:
    """Run ``fn`` on Qt's thread pool; ``callback(result, error)`` on the GUI thread.

    Why: a linkage over a few thousand items takes seconds; the GUI thread must not.
    """
    signals = _Signals()
    _KEEP.add(signals)

    def deliver(result: Any, error: Any) -> None:
        _KEEP.discard(signals)
        callback(result, error)

    signals.done.connect(deliver)
    QThreadPool.globalInstance().start(_Task(fn, signals))
