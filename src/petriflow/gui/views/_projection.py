"""The scatter view shared by the projection nodes (MDS, PCA, t-SNE).

Points are coloured by class and may be given marker shapes by a categorical column;
when a Data Subset arrives (e.g. a dendrogram branch or a confusion-matrix cell
upstream) its points are drawn large and opaque and the others faded, which is how the
paper's figures show "where are these images in the map". The layout is redrawn on
every partial result of a running optimisation. A drag selects the points inside the
rectangle — or, with *Lasso* toggled on, inside the free-hand outline (Ctrl/⌘/Shift
adds); a click without a drag clears. The selection is the node's ``selected`` setting
(row positions).

A subclass names the two coordinate metas of the node's ``Data`` output
(:attr:`ProjectionView.coords`) and which status messages go to the label at the
bottom right (:attr:`ProjectionView.status_keyword`, e.g. MDS's stress).

Why matplotlib: a few thousand points redraw in well under 50 ms with ``set_offsets``
and the figure is what users export for papers; the module is imported only when such a
view is first opened, never at start-up.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.widgets import LassoSelector
from PyQt6.QtCore import QPoint, Qt
from PyQt6.QtWidgets import QApplication, QComboBox, QHBoxLayout, QLabel, QToolButton, QVBoxLayout

from petriflow.core.scheduler import NodeStatus
from petriflow.core.table import Table
from petriflow.gui.views._common import (
    PALETTE,
    NodeFacade,
    NodeView,
    row_selection,
    rows_context,
)
from petriflow.gui.views.export_actions import add_export_actions

__all__ = ["MARKERS", "SHAPE_MAX_VALUES", "ChosenAxesView", "ProjectionView"]

#: a drag shorter than this (pixels) is a click: it clears the selection
CLICK_PIXELS = 3.0
#: marker shapes, in the order of a column's values ("shape by")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
#: a meta with more distinct values than this cannot be used for shapes
SHAPE_MAX_VALUES = len(MARKERS)


def _marker_path(marker: str) -> MplPath:
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform())


class ProjectionView(NodeView):
    """Scatter of a 2-D layout with subset emphasis, shapes, rectangle/lasso selection."""

    #: the metas of the ``Data`` output holding the x and y coordinates
    coords: ClassVar[tuple[str, str]] = ("x", "y")
    #: status messages containing this (lower case) are shown bottom right
    status_keyword: ClassVar[str | None] = None

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self.table: Table | None = None
        self.xy: np.ndarray = np.zeros((0, 2))
        self.subset_mask: np.ndarray = np.zeros(0, dtype=bool)
        self.partial_draws = 0
        self.points: Any = None
        self.shape_column: str | None = None
        self.shape_codes: np.ndarray = np.zeros(0, dtype=int)
        self._colors: np.ndarray = np.zeros(0, dtype=object)
        self._press: tuple[float, float, bool] | None = None
        self._press_px: tuple[float, float] | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.add_controls(top)
        top.addWidget(QLabel("Shape:"))
        self.shape_combo = QComboBox()
        self.shape_combo.setToolTip("Marker shapes by a categorical column")
        self.shape_combo.currentIndexChanged.connect(self._on_shape_changed)
        top.addWidget(self.shape_combo)
        top.addStretch(1)
        self.lasso_button = QToolButton()
        self.lasso_button.setText("Lasso")
        self.lasso_button.setCheckable(True)
        self.lasso_button.setToolTip("Select with a free-hand outline instead of a rectangle")
        self.lasso_button.toggled.connect(self._on_lasso_toggled)
        top.addWidget(self.lasso_button)
        layout.addLayout(top)
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
        self.lasso: LassoSelector | None = None
        self.canvas.mpl_connect("button_press_event", self._on_press)
        self.canvas.mpl_connect("motion_notify_event", self._on_motion)
        self.canvas.mpl_connect("button_release_event", self._on_release)
        self.resize(680, 620)
        self.show_current()

    # ------------------------------------------------------------------ hooks
    def add_controls(self, bar: QHBoxLayout) -> None:
        """Subclasses add widgets to the top bar (e.g. PCA's axis choice)."""

    def axis_names(self) -> tuple[str, str]:
        """The metas on the x and y axes (PCA lets the user choose)."""
        return self.coords

    def after_result(self) -> None:
        """Called after a final (not partial) layout is drawn."""

    # ------------------------------------------------------------------ data
    def on_data(self) -> None:
        table = self.outputs().get("Data")
        if table is not None:
            self._draw(table)
            self.after_result()
        elif self.inputs().get("Data") is None and self.inputs().get("Distances") is None:
            self._draw(None)

    def on_partial(self, outputs: dict[str, Any]) -> None:
        table = outputs.get("Data")
        if table is not None:
            self.partial_draws += 1
            if not self._move_points(table):
                self._draw(table)

    def on_settings(self) -> None:
        s = self.settings
        if self.lasso_button.isChecked() != s.lasso:
            self.lasso_button.setChecked(s.lasso)
        if (s.shape_column or None) != self.shape_column:
            self._fill_shape_combo(self.table)
            self._apply_shapes()
            self.canvas.draw_idle()
        self._restyle()

    def on_status(self, status: NodeStatus) -> None:
        key = self.status_keyword
        if key and key in status.message.lower():
            self.stress_label.setText(status.message)

    def _coordinates(self, table: Table) -> np.ndarray | None:
        names = self.axis_names()
        if not all(n in table.metas for n in names):
            return None
        return np.column_stack([np.asarray(table.metas[c], dtype=float) for c in names])

    # ------------------------------------------------------------------ drawing
    def _move_points(self, table: Table) -> bool:
        """Fast path for a new layout of the same rows: move the points, keep the rest.

        Rebuilding the plot costs tens of ms for thousands of points; a partial result
        arrives every few iterations, so it only moves the existing markers.
        """
        old = self.table
        if (old is None or self.points is None or len(old) != len(table)
                or not np.array_equal(old.row_ids, table.row_ids)):
            return False
        xy = self._coordinates(table)
        if xy is None:
            return False
        self.table = table
        self.xy = xy
        self.points.set_offsets(self.xy)
        self.ax.ignore_existing_data_limits = True
        self.ax.update_datalim(self.xy)
        self.ax.autoscale_view()
        self.canvas.draw_idle()
        return True

    def shape_columns(self, table: Table | None) -> list[str]:
        """Categorical columns usable for shapes: the class and few-valued text metas."""
        if table is None:
            return []
        names = [table.class_name] if table.has_class and table.class_name else []
        for name, values in table.metas.items():
            arr = np.asarray(values)
            if arr.dtype.kind in "OUSb" and name not in names:
                uniq = {str(v) for v in arr}
                if 1 < len(uniq) <= SHAPE_MAX_VALUES:
                    names.append(name)
        return names

    def _fill_shape_combo(self, table: Table | None) -> None:
        names = self.shape_columns(table)
        self.shape_combo.blockSignals(True)
        self.shape_combo.clear()
        self.shape_combo.addItem("(none)")
        self.shape_combo.addItems(names)
        wanted = self.settings.shape_column  # kept in the settings while it is absent
        self.shape_column = wanted if wanted in names else None
        self.shape_combo.setCurrentIndex(names.index(self.shape_column) + 1
                                         if self.shape_column else 0)
        self.shape_combo.blockSignals(False)

    def _on_shape_changed(self, index: int) -> None:
        self.shape_column = self.shape_combo.itemText(index) if index > 0 else None
        self._apply_shapes()
        self.canvas.draw_idle()
        self.set_settings(shape_column=self.shape_column or "")  # saved; no re-run

    def _apply_shapes(self) -> None:
        table = self.table
        if self.points is None or table is None:
            return
        n = len(table)
        if self.shape_column is None:
            self.shape_codes = np.zeros(n, dtype=int)
            self.points.set_paths([_marker_path("o")])
            return
        labels = np.asarray([str(v) for v in table.column(self.shape_column)])
        values = sorted(set(labels.tolist()))
        lookup = {v: i for i, v in enumerate(values)}
        self.shape_codes = np.array([lookup[v] for v in labels], dtype=int)
        paths = [_marker_path(m) for m in MARKERS]
        self.points.set_paths([paths[c % len(paths)] for c in self.shape_codes])

    def _draw(self, table: Table | None) -> None:
        self.table = table
        ax = self.ax
        ax.clear()
        xy = None if table is None else self._coordinates(table)
        self._fill_shape_combo(table if xy is not None else None)
        if table is None or xy is None:
            self.xy = np.zeros((0, 2))
            self.points = None
            ax.text(0.5, 0.5, "No data on the input.", ha="center", va="center",
                    transform=ax.transAxes, color="#777")
            ax.set_axis_off()
            self.canvas.draw_idle()
            return
        ax.set_axis_on()
        self.xy = xy
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
        self._apply_shapes()
        if self.axis_names() != self.coords:  # named axes (PCA's components)
            ax.set_xlabel(self.axis_names()[0], fontsize=9)
            ax.set_ylabel(self.axis_names()[1], fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_aspect("equal", adjustable="datalim")
        self.band = self._new_band()
        ax.add_patch(self.band)
        if self.lasso is not None:  # ax.clear() removed its outline
            self._on_lasso_toggled(True)
        self._restyle()

    @staticmethod
    def _new_band() -> Rectangle:
        return Rectangle((0, 0), 0, 0, fill=True, alpha=0.15, color="#1f77b4", visible=False)

    def _restyle(self) -> None:
        """Sizes, alphas and outlines from the subset and the selection."""
        n = len(self.xy)
        if n == 0 or self.table is None or self.points is None:
            return
        from matplotlib.colors import to_rgba

        has_subset = bool(self.subset_mask.any())
        selected = np.zeros(n, dtype=bool)
        rows = [r for r in self._selected() if 0 <= r < n]
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
    def _selected(self) -> list[int]:
        """Positions of the points the node selects (the saved selection's rows)."""
        s = self.settings
        return row_selection(self.table, s.selected, s.selection_context,
                             self.node.directory)

    def _select(self, rows: list[int]) -> None:
        self.set_settings(selected=rows, selection_context=rows_context(
            self.table, rows, self.node.directory))

    def data_to_widget(self, x: float, y: float) -> QPoint:
        """Widget pixel (on ``canvas``) of a data point: for tests and tooltips."""
        self.canvas.draw()  # make sure the transforms reflect the current layout
        dx, dy = self.ax.transData.transform((x, y))
        ratio = self.canvas.device_pixel_ratio or 1.0
        return QPoint(round(dx / ratio), round(self.canvas.height() - dy / ratio))

    def _on_lasso_toggled(self, on: bool) -> None:
        if self.lasso is not None:
            self.lasso.disconnect_events()
            self.lasso = None
        if on:
            self.lasso = LassoSelector(self.ax, self._on_lasso, useblit=False,
                                       props={"color": "#1f77b4", "linewidth": 1.2})
        self.canvas.draw_idle()
        self.set_settings(lasso=on)

    @staticmethod
    def _additive_modifiers() -> bool:
        mods = QApplication.keyboardModifiers()
        return bool(mods & (Qt.KeyboardModifier.ControlModifier
                            | Qt.KeyboardModifier.ShiftModifier
                            | Qt.KeyboardModifier.MetaModifier))

    def _on_lasso(self, verts: list[tuple[float, float]]) -> None:
        if len(self.xy) == 0:
            return
        additive = self._additive_modifiers()
        if len(verts) < 3:
            rows: list[int] = self._selected() if additive else []
        else:
            inside = MplPath(verts).contains_points(self.xy)
            new = set(np.flatnonzero(inside).tolist())
            if additive:
                new |= set(self._selected())
            rows = sorted(new)
        self._select(rows)

    def _on_press(self, event: Any) -> None:
        if self.lasso_button.isChecked():
            return
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
            rows: list[int] = self._selected() if additive else []
        else:
            x1, y1 = event.xdata, event.ydata
            inside = ((self.xy[:, 0] >= min(x0, x1)) & (self.xy[:, 0] <= max(x0, x1))
                      & (self.xy[:, 1] >= min(y0, y1)) & (self.xy[:, 1] <= max(y0, y1)))
            new = set(np.flatnonzero(inside).tolist())
            if additive:
                new |= set(self._selected())
            rows = sorted(new)
        self.canvas.draw_idle()
        self._select(rows)


class ChosenAxesView(ProjectionView):
    """A projection scatter whose two axes the user picks in two combos: PCA's
    components, Scatter Plot's columns. Subclasses fill the combos (:meth:`fill_axis_combos`)
    when they draw and say what a new choice does (:meth:`axes_chosen`)."""

    #: the combos' tooltip
    axis_tooltip: ClassVar[str] = "Column on this axis"

    def __init__(self, node: NodeFacade) -> None:
        self.axes: tuple[str, str] = self.coords
        super().__init__(node)

    def add_controls(self, bar: QHBoxLayout) -> None:
        self.x_combo, self.y_combo = QComboBox(), QComboBox()
        for label, combo in (("x:", self.x_combo), ("y:", self.y_combo)):
            combo.setToolTip(self.axis_tooltip)
            combo.currentIndexChanged.connect(self._on_axis_combo)
            bar.addWidget(QLabel(label))
            bar.addWidget(combo)

    def axis_names(self) -> tuple[str, str]:
        return self.axes

    def fill_axis_combos(self, names: list[str]) -> None:
        """Offer ``names`` on both axes, showing :attr:`axes` (without a signal)."""
        for combo, axis in ((self.x_combo, self.axes[0]), (self.y_combo, self.axes[1])):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            if axis in names:
                combo.setCurrentIndex(names.index(axis))
            combo.blockSignals(False)

    def set_axes(self, x: str, y: str) -> None:
        """Show ``x`` and ``y`` (as if picked in the combos)."""
        self.x_combo.setCurrentText(x)
        self.y_combo.setCurrentText(y)

    def _on_axis_combo(self, _index: int) -> None:
        x, y = self.x_combo.currentText(), self.y_combo.currentText()
        if x and y and (x, y) != self.axes:
            self.axes_chosen(x, y)

    def axes_chosen(self, x: str, y: str) -> None:
        """The user picked ``x`` × ``y``: redraw the same rows on them."""
        self.axes = (x, y)
        ProjectionView._draw(self, self.table)
