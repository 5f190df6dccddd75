"""The Preferences dialog (Edit → Preferences…, Ctrl+,), driven with real key and mouse
events: the weights mirror is validated as typed and stored in the same QSettings key the
Image Embedder's "Mirror…" button uses (which now opens this dialog), the environment's
mirror is shown, the welcome and presentation preferences are the ones their own places
read, Cancel forgets edits, and a download started in the view afterwards comes from the
mirror set here (a loopback HTTP server; nothing reaches the network)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PyQt6.QtCore import QPoint, QSettings, Qt, QTimer
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QDialogButtonBox

from petriflow.analysis.embedding.backbones import EMBEDDERS
from petriflow.analysis.embedding.backbones.download import MIRROR_ENV
from petriflow.gui.preferences import PreferencesDialog, mirror_problem
from petriflow.gui.presentation import SECONDS_KEY
from petriflow.gui.views import model_weights
from petriflow.gui.welcome import SHOW_AT_START_KEY, stored_choice
from tests.embedding.weights_server import TINY_ID, tiny_file_bytes, tiny_spec, weights_server
from tests.gui.test_weights_mirror import download_through_mirror

OFFICIAL = "tiny-net-9abcdef0.pt"


@pytest.fixture
def prefs(tmp_path, monkeypatch):
    """Every QSettings("Petriflow", "Petriflow") of this test in a private folder (the
    presentation toolbar writes its own), private weights folders, no proxy or mirror."""
    fmt, scope = QSettings.Format.NativeFormat, QSettings.Scope.UserScope
    QSettings.setPath(fmt, scope, str(tmp_path / "config"))
    monkeypatch.setenv("PETRIFLOW_WEIGHTS_DIR", str(tmp_path / "weights"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY", MIRROR_ENV):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(model_weights, "_STATUS", {})
    monkeypatch.setattr(model_weights, "_CONSENTED", set())
    yield tmp_path / "config" / "Petriflow" / "Petriflow.conf"
    default = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    QSettings.setPath(fmt, scope, default)


def _press_ctrl_comma(qtbot, win) -> None:
    """Ctrl+, on the canvas of the active window (a window shortcut needs it active)."""
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win, timeout=5_000)
    QTest.keyClick(win.view.viewport(), Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)


def _click_box(box) -> None:
    """Click a check box on its indicator (its middle may lie past its text)."""
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def _ok(dialog: PreferencesDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def _type(widget, text: str) -> None:
    """Select all and type ``text`` key by key (an empty text clears the field)."""
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Delete)
    QTest.keyClicks(widget, text)


def test_mirror_problem_names_what_is_wrong() -> None:
    assert mirror_problem("") == "" and mirror_problem("  ") == ""
    assert mirror_problem("https://weights.example.org/torch") == ""
    assert mirror_problem("http://127.0.0.1:8000") == ""
    assert "http:// or https://" in mirror_problem("ftp://weights.example.org")
    assert "http:// or https://" in mirror_problem("/mnt/share/weights")
    assert "host" in mirror_problem("https:///torch")
    assert "spaces" in mirror_problem("https://weights.example.org/my weights")


def test_ctrl_comma_opens_it_and_ok_stores_every_preference(make_window, qtbot, prefs,
                                                            tmp_path) -> None:
    win = make_window()
    assert win.preferences_action.text().replace("&", "") == "Preferences…"
    edit_menu = next(a.menu() for a in win.menuBar().actions()
                     if a.text().replace("&", "") == "Edit")
    assert win.preferences_action in edit_menu.actions()
    _press_ctrl_comma(qtbot, win)
    dialog = win.preferences_dialog
    qtbot.waitExposed(dialog)
    assert dialog.isVisible() and dialog.windowTitle() == "Preferences"
    assert dialog.mirror_edit.text() == "" and _ok(dialog).isEnabled()
    assert str(tmp_path / "weights") in dialog.folder_label.text()
    assert "PETRIFLOW_WEIGHTS_DIR" in dialog.folder_label.text()
    assert dialog.welcome_box.isChecked()  # the default

    # typed key by key: refused while it is not an http(s) URL, OK disabled
    _type(dialog.mirror_edit, "ftp://mirror.example.org")
    assert not _ok(dialog).isEnabled()
    assert "http:// or https://" in dialog.mirror_note.text()
    QTest.keyClick(dialog, Qt.Key.Key_Return)  # Return does not store a refused value
    assert dialog.isVisible() and model_weights.mirror_setting() == ""
    _type(dialog.mirror_edit, "https://mirror.example.org/torch/")
    assert _ok(dialog).isEnabled() and "checksums" in dialog.mirror_note.text()

    _click_box(dialog.welcome_box)
    assert not dialog.welcome_box.isChecked()
    _type(dialog.seconds_spin.lineEdit(), "12.5")
    QTest.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    assert model_weights.mirror_setting() == "https://mirror.example.org/torch"
    stored = QSettings("Petriflow", "Petriflow")
    assert prefs.is_file() and not stored_choice(stored)
    assert float(stored.value(SECONDS_KEY)) == 12.5
    assert win.presenter.seconds.value() == 12.5 and win.presenter.auto_seconds == 12.5

    # opened again: it shows what was stored; Escape (Cancel) forgets new edits
    QTest.keyClick(win.view.viewport(), Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    again = win.preferences_dialog
    qtbot.waitExposed(again)
    assert again is not dialog
    assert again.mirror_edit.text() == "https://mirror.example.org/torch"
    assert not again.welcome_box.isChecked() and again.seconds_spin.value() == 12.5
    _type(again.mirror_edit, "https://other.example.org")
    _click_box(again.welcome_box)
    QTest.keyClick(again, Qt.Key.Key_Escape)
    assert not again.isVisible()
    assert model_weights.mirror_setting() == "https://mirror.example.org/torch"
    assert str(QSettings("Petriflow", "Petriflow").value(SHOW_AT_START_KEY)) in ("false",
                                                                                   "False")


def test_environment_mirror_is_shown(make_window, qtbot, prefs, monkeypatch) -> None:
    monkeypatch.setenv(MIRROR_ENV, "http://env-mirror.example.org/w")
    win = make_window()
    win.preferences_action.trigger()
    dialog = win.preferences_dialog
    qtbot.waitExposed(dialog)
    note = dialog.env_note.text()
    assert MIRROR_ENV in note and "http://env-mirror.example.org/w" in note
    assert "empty" in note
    QTest.keyClick(dialog, Qt.Key.Key_Escape)


def test_mirror_button_of_the_embedder_opens_the_dialog_and_the_download_uses_it(
        make_window, qtbot, prefs, tmp_path, monkeypatch) -> None:
    from petriflow.core.registry import default_registry

    with weights_server() as served:
        data = tiny_file_bytes()
        served.files[OFFICIAL] = data
        monkeypatch.setitem(EMBEDDERS, TINY_ID,
                            tiny_spec(f"{served.base}/public/{OFFICIAL}", data))
        win = make_window(reg=default_registry())
        emb = win.add_node("petriflow.image_embedder")
        win.workflow.update_settings(emb, model=TINY_ID, use_cache=False)
        view = win.open_node(emb)
        qtbot.waitExposed(view)
        panel = view.weights
        qtbot.waitUntil(view.is_ready, timeout=30_000)
        assert served.base not in panel.mirror_button.toolTip()

        seen: list[PreferencesDialog] = []
        focus: list[bool] = []

        def fill_in() -> None:
            dialog = QApplication.activeModalWidget()
            if not isinstance(dialog, PreferencesDialog):
                QTimer.singleShot(20, fill_in)
                return
            seen.append(dialog)
            focus.append(dialog.focusWidget() is dialog.mirror_edit)
            QTest.keyClicks(dialog.mirror_edit, f"{served.base}/inst/")
            QTest.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
            if dialog.isVisible():  # never leave a modal dialog behind: the test would hang
                dialog.reject()

        QTimer.singleShot(0, fill_in)
        QTest.mouseClick(panel.mirror_button, Qt.MouseButton.LeftButton)  # modal: returns
        assert len(seen) == 1 and focus == [True]  # after OK; opened at the mirror field
        assert model_weights.mirror_setting() == f"{served.base}/inst"
        assert f"{served.base}/inst" in panel.mirror_button.toolTip()
        assert f"through the mirror {served.base}/inst" in panel.status_label.text()

        download_through_mirror(qtbot, panel, served, tmp_path / "weights", OFFICIAL, data)

        # changed in Edit → Preferences…: the open view's row follows
        win.preferences_action.trigger()
        dialog = win.preferences_dialog
        qtbot.waitExposed(dialog)
        _type(dialog.mirror_edit, "")
        QTest.mouseClick(_ok(dialog), Qt.MouseButton.LeftButton)
        assert model_weights.mirror_setting() == ""
        assert f"{served.base}/inst" not in panel.mirror_button.toolTip()
