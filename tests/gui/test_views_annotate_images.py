"""Annotate Images view on a real window with the real scheduler: mouse selection,
digit keys, Backspace, undo, classes made and renamed, least sure first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from petriflow.core.node import Node, Output
from petriflow.core.registry import NodeRegistry
from petriflow.core.table import Table
from petriflow.gui.undo import AddLinkCommand
from petriflow.nodes.annotate_images import AnnotateImages
from petriflow.nodes.svm import SVM
from tests.gui.test_views_predictions import colour_images
from tests.gui.views_helpers import wait_settled

#: tables the test source hands out, by key (set by each test)
TABLES: dict[str, Table] = {}


@dataclass
class FixedSettings:
    key: str = ""


class FixedImages(Node):
    qualified_name = "tests.fixed_images"
    name = "Fixed Images"
    outputs = (Output("Data", Table),)
    Settings = FixedSettings

    def run(self, inputs, progress, cancel):
        return {"Data": TABLES[self.settings.key]}


@pytest.fixture
def annotate_window(make_window, tmp_path):
    data = colour_images(tmp_path, n_per_class=4)
    TABLES["all"] = data.without_class()  # images to label
    TABLES["train"] = data.take(np.arange(0, len(data), 2))
    return make_window(reg=NodeRegistry([FixedImages, SVM, AnnotateImages]))


def _link(win, a, out, b, inp):
    win.undo_stack.push(AddLinkCommand(win.workflow, a, out, b, inp))


def _click(view, item: int, ctrl: bool = False) -> None:
    rect = view.list.visualRect(view.model.index(item))
    mods = Qt.KeyboardModifier.ControlModifier if ctrl else Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(view.list.viewport(), Qt.MouseButton.LeftButton, mods, rect.center())


def test_keys_label_the_selected_images_and_undo_reverts(annotate_window, qtbot) -> None:
    win = annotate_window
    src = win.add_node("tests.fixed_images", settings=FixedSettings("all"))
    ann = win.add_node("petriflow.annotate_images")
    _link(win, src, "Data", ann, "Data")
    wait_settled(qtbot, win)
    view = win.open_node(ann)
    qtbot.waitExposed(view)
    assert view.model.rowCount() == 12 and view.class_buttons == []

    # make two classes by typing in the field (Return), each one undo step
    for name in ("red", "green"):
        QTest.keyClicks(view.new_class, name)
        QTest.keyClick(view.new_class, Qt.Key.Key_Return)
    node = win.workflow.node(ann)
    assert node.settings.class_names == ["red", "green"]
    assert win.undo_stack.undoText() == "Add class 'green' in Annotate Images"
    assert [b.text() for b in view.class_buttons] == ["1  red (0)", "2  green (0)"]

    # click the first image, ctrl-click two more, press 1: three red images, one step
    view.list.setFocus()
    _click(view, 0)
    _click(view, 1, ctrl=True)
    _click(view, 2, ctrl=True)
    assert view.selected_rows() == [0, 1, 2]
    steps = win.undo_stack.count()
    QTest.keyClick(view.list, Qt.Key.Key_1)
    assert win.undo_stack.count() == steps + 1
    assert win.undo_stack.undoText() == "Label 3 images as 'red' in Annotate Images"
    assert sorted(node.settings.labels.values()) == ["red"] * 3
    assert view.class_buttons[0].text() == "1  red (3)"
    assert view.model.titles[:3] == ["red"] * 3
    wait_settled(qtbot, win)
    out = win.scheduler.outputs(ann)
    assert len(out["Labelled Data"]) == 3 and len(out["Unlabelled Data"]) == 9
    assert list(out["Labelled Data"].class_labels()) == ["red"] * 3

    # 2 relabels them green; Backspace unlabels the one still selected after a click
    QTest.keyClick(view.list, Qt.Key.Key_2)
    assert sorted(node.settings.labels.values()) == ["green"] * 3
    _click(view, 1)
    QTest.keyClick(view.list, Qt.Key.Key_Backspace)
    assert win.undo_stack.undoText() == "Unlabel 1 image in Annotate Images"
    assert len(node.settings.labels) == 2
    # a key with no class says so and changes nothing
    QTest.keyClick(view.list, Qt.Key.Key_5)
    assert len(node.settings.labels) == 2 and "No class 5" in view.info.text()

    # undo three times: back to three red images, then to none
    win.undo_stack.undo()
    assert len(node.settings.labels) == 3
    win.undo_stack.undo()
    assert sorted(node.settings.labels.values()) == ["red"] * 3
    win.undo_stack.undo()
    assert node.settings.labels == {}
    assert view.class_buttons[0].text() == "1  red (0)"
    wait_settled(qtbot, win)
    assert win.scheduler.outputs(ann).get("Labelled Data") is None

    # rename a class: the labels follow, one step
    win.undo_stack.redo()
    view.rename_class("red", "reddish")
    assert node.settings.class_names == ["reddish", "green"]
    assert sorted(node.settings.labels.values()) == ["reddish"] * 3
    win.undo_stack.undo()
    assert sorted(node.settings.labels.values()) == ["red"] * 3
    # "Unlabelled" shows only the nine others
    view.show_combo.setCurrentIndex(1)
    view.show_combo.activated.emit(1)
    assert view.model.rowCount() == 9


def test_least_sure_first_with_a_model(annotate_window, qtbot) -> None:
    win = annotate_window
    src = win.add_node("tests.fixed_images", settings=FixedSettings("all"))
    train = win.add_node("tests.fixed_images", settings=FixedSettings("train"))
    svm = win.add_node("petriflow.svm")
    ann = win.add_node("petriflow.annotate_images")
    win.workflow.update_settings(ann, class_names=["red", "green", "blue"])
    _link(win, src, "Data", ann, "Data")
    view = win.open_node(ann)
    qtbot.waitExposed(view)
    wait_settled(qtbot, win)
    assert not view.least_sure.isEnabled()  # no model yet
    _link(win, train, "Data", svm, "Data")
    _link(win, svm, "Model", ann, "Model")
    wait_settled(qtbot, win)
    assert view.least_sure.isEnabled()
    QTest.mouseClick(view.least_sure, Qt.MouseButton.LeftButton)
    assert win.workflow.node(ann).settings.least_sure_first
    wait_settled(qtbot, win)
    ranked = win.scheduler.outputs(ann)["Unlabelled Data"]
    u = ranked.metas["uncertainty"].astype(float)
    assert np.all(np.diff(u) <= 1e-12)
    # the grid shows the node's order, each title led by the rank
    first = view.rows[0]
    assert int(TABLES["all"].row_ids[first]) == int(ranked.row_ids[0])
    assert view.model.titles[0].startswith("#1 ") and view.model.titles[1].startswith("#2 ")
    assert "least sure first" in view.info.text()
