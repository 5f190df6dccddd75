"""The line under a node's title says what the node did in words a user reads right:
"1 image, 1 class" (not "1 images, 1 classes"), and a node in error says why in a few
words under its red badge (a first-time user with an empty folder saw only a red ×)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

from PIL import Image
from PyQt6.QtCore import QMimeData, QPointF, QUrl

from petriflow.core.registry import default_registry
from petriflow.core.scheduler import NodeState
from petriflow.gui.canvas.node_item import NodeItem

from .test_canvas import _drop


def _folder(root: Path, counts: dict[str, int]) -> Path:
    for cls, n in counts.items():
        (root / cls).mkdir(parents=True)
        for i in range(n):
            Image.new("RGB", (8, 8), (40 * i, 90, 200)).save(root / cls / f"{i}.png")
    return root


def _dropped_folder(window, folder: Path) -> NodeItem:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(folder))])
    _drop(window, mime, QPointF(50, 50))
    (node,) = window.workflow.nodes
    return window.scene.node_items[node.id]


def test_one_image_one_class_reads_singular(make_window, qtbot, tmp_path) -> None:
    window = make_window(reg=default_registry())
    item = _dropped_folder(window, _folder(tmp_path / "pics", {"cats": 1}))
    qtbot.waitUntil(lambda: item.status.state == NodeState.DONE, timeout=10000)
    assert item.message_item.text() == "1 image, 1 class"
    table = window.scheduler.output(item.node_id, "Data")
    summary = window.scene.output_summary(item.node_id, {"Data": table})
    assert summary == "1 image, 1 class"
    # many stay plural
    assert window.scene.output_summary(item.node_id, {"Data": table.take([0, 0, 0])}) \
        == "3 images, 1 class"


def test_import_images_error_says_why_under_the_node(make_window, qtbot, tmp_path) -> None:
    """An empty folder: the red badge and, under the title, "No images found" in the
    error colour, one line no wider than the node's text room; the whole message (with
    the folder) is one hover away. A neighbour close by keeps its own line clear."""
    from petriflow.gui.canvas.node_item import ERROR_TEXT

    window = make_window(reg=default_registry())
    empty = tmp_path / "empty"
    empty.mkdir()
    item = _dropped_folder(window, empty)
    neighbour_id = window.add_node("petriflow.image_viewer", QPointF(150, 50))
    qtbot.waitUntil(lambda: item.status.state == NodeState.ERROR, timeout=10000)
    window.scene.layout_text()
    assert item.error_badge.isVisible()
    line = item.message_item
    assert line.lines == ["No images found"]
    assert line.error and line.toolTip() == item.status.message
    assert str(empty) in line.toolTip()
    width = line.boundingRect().width()
    assert 0 < width <= line.max_width
    # painted in the error colour: some pixel of the line's image is that red
    from PyQt6.QtGui import QColor, QImage, QPainter

    image = QImage(int(width) + 2, int(line.boundingRect().height()) + 2,
                   QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    line.paint(painter, None, None)  # type: ignore[arg-type]
    painter.end()
    colours = {image.pixelColor(x, y).name() for x in range(image.width())
               for y in range(image.height())}
    assert ERROR_TEXT.lower() in colours
    neighbour = window.scene.node_items[neighbour_id]
    mine = line.mapRectToScene(line.boundingRect())
    for rect in neighbour.footprint()[1:]:
        assert not mine.intersects(rect)


def test_empty_dendrogram_click_says_nothing_selected_downstream(make_window, qtbot) -> None:
    """The image-clustering example: a click on empty dendrogram space clears the
    selection; Image Viewer's line says where to select, not that it waits."""
    from PyQt6.QtCore import QPoint

    from tests.gui.views_helpers import CLUSTERING, click, node_by_title, open_example, wait_settled

    win = open_example(make_window, CLUSTERING)
    hc, viewer = (node_by_title(win, t) for t in ("Hierarchical Clustering", "Image Viewer"))
    wait_settled(qtbot, win)
    line = win.scene.node_items[viewer].message_item
    assert line.text().startswith("48 images")  # the example's Top 3 clusters: all
    view = win.open_node(hc)
    qtbot.waitUntil(lambda: view.tree is not None, timeout=10_000)
    click(view.dendrogram, QPoint(2, view.dendrogram.height() - 2))
    qtbot.waitUntil(lambda: " ".join(line.lines)
                    == "Nothing selected in Hierarchical Clustering", timeout=20_000)
    assert win.describe_status(viewer) == "Nothing selected in Hierarchical Clustering"
