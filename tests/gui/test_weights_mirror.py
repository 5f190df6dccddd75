"""The weights mirror as an app preference (issue 15.1): set in the Image Embedder view's
weights row ("Mirror…"), stored in the user's QSettings, used for the download (over
``PETRIFLOW_WEIGHTS_MIRROR``), with the official checksum enforced all the same. Against
a loopback HTTP server; nothing reaches the network."""

from __future__ import annotations

import pytest
from PyQt6.QtCore import QSettings, Qt
from PyQt6.QtTest import QTest

from petriflow.analysis.embedding.backbones import EMBEDDERS
from petriflow.analysis.embedding.backbones.download import MIRROR_ENV, source_url
from petriflow.gui.views import model_weights
from tests.embedding.weights_server import (
    TINY_ID,
    tiny_file_bytes,
    tiny_spec,
    weights_server,
)

OFFICIAL = "tiny-net-5678abcd.pt"


@pytest.fixture
def prefs(tmp_path, monkeypatch):
    """Private preferences (an ini file), a private weights folder, no proxy."""
    path = tmp_path / "prefs.ini"
    monkeypatch.setattr(model_weights, "app_settings",
                        lambda: QSettings(str(path), QSettings.Format.IniFormat))
    monkeypatch.setenv("PETRIFLOW_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", MIRROR_ENV):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(model_weights, "_STATUS", {})
    monkeypatch.setattr(model_weights, "_CONSENTED", set())
    return path



def download_through_mirror(qtbot, panel, served, folder, name: str, data: bytes) -> None:
    """A real click on Download… with consent given: the consent names the mirror's URL
    (under ``/inst``), the file is fetched from the mirror only and placed in ``folder``."""
    asked: list[str] = []
    panel.confirm_download = lambda text: (asked.append(text), True)[1]
    qtbot.waitUntil(panel.download_button.isEnabled, timeout=10_000)
    QTest.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
    assert f"{served.base}/inst/{name}" in asked[0]
    qtbot.waitUntil(lambda: not panel.downloading, timeout=10_000)
    assert [path for path, _ in served.requests] == [f"/inst/{name}"]
    assert (folder / name).read_bytes() == data

def test_preference_wins_over_the_environment_and_is_refused_when_not_a_url(prefs,
                                                                              monkeypatch):
    spec = tiny_spec("https://example.org/models/" + OFFICIAL, b"x")
    off = spec.official
    assert source_url(off) == "https://example.org/models/" + OFFICIAL
    monkeypatch.setenv(MIRROR_ENV, "http://env-mirror/w/")
    assert source_url(off) == "http://env-mirror/w/" + OFFICIAL
    model_weights.set_mirror_setting("https://inst.example/weights/ ")
    assert model_weights.mirror_setting() == "https://inst.example/weights"
    assert source_url(off, model_weights.mirror_setting()) == (
        "https://inst.example/weights/" + OFFICIAL)
    with pytest.raises(ValueError, match="http:// or https://"):
        model_weights.set_mirror_setting("/mnt/share/weights")
    assert model_weights.mirror_setting() == "https://inst.example/weights"  # kept
    model_weights.set_mirror_setting("")
    assert model_weights.mirror_setting() == ""
    assert source_url(off, model_weights.mirror_setting()) == "http://env-mirror/w/" + OFFICIAL
    assert prefs.is_file()  # stored in the preferences file, nowhere else


def test_mirror_button_sets_the_source_of_the_download(make_window, qtbot, tmp_path, prefs,
                                                       monkeypatch) -> None:
    from petriflow.core.registry import default_registry

    with weights_server() as served:
        data = tiny_file_bytes()
        served.files[OFFICIAL] = data
        # the "public" URL and the environment's mirror are never asked: the preference is
        monkeypatch.setitem(EMBEDDERS, TINY_ID,
                            tiny_spec(f"{served.base}/public/{OFFICIAL}", data))
        monkeypatch.setenv(MIRROR_ENV, f"{served.base}/env-mirror")
        win = make_window(reg=default_registry())
        emb = win.add_node("petriflow.image_embedder")
        win.workflow.update_settings(emb, model=TINY_ID, use_cache=False)
        view = win.open_node(emb)
        qtbot.waitExposed(view)
        panel = view.weights
        qtbot.waitUntil(view.is_ready, timeout=30_000)
        assert panel.mirror_button.isVisible()

        # not a URL: refused in the note, nothing stored
        panel.ask_mirror = lambda current: "//fileserver/weights"
        QTest.mouseClick(panel.mirror_button, Qt.MouseButton.LeftButton)
        assert "http:// or https://" in panel.note_label.text()
        assert model_weights.mirror_setting() == ""
        # cancelled: unchanged
        panel.ask_mirror = lambda current: None
        QTest.mouseClick(panel.mirror_button, Qt.MouseButton.LeftButton)
        assert model_weights.mirror_setting() == ""

        seen: list[str] = []
        panel.ask_mirror = lambda current: (seen.append(current), f"{served.base}/inst/")[1]
        QTest.mouseClick(panel.mirror_button, Qt.MouseButton.LeftButton)
        assert seen == [""] and model_weights.mirror_setting() == f"{served.base}/inst"
        assert f"{served.base}/inst" in panel.mirror_button.toolTip()
        assert not panel.note_label.isVisible() or panel.note_label.text() == ""

        download_through_mirror(qtbot, panel, served, tmp_path / "weights", OFFICIAL, data)

        # a mirror serving another file: refused by the checksum, nothing placed
        (tmp_path / "weights" / OFFICIAL).unlink()
        model_weights._STATUS.clear()
        served.files[OFFICIAL] = tiny_file_bytes(seed=1)
        panel.refresh()
        qtbot.waitUntil(panel.download_button.isEnabled, timeout=10_000)
        QTest.mouseClick(panel.download_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not panel.downloading, timeout=10_000)
        assert "not the official" in panel.note_label.text()
        assert list((tmp_path / "weights").iterdir()) == []
