"""Undo-stack lines in words (issue 14.9): "Change linkage of Hierarchical Clustering",
"Select 3 rows in Data Table" — never settings ids such as ``selected_nodes``."""

from __future__ import annotations

import dataclasses

import pytest
from PyQt6.QtGui import QUndoStack
from PyQt6.QtWidgets import QToolBar

from petriflow.core.describe import describe_change
from petriflow.core.registry import default_registry
from petriflow.core.workflow import Workflow
from petriflow.gui.undo import SettingsCommand


def all_node_classes() -> list[type]:
    return [c for cs in default_registry().by_category().values() for c in cs]


def test_settings_changes_read_as_words(qapp) -> None:
    reg = default_registry()
    wf = Workflow()
    hc = wf.add_node(reg.get("petriflow.hierarchical_clustering"))
    table = wf.add_node(reg.get("petriflow.data_table"))
    ts = wf.add_node(reg.get("petriflow.test_and_score"))
    stack = QUndoStack()
    stack.push(SettingsCommand(wf, hc.id, linkage="single"))
    assert stack.text(0) == "Change linkage of Hierarchical Clustering"
    stack.push(SettingsCommand(wf, table.id, selected_rows=[0, 2, 5]))
    assert stack.text(1) == "Select 3 rows in Data Table"
    stack.push(SettingsCommand(wf, table.id, selected_rows=[]))
    assert stack.text(2) == "Clear the selection in Data Table"
    stack.push(SettingsCommand(wf, ts.id, n_folds=3, stratified=False))
    assert stack.text(3) == "Change number of folds and stratification of Test and Score"
    # a view that knows more says it itself
    stack.push(SettingsCommand(wf, hc.id, "Select 16 images in Hierarchical Clustering",
                               selection_mode="manual", selected_nodes=[3]))
    assert stack.text(4) == "Select 16 images in Hierarchical Clustering"
    stack.undo()
    assert wf.node(hc.id).settings.selected_nodes != [3]


@pytest.mark.parametrize("cls", all_node_classes(), ids=lambda c: c.name)
def test_no_setting_is_named_by_its_id(cls) -> None:
    for f in dataclasses.fields(cls.Settings):
        value = getattr(cls.Settings(), f.name)
        text = describe_change(cls.Settings, cls.name, {f.name: value})
        assert "_" not in text, text
        assert text.endswith(cls.name)


def test_click_on_a_branch_reads_select_n_images(make_window, qtbot, app_embedding) -> None:
    from tests.gui.views_helpers import CLUSTERING, click, node_by_title, open_example

    win = open_example(make_window, CLUSTERING)
    hc = node_by_title(win, "Hierarchical Clustering")
    tool_button = win.findChild(QToolBar).widgetForAction(win.undo_action)
    width = tool_button.sizeHint().width()
    view = win.open_node(hc)
    qtbot.waitUntil(lambda: view.tree is not None, timeout=60_000)
    g, n = view.tree.geom, view.tree.n
    sizes = g.last_leaf - g.first_leaf + 1
    node = next(v for v in range(2 * n - 2, n - 1, -1) if 5 <= sizes[v] <= 16)
    click(view.dendrogram, view.dendrogram.node_point(node))
    text = win.undo_stack.undoText()
    assert text == f"Select {sizes[node]} images in Hierarchical Clustering"
    # the legend names the three texture classes
    assert view.legend.entries == ["brick", "grass", "gravel"]
    # the toolbar button keeps its text and width; the menu and tooltip say what
    assert tool_button.text() == "Undo" and tool_button.sizeHint().width() == width
    assert text in win.undo_action.text() and text in tool_button.toolTip()
    click(view.dendrogram, view.dendrogram.node_point(node).__class__(2, 2))
    assert win.undo_stack.undoText() == "Clear the selection in Hierarchical Clustering"
