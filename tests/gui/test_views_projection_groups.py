"""Selection groups in the projection scatter (issue 16.3), as in Orange's scatter plot:
two lassos drawn with the real mouse, the second with Shift+Ctrl, make two groups; the
node's Selected Data has a ``Selected`` column G1/G2 and its annotated Data marks every
row's group ("Unselected" for the rest). The groups are saved with the workflow (plain
literals in the selection's identity context), restored on the same data, dropped with
a note on other data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtCore import QEvent, QPoint, QPointF, Qt
from PyQt6.QtGui import QMouseEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from petriflow.core.ows import load_workflow, save_workflow, workflow_to_bytes
from petriflow.core.registry import NodeRegistry
from petriflow.core.scheduler import NodeState, Scheduler
from petriflow.gui.views.plot.groups import combine
from petriflow.nodes.pca import PCA
from petriflow.nodes.scatter_plot import ScatterPlot
from tests.gui.test_views_projection_plot import N, Pics, folder, open_view
from tests.gui.views_helpers import wait_settled

__all__ = ["folder"]  # the fixture, used by name below

NEW_GROUP = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(make_window):
    return make_window(reg=NodeRegistry([Pics, PCA, ScatterPlot]))


def move(widget, pos: QPoint, mods) -> None:
    """A move with the left button held and ``mods`` (QTest.mouseMove sends no buttons)."""
    QApplication.sendEvent(widget, QMouseEvent(
        QEvent.Type.MouseMove, QPointF(pos), QPointF(widget.mapToGlobal(pos)),
        Qt.MouseButton.NoButton, Qt.MouseButton.LeftButton, mods))


def lasso(view, rows: np.ndarray, mods=Qt.KeyboardModifier.NoModifier) -> None:
    """A free-hand outline (a hexagon) 10 px around the points of ``rows``."""
    px = [view.data_to_widget(*view.xy[r]) for r in rows]
    x0, x1 = min(p.x() for p in px) - 10, max(p.x() for p in px) + 10
    y0, y1 = min(p.y() for p in px) - 10, max(p.y() for p in px) + 10
    xm = (x0 + x1) // 2
    pts = [QPoint(x0, y0), QPoint(xm, y0 - 4), QPoint(x1, y0), QPoint(x1, y1),
           QPoint(xm, y1 + 4), QPoint(x0, y1)]
    canvas = view.canvas
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, mods, pts[0])
    for a, b in zip(pts, pts[1:] + pts[:1], strict=True):
        for i in range(1, 5):
            move(canvas, a + (b - a) * (i / 4), mods)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, mods, pts[0])


def groups_of(table) -> list[str]:
    return [str(v) for v in table.metas["Selected"]]


@pytest.mark.parametrize("node", ["petriflow.pca", "petriflow.scatter_plot"])
def test_two_lassos_with_the_group_modifier_make_two_groups(window, qtbot, folder, node,
                                                            tmp_path) -> None:
    proj, view = open_view(window, qtbot, node, folder=str(folder))
    view.lasso_button.setChecked(True)
    labels = np.arange(N) % 3
    c0, c1 = np.flatnonzero(labels == 0), np.flatnonzero(labels == 1)
    lasso(view, c0)
    lasso(view, c1, NEW_GROUP)
    wf = window.workflow
    s = wf.node(proj).settings
    assert s.selected == sorted([*c0, *c1])
    wait_settled(qtbot, window, timeout=60_000)
    selected = window.scheduler.output(proj, "Selected Data")
    want = ["G1" if labels[r] == 0 else "G2" for r in sorted([*c0, *c1])]
    assert groups_of(selected) == want
    annotated = window.scheduler.output(proj, "Data")
    assert groups_of(annotated) == [["G1", "G2", "Unselected"][k] for k in labels]
    assert "2 groups" in view.count_label.text()
    # the rings tell the groups apart: two ring colours among the drawn styles
    assert len({ring for *_, ring in view.points.styles if ring}) == 2

    # Shift adds to the last group; a plain lasso starts over with one group
    c2 = np.flatnonzero(labels == 2)
    lasso(view, c2, Qt.KeyboardModifier.ShiftModifier)
    assert view._selection() == (list(range(N)), [int(k in (1, 2)) + 1 for k in labels])

    # saved with the workflow: restored on the same data, dropped on other data
    lasso(view, c0)
    lasso(view, c2, NEW_GROUP)
    wait_settled(qtbot, window, timeout=60_000)
    path = tmp_path / "w.ows"
    save_workflow(wf, path)
    again = load_workflow(path, registry=NodeRegistry([Pics, PCA, ScatterPlot]))
    assert workflow_to_bytes(again) == path.read_bytes()  # literals only
    src = next(n.id for n in again.nodes if n.node_type is Pics)
    with Scheduler(again) as scheduler:
        assert scheduler.wait(60)
        out = scheduler.output(proj, "Selected Data")
        assert groups_of(out) == ["G1" if labels[r] == 0 else "G2"
                                  for r in sorted([*c0, *c2])]
        other = tmp_path / "other"
        other.mkdir()
        again.update_settings(src, folder=str(other))
        assert scheduler.wait(60)
        assert scheduler.output(proj, "Selected Data") is None
        assert (scheduler.output(proj, "Data").metas["Selected"] == "No").all()
        status = scheduler.status(proj)
        assert status.state is NodeState.WARNING and "other data" in status.message


def test_group_box_picks_the_group_a_shift_lasso_adds_to(window, qtbot, folder) -> None:
    """The Group box says where a Shift drag goes: it follows a Shift+Ctrl lasso's new
    group, the user steps it back with a real click on its down arrow, and the next
    Shift lasso adds to G1; the count names the groups in their ring colours."""
    proj, view = open_view(window, qtbot, "petriflow.pca", folder=str(folder))
    view.lasso_button.setChecked(True)
    labels = np.arange(N) % 3
    c0, c1, c2 = (np.flatnonzero(labels == k) for k in range(3))
    box = view.group_box
    assert box.value() == 1 and box.isVisible()
    lasso(view, c0)
    lasso(view, c1, NEW_GROUP)
    assert box.value() == 2  # the box follows the new group
    assert box.text() == "Group G2"
    # the user steps back to G1 with the spin box's down arrow (a real click)
    opt_rect = box.rect()
    QTest.mouseClick(box, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(opt_rect.right() - 5, opt_rect.bottom() - 4))
    assert box.value() == 1
    lasso(view, c2, Qt.KeyboardModifier.ShiftModifier)
    rows, groups = view._selection()
    assert rows == list(range(N))
    assert groups == [2 if k == 1 else 1 for k in labels]
    text = view.count_label.text()
    assert f"G1&nbsp;{len(c0) + len(c2)}" in text and f"G2&nbsp;{len(c1)}" in text
    # the key 2 on the plot picks G2: a Shift lasso moves c0 into it
    view.plot.setFocus()
    QTest.keyClick(view.plot, Qt.Key.Key_2)
    assert box.value() == 2
    lasso(view, c0, Qt.KeyboardModifier.ShiftModifier)
    assert view._selection()[1] == [1 if k == 2 else 2 for k in labels]
    # a plain lasso starts over: one group, the box back at G1
    lasso(view, c0)
    assert view._selection() == (sorted(c0.tolist()), [1] * len(c0))
    assert box.value() == 1
    wait_settled(qtbot, window, timeout=60_000)
    assert groups_of(window.scheduler.output(proj, "Data"))[:3] == ["Yes", "No", "No"]


def test_combine_follows_orange() -> None:
    none = Qt.KeyboardModifier.NoModifier
    rows, groups = combine([], [], np.array([1, 2]), none)
    assert (rows, groups) == ([1, 2], [1, 1])
    rows, groups = combine(rows, groups, np.array([2, 5]), NEW_GROUP)
    assert (rows, groups) == ([1, 2, 5], [1, 2, 2])  # 2 moved to the new group
    rows, groups = combine(rows, groups, np.array([7]), Qt.KeyboardModifier.ShiftModifier)
    assert (rows, groups) == ([1, 2, 5, 7], [1, 2, 2, 2])  # Shift: the last group
    rows, groups = combine(rows, groups, np.array([1, 5]), Qt.KeyboardModifier.ControlModifier)
    assert (rows, groups) == ([2, 7], [2, 2])
    assert combine(rows, groups, np.array([3]), none) == ([3], [1])
    # the Group box's target: Shift moves the points into it; past the last: a new one
    shift = Qt.KeyboardModifier.ShiftModifier
    assert combine([1, 2], [1, 2], np.array([2, 4]), shift, target=1) == ([1, 2, 4],
                                                                         [1, 1, 1])
    assert combine([1], [1], np.array([4]), shift, target=5) == ([1, 4], [1, 2])


def test_positions_set_by_code_stay_one_group(tmp_path: Path) -> None:
    """A selection without groups writes the Yes/No flag every selecting node writes."""
    from petriflow.core.node import Progress
    from petriflow.nodes._projection import grouped_selection_outputs
    from petriflow.nodes._selection import rows_context
    from tests.nodes.conftest import run_node

    pics = run_node(Pics, {}, folder=str(tmp_path))["Data"]
    prog = Progress()
    out = grouped_selection_outputs(pics, [0, 1], {}, prog)
    assert groups_of(out["Data"])[:3] == ["Yes", "Yes", "No"]
    context = rows_context(pics, [0, 1, 4], groups=[1, 3, 3])
    assert context["groups"] == [1, 3, 3]
    out = grouped_selection_outputs(pics, [0, 1, 4], context, prog)
    assert groups_of(out["Selected Data"]) == ["G1", "G3", "G3"]


def test_pca_groups_reach_a_downstream_scatter_plot(window, qtbot, folder) -> None:
    """PCA's G1/G2 (two real lassos) survive a Scatter Plot after it: the Scatter Plot's
    own flag is named as Orange names it, ``Selected (1)``, and the next one
    ``Selected (2)``; the upstream ``Selected`` column is passed on untouched."""
    from petriflow.core.node import Progress
    from petriflow.nodes._projection import grouped_selection_outputs
    from petriflow.nodes._selection import rows_context
    from tests.nodes.conftest import run_node

    proj, view = open_view(window, qtbot, "petriflow.pca", folder=str(folder))
    view.lasso_button.setChecked(True)
    labels = np.arange(N) % 3
    lasso(view, np.flatnonzero(labels == 0))
    lasso(view, np.flatnonzero(labels == 1), NEW_GROUP)
    wait_settled(qtbot, window, timeout=60_000)
    pca_data = window.scheduler.output(proj, "Data")
    want = [["G1", "G2", "Unselected"][k] for k in labels]
    assert groups_of(pca_data) == want

    scatter = run_node(ScatterPlot, {"Data": pca_data}, selected=[0, 2])
    out = scatter["Data"]
    assert groups_of(out) == want  # PCA's groups, not overwritten
    assert list(out.metas["Selected (1)"][:4]) == ["Yes", "No", "Yes", "No"]
    assert groups_of(scatter["Selected Data"]) == [want[0], want[2]]
    # groups in the downstream plot too: a new column again, numbered on
    context = rows_context(out, [1, 3], groups=[1, 2])
    again = grouped_selection_outputs(out, [1, 3], context, Progress())
    assert list(again["Data"].metas["Selected (2)"][:4]) == ["Unselected", "G1", "Unselected",
                                                             "G2"]
    assert groups_of(again["Data"]) == want
    assert list(again["Data"].metas["Selected (1)"]) == list(out.metas["Selected (1)"])


def test_unique_name_follows_orange() -> None:
    from petriflow.analysis.selection import is_selection_meta, unique_name

    assert unique_name(["a"], "Selected") == "Selected"
    assert unique_name(["Selected"], "Selected") == "Selected (1)"
    assert unique_name(["Selected", "Selected (1)"], "Selected") == "Selected (2)"
    assert unique_name(["Selected (3)"], "Selected") == "Selected (4)"
    assert is_selection_meta("Selected (12)") and not is_selection_meta("Selected x")
