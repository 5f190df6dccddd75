"""The Image Embedder view's weights row, driven with pytest-qt against a loopback HTTP
server: a node whose weights are missing says so on its badge, the view offers the
download, asks once per model, shows progress, can stop (the .part stays) and resume,
and the node then runs with the placed file. Nothing reaches the network, and nothing
about weights is written into the workflow file."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from petriflow.analysis.embedding.backbones import EMBEDDERS
from petriflow.core.scheduler import NodeState
from petriflow.gui.views import model_weights
from tests.embedding.weights_server import (
    TINY_ID,
    tiny_file_bytes,
    tiny_spec,
    weights_server,
)

OFFICIAL = "tiny-net-5678abcd.pt"


@pytest.fixture
def tiny(tmp_path, monkeypatch):
    """A private weights folder, no proxy, and the tiny model served on 127.0.0.1."""
    monkeypatch.setenv("PETRIFLOW_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY",
                "PETRIFLOW_WEIGHTS_MIRROR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(model_weights, "_STATUS", {})
    monkeypatch.setattr(model_weights, "_CONSENTED", set())
    with weights_server() as served:
        data = tiny_file_bytes()
        served.files[OFFICIAL] = data
        monkeypatch.setitem(EMBEDDERS, TINY_ID, tiny_spec(f"{served.base}/{OFFICIAL}", data))
        yield served, data, tmp_path / "weights"


def _images(folder) -> None:
    folder.mkdir()
    rng = np.random.default_rng(0)
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8)).save(
            folder / f"i{i}.png")


def test_missing_weights_badge_download_progress_and_run(make_window, qtbot, tmp_path,
                                                         tiny) -> None:
    from petriflow.core.registry import default_registry

    served, data, wdir = tiny
    served.slow[OFFICIAL] = 0.003  # a few hundred ms: progress is seen, Stop can act
    _images(tmp_path / "imgs")
    win = make_window(reg=default_registry())
    imp = win.add_node("petriflow.import_images")
    emb = win.add_node("petriflow.image_embedder")
    win.workflow.update_settings(emb, model=TINY_ID, use_cache=False)
    win.workflow.add_link(imp, "Data", emb, "Images")
    win.workflow.update_settings(imp, folder=str(tmp_path / "imgs"))
    # the badge: the node fails with one line that says what to do
    qtbot.waitUntil(lambda: win.scheduler.status(emb).state is NodeState.ERROR,
                    timeout=30_000)
    message = win.scheduler.status(emb).message
    assert message.startswith("Weights missing: Tiny test net") and "Open this node" in message

    view = win.open_node(emb)
    qtbot.waitExposed(view)
    panel = view.weights
    qtbot.waitUntil(view.is_ready, timeout=30_000)
    assert "missing" in panel.status_label.text() and "loopback" in panel.status_label.text()
    assert "weights missing" in view.model_info.text()
    assert panel.download_button.isVisible() and panel.download_button.isEnabled()

    asked: list[str] = []
    answers = [False, True]
    panel.confirm_download = lambda text: (asked.append(text), answers.pop(0))[1]
    # declined: nothing fetched
    QTest.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and "MB" in asked[0] and "test licence" in asked[0]
    assert served.requests == [] and not panel.downloading

    # accepted: progress with size and speed, then stopped midway
    QTest.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 2 and panel.downloading and panel.cancel_button.isVisible()
    qtbot.waitUntil(lambda: "MB/s" in panel.progress_label.text(), timeout=10_000)
    assert " of " in panel.progress_label.text()
    QTest.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.downloading, timeout=10_000)
    assert "stopped" in panel.note_label.text()
    assert sorted(p.name for p in wdir.iterdir()) == [f"{OFFICIAL}.part"]
    have = (wdir / f"{OFFICIAL}.part").stat().st_size
    assert 0 < have < len(data)

    # again: no second question for this model, the download resumes, the node runs
    served.slow.pop(OFFICIAL)
    qtbot.waitUntil(panel.download_button.isEnabled, timeout=10_000)
    QTest.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 2
    qtbot.waitUntil(lambda: not panel.downloading, timeout=10_000)
    assert served.requests[-1][1] == f"bytes={have}-"
    assert (wdir / OFFICIAL).read_bytes() == data
    assert sorted(p.name for p in wdir.iterdir()) == [OFFICIAL]
    qtbot.waitUntil(lambda: win.scheduler.status(emb).state is NodeState.DONE,
                    timeout=30_000)
    out = win.scheduler.outputs(emb)["Embeddings"]
    assert out.X.shape == (3, 4)
    qtbot.waitUntil(view.is_ready, timeout=30_000)
    assert "verified" in panel.status_label.text()
    assert "available offline" in view.model_info.text()
    assert not panel.download_button.isEnabled()  # nothing left to fetch

    # the workflow file names the model, never the weights
    from petriflow.core.ows import save_workflow

    path = tmp_path / "wf.ows"
    save_workflow(win.workflow, path)
    text = path.read_text(encoding="utf-8")
    assert TINY_ID in text and OFFICIAL not in text and str(wdir) not in text


def test_use_a_file_refuses_other_architecture_and_takes_a_custom_file(
        make_window, qtbot, tmp_path, tiny) -> None:
    from petriflow.core.registry import default_registry

    win = make_window(reg=default_registry())
    emb = win.add_node("petriflow.image_embedder")
    win.workflow.update_settings(emb, model=TINY_ID)
    view = win.open_node(emb)
    qtbot.waitExposed(view)
    panel = view.weights
    qtbot.waitUntil(view.is_ready, timeout=30_000)
    other = tmp_path / "other.pt"
    other.write_bytes(tiny_file_bytes(channels=6))
    mine = tmp_path / "mine.pt"
    mine.write_bytes(tiny_file_bytes(seed=9))
    files = [str(other), str(mine)]
    panel.choose_file = lambda: files.pop(0)
    QTest.mouseClick(panel.file_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.is_ready, timeout=30_000)
    assert "does not fit this model" in panel.note_label.text()
    assert "missing" in panel.status_label.text()
    QTest.mouseClick(panel.file_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(view.is_ready, timeout=30_000)
    assert "custom file" in panel.status_label.text()
    assert "custom" in view.model_info.text()

    # a model without an official checksum is never downloaded: the button says why
    win.workflow.update_settings(emb, model="dino-vits16")
    qtbot.waitUntil(lambda: panel.spec is not None and panel.spec.id == "dino-vits16"
                    and view.is_ready() and panel.status() is not None, timeout=30_000)
    assert "no official checksum" in panel.status_label.text()
    assert panel.download_button.isVisible() and not panel.download_button.isEnabled()
    assert "Use a file" in panel.download_button.toolTip()


def test_download_errors_are_one_line_in_the_view_and_nothing_is_placed(
        make_window, qtbot, tmp_path, tiny) -> None:
    """A 404 and then a web page instead of the file: each a one-line note under the
    weights row (no traceback), the weights folder left empty, Download… usable again."""
    from petriflow.core.registry import default_registry

    served, _data, wdir = tiny
    served.files.pop(OFFICIAL)
    win = make_window(reg=default_registry())
    emb = win.add_node("petriflow.image_embedder")
    win.workflow.update_settings(emb, model=TINY_ID)
    view = win.open_node(emb)
    qtbot.waitExposed(view)
    panel = view.weights
    qtbot.waitUntil(view.is_ready, timeout=30_000)
    panel.confirm_download = lambda text: True
    QTest.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.downloading and panel.note_label.text() != "",
                    timeout=10_000)
    note = panel.note_label.text()
    assert "answered 404" in note and "\n" not in note and "Traceback" not in note
    assert panel.note_label.isVisible()
    # the window grows to show the whole note and status (never clipped)
    for label in (panel.note_label, panel.status_label):
        qtbot.waitUntil(lambda label=label: label.height() >= label.heightForWidth(
            label.width()), timeout=5_000)
    assert not wdir.exists() or list(wdir.iterdir()) == []

    served.html.add(OFFICIAL)
    qtbot.waitUntil(lambda: view.is_ready() and panel.download_button.isEnabled(),
                    timeout=10_000)
    QTest.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.downloading and "web page" in panel.note_label.text(),
                    timeout=10_000)
    assert "\n" not in panel.note_label.text()
    assert list(wdir.iterdir()) == []
    qtbot.waitUntil(lambda: view.is_ready() and panel.download_button.isEnabled(),
                    timeout=10_000)
    assert "missing" in panel.status_label.text()
