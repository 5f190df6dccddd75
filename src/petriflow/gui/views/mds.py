"""MDS view: the 2-D layout as a scatter plot (see :mod:`._projection`), with stress.

The layout is redrawn on every partial result of the running optimisation, and the
Kruskal stress of the final layout is computed on a worker and shown.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PyQt6.QtWidgets import QWidget

from petriflow.analysis.distances import pairwise_distances
from petriflow.analysis.projection import kruskal_stress
from petriflow.gui.views import ViewContext, register_view
from petriflow.gui.views._common import run_in_background
from petriflow.gui.views._projection import CLICK_PIXELS, ProjectionView
from petriflow.nodes.mds import COORDS

__all__ = ["CLICK_PIXELS", "MDSView"]

#: above this many rows (n² memory) the stress of a layout of Data is not recomputed
STRESS_FROM_DATA_MAX = 3000


class MDSView(ProjectionView):
    """Scatter of the MDS layout; the Kruskal stress below it."""

    coords = COORDS
    status_keyword = "stress"

    def __init__(self, ctx: ViewContext) -> None:
        self._stress_token: object | None = None
        super().__init__(ctx)

    def after_result(self) -> None:
        self._compute_stress()

    def _compute_stress(self) -> None:
        """Kruskal stress of the final layout, on a worker (O(n²) for large data)."""
        dm = self.inputs().get("Distances")
        data = self.inputs().get("Data")
        X = self.xy.copy()
        if dm is not None and len(dm) == len(X):
            values = dm.values

            def distances() -> np.ndarray:
                return np.asarray(values, dtype=np.float64)
        elif (data is not None and len(data) == len(X) and data.n_features
              and len(X) <= STRESS_FROM_DATA_MAX):
            # the node measured Euclidean distances between the rows' features
            features = np.nan_to_num(np.asarray(data.X, dtype=np.float64))

            def distances() -> np.ndarray:
                return pairwise_distances(features, "euclidean").astype(np.float64)
        else:
            self.stress_label.setText("")
            return
        token = object()
        self._stress_token = token

        def done(value: Any, error: BaseException | None) -> None:
            if self._alive() and self._stress_token is token and error is None:
                self.stress_label.setText(f"Kruskal stress {value:.4f}")

        run_in_background(lambda: kruskal_stress(distances(), X), done)


@register_view("petriflow.mds")
def make_view(ctx: ViewContext) -> QWidget:
    return MDSView(ctx)
