"""Fig. 3 of the paper: click a confusion-matrix cell; its images reach Image Viewer and
MDS (as the Data Subset)."""

from __future__ import annotations

import numpy as np

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
    assert win.workflow.node(cm).settings.selected_cells == [list(cell)]
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
    assert win.workflow.node(cm).settings.selected_cells == []
