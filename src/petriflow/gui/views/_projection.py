"""The scatter view shared by the projection nodes (MDS, PCA, t-SNE, UMAP, Scatter Plot).

Points are coloured, sized, shaped and labelled by any column (the class by default);
when a Data Subset arrives (e.g. a dendrogram branch upstream) its points are drawn
large and the others faded, which is how the paper's figures show "where are these
images in the map". Hovering a point shows its image and chosen columns at once
(:mod:`.plot.hover`). The wheel zooms, a right or middle drag pans, Home or *Reset*
shows everything. A left drag selects inside the rectangle — or, with *Lasso* on, the
free-hand outline; Shift adds, Ctrl/⌘/Alt removes, Shift+Ctrl makes a new selection
group (:mod:`.plot.groups`), a click clears. The selection is the
node's ``selected`` setting (row positions) with its identity context; every choice of
the view is a view setting, saved with the workflow without re-running the node.

A subclass names the two coordinate metas of the node's ``Data`` output
(:attr:`ProjectionView.coords`) and which status messages go to the label at the
bottom right (:attr:`ProjectionView.status_keyword`, e.g. MDS's stress).

Why pyqtgraph (:mod:`.plot`): 50,000 points hover, lasso, pan and redraw within the
latencies of ``benchmarks/plot_latency.py``, where the matplotlib canvas took 53 ms to
draw 5,000 new points.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

import numpy as np
import pyqtgraph as pg
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
)

from petriflow.core.scheduler import NodeStatus
from petriflow.core.table import Table
from petriflow.gui.views._common import NodeFacade, NodeView
from petriflow.gui.views.export_actions import add_export_actions
from petriflow.gui.views.plot.canvas import PlotAxes, PlotCanvas
from petriflow.gui.views.plot.encode import (
    SYMBOLS,
    ColorEncoding,
    color_encoding,
    column_choices,
    shape_codes,
    shape_columns,
    size_values,
)
from petriflow.gui.views.plot.hover import HoverMixin
from petriflow.gui.views.plot.points import PointsLayer, styled
from petriflow.gui.views.plot.selecting import MAX_GROUPS, SelectionMixin, group_summary
from petriflow.gui.views.plot.thumbnails import ThumbnailLayer
from petriflow.nodes._projection import PROJECTION_VIEW_SETTINGS

__all__ = ["CLICK_PIXELS", "MARKERS", "SHAPE_MAX_VALUES", "ChosenAxesView",
           "PlotAxes", "ProjectionView"]

#: a drag shorter than this (pixels) is a click: it clears the selection
CLICK_PIXELS = 3.0
#: marker shapes, in the order of a column's values ("shape by")
MARKERS = SYMBOLS
#: a meta with more distinct values than this cannot be used for shapes
SHAPE_MAX_VALUES = len(MARKERS)
#: point size (pixels) and in the subset
POINT_SIZE, SUBSET_SIZE = 8.0, 12.0
#: labels (text items) are drawn for at most this many points
MAX_LABELS = 500


class ProjectionView(SelectionMixin, HoverMixin, NodeView):
    """Scatter of a 2-D layout: encodings by column, hover thumbnails, zoom, selection."""

    #: the metas of the ``Data`` output holding the x and y coordinates
    coords: ClassVar[tuple[str, str]] = ("x", "y")
    #: status messages containing this (lower case) are shown bottom right
    status_keyword: ClassVar[str | None] = None
    #: axes with ticks (measured columns) and a free aspect, instead of a map's
    ticks: ClassVar[bool] = False

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self.table: Table | None = None
        self.xy: np.ndarray = np.zeros((0, 2))
        self.finite: np.ndarray = np.zeros(0, dtype=bool)
        self.subset_mask: np.ndarray = np.zeros(0, dtype=bool)
        self.partial_draws = 0
        self.shape_column: str | None = None
        self.shape_codes: np.ndarray = np.zeros(0, dtype=int)
        self.encoding = ColorEncoding(np.zeros(0, dtype=int), ["#1f77b4"])
        self.sizes: np.ndarray = np.zeros(0)
        #: positions (rows) of the points drawn, in the scatter's order
        self.shown: np.ndarray = np.zeros(0, dtype=int)
        self.highlighted: str | None = None
        self.labels: list[pg.TextItem] = []
        self._encoded_key: tuple[Any, ...] = ()
        #: the settings of the map drawn (:meth:`_run_settings_key`)
        self._run_key: tuple[Any, ...] = ()
        self._drawn_rows: np.ndarray = np.zeros(0, dtype=int)
        #: (table, selected, context, restored rows, their groups) of the last restore
        self._selection_cache: tuple[Any, list[int], dict[str, Any], list[int],
                                     list[int]] | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.add_controls(top)
        self.color_combo = self._combo(top, "Colour:", "Colour points by a column",
                                       "color_column")
        self.size_combo = self._combo(top, "Size:", "Size points by a column", "size_column")
        self.shape_combo = self._combo(top, "Shape:", "Marker shapes by a categorical column",
                                       "shape_column")
        self.label_combo = self._combo(top, "Label:", "Write a column's value by each point",
                                       "label_column")
        self.hover_button = QToolButton()
        self.hover_button.setText("Hover")
        self.hover_button.setToolTip("Columns shown when the pointer is over a point")
        self.hover_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.hover_menu = QMenu(self.hover_button)
        self.hover_button.setMenu(self.hover_menu)
        # the popup arrow is drawn over the text's end: room for it beside the text
        self.hover_button.setMinimumWidth(
            self.hover_button.fontMetrics().horizontalAdvance("Hover") + 26)
        top.addWidget(self.hover_button)
        self.thumbs_check = QCheckBox("Thumbnails")
        self.thumbs_check.setToolTip("Draw points as small images (up to 500 points)")
        self.thumbs_check.toggled.connect(lambda on: self.set_settings(thumbnails=on))
        top.addWidget(self.thumbs_check)
        top.addStretch(1)
        self.lasso_button = QToolButton()
        self.lasso_button.setText("Lasso")
        self.lasso_button.setCheckable(True)
        self.lasso_button.setToolTip("Select with a free-hand outline instead of a rectangle")
        self.lasso_button.toggled.connect(self._on_lasso_toggled)
        top.addWidget(self.lasso_button)
        self.reset_button = QToolButton()
        self.reset_button.setText("Reset")
        self.reset_button.setToolTip("Show all points (Home)")
        top.addWidget(self.reset_button)
        layout.addLayout(top)
        self.plot = PlotCanvas()
        self.plot_item = self.plot.plot_item
        self.box = self.plot.box
        #: the widget that receives the mouse (tests send events to it)
        self.canvas = self.plot.viewport()
        self.ax = PlotAxes(self.plot_item)
        self.points = PointsLayer()
        self.plot_item.addItem(self.points)
        self.message = pg.TextItem("", color="#777", anchor=(0.5, 0.5))
        self.plot_item.addItem(self.message, ignoreBounds=True)
        self.thumbnails = ThumbnailLayer(self.plot_item, node.tasks)
        self.reset_button.clicked.connect(self.plot.reset_view)
        self.box.selected.connect(self._on_selected)
        self.box.clicked.connect(self._on_clicked)
        layout.addWidget(self.plot, 1)
        add_export_actions(self, image=self.plot)
        bar = QHBoxLayout()
        from petriflow.gui.views.plot.legend import Legend

        self.legend = Legend(self._toggle_class, self._highlight)
        bar.addWidget(self.legend, 1)
        bar.addWidget(self.make_group_box())
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #444;")
        bar.addWidget(self.count_label)
        self.note_label = QLabel()
        self.note_label.setStyleSheet("color: #a60;")
        bar.addWidget(self.note_label)
        self.stress_label = QLabel()
        self.stress_label.setStyleSheet("color: #555;")
        bar.addWidget(self.stress_label)
        layout.addLayout(bar)
        self.init_hover()
        self.resize(760, 640)
        self.show_current()

    def _combo(self, bar: QHBoxLayout, label: str, tip: str, setting: str) -> QComboBox:
        combo = QComboBox()
        combo.setToolTip(tip)
        combo.setMinimumContentsLength(6)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.currentIndexChanged.connect(lambda i, c=combo, s=setting: self._on_combo(c, s, i))
        bar.addWidget(QLabel(label))
        bar.addWidget(combo)
        return combo

    def is_ready(self) -> bool:
        """Thumbnails drawn as points are decoded (screenshots wait for them)."""
        return not self.thumbnails.cache.pending

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
            if not self._same_points(table):
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
        run_key = self._run_settings_key()
        if run_key != self._run_key:  # a new map is coming (e.g. another perplexity)
            self._run_key = run_key
            self.plot.forget_view()
        if self.lasso_button.isChecked() != s.lasso:
            self.lasso_button.setChecked(s.lasso)
        if self.thumbs_check.isChecked() != s.thumbnails:
            self.thumbs_check.blockSignals(True)
            self.thumbs_check.setChecked(s.thumbnails)
            self.thumbs_check.blockSignals(False)
        if self._settings_key() != self._encoded_key:
            self._fill_combos(self.table)
            self._encode()
        self.legend.show_hidden(set(s.hidden_values), dict(self.encoding.legend))
        self._fill_hover_menu(self.table)
        self._restyle()

    def _run_settings_key(self) -> tuple[Any, ...]:
        """The settings that change the map itself: all but the view's and the
        selection's."""
        s, skip = self.settings, {*PROJECTION_VIEW_SETTINGS, "selected",
                                  "selection_context"}
        return tuple((f.name, repr(getattr(s, f.name))) for f in dataclasses.fields(s)
                     if f.name not in skip)

    def on_status(self, status: NodeStatus) -> None:
        key = self.status_keyword
        if key and key in status.message.lower():
            self.stress_label.setText(status.message)

    def _coordinates(self, table: Table) -> np.ndarray | None:
        names = self.axis_names()
        if not all(n in table.metas for n in names):
            return None
        return np.column_stack([np.asarray(table.metas[c], dtype=float) for c in names])

    # ------------------------------------------------------------------ combos
    def _settings_key(self) -> tuple[Any, ...]:
        s = self.settings
        return (id(self.table), s.shape_column, s.color_column, s.size_column,
                s.label_column)

    def shape_columns(self, table: Table | None) -> list[str]:
        """Categorical columns usable for shapes: the class and few-valued text metas."""
        return shape_columns(table, SHAPE_MAX_VALUES)

    def color_column(self) -> str | None:
        """The column colouring the points: the setting, the class by default."""
        wanted = self.settings.color_column
        table = self.table
        if wanted == "-" or table is None:
            return None
        if wanted and wanted in column_choices(table):
            return str(wanted)
        return table.class_name if table.has_class else None

    def _fill_combos(self, table: Table | None) -> None:
        s = self.settings
        columns = column_choices(table)
        shapes = self.shape_columns(table)
        color = self.color_column()
        for combo, names, current in (
                (self.color_combo, columns, color or ""),
                (self.size_combo, columns, s.size_column),
                (self.shape_combo, shapes, s.shape_column),
                (self.label_combo, columns, s.label_column)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("(none)")
            combo.addItems(names)
            combo.setCurrentIndex(names.index(current) + 1 if current in names else 0)
            combo.blockSignals(False)
        self.shape_column = s.shape_column if s.shape_column in shapes else None

    def _on_combo(self, combo: QComboBox, setting: str, index: int) -> None:
        value = combo.itemText(index) if index > 0 else ""
        if setting == "color_column" and not value:
            value = "-"  # "(none)": one colour, even when there is a class
        if setting == "shape_column":
            self.shape_column = value or None
        self._encode()
        self._restyle()
        self.set_settings(**{setting: value})  # saved with the workflow; no re-run

    # ------------------------------------------------------------------ drawing
    def _move_points(self, table: Table) -> bool:
        """Fast path for a new layout of the same rows: move the points, keep the rest.

        A partial result arrives every few iterations of an optimisation; re-encoding
        the columns each time would be wasted work."""
        old = self.table
        if (old is None or len(self.shown) == 0 or len(old) != len(table)
                or not np.array_equal(old.row_ids, table.row_ids)):
            return False
        xy = self._coordinates(table)
        if xy is None:
            return False
        self.table = table
        self._set_xy(xy)
        self._restyle()
        if self.overlay.row is not None:
            self.ring_on(self.overlay.row)  # the hovered point moved
        self.plot.fit()  # the user's zoom/pan stays while the map improves
        return True

    def _same_points(self, table: Table) -> bool:
        """The node re-ran for a selection: same rows at the same places. Only the
        selection is redrawn (a full redraw of 50,000 points would cost a frame or more)."""
        old = self.table
        if (old is None or len(old) != len(table) or len(self.xy) != len(table)
                or not np.array_equal(old.row_ids, table.row_ids)):
            return False
        xy = self._coordinates(table)
        if xy is None or not np.array_equal(xy, self.xy, equal_nan=True):
            return False
        subset = self.inputs().get("Data Subset")
        mask = (np.isin(table.row_ids, subset.row_ids) if subset is not None
                else np.zeros(len(table), dtype=bool))
        if not np.array_equal(mask, self.subset_mask):
            return False
        self.table = table
        self._encoded_key = self._settings_key()
        if not np.array_equal(self._selected(), self._drawn_rows):
            self._restyle()  # else what is drawn is already this selection
        return True

    def marker_size(self, row: int) -> float:
        """The drawn marker's diameter (pixels): a subset point's is larger."""
        size = float(self.sizes[row])
        subset = len(self.subset_mask) > row and bool(self.subset_mask[row])
        return max(size, SUBSET_SIZE) if subset else size

    def _set_xy(self, xy: np.ndarray) -> None:
        self.xy = xy
        self.finite = np.isfinite(xy).all(axis=1)

    def _draw(self, table: Table | None) -> None:
        old = self.table
        if (old is None or table is None or len(old) != len(table)
                or not np.array_equal(old.row_ids, table.row_ids)):
            self.plot.forget_view()  # other rows: new data, show them all
        self.table = table
        xy = None if table is None else self._coordinates(table)
        self._fill_combos(table if xy is not None else None)
        self._fill_hover_menu(table if xy is not None else None)
        self.clear_hover(table)
        if table is None or xy is None:
            self._set_xy(np.zeros((0, 2)))
            self.subset_mask = np.zeros(0, dtype=bool)
            self.shown = np.zeros(0, dtype=int)
            self.points.clear()
            self.thumbnails.clear()
            self._clear_labels()
            self.legend.clear()
            self.message.setText("No data on the input.")
            self.message.setPos(0, 0)
            self.box.setRange(xRange=(-1, 1), yRange=(-1, 1))
            self.count_label.setText("")
            return
        self.message.setText("")
        self._set_xy(xy)
        subset = self.inputs().get("Data Subset")
        self.subset_mask = (np.isin(table.row_ids, subset.row_ids) if subset is not None
                            else np.zeros(len(table), dtype=bool))
        named = self.ticks or self.axis_names() != self.coords
        for side, name in (("bottom", self.axis_names()[0]), ("left", self.axis_names()[1])):
            axis = self.plot_item.getAxis(side)
            self.plot_item.showAxis(side, named)
            axis.setLabel(name if named else "")
            axis.setStyle(showValues=self.ticks)
        self.box.setAspectLocked(not self.ticks)
        self._encode()
        self._restyle()
        self.plot.fit()
        # new data: a Shift drag adds to the last group the saved selection has
        self.group_box.setValue(min(max(self._selection()[1], default=1), MAX_GROUPS))

    def _encode(self) -> None:
        """Colours, sizes and shapes from the chosen columns (not the selection)."""
        table = self.table
        if table is None or len(self.xy) != len(table):
            return
        self.encoding = color_encoding(table, self.color_column())
        self.sizes = size_values(table, self.settings.size_column, POINT_SIZE)
        self.shape_codes = shape_codes(table, self.shape_column)
        self._encoded_key = self._settings_key()
        enc = self.encoding
        if enc.colorbar is not None:
            self.legend.set_colorbar(self.color_column() or "", *enc.colorbar, enc.lut[:-1])
        else:
            hidden = set(self.settings.hidden_values)
            self.legend.set_entries(enc.legend, hidden)

    def _visible(self) -> np.ndarray:
        """Points drawn: finite coordinates, not in a class hidden by the legend."""
        visible = self.finite.copy()
        hidden = set(self.settings.hidden_values)
        enc = self.encoding
        if hidden and enc.legend and len(enc.category) == len(visible):
            off = [i for i, (label, _) in enumerate(enc.legend) if label in hidden]
            visible &= ~np.isin(enc.category, off)
        return visible

    def _restyle(self) -> None:
        """Draw the points: colours faded outside the subset or a highlighted class,
        selection outlined, subset enlarged (styles as integers: :mod:`.plot.points`)."""
        n = len(self.xy)
        table = self.table
        if n == 0 or table is None or len(self.encoding.index) != n:
            return
        selected = np.zeros(n, dtype=int)  # each point's selection group, 0 = none
        chosen, groups = self._selection()
        rows, group = np.asarray(chosen, dtype=int), np.asarray(groups, dtype=int)
        inside_data = (rows >= 0) & (rows < n)
        rows = rows[inside_data]
        selected[rows] = group[inside_data] if len(group) == len(inside_data) else 1
        self._drawn_rows = rows
        has_subset = bool(self.subset_mask.any())
        enc = self.encoding
        faded = ~self.subset_mask if has_subset else np.zeros(n, dtype=bool)
        # a hidden class is not highlighted (the pointer rests on the legend entry just
        # clicked to hide it: highlighting it would fade every point still drawn)
        if (self.highlighted is not None and enc.legend
                and self.highlighted not in self.settings.hidden_values):
            labels = [label for label, _ in enc.legend]
            if self.highlighted in labels:
                faded = faded | (enc.category != labels.index(self.highlighted))
        visible = self._visible()
        self.shown = np.flatnonzero(visible)
        shown = self.shown
        sizes = np.where(self.subset_mask, np.maximum(self.sizes, SUBSET_SIZE), self.sizes)
        if self.settings.thumbnails and len(shown) <= self.thumbnails.max_points:
            self.points.clear()
            self.thumbnails.show(self.xy[shown], self._image_paths_at(shown),
                                 selected[shown], [enc.lut[i] for i in enc.index[shown]],
                                 faded[shown])
        else:
            self.thumbnails.clear()
            self._set_points(shown, faded[shown], sizes[shown], selected[shown])
        self._draw_labels(shown)
        notes = [enc.note] if enc.note else []
        if (~self.finite).any():
            notes.append(f"{int((~self.finite).sum())} points with missing or infinite "
                         "coordinates not shown")
        if self.settings.label_column and len(shown) > MAX_LABELS:
            notes.append(f"labels for up to {MAX_LABELS} points")
        if self.settings.thumbnails and len(shown) > self.thumbnails.max_points:
            notes.append(f"thumbnails for up to {self.thumbnails.max_points} points")
        self.note_label.setText("; ".join(notes))
        title = f"{n} points"
        if has_subset:
            title += f", {int(self.subset_mask.sum())} in the subset"
        if len(rows):
            title += f", {len(rows)} selected"
            if len(set(groups)) > 1:
                title += f" in {len(set(groups))} groups: " + group_summary(list(groups))
        self.count_label.setText(title)  # a QLabel: re-laying out the plot costs ~15 ms

    def _set_points(self, shown: np.ndarray, faded: np.ndarray, sizes: np.ndarray,
                    selected: np.ndarray) -> None:
        """Faded points first, the selection on top (styles: :func:`.plot.points.styled`)."""
        xy, sprite, styles = styled(self.xy[shown], self.encoding.index[shown],
                                    self.encoding.lut, self.shape_codes[shown], faded, sizes,
                                    selected)
        self.points.set_points(xy, sprite, styles)

    def _clear_labels(self) -> None:
        for item in self.labels:
            self.plot_item.removeItem(item)
        self.labels = []

    def _draw_labels(self, shown: np.ndarray) -> None:
        self._clear_labels()
        name = self.settings.label_column
        table = self.table
        if not name or table is None or name not in column_choices(table):
            return
        if len(shown) > MAX_LABELS:
            return
        values = table.column(name)
        # labels right of the points in the left half, left of them in the right half:
        # a label never runs past the plot's right edge (they were cut there)
        xs = self.xy[shown, 0]
        mid = float(xs.min() + xs.max()) / 2 if len(shown) else 0.0
        for row in shown:
            right = float(self.xy[row, 0]) > mid
            item = pg.TextItem(str(values[row]), color="#333", anchor=(1 if right else 0, 1))
            item.setPos(float(self.xy[row, 0]), float(self.xy[row, 1]))
            self.plot_item.addItem(item, ignoreBounds=True)
            self.labels.append(item)

    # ------------------------------------------------------------------ legend
    def _toggle_class(self, label: str) -> None:
        hidden = list(self.settings.hidden_values)
        hidden = [h for h in hidden if h != label] if label in hidden else [*hidden, label]
        self.set_settings(hidden_values=hidden)  # on_settings redraws

    def _highlight(self, label: str | None) -> None:
        self.highlighted = label
        self._restyle()


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
