"""Scatter Plot view: the projection scatter on two chosen columns; the combos write the
node's attr_x/attr_y, and a real mouse drag selects exactly the points inside."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import QPoint

from petriflow.core.registry import NodeRegistry
from petriflow.nodes.scatter_plot import ScatterPlot
from tests.gui.test_views_projections import N, Blobs, drag, gap_cut, projection_view
from tests.gui.views_helpers import ids


@pytest.fixture
def window(make_window):
    return make_window(reg=NodeRegistry([Blobs, ScatterPlot]))


def test_scatter_plot_axes_and_rectangle_selection(window, qtbot) -> None:
    win = window
    node, view = projection_view(win, qtbot, "petriflow.scatter_plot")
    data = win.scheduler.output(node, "Data")
    # the first two plottable columns by default, with ticks (not a map's bare axes)
    assert view.axes == ("a", "b")
    np.testing.assert_allclose(view.xy, data.X[:, :2])
    assert view.ax.get_xlabel() == "a" and len(view.ax.get_xticks()) > 0
    # the combos write the node's settings; the points move to the new columns
    view.set_axes("c", "group")
    assert (win.workflow.node(node).settings.attr_x,
            win.workflow.node(node).settings.attr_y) == ("c", "group")
    np.testing.assert_allclose(view.xy[:, 0], data.X[:, 2])
    assert set(view.xy[:, 1].tolist()) == {0.0, 1.0}  # text categories at their index
    view.set_axes("a", "b")
    xy = data.X[:, :2].astype(float)
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
