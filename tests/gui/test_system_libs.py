"""The missing-library check that replaces Qt's xcb abort (issue 14.3).

The loader is swapped for one that fails on chosen sonames, exactly as ``ctypes.CDLL``
fails (OSError) when a library is not installed; one test uses the real loader.
"""

from __future__ import annotations

import pytest

from petriflow.gui import app, system_libs
from petriflow.gui.system_libs import (
    GUI_LIBRARIES,
    XCB_LIBRARIES,
    check_desktop_libraries,
    missing_libraries,
    qt_platform,
)


class FakeLoader:
    """Records what was asked for; raises OSError for the sonames in ``absent``."""

    def __init__(self, *absent: str) -> None:
        self.absent = set(absent)
        self.asked: list[str] = []

    def __call__(self, soname: str) -> object:
        self.asked.append(soname)
        if soname in self.absent:
            raise OSError(f"{soname}: cannot open shared object file: No such file or directory")
        return object()


X11 = {"DISPLAY": ":0"}


def test_nothing_to_say_when_every_library_loads():
    loader = FakeLoader()
    assert check_desktop_libraries(X11, "linux", loader) is None
    assert set(loader.asked) == set(GUI_LIBRARIES) | set(XCB_LIBRARIES)


def test_names_each_missing_library_and_the_apt_line():
    loader = FakeLoader("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1")
    message = check_desktop_libraries(X11, "linux", loader)
    assert message is not None
    assert "libxcb-cursor.so.0  (package libxcb-cursor0)" in message
    assert "libxcb-icccm.so.4  (package libxcb-icccm4)" in message
    assert "libxcb-keysyms.so.1  (package libxcb-keysyms1)" in message
    assert "apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1\n" in message
    assert "libxcb-shape" not in message  # only what is missing
    assert "petriflow run FILE.ows" in message


def test_sudo_only_for_a_user_who_is_not_root():
    missing = {"libxcb-cursor.so.0": "libxcb-cursor0"}
    user = system_libs.missing_libraries_message(missing, "xcb", is_root=False)
    root = system_libs.missing_libraries_message(missing, "xcb", is_root=True)
    assert "  sudo apt-get install libxcb-cursor0" in user
    assert "  apt-get install libxcb-cursor0" in root and "sudo" not in root


def test_one_package_once_even_for_two_of_its_libraries():
    loader = FakeLoader("libglib-2.0.so.0", "libgthread-2.0.so.0")
    message = check_desktop_libraries({"QT_QPA_PLATFORM": "offscreen"}, "linux", loader)
    assert message is not None
    assert message.count("libglib2.0-0") == 3  # two library lines, one in the apt line


@pytest.mark.parametrize("environ, platform", [
    ({"QT_QPA_PLATFORM": "offscreen"}, "offscreen"),
    ({"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "wayland"),
    ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, "xcb"),
    ({"QT_QPA_PLATFORM": "xcb:display=:1"}, "xcb"),
    ({"DISPLAY": ":0"}, "xcb"),
])
def test_xcb_libraries_are_checked_only_where_qt_uses_xcb(environ, platform):
    assert qt_platform(environ) == platform
    loader = FakeLoader(*XCB_LIBRARIES)
    message = check_desktop_libraries(environ, "linux", loader)
    assert (message is not None) == (platform == "xcb")


def test_not_checked_off_linux():
    loader = FakeLoader(*GUI_LIBRARIES)
    assert check_desktop_libraries(X11, "darwin", loader) is None
    assert loader.asked == []


def test_the_libraries_qt_needs_here_are_found_by_the_real_loader():
    """Where these tests run Qt works offscreen, so the sonames listed must resolve."""
    assert missing_libraries("offscreen") == {}


def test_petriflow_prints_it_instead_of_starting_qt(monkeypatch, capsys):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr(system_libs.sys, "platform", "linux")
    monkeypatch.setattr(system_libs, "_load", FakeLoader("libxcb-cursor.so.0"))
    assert app.main(["--data-dir", "unused"]) == 2
    err = capsys.readouterr().err
    assert "libxcb-cursor.so.0  (package libxcb-cursor0)" in err
    assert "apt-get install libxcb-cursor0" in err
