"""Propagation: who runs when, with which inputs, on which thread.

Rules (see docs/architecture.md):

* Any change to a node (settings, an input link added/removed/enabled, the node added)
  makes the node and all its descendants *dirty*.
* A dirty node runs once none of its ancestors is dirty or running, so nodes run in
  topological order and each sees settled inputs; independent branches run concurrently
  on a thread pool (never on the caller's thread).
* A node that becomes dirty while running has its run cancelled (cooperatively, through
  its :class:`CancelToken`); whatever that run returns is discarded and it runs again
  with the new inputs once the old run has returned.
* A removed or disabled link delivers ``None``; a node whose required input is ``None``
  does not run and outputs ``None`` on every channel (state idle, "waiting for input").
* Unknown (placeholder) nodes never run and output ``None``.
* :meth:`pause` stops new runs from starting (running ones finish); :meth:`step`
  starts exactly one ready node while paused; :meth:`resume` continues.

Listeners are called from whichever thread made the change (a worker thread for
progress and results). A GUI must marshal them to its own thread: that bridge lives in
``gui/``, not here.

Threads and the graph: each scheduling pass (:meth:`Scheduler._pump`) reads one
immutable :class:`~petriflow.core.graph.GraphSnapshot` of the workflow, so an edit made
by another thread meanwhile cannot break the pass; that edit's own event marks the
affected nodes dirty and starts another pass. Lock order is always the scheduler's lock,
then the workflow's (the workflow emits its events outside its lock).
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from petriflow.core.graph import GraphSnapshot
from petriflow.core.memo import RunMemo
from petriflow.core.node import (
    Cancelled,
    CancelToken,
    Node,
    NodeContext,
    NodeError,
    Progress,
    RunOptions,
    copy_settings,
)
from petriflow.core.status import NodeState, NodeStatus, is_selection, waiting_message
from petriflow.core.workflow import Workflow, WorkflowEvent

__all__ = ["NodeState", "NodeStatus", "Scheduler"]

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    dirty: bool = True
    future: Future | None = None
    token: CancelToken | None = None
    generation: int = 0
    started: float = 0.0
    outputs: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    status: NodeStatus = field(default_factory=NodeStatus)


def _same_outputs(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Outputs are the same when each channel holds the *same object* (no deep compare)."""
    return a.keys() == b.keys() and all(a[k] is b[k] for k in a)


StatusListener = Callable[[str, NodeStatus], None]
OutputListener = Callable[[str, dict[str, Any]], None]
CancelListener = Callable[[str], None]


class Scheduler:
    """Runs a :class:`Workflow` and keeps it up to date as it changes."""

    def __init__(
        self,
        workflow: Workflow,
        *,
        max_workers: int | None = None,
        executor: Executor | None = None,
        paused: bool = False,
        options: RunOptions | None = None,
    ) -> None:
        self.workflow = workflow
        #: how nodes run here (e.g. where embeddings run); handed to every run
        self.options = options if options is not None else RunOptions()
        #: results derived from inputs (e.g. linkage trees), shared by nodes and views
        #: of this scheduler's workflow for as long as it runs
        self.memo = RunMemo()
        self._own_executor = executor is None
        self._executor = executor or ThreadPoolExecutor(
            max_workers=max_workers or max(2, os.cpu_count() or 2),
            thread_name_prefix="petriflow-node",
        )
        self._lock = threading.RLock()
        self._flush_lock = threading.RLock()
        self._settled = threading.Condition(self._lock)
        self._entries: dict[str, _Entry] = {nid: _Entry() for nid in (n.id for n in workflow)}
        self._paused = paused
        self._step_budget = 0
        self._stepped: str | None = None
        self._user_cancelled: set[str] = set()
        self._closed = False
        self._status_listeners: list[StatusListener] = []
        self._output_listeners: list[OutputListener] = []
        self._partial_listeners: list[OutputListener] = []
        self._cancel_listeners: list[CancelListener] = []
        self._pending_notes: list[Callable[[], None]] = []
        self._unsubscribe = workflow.subscribe(self._on_event)
        self._pump()

    # ------------------------------------------------------------------ listeners
    def add_status_listener(self, listener: StatusListener) -> None:
        self._status_listeners.append(listener)

    def add_output_listener(self, listener: OutputListener) -> None:
        """``listener(node_id, outputs)`` after a node's outputs change (incl. to None)."""
        self._output_listeners.append(listener)

    def add_partial_listener(self, listener: OutputListener) -> None:
        """``listener(node_id, outputs)`` for intermediate results (not propagated)."""
        self._partial_listeners.append(listener)

    def add_cancel_listener(self, listener: CancelListener) -> Callable[[], None]:
        """``listener(node_id)`` when work for that node must stop: the user cancelled
        it (:meth:`cancel`, also between runs), it was removed, or the scheduler closed.

        Why: work started on the node's behalf outside its run (a view's background
        task) must stop with it. Called outside the lock, on the requesting thread.
        Returns a function that removes the listener.
        """
        self._cancel_listeners.append(listener)

        def remove() -> None:
            if listener in self._cancel_listeners:
                self._cancel_listeners.remove(listener)

        return remove

    def _notify_cancel(self, node_ids: list[str]) -> None:
        for cb in list(self._cancel_listeners):
            for nid in node_ids:
                try:
                    cb(nid)
                except Exception:  # a broken listener must not stop a cancel
                    log.exception("cancel listener failed")

    def _note_status(self, node_id: str, status: NodeStatus) -> None:
        for cb in list(self._status_listeners):
            self._pending_notes.append(functools.partial(cb, node_id, status))

    def _note_outputs(self, node_id: str, outputs: dict[str, Any]) -> None:
        for cb in list(self._output_listeners):
            self._pending_notes.append(functools.partial(cb, node_id, dict(outputs)))

    def _flush_notes(self) -> None:
        """Call queued listeners *outside* the state lock so they may call back into us.

        Deliveries are serialized by ``_flush_lock`` (taken before the state lock, never
        while holding it), so listeners see one node's states in the order they happened
        even when a worker thread and the caller's thread flush at the same time.
        """
        with self._flush_lock:
            while True:
                with self._lock:
                    notes, self._pending_notes = self._pending_notes, []
                if not notes:
                    return
                for note in notes:
                    try:
                        note()
                    except Exception:  # a broken listener must not stall propagation
                        log.exception("scheduler listener failed")

    # ------------------------------------------------------------------ queries
    def status(self, node_id: str) -> NodeStatus:
        with self._lock:
            return self._entries[node_id].status

    def outputs(self, node_id: str) -> dict[str, Any]:
        """The node's latest outputs by name (missing = None)."""
        with self._lock:
            return dict(self._entries[node_id].outputs)

    def output(self, node_id: str, name: str) -> Any:
        with self._lock:
            return self._entries[node_id].outputs.get(name)

    def inputs(self, node_id: str) -> dict[str, Any]:
        """The inputs the node's latest run received (views render these)."""
        with self._lock:
            return dict(self._entries[node_id].inputs)

    @property
    def paused(self) -> bool:
        return self._paused

    def is_settled(self) -> bool:
        """True when nothing runs and nothing more will start (or it waits for resume)."""
        with self._lock:
            return self._settled_locked()

    def _settled_locked(self) -> bool:
        if any(e.future is not None for e in self._entries.values()):
            return False
        if self._paused and self._step_budget == 0:
            return True
        return not any(e.dirty for e in self._entries.values())

    def wait(self, timeout: float | None = None) -> bool:
        """Block until settled (see :meth:`is_settled`); False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._settled:
            while not self._settled_locked():
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._settled.wait(remaining if remaining is not None else 0.5)
        return True

    # ------------------------------------------------------------------ control
    def invalidate(self, node_id: str) -> None:
        """Mark ``node_id`` and its descendants dirty and schedule them."""
        with self._lock:
            self._invalidate_locked(node_id)
        self._pump()

    def cancel(self, node_id: str) -> bool:
        """Stop the node's run in flight at the user's request (a Cancel button).

        Unlike a superseded run, a cancelled one is not started again: the node ends
        idle with "Cancelled" and outputs ``None`` until something changes. Returns
        False when the node was not running. Cancel listeners hear it either way.
        """
        with self._lock:
            entry = self._entries.get(node_id)
            running = entry is not None and entry.future is not None and entry.token is not None
            if running:
                assert entry is not None and entry.token is not None
                self._user_cancelled.add(node_id)
                entry.token.cancel()
        self._notify_cancel([node_id])
        return running

    def pause(self) -> None:
        with self._lock:
            self._paused = True
            self._step_budget = 0

    def resume(self) -> None:
        with self._lock:
            self._paused = False
            self._step_budget = 0
        self._pump()

    def step(self) -> str | None:
        """While paused, start one ready node; returns its id (None if nothing is ready)."""
        with self._lock:
            if not self._paused:
                return None
            self._step_budget = 1
            self._stepped = None
        self._pump()
        with self._lock:
            self._step_budget = 0
            self._settled.notify_all()
            return self._stepped

    def close(self) -> None:
        """Cancel runs, stop listening to the workflow, release the thread pool."""
        with self._lock:
            self._closed = True
            for e in self._entries.values():
                if e.token is not None:
                    e.token.cancel()
            node_ids = list(self._entries)
        self._notify_cancel(node_ids)
        self._unsubscribe()
        self.memo.clear()
        if self._own_executor:
            self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Scheduler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ events
    def _on_event(self, event: WorkflowEvent) -> None:
        removed = False
        node_id = event.node_id or ""
        with self._lock:
            kind = event.kind
            if kind == WorkflowEvent.NODE_ADDED:
                old = self._entries.get(node_id)
                if old is not None and old.token is not None:
                    old.token.cancel()
                self._entries[node_id] = _Entry()
            elif kind == WorkflowEvent.NODE_REMOVED:
                if node_id in self.workflow.snapshot().nodes:
                    # re-added (same id) by another thread whose event came first
                    return
                entry = self._entries.pop(node_id, None)
                if entry is not None and entry.token is not None:
                    entry.token.cancel()
                removed = True
            elif kind == WorkflowEvent.SETTINGS_CHANGED:
                if event.detail == "view":
                    return  # what only the view reads: the outputs are still valid
                self._invalidate_locked(node_id)
            elif kind in (
                WorkflowEvent.LINK_ADDED, WorkflowEvent.LINK_REMOVED, WorkflowEvent.LINK_ENABLED
            ):
                if event.link is not None and event.link.sink_id in self._entries:
                    self._invalidate_locked(event.link.sink_id)
            else:
                return
        if removed:
            self._notify_cancel([node_id])
        self._pump()

    def _invalidate_locked(self, node_id: str) -> None:
        for nid in (node_id, *self.workflow.snapshot().descendants(node_id)):
            entry = self._entries.get(nid)
            if entry is None:
                continue
            entry.dirty = True
            if entry.token is not None:
                entry.token.cancel()  # supersede the run in flight; its result is dropped
            self._set_status(nid, replace(entry.status, state=NodeState.QUEUED, progress=0.0))

    def _set_status(self, node_id: str, status: NodeStatus) -> None:
        entry = self._entries[node_id]
        if entry.status != status:
            entry.status = status
            self._note_status(node_id, status)

    # ------------------------------------------------------------------ propagation
    def _pump(self) -> None:
        with self._lock:
            if not self._closed:
                self._pump_locked()
            self._settled.notify_all()
        self._flush_notes()

    def _pump_locked(self) -> None:
        """One pass in topological order over one snapshot: start what may start.

        A node is *blocked* while any ancestor (through enabled links) is dirty or
        running. ``unsettled`` collects, as the pass goes, the nodes that are
        themselves dirty or running or have such an ancestor; a node's parents come
        before it in the order, so one look at its parents answers for all its
        ancestors (linear in nodes and links, not quadratic).
        """
        snap = self.workflow.snapshot()
        unsettled: set[str] = set()
        for nid in snap.order:
            blocked = any(p in unsettled for p in snap.parents(nid))
            self._pump_node(snap, nid, blocked)
            entry = self._entries.get(nid)
            if blocked or (entry is not None and (entry.dirty or entry.future is not None)):
                unsettled.add(nid)

    def _pump_node(self, snap: GraphSnapshot, nid: str, blocked: bool) -> None:
        entry = self._entries.get(nid)
        if entry is None or not entry.dirty or entry.future is not None or blocked:
            return
        node = snap.nodes[nid]
        if node.node_type is None:
            entry.dirty = False
            self._resolve(nid, {}, NodeState.WARNING,
                          f"{node.type_name!r} is not available in Petriflow; kept as a "
                          "placeholder that passes no data")
            return
        inputs = self._gather_inputs(snap, nid)
        missing = [
            i.name for i in node.node_type.inputs
            if i.required and (inputs.get(i.name) is None or inputs.get(i.name) == [])
        ]
        alternatives = node.node_type.needs_one_of  # e.g. MDS: Data or Distances
        if alternatives and all(inputs.get(n) in (None, []) for n in alternatives):
            missing.append(" or ".join(alternatives))
        if missing:
            entry.dirty = False
            entry.inputs = inputs
            self._resolve(nid, {}, NodeState.IDLE,
                          waiting_message(missing, self._unselected(snap, nid)))
            return
        if self._paused:
            if self._step_budget <= 0:
                return
            self._step_budget -= 1
            self._stepped = nid
        self._submit(snap, nid, inputs)

    def _unselected(self, snap: GraphSnapshot, nid: str) -> dict[str, str]:
        """Inputs fed by a selection its source sent empty: input -> source's title."""
        out = {}
        for lk in snap.input_links(nid):
            src = self._entries.get(lk.source_id)
            if (lk.enabled and src is not None and is_selection(lk.source_channel)
                    and src.status.state in (NodeState.DONE, NodeState.WARNING)
                    and src.outputs.get(lk.source_channel) is None):
                out[lk.sink_channel] = snap.nodes[lk.source_id].title
        return out

    def _resolve(self, nid: str, outputs: dict[str, Any], state: NodeState, message: str) -> None:
        entry = self._entries[nid]
        changed = not _same_outputs(entry.outputs, outputs)
        entry.outputs = outputs
        self._set_status(nid, NodeStatus(state, 0.0, message, (), None, entry.status.runs))
        if changed:
            self._note_outputs(nid, outputs)

    def _gather_inputs(self, snap: GraphSnapshot, nid: str) -> dict[str, Any]:
        node = snap.nodes[nid]
        assert node.node_type is not None
        links = snap.input_links(nid)
        inputs: dict[str, Any] = {}
        for inp in node.node_type.inputs:
            values = []
            for lk in links:
                if lk.sink_channel != inp.name:
                    continue
                source = self._entries.get(lk.source_id)
                value = source.outputs.get(lk.source_channel) if (lk.enabled and source) else None
                if value is not None and not isinstance(value, inp.type):
                    log.warning("dropping %r on %s: not a %s", type(value), inp.name, inp.type)
                    value = None
                values.append(value)
            if inp.multiple:
                inputs[inp.name] = [v for v in values if v is not None]
            else:
                inputs[inp.name] = values[0] if values else None
        return inputs

    def _submit(self, snap: GraphSnapshot, nid: str, inputs: dict[str, Any]) -> None:
        entry = self._entries[nid]
        node = snap.nodes[nid]
        entry.dirty = False
        entry.generation += 1
        entry.token = CancelToken()
        entry.inputs = inputs
        # the run's own copy (it may change it); copy_settings copies a 20,000-row
        # selection as lists, not item by item (~20 ms of a lasso's response)
        settings = copy_settings(node.settings)
        context = NodeContext(self.workflow.directory, nid, node.title, self.options,
                              self.memo)
        self._set_status(nid, NodeStatus(NodeState.QUEUED, 0.0, "", (), None, entry.status.runs))
        assert node.node_type is not None  # placeholders never get here
        entry.future = self._executor.submit(
            self._execute, nid, entry.generation, node.node_type, settings, context,
            inputs, entry.token,
        )

    # ------------------------------------------------------------------ worker side
    def _execute(
        self, nid: str, generation: int, node_type: type[Node], settings: Any,
        context: NodeContext, inputs: dict[str, Any], token: CancelToken,
    ) -> None:
        if token.cancelled:
            self._finish(nid, generation, "cancelled", None, ())
            return
        with self._lock:
            entry = self._entries.get(nid)
            if entry is not None and entry.generation == generation:
                entry.started = time.monotonic()
                self._set_status(nid, replace(entry.status, state=NodeState.RUNNING))
        self._flush_notes()
        progress = Progress(
            callback=lambda pct, msg: self._on_progress(nid, generation, token, pct, msg),
            partial=lambda outs: self._on_partial(nid, token, outs),
        )
        try:
            node = node_type(settings, context)
            outputs = node.run(inputs, progress, token)
            token.check()
            self._finish(nid, generation, "ok", self._check_outputs(node_type, outputs),
                         tuple(progress.warnings), tuple(progress.infos))
        except Cancelled:
            self._finish(nid, generation, "cancelled", None, ())
        except NodeError as exc:
            self._finish(nid, generation, "error", str(exc), tuple(progress.warnings))
        except MemoryError:
            log.exception("node %s ran out of memory", context.title)
            self._finish(nid, generation, "error",
                         "Out of memory: try fewer images or a smaller setting",
                         tuple(progress.warnings))
        except Exception as exc:
            log.exception("node %s failed", context.title)
            self._finish(nid, generation, "error", f"{type(exc).__name__}: {exc}",
                         tuple(progress.warnings))

    @staticmethod
    def _check_outputs(node_type: Any, outputs: Any) -> dict[str, Any]:
        if outputs is None:
            return {}
        if not isinstance(outputs, dict):
            raise TypeError(f"run() returned {type(outputs).__name__}, expected a dict")
        known = {o.name: o for o in node_type.outputs}
        clean: dict[str, Any] = {}
        for name, value in outputs.items():
            if name not in known:
                raise KeyError(f"run() returned unknown output {name!r}")
            if value is not None and not isinstance(value, known[name].type):
                raise TypeError(
                    f"output {name!r} is a {type(value).__name__}, "
                    f"expected {known[name].type.__name__}"
                )
            if value is not None:
                clean[name] = value
        return clean

    def _on_progress(
        self, nid: str, generation: int, token: CancelToken, pct: float, msg: str | None
    ) -> None:
        if token.cancelled:
            return
        with self._lock:
            entry = self._entries.get(nid)
            if entry is None or entry.generation != generation:
                return
            self._set_status(nid, replace(
                entry.status, state=NodeState.RUNNING, progress=pct,
                message=msg or entry.status.message,
            ))
        self._flush_notes()

    def _on_partial(self, nid: str, token: CancelToken, outputs: dict[str, Any]) -> None:
        if token.cancelled:
            return
        for cb in list(self._partial_listeners):
            try:
                cb(nid, dict(outputs))
            except Exception:
                log.exception("partial-result listener failed")

    def _finish(
        self, nid: str, generation: int, kind: str, payload: Any, warnings: tuple[str, ...],
        infos: tuple[str, ...] = (),
    ) -> None:
        with self._lock:
            entry = self._entries.get(nid)
            if entry is None or entry.generation != generation:
                return  # node removed, or an older run: nothing to do
            entry.future = None
            entry.token = None
            elapsed = time.monotonic() - entry.started if entry.started else None
            runs = entry.status.runs + 1
            by_user = nid in self._user_cancelled
            self._user_cancelled.discard(nid)
            if kind == "cancelled" and by_user and not entry.dirty:
                changed = bool(entry.outputs)
                entry.outputs = {}
                self._set_status(nid, NodeStatus(NodeState.IDLE, 0.0, "Cancelled", (),
                                                 elapsed, runs))
                if changed:
                    self._note_outputs(nid, {})
            elif entry.dirty or kind == "cancelled":
                # superseded: the node runs again with fresh inputs; drop this result
                entry.dirty = True
                self._set_status(nid, NodeStatus(NodeState.QUEUED, 0.0, "", (), None, runs))
            elif kind == "ok":
                state = NodeState.WARNING if warnings else NodeState.DONE
                message = "; ".join(warnings)
                changed = not _same_outputs(entry.outputs, payload)
                entry.outputs = payload
                self._set_status(nid, NodeStatus(state, 100.0, message, warnings, elapsed, runs,
                                                 infos))
                if changed:
                    self._note_outputs(nid, payload)
            else:  # error: outputs become None, descendants re-run with None
                changed = bool(entry.outputs)
                entry.outputs = {}
                self._set_status(nid, NodeStatus(NodeState.ERROR, 0.0, payload, warnings,
                                                 elapsed, runs))
                if changed:
                    self._note_outputs(nid, {})
        self._pump()
