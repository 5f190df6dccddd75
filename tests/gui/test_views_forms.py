"""The settings-form views (Import Images, Image Embedder, Distances, Logistic
Regression), opened through the canvas: a control writes the node setting through the
undo stack, the node re-runs, and undo puts the control back."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from tests.gui.views_helpers import (
    CLASSIFICATION,
    CLUSTERING,
    node_by_title,
    open_example,
    wait_settled,
)


def runs(win, nid: str) -> int:
    return win.scheduler.status(nid).runs


def test_distances_view_metric_normalize_axis(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    nid = node_by_title(win, "Distances")
    wait_settled(qtbot, win)
    view = win.open_node(nid)
    qtbot.waitExposed(view)
    assert view.metric_combo.currentData() == "cosine"
    assert "Cosine" in view.explanation.text()
    before = runs(win, nid)
    view.metric_combo.setCurrentIndex(view.metric_combo.findData("euclidean"))
    assert win.workflow.node(nid).settings.metric == "euclidean"
    qtbot.waitUntil(lambda: getattr(win.scheduler.outputs(nid).get("Distances"), "metric", "")
                    == "euclidean" and runs(win, nid) > before, timeout=30_000)

    QTest.mouseClick(view.normalize_box, Qt.MouseButton.LeftButton)
    assert win.workflow.node(nid).settings.normalize is True
    view.columns_radio.click()
    assert win.workflow.node(nid).settings.axis == "columns"

    win.undo_stack.undo()
    assert view.rows_radio.isChecked()
    win.undo_stack.undo()
    assert not view.normalize_box.isChecked()
    win.undo_stack.undo()
    assert view.metric_combo.currentData() == "cosine"
    assert win.workflow.node(nid).settings.metric == "cosine"
    qtbot.waitUntil(lambda: getattr(win.scheduler.outputs(nid).get("Distances"), "metric", "")
                    == "cosine", timeout=30_000)


def test_logistic_regression_view_penalty_c_balance(make_window, qtbot) -> None:
    win = open_example(make_window, CLASSIFICATION)
    nid = node_by_title(win, "Logistic Regression")
    wait_settled(qtbot, win)
    view = win.open_node(nid)
    qtbot.waitExposed(view)
    s = lambda: win.workflow.node(nid).settings  # noqa: E731
    learner = win.scheduler.outputs(nid)["Learner"]
    before = runs(win, nid)

    view.penalty_combo.setCurrentIndex(view.penalty_combo.findData("l1"))
    assert s().penalty == "l1"
    qtbot.waitUntil(lambda: runs(win, nid) > before
                    and win.scheduler.outputs(nid).get("Learner") is not learner,
                    timeout=30_000)

    view.c_slider.setFocus()
    QTest.keyClick(view.c_slider, Qt.Key.Key_Right)  # one step = ×10^0.25
    assert abs(s().C - 1.778) < 1e-3
    assert abs(view.c_spin.value() - 1.778) < 1e-3

    QTest.mouseClick(view.balance_box, Qt.MouseButton.LeftButton)
    assert s().class_weight_balanced is True

    view.name_edit.selectAll()
    QTest.keyClicks(view.name_edit, "LR strong")
    QTest.keyClick(view.name_edit, Qt.Key.Key_Return)
    assert s().learner_name == "LR strong"
    qtbot.waitUntil(lambda: getattr(win.scheduler.outputs(nid).get("Learner"), "name", "")
                    == "LR strong", timeout=30_000)

    for _ in range(4):
        win.undo_stack.undo()
    assert view.penalty_combo.currentData() == "l2"
    assert view.c_spin.value() == 1.0 and view.c_slider.value() == 12
    assert not view.balance_box.isChecked()
    assert view.name_edit.text() == "Logistic Regression"
    assert s().penalty == "l2" and s().C == 1.0
