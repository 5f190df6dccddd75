"""The QGraphicsView of the canvas: drops (toolbox widgets, image folders, .ows files),
Space for the quick menu, Ctrl+wheel zoom."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QPoint, QPointF, Qt, pyqtSignal
from PyQt6.QtGui import QCursor, QPainter
from PyQt6.QtWidgets import QGraphicsView

from petriflow.gui.canvas.scene import CanvasScene
from petriflow.gui.toolbox import NODE_MIME

__all__ = ["MAX_ZOOM", "MIN_ZOOM", "CanvasView"]

#: zoom limits (1.0 = 100%)
MIN_ZOOM = 0.1
MAX_ZOOM = 4.0


class CanvasView(QGraphicsView):
    """Shows a :class:`CanvasScene`; forwards drops to the window as signals."""

    node_dropped = pyqtSignal(str, QPointF)  # qualified name, scene position
    folder_dropped = pyqtSignal(str, QPointF)  # folder path, scene position
    file_dropped = pyqtSignal(str)  # a .ows to open

    def __init__(self, scene: CanvasScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setAcceptDrops(True)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setMinimumSize(300, 200)

    def canvas(self) -> CanvasScene:
        scene = self.scene()
        assert isinstance(scene, CanvasScene)
        return scene

    # ------------------------------------------------------------------ drops
    @staticmethod
    def _usable(mime) -> bool:
        if mime.hasFormat(NODE_MIME):
            return True
        if mime.hasUrls():
            for url in mime.urls():
                p = Path(url.toLocalFile()) if url.isLocalFile() else None
                if p is not None and (p.is_dir() or p.suffix.lower() == ".ows"):
                    return True
        return False

    def dragEnterEvent(self, event) -> None:
        if self._usable(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if self._usable(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        mime = event.mimeData()
        pos = self.mapToScene(event.position().toPoint())
        if mime.hasFormat(NODE_MIME):
            self.node_dropped.emit(bytes(mime.data(NODE_MIME)).decode(), pos)
            event.acceptProposedAction()
            return
        handled = False
        for url in mime.urls():
            if not url.isLocalFile():
                continue
            p = Path(url.toLocalFile())
            if p.is_dir():
                self.folder_dropped.emit(str(p), pos)
                pos = pos + QPointF(0, 90)
                handled = True
            elif p.suffix.lower() == ".ows":
                self.file_dropped.emit(str(p))
                handled = True
                break
        if handled:
            event.acceptProposedAction()
        else:
            event.ignore()

    # ------------------------------------------------------------------ keys, zoom
    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not self.canvas().editing_text():
            local = self.mapFromGlobal(QCursor.pos())
            if not self.viewport().rect().contains(local):
                local = self.viewport().rect().center()
            self.canvas().quick_menu_requested.emit(self.viewport().mapToGlobal(local),
                                                    self.mapToScene(local))
            event.accept()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
            return
        super().wheelEvent(event)

    def zoom(self) -> float:
        """The current zoom (1.0 = 100%)."""
        return self.transform().m11()

    def zoom_by(self, factor: float) -> float:
        """Zoom by ``factor``, kept between :data:`MIN_ZOOM` and :data:`MAX_ZOOM` (past
        those a workflow is a dot or one blurred disc, and there is no way back in sight)."""
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom() * factor))
        if target != self.zoom():
            step = target / self.zoom()
            self.scale(step, step)
        return self.zoom()

    def reset_zoom(self) -> None:
        """Back to 100%, keeping the point in the middle of the view there."""
        centre = self.center_scene_pos()
        self.resetTransform()
        self.centerOn(centre)

    def center_scene_pos(self) -> QPointF:
        return self.mapToScene(self.viewport().rect().center())

    def fit_workflow(self) -> None:
        """Show all items; zoom out (never in) when they do not fit."""
        scene = self.canvas()
        rect = scene.itemsBoundingRect().adjusted(-40, -40, 40, 40)
        scene.setSceneRect(rect.united(scene.sceneRect()))
        self.resetTransform()
        vp = self.viewport().rect()
        if rect.width() > vp.width() or rect.height() > vp.height():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        self.centerOn(rect.center())

    def viewport_pos(self, scene_pos: QPointF) -> QPoint:
        """Viewport pixel of a scene point (tests drive the mouse with this)."""
        return self.mapFromScene(scene_pos)
