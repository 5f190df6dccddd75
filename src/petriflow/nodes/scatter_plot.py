"""Scatter Plot: any two columns against each other, with the projections' selection.

Why a projection node: the scatter view of MDS/PCA/t-SNE (subset emphasis, shapes,
rectangle and lasso selection, selection contexts) is what a user wants on two measured
columns too — "which images have a large area and a low intensity?". So this node is a
:class:`ProjectionNode` whose layout is two columns of its input rather than a computed
map; nothing is appended to the rows (the columns are already there).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from petriflow.core.node import CancelToken, NodeError, Progress
from petriflow.core.table import Table
from petriflow.nodes._projection import (
    PROJECTION_VIEW_SETTINGS,
    ProjectionNode,
    ProjectionSettings,
    grouped_selection_outputs,
    orange_selection,
)
from petriflow.nodes._shared import check_subset, column_numbers

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


def plottable_columns(table: Table) -> list[str]:
    """Columns that can go on an axis: numbers, the class and few-valued text (as codes)."""
    out = list(table.feature_names)
    if table.class_name is not None:
        out.append(table.class_name)
    for name, values in table.metas.items():
        if np.asarray(values).dtype.kind in "fiub" or len(set(values.tolist())) <= 20:
            out.append(name)
    return out


def choose_axes(names: list[str], x: str, y: str) -> tuple[str, str]:
    """``x`` and ``y`` where they are among ``names``, else the first two of ``names``
    (node and view pick the same columns)."""
    if not names:
        return "", ""
    x = x if x in names else names[0]
    return x, (y if y in names else next((n for n in names if n != x), x))


def axis_values(table: Table, name: str) -> np.ndarray:
    """Column ``name`` as positions on an axis: numbers as they are, categories (the
    class, text) as their index in sorted order, missing as NaN."""
    numbers = column_numbers(table, name)
    if numbers is not None:
        return numbers
    labels = [str(v) for v in table.column(name).tolist()]
    order = {v: i for i, v in enumerate(sorted({v for v in labels if v}))}
    return np.array([order.get(v, np.nan) for v in labels], dtype=np.float64)


class ScatterPlot(ProjectionNode):
    qualified_name = "petriflow.scatter_plot"
    name = "Scatter Plot"
    category = "Data"  # the toolbox's Data group (Orange: Visualize)
    icon = "scatter-plot"
    description = "Plot two columns against each other and select points."
    keywords = ("scatter", "plot", "two columns", "xy", "visualize")
    priority = 60
    replaces = ("Orange.widgets.visualize.owscatterplot.OWScatterPlot",)
    #: the axes are the view's: changing them does not re-run the node
    view_settings = (*PROJECTION_VIEW_SETTINGS, "attr_x", "attr_y")

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Scatter Plot: ``attr_x``/``attr_y`` from the context, the selection."""
        used = {"selection", "selection_group", "attr_x", "attr_y", "auto_sample",
                "auto_send_selection", "toolbar_selection"}
        ctx = t.context_values(s)
        for key in ("attr_x", "attr_y"):
            name = ctx.get(key, s.get(key))
            if isinstance(name, list | tuple) and name:
                name = name[0]
            if isinstance(name, str) and name:
                t.set(key, key, name)
        orange_selection(s, t)
        group = s.get("selection_group")  # older files: (row, group) pairs under this key
        if "selection" not in s and isinstance(group, list | tuple):
            rows = sorted({int(g[0]) for g in group if isinstance(g, list | tuple) and g
                           and t.as_int(g[0]) is not None})
            if rows:
                t.set("selection_group", "selected", rows)
        return used

    @dataclass
    class Settings(ProjectionSettings):
        #: the columns on the axes ("" = the first two plottable columns)
        attr_x: str = ""
        attr_y: str = ""

    def axes(self, data: Table, progress: Progress) -> tuple[str, str]:
        """The two columns shown: the settings', else the first plottable ones (a saved
        column the data lacks is replaced, with a warning: the axes are only a view)."""
        names = plottable_columns(data)
        if not names:
            raise NodeError("The data has no column that can be plotted.")
        x, y = self.settings.attr_x, self.settings.attr_y
        for chosen in (x, y):
            if chosen and chosen not in names:
                progress.warn(f"The column {chosen!r} is not in the data (or cannot be "
                              "plotted); another is shown.")
        return choose_axes(names, x, y)

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        check_subset(data, inputs.get("Data Subset"), progress)
        x, y = self.axes(data, progress)
        cancel.check()
        s = self.settings
        out = grouped_selection_outputs(data, s.selected, s.selection_context, progress,
                                        self.context.workflow_dir)
        missing = int(np.count_nonzero(np.isnan(axis_values(data, x))
                                       | np.isnan(axis_values(data, y))))
        if missing:
            progress.info(f"{missing} row(s) have no value on an axis and are not drawn.")
        progress(100, f"{x} × {y}")
        return out
