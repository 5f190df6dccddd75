"""Opening an Orange workflow that names Inception v3 leads straight to its download
(issue 15.1): the "Opened from Orange" panel offers "Get Inception v3 weights…" while
the weights are missing; the button opens the Image Embedder's view and starts the
download there (consent asked, checksum checked). Served on 127.0.0.1 by a stand-in
registered under the id ``inception-v3``; nothing reaches the network."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import dataclasses

import pytest
from PyQt6.QtCore import QSettings, Qt
from PyQt6.QtTest import QTest

from petriflow.analysis.embedding.backbones import EMBEDDERS
from petriflow.core.registry import default_registry
from petriflow.gui.mainwindow import MainWindow
from petriflow.gui.orange_import_dock import OBJECT_NAME, OrangeReportDock
from petriflow.gui.views import model_weights
from tests.embedding.weights_server import tiny_file_bytes, tiny_spec, weights_server

from .test_orange_open import _ows

EMBEDDING = "orangecontrib.imageanalytics.widgets.owimageembedding.OWImageEmbedding"
OFFICIAL = "tiny-net-5678abcd.pt"


@pytest.fixture
def served(tmp_path, monkeypatch):
    """Private weights folders and preferences; 'inception-v3' served on loopback."""
    monkeypatch.setenv("PETRIFLOW_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("PETRIFLOW_CACHE_DIR", str(tmp_path / "cache"))
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY",
                "PETRIFLOW_WEIGHTS_MIRROR"):
        monkeypatch.delenv(var, raising=False)
    prefs = tmp_path / "prefs.ini"
    monkeypatch.setattr(model_weights, "app_settings",
                        lambda: QSettings(str(prefs), QSettings.Format.IniFormat))
    monkeypatch.setattr(model_weights, "_STATUS", {})
    monkeypatch.setattr(model_weights, "_CONSENTED", set())
    with weights_server() as server:
        data = tiny_file_bytes()
        server.files[OFFICIAL] = data
        spec = tiny_spec(f"{server.base}/{OFFICIAL}", data)
        monkeypatch.setitem(EMBEDDERS, "inception-v3", dataclasses.replace(
            spec, id="inception-v3", display_name="Inception v3"))
        yield server, data, tmp_path / "weights"


@pytest.fixture
def window(qtbot, tmp_path):
    win = MainWindow(registry=default_registry(), data_dir=tmp_path / "data")
    win.ask_save_changes = lambda: "discard"
    win.ask_recover = lambda recovery: False
    win.show_error = lambda title, text: win.statusBar().showMessage(text)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.pause_action.setChecked(True)  # open without running anything
    win.toggle_pause()
    yield win
    win.close()


def _orange_file(tmp_path, name: str, *indices: int):
    path = tmp_path / name
    path.write_text(_ows([(str(i), EMBEDDING, "literal", f"{{'cb_embedder_current_id': {x}}}")
                          for i, x in enumerate(indices)]))
    return path


def _offers(window) -> list[str]:
    dock = window.findChild(OrangeReportDock, OBJECT_NAME)
    assert dock is not None and dock.isVisible()
    return [b.text() for b in dock.weights_buttons]


def test_inception_workflow_offers_the_download_and_the_button_starts_it(
        window, qtbot, tmp_path, served, monkeypatch) -> None:
    server, data, wdir = served
    asked: list[str] = []
    monkeypatch.setattr(model_weights.ModelWeightsPanel, "confirm_download",
                        lambda self, text: (asked.append(text), True)[1])
    # two embedders naming Inception v3: one offer
    assert window.open_file(_orange_file(tmp_path, "inc.ows", 0, 0), ask=False)
    assert _offers(window) == ["Get Inception v3 weights…"]
    assert server.requests == []  # nothing fetched before the user asks

    dock = window.findChild(OrangeReportDock, OBJECT_NAME)
    QTest.mouseClick(dock.weights_buttons[0], Qt.MouseButton.LeftButton)
    view = window.live_view("0")
    assert view is not None and view.isVisible()
    assert len(asked) == 1 and "Inception v3" in asked[0]  # the view asked first
    qtbot.waitUntil(lambda: (wdir / OFFICIAL).is_file() and not view.weights.downloading,
                    timeout=20_000)
    assert (wdir / OFFICIAL).read_bytes() == data
    assert [p for p, _ in server.requests] == [f"/{OFFICIAL}"]

    # the weights are here now: opening the file again offers nothing
    assert window.open_file(_orange_file(tmp_path, "again.ows", 0), ask=False)
    assert _offers(window) == []


def test_squeezenet_workflow_offers_nothing(window, tmp_path, served) -> None:
    assert window.open_file(_orange_file(tmp_path, "sq.ows", 1), ask=False)
    assert _offers(window) == []
