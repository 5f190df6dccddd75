"""Shared by the view tests: real example workflows on the real 48-image texture set.

The embedder's disk cache points at one folder per test session, so SqueezeNet embeds
the images once (a few seconds on CPU) and every later test reads the cache.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QWidget

from petriflow.core.registry import default_registry
from petriflow.core.table import Table

ROOT = Path(__file__).resolve().parents[2]
CLUSTERING = ROOT / "workflows" / "image-clustering.ows"
CLASSIFICATION = ROOT / "workflows" / "image-classification.ows"
#: embedding + the rest of the workflow on 2 CPU cores, cold
RUN_TIMEOUT_MS = 180_000


def open_example(make_window, path: Path):
    """A shown MainWindow with ``path`` opened, running on the real node registry."""
    win = make_window(reg=default_registry())
    assert win.open_file(path, ask=False, offer_recovery=False)
    return win


def node_by_title(win, title: str) -> str:
    return next(n.id for n in win.workflow.nodes if n.title == title)


def wait_settled(qtbot, win, timeout: int = RUN_TIMEOUT_MS) -> None:
    # the window resumes its scheduler on the next event-loop turn after opening
    qtbot.waitUntil(lambda: not win.scheduler.paused and win.scheduler.is_settled(),
                    timeout=timeout)
    qtbot.wait(50)  # queued bridge signals land


def ids(table: Table | None) -> set[int]:
    return set() if table is None else {int(i) for i in np.asarray(table.row_ids)}


def click(widget: QWidget, pos: QPoint, ctrl: bool = False) -> None:
    mods = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, mods, pos)
