"""MDS view: the 2-D layout as a scatter plot; drag a rectangle to select points.

Points are coloured by class; when a Data Subset arrives (e.g. a dendrogram branch or
a confusion-matrix cell upstream) its points are drawn large and opaque and the others
faded, which is how the paper's figures show "where are these images in the map". The
layout is redrawn on every partial result of the running optimisation, and the Kruskal
stress is shown. A drag selects the points inside the rectangle (Ctrl/⌘ adds); a click
without a drag clears. The selection is the node's ``selected`` setting (row positions).

Why matplotlib: a few thousand points redraw in well under 50 ms with ``set_offsets``
and the figure is what users export for papers; the module is imported only when an MDS
view is first opened, never at start-up.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from PyQt6.QtCore import QPoint
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from petriflow.analysis.distances import pairwise_distances
from petriflow.analysis.projection import kruskal_stress
from petriflow.core.scheduler import NodeStatus
from petriflow.core.table import Table
from petriflow.gui.views import ViewContext, register_view
from petriflow.gui.views._common import PALETTE, NodeView, run_in_background
from petriflow.gui.views.export import add_export_actions
from petriflow.nodes.mds import COORDS

__all__ = ["MDSView"]

#: above this many rows (n² memory) the stress of a layout of Data is not recomputed
STRESS_FROM_DATA_MAX = 3000
#: a drag shorter than this (pixels) is a click: it clears the selection
CLICK_PIXELS = 3.0


class MDSView(NodeView):
    """Scatter of the MDS layout with subset emphasis and rectangle selection."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__(ctx)
        self.table: Table | None = None
        self.xy: np.ndarray = np.zeros((0, 2))
        self.subset_mask: np.ndarray = np.zeros(0, dtype=bool)
        self.partial_draws = 0
        self.points: Any = None
        self._stress_token: object | None = None
        self._press: tuple[float, float, bool] | None = None
        self._press_px: tuple[float, float] | None = None
        layout = QVBoxLayout(self)
        self.figure = Figure(figsize=(6, 5), dpi=100, layout="tight")
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.ax = self.figure.add_subplot(111)
        layout.addWidget(self.canvas, 1)
        add_export_actions(self, image=self.canvas)
        bar = QHBoxLayout()
        self.legend_label = QLabel()
        bar.addWidget(self.legend_label)
        bar.addStretch(1)
        self.stress_label = QLabel()
        self.stress_label.setStyleSheet("color: #555;")
        bar.addWidget(self.stress_label)
        layout.addLayout(bar)
        self.band = self._new_band()
        self.canvas.mpl_connect("button_press_event", self._on_press)
        self.canvas.mpl_connect("motion_notify_event", self._on_motion)
        self.canvas.mpl_connect("button_release_event", self._on_release)
        self.resize(680, 600)
        self.on_data()
        self.on_status(self.ctx.scheduler.status(self.node_id))

    # ------------------------------------------------------------------ data
    def on_data(self) -> None:
        table = self.outputs().get("Data")
        if table is not None:
            self._draw(table)
            self._compute_stress()
        elif self.inputs().get("Data") is None and self.inputs().get("Distances") is None:
            self._draw(None)

    def on_partial(self, outputs: dict[str, Any]) -> None:
        table = outputs.get("Data")
        if table is not None:
            self.partial_draws += 1
            if not self._move_points(table):
                self._draw(table)

    def on_settings(self) -> None:
        self._restyle()

    def on_status(self, status: NodeStatus) -> None:
        if "stress" in status.message.lower():
            self.stress_label.setText(status.message)

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

    # ------------------------------------------------------------------ drawing
    def _move_points(self, table: Table) -> bool:
        """Fast path for a new layout of the same rows: move the points, keep the rest.

        Rebuilding the plot costs tens of ms for thousands of points; a partial result
        arrives every few iterations, so it only moves the existing markers.
        """
        old = self.table
        if (old is None or self.points is None or len(old) != len(table)
                or COORDS[0] not in table.metas
                or not np.array_equal(old.row_ids, table.row_ids)):
            return False
        self.table = table
        self.xy = np.column_stack([np.asarray(table.metas[c], dtype=float) for c in COORDS])
        self.points.set_offsets(self.xy)
        self.ax.ignore_existing_data_limits = True
        self.ax.update_datalim(self.xy)
        self.ax.autoscale_view()
        self.canvas.draw_idle()
        return True

    def _draw(self, table: Table | None) -> None:
        self.table = table
        ax = self.ax
        ax.clear()
        if table is None or COORDS[0] not in table.metas:
            self.xy = np.zeros((0, 2))
            self.points = None
            ax.text(0.5, 0.5, "No data on the input.", ha="center", va="center",
                    transform=ax.transAxes, color="#777")
            ax.set_axis_off()
            self.canvas.draw_idle()
            return
        ax.set_axis_on()
        self.xy = np.column_stack([np.asarray(table.metas[c], dtype=float) for c in COORDS])
        subset = self.inputs().get("Data Subset")
        if subset is not None:
            self.subset_mask = np.isin(table.row_ids, subset.row_ids)
        else:
            self.subset_mask = np.zeros(len(table), dtype=bool)
        if table.has_class:
            codes = np.asarray(table.y)
            colors = np.array([PALETTE[c % len(PALETTE)] if c >= 0 else "#777777"
                               for c in codes], dtype=object)
            names = [str(v) for v in table.class_values]
            self.legend_label.setText("  ".join(
                f"<span style='color:{PALETTE[i % len(PALETTE)]}'>●</span> {v}"
                for i, v in enumerate(names)))
        else:
            colors = np.array(["#1f77b4"] * len(table), dtype=object)
            self.legend_label.setText("")
        self._colors = colors
        # outlines (selection rings) double Agg's work per marker; large sets go without
        self.points = ax.scatter(self.xy[:, 0], self.xy[:, 1], s=36, c=list(colors),
                                 linewidths=1.5 if len(table) <= 1000 else 0.0,
                                 picker=False)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal", adjustable="datalim")
        self.band = self._new_band()
        ax.add_patch(self.band)
        self._restyle()

    @staticmethod
    def _new_band() -> Rectangle:
        return Rectangle((0, 0), 0, 0, fill=True, alpha=0.15, color="#1f77b4", visible=False)

    def _restyle(self) -> None:
        """Sizes, alphas and outlines from the subset and the selection."""
        n = len(self.xy)
        if n == 0 or self.table is None:
            return
        from matplotlib.colors import to_rgba

        has_subset = bool(self.subset_mask.any())
        selected = np.zeros(n, dtype=bool)
        rows = [r for r in self.settings.selected if 0 <= r < n]
        selected[rows] = True
        face = np.array([to_rgba(c) for c in self._colors])
        edge = face.copy()
        sizes = np.full(n, 36.0)
        if has_subset:
            face[~self.subset_mask, 3] = 0.12
            edge[~self.subset_mask, 3] = 0.35
            sizes[self.subset_mask] = 70.0
        edge[selected] = (0, 0, 0, 1)
        if n > 1000:  # only the selected points get an outline (see _draw)
            self.points.set_linewidths(np.where(selected, 1.5, 0.0))
        self.points.set_facecolors(face)
        self.points.set_edgecolors(edge)
        self.points.set_sizes(sizes)
        title = f"{n} points"
        if has_subset:
            title += f", {int(self.subset_mask.sum())} in the subset"
        if rows:
            title += f", {len(rows)} selected"
        self.ax.set_title(title, fontsize=9, color="#444")
        self.canvas.draw_idle()

    # ------------------------------------------------------------------ selection
    def data_to_widget(self, x: float, y: float) -> QPoint:
        """Widget pixel (on ``canvas``) of a data point: for tests and tooltips."""
        self.canvas.draw()  # make sure the transforms reflect the current layout
        dx, dy = self.ax.transData.transform((x, y))
        ratio = self.canvas.device_pixel_ratio or 1.0
        return QPoint(round(dx / ratio), round(self.canvas.height() - dy / ratio))

    def _on_press(self, event: Any) -> None:
        if event.button != 1 or event.inaxes is not self.ax or event.xdata is None:
            return
        key = (event.key or "").lower()
        additive = "control" in key or "ctrl" in key or "cmd" in key or "shift" in key
        self._press = (event.xdata, event.ydata, additive)
        self._press_px = (event.x, event.y)

    def _on_motion(self, event: Any) -> None:
        if self._press is None or event.xdata is None:
            return
        x0, y0, _ = self._press
        self.band.set_bounds(min(x0, event.xdata), min(y0, event.ydata),
                             abs(event.xdata - x0), abs(event.ydata - y0))
        self.band.set_visible(True)
        self.canvas.draw_idle()

    def _on_release(self, event: Any) -> None:
        if self._press is None:
            return
        x0, y0, additive = self._press
        px0 = self._press_px
        self._press = self._press_px = None
        self.band.set_visible(False)
        if event.xdata is None or event.ydata is None or px0 is None:
            self.canvas.draw_idle()
            return
        if abs(event.x - px0[0]) < CLICK_PIXELS and abs(event.y - px0[1]) < CLICK_PIXELS:
            rows: list[int] = list(self.settings.selected) if additive else []
        else:
            x1, y1 = event.xdata, event.ydata
            inside = ((self.xy[:, 0] >= min(x0, x1)) & (self.xy[:, 0] <= max(x0, x1))
                      & (self.xy[:, 1] >= min(y0, y1)) & (self.xy[:, 1] <= max(y0, y1)))
            new = set(np.flatnonzero(inside).tolist())
            if additive:
                new |= set(self.settings.selected)
            rows = sorted(new)
        self.canvas.draw_idle()
        self.set_settings(selected=rows)


@register_view("petriflow.mds")
def make_view(ctx: ViewContext) -> QWidget:
    return MDSView(ctx)
