"""PCA view: the shared projection scatter (:mod:`._projection`) with a choice of axes.

The node appends every kept component as a meta (``PC1``, ``PC2``, …); two combos pick
which go on x and y (PC1 × PC2 by default). The choice belongs to the view; the
selection (row positions) does not depend on it. The share of the variance that the two
components on the axes explain (from the node's Components output) is shown bottom right.
"""

from __future__ import annotations

import re

import numpy as np
from PyQt6.QtWidgets import QWidget

from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade
from petriflow.gui.views._projection import ChosenAxesView

__all__ = ["PCAView"]

_PC = re.compile(r"^PC(\d+)$")


class PCAView(ChosenAxesView):
    """Scatter of two principal components."""

    coords = ("PC1", "PC2")
    axis_tooltip = "Principal component on this axis"

    @staticmethod
    def components(table: Table | None) -> list[str]:
        if table is None:
            return []
        names = [n for n in table.metas if _PC.match(n)]
        return sorted(names, key=lambda n: int(_PC.match(n).group(1)))  # type: ignore[union-attr]

    def _draw(self, table: Table | None) -> None:
        names = self.components(table)
        if not all(a in names for a in self.axes):
            self.axes = self.coords
        self.fill_axis_combos(names)
        super()._draw(table)

    def after_result(self) -> None:
        self._show_variance()

    def _show_variance(self) -> None:
        comps = self.outputs().get("Components")
        text = ""
        if comps is not None and "variance" in comps.metas:
            names = [str(v) for v in comps.metas["component"]]
            var = np.asarray(comps.metas["variance"], dtype=float)
            parts = [f"{a} {100 * var[names.index(a)]:.1f} %" for a in self.axes if a in names]
            if parts:
                text = ", ".join(parts) + " of the variance explained"
        self.stress_label.setText(text)

    def axes_chosen(self, x: str, y: str) -> None:
        super().axes_chosen(x, y)
        self._show_variance()


@register_view("petriflow.pca")
def make_view(node: NodeFacade) -> QWidget:
    return PCAView(node)
