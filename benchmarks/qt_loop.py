"""The Qt event loop as the GUI benchmarks drive it: one QApplication per process and a
poll that processes events until a condition holds.

Why a module: large_tables.py, plot_latency.py and ui_latency_e2e.py time real views and
each needs exactly this; the scripts run as ``python benchmarks/NAME.py``, so their folder
is on ``sys.path`` and they import it by name.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

__all__ = ["app", "spin_until"]

_APP: list[Any] = []  # keeps the QApplication alive for the whole run


def app() -> Any:
    """The process's QApplication (made on first use)."""
    from PyQt6.QtWidgets import QApplication

    if not _APP:
        _APP.append(QApplication.instance() or QApplication([]))
    return _APP[0]


def spin_until(cond: Callable[[], bool], timeout_s: float, what: str,
               pause: float = 0.005) -> None:
    """Process events until ``cond()`` holds, sleeping ``pause`` s between polls;
    TimeoutError naming ``what`` after ``timeout_s``."""
    deadline = time.perf_counter() + timeout_s
    while not cond():
        app().processEvents()
        if time.perf_counter() > deadline:
            raise TimeoutError(what)
        time.sleep(pause)
