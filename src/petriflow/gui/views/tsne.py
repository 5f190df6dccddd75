"""t-SNE view: the shared projection scatter (:mod:`._projection`) on t-SNE-x × t-SNE-y.

t-SNE runs for seconds to minutes on thousands of images, so the view shows the map
improving: the node publishes its layout every few iterations (``nodes/tsne.py``) and
the scatter moves its points to each one; a progress bar with Cancel stops the run
between iterations (the last drawn layout stays until the next run).
"""

from __future__ import annotations

from typing import cast

from PyQt6.QtWidgets import QVBoxLayout, QWidget

from petriflow.core.scheduler import NodeState, NodeStatus
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, progress_with_cancel
from petriflow.gui.views._projection import ProjectionView
from petriflow.nodes.tsne import COORDS

__all__ = ["TSNEView"]


class TSNEView(ProjectionView):
    """Scatter of the t-SNE map, redrawn while it is optimised; Cancel stops it."""

    coords = COORDS

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self.progress, self.cancel_button, row = progress_with_cancel(
            node, "Stop t-SNE now (the map drawn so far stays until the next run)")
        cast(QVBoxLayout, self.layout()).addLayout(row)
        self.on_status(node.status())

    def on_status(self, status: NodeStatus) -> None:
        super().on_status(status)
        if not hasattr(self, "progress"):
            return  # the base class's first status, before the bar exists
        running = status.state is NodeState.RUNNING
        self.progress.setValue(int(status.progress) if running else 0)
        self.progress.setFormat(f"%p% {status.message}" if running else "")
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)


@register_view("petriflow.tsne")
def make_view(node: NodeFacade) -> QWidget:
    return TSNEView(node)
