"""What a node view may touch: its own node (:class:`NodeFacade`) and its own workers
(:class:`TaskRunner`).

Why a facade: a view that holds the whole scheduler, workflow and undo stack can read or
change any node, and its background work is invisible to the scheduler's cancel. A view
gets exactly its node's inputs, outputs, status, settings (read, and undoable write),
title and cancel, plus signals for that node only; everything it runs off the GUI
thread goes through the node's one task runner, whose tasks are cancelled when the node
is cancelled (``Scheduler.cancel``, the canvas' Cancel too), removed, the scheduler
closes, or the view closes.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PyQt6 import sip
from PyQt6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, pyqtSignal

from petriflow.core.memo import RunMemo
from petriflow.core.node import Cancelled, CancelToken
from petriflow.core.scheduler import NodeStatus
from petriflow.core.workflow import WorkflowEvent

if TYPE_CHECKING:
    from petriflow.gui.views import ViewContext

__all__ = ["NodeFacade", "TaskRunner"]

T = TypeVar("T")
Callback = Callable[[Any, "BaseException | None"], None]

#: runners released while a task still ran: kept until their last task reports, so that
#: closing a view never waits for a worker (a QThreadPool's destructor would)
_DRAINING: set[TaskRunner] = set()


class _Signals(QObject):
    done = pyqtSignal(int, object, object)  # (task id, result, error)


class _Task(QRunnable):
    """One task on a worker. It lets go of ``fn`` (and whatever its closure holds:
    views, models) *before* reporting, so that the last reference to a Qt object is
    never dropped on the worker thread: the runner holds them until the GUI thread has
    delivered the result."""

    def __init__(self, task_id: int, fn: Callable[[CancelToken], Any] | None,
                 token: CancelToken, signals: _Signals) -> None:
        super().__init__()
        self.task_id, self.fn, self.token, self.signals = task_id, fn, token, signals

    def run(self) -> None:
        fn, self.fn = self.fn, None
        result: Any = None
        error: BaseException | None = None
        if self.token.cancelled or fn is None:
            error = Cancelled()  # cancelled while queued: never started
        else:
            try:
                result = fn(self.token)
            except Exception as exc:  # reported to the view, never lost in a worker
                exc.__traceback__ = None  # its frames would keep fn's closure here
                error = exc
            if self.token.cancelled and not isinstance(error, Cancelled):
                result, error = None, Cancelled()  # finished, but nobody wants it now
        del fn
        with contextlib.suppress(RuntimeError):  # the runner was shut down meanwhile
            self.signals.done.emit(self.task_id, result, error)


class TaskRunner:
    """Background work of one node's view, on a thread pool of its own.

    ``run(fn, callback)`` calls ``fn(token)`` on a worker and then, on the GUI thread,
    ``callback(result, error)`` exactly once: ``error`` is :class:`Cancelled` when the
    task was cancelled before or while it ran (its result is dropped), so a view can
    forget what it was waiting for. ``fn`` may poll ``token`` to stop early.

    The pool leaves one core to the GUI thread: with every core decoding thumbnails the
    event loop waited for the OS scheduler (ticks 56-72 ms late while scrolling on 2
    cores).
    """

    def __init__(self) -> None:
        self.pool = QThreadPool()
        shared = QThreadPool.globalInstance()
        cores = shared.maxThreadCount() if shared is not None else 2
        self.pool.setMaxThreadCount(max(1, cores - 1))
        self._lock = threading.Lock()
        #: task id -> (token, fn, callback), until the callback has run
        self._tasks: dict[int, tuple[CancelToken, Any, Callback]] = {}
        self._next = 0
        self._closed = False
        # owned by the application (C++), not by Python: a worker holding the last
        # Python reference can never destroy it off the GUI thread
        self._signals = _Signals(QCoreApplication.instance())
        self._signals.done.connect(self._deliver)

    @property
    def pending(self) -> int:
        """Tasks started whose callback has not been called yet."""
        with self._lock:
            return len(self._tasks)

    def run(self, fn: Callable[[CancelToken], T],
            callback: Callable[[T | None, BaseException | None], None],
            *, priority: int = 0) -> CancelToken:
        """Start ``fn(token)`` (higher ``priority`` first); returns the task's token.
        After :meth:`shutdown` nothing starts and no callback comes (the view is gone)."""
        token = CancelToken()
        with self._lock:
            if self._closed:
                token.cancel()
                return token
            self._next += 1
            task_id = self._next
            self._tasks[task_id] = (token, fn, callback)
        self.pool.start(_Task(task_id, fn, token, self._signals), priority)
        return token

    def _deliver(self, task_id: int, result: Any, error: Any) -> None:
        with self._lock:
            entry = self._tasks.pop(task_id, None)
            drained = self._closed and not self._tasks
        if drained:
            _DRAINING.discard(self)
            self._signals.deleteLater()
        if entry is not None:
            entry[2](result, error)

    def cancel_all(self) -> None:
        """Cancel every task started so far (safe from any thread); later ones run."""
        with self._lock:
            tokens = [token for token, _, _ in self._tasks.values()]
        for token in tokens:
            token.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the workers are idle (tests, benchmarks); callbacks come later."""
        return self.pool.waitForDone(msecs)

    def shutdown(self) -> None:
        """Cancel everything; the callbacks of tasks under way still come (with
        :class:`Cancelled`); nothing starts any more."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            busy = bool(self._tasks)
        self.cancel_all()
        if busy:
            _DRAINING.add(self)
        else:
            self._signals.deleteLater()


class NodeFacade(QObject):
    """One node as its view sees it.

    Signals fire on the GUI thread and only for this node: ``data_changed`` (its
    outputs changed: inputs may have too), ``partial_result(outputs)`` while it runs,
    ``status_changed(NodeStatus)``, ``settings_changed`` (settings or title, from any
    editor, undo or redo) and ``removed``.
    """

    data_changed = pyqtSignal()
    partial_result = pyqtSignal(object)
    status_changed = pyqtSignal(object)
    settings_changed = pyqtSignal()
    removed = pyqtSignal()

    def __init__(self, ctx: ViewContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._node_id = ctx.node_id
        self._workflow = ctx.workflow
        self._scheduler = ctx.scheduler
        self._bridge = ctx.bridge
        self._undo_stack = ctx.undo_stack
        self.tasks = TaskRunner()
        self._released = False
        self._bridge.outputs_changed.connect(self._on_outputs)
        self._bridge.status_changed.connect(self._on_status)
        self._bridge.partial_result.connect(self._on_partial)
        self._unsubscribe: Callable[[], None] | None = self._workflow.subscribe(self._on_event)
        self._remove_cancel: Callable[[], None] | None = (
            self._scheduler.add_cancel_listener(self._on_cancel))

    # ------------------------------------------------------------------ reading
    @property
    def node_id(self) -> str:
        return self._node_id

    @property
    def title(self) -> str:
        return self._workflow.node(self._node_id).title

    @property
    def directory(self) -> Path | None:
        """The workflow file's folder (relative image paths resolve against it)."""
        directory = self._workflow.directory
        return Path(directory) if directory else None

    @property
    def settings(self) -> Any:
        """The node's settings (read them; write with :meth:`set_settings`)."""
        return self._workflow.node(self._node_id).settings

    @property
    def memo(self) -> RunMemo:
        """Results the node derived from its inputs (the scheduler's memo, shared with the
        node's runs: the dendrogram view reuses the linkage the node computed)."""
        return self._scheduler.memo

    def inputs(self) -> dict[str, Any]:
        """The inputs the node's latest run received."""
        return self._scheduler.inputs(self._node_id)

    def outputs(self) -> dict[str, Any]:
        return self._scheduler.outputs(self._node_id)

    def status(self) -> NodeStatus:
        return self._scheduler.status(self._node_id)

    # ------------------------------------------------------------------ acting
    def set_settings(self, text: str | None = None, /, **changes: Any) -> bool:
        """One undoable edit of the node's settings; False when nothing would change.
        ``text`` is the undo line, when the view words it (else it is made from the
        settings, core.describe)."""
        from petriflow.gui.undo import SettingsCommand

        current = self.settings
        if all(getattr(current, k) == v for k, v in changes.items()):
            return False
        self._undo_stack.push(SettingsCommand(self._workflow, self._node_id, text,
                                              **changes))
        return True

    def cancel(self) -> bool:
        """Stop the node's run (and, through the scheduler, this view's tasks)."""
        return self._scheduler.cancel(self._node_id)

    def rerun(self) -> None:
        """Run the node again with the same settings (e.g. to rescan a folder)."""
        self._scheduler.invalidate(self._node_id)

    def release(self) -> None:
        """The view closes: stop listening and cancel its tasks."""
        if self._released:
            return
        self._released = True
        self.tasks.shutdown()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._remove_cancel is not None:
            self._remove_cancel()
            self._remove_cancel = None
        if sip.isdeleted(self._bridge):  # the window went first: its connections went too
            return
        for signal, slot in ((self._bridge.outputs_changed, self._on_outputs),
                             (self._bridge.status_changed, self._on_status),
                             (self._bridge.partial_result, self._on_partial)):
            with contextlib.suppress(TypeError, RuntimeError):
                signal.disconnect(slot)

    # ------------------------------------------------------------------ plumbing
    def _alive(self) -> bool:
        if sip.isdeleted(self):
            self.release()
            return False
        return not self._released

    def _on_cancel(self, node_id: str) -> None:
        if node_id == self._node_id:  # any thread: only sets the tokens
            self.tasks.cancel_all()

    def _on_outputs(self, node_id: str, outputs: dict[str, Any]) -> None:
        if node_id == self._node_id and self._alive():
            self.data_changed.emit()

    def _on_partial(self, node_id: str, outputs: dict[str, Any]) -> None:
        if node_id == self._node_id and self._alive():
            self.partial_result.emit(outputs)

    def _on_status(self, node_id: str, status: NodeStatus) -> None:
        if node_id == self._node_id and self._alive():
            self.status_changed.emit(status)

    def _on_event(self, event: WorkflowEvent) -> None:
        if event.node_id != self._node_id or not self._alive():
            return
        if event.kind == WorkflowEvent.NODE_REMOVED:
            self.tasks.cancel_all()
            self.removed.emit()
        elif event.kind in (WorkflowEvent.SETTINGS_CHANGED, WorkflowEvent.NODE_CHANGED):
            self.settings_changed.emit()
