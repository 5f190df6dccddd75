"""Scatter Plot view: the projections' scatter (:mod:`._projection`) on two chosen columns.

The columns come from the node's ``attr_x``/``attr_y`` settings (two combos write them;
view settings: the node does not re-run, the selection does not depend on them). Unlike a
map, the axes carry units: ticks and names are shown and the aspect is free.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import AutoLocator
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade
from petriflow.gui.views._projection import ProjectionView
from petriflow.nodes.scatter_plot import axis_values, choose_axes, plottable_columns

__all__ = ["ScatterPlotView"]


class ScatterPlotView(ProjectionView):
    """Two columns of the data, selectable like a projection."""

    coords = ("", "")

    def __init__(self, node: NodeFacade) -> None:
        self.axes: tuple[str, str] = ("", "")
        super().__init__(node)

    def add_controls(self, bar: QHBoxLayout) -> None:
        self.x_combo, self.y_combo = QComboBox(), QComboBox()
        for label, combo in (("x:", self.x_combo), ("y:", self.y_combo)):
            combo.setToolTip("Column on this axis")
            combo.currentIndexChanged.connect(self._on_axes_changed)
            bar.addWidget(QLabel(label))
            bar.addWidget(combo)

    def axis_names(self) -> tuple[str, str]:
        return self.axes

    def _coordinates(self, table: Table) -> np.ndarray | None:
        x, y = self.axes
        if not x or not y or x not in table.column_names or y not in table.column_names:
            return None
        return np.column_stack([axis_values(table, x), axis_values(table, y)])

    def _draw(self, table: Table | None) -> None:
        names = plottable_columns(table) if table is not None else []
        s = self.settings
        x, y = self.axes = choose_axes(names, s.attr_x, s.attr_y)
        for combo, axis in ((self.x_combo, x), (self.y_combo, y)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            if axis in names:
                combo.setCurrentIndex(names.index(axis))
            combo.blockSignals(False)
        super()._draw(table)
        if self.points is not None:  # measured columns: ticks and a free aspect
            self.ax.set_aspect("auto")
            self.ax.xaxis.set_major_locator(AutoLocator())
            self.ax.yaxis.set_major_locator(AutoLocator())
            self.canvas.draw_idle()

    def on_settings(self) -> None:
        if (self.settings.attr_x, self.settings.attr_y) != self.axes and self.table is not None:
            self._draw(self.table)
        super().on_settings()

    def set_axes(self, x: str, y: str) -> None:
        """Show columns ``x`` and ``y``."""
        self.x_combo.setCurrentText(x)
        self.y_combo.setCurrentText(y)

    def _on_axes_changed(self, _index: int) -> None:
        x, y = self.x_combo.currentText(), self.y_combo.currentText()
        if x and y and (x, y) != self.axes:
            self.set_settings(attr_x=x, attr_y=y)  # a view setting: no re-run
            self._draw(self.table)


@register_view("petriflow.scatter_plot")
def make_view(node: NodeFacade) -> QWidget:
    return ScatterPlotView(node)
