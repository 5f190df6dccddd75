"""t-SNE view: the shared projection scatter (:mod:`._projection`) on t-SNE-x × t-SNE-y."""

from __future__ import annotations

from PyQt6.QtWidgets import QWidget

from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade
from petriflow.gui.views._projection import ProjectionView
from petriflow.nodes.tsne import COORDS

__all__ = ["TSNEView"]


class TSNEView(ProjectionView):
    """Scatter of the t-SNE map."""

    coords = COORDS


@register_view("petriflow.tsne")
def make_view(node: NodeFacade) -> QWidget:
    return TSNEView(node)
