"""Hierarchical Clustering view: a dendrogram to click clusters in (Fig. 2 of the paper).

The root is on the left, leaves on the right with their labels, one row per leaf; each
leaf's label and marker take its class colour. A click on a branch (its vertical bar or
the horizontal stem leading into it) selects that cluster; Ctrl/⌘-click adds or removes
clusters; a click on empty space clears. Ctrl/⌘+wheel or the +/− buttons zoom: the
leaf spacing grows and the dendrogram scrolls vertically (Fit returns to one screen).
The selection is the node's ``selected_nodes`` setting (scipy node ids) with
``selection_mode="manual"``, written through the undo stack, so the scheduler re-runs
the node and the selection flows downstream.

Why the view recomputes the linkage rather than reading it from the node: the node's
outputs are tables; the tree is cheap to rebuild from the same distances and linkage
(scipy is deterministic), and doing it on Qt's thread pool keeps large trees off the
GUI thread. The dendrogram widget and the tree it paints live in
:mod:`petriflow.gui.views.dendrogram`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PyQt6 import sip
from PyQt6.QtCore import QEvent, QObject, QPoint, Qt
from PyQt6.QtGui import QImage
from PyQt6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from petriflow.analysis.clustering import (
    LINKAGES,
    SELECTION_MODES,
    normalize_selection,
    selected_clusters,
)
from petriflow.analysis.dendrogram_pruning import PrunedTree
from petriflow.core.node import Cancelled, CancelToken
from petriflow.core.scheduler import NodeState, NodeStatus
from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView
from petriflow.gui.views.dendrogram import (
    MAX_ROW_HEIGHT,
    ZOOM_STEP,
    ClassLegend,
    DendrogramWidget,
    Tree,
    build_tree,
)
from petriflow.gui.views.dendrogram_look import annotated_tree, leaf_columns, per_shown_leaf
from petriflow.gui.views.export_actions import add_export_actions
from petriflow.gui.views.plot.hover import HoverOverlay, ThumbnailCache
from petriflow.gui.views.typed_numbers import apply_when_typed
from petriflow.nodes._selection import clusters_context, restore_clusters
from petriflow.nodes.hierarchical_clustering import item_table, selection_message
from petriflow.nodes.image_viewer import image_column_of, resolve_image_path

__all__ = ["HierarchicalClusteringView"]

#: the longest edge (pixels) leaf thumbnails are decoded at (rows are at most 40 px)
LEAF_EDGE = 64
#: the leaf row height (pixels) turning thumbnails on zooms to, when rows are smaller
THUMB_ROW = 32.0

_MODE_LABELS = {"manual": "Manual (click branches)", "height_ratio": "Height ratio",
                "top_n": "Top N"}


class HierarchicalClusteringView(NodeView):
    """Dendrogram plus linkage and selection-mode controls."""

    #: (mode, label) in the order of the one declaration of the modes
    MODES = tuple((mode, _MODE_LABELS[mode]) for mode in SELECTION_MODES)

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self.tree: Tree | None = None
        #: the tree painted (labels, colours and pruning applied) and, when pruned, the
        #: maps between its nodes and :attr:`tree`'s (settings always name the full tree)
        self.shown: Tree | None = None
        self.pruned: PrunedTree | None = None
        self._look: tuple[object, ...] | None = None
        self._dm: DistanceMatrix | None = None
        self._pending: CancelToken | None = None
        #: the tree's items as rows (what a manual selection is tied to)
        self._items: Table | None = None
        # controls and tree side by side, above the row that "Add to report" and "?"
        # join (a horizontal top layout would put them beside the tree)
        outer = QVBoxLayout(self)
        layout = QHBoxLayout()
        outer.addLayout(layout, 1)
        side = QVBoxLayout()
        form = QFormLayout()
        self.linkage_combo = QComboBox()
        for name in LINKAGES:
            self.linkage_combo.addItem(name.capitalize(), name)
        self.linkage_combo.activated.connect(
            lambda i: self.set_settings(linkage=self.linkage_combo.itemData(i)))
        form.addRow("Linkage", self.linkage_combo)
        side.addLayout(form)
        side.addWidget(QLabel("<b>Selection</b>"))
        self.mode_group = QButtonGroup(self)
        self.mode_buttons: dict[str, QRadioButton] = {}
        for i, (mode, text) in enumerate(self.MODES):
            button = QRadioButton(text)
            self.mode_group.addButton(button, i)
            self.mode_buttons[mode] = button
            side.addWidget(button)
            if mode == "height_ratio":
                self.ratio_spin = QDoubleSpinBox()
                self.ratio_spin.setRange(0.0, 100.0)
                self.ratio_spin.setSuffix(" %")
                self._commit_while_typing(self.ratio_spin, lambda v: self.set_settings(
                    selection_mode="height_ratio", cut_ratio=v), "cut_ratio")
                side.addWidget(self.ratio_spin)
            elif mode == "top_n":
                self.top_spin = QSpinBox()
                self.top_spin.setRange(1, 1000)
                self._commit_while_typing(self.top_spin, lambda v: self.set_settings(
                    selection_mode="top_n", top_n=v), "top_n")
                side.addWidget(self.top_spin)
        self.mode_group.idClicked.connect(
            lambda i: self.set_settings(selection_mode=self.MODES[i][0]))
        side.addWidget(QLabel("<b>Leaves</b>"))
        look = QFormLayout()
        self.annotation_combo = QComboBox()
        self.annotation_combo.setToolTip("The column that names the leaves")
        self.annotation_combo.activated.connect(lambda i: self.set_settings(
            f"Label leaves by {self.annotation_combo.itemText(i)} in {self.node.title}",
            annotation=self.annotation_combo.itemData(i)))
        look.addRow("Label", self.annotation_combo)
        self.color_combo = QComboBox()
        self.color_combo.setToolTip("The column whose values colour the leaves (the most "
                                    "frequent values, the rest as 'other')")
        self.color_combo.activated.connect(lambda i: self.set_settings(
            f"Colour leaves by {self.color_combo.itemText(i)} in {self.node.title}",
            color_by=self.color_combo.itemData(i)))
        look.addRow("Colour", self.color_combo)
        self.depth_spin = QSpinBox()
        self.depth_spin.setRange(0, 100)
        self.depth_spin.setSpecialValueText("off")
        self.depth_spin.setToolTip("Draw only this many levels from the root; deeper "
                                   "subtrees become one leaf (a click selects all its items)")
        self._commit_while_typing(self.depth_spin, lambda v: self.set_settings(
            f"Prune the dendrogram to depth {v} in {self.node.title}" if v else
            f"Show the whole dendrogram in {self.node.title}", max_depth=v), "max_depth")
        look.addRow("Prune at depth", self.depth_spin)
        side.addLayout(look)
        self.thumbs_check = QCheckBox("Thumbnails at leaves")
        self.thumbs_check.setToolTip("Each leaf's image beside its name (zoom in for larger "
                                     "ones; a collapsed leaf shows its first item's)")
        self.thumbs_check.toggled.connect(self._toggle_thumbnails)
        side.addWidget(self.thumbs_check)
        side.addWidget(QLabel("<b>Zoom</b>"))
        zoom_bar = QHBoxLayout()
        self.zoom_out_button = QPushButton("−")
        self.zoom_in_button = QPushButton("+")
        self.zoom_fit_button = QPushButton("Fit")
        for button, tip in ((self.zoom_out_button, "Zoom out (Ctrl+wheel)"),
                            (self.zoom_in_button, "Zoom in: more space per leaf (Ctrl+wheel)"),
                            (self.zoom_fit_button, "The whole tree in the window")):
            button.setToolTip(tip)
            zoom_bar.addWidget(button)
        self.zoom_out_button.clicked.connect(lambda: self.set_zoom(self.zoom / ZOOM_STEP))
        self.zoom_in_button.clicked.connect(lambda: self.set_zoom(self.zoom * ZOOM_STEP))
        self.zoom_fit_button.clicked.connect(lambda: self.set_zoom(1.0))
        side.addLayout(zoom_bar)
        side.addStretch(1)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setStyleSheet("color: #555;")
        side.addWidget(self.info)
        side_box = QWidget()
        side_box.setLayout(side)
        side_box.setFixedWidth(232)  # room for "(image name)" in the Label combo
        layout.addWidget(side_box)
        self.zoom = 1.0
        self.dendrogram = DendrogramWidget()
        self.dendrogram.clicked.connect(self._on_click)
        self.dendrogram.cut_released.connect(
            lambda r: self.set_settings(selection_mode="height_ratio", cut_ratio=round(r, 2)))
        self.dendrogram.zoom_requested.connect(
            lambda factor, y: self.set_zoom(self.zoom * factor, anchor_y=y))
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(False)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll.setWidget(self.dendrogram)
        self.scroll.viewport().installEventFilter(self)
        self.legend = ClassLegend()  # the class colours of leaf markers and names
        tree_box = QVBoxLayout()
        tree_box.addWidget(self.legend)
        tree_box.addWidget(self.scroll, 1)
        layout.addLayout(tree_box, 1)
        # the hovered leaf's image (a collapsed leaf: its first item's), decoded on the
        # node's task runner by the projections' cache; the overlay shows at once
        self.hover = HoverOverlay(self)
        self.hover_images = ThumbnailCache(self.node.tasks)
        self.leaf_images = ThumbnailCache(self.node.tasks, edge=LEAF_EDGE)
        self._paths: list[str] | None = None
        self.dendrogram.hovered.connect(self._on_hover)
        add_export_actions(self, image=self.dendrogram)
        self.resize(900, 760)
        self._updating = True
        try:
            self.on_settings()
        finally:
            self._updating = False
        self.on_data()
        self.on_status(self.node.status())

    def is_ready(self) -> bool:
        """The tree is built and the leaf thumbnails asked for are decoded."""
        return self._pending is None and not self.leaf_images.pending

    # ------------------------------------------------------------------ zoom
    def max_zoom(self) -> float:
        """The zoom at which a leaf row is :data:`MAX_ROW_HEIGHT` pixels tall."""
        vp = self.scroll.viewport().height()
        d = self.dendrogram
        fit_rows = max(vp - d.TOP - d.BOTTOM, 1)
        n = self.shown.n if self.shown is not None else 1
        return max(1.0, MAX_ROW_HEIGHT * n / fit_rows)

    def _commit_while_typing(self, spin: QSpinBox | QDoubleSpinBox,
                             commit: Callable[[Any], None], name: str) -> None:
        """Apply a typed number after a pause (:mod:`~petriflow.gui.views.typed_numbers`);
        a value already set (and its mode already chosen) is not applied again."""
        mode = {"cut_ratio": "height_ratio", "top_n": "top_n"}.get(name)

        def apply(v: Any) -> None:
            if getattr(self.settings, name) != v or (
                    mode is not None and self.settings.selection_mode != mode):
                commit(v)

        apply_when_typed(spin, apply, lambda: self._updating)

    def _toggle_thumbnails(self, on: bool) -> None:
        self.set_settings(f"{'Show' if on else 'Hide'} leaf thumbnails in {self.node.title}",
                          leaf_thumbnails=on)
        if on:
            self.zoom_for_thumbnails()

    def zoom_for_thumbnails(self) -> None:
        """Zoom in until a leaf row is :data:`THUMB_ROW` pixels (or as far as zoom goes):
        at the 12-px rows of 48 leaves in one window the thumbnails were specks nobody
        could tell apart, and nothing said to zoom. Zooming out again is the user's."""
        d = self.dendrogram
        if d.tree is None:
            return
        row = d._row_height()
        if 0 < row < THUMB_ROW:
            self.set_zoom(self.zoom * THUMB_ROW / row, anchor_y=float(d.TOP))

    def set_zoom(self, zoom: float, anchor_y: float | None = None) -> None:
        """Scale the leaf spacing by ``zoom`` (1 = the whole tree fits the window),
        keeping the leaf at dendrogram pixel ``anchor_y`` (default: the middle of the
        visible part) under the same screen position."""
        zoom = float(min(max(zoom, 1.0), self.max_zoom()))
        bar = self.scroll.verticalScrollBar()
        vp_h = self.scroll.viewport().height()
        if anchor_y is None:
            anchor_y = bar.value() + vp_h / 2
        on_screen = anchor_y - bar.value()
        d = self.dendrogram
        old_rows = max(d.height() - d.TOP - d.BOTTOM, 1)
        self.zoom = zoom
        self._fit_dendrogram()
        new_rows = max(d.height() - d.TOP - d.BOTTOM, 1)
        new_y = d.TOP + (anchor_y - d.TOP) * new_rows / old_rows
        bar.setValue(round(new_y - on_screen))
        self.zoom_out_button.setEnabled(zoom > 1.0)
        self.zoom_in_button.setEnabled(zoom < self.max_zoom())

    def _fit_dendrogram(self) -> None:
        vp = self.scroll.viewport().size()
        d = self.dendrogram
        rows = max(vp.height() - d.TOP - d.BOTTOM, 1) * self.zoom
        height = max(vp.height(), round(rows) + d.TOP + d.BOTTOM)
        d.resize(max(vp.width(), d.minimumWidth()), max(height, d.minimumHeight()))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_dendrogram()
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------------ data
    def on_data(self) -> None:
        dm = self.inputs().get("Distances")
        linkage = self.settings.linkage
        if dm is None:
            self._dm, self.tree, self._items = None, None, None
            self._show_tree()
            return
        if self._dm is dm and self.tree is not None and self.tree.linkage == linkage:
            self._show_selection()
            return
        self._dm = dm
        if self._pending is not None:
            self._pending.cancel()  # superseded by newer distances or linkage

        def done(tree: Tree | None, error: BaseException | None) -> None:
            if self._pending is not task or not self._alive() or sip.isdeleted(self.dendrogram):
                return  # superseded by newer distances or linkage, or the view is closing
            self._pending = None
            if isinstance(error, Cancelled):  # the node was cancelled: build on next data
                self._dm = None
                self.info.setText("Tree not drawn: cancelled.")
                return
            if error is not None:
                self.info.setText(f"Cannot cluster: {error}")
                tree = None
            self.tree = tree
            self._items = item_table(dm) if tree is not None else None
            self._show_tree()

        memo = self.node.memo
        task = self.node.tasks.run(lambda _token: build_tree(dm, linkage, memo), done)
        self._pending = task

    def on_status(self, status: NodeStatus) -> None:
        if status.message:
            self.info.setText(status.message)

    def on_settings(self) -> None:
        s = self.settings
        self.linkage_combo.setCurrentIndex(max(self.linkage_combo.findData(s.linkage), 0))
        self.mode_buttons[s.selection_mode].setChecked(True)
        self.ratio_spin.setValue(s.cut_ratio)
        self.top_spin.setValue(s.top_n)
        self.depth_spin.setValue(s.max_depth)
        self.thumbs_check.blockSignals(True)
        self.thumbs_check.setChecked(s.leaf_thumbnails)
        self.thumbs_check.blockSignals(False)
        self._fill_columns()
        if self._look is not None and self._look[1:] != self._look_settings():
            self._show_tree()
        if self.tree is not None and self.tree.linkage != s.linkage:
            self.on_data()
        else:
            self._show_selection()

    # ------------------------------------------------------------------ look
    def _look_settings(self) -> tuple[str, str, int, bool]:
        s = self.settings
        return (s.annotation, s.color_by, s.max_depth, s.leaf_thumbnails)

    def _fill_columns(self) -> None:
        """The label and colour choices: the items' columns (kept while they stay)."""
        t = self.tree
        columns = leaf_columns(self._items, t.n) if t is not None else []
        s = self.settings
        for combo, default, current in (
                (self.annotation_combo, "(image name)", s.annotation),
                (self.color_combo, "(class)", s.color_by)):
            names = [combo.itemData(i) for i in range(1, combo.count())]
            if names != columns or not combo.count():  # unconnected: the default, not blank
                combo.clear()
                combo.addItem(default, "")
                for name in columns:
                    combo.addItem(name, name)
            combo.setCurrentIndex(max(combo.findData(current), 0))

    def _show_tree(self) -> None:
        """Paint :attr:`tree` as the look settings say (labels, colours, pruning)."""
        look = self._look_settings()
        self._look = (id(self.tree), *look)
        self._paths = None
        self.hover.clear()
        self._fill_columns()
        if self.tree is None:
            self.shown, self.pruned = None, None
            self.legend.set_classes(())
        else:
            self.shown, self.pruned = annotated_tree(self.tree, self._items, *look[:3])
            self.legend.set_classes(self.shown.class_values, look[1] or "Class")
        self.dendrogram.thumbnail_of = (self._leaf_thumbnail if look[3] and self.leaf_paths()
                                        else None)
        self.dendrogram.set_tree(self.shown)
        self.set_zoom(min(self.zoom, self.max_zoom()))
        self._show_selection()

    def shown_node(self, node: int) -> int:
        """The node painted for the full tree's ``node`` (its collapsed leaf if pruned)."""
        return int(self.pruned.shown_of[node]) if self.pruned is not None else node

    def full_node(self, shown: int) -> int:
        """The full tree's node that a painted node stands for (-1 stays -1)."""
        if shown < 0 or self.pruned is None:
            return shown
        return int(self.pruned.nodes[shown])

    # ------------------------------------------------------------------ hover
    def leaf_paths(self) -> list[str]:
        """Each item's image file, resolved against the workflow's folder ("": none)."""
        if self._paths is None:
            items, self._paths = self._items, []
            if items is not None and self.tree is not None and len(items) == self.tree.n:
                try:
                    values = items.metas[image_column_of(items)]
                except Exception:  # no image column: names only (the tooltip)
                    return self._paths
                bases = [b for b in (self.node.directory, Path.cwd()) if b is not None]
                self._paths = [str(resolve_image_path(str(v), bases)) if v else ""
                               for v in values]
        return self._paths

    def _on_hover(self, leaf: int, at: QPoint) -> None:
        paths = self.leaf_paths()
        shown = self.shown
        if leaf < 0 or shown is None or not paths:
            self.hover.clear()
            return
        if leaf == self.hover.row and self.hover.isVisible():
            return
        items = self.pruned.members[leaf] if self.pruned is not None else [leaf]
        lines = [shown.labels[leaf]]
        if len(items) > 1:
            lines.append(f"(the first of {len(items)} items)")
        code = int(shown.classes[leaf]) if shown.classes is not None else -1
        if code >= 0:
            lines.append(shown.class_values[code])
        path = paths[int(items[0])]
        image = self.hover_images.get(path, self._hover_arrived)
        self.hover.show_row(leaf, lines, image, path, self.dendrogram.mapTo(self, at))

    def _leaf_thumbnail(self, leaf: int) -> QImage | None:
        """The painted leaf's image (a collapsed leaf: its first item's); None while it
        decodes (the tree repaints when it arrives) or when it cannot be read."""
        paths = self.leaf_paths()
        if not paths:
            return None
        item = int(self.pruned.members[leaf][0]) if self.pruned is not None else leaf
        image = self.leaf_images.get(paths[item], self._leaf_arrived)
        return image if isinstance(image, QImage) else None

    def _leaf_arrived(self, _path: str) -> None:
        if not sip.isdeleted(self.dendrogram):  # the view may have closed meanwhile
            self.dendrogram.update()

    def _hover_arrived(self, path: str) -> None:
        if sip.isdeleted(self.hover) or not self.hover.isVisible() or self.hover.path != path:
            return  # the pointer moved on (the image stays cached)
        self.hover.set_image(self.hover_images.images[path])

    def current_clusters(self) -> list[int]:
        """Selected cluster nodes as the node computes them (left to right): the same
        :func:`~petriflow.analysis.clustering.selected_clusters` call."""
        if self.tree is None:
            return []
        s, t = self.settings, self.tree
        nodes = s.selected_nodes
        if s.selection_mode == "manual" and self._items is not None:  # if picked on it
            nodes = restore_clusters(self._items, t.Z, nodes, s.selection_context).selection
        try:
            return selected_clusters(t.Z, t.geom, s.selection_mode,
                                     selected_nodes=nodes, cut_ratio=s.cut_ratio,
                                     top_n=s.top_n)[0]
        except ValueError:  # the node reports the same error; nothing is selected
            return []

    def _show_selection(self) -> None:
        subset = self.inputs().get("Data Subset")
        t = self.tree
        if subset is not None and t is not None and t.row_ids is not None:
            self.dendrogram.subset = per_shown_leaf(
                np.isin(t.row_ids, np.asarray(subset.row_ids)), self.pruned)
        else:
            self.dendrogram.subset = None
        s = self.settings
        cut = s.cut_ratio if s.selection_mode == "height_ratio" else None
        clusters = self.current_clusters()
        shown = list(dict.fromkeys(self.shown_node(v) for v in clusters))
        self.dendrogram.set_selection(shown, cut)
        if t is not None and self.node.status().state in (NodeState.DONE, NodeState.IDLE,
                                                          NodeState.QUEUED):
            # what is selected, in the node's words: opened after the run the line was
            # empty (the status message is gone by then)
            g = t.geom
            items = int(sum(g.last_leaf[v] - g.first_leaf[v] + 1 for v in clusters))
            self.info.setText(selection_message(len(clusters), items, s.selection_mode))

    # ------------------------------------------------------------------ clicks
    def _on_click(self, shown: int, additive: bool) -> None:
        """A click on a painted node selects the full tree's node it stands for (a
        collapsed leaf: the whole subtree, all its items)."""
        if self.tree is None:
            return
        node = self.full_node(shown)
        current = self.current_clusters() if self.settings.selection_mode == "manual" else []
        if node < 0:
            new = current if additive else []
        elif additive:
            new = [v for v in current if v != node] if node in current else [*current, node]
        else:
            new = [node]
        new = normalize_selection(self.tree.geom, new)[0] if new else []
        self.set_settings(self._selection_text(new), selection_mode="manual",
                          selected_nodes=new,
                          selection_context=(clusters_context(self._items, self.tree.Z, new)
                                             if self._items is not None else {}))

    def _selection_text(self, clusters: list[int]) -> str:
        """The undo line in words: "Select 16 images in Hierarchical Clustering"."""
        if not clusters or self.tree is None:
            return f"Clear the selection in {self.node.title}"
        g = self.tree.geom
        n = int(sum(int(g.last_leaf[v]) - int(g.first_leaf[v]) + 1 for v in clusters))
        table = self._dm.table if self._dm is not None else None
        noun = "image" if table is not None and table.image_column is not None else "item"
        return f"Select {counted(n, noun)} in {self.node.title}"


@register_view("petriflow.hierarchical_clustering")
def make_view(node: NodeFacade) -> QWidget:
    return HierarchicalClusteringView(node)
