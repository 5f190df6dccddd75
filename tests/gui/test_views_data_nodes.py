"""File, Merge Data, Select Columns and Select Rows views drive their nodes' settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from petriflow.core.registry import NodeRegistry
from petriflow.gui.undo import AddLinkCommand
from petriflow.nodes.file import File
from petriflow.nodes.merge_data import MergeData
from petriflow.nodes.select_columns import SelectColumns
from petriflow.nodes.select_rows import SelectRows
from tests.gui.views_helpers import wait_settled

CSV = "image name,dose,strain,class\na,1.5,wt,x\nb,2,mut,y\nc,3,wt,x\n"


@pytest.fixture
def window(make_window):
    return make_window(reg=NodeRegistry([File, MergeData, SelectColumns, SelectRows]))


def file_node(win, qtbot, path: Path):
    node = win.add_node("petriflow.file")
    view = win.open_node(node)
    qtbot.waitExposed(view)
    view.choose(str(path))
    wait_settled(qtbot, win, timeout=30_000)
    return node, view


def test_file_view_reads_and_sets_the_target(window, qtbot, tmp_path: Path) -> None:
    win = window
    (tmp_path / "m.csv").write_text(CSV, encoding="utf-8")
    node, view = file_node(win, qtbot, tmp_path / "m.csv")
    assert win.workflow.node(node).settings.path == str(tmp_path / "m.csv")
    assert "3 rows" in view.summary.text()
    items = [view.target.itemText(i) for i in range(view.target.count())]
    assert items[0] == "(inferred by name)" and "strain" in items
    view.target.setCurrentText("strain")
    view._target_picked(view.target.currentIndex())
    wait_settled(qtbot, win, timeout=30_000)
    assert win.scheduler.output(node, "Data").class_name == "strain"
    win.undo_stack.undo()
    assert win.workflow.node(node).settings.target == ""
    # a missing file: the view shows the node's message
    view.choose(str(tmp_path / "gone.csv"))
    wait_settled(qtbot, win, timeout=30_000)
    assert "does not exist" in view.notes.text()


def test_select_columns_and_rows_views(window, qtbot, tmp_path: Path) -> None:
    win = window
    (tmp_path / "m.csv").write_text(CSV, encoding="utf-8")
    src, _ = file_node(win, qtbot, tmp_path / "m.csv")
    cols = win.add_node("petriflow.select_columns")
    rows = win.add_node("petriflow.select_rows")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", cols, "Data"))
    win.undo_stack.push(AddLinkCommand(win.workflow, cols, "Data", rows, "Data"))
    wait_settled(qtbot, win, timeout=30_000)
    view = win.open_node(cols)
    qtbot.waitExposed(view)
    assert set(view.combos) == {"image name", "dose", "strain", "class"}
    view.combos["strain"].setCurrentText("target")  # the old target becomes a meta
    wait_settled(qtbot, win, timeout=30_000)
    roles = win.workflow.node(cols).settings.roles
    assert roles["strain"] == "target" and roles["class"] == "meta"
    assert win.scheduler.output(cols, "Data").class_name == "strain"

    rview = win.open_node(rows)
    qtbot.waitExposed(rview)
    rview.add_condition()
    assert len(rview.rows) == 1
    column, op, value, _ = rview.rows[0]
    column.setCurrentText("dose")
    op.setCurrentText(">")
    value.setText("1.7")
    rview._write()
    wait_settled(qtbot, win, timeout=30_000)
    assert win.workflow.node(rows).settings.conditions == [
        {"column": "dose", "op": ">", "value": "1.7"}]
    assert len(win.scheduler.output(rows, "Matching Data")) == 2
    qtbot.waitUntil(lambda: "2 of 3 rows match" in rview.summary.text(), timeout=10_000)
    rview.remove_condition(0)
    wait_settled(qtbot, win, timeout=30_000)
    assert win.workflow.node(rows).settings.conditions == []


def test_merge_data_view_keys(window, qtbot, tmp_path: Path) -> None:
    win = window
    (tmp_path / "a.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "b.csv").write_text("name,score\nb,7\na,5\na,6\n", encoding="utf-8")
    a, _ = file_node(win, qtbot, tmp_path / "a.csv")
    b, _ = file_node(win, qtbot, tmp_path / "b.csv")
    merge = win.add_node("petriflow.merge_data")
    win.undo_stack.push(AddLinkCommand(win.workflow, a, "Data", merge, "Data"))
    win.undo_stack.push(AddLinkCommand(win.workflow, b, "Data", merge, "Extra Data"))
    wait_settled(qtbot, win, timeout=30_000)
    view = win.open_node(merge)
    qtbot.waitExposed(view)
    view.data_key.setCurrentText("image name")
    view.extra_key.setCurrentText("name")
    view._keys_picked()
    wait_settled(qtbot, win, timeout=30_000)
    out = win.scheduler.output(merge, "Data")
    assert out.X[:, list(out.feature_names).index("score")].tolist()[:2] == [5.0, 7.0]
    qtbot.waitUntil(lambda: "duplicate key" in view.message.text(), timeout=10_000)
