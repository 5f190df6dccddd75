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
