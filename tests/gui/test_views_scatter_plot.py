"""Scatter Plot view: the projection scatter on two chosen columns; the combos write the
node's attr_x/attr_y, and a real mouse drag selects exactly the points inside."""

from __future__ import annotations

import numpy as np
import pytest

from petriflow.core.registry import NodeRegistry
from petriflow.nodes.scatter_plot import ScatterPlot
from tests.gui.test_views_projections import Blobs, check_drag_selects, projection_view


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
    check_drag_selects(win, qtbot, node, view, data.X[:, :2].astype(float))
