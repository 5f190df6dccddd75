"""Keyboard (issue 14.8): no key is bound twice in a window, Redo answers Ctrl+Shift+Z and
Ctrl+Y on every platform, and Esc closes a node's window.

The audit reads every QAction and QShortcut whose widget lives in the window, exactly as
Qt's shortcut map sees them: a key bound twice there — even twice by one action, which
is what X11's Redo list plus a hand-added Ctrl+Shift+Z did — is "Ambiguous shortcut
overload" and fires nothing.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtGui import QAction, QKeySequence, QShortcut
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QWidget

from petriflow.core.registry import default_registry
from petriflow.gui.menus import unique_shortcuts
from petriflow.gui.views import VIEWS


def bindings(top: QWidget) -> dict[str, list[str]]:
    """Key sequence -> the commands bound to it in ``top``'s window."""
    owners: dict[str, list[str]] = defaultdict(list)
    for obj in [*top.findChildren(QAction), *top.findChildren(QShortcut)]:
        holder = obj.parent()
        if not isinstance(holder, QWidget) or holder.window() is not top:
            continue  # another window's (a node view's) keys are not active here
        keys = obj.shortcuts() if isinstance(obj, QAction) else [obj.key()]
        name = obj.text() if isinstance(obj, QAction) else f"shortcut on {type(holder).__name__}"
        for key in keys:
            if not key.isEmpty():
                owners[key.toString()].append(name)
    return owners


def duplicates(top: QWidget) -> dict[str, list[str]]:
    return {k: v for k, v in bindings(top).items() if len(v) > 1}


def test_no_key_is_bound_twice_in_the_main_window(window):
    found = bindings(window)
    assert duplicates(window) == {}
    assert {"Ctrl+Z", "Ctrl+Shift+Z", "Ctrl+Y", "Ctrl+S", "Ctrl+Q"} <= set(found)
    assert found["Ctrl+Y"] == found["Ctrl+Shift+Z"] == ["&Redo"]


def test_unique_shortcuts_keeps_each_key_once_in_order():
    keys = [k.toString() for k in unique_shortcuts(QKeySequence.StandardKey.Redo,
                                                   "Ctrl+Shift+Z", "Ctrl+Y")]
    assert len(keys) == len(set(keys))
    assert "Ctrl+Shift+Z" in keys and "Ctrl+Y" in keys


def _activate(qtbot, widget: QWidget) -> None:
    widget.activateWindow()
    widget.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget, timeout=3000)


@pytest.mark.parametrize("key, mods", [
    (Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier),
    (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
])
def test_redo_by_keyboard(window, qtbot, key, mods):
    _activate(qtbot, window)
    window.add_node("tests.source", QPointF(0, 0))
    assert len(window.workflow.nodes) == 1
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(window.workflow.nodes) == 0  # undone by Ctrl+Z
    QTest.keyClick(window.view.viewport(), key, mods)
    assert len(window.workflow.nodes) == 1  # and redone by the key under test


def test_esc_closes_a_node_window(window, qtbot):
    nid = window.add_node("tests.source", QPointF(0, 0))
    view = window.open_node(nid)
    qtbot.waitExposed(view)
    _activate(qtbot, view)
    QTest.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: sip.isdeleted(view) or not view.isVisible(), timeout=3000)
    assert window.live_view(nid) is None or not window.live_view(nid).isVisible()


def test_every_node_view_binds_each_key_once_and_esc_closes_it(make_window, qtbot):
    win = make_window(reg=default_registry())
    win.pause_action.setChecked(True)  # views open on no data; nothing runs
    win.toggle_pause()
    assert VIEWS, "no views registered"
    for qualified_name in VIEWS:
        nid = win.add_node(qualified_name, QPointF(0, 0))
        assert nid is not None, qualified_name
        view = win.open_node(nid)
        qtbot.waitExposed(view)
        found = bindings(view)
        assert duplicates(view) == {}, qualified_name
        assert "Esc" in found, qualified_name
        assert duplicates(win) == {}, qualified_name  # a view adds nothing to the canvas
        # let its background work (the embedder looks for weights) end before it closes
        is_ready = getattr(view, "is_ready", lambda: True)
        qtbot.waitUntil(is_ready, timeout=30_000)
        view.close()
        qtbot.waitUntil(lambda view=view: sip.isdeleted(view), timeout=5_000)
