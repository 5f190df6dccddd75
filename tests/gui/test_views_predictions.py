"""Predictions view (thumbnails, sorting, selection out) and Test and Score's model
comparison table, on a real window with the real scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QPixmap
from PyQt6.QtTest import QTest

from petriflow.core.node import Node, Output
from petriflow.core.registry import NodeRegistry
from petriflow.core.table import Table
from petriflow.gui.undo import AddLinkCommand
from petriflow.nodes.naive_bayes import NaiveBayes
from petriflow.nodes.predictions import Predictions
from petriflow.nodes.random_forest import RandomForest
from petriflow.nodes.svm import SVM
from petriflow.nodes.test_and_score import TestAndScore
from tests.gui.views_helpers import wait_settled

#: tables the test source hands out, by key (set by each test)
TABLES: dict[str, Table] = {}


@dataclass
class FixedSettings:
    key: str = ""


class FixedTable(Node):
    qualified_name = "tests.fixed_table"
    name = "Fixed Table"
    outputs = (Output("Data", Table),)
    Settings = FixedSettings

    def run(self, inputs, progress, cancel):
        return {"Data": TABLES[self.settings.key]}


def colour_images(folder: Path, n_per_class: int = 8) -> Table:
    """Small red/green/blue PNGs; features are their mean colour (what a CNN would
    separate easily), the class is the colour."""
    rng = np.random.default_rng(0)
    rows, paths, labels = [], [], []
    for c, name in enumerate(("red", "green", "blue")):
        for i in range(n_per_class):
            rgb = rng.integers(0, 90, size=(24, 24, 3), dtype=np.uint8)
            rgb[..., c] += 150
            path = folder / f"{name}{i}.png"
            Image.fromarray(rgb).save(path)
            rows.append(rgb.reshape(-1, 3).mean(axis=0) / 255.0)
            paths.append(str(path))
            labels.append(name)
    return Table.from_arrays(np.array(rows), ["r", "g", "b"], classes=labels,
                             metas={"image": paths}, image_column="image")


@pytest.fixture
def predict_window(make_window, tmp_path):
    data = colour_images(tmp_path)
    TABLES["train"] = data.take(np.arange(0, len(data), 2))
    TABLES["test"] = data.take(np.arange(1, len(data), 2))
    win = make_window(reg=NodeRegistry([FixedTable, SVM, NaiveBayes, RandomForest,
                                        Predictions, TestAndScore]))
    return win


def _link(win, a, out, b, inp):
    win.undo_stack.push(AddLinkCommand(win.workflow, a, out, b, inp))


def _svm_and_bayes_predict(win, qtbot) -> tuple[str, str]:
    """SVM and Naive Bayes trained on half the images predict the other half: the ids
    of the Predictions and SVM nodes, after the run."""
    train = win.add_node("tests.fixed_table", settings=FixedSettings("train"))
    test = win.add_node("tests.fixed_table", settings=FixedSettings("test"))
    svm, nb = win.add_node("petriflow.svm"), win.add_node("petriflow.naive_bayes")
    pred = win.add_node("petriflow.predictions")
    for learner in (svm, nb):
        _link(win, train, "Data", learner, "Data")
        _link(win, learner, "Model", pred, "Predictors")
    _link(win, test, "Data", pred, "Data")
    wait_settled(qtbot, win, timeout=60_000)
    return pred, svm


def test_predictions_view_thumbnails_sort_and_selection(predict_window, qtbot) -> None:
    win = predict_window
    pred, svm = _svm_and_bayes_predict(win, qtbot)
    out = win.scheduler.outputs(pred)
    assert out["Evaluation Results"].scores["SVM"]["CA"] == 1.0

    view = win.open_node(pred)
    qtbot.waitExposed(view)
    model = view.model
    names = [c[1] for c in model.columns]
    # no feature columns; the class, the image, each model's class and probabilities
    assert "r" not in names and {"image", "SVM", "SVM (red)", "Naive Bayes"} <= set(names)
    assert names[:3] == ["class", "image", "SVM"]  # the predictions before other metas
    assert model.rowCount() == 12
    # thumbnails: decoded off the GUI thread, then shown in the image column
    img = names.index("image")
    model.data(model.index(0, img), Qt.ItemDataRole.DecorationRole)  # asks for decodes
    qtbot.waitUntil(lambda: view.thumbs.wait_idle(100) and not view.thumbs.pending,
                    timeout=20_000)
    pix = model.data(model.index(0, img), Qt.ItemDataRole.DecorationRole)
    assert isinstance(pix, QPixmap) and pix.width() == 24  # the image's own size (≤ 56)
    assert pix.toImage().pixelColor(12, 12).red() > 140  # the first test image is red

    # sort by P(blue) descending: the blue images come first
    col = names.index("SVM (blue)")
    view.sort_by(col, Qt.SortOrder.DescendingOrder)
    first = [model.data(model.index(r, names.index("SVM"))) for r in range(4)]
    assert first == ["blue"] * 4
    assert win.workflow.node(pred).settings.sort_column == "SVM (blue)"

    # click the first (sorted) row, ctrl-click the second: two rows go out
    QTest.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, view.row_center(0))
    QTest.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.ControlModifier, view.row_center(1))
    qtbot.waitUntil(lambda: win.scheduler.outputs(pred).get("Selected Predictions")
                    is not None, timeout=30_000)
    selected = win.scheduler.outputs(pred)["Selected Predictions"]
    assert list(selected.metas["SVM"]) == ["blue", "blue"]
    assert "2 selected" in view.info.text()
    assert "accuracy (CA) on the rows of known class: SVM 1.000" in view.info.text()
    # the selection names input rows: retraining (another model) keeps it
    before = win.scheduler.outputs(pred)["Predictions"]
    win.workflow.update_settings(svm, C=5.0)
    qtbot.waitUntil(lambda: win.scheduler.outputs(pred).get("Predictions") not in (None, before),
                    timeout=30_000)
    again = win.scheduler.outputs(pred)["Selected Predictions"]
    assert again is not None and sorted(again.row_ids) == sorted(selected.row_ids)


def test_test_and_score_view_compares_models(predict_window, qtbot) -> None:
    win = predict_window
    data = win.add_node("tests.fixed_table", settings=FixedSettings("train"))
    rf = win.add_node("petriflow.random_forest")
    nb = win.add_node("petriflow.naive_bayes")
    ts = win.add_node("petriflow.test_and_score")
    _link(win, data, "Data", ts, "Data")
    for learner in (rf, nb):
        _link(win, learner, "Learner", ts, "Learner")
    win.workflow.update_settings(ts, n_folds=3)
    wait_settled(qtbot, win, timeout=60_000)
    view = win.open_node(ts)
    qtbot.waitExposed(view)
    comp = view.comparison
    assert comp.model.rowCount() == 2 and comp.model.columnCount() == 2
    p01, p10 = comp.probability(0, 1), comp.probability(1, 0)
    assert p01 is not None and p10 is not None
    assert p01 + p10 == pytest.approx(1.0) or {p01, p10} == {0.0}
    assert "3 folds" in comp.note.text()
    assert view.score(0, "Specificity") is not None
    # the negligible-difference check box is an (undoable) setting that re-runs nothing
    runs = win.scheduler.status(ts).message
    comp.rope_check.setChecked(True)
    qtbot.waitUntil(lambda: win.workflow.node(ts).settings.use_rope, timeout=5_000)
    assert "(" in comp.model.item(0, 1).text()  # the ROPE probability in brackets
    assert win.scheduler.status(ts).message == runs
    win.undo_stack.undo()
    qtbot.waitUntil(lambda: not win.workflow.node(ts).settings.use_rope, timeout=5_000)
    assert not comp.rope_check.isChecked()


def test_predictions_window_opens_wide_enough_for_every_column(predict_window, qtbot) -> None:
    """Two models and three classes: eight prediction columns beside the class and the
    thumbnail; the window opens showing all of them whole (other metas may scroll)."""
    win = predict_window
    pred, _svm = _svm_and_bayes_predict(win, qtbot)
    view = win.open_node(pred)
    qtbot.waitExposed(view)
    qtbot.wait(50)
    names = [c[1] for c in view.model.columns]
    last = max(names.index(n) for n in view.model.predicted) + 1
    columns = sum(view.table.columnWidth(c) for c in range(last))
    room = int(view.screen().availableGeometry().width() * 0.9)
    if columns + view.table.verticalHeader().width() + 40 <= room:
        right = view.table.columnViewportPosition(last - 1) + view.table.columnWidth(last - 1)
        assert right <= view.table.viewport().width()  # the last prediction is whole
    else:  # a small screen (offscreen: 800 px): as wide as it allows
        assert view.width() == room
