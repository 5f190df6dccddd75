"""Run embeddings in a worker process, so the desktop app never loads torch itself.

Why: importing torch and building a network hold the GIL for a few hundred
milliseconds in C code (measured: the GUI thread stalled 200–340 ms on the first
embedding of a process, ``benchmarks/ui_latency_e2e.py``). In a separate process that
time is spent on another core and the event loop never notices. It also isolates the
app from crashes in native decoders or torch: the worker may die, the canvas does not,
and what was embedded before the crash is already in the cache.

Who embeds here is chosen by the caller, not by a flag of this module: the desktop app
runs its scheduler with ``RunOptions(embedding="worker_process")`` and Image Embedder
then calls :func:`run_embedding`; the headless runner and the CLI embed in-process.
One persistent worker serves all requests, one at a time (a second request waits); it
keeps loaded networks between runs, like the in-process path. Nothing here imports Qt
or torch.

Why the worker is not a daemon process: a daemonic process may not start children, so
the GPU schedule's decoding in processes (``decode_procs``: 1.8× the Inception v3
throughput on an H200) was out of reach from the app. Instead of the daemon flag's
kill-at-exit, :func:`shutdown` stops it (registered with ``atexit`` after
multiprocessing's own exit handler, which would otherwise wait for it forever): it asks
a running request to cancel, asks the worker to stop, and after ``timeout`` kills the
worker's process group — the worker leads one, so decode processes go with it. A worker
whose parent died sees its pipe close and exits.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import multiprocessing as mp
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from petriflow.analysis.embedding.backbones import EmbedderError, EmbedderSpec
from petriflow.analysis.embedding.pipeline import (
    EmbeddingCancelled,
    EmbeddingResult,
    EmbedProgress,
    embed_paths,
)

__all__ = ["WorkerCrashed", "run_embedding", "shutdown", "worker_pid"]

#: Environment variables a request carries to the worker (the worker is started once,
#: but tests and users may point the cache or weights folders elsewhere later).
_ENV_PREFIXES = ("PETRIFLOW_", "TORCH_HOME")
#: How long a cancelled request may take to stop before the worker is killed.
CANCEL_GRACE_S = 30.0
#: How much the worker yields the CPU to the app (Unix nice increment).
NICE = 10
_POLL_S = 0.05


class WorkerCrashed(EmbedderError):
    """The worker process died (e.g. a native crash); the next request starts a new one."""


_request_lock = threading.Lock()
_worker_lock = threading.Lock()
_worker: _Worker | None = None


def worker_pid() -> int | None:
    """The worker's process id, or None when no worker is running."""
    w = _worker
    return w.process.pid if w is not None and w.process.is_alive() else None


def run_embedding(
    paths: Sequence[str | os.PathLike[str]],
    model: str | EmbedderSpec,
    *,
    progress: Callable[[EmbedProgress], Any] | None = None,
    cancel: Callable[[], Any] | None = None,
    **options: Any,
) -> EmbeddingResult:
    """:func:`~petriflow.analysis.embedding.embed_paths`, in the worker process.

    Options are those of ``embed_paths``. Only plain values cross the process boundary,
    so an :class:`EmbeddingCache` object (rather than True/False) or an unregistered
    spec embeds in this process.
    """
    model_id = model.id if isinstance(model, EmbedderSpec) else model
    plain = isinstance(options.get("cache", True), bool | None)
    if not plain or not _registered(model, model_id):
        return embed_paths(paths, model, progress=progress, cancel=cancel, **options)
    with _request_lock:
        return _request([os.fspath(p) for p in paths], model_id, options, progress, cancel)


def shutdown(timeout: float = 1.0) -> None:
    """Stop the worker (at exit, or to free its memory); killed after ``timeout`` s:
    it holds nothing that needs a clean exit (cache writes are transactions)."""
    global _worker
    with _worker_lock:
        w, _worker = _worker, None
    if w is not None:
        w.stop(timeout)


# ------------------------------------------------------------------------------ parent
def _registered(model: str | EmbedderSpec, model_id: str) -> bool:
    from petriflow.analysis.embedding.backbones import get_embedder

    try:
        return not isinstance(model, EmbedderSpec) or get_embedder(model_id) == model
    except EmbedderError:
        return False


class _Worker:
    def __init__(self) -> None:
        ctx = mp.get_context("spawn")  # never fork a process that runs Qt and threads
        self.cancel_event = ctx.Event()
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(
            target=_serve, args=(child, self.cancel_event), name="petriflow-embedder",
            daemon=False,  # it may start decode processes; shutdown() stops it (see above)
        )
        self.process.start()
        child.close()
        # atexit runs handlers last-in first-out: re-registering after the start puts
        # shutdown before multiprocessing's exit handler (imported by the start), which
        # joins non-daemonic children and would wait for this one forever
        atexit.unregister(shutdown)
        atexit.register(shutdown)

    def stop(self, timeout: float) -> None:
        self.cancel_event.set()  # a running request stops at its next image
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(("stop",))
        self.process.join(timeout)
        if self.process.is_alive():
            self.kill()
            self.process.join(timeout)
        self.conn.close()

    def kill(self) -> None:
        """SIGKILL the worker and, when it leads its process group (it makes one at
        start), its decode processes with it."""
        pid = self.process.pid
        if pid is None:
            return
        try:
            if hasattr(os, "killpg") and os.getpgid(pid) == pid:
                os.killpg(pid, signal.SIGKILL)
                return
        except OSError:  # gone already, or no such group
            pass
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self.process.kill()


def _get_worker() -> _Worker:
    global _worker
    with _worker_lock:
        if _worker is None or not _worker.process.is_alive():
            _worker = _Worker()
        return _worker


def _discard(w: _Worker) -> None:
    global _worker
    with _worker_lock:
        if _worker is w:
            _worker = None
    if w.process.is_alive():
        w.kill()
    w.process.join(5)
    w.conn.close()


def _crash_message(w: _Worker) -> str:
    w.process.join(1)
    code = w.process.exitcode
    if code is not None and code < 0:
        try:
            how = f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            how = f"was killed by signal {-code}"
    else:
        how = f"stopped (exit code {code})"
    return (
        f"The embedding worker process {how}. Images embedded before that are in the "
        "cache; run the node again to go on from there."
    )


def _request(
    paths: list[str],
    model_id: str,
    options: dict[str, Any],
    progress: Callable[[EmbedProgress], Any] | None,
    cancel: Callable[[], Any] | None,
) -> EmbeddingResult:
    w = _get_worker()
    w.cancel_event.clear()
    env = {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES)}
    try:
        w.conn.send(("embed", paths, model_id, options, env))
    except OSError:
        _discard(w)
        raise WorkerCrashed(_crash_message(w)) from None
    interrupt: BaseException | None = None  # what cancel() raised, re-raised at the end
    deadline: float | None = None
    while True:
        if interrupt is None and deadline is None and cancel is not None:
            try:
                stop = cancel()
            except BaseException as exc:  # CancelToken.check raises the node's Cancelled
                interrupt, stop = exc, True
            if stop:
                w.cancel_event.set()
                deadline = time.monotonic() + CANCEL_GRACE_S
        if deadline is not None and time.monotonic() > deadline:
            _discard(w)  # it did not stop in time: a fresh worker serves the next run
            raise interrupt or EmbeddingCancelled()
        try:
            if not w.conn.poll(_POLL_S):
                if not w.process.is_alive():
                    raise EOFError
                continue
            kind, *payload = w.conn.recv()
        except (EOFError, OSError):
            _discard(w)
            if interrupt is not None:
                raise interrupt from None
            raise WorkerCrashed(_crash_message(w)) from None
        if kind == "progress":
            if progress is not None and deadline is None:
                progress(payload[0])
        elif kind == "done":
            if interrupt is not None:
                raise interrupt
            return payload[0]
        elif kind == "cancelled":
            raise interrupt or EmbeddingCancelled()
        elif kind == "error":
            if interrupt is not None:
                raise interrupt
            raise _rebuild_error(*payload)


def _rebuild_error(module: str, qualname: str, message: str) -> BaseException:
    """The worker's exception as the same class when it is one of ours, so callers
    handle :class:`EmbedderError` and friends exactly as in-process."""
    if module.startswith("petriflow."):
        try:
            cls = importlib.import_module(module)
            for part in qualname.split("."):
                cls = getattr(cls, part)
            if isinstance(cls, type) and issubclass(cls, Exception):
                return cls(message)
        except Exception:  # fall through to a generic error
            pass
    return EmbedderError(f"{qualname}: {message}" if message else qualname)


# ------------------------------------------------------------------------------- worker
def _serve(conn: Any, cancel_event: Any) -> None:
    """The worker's loop: one request at a time until "stop" or the parent goes away."""
    send_lock = threading.Lock()  # progress may be reported from pipeline threads
    # its own process group, so that a forced stop also takes its decode processes
    with contextlib.suppress(AttributeError, OSError):
        os.setpgid(0, 0)
    # background work: when cores are short, the app's event loop goes first (a niced
    # process still gets every idle cycle, so an otherwise idle machine loses nothing)
    with contextlib.suppress(AttributeError, OSError):
        os.nice(NICE)

    def send(message: tuple[Any, ...]) -> None:
        with send_lock:
            conn.send(message)

    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message[0] != "embed":
            return
        _, paths, model_id, options, env = message
        for key in [k for k in os.environ if k.startswith(_ENV_PREFIXES)]:
            if key not in env:
                del os.environ[key]
        os.environ.update(env)
        try:
            result = embed_paths(
                paths, model_id,
                progress=lambda p: send(("progress", p)),
                cancel=cancel_event.is_set,
                **options,
            )
        except EmbeddingCancelled:
            send(("cancelled",))
        except Exception as exc:
            send(("error", type(exc).__module__, type(exc).__qualname__, str(exc)))
        else:
            send(("done", result))


atexit.register(shutdown)
