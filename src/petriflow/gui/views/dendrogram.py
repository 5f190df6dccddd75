"""The dendrogram widget: paints a hierarchical clustering tree and maps clicks to clusters.

The root is on the left, leaves on the right with their labels, one row per leaf; each
leaf's label and marker take its class colour. A click on a branch (its vertical bar or
the horizontal stem leading into it) selects that cluster; Ctrl/⌘-click adds or removes
clusters; a click on empty space clears.

Legibility: class colours are hues, so selected clusters are never told apart by hue —
they are drawn in near-black on alternating grey bands, each tagged with its name in
the node's output ("C1", "C2", …). A leaf name too long for the label column is
elided in the middle ("IMG_2023…_0042.png", both ends stay readable), with the whole
name in the tooltip; :class:`ClassLegend` names the class colours.

Why a module of its own: the widget (painting, hit testing, zoom geometry) and the
:class:`Tree` it paints are one job, apart from the Hierarchical Clustering view's controls
and its link to the node's settings (:mod:`petriflow.gui.views.hierarchical_clustering`).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from PyQt6.QtCore import QEvent, QLineF, QPoint, QPointF, QRectF, QSize, Qt, pyqtSignal
from PyQt6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QHelpEvent,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PyQt6.QtWidgets import QHBoxLayout, QLabel, QToolTip, QWidget

from petriflow.analysis.clustering import Dendrogram
from petriflow.core.memo import RunMemo
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix
from petriflow.gui.views._common import class_colors
from petriflow.nodes.hierarchical_clustering import linkage_tree

__all__ = ["ClassLegend", "DendrogramWidget", "Tree", "build_tree", "leaf_colors", "leaf_labels"]

#: selected clusters: near-black branches on alternating light grey bands, never a hue
#: (hues are the classes'); clusters are told apart by their tags C1, C2, …
SELECTED_BRANCH = "#1b1b1b"
SELECTION_BANDS = ("#E4E4E4", "#F1F1F1")
UNSELECTED_BRANCH = "#8c8c8c"
#: how close (pixels) a click must be to a branch to pick it
PICK_TOLERANCE = 5.0
#: zoom steps (+/−, one wheel notch) multiply the leaf spacing by this
ZOOM_STEP = 1.5
#: zooming stops when a leaf row is this tall (pixels)
MAX_ROW_HEIGHT = 40.0
#: leaf thumbnails are drawn when rows are at least this tall (pixels)
THUMBNAIL_MIN_ROW = 12.0
#: the colour of the "other" group when leaves are coloured by a column of many values
OTHER_COLOR = "#9a9a9a"


@dataclass(frozen=True)
class Tree:
    """A computed dendrogram with the labels and classes of its leaves."""

    Z: np.ndarray
    geom: Dendrogram
    labels: list[str]
    classes: np.ndarray | None  # class code per item (-1 missing), or None
    class_values: tuple[str, ...]
    linkage: str
    n: int
    row_ids: np.ndarray | None = None  # of the items' table, to match a Data Subset
    #: tooltip per leaf when it differs from the label (a pruned subtree's items)
    tips: list[str] | None = None


class DendrogramWidget(QWidget):
    """Paints a :class:`Tree` and maps clicks to cluster nodes.

    ``node_point(v)`` is the pixel at the middle of node ``v``'s branch: tests click
    there, and the hit test uses the same geometry.
    """

    #: (node id or -1 for empty space, additive: ctrl/cmd held)
    clicked = pyqtSignal(int, bool)
    #: the cut line is being dragged to this ratio (%); ``cut_released`` at the end
    cut_moved = pyqtSignal(float)
    cut_released = pyqtSignal(float)
    #: Ctrl/⌘+wheel: (zoom factor to apply, widget y under the cursor)
    zoom_requested = pyqtSignal(float, float)
    #: the pointer is over leaf (item index of the painted tree; -1: none) at this pixel
    hovered = pyqtSignal(int, QPoint)

    LEFT, RIGHT_LABELS, TOP, BOTTOM = 12, 170, 12, 12

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree: Tree | None = None
        self.selected: list[int] = []
        self.cut_ratio: float | None = None
        #: items of the Data Subset input (drawn solid; the others hollow), or None
        self.subset: np.ndarray | None = None
        self._dragging_cut = False
        self._segment_cache: tuple[Any, list[QLineF], np.ndarray] | None = None
        self.setMinimumSize(QSize(360, 200))
        self.setMouseTracking(True)  # a hovered leaf shows its image (the view's overlay)
        self._hovered = -1
        #: leaf (item of the painted tree) -> its thumbnail, None while it decodes; set
        #: by the view to draw thumbnails at the leaves (rows of THUMBNAIL_MIN_ROW px+)
        self.thumbnail_of: Callable[[int], QImage | None] | None = None
        self.setAutoFillBackground(True)

    def set_tree(self, tree: Tree | None) -> None:
        self.tree = tree  # the tree is fitted to the widget; the view sets its height
        self.update()

    def set_selection(self, nodes: list[int], cut_ratio: float | None) -> None:
        self.selected, self.cut_ratio = list(nodes), cut_ratio
        self.update()

    # ------------------------------------------------------------------ geometry
    def _row_height(self) -> float:
        assert self.tree is not None
        return max(self.height() - self.TOP - self.BOTTOM, 1) / max(self.tree.n, 1)

    def _x_of_height(self, h: float) -> float:
        assert self.tree is not None
        top = float(self.tree.geom.height.max()) or 1.0
        width = max(self.width() - self.LEFT - self.RIGHT_LABELS, 10)
        return self.LEFT + width * (1.0 - h / top)

    def _y_of_pos(self, pos: float) -> float:
        return self.TOP + (pos + 0.5) * self._row_height()

    def node_point(self, node: int) -> QPoint:
        """Pixel in the middle of the branch that selects ``node``."""
        assert self.tree is not None
        g = self.tree.geom
        if node >= self.tree.n:  # a merge: middle of its vertical bar
            a, b = g.children[node - self.tree.n]
            y = (self._y_of_pos(g.x[a]) + self._y_of_pos(g.x[b])) / 2
            return QPoint(round(self._x_of_height(g.height[node])), round(y))
        # a leaf: middle of its stem
        x0 = self._x_of_height(self._parent_height(node))
        x1 = self._x_of_height(0.0)
        return QPoint(round((x0 + x1) / 2), round(self._y_of_pos(g.x[node])))

    def _parent_height(self, node: int) -> float:
        assert self.tree is not None
        n = self.tree.n
        rows = np.flatnonzero((self.tree.geom.children == node).any(axis=1))
        return float(self.tree.geom.height[n + rows[0]]) if len(rows) else 0.0

    def node_at(self, p: QPointF) -> int:
        """The cluster node whose branch is nearest to ``p`` (within tolerance), else -1.

        Vectorised over all merges: a click on a 10 000-leaf tree stays well under 50 ms.
        """
        if self.tree is None or self.tree.n < 2:
            return -1
        g, n = self.tree.geom, self.tree.n
        px, py = p.x(), p.y()
        ys = self._y_of_pos(g.x)
        xs = self._xs()
        merges = np.arange(n, 2 * n - 1)
        a, b = g.children[:, 0], g.children[:, 1]
        # vertical bars of the merges
        y0, y1 = np.minimum(ys[a], ys[b]), np.maximum(ys[a], ys[b])
        dy = np.where(py < y0, y0 - py, np.where(py > y1, py - y1, 0.0))
        d_bar = np.hypot(px - xs[merges], dy)
        # stems from each merge's bar into each child (selects the child)
        stem_nodes = np.concatenate([a, b])
        parent_x = np.concatenate([xs[merges], xs[merges]])
        xa, xb = np.minimum(parent_x, xs[stem_nodes]), np.maximum(parent_x, xs[stem_nodes])
        dx = np.where(px < xa, xa - px, np.where(px > xb, px - xb, 0.0))
        d_stem = np.hypot(dx, py - ys[stem_nodes])
        nodes = np.concatenate([merges, stem_nodes])
        dist = np.concatenate([d_bar, d_stem])
        best = int(np.argmin(dist))
        return int(nodes[best]) if dist[best] < PICK_TOLERANCE else -1

    def _xs(self) -> np.ndarray:
        assert self.tree is not None
        heights = self.tree.geom.height
        top = float(heights.max()) or 1.0
        width = max(self.width() - self.LEFT - self.RIGHT_LABELS, 10)
        return self.LEFT + width * (1.0 - heights / top)

    def cut_x(self) -> float | None:
        """Pixel column of the height-ratio cut line (None when not cutting)."""
        if self.tree is None or self.cut_ratio is None:
            return None
        top = float(self.tree.geom.height.max()) or 1.0
        return self._x_of_height(top * self.cut_ratio / 100.0)

    def ratio_at(self, x: float) -> float:
        """Cut ratio (%) for a pixel column, clamped to 0–100."""
        width = max(self.width() - self.LEFT - self.RIGHT_LABELS, 10)
        return float(min(max(100.0 * (1.0 - (x - self.LEFT) / width), 0.0), 100.0))

    # ------------------------------------------------------------------ painting
    def owners(self) -> np.ndarray:
        """Per node: index of the selected cluster that contains it, or -1."""
        assert self.tree is not None
        g = self.tree.geom
        owner = np.full(len(g.height), -1)
        for k, v in enumerate(self.selected):
            inside = (g.first_leaf >= g.first_leaf[v]) & (g.last_leaf <= g.last_leaf[v])
            inside &= g.height <= g.height[v]
            owner[inside] = k
        return owner

    def paintEvent(self, event: QPaintEvent) -> None:
        """Batched drawing (one ``drawLines``/``drawPoints`` per colour): a 5 000-leaf
        tree repaints in a few tens of milliseconds instead of a quarter second."""
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("white"))
        tree = self.tree
        if tree is None or tree.n == 0:
            p.setPen(QColor("#777"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No distances on the input.")
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, tree.n <= 1000)
        g = tree.geom
        ys = self._y_of_pos(g.x)
        xs = self._xs()
        row_h = self._row_height()
        owner = self.owners()
        # selection bands behind the tree, alternating greys in leaf order
        order = sorted(range(len(self.selected)),
                       key=lambda k: int(g.first_leaf[self.selected[k]]))
        for shade, k in enumerate(order):
            v = self.selected[k]
            top = self.TOP + g.first_leaf[v] * row_h
            bottom = self.TOP + (g.last_leaf[v] + 1) * row_h
            p.fillRect(QRectF(xs[v] - 3, top, self.width() - xs[v] + 3, bottom - top),
                       QColor(SELECTION_BANDS[shade % len(SELECTION_BANDS)]))
        for pen, lines in self._segments(xs, ys, owner):
            p.setPen(pen)
            p.drawLines(lines)
        self._paint_tags(p, xs, ys)
        x = self.cut_x()
        if x is not None:
            p.setPen(QPen(QColor("#d62728"), 1.5, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x, self.TOP), QPointF(x, self.height() - self.BOTTOM))
        self._paint_leaves(p, ys, row_h, QRectF(event.rect()))
        p.end()

    def _segments(self, xs: np.ndarray, ys: np.ndarray,
                  owner: np.ndarray) -> list[tuple[QPen, list[QLineF]]]:
        """Line segments grouped by pen: each merge's vertical bar (owned by the merge)
        and each stem (owned by the child).

        The QLineF objects are built once per size and tree (building 15 000 of them
        costs more than drawing them); a selection only regroups them by index.
        """
        assert self.tree is not None
        g, n = self.tree.geom, self.tree.n
        if n < 2:
            return []
        key = (self.width(), self.height(), id(self.tree))
        if self._segment_cache is None or self._segment_cache[0] != key:
            merges = np.arange(n, 2 * n - 1)
            a, b = g.children[:, 0], g.children[:, 1]
            kids = np.concatenate([a, b])
            seg = np.concatenate([
                np.column_stack([xs[merges], ys[a], xs[merges], ys[b]]),
                np.column_stack([np.concatenate([xs[merges]] * 2), ys[kids], xs[kids],
                                 ys[kids]]),
            ])
            lines = [QLineF(*row) for row in seg.tolist()]
            self._segment_cache = (key, lines, np.concatenate([merges, kids]))
        _, lines, seg_nodes = self._segment_cache
        seg_owner = owner[seg_nodes]
        groups: list[tuple[QPen, list[QLineF]]] = []
        unselected = seg_owner < 0
        for mask, pen in ((unselected, QPen(QColor(UNSELECTED_BRANCH), 1.2)),
                          (~unselected, QPen(QColor(SELECTED_BRANCH), 2.6))):
            if mask.any():
                groups.append((pen, [lines[i] for i in np.flatnonzero(mask).tolist()]))
        return groups

    def cluster_tags(self) -> list[tuple[str, QRectF]]:
        """Each selected cluster's tag ("C1" is the output's first cluster: the top one)
        and where it is drawn: just left of the cluster's root, or inside its band when
        that would leave the widget."""
        if self.tree is None or not self.selected:
            return []
        g = self.tree.geom
        ys, xs = self._y_of_pos(g.x), self._xs()
        metrics = QFontMetricsF(self._tag_font())
        # numbered top to bottom, nested clusters left out: as the node names them
        outer = [v for v in self.selected if not any(
            u != v and g.first_leaf[u] <= g.first_leaf[v] and g.last_leaf[v] <= g.last_leaf[u]
            and g.height[v] <= g.height[u] for u in self.selected)]
        tags = []
        for k, v in enumerate(sorted(outer, key=lambda v: int(g.first_leaf[v]))):
            text = f"C{k + 1}"
            w, h = metrics.horizontalAdvance(text) + 6, metrics.height() + 2
            x = xs[v] - w - 3 if xs[v] - w - 3 >= 0 else xs[v] + 3
            y = float(ys[v]) - h / 2
            tags.append((text, QRectF(x, y, w, h)))
        return tags

    def _tag_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(7.5)
        font.setBold(True)
        return font

    def _paint_tags(self, p: QPainter, xs: np.ndarray, ys: np.ndarray) -> None:
        p.setFont(self._tag_font())
        for text, rect in self.cluster_tags():
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(SELECTED_BRANCH))
            p.drawRoundedRect(rect, 3, 3)
            p.setPen(QColor("white"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        p.setBrush(Qt.BrushStyle.NoBrush)

    def _paint_leaves(self, p: QPainter, ys: np.ndarray, row_h: float,
                      exposed: QRectF | None = None) -> None:
        """Class-coloured markers (solid for the Data Subset, hollow for the rest when a
        subset is given) and, when rows are tall enough, labels (only those in
        ``exposed``: a zoomed 5 000-leaf tree paints the visible few dozen)."""
        tree = self.tree
        assert tree is not None
        n = tree.n
        colors = leaf_colors(tree.class_values)
        codes = tree.classes if tree.classes is not None else np.full(n, -1)
        x_leaf = self._x_of_height(0.0) + 6
        r = max(min(row_h * 0.3, 4.0), 1.5)
        solid = np.ones(n, bool) if self.subset is None else self.subset
        for code in np.unique(codes):
            color = colors[code] if code >= 0 else QColor("#444")
            of_class = codes == code
            for filled in (True, False):
                rows = np.flatnonzero(of_class & (solid == filled))
                if not len(rows):
                    continue
                if row_h < 3:  # rows thinner than a marker: a class-coloured strip
                    p.setPen(QPen(color, 1.0 if filled else 0.5))
                    p.drawLines([QLineF(x_leaf - 4, y, x_leaf + 4, y)
                                 for y in ys[rows].tolist()])
                    continue
                points = QPolygonF([QPointF(x_leaf, y) for y in ys[rows].tolist()])
                if filled:
                    size = 2 * r * (1.4 if self.subset is not None else 1.0)
                    pen = QPen(color, size, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
                    p.setPen(pen)
                    p.drawPoints(points)
                else:
                    p.setPen(QPen(color, 1.0))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    for pt in points:
                        p.drawEllipse(pt, r, r)
        if row_h < 6:
            return
        font = self._label_font(row_h)
        p.setFont(font)
        metrics = QFontMetricsF(font)
        width = self._label_width()
        leaf_ys = ys[:n]
        if exposed is not None:
            visible = (leaf_ys >= exposed.top() - row_h) & (leaf_ys <= exposed.bottom() + row_h)
            items = np.flatnonzero(visible).tolist()
        else:
            items = range(n)
        thumbs = self.thumbnail_of if row_h >= THUMBNAIL_MIN_ROW else None
        edge = row_h - 2
        if thumbs is not None:  # a thumbnail left of each label, the label shortened
            width -= edge + 4
        for item in items:
            code = int(codes[item])
            y = ys[item]
            x_text = x_leaf + 8
            if thumbs is not None:
                image = thumbs(item)
                box = QRectF(x_text, y - edge / 2, edge, edge)
                if image is not None and not image.isNull():
                    fitted = image.size().scaled(round(edge), round(edge),
                                                 Qt.AspectRatioMode.KeepAspectRatio)
                    p.drawImage(QRectF(box.center().x() - fitted.width() / 2,
                                       box.center().y() - fitted.height() / 2,
                                       fitted.width(), fitted.height()), image)
                else:  # loading, or no image: a grey square
                    p.fillRect(box, QColor("#e8e8e8"))
                x_text += edge + 4
            p.setPen(colors[code] if code >= 0 else QColor("#444"))
            p.drawText(QRectF(x_text, y - row_h / 2, width + 2, row_h),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                       metrics.elidedText(tree.labels[item], Qt.TextElideMode.ElideMiddle,
                                          width))

    def _label_font(self, row_h: float) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(min(row_h * 0.62, 10.0), 5.0))
        return font

    def _label_width(self) -> float:
        return float(self.RIGHT_LABELS - 16)

    def shown_label(self, item: int) -> str:
        """Leaf ``item``'s label as painted: elided in the middle to the label column."""
        assert self.tree is not None
        metrics = QFontMetricsF(self._label_font(self._row_height()))
        return metrics.elidedText(self.tree.labels[item], Qt.TextElideMode.ElideMiddle,
                                  self._label_width())

    def leaf_at(self, p: QPointF) -> int:
        """The leaf (item index) whose row is at ``p`` right of the tree, else -1."""
        if self.tree is None or self.tree.n == 0 or p.x() < self._x_of_height(0.0):
            return -1
        pos = int((p.y() - self.TOP) // self._row_height())
        if not 0 <= pos < self.tree.n:
            return -1
        hits = np.flatnonzero(self.tree.geom.x[: self.tree.n] == pos)
        return int(hits[0]) if len(hits) else -1

    def tooltip_at(self, p: QPointF) -> str:
        """The whole leaf name (and class) under ``p``, or the cluster tag's meaning."""
        for text, rect in self.cluster_tags():
            if rect.contains(p):
                return f"Cluster {text} (the Cluster column of the output)"
        item = self.leaf_at(p)
        if item < 0 or self.tree is None:
            return ""
        if self.tree.tips is not None:
            return self.tree.tips[item]
        name = self.tree.labels[item]
        if self.tree.classes is not None and self.tree.classes[item] >= 0:
            name += f" — {self.tree.class_values[int(self.tree.classes[item])]}"
        return name

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        mods = event.modifiers()
        if mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.MetaModifier):
            steps = event.angleDelta().y() / 120.0
            if steps:
                self.zoom_requested.emit(ZOOM_STEP ** steps, event.position().y())
            event.accept()
            return
        super().wheelEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        cut = self.cut_x()
        if cut is not None and abs(event.position().x() - cut) <= PICK_TOLERANCE:
            self._dragging_cut = True  # grab the cut line, not a branch
            event.accept()
            return
        mods = event.modifiers()
        additive = bool(mods & (Qt.KeyboardModifier.ControlModifier
                                | Qt.KeyboardModifier.MetaModifier
                                | Qt.KeyboardModifier.ShiftModifier))
        self.clicked.emit(self.node_at(event.position()), additive)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._dragging_cut:
            self.cut_ratio = self.ratio_at(event.position().x())
            self.update()
            self.cut_moved.emit(self.cut_ratio)
        else:
            leaf = self.leaf_at(event.position()) if not event.buttons() else -1
            if leaf != self._hovered or leaf >= 0:
                self._hovered = leaf
                self.hovered.emit(leaf, event.position().toPoint())
            super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self._hovered >= 0:
            self._hovered = -1
            self.hovered.emit(-1, QPoint())
        super().leaveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging_cut:
            self._dragging_cut = False
            self.cut_released.emit(self.ratio_at(event.position().x()))
            event.accept()
        else:
            super().mouseReleaseEvent(event)


class ClassLegend(QWidget):
    """A row of class colour swatches with the class names (hidden without classes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(4, 2, 4, 2)
        self._layout.setSpacing(10)
        self.entries: list[str] = []
        self.column = "Class"
        self.setVisible(False)

    def set_classes(self, class_values: tuple[str, ...], column: str = "Class") -> None:
        """Swatches for ``class_values``: the values of ``column`` the leaves are
        coloured by (the class by default)."""
        if list(class_values) == self.entries and column == self.column:
            return
        self.column = column
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.entries = list(class_values)
        for name, color in zip(class_values, leaf_colors(class_values), strict=True):
            label = QLabel(f'<span style="color:{color.name()}">&#9679;</span>&nbsp;'
                           f"{html.escape(name)}")
            label.setToolTip(f"{column} {name}: leaf markers and names in this colour")
            self._layout.addWidget(label)
        self._layout.addStretch(1)
        self.setVisible(bool(class_values))


def leaf_colors(values: tuple[str, ...] | list[str]) -> list[QColor]:
    """Colours of leaf values: the class palette, grey for a last "other (…)" group
    (many values grouped by :mod:`petriflow.gui.views.dendrogram_look`)."""
    colors = class_colors(len(values))
    if values and str(values[-1]).startswith("other ("):
        colors[-1] = QColor(OTHER_COLOR)
    return colors


def leaf_labels(table: Table | None, n: int, column: str = "") -> list[str]:
    """Label per item: the chosen column, else the image name, else the class, else 1…n."""
    if table is None or len(table) != n:
        return [str(i + 1) for i in range(n)]
    names = [column] if column else []
    names += ["image name", "name", "label"]
    for name in names:
        if name and name in table.column_names:
            return [str(v) for v in table.column(name)]
    if table.has_class:
        return [str(v) for v in table.class_labels()]
    return [str(i + 1) for i in range(n)]


def build_tree(dm: DistanceMatrix, linkage: str, memo: RunMemo | None = None) -> Tree:
    """The tree for ``dm`` (runs on a worker thread); ``memo``: the scheduler's, where
    the node has usually computed the linkage already."""
    n = len(dm)
    Z, geom = linkage_tree(dm, linkage, memo)
    table = dm.table if dm.axis == 0 else None
    if table is not None and len(table) == n and table.has_class:
        classes, class_values = np.asarray(table.y), tuple(str(c) for c in table.class_values)
    else:
        classes, class_values = None, ()
    labels = leaf_labels(table, n) if dm.axis == 0 else list(
        dm.labels or [str(i + 1) for i in range(n)])
    row_ids = np.asarray(table.row_ids) if table is not None and len(table) == n else None
    return Tree(Z, geom, labels, classes, class_values, linkage, n, row_ids)
