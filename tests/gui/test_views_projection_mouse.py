"""Every projection view with the real mouse (issue 16, "Done when"): in MDS, t-SNE,
PCA, UMAP and Scatter Plot, hovering a point shows that row's image, a lasso selects
exactly the rows whose points lie inside the outline drawn, and a legend click hides a
class (its points are neither drawn, nor hovered, nor selected).

The views share one scatter class, but each node lays the same rows out differently, so
each is driven on its own map; the expected rows come from the pixels of the node's own
output coordinates and a QPolygon of the outline, not from the view's hit testing."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtGui import QPolygon
from PyQt6.QtTest import QTest

from petriflow.core.registry import NodeRegistry
from petriflow.nodes.mds import MDS
from petriflow.nodes.pca import PCA
from petriflow.nodes.scatter_plot import ScatterPlot
from petriflow.nodes.tsne import TSNE
from petriflow.nodes.umap import UMAP
from tests.gui.test_views_projection_groups import move
from tests.gui.test_views_projection_plot import (
    CLASSES,
    N,
    Pics,
    colour,
    folder,
    hover,
    open_view,
)

__all__ = ["folder"]  # the fixture, used by name below

NODES = ["petriflow.mds", "petriflow.tsne", "petriflow.pca", "petriflow.umap",
         "petriflow.scatter_plot"]


@pytest.fixture
def window(make_window):
    return make_window(reg=NodeRegistry([Pics, MDS, TSNE, PCA, UMAP, ScatterPlot]))


def pixels(view) -> list[QPoint]:
    return [view.data_to_widget(*view.xy[r]) for r in range(N)]


def isolated_row(px: list[QPoint], rows) -> int:
    """The row among ``rows`` whose point is farthest (pixels) from every other point."""
    P = np.array([[p.x(), p.y()] for p in px], dtype=float)
    D = np.hypot(*(P[:, None, :] - P[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(D, np.inf)
    return max(rows, key=lambda r: D[r].min())


def draw_lasso(view, outline: list[QPoint]) -> None:
    canvas = view.canvas
    none = Qt.KeyboardModifier.NoModifier
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, none, outline[0])
    for a, b in zip(outline, outline[1:] + outline[:1], strict=True):
        for i in range(1, 5):
            move(canvas, a + (b - a) * (i / 4), none)
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, none, outline[0])


@pytest.mark.parametrize("node", NODES)
def test_hover_lasso_and_legend_with_the_real_mouse(window, qtbot, folder, node) -> None:
    proj, view = open_view(window, qtbot, node, folder=str(folder))
    out = window.scheduler.output(proj, "Data")
    # the view draws the node's own coordinates
    names = view.axis_names()
    xy = np.column_stack([np.asarray(out.metas[c] if c in out.metas else out.column(c),
                                     dtype=float) for c in names])
    np.testing.assert_allclose(view.xy, xy)
    labels = np.arange(N) % 3

    # hover: the isolated point's own image (row 0's file is missing: skip it)
    px = pixels(view)
    row = isolated_row(px, range(1, N))
    hover(view.canvas, px[row])
    qtbot.waitUntil(lambda: view.overlay.row == row and view.overlay.loaded, timeout=10_000)
    image = view.overlay.image.pixmap().toImage()
    got = image.pixelColor(image.width() // 2, image.height() // 2)
    assert (got.red(), got.green(), got.blue()) == colour(row)
    assert f"img{row}.png" in view.overlay.text.text()

    # lasso: a free-hand outline (a pentagon) over the left part of the map; its right
    # edge lies in the widest gap between the middle half of the points (pixel
    # rounding cannot put a point on either side), its bottom bulges below them all
    view.lasso_button.setChecked(True)
    qtbot.wait(50)  # the bars re-laid out: pixels of the points now
    px = pixels(view)
    xs = sorted(p.x() for p in px)
    lo, hi = N // 4, 3 * N // 4
    k = lo + int(np.argmax(np.diff(xs[lo:hi + 1])))
    cut = (xs[k] + xs[k + 1]) // 2
    top, bottom = min(p.y() for p in px) - 12, max(p.y() for p in px) + 12
    left = xs[0] - 12
    outline = [QPoint(left, top), QPoint(cut, top), QPoint(cut, bottom),
               QPoint((left + cut) // 2, bottom + 20), QPoint(left, bottom)]
    polygon = QPolygon(outline)
    want = [r for r in range(N) if polygon.containsPoint(px[r], Qt.FillRule.OddEvenFill)]
    assert 0 < len(want) < N
    draw_lasso(view, outline)
    assert window.workflow.node(proj).settings.selected == want

    # legend: a click hides c1; its points are not drawn, hovered or lassoed
    QTest.mouseClick(view.legend.buttons["c1"], Qt.MouseButton.LeftButton)
    assert window.workflow.node(proj).settings.hidden_values == ["c1"]
    assert set(view.shown.tolist()) == set(np.flatnonzero(labels != 1).tolist())
    hidden_row = isolated_row(px, np.flatnonzero(labels == 1).tolist())
    hover(view.canvas, px[hidden_row])
    qtbot.wait(50)
    assert view.overlay.row != hidden_row
    draw_lasso(view, outline)
    assert window.workflow.node(proj).settings.selected == [
        r for r in want if labels[r] != 1]
    assert list(view.legend.buttons) == list(CLASSES)


def test_pointer_on_the_legend_entry_just_hidden_fades_nothing(window, qtbot, folder) -> None:
    """Resting on a legend entry highlights its class (the others fade); once a click
    hid that class, the points still drawn stay full (they all faded, seen in Xvfb)."""
    from PyQt6.QtCore import QEvent, QPointF
    from PyQt6.QtGui import QEnterEvent
    from PyQt6.QtWidgets import QApplication

    _proj, view = open_view(window, qtbot, "petriflow.pca", folder=str(folder))
    button = view.legend.buttons["c1"]
    centre = QPointF(button.rect().center())
    QApplication.sendEvent(button, QEnterEvent(centre, centre,
                                               QPointF(button.mapToGlobal(centre))))
    alphas = {color.alpha() for _s, _px, color, _r in view.points.styles}
    assert alphas == {40, 255}  # c1 highlighted: the others faded
    QTest.mouseClick(view.legend.buttons["c1"], Qt.MouseButton.LeftButton)
    assert view.settings.hidden_values == ["c1"]
    assert {color.alpha() for _s, _px, color, _r in view.points.styles} == {255}
    QApplication.sendEvent(view.legend.buttons["c0"], QEvent(QEvent.Type.Leave))
