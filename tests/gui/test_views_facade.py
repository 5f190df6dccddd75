"""A view sees only its own node (the facade) and runs background work on the node's
task runner, which the scheduler's cancel, the node's removal and closing the view stop.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from PyQt6.QtGui import QUndoStack

from petriflow.core.node import Cancelled, CancelToken
from petriflow.core.registry import default_registry
from petriflow.core.scheduler import Scheduler
from petriflow.core.workflow import Workflow
from petriflow.gui.bridge import SchedulerBridge


def _images(folder: Path, n: int) -> Path:
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(n):
        pixels = rng.integers(0, 255, (40, 40, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(folder / f"img{i:02d}.png")
    return folder


def _viewer_window(make_window, qtbot, tmp_path: Path) -> tuple[Any, str, str]:
    reg = default_registry()
    win = make_window(reg=reg)
    wf = win.workflow
    imp = wf.add_node(reg.get("petriflow.import_images"), position=(0, 0))
    wf.update_settings(imp.id, folder=str(_images(tmp_path / "imgs", 30)))
    viewer = wf.add_node(reg.get("petriflow.image_viewer"), position=(200, 0))
    wf.add_link(imp.id, "Data", viewer.id, "Data")
    qtbot.waitUntil(lambda: win.scheduler.is_settled()
                    and win.scheduler.inputs(viewer.id).get("Data") is not None, timeout=20_000)
    return win, imp.id, viewer.id


def _blocker(started: threading.Event) -> Any:
    """A task that holds a worker until it is cancelled (polls its token), 15 s at most."""

    def fn(token: CancelToken) -> str:
        started.set()
        deadline = time.monotonic() + 15
        while not token.cancelled and time.monotonic() < deadline:
            time.sleep(0.01)
        return "finished"

    return fn


def test_scheduler_cancel_stops_a_views_pending_thumbnails(make_window, qtbot, tmp_path):
    win, _, viewer = _viewer_window(make_window, qtbot, tmp_path)
    view = win.open_node(viewer)
    view.resize(160, 160)
    qtbot.waitExposed(view)
    model = view.model
    model.wait_idle()
    assert not model.pending  # what the small window showed is decoded
    model.pool.setMaxThreadCount(1)
    started = threading.Event()
    results: list[tuple[Any, Any]] = []
    view.node.tasks.run(_blocker(started), lambda r, e: results.append((r, e)))
    assert started.wait(5)  # the runner's only worker is busy from here on
    outcomes: dict[tuple[str, int], Any] = {}
    deliver = model._decoded

    def spy(key: tuple[str, int], image: Any, error: BaseException | None) -> None:
        outcomes.setdefault(key, error)  # the first outcome of each decode asked for
        deliver(key, image, error)

    model._decoded = spy
    view.resize(600, 400)  # more thumbnails on screen: decodes queued behind the blocker
    qtbot.waitUntil(lambda: bool(model.pending), timeout=5_000)
    queued = set(model.pending)

    assert win.scheduler.cancel(viewer) is False  # the node itself is not running...
    qtbot.waitUntil(lambda: bool(results) and queued <= set(outcomes), timeout=20_000)
    assert isinstance(results[0][1], Cancelled)  # ...but its view's tasks stop:
    assert all(isinstance(outcomes[k], Cancelled) for k in queued)  # no queued decode ran

    model.pool.setMaxThreadCount(2)  # later work runs as before
    view.list.viewport().update()
    qtbot.waitUntil(lambda: bool(model.cache) and not model.pending, timeout=20_000)
    assert any(v is not None for v in model.cache.values())


def test_removing_the_node_or_closing_the_view_cancels_its_tasks(make_window, qtbot,
                                                                 tmp_path):
    win, _, viewer = _viewer_window(make_window, qtbot, tmp_path)
    view = win.open_node(viewer)
    started = threading.Event()
    errors: list[Any] = []
    token = view.node.tasks.run(_blocker(started), lambda r, e: errors.append(e))
    assert started.wait(5)
    view.close()
    assert token.cancelled
    qtbot.waitUntil(lambda: bool(errors), timeout=5_000)
    assert isinstance(errors[0], Cancelled)

    view = win.open_node(viewer)
    started.clear()
    token = view.node.tasks.run(_blocker(started), lambda r, e: None)
    assert started.wait(5)
    win.workflow.remove_node(viewer)
    assert token.cancelled


def test_a_view_sees_only_its_own_node(make_window, qtbot, tmp_path):
    win, imp, viewer = _viewer_window(make_window, qtbot, tmp_path)
    view = win.open_node(viewer)
    hidden = (Workflow, Scheduler, SchedulerBridge, QUndoStack)
    for obj in (view, view.node):
        for name, value in vars(obj).items():
            if not name.startswith("_"):
                assert not isinstance(value, hidden), f"{type(obj).__name__}.{name}"
    assert not hasattr(view, "ctx")

    events: list[str] = []
    view.node.settings_changed.connect(lambda: events.append("settings"))
    view.node.data_changed.connect(lambda: events.append("data"))
    view.node.status_changed.connect(lambda s: events.append("status"))
    win.workflow.update_settings(imp, folder=str(_images(tmp_path / "more", 3)))
    qtbot.waitUntil(lambda: win.scheduler.is_settled() and "data" in events, timeout=20_000)
    assert "settings" not in events  # another node's edit is not this view's business
    assert len(view.node.inputs()["Data"]) == 3  # its own inputs followed the change

    steps = win.undo_stack.count()
    assert view.node.set_settings(thumbnail_size=140)  # an undoable write of its own node
    assert events[-1] == "settings"
    assert win.undo_stack.count() == steps + 1
    assert not view.node.set_settings(thumbnail_size=140)  # no change: no undo step
    win.undo_stack.undo()
    assert view.node.settings.thumbnail_size == 100
    assert view.node.title == win.workflow.node(viewer).title
