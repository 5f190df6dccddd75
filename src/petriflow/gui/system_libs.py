"""Check, before Qt starts, that the Linux system libraries Qt's windows need are there.

Why: the PyQt6 wheel bundles Qt but not the X11/OpenGL libraries of the system. When
one is missing (``libxcb-cursor0`` is the usual one: desktop installs often lack it),
Qt aborts with "could not load the Qt platform plugin xcb ... reinstalling the
application may fix this problem", which sends users reinstalling Python packages.
Trying the same shared libraries first (``ctypes.CDLL``, the loader Qt itself goes
through) lets ``petriflow`` name each missing one and print the install line instead.

No Qt import here: this runs before Qt is loaded. The lists come from the ``NEEDED``
entries of PyQt6's Qt 6 libraries (QtCore/Gui/Widgets/DBus, the xcb platform plugin and
libQt6XcbQpa), with the Debian/Ubuntu package that provides each.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

__all__ = [
    "GUI_LIBRARIES",
    "XCB_LIBRARIES",
    "check_desktop_libraries",
    "missing_libraries",
    "missing_libraries_message",
    "qt_platform",
]

#: every Qt window on Linux, any platform plugin (offscreen too): soname -> package
GUI_LIBRARIES: dict[str, str] = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libX11.so.6": "libx11-6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
}

#: the X11 (xcb) platform plugin, the default on an X11 desktop: soname -> package
XCB_LIBRARIES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
}

Loader = Callable[[str], object]


def _load(soname: str) -> object:
    """Load a shared library by soname, as Qt's plugin loader would (OSError if absent)."""
    return ctypes.CDLL(soname)


def qt_platform(environ: Mapping[str, str]) -> str:
    """The platform plugin Qt will pick: QT_QPA_PLATFORM, else wayland in a Wayland
    session, else xcb (Qt 6's rule on Linux)."""
    chosen = environ.get("QT_QPA_PLATFORM", "").split(":", 1)[0].split(";", 1)[0].strip()
    if chosen:
        return chosen
    return "wayland" if environ.get("WAYLAND_DISPLAY") else "xcb"


def missing_libraries(platform: str, load: Loader | None = None) -> dict[str, str]:
    """The sonames (-> package) that ``load`` cannot open, for Qt on ``platform``."""
    load = _load if load is None else load
    wanted = dict(GUI_LIBRARIES)
    if platform == "xcb":
        wanted |= XCB_LIBRARIES
    missing: dict[str, str] = {}
    for soname, package in wanted.items():
        try:
            load(soname)
        except OSError:
            missing[soname] = package
    return missing


def missing_libraries_message(missing: Mapping[str, str], platform: str,
                              is_root: bool = False) -> str:
    """What to tell the user: the missing libraries and one apt-get line for them."""
    packages = sorted(set(missing.values()))
    sudo = "" if is_root else "sudo "
    where = "X11 (xcb) " if platform == "xcb" else ""
    lines = [f"petriflow: the window cannot open: Qt's {where}platform needs system "
             "libraries that are not installed:"]
    lines += [f"  {soname}  (package {package})" for soname, package in missing.items()]
    lines += [
        "Install them (Debian/Ubuntu; other systems: the same libraries by name):",
        f"  {sudo}apt-get install {' '.join(packages)}",
        "Workflows also run without a window: petriflow run FILE.ows --out results/",
    ]
    return "\n".join(lines)


def check_desktop_libraries(
    environ: Mapping[str, str] | None = None, system: str | None = None,
    load: Loader | None = None,
) -> str | None:
    """On Linux, the message naming missing libraries for Qt's platform; else None."""
    environ = os.environ if environ is None else environ
    system = sys.platform if system is None else system
    if not system.startswith("linux"):
        return None  # the macOS and Windows wheels of Qt bring what they need
    platform = qt_platform(environ)
    missing = missing_libraries(platform, load)
    if not missing:
        return None
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return missing_libraries_message(missing, platform, is_root)
