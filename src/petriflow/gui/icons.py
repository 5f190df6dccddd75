"""Node icons drawn with QPainter: a category-coloured disc with a simple glyph.

Why drawn and not files: no third-party icon assets to license, crisp at any zoom, and
nothing to load from disk at start-up. A node whose icon name is unknown gets its
initials on the disc.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from PyQt6.QtCore import QPointF, QRectF, Qt
from PyQt6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap

__all__ = ["CATEGORY_COLORS", "category_color", "draw_glyph", "node_icon"]

#: toolbox/canvas colour of each category (light, so dark glyphs stay readable)
CATEGORY_COLORS: dict[str, str] = {
    "Data": "#FFC98A",
    "Images": "#9FD0F5",
    "Unsupervised": "#C7B8F0",
    "Model": "#F7A8C4",
    "Evaluate": "#9FE3D2",
    "Other": "#D8D8D8",
}

INK = QColor("#2B2B2B")


def category_color(category: str) -> QColor:
    return QColor(CATEGORY_COLORS.get(category, CATEGORY_COLORS["Other"]))


def _grid(p: QPainter, r: QRectF, rows: int, cols: int, shade: bool = False) -> None:
    w, h = r.width() / cols, r.height() / rows
    for i in range(rows):
        for j in range(cols):
            cell = QRectF(r.left() + j * w, r.top() + i * h, w, h)
            if shade:
                level = 60 + 150 * abs(i - j) / max(rows - 1, 1)
                p.fillRect(cell, QColor(int(level), int(level), int(level)))
            p.drawRect(cell)


def _table(p: QPainter, r: QRectF) -> None:
    _grid(p, r.adjusted(0, r.height() * 0.1, 0, -r.height() * 0.1), 4, 3)


def _distances(p: QPainter, r: QRectF) -> None:
    _grid(p, r, 4, 4, shade=True)


def _confusion(p: QPainter, r: QRectF) -> None:
    _grid(p, r, 2, 2)
    p.drawText(r, Qt.AlignmentFlag.AlignCenter, "✓ ✗\n✗ ✓")


def _dendrogram(p: QPainter, r: QRectF) -> None:
    x0, x1, y0, y1 = r.left(), r.right(), r.top(), r.bottom()
    leaves = [y0 + (y1 - y0) * f for f in (0.05, 0.35, 0.65, 0.95)]
    xa, xb = x0 + (x1 - x0) * 0.45, x0 + (x1 - x0) * 0.15
    path = QPainterPath()
    for y in leaves:
        path.moveTo(x1, y)
        path.lineTo(xa, y)
    path.moveTo(xa, leaves[0]); path.lineTo(xa, leaves[1])  # noqa: E702
    path.moveTo(xa, leaves[2]); path.lineTo(xa, leaves[3])  # noqa: E702
    ma, mb = (leaves[0] + leaves[1]) / 2, (leaves[2] + leaves[3]) / 2
    path.moveTo(xa, ma); path.lineTo(xb, ma)  # noqa: E702
    path.moveTo(xa, mb); path.lineTo(xb, mb)  # noqa: E702
    path.moveTo(xb, ma); path.lineTo(xb, mb)  # noqa: E702
    path.moveTo(xb, (ma + mb) / 2); path.lineTo(x0, (ma + mb) / 2)  # noqa: E702
    p.drawPath(path)


def _picture(p: QPainter, r: QRectF) -> None:
    p.drawRect(r)
    path = QPainterPath(QPointF(r.left(), r.bottom()))
    path.lineTo(r.left() + r.width() * 0.35, r.top() + r.height() * 0.45)
    path.lineTo(r.left() + r.width() * 0.6, r.top() + r.height() * 0.75)
    path.lineTo(r.left() + r.width() * 0.75, r.top() + r.height() * 0.6)
    path.lineTo(r.right(), r.bottom())
    p.drawPath(path)
    p.drawEllipse(QPointF(r.left() + r.width() * 0.75, r.top() + r.height() * 0.28),
                  r.width() * 0.09, r.width() * 0.09)


def _folder(p: QPainter, r: QRectF) -> None:
    path = QPainterPath(QPointF(r.left(), r.top() + r.height() * 0.15))
    path.lineTo(r.left() + r.width() * 0.4, r.top() + r.height() * 0.15)
    path.lineTo(r.left() + r.width() * 0.5, r.top() + r.height() * 0.3)
    path.lineTo(r.right(), r.top() + r.height() * 0.3)
    path.lineTo(r.right(), r.bottom())
    path.lineTo(r.left(), r.bottom())
    path.closeSubpath()
    p.drawPath(path)
    _picture(p, QRectF(r.left() + r.width() * 0.25, r.top() + r.height() * 0.45,
                       r.width() * 0.5, r.height() * 0.4))


def _viewer(p: QPainter, r: QRectF) -> None:
    w, h = r.width() / 2, r.height() / 2
    for i in range(2):
        for j in range(2):
            _picture(p, QRectF(r.left() + j * w + 1.5, r.top() + i * h + 1.5, w - 3, h - 3))


def _embedder(p: QPainter, r: QRectF) -> None:
    _picture(p, QRectF(r.left(), r.top() + r.height() * 0.25, r.width() * 0.45,
                       r.height() * 0.5))
    p.drawLine(QPointF(r.left() + r.width() * 0.5, r.center().y()),
               QPointF(r.left() + r.width() * 0.68, r.center().y()))
    for k in range(5):
        y = r.top() + r.height() * (0.1 + 0.2 * k)
        p.drawLine(QPointF(r.left() + r.width() * 0.78, y), QPointF(r.right(), y))


def _image_grid(p: QPainter, r: QRectF) -> None:
    """Three by three small pictures: the similarity grid."""
    w, h = r.width() / 3, r.height() / 3
    for k in range(9):
        i, j = divmod(k, 3)
        _picture(p, QRectF(r.left() + j * w + 1, r.top() + i * h + 1, w - 2, h - 2))


def _save_images(p: QPainter, r: QRectF) -> None:
    """A picture above a downward arrow into a tray."""
    _picture(p, QRectF(r.left() + r.width() * 0.2, r.top(), r.width() * 0.6,
                       r.height() * 0.45))
    x = r.center().x()
    p.drawLine(QPointF(x, r.top() + r.height() * 0.5), QPointF(x, r.bottom() - 2))
    p.drawLine(QPointF(x - r.width() * 0.12, r.bottom() - r.height() * 0.15),
               QPointF(x, r.bottom() - 2))
    p.drawLine(QPointF(x + r.width() * 0.12, r.bottom() - r.height() * 0.15),
               QPointF(x, r.bottom() - 2))


def _scatter(p: QPainter, r: QRectF, seed: int) -> None:
    pts = [(0.15, 0.8), (0.3, 0.55), (0.25, 0.3), (0.55, 0.6), (0.7, 0.25), (0.85, 0.4),
           (0.6, 0.85), (0.45, 0.2)]
    p.setBrush(INK)
    for k, (fx, fy) in enumerate(pts):
        fx = (fx + 0.13 * seed * (k % 3)) % 1.0
        p.drawEllipse(QPointF(r.left() + fx * r.width(), r.top() + fy * r.height()),
                      r.width() * 0.06, r.width() * 0.06)
    p.setBrush(Qt.BrushStyle.NoBrush)


def _line_fit(p: QPainter, r: QRectF, curve: bool) -> None:
    _scatter(p, r, 0)
    path = QPainterPath(QPointF(r.left(), r.bottom()))
    if curve:
        path.cubicTo(QPointF(r.center().x() + r.width() * 0.2, r.bottom()),
                     QPointF(r.center().x() - r.width() * 0.2, r.top()),
                     QPointF(r.right(), r.top()))
    else:
        path.lineTo(r.right(), r.top())
    p.drawPath(path)


def _knn(p: QPainter, r: QRectF) -> None:
    c = r.center()
    p.drawEllipse(c, r.width() * 0.42, r.width() * 0.42)
    _scatter(p, r, 1)


def _score(p: QPainter, r: QRectF) -> None:
    for k, f in enumerate((0.5, 0.8, 0.65)):
        x = r.left() + r.width() * (0.1 + 0.3 * k)
        p.drawRect(QRectF(x, r.bottom() - r.height() * f, r.width() * 0.2, r.height() * f))


def _save(p: QPainter, r: QRectF) -> None:
    p.drawRect(r)
    p.drawRect(QRectF(r.left() + r.width() * 0.2, r.top(), r.width() * 0.6, r.height() * 0.35))
    p.drawRect(QRectF(r.left() + r.width() * 0.15, r.top() + r.height() * 0.55,
                      r.width() * 0.7, r.height() * 0.45))


def _svm(p: QPainter, r: QRectF) -> None:
    """Two groups of points split by a line with its two margins."""
    _scatter(p, r, 1)
    p.drawLine(QPointF(r.left(), r.bottom()), QPointF(r.right(), r.top()))
    pen = p.pen()
    dashed = QPen(pen)
    dashed.setStyle(Qt.PenStyle.DashLine)
    p.setPen(dashed)
    d = r.width() * 0.18
    p.drawLine(QPointF(r.left(), r.bottom() - d), QPointF(r.right() - d, r.top()))
    p.drawLine(QPointF(r.left() + d, r.bottom()), QPointF(r.right(), r.top() + d))
    p.setPen(pen)


def _forest(p: QPainter, r: QRectF) -> None:
    """Three small trees (triangles on trunks)."""
    for k, f in enumerate((0.18, 0.5, 0.82)):
        x, top = r.left() + r.width() * f, r.top() + r.height() * (0.25 if k == 1 else 0.05)
        crown = QPainterPath(QPointF(x, top))
        crown.lineTo(x - r.width() * 0.16, r.top() + r.height() * 0.7)
        crown.lineTo(x + r.width() * 0.16, r.top() + r.height() * 0.7)
        crown.closeSubpath()
        p.drawPath(crown)
        p.drawLine(QPointF(x, r.top() + r.height() * 0.7), QPointF(x, r.bottom()))


def _network(p: QPainter, r: QRectF) -> None:
    """Three layers of neurons, every neuron linked to the next layer's."""
    layers = [(0.1, (0.2, 0.5, 0.8)), (0.5, (0.1, 0.37, 0.63, 0.9)), (0.9, (0.35, 0.65))]
    pts = [[QPointF(r.left() + r.width() * x, r.top() + r.height() * y) for y in ys]
           for x, ys in layers]
    for k in range(len(pts) - 1):
        for pa in pts[k]:
            for pb in pts[k + 1]:
                p.drawLine(pa, pb)
    p.setBrush(INK)
    for layer in pts:
        for pt in layer:
            p.drawEllipse(pt, r.width() * 0.06, r.width() * 0.06)
    p.setBrush(Qt.BrushStyle.NoBrush)


def _bell(p: QPainter, r: QRectF) -> None:
    """Two overlapping bell curves (class densities)."""
    for shift in (-0.18, 0.18):
        path = QPainterPath()
        for k in range(41):
            t = k / 40
            x = (t - 0.5 - shift) * 5
            y = r.bottom() - r.height() * 0.9 * math.exp(-x * x / 2)
            pt = QPointF(r.left() + r.width() * t, y)
            if k:
                path.lineTo(pt)
            else:
                path.moveTo(pt)
        p.drawPath(path)
    p.drawLine(QPointF(r.left(), r.bottom()), QPointF(r.right(), r.bottom()))


def _predictions(p: QPainter, r: QRectF) -> None:
    """A picture, an arrow, and a class tag."""
    _picture(p, QRectF(r.left(), r.top() + r.height() * 0.3, r.width() * 0.42,
                       r.height() * 0.4))
    y = r.center().y()
    p.drawLine(QPointF(r.left() + r.width() * 0.48, y), QPointF(r.left() + r.width() * 0.62, y))
    p.drawLine(QPointF(r.left() + r.width() * 0.56, y - r.height() * 0.06),
               QPointF(r.left() + r.width() * 0.62, y))
    p.drawLine(QPointF(r.left() + r.width() * 0.56, y + r.height() * 0.06),
               QPointF(r.left() + r.width() * 0.62, y))
    p.drawRoundedRect(QRectF(r.left() + r.width() * 0.68, r.top() + r.height() * 0.35,
                             r.width() * 0.32, r.height() * 0.3), 2, 2)


def _page(p: QPainter, r: QRectF) -> None:
    """A file's outline with a folded corner (Load Model, File)."""
    fold = r.width() * 0.25
    path = QPainterPath(QPointF(r.left() + r.width() * 0.1, r.top()))
    path.lineTo(r.right() - fold, r.top())
    path.lineTo(r.right() - r.width() * 0.1 + 1, r.top() + fold)
    path.lineTo(r.right() - r.width() * 0.1 + 1, r.bottom())
    path.lineTo(r.left() + r.width() * 0.1, r.bottom())
    path.closeSubpath()
    p.drawPath(path)


def _load_model(p: QPainter, r: QRectF) -> None:
    """A file (folded corner) holding a small network."""
    _page(p, r)
    _network(p, QRectF(r.left() + r.width() * 0.22, r.top() + r.height() * 0.3,
                       r.width() * 0.56, r.height() * 0.55))


def _file(p: QPainter, r: QRectF) -> None:
    """A file holding a small table."""
    _page(p, r)
    _grid(p, QRectF(r.left() + r.width() * 0.25, r.top() + r.height() * 0.35,
                    r.width() * 0.5, r.height() * 0.5), 3, 2)


def _merge(p: QPainter, r: QRectF) -> None:
    """Two tables side by side, the right one joining the left."""
    _grid(p, QRectF(r.left(), r.top(), r.width() * 0.45, r.height()), 4, 2)
    _grid(p, QRectF(r.left() + r.width() * 0.55, r.top() + r.height() * 0.25,
                    r.width() * 0.45, r.height() * 0.5), 2, 1, shade=True)


def _select(p: QPainter, r: QRectF, columns: bool) -> None:
    """A table with one column (Select Columns) or one row (Select Rows) marked."""
    _grid(p, r, 4, 4)
    w, h = r.width() / 4, r.height() / 4
    band = (QRectF(r.left() + w, r.top(), w, r.height()) if columns
            else QRectF(r.left(), r.top() + h, r.width(), h))
    p.fillRect(band, INK)


def _scatter_axes(p: QPainter, r: QRectF) -> None:
    """Points above two axes: a plot of two columns."""
    p.drawLine(QPointF(r.left(), r.top()), QPointF(r.left(), r.bottom()))
    p.drawLine(QPointF(r.left(), r.bottom()), QPointF(r.right(), r.bottom()))
    _scatter(p, r.adjusted(r.width() * 0.12, 0, 0, -r.height() * 0.12), 4)


GLYPHS: dict[str, Callable[[QPainter, QRectF], None]] = {
    "table": _table,
    "distances": _distances,
    "confusion-matrix": _confusion,
    "hierarchical-clustering": _dendrogram,
    "import-images": _folder,
    "image-viewer": _viewer,
    "image-embedder": _embedder,
    "mds": lambda p, r: _scatter(p, r, 0),
    "pca": lambda p, r: _scatter(p, r, 2),
    "tsne": lambda p, r: _scatter(p, r, 3),
    "umap": lambda p, r: _scatter(p, r, 5),
    "image-grid": _image_grid,
    "save-images": _save_images,
    "knn": _knn,
    "logistic-regression": lambda p, r: _line_fit(p, r, curve=True),
    "test-and-score": _score,
    "save": _save,
    "svm": _svm,
    "random-forest": _forest,
    "neural-network": _network,
    "naive-bayes": _bell,
    "predictions": _predictions,
    "load-model": _load_model,
    "file": _file,
    "merge-data": _merge,
    "select-columns": lambda p, r: _select(p, r, columns=True),
    "select-rows": lambda p, r: _select(p, r, columns=False),
    "scatter-plot": _scatter_axes,
}


def _glyph_key(icon: str) -> str:
    """'icons/image-embedder.svg' and 'image-embedder' name the same glyph."""
    return icon.rsplit("/", 1)[-1].removesuffix(".svg").removesuffix(".png").lower()


def draw_glyph(p: QPainter, rect: QRectF, icon: str, name: str) -> None:
    """Draw the glyph for ``icon`` into ``rect`` (initials of ``name`` if unknown)."""
    glyph = GLYPHS.get(_glyph_key(icon))
    p.save()
    pen = QPen(INK, max(1.0, rect.width() / 22.0))
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    if glyph is not None:
        font = QFont()
        font.setPixelSize(max(6, int(rect.height() / 3.2)))
        p.setFont(font)
        glyph(p, rect)
    else:
        initials = "".join(w[0] for w in name.split()[:2]).upper() or "?"
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(8, int(rect.height() * 0.55)))
        p.setFont(font)
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, initials)
    p.restore()


def paint_node_disc(p: QPainter, rect: QRectF, category: str, icon: str, name: str) -> None:
    """The full icon: category disc, then the glyph in its inner square."""
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(category_color(category).darker(140), max(1.0, rect.width() / 32)))
    p.setBrush(category_color(category))
    p.drawEllipse(rect)
    inner = rect.width() / math.sqrt(2) * 0.78
    glyph_rect = QRectF(0, 0, inner, inner)
    glyph_rect.moveCenter(rect.center())
    draw_glyph(p, glyph_rect, icon, name)
    p.restore()


@functools.lru_cache(maxsize=256)
def _icon(category: str, icon: str, name: str) -> QIcon:
    result = QIcon()
    for size in (16, 24, 32, 48):
        pix = QPixmap(size, size)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        paint_node_disc(p, QRectF(0.5, 0.5, size - 1, size - 1), category, icon, name)
        p.end()
        result.addPixmap(pix)
    return result


def node_icon(node_type: type | None) -> QIcon:
    """A QIcon for a node class (toolbox, menus, window icons); cached."""
    if node_type is None:
        return _icon("Other", "", "?")
    return _icon(node_type.category, node_type.icon, node_type.name)
