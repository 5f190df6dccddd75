"""One log file for tracebacks, the same for the canvas and the command line.

Why: a user should see a sentence ("Distances: the input has no numeric columns"), never
a traceback in a modal dialog; but a developer answering a bug report needs the full
traceback. Every module logs through :mod:`logging` (the scheduler calls
``log.exception`` when a node raises something other than ``NodeError``); this module
sends those records to a rotating file in the platform's user log folder
(``platformdirs.user_log_dir``; ``PETRIFLOW_LOG_DIR`` overrides, e.g. for tests), and
catches exceptions nobody caught (GUI slots, worker threads) so that they are logged
instead of aborting the application.

Nothing here may make the application fail: an unwritable log folder means no log
file, and :func:`log_file` says so by returning None.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

__all__ = [
    "default_log_dir",
    "errors_logged",
    "install_excepthooks",
    "log_file",
    "setup_logging",
    "shutdown_logging",
]

LOG_NAME = "petriflow.log"
MAX_BYTES = 1_000_000  # per file; with BACKUPS older files, at most ~4 MB in all
BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s [%(process)d %(threadName)s] %(name)s: %(message)s"

_lock = threading.Lock()
_handler: logging.Handler | None = None
_path: Path | None = None
_errors = 0  # ERROR records written (so a caller can tell whether to point at the file)


def _count_errors(record: logging.LogRecord) -> bool:
    global _errors
    if record.levelno >= logging.ERROR:
        _errors += 1
    return True


def default_log_dir() -> Path:
    """The user log folder (``PETRIFLOW_LOG_DIR`` overrides)."""
    env = os.environ.get("PETRIFLOW_LOG_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_log_dir("petriflow", appauthor=False))


def setup_logging(
    directory: str | os.PathLike[str] | None = None, *, level: int = logging.INFO
) -> Path | None:
    """Send log records (Petriflow's at ``level``, others' warnings) to the rotating
    log file; idempotent. Returns the file, or None when it cannot be written."""
    global _handler, _path
    with _lock:
        folder = Path(directory) if directory is not None else default_log_dir()
        target = folder / LOG_NAME
        if _handler is not None and _path == target:
            return _path
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handler: logging.Handler = logging.handlers.RotatingFileHandler(
                target, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8",
                errors="backslashreplace", delay=True)
            # check now that the file can be written (delay=True opens it lazily)
            with open(target, "a", encoding="utf-8"):
                pass
        except OSError:
            return None
        handler.setFormatter(logging.Formatter(_FORMAT))
        handler.addFilter(_count_errors)
        handler.setLevel(logging.DEBUG)
        root = logging.getLogger()
        if _handler is not None:
            root.removeHandler(_handler)
            _handler.close()
        root.addHandler(handler)
        if root.level > logging.WARNING or root.level == logging.NOTSET:
            root.setLevel(logging.WARNING)
        logging.getLogger("petriflow").setLevel(level)
        logging.captureWarnings(True)
        _handler, _path = handler, target
        return target


def errors_logged() -> int:
    """How many ERROR records (tracebacks of failed nodes, uncaught exceptions) went to
    the log file in this process."""
    return _errors


def log_file() -> Path | None:
    """The log file in use, or None before :func:`setup_logging` (or when it failed)."""
    return _path


def install_excepthooks(notify: Callable[[str], None] | None = None) -> None:
    """Log uncaught exceptions (main thread and worker threads) with their traceback.

    ``notify(message)`` is then called with one human sentence (the GUI shows it in the
    status bar). Why: PyQt6 aborts the whole application on an exception that escapes
    a slot when ``sys.excepthook`` is Python's default; a user's unsaved work would go
    with it.
    """
    log = logging.getLogger("petriflow.uncaught")

    def report(exc_type: type[BaseException], exc: BaseException,
               tb: TracebackType | None, where: str) -> None:
        log.error("uncaught exception in %s", where, exc_info=(exc_type, exc, tb))
        if notify is not None:
            where_log = f"; details in {_path}" if _path is not None else ""
            try:
                notify(f"Internal error: {exc_type.__name__}: {exc}{where_log}")
            except Exception:  # the notifier must never raise from the hook
                log.exception("error notifier failed")

    def hook(exc_type: type[BaseException], exc: BaseException,
             tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        report(exc_type, exc, tb, "the main thread")

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "a thread"
        report(args.exc_type, args.exc_value, args.exc_traceback, name)

    sys.excepthook = hook
    threading.excepthook = thread_hook


def shutdown_logging() -> None:
    """Detach and close the log file handler (tests; the next setup starts afresh)."""
    global _handler, _path
    with _lock:
        if _handler is not None:
            logging.getLogger().removeHandler(_handler)
            _handler.close()
        _handler, _path = None, None
