"""A number typed into a view's spin box applies after a pause, without Enter.

Found in the Xvfb walk-through: typing 5 in Hierarchical Clustering's Top N (and a C in
Logistic Regression) changed nothing until Enter, which looked like a dead control.
Hierarchical Clustering's case is tested in test_views_hierarchical_clustering.py."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from petriflow.gui.views.typed_numbers import TYPING_MS
from tests.gui.views_helpers import CLASSIFICATION, node_by_title, open_example


def test_a_typed_c_applies_after_a_pause(make_window, qtbot) -> None:
    win = open_example(make_window, CLASSIFICATION)
    nid = node_by_title(win, "Logistic Regression")
    view = win.open_node(nid)
    qtbot.waitExposed(view)
    s = lambda: win.workflow.node(nid).settings  # noqa: E731
    steps = win.undo_stack.count()
    spin = view.c_spin
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "0.25")
    assert s().C == 1.0  # not at every key
    qtbot.waitUntil(lambda: s().C == 0.25, timeout=5 * TYPING_MS)
    assert win.undo_stack.count() == steps + 1
    assert view.c_slider.value() != 12  # the slider follows
    # the arrows apply at once; Enter after a pause adds nothing
    QTest.keyClick(spin, Qt.Key.Key_Return)
    assert win.undo_stack.count() == steps + 1
    QTest.keyClick(spin, Qt.Key.Key_Up)
    assert s().C == 1.25
    win.undo_stack.undo()
    win.undo_stack.undo()
    assert s().C == 1.0 and spin.value() == 1.0
