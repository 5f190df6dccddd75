"""Fig. 3 of the paper: click a confusion-matrix cell; its images reach Image Viewer and
MDS (as the Data Subset)."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from tests.gui.views_helpers import (
    CLASSIFICATION,
    click,
    ids,
    node_by_title,
    open_example,
    wait_settled,
)


def cell_ids(res, cells) -> set[int]:
    mask = np.zeros(len(res), dtype=bool)
    for a, p in cells:
        mask |= (res.actual == a) & (res.predicted[0] == p)
    return {int(i) for i in res.data.row_ids[mask]}


def test_click_cell_selects_rows_downstream(make_window, qtbot) -> None:
    win = open_example(make_window, CLASSIFICATION)
    cm, viewer, mds = (node_by_title(win, t)
                       for t in ("Confusion Matrix", "Image Viewer", "MDS"))
    wait_settled(qtbot, win)
    res = win.scheduler.inputs(cm)["Evaluation Results"]
    view = win.open_node(cm)
    qtbot.waitExposed(view)
    counts = res.confusion_matrix(0)
    k = len(res.class_values)
    # a cell with rows: an error if the model made one, else the first diagonal cell
    errors = [(a, p) for a in range(k) for p in range(k) if a != p and counts[a, p]]
    cell = errors[0] if errors else next((a, a) for a in range(k) if counts[a, a])

    click(view.table.viewport(), view.cell_rect_center(*cell))
    qtbot.waitUntil(lambda: win.workflow.node(cm).settings.selected_cells == [list(cell)],
                    timeout=2_000)
    expected = cell_ids(res, [cell])
    assert len(expected) == counts[cell]
    qtbot.waitUntil(lambda: ids(win.scheduler.inputs(viewer).get("Data")) == expected,
                    timeout=30_000)
    qtbot.waitUntil(lambda: ids(win.scheduler.inputs(mds).get("Data Subset")) == expected,
                    timeout=30_000)

    view.correct_button.click()
    diagonal = [(a, a) for a in range(k)]
    qtbot.waitUntil(lambda: ids(win.scheduler.inputs(viewer).get("Data"))
                    == cell_ids(res, diagonal), timeout=30_000)
    selected = {(ix.row(), ix.column()) for ix in view.table.selectionModel().selectedIndexes()}
    assert selected == set(diagonal)
    view.misclassified_button.click()
    assert len(win.workflow.node(cm).settings.selected_cells) == k * (k - 1)
    view.clear_button.click()
    assert win.workflow.node(cm).settings.selected_cells == []
    win.undo_stack.undo()
    win.undo_stack.undo()
    assert sorted(map(tuple, win.workflow.node(cm).settings.selected_cells)) == diagonal
    # the sums are not cells: clicking one selects nothing
    click(view.table.viewport(), view.cell_rect_center(k, k))
    qtbot.waitUntil(lambda: win.workflow.node(cm).settings.selected_cells == [],
                    timeout=2_000)


def test_drag_selects_a_block_of_cells(make_window, qtbot) -> None:
    win = open_example(make_window, CLASSIFICATION)
    cm, viewer = node_by_title(win, "Confusion Matrix"), node_by_title(win, "Image Viewer")
    wait_settled(qtbot, win)
    res = win.scheduler.inputs(cm)["Evaluation Results"]
    view = win.open_node(cm)
    qtbot.waitExposed(view)
    vp = view.table.viewport()
    steps = win.undo_stack.count()
    a, b = view.cell_rect_center(0, 0), view.cell_rect_center(1, 1)
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, 5):
        QTest.mouseMove(vp, a + (b - a) * (i / 4))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    block = [[0, 0], [0, 1], [1, 0], [1, 1]]
    qtbot.waitUntil(lambda: win.workflow.node(cm).settings.selected_cells == block,
                    timeout=2_000)
    assert win.undo_stack.count() == steps + 1  # the whole drag is one undo step
    qtbot.waitUntil(lambda: ids(win.scheduler.inputs(viewer).get("Data"))
                    == cell_ids(res, [tuple(c) for c in block]), timeout=30_000)


def test_the_selection_says_how_many_images_it_sends(make_window, qtbot) -> None:
    """On the example (accuracy 1.000) "Select Misclassified" selected six empty cells and
    the viewer went blank with no word why; the view now counts what it sends."""
    win = open_example(make_window, CLASSIFICATION)
    cm = node_by_title(win, "Confusion Matrix")
    wait_settled(qtbot, win)
    res = win.scheduler.inputs(cm)["Evaluation Results"]
    counts = res.confusion_matrix(0)
    k = len(res.class_values)
    view = win.open_node(cm)
    qtbot.waitExposed(view)
    click(view.table.viewport(), view.cell_rect_center(1, 1))
    qtbot.waitUntil(lambda: win.workflow.node(cm).settings.selected_cells == [[1, 1]],
                    timeout=2_000)
    n = int(counts[1, 1])
    assert view.selection_label.text() == f"{n} image{'s' if n != 1 else ''} selected"
    QTest.mouseClick(view.misclassified_button, Qt.MouseButton.LeftButton)
    errors = int(counts.sum() - np.trace(counts))
    text = view.selection_label.text()
    if errors:
        assert text == f"{errors} image{'s' if errors != 1 else ''} selected"
    else:
        assert "0 images selected" in text and "misclassified" in text
    QTest.mouseClick(view.clear_button, Qt.MouseButton.LeftButton)
    assert view.selection_label.text() == ""
    win.undo_stack.undo()  # the misclassified cells again: the words follow
    assert view.selection_label.text() == text
    assert len(win.workflow.node(cm).settings.selected_cells) == k * (k - 1)


def test_unconnected_it_says_what_to_connect(make_window, qtbot) -> None:
    """Opened with nothing on its input it showed the caption of a filled matrix
    ("Rows: actual class · columns: predicted class") over a blank box, with three
    buttons that did nothing (on_data skipped the first fill when the input was None)."""
    from petriflow.core.registry import NodeRegistry
    from petriflow.nodes.confusion_matrix import ConfusionMatrix

    win = make_window(reg=NodeRegistry([ConfusionMatrix]))
    cm = win.add_node("petriflow.confusion_matrix")
    view = win.open_node(cm)
    qtbot.waitExposed(view)
    assert "No evaluation results" in view.caption.text()
    assert "Test and Score" in view.caption.text()
    assert not view.misclassified_button.isEnabled()
    assert not view.correct_button.isEnabled() and not view.clear_button.isEnabled()
    QTest.mouseClick(view.misclassified_button, Qt.MouseButton.LeftButton)
    assert win.undo_stack.count() == 1  # the add only: the click did nothing, visibly
