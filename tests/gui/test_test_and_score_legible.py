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
