"""Test and Score's window with three learners: every header whole, the bottom row below.

The view's body is a row (sampling | scores and comparison); the window's "Add to
report" / "?" row used to land in a third column beside it, squeezing the score table
until "Specificity", "LogLoss" and the numbers were cut ("1.0…"), and the comparison's
"Logistic Regression" header with them.
"""

from __future__ import annotations

import pytest
from PyQt6.QtWidgets import QHeaderView, QTableView, QToolButton

from petriflow.core.registry import NodeRegistry
from petriflow.gui.undo import AddLinkCommand
from petriflow.nodes.logistic_regression import LogisticRegression
from petriflow.nodes.naive_bayes import NaiveBayes
from petriflow.nodes.svm import SVM
from petriflow.nodes.test_and_score import TestAndScore
from tests.core.toy_nodes import TableSource, TableSourceSettings
from tests.gui.views_helpers import wait_settled


def _clipped(table: QTableView) -> list[str]:
    """Header labels and cell texts wider than their column."""
    header: QHeaderView = table.horizontalHeader()
    fm, model = table.fontMetrics(), table.model()
    out = []
    for col in range(model.columnCount()):
        width = header.sectionSize(col)
        texts = [str(model.headerData(col, header.orientation()))]
        texts += [str(model.index(r, col).data() or "") for r in range(model.rowCount())]
        for text in texts:
            need = max(fm.horizontalAdvance(line) for line in text.split("\n")) + 2
            if need > width:
                out.append(f"{text!r} needs {need} px, column {col} is {width}")
    return out


def test_scores_and_comparison_headers_are_whole(make_window, qtbot) -> None:
    win = make_window(reg=NodeRegistry([TableSource, TestAndScore, LogisticRegression,
                                        SVM, NaiveBayes]))
    src = win.add_node("tests.table_source", settings=TableSourceSettings(n=60))
    ts = win.add_node("petriflow.test_and_score")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", ts, "Data"))
    for name in ("petriflow.logistic_regression", "petriflow.svm", "petriflow.naive_bayes"):
        learner = win.add_node(name)
        win.undo_stack.push(AddLinkCommand(win.workflow, learner, "Learner", ts, "Learner"))
    wait_settled(qtbot, win, timeout=120_000)
    view = win.open_node(ts)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.model.rowCount() == 3, timeout=10_000)
    qtbot.waitUntil(lambda: view.comparison.model.rowCount() == 3, timeout=10_000)
    qtbot.wait(50)
    assert view.model.headerData(7, view.table.horizontalHeader().orientation()) \
        == "Specificity"
    assert _clipped(view.table) == []
    assert _clipped(view.comparison.table) == []
    assert view.comparison.probability(0, 1) is not None
    # the window's bottom row sits below the tables, not beside them
    report = view.findChild(QToolButton, "report-button")
    if report is None:
        pytest.skip("no 'Add to report' button in this window")
    body_bottom = view.comparison.mapTo(view, view.comparison.rect().bottomLeft()).y()
    assert report.mapTo(view, report.rect().topLeft()).y() >= body_bottom
    right_edge = view.table.mapTo(view, view.table.rect().topRight()).x()
    assert right_edge > view.width() - 40  # the scores reach the window's right side


def test_predictions_headers_are_whole_and_exports_keep_one_line(make_window, qtbot,
                                                                  tmp_path) -> None:
    """Predictions' "Logistic Regression (brick)" columns: model over class on two
    header lines, each column as wide as its header; Copy/CSV keep the one-line name."""
    import numpy as np

    from petriflow.gui.views.export_actions import table_rows
    from petriflow.nodes.predictions import Predictions
    from tests.gui.test_views_predictions import (
        TABLES,
        FixedSettings,
        FixedTable,
        colour_images,
    )

    data = colour_images(tmp_path)
    TABLES["train"] = data.take(np.arange(0, len(data), 2))
    TABLES["test"] = data.take(np.arange(1, len(data), 2))
    win = make_window(reg=NodeRegistry([FixedTable, LogisticRegression, Predictions]))
    train = win.add_node("tests.fixed_table", settings=FixedSettings("train"))
    test = win.add_node("tests.fixed_table", settings=FixedSettings("test"))
    lr, pred = win.add_node("petriflow.logistic_regression"), win.add_node(
        "petriflow.predictions")
    for a, out, b, inp in ((train, "Data", lr, "Data"), (lr, "Model", pred, "Predictors"),
                           (test, "Data", pred, "Data")):
        win.undo_stack.push(AddLinkCommand(win.workflow, a, out, b, inp))
    wait_settled(qtbot, win, timeout=60_000)
    view = win.open_node(pred)
    qtbot.waitExposed(view)
    qtbot.wait(50)
    names = [c[1] for c in view.model.columns]
    col = names.index("Logistic Regression (red)")
    shown = view.model.headerData(col, view.table.horizontalHeader().orientation())
    assert shown == "Logistic Regression\n(red)"
    clipped = [c for c in _clipped(view.table)
               if "Logistic Regression" in c.split(" needs")[0]]
    assert clipped == []
    assert "Logistic Regression (red)" in table_rows(view.model)[0]
