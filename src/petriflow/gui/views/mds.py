"""MDS view: the 2-D layout as a scatter plot (see :mod:`._projection`), with stress.

The layout is redrawn on every partial result of the running optimisation; the Kruskal
stress shown is the node's own (:func:`petriflow.nodes.mds.layout_stress` reads it from
the output), measured against the distances the node used, never recomputed here.
"""

from __future__ import annotations

from PyQt6.QtWidgets import QWidget

from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade
from petriflow.gui.views._projection import CLICK_PIXELS, ProjectionView
from petriflow.nodes.mds import COORDS, layout_stress

__all__ = ["CLICK_PIXELS", "MDSView"]


class MDSView(ProjectionView):
    """Scatter of the MDS layout; the Kruskal stress below it."""

    coords = COORDS
    status_keyword = "stress"

    def after_result(self) -> None:
        stress = layout_stress(self.outputs().get("Data"))
        self.stress_label.setText("" if stress is None else f"Kruskal stress {stress:.4f}")


@register_view("petriflow.mds")
def make_view(node: NodeFacade) -> QWidget:
    return MDSView(node)
