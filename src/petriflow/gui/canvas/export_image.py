"""File → Save Workflow as Image…: the canvas drawn into an SVG or PNG file.

Why render the scene rather than grab the window: the picture is of the whole workflow
at full resolution, whatever part of it the view shows and however it is zoomed, and it
works without a display (offscreen), so a handout, a report or a test can make one.
SVG (through ``QSvgGenerator``) stays sharp at any size for slides and papers; PNG is
drawn at twice the scene's resolution so text stays readable when projected.
"""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QRectF, QSize, Qt
from PyQt6.QtGui import QColor, QImage, QPainter
from PyQt6.QtWidgets import QGraphicsScene

__all__ = ["FORMATS", "MARGIN", "save_scene_image", "scene_picture_rect"]

#: space around the drawing
MARGIN = 24.0
#: PNG pixels per scene unit
PNG_SCALE = 2.0
#: the longest side of a PNG, in pixels (a 200-node chain is still drawn, smaller)
MAX_PNG_SIDE = 16000.0
#: the file dialog's filters, the first is the default
FORMATS = "SVG image (*.svg);;PNG image (*.png)"


def scene_picture_rect(scene: QGraphicsScene) -> QRectF:
    """What the picture shows: every item, with a margin (an empty scene: a small blank)."""
    rect = scene.itemsBoundingRect()
    if rect.isEmpty():
        rect = QRectF(0, 0, 200, 100)
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def _render(scene: QGraphicsScene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    """Draw the scene without the selection's highlight (the picture is of the workflow,
    not of what happened to be selected); the selection comes back afterwards."""
    selected = scene.selectedItems()
    for item in selected:
        item.setSelected(False)
    try:
        painter.setRenderHints(QPainter.RenderHint.Antialiasing
                               | QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, target, source, Qt.AspectRatioMode.KeepAspectRatio)
    finally:
        for item in selected:
            item.setSelected(True)


def save_scene_image(scene: QGraphicsScene, path: Path | str, title: str = "") -> Path:
    """Write the scene to ``path``: SVG for ``.svg``, PNG otherwise (``.png`` is added
    when the name has neither). Returns the path written; raises ``OSError`` with the
    reason when the file cannot be written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".svg", ".png"):
        path = path.with_name(path.name + ".png")
        suffix = ".png"
    if not path.parent.is_dir():
        raise OSError(f"Cannot save the image: folder {str(path.parent)!r} does not exist")
    source = scene_picture_rect(scene)
    if suffix == ".svg":
        from PyQt6.QtSvg import QSvgGenerator

        generator = QSvgGenerator()
        generator.setFileName(str(path))
        size = QSize(int(source.width()), int(source.height()))
        generator.setSize(size)
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(title or "Petriflow workflow")
        generator.setDescription("Drawn by Petriflow")
        painter = QPainter()
        if not painter.begin(generator):
            raise OSError(f"Cannot write {str(path)!r}")
        try:
            painter.fillRect(QRectF(0, 0, size.width(), size.height()), QColor("white"))
            _render(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
        finally:
            painter.end()
        if not path.is_file() or path.stat().st_size == 0:
            raise OSError(f"Cannot write {str(path)!r}")
        return path
    # a very wide workflow is drawn smaller rather than failing: Qt refuses images
    # beyond 32767 pixels a side
    scale = min(PNG_SCALE, MAX_PNG_SIDE / max(source.width(), source.height()))
    width = max(1, int(source.width() * scale))
    height = max(1, int(source.height() * scale))
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        _render(scene, painter, QRectF(0, 0, width, height), source)
    finally:
        painter.end()
    if not image.save(str(path), "PNG"):
        raise OSError(f"Cannot write {str(path)!r} (is the folder writable?)")
    return path
