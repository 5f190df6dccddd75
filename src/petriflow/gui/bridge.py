"""The one place where scheduler notifications cross from worker threads to the GUI.

The scheduler calls its listeners on whichever thread made the change (a node's worker
thread for progress and results). Qt widgets may only be touched on the GUI thread, so
the listeners here do nothing but emit signals; the connections are explicitly queued,
which makes Qt deliver them on the thread the receivers live in (the GUI thread).
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import QObject, Qt, pyqtSignal

from petriflow.core.scheduler import NodeStatus, Scheduler

__all__ = ["SchedulerBridge"]


class SchedulerBridge(QObject):
    """Re-emits a :class:`Scheduler`'s listener calls as Qt signals on the GUI thread."""

    #: (node id, NodeStatus)
    status_changed = pyqtSignal(str, object)
    #: (node id, {output name: value})
    outputs_changed = pyqtSignal(str, object)
    #: (node id, {output name: partial value})
    partial_result = pyqtSignal(str, object)

    # the raw signals are emitted from any thread; the public ones fire on the GUI thread
    _status_raw = pyqtSignal(str, object)
    _outputs_raw = pyqtSignal(str, object)
    _partial_raw = pyqtSignal(str, object)

    def __init__(self, scheduler: Scheduler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scheduler = scheduler
        self._closed = False
        queued = Qt.ConnectionType.QueuedConnection
        self._status_raw.connect(self._deliver_status, queued)
        self._outputs_raw.connect(self._deliver_outputs, queued)
        self._partial_raw.connect(self._deliver_partial, queued)
        scheduler.add_status_listener(self._on_status)
        scheduler.add_output_listener(self._on_outputs)
        scheduler.add_partial_listener(self._on_partial)

    def close(self) -> None:
        """Stop forwarding (the scheduler may still report a run that was cancelled)."""
        self._closed = True

    # -- worker side: emit only, touch nothing else --------------------------------------
    def _on_status(self, node_id: str, status: NodeStatus) -> None:
        if not self._closed:
            self._status_raw.emit(node_id, status)

    def _on_outputs(self, node_id: str, outputs: dict[str, Any]) -> None:
        if not self._closed:
            self._outputs_raw.emit(node_id, outputs)

    def _on_partial(self, node_id: str, outputs: dict[str, Any]) -> None:
        if not self._closed:
            self._partial_raw.emit(node_id, outputs)

    # -- GUI side -------------------------------------------------------------------------
    def _deliver_status(self, node_id: str, status: NodeStatus) -> None:
        if not self._closed:
            self.status_changed.emit(node_id, status)

    def _deliver_outputs(self, node_id: str, outputs: dict[str, Any]) -> None:
        if not self._closed:
            self.outputs_changed.emit(node_id, outputs)

    def _deliver_partial(self, node_id: str, outputs: dict[str, Any]) -> None:
        if not self._closed:
            self.partial_result.emit(node_id, outputs)
