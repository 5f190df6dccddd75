"""Scatter Plot view: the projections' scatter (:mod:`._projection`) on two chosen columns.

The columns come from the node's ``attr_x``/``attr_y`` settings (the two combos of
:class:`ChosenAxesView` write them; view settings: the node does not re-run, the
selection does not depend on them). Unlike a map, the axes carry units: ticks and names
are shown and the aspect is free.
"""

from __future__ import annotations

import numpy as np
from PyQt6.QtWidgets import QWidget

from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade
from petriflow.gui.views._projection import ChosenAxesView
from petriflow.nodes.scatter_plot import axis_values, choose_axes, plottable_columns

__all__ = ["ScatterPlotView"]


class ScatterPlotView(ChosenAxesView):
    """Two columns of the data, selectable like a projection."""

    coords = ("", "")
    ticks = True  # measured columns: ticks and a free aspect

    def _coordinates(self, table: Table) -> np.ndarray | None:
        x, y = self.axes
        if not x or not y or x not in table.column_names or y not in table.column_names:
            return None
        return np.column_stack([axis_values(table, x), axis_values(table, y)])

    def _draw(self, table: Table | None) -> None:
        names = plottable_columns(table) if table is not None else []
        self.plottable = names
        self.axes = choose_axes(names, self.settings.attr_x, self.settings.attr_y)
        self.fill_axis_combos(names)
        super()._draw(table)

    def on_settings(self) -> None:
        s = self.settings
        if (self.table is not None  # e.g. an undo; unset settings mean the first columns
                and choose_axes(self.plottable, s.attr_x, s.attr_y) != self.axes):
            self._draw(self.table)
        super().on_settings()

    def axes_chosen(self, x: str, y: str) -> None:
        self.axes = (x, y)  # first, so that on_settings finds nothing to redraw
        self.set_settings(attr_x=x, attr_y=y)  # saved with the workflow
        self._draw(self.table)


@register_view("petriflow.scatter_plot")
def make_view(node: NodeFacade) -> QWidget:
    return ScatterPlotView(node)
