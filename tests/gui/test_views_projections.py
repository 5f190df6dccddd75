"""PCA and t-SNE views (the scatter shared with MDS) on three blobs: a rectangle drag
with the real mouse selects exactly the points inside it, in the node's ``selected``
setting and its Selected Data output; shapes by a column; lasso selection."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from PyQt6.QtCore import QEvent, QPoint, QPointF, Qt
from PyQt6.QtGui import QMouseEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from petriflow.core.node import Node, Output
from petriflow.core.registry import NodeRegistry
from petriflow.core.table import Table
from petriflow.gui.undo import AddLinkCommand
from petriflow.nodes.pca import PCA
from petriflow.nodes.tsne import TSNE
from tests.gui.views_helpers import ids, wait_settled

N = 60


@dataclass
class BlobsSettings:
    seed: int = 0


class Blobs(Node):
    """60 rows in three well separated 4-D blobs; class and a 'group' text meta."""

    qualified_name = "tests.blobs"
    name = "Blobs"
    outputs = (Output("Data", Table),)
    Settings = BlobsSettings

    def run(self, inputs, progress, cancel):
        rng = np.random.default_rng(self.settings.seed)
        centers = np.array([[0, 0, 0, 0], [8, 0, 4, 0], [0, 8, 0, 4]], dtype=float)
        labels = np.repeat(np.arange(3), N // 3)
        X = centers[labels] + rng.normal(0, 0.7, (N, 4))
        return {"Data": Table.from_arrays(
            X, ["a", "b", "c", "d"], classes=[f"blob{k}" for k in labels],
            metas={"group": ["even" if i % 2 else "odd" for i in range(N)]})}


@pytest.fixture
def window(make_window):
    return make_window(reg=NodeRegistry([Blobs, PCA, TSNE]))


def projection_view(win, qtbot, qualified_name: str, **settings):
    src = win.add_node("tests.blobs")
    proj = win.add_node(qualified_name)
    if settings:
        from petriflow.gui.undo import SettingsCommand

        win.undo_stack.push(SettingsCommand(win.workflow, proj, **settings))
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", proj, "Data"))
    wait_settled(qtbot, win, timeout=60_000)
    view = win.open_node(proj)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: len(view.xy) == N, timeout=10_000)
    return proj, view


def gap_cut(x: np.ndarray) -> float:
    xs = np.sort(x)
    lo, hi = len(xs) // 4, 3 * len(xs) // 4
    k = lo + int(np.argmax(np.diff(xs[lo:hi + 1])))
    return float(xs[k] + xs[k + 1]) / 2


def move_pressed(widget, pos: QPoint) -> None:
    """A mouse move with the left button held (QTest.mouseMove sends no buttons)."""
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos),
                        QPointF(widget.mapToGlobal(pos)), Qt.MouseButton.NoButton,
                        Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def drag(canvas, a: QPoint, b: QPoint) -> None:
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for i in range(1, 6):
        QTest.mouseMove(canvas, a + (b - a) * (i / 5))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def check_rectangle_selection(win, qtbot, node: str, view, coords: tuple[str, str]) -> None:
    data = win.scheduler.output(node, "Data")
    # independent of the view: the coordinates the node put on its output
    xy = np.column_stack([np.asarray(data.metas[c], dtype=float) for c in coords])
    np.testing.assert_allclose(view.xy, xy)
    check_drag_selects(win, qtbot, node, view, xy)


def check_drag_selects(win, qtbot, node: str, view, xy: np.ndarray) -> None:
    """Drag over the points of ``xy`` left of a gap: exactly those become selected (also
    Scatter Plot's view, whose coordinates are columns, not metas); a click clears."""
    data = win.scheduler.output(node, "Data")
    # a rectangle around the points left of a cut, with the real mouse; the cut lies
    # in the widest gap between the middle half of the x values (no pixel rounding ties)
    mid_x = gap_cut(xy[:, 0])
    lo = view.data_to_widget(xy[:, 0].min(), xy[:, 1].max())
    hi = view.data_to_widget(mid_x, xy[:, 1].min())
    a, b = lo - QPoint(4, 4), hi + QPoint(0, 4)
    drag(view.canvas, a, b)
    px = [view.data_to_widget(x, y) for x, y in xy]
    expected = sorted(i for i, p in enumerate(px)
                      if a.x() <= p.x() <= b.x() and a.y() <= p.y() <= b.y())
    assert 0 < len(expected) < N
    assert win.workflow.node(node).settings.selected == expected
    want = {int(data.row_ids[i]) for i in expected}
    qtbot.waitUntil(lambda: ids(win.scheduler.output(node, "Selected Data")) == want,
                    timeout=30_000)
    # a click without a drag clears
    QTest.mouseClick(view.canvas, Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, a)
    assert win.workflow.node(node).settings.selected == []


def test_pca_view_rectangle_selection_and_axes(window, qtbot) -> None:
    win = window
    pca, view = projection_view(win, qtbot, "petriflow.pca")
    assert view.axis_names() == ("PC1", "PC2")
    assert "PC1" in view.stress_label.text() and "variance" in view.stress_label.text()
    check_rectangle_selection(win, qtbot, pca, view, ("PC1", "PC2"))
    # other components on the axes: the same selection logic on PC2 × PC3
    view.set_axes("PC2", "PC3")
    assert view.axis_names() == ("PC2", "PC3")
    assert view.ax.get_xlabel() == "PC2"
    assert "PC3" in view.stress_label.text()
    check_rectangle_selection(win, qtbot, pca, view, ("PC2", "PC3"))


def test_tsne_view_rectangle_selection(window, qtbot) -> None:
    win = window
    tsne, view = projection_view(win, qtbot, "petriflow.tsne", max_iter=250,
                                 perplexity=10.0)
    check_rectangle_selection(win, qtbot, tsne, view, ("t-SNE-x", "t-SNE-y"))


def test_shape_by_column_and_lasso_selection(window, qtbot) -> None:
    win = window
    pca, view = projection_view(win, qtbot, "petriflow.pca")
    items = [view.shape_combo.itemText(i) for i in range(view.shape_combo.count())]
    assert "group" in items
    view.shape_combo.setCurrentText("group")
    data = win.scheduler.output(pca, "Data")
    group = np.asarray(data.metas["group"])
    codes = view.shape_codes
    assert len(set(codes[group == "odd"])) == 1 and len(set(codes[group == "even"])) == 1
    assert codes[group == "odd"][0] != codes[group == "even"][0]
    assert len(view.points.symbols) == N

    # lasso: an outline 4 px around the points left of a cut, drawn with the mouse
    view.lasso_button.setChecked(True)
    xy = view.xy
    cut = view.data_to_widget(gap_cut(xy[:, 0]), 0.0).x()
    bottom_left = view.data_to_widget(xy[:, 0].min(), xy[:, 1].min())
    top_left = view.data_to_widget(xy[:, 0].min(), xy[:, 1].max())
    pts = [bottom_left + QPoint(-4, 4), QPoint(cut, bottom_left.y() + 4),
           QPoint(cut, top_left.y() - 4), top_left + QPoint(-4, -4)]
    canvas = view.canvas
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     pts[0])
    for p, q in zip(pts, pts[1:] + pts[:1], strict=True):
        for i in range(1, 6):
            move_pressed(canvas, p + (q - p) * (i / 5))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       pts[0])
    px = [view.data_to_widget(x, y) for x, y in xy]
    left, right = pts[0].x(), pts[1].x()
    # points clearly inside / outside the drawn quadrilateral (pixel rounding aside)
    inside = {i for i, p in enumerate(px) if left + 2 < p.x() < right - 2}
    outside = {i for i, p in enumerate(px) if p.x() > right + 2}
    selected = set(win.workflow.node(pca).settings.selected)
    assert inside and inside <= selected
    assert outside and not (outside & selected)
    # rectangle drags do nothing while the lasso is on
    assert view._press is None


def test_shape_and_lasso_are_saved_without_a_rerun_and_restored(window, qtbot) -> None:
    win = window
    pca, view = projection_view(win, qtbot, "petriflow.pca")
    runs = win.scheduler.status(pca).runs
    view.shape_combo.setCurrentText("group")
    view.lasso_button.setChecked(True)
    s = win.workflow.node(pca).settings
    assert (s.shape_column, s.lasso) == ("group", True)
    qtbot.wait(200)
    assert win.scheduler.status(pca).runs == runs  # view settings: the layout stays
    codes = view.shape_codes.copy()

    view.close()
    qtbot.waitUntil(lambda: win.live_view(pca) is None, timeout=2_000)
    again = win.open_node(pca)
    qtbot.waitExposed(again)
    assert again is not view
    assert again.shape_combo.currentText() == "group"
    assert again.lasso_button.isChecked() and again.lasso is not None
    np.testing.assert_array_equal(again.shape_codes, codes)

    win.undo_stack.undo()  # lasso off, then shapes off: edits like any other
    assert not again.lasso_button.isChecked()
    win.undo_stack.undo()
    assert again.shape_combo.currentText() == "(none)"
    assert (again.shape_codes == 0).all()
