"""Fixtures for canvas tests: the real MainWindow on toy nodes, offscreen.

QT_QPA_PLATFORM is set before anything imports Qt so the tests run without a display.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from dataclasses import dataclass
from pathlib import Path

import pytest
from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtTest import QTest

from petriflow.core.node import Input, Node, Output, RunOptions
from petriflow.core.registry import NodeRegistry
from petriflow.gui.mainwindow import MainWindow
from petriflow.nodes.distances import Distances
from petriflow.nodes.import_images import ImportImages
from tests.core import toy_nodes as toy


@dataclass
class PairSettings:
    offset: int = 0


class Pair(Node):
    """Two int inputs: linking Source to it is ambiguous (the dialog case)."""

    qualified_name = "tests.pair"
    name = "Pair"
    category = "Data"
    inputs = (Input("Left", int), Input("Right", int, required=False))
    outputs = (Output("Number", int),)
    Settings = PairSettings

    def run(self, inputs, progress, cancel):
        return {"Number": inputs["Left"] + (inputs["Right"] or 0) + self.settings.offset}


def gui_registry() -> NodeRegistry:
    reg = toy.full_registry()
    for cls in (Pair, Distances, ImportImages):
        reg.register(cls)
    return reg


@pytest.fixture
def registry() -> NodeRegistry:
    return gui_registry()


@pytest.fixture
def make_window(request, qtbot, tmp_path: Path, registry: NodeRegistry):
    """Factory: a shown MainWindow with an injected data dir (autosave, recent files).

    With the ``app_embedding`` fixture the window embeds in the worker process, as the
    ``petriflow`` app's window does (gui/app.py); otherwise in the test's process."""
    windows: list[MainWindow] = []
    embedding = "worker_process" if "app_embedding" in request.fixturenames else "in_process"

    def make(data_dir: Path | None = None, reg: NodeRegistry | None = None) -> MainWindow:
        win = MainWindow(registry=reg or registry, data_dir=data_dir or tmp_path / "data",
                         run_options=RunOptions(embedding=embedding))
        # never block on a modal question (pytest-qt closes the windows at teardown)
        win.ask_save_changes = lambda: "discard"
        win.ask_recover = lambda recovery: False
        win.show_error = lambda title, text: win.statusBar().showMessage(text)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitExposed(win)
        windows.append(win)
        return win

    yield make
    for win in windows:
        win.close()


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window()


def vp(window: MainWindow, scene_pos: QPointF) -> QPoint:
    """Viewport pixel for a scene point."""
    return window.view.mapFromScene(scene_pos)


def drag(window: MainWindow, start: QPointF, end: QPointF, steps: int = 5) -> None:
    """A real mouse drag on the canvas viewport, from one scene point to another."""
    viewport = window.view.viewport()
    a, b = vp(window, start), vp(window, end)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, steps + 1):
        p = a + (b - a) * (i / steps)
        QTest.mouseMove(viewport, p)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


@pytest.fixture(scope="session", autouse=True)
def _embedding_cache(tmp_path_factory):
    """One private embedding cache for the whole run: the texture set is embedded once,
    and the user's own cache is never touched by tests."""
    mp = pytest.MonkeyPatch()
    mp.setenv("PETRIFLOW_CACHE_DIR", str(tmp_path_factory.mktemp("embedding-cache")))
    yield
    mp.undo()


@pytest.fixture
def app_embedding():
    """Embed in the worker process, as ``petriflow`` (gui/app.py) does: windows made by
    ``make_window`` in a test that asks for this fixture get that option."""
    from petriflow.analysis.embedding import isolation

    yield isolation
    isolation.shutdown()
