"""UMAP view: the shared projection scatter (:mod:`._projection`) on UMAP-x × UMAP-y."""

from __future__ import annotations

from PyQt6.QtWidgets import QWidget

from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade
from petriflow.gui.views._projection import ProjectionView
from petriflow.nodes.umap import COORDS

__all__ = ["UMAPView"]


class UMAPView(ProjectionView):
    """Scatter of the UMAP map."""

    coords = COORDS


@register_view("petriflow.umap")
def make_view(node: NodeFacade) -> QWidget:
    return UMAPView(node)
