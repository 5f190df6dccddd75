"""Data Table and Test and Score views, and exporting tables and plots."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from petriflow.core.registry import NodeRegistry
from petriflow.gui.undo import AddLinkCommand
from petriflow.gui.views.export_actions import copy_table, save_widget_image, table_to_csv
from petriflow.nodes.data_table import DataTable
from petriflow.nodes.logistic_regression import LogisticRegression
from petriflow.nodes.test_and_score import TestAndScore
from tests.core.toy_nodes import TableSource, TableSourceSettings
from tests.gui.views_helpers import (
    CLUSTERING,
    click,
    ids,
    node_by_title,
    open_example,
    wait_settled,
)


@pytest.fixture
def table_window(make_window):
    return make_window(reg=NodeRegistry([TableSource, DataTable, TestAndScore,
                                         LogisticRegression]))


def data_table_on(win, qtbot, n: int):
    src = win.add_node("tests.table_source", settings=TableSourceSettings(n=n))
    dt = win.add_node("petriflow.data_table")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", dt, "Data"))
    wait_settled(qtbot, win, timeout=30_000)
    return src, dt


def test_data_table_opens_20000_rows(table_window, qtbot) -> None:
    win = table_window
    _, dt = data_table_on(win, qtbot, 20_000)
    view = win.open_node(dt)
    qtbot.waitExposed(view)
    QApplication.processEvents()
    assert view.model.rowCount() == 20_000
    assert view.model.columnCount() == 4  # class, label, a, b
    # how long opening takes is benchmarks/large_tables.py's job (no clock in tests)
    # the class column is coloured by class
    ix0, ix1 = view.model.index(0, 0), view.model.index(1, 0)
    assert view.model.data(ix0) == "y" and view.model.data(ix1) == "x"
    bg0 = view.model.data(ix0, Qt.ItemDataRole.BackgroundRole)
    bg1 = view.model.data(ix1, Qt.ItemDataRole.BackgroundRole)
    assert bg0 is not None and bg0.color() != bg1.color()


def test_data_table_sorts_by_a_column(table_window, qtbot) -> None:
    win = table_window
    _, dt = data_table_on(win, qtbot, 50)
    view = win.open_node(dt)
    qtbot.waitExposed(view)
    col_a = [c[1] for c in view.model.columns].index("a")
    view.table.horizontalHeader().setSortIndicator(col_a, Qt.SortOrder.DescendingOrder)
    shown = [float(view.model.data(view.model.index(r, col_a))) for r in range(50)]
    assert shown == sorted(shown, reverse=True) and shown[0] == 98.0
    view.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
    classes = [view.model.data(view.model.index(r, 0)) for r in range(50)]
    assert classes == ["x"] * 25 + ["y"] * 25
    # ties keep the input order: the x rows are the odd positions, ascending
    assert list(view.model.order[:3]) == [1, 3, 5]


def test_data_table_click_selection_flows_downstream_and_undoes(table_window, qtbot) -> None:
    win = table_window
    _, dt = data_table_on(win, qtbot, 200)
    view = win.open_node(dt)
    qtbot.waitExposed(view)
    col_a = [c[1] for c in view.model.columns].index("a")
    view.table.horizontalHeader().setSortIndicator(col_a, Qt.SortOrder.DescendingOrder)
    vp = view.table.viewport()
    steps = win.undo_stack.count()
    click(vp, view.row_center(2))
    qtbot.waitUntil(lambda: win.workflow.node(dt).settings.selected_rows == [197],
                    timeout=2_000)
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                     view.row_center(5))
    # view rows 2..5 of a descending sort are input positions 197..194
    qtbot.waitUntil(lambda: win.workflow.node(dt).settings.selected_rows
                    == [194, 195, 196, 197], timeout=2_000)
    assert win.undo_stack.count() == steps + 2  # one edit per click
    data = win.scheduler.inputs(dt)["Data"]
    wait_settled(qtbot, win, timeout=30_000)
    selected = win.scheduler.outputs(dt)["Selected Data"]
    assert ids(selected) == {int(i) for i in data.row_ids[[194, 195, 196, 197]]}
    assert len(selected) == 4
    win.undo_stack.undo()
    assert win.workflow.node(dt).settings.selected_rows == [197]
    shown = sorted(ix.row() for ix in view.table.selectionModel().selectedRows())
    assert shown == [2]
    win.undo_stack.undo()
    assert win.workflow.node(dt).settings.selected_rows == []
    assert view.table.selectionModel().selectedRows() == []
    # a selection saved in the settings is shown when the view opens
    win.undo_stack.redo()
    view.close()
    qtbot.waitUntil(lambda: win.live_view(dt) is None, timeout=2_000)
    view = win.open_node(dt)
    # still sorted descending (a saved view setting): input position 197 is view row 2
    assert view.model.order[2] == 197
    assert [ix.row() for ix in view.table.selectionModel().selectedRows()] == [2]


def test_test_and_score_settings_rerun_and_scores(table_window, qtbot) -> None:
    win = table_window
    src = win.add_node("tests.table_source", settings=TableSourceSettings(n=60))
    ts = win.add_node("petriflow.test_and_score")
    lr = win.add_node("petriflow.logistic_regression")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", ts, "Data"))
    win.undo_stack.push(AddLinkCommand(win.workflow, lr, "Learner", ts, "Learner"))
    wait_settled(qtbot, win, timeout=60_000)
    view = win.open_node(ts)
    qtbot.waitExposed(view)
    res = win.scheduler.outputs(ts)["Evaluation Results"]
    assert res.method == "cross_validation"
    assert view.model.rowCount() == len(res.learner_names) == 1
    assert view.score(0, "CA") == pytest.approx(res.scores[res.learner_names[0]]["CA"])
    assert view.target_combo.count() == 3  # average + x + y

    view.folds_spin.setValue(3)
    assert win.workflow.node(ts).settings.n_folds == 3
    view.method_buttons["leave_one_out"].click()
    assert win.workflow.node(ts).settings.resampling == "leave_one_out"
    wait_settled(qtbot, win, timeout=60_000)
    qtbot.waitUntil(lambda: view.results is not None
                    and view.results.method == "leave_one_out", timeout=10_000)
    res = win.scheduler.outputs(ts)["Evaluation Results"]
    assert len(res) == 60
    assert view.score(0, "CA") == pytest.approx(res.scores[res.learner_names[0]]["CA"])
    assert "Leave one out" in view.caption.text()
    assert not view.folds_spin.isEnabled()

    view.target_combo.setCurrentIndex(2)
    view.target_combo.activated.emit(2)
    assert win.workflow.node(ts).settings.target_class == view.target_combo.itemData(2)
    win.undo_stack.undo()
    assert view.target_combo.currentIndex() == 0
    win.undo_stack.undo()
    assert view.method_buttons["cross_validation"].isChecked()
    assert view.folds_spin.value() == 3 and view.folds_spin.isEnabled()


def test_data_table_csv_and_copy(table_window, qtbot, tmp_path) -> None:
    win = table_window
    _, dt = data_table_on(win, qtbot, 10)
    view = win.open_node(dt)
    path = table_to_csv(view.model, tmp_path / "table.csv")
    with path.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == [c[1] for c in view.model.columns]
    assert len(rows) == 11
    assert rows[2] == ["x", "toy1", "2", "3"]
    text = copy_table(view.model)
    assert QApplication.clipboard().text() == text
    lines = text.splitlines()
    assert lines[0].split("\t") == rows[0] and lines[2].split("\t") == rows[2]
    assert set(view.export_actions) == {"copy", "csv"}


def test_dendrogram_saves_png_and_svg(make_window, qtbot, tmp_path) -> None:
    win = open_example(make_window, CLUSTERING)
    hc = node_by_title(win, "Hierarchical Clustering")
    wait_settled(qtbot, win)
    view = win.open_node(hc)
    qtbot.waitUntil(lambda: view.tree is not None, timeout=10_000)
    assert "image" in view.export_actions
    png = save_widget_image(view.dendrogram, tmp_path / "dendrogram.png")
    with Image.open(png) as img:
        img.load()
        assert img.size[0] > 100 and img.size[1] > 100
        assert len(np.unique(np.asarray(img.convert("L")))) > 2  # something was drawn
    svg = save_widget_image(view.dendrogram, tmp_path / "dendrogram.svg")
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    assert len(list(root.iter())) > 20  # the tree's lines, not an empty document


def test_data_table_sort_is_saved_without_a_rerun_and_restored(table_window, qtbot,
                                                               tmp_path) -> None:
    from petriflow.core.ows import load_workflow, save_workflow

    win = table_window
    _, dt = data_table_on(win, qtbot, 50)
    wait_settled(qtbot, win, timeout=30_000)
    runs = win.scheduler.status(dt).runs
    view = win.open_node(dt)
    qtbot.waitExposed(view)
    col_a = [c[1] for c in view.model.columns].index("a")
    view.table.horizontalHeader().setSortIndicator(col_a, Qt.SortOrder.DescendingOrder)
    s = win.workflow.node(dt).settings
    assert (s.sort_column, s.sort_descending) == ("a", True)
    qtbot.wait(200)
    assert win.scheduler.status(dt).runs == runs  # a view setting: no re-run
    assert win.is_modified()  # and it is saved with the workflow
    order = list(view.model.order)

    view.close()
    qtbot.waitUntil(lambda: win.live_view(dt) is None, timeout=2_000)
    again = win.open_node(dt)
    assert again is not view
    qtbot.waitExposed(again)
    assert list(again.model.order) == order  # reopened sorted as it was
    assert again.table.horizontalHeader().sortIndicatorSection() == col_a

    path = tmp_path / "sorted.ows"
    save_workflow(win.workflow, path)
    loaded = load_workflow(path, registry=win.registry)
    assert loaded.node(dt).settings.sort_column == "a"
    win.undo_stack.undo()  # the sort is an edit like any other
    assert win.workflow.node(dt).settings.sort_column == ""
    assert list(again.model.order) == list(range(50))
