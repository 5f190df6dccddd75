"""Distances view: the node's warning is shown with the output, not replaced by it.

Found in the Xvfb walk-through: Jaccard on the clustering example's embeddings put an
amber badge on the canvas node ("Jaccard distance treats every nonzero value as 1"),
while the view said only "Output: 48 × 48 jaccard distances."."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from petriflow.core.scheduler import NodeState
from tests.gui.views_helpers import CLUSTERING, node_by_title, open_example, wait_settled


def test_jaccard_warning_is_shown_beside_the_output(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    nid = node_by_title(win, "Distances")
    wait_settled(qtbot, win)
    view = win.open_node(nid)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.status_label.text() == "Output: 48 × 48 Cosine distances.",
                    timeout=10_000)
    combo = view.metric_combo
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_End)  # the last metric: Jaccard
    assert win.workflow.node(nid).settings.metric == "jaccard"
    qtbot.waitUntil(lambda: win.scheduler.status(nid).state == NodeState.WARNING,
                    timeout=30_000)
    # the output and the status reach the view as two queued signals: wait for both
    qtbot.waitUntil(lambda: "Jaccard distances" in view.status_label.text()
                    and "nonzero" in view.status_label.text(), timeout=5_000)
    text = view.status_label.text()
    assert "Output: 48 × 48 Jaccard distances." in text
    assert "treats every nonzero value as 1" in text
    win.undo_stack.undo()  # back to cosine: the warning goes
    qtbot.waitUntil(lambda: view.status_label.text() == "Output: 48 × 48 Cosine distances.",
                    timeout=30_000)
