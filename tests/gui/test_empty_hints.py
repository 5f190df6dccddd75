"""A blank Data Table, Predictions, Image Grid or Annotate Images says, in its own place, what it is
waiting for; the note goes once rows arrive and comes back when the link is removed
(real undo of the link)."""

from __future__ import annotations

import pytest
from PyQt6.QtWidgets import QLabel

from petriflow.core.registry import NodeRegistry
from petriflow.gui.undo import AddLinkCommand
from petriflow.nodes.annotate_images import AnnotateImages
from petriflow.nodes.data_table import DataTable
from petriflow.nodes.image_grid import ImageGrid
from petriflow.nodes.predictions import Predictions
from tests.gui.test_data_table_images import Pictures, PicturesSettings
from tests.gui.views_helpers import wait_settled


def _hint(view) -> QLabel:
    label = view.findChild(QLabel, "empty-hint")
    assert label is not None
    return label


@pytest.mark.parametrize(("name", "channel", "words"), [
    ("petriflow.data_table", "Data", "Connect a node that sends a table"),
    ("petriflow.predictions", "Data", "No predictions yet"),
    ("petriflow.image_grid", "Embeddings", "No images to lay out yet"),
    ("petriflow.annotate_images", "Data", "No images to label yet"),
])
def test_empty_view_says_what_it_waits_for(make_window, qtbot, tmp_path, name, channel,
                                           words) -> None:
    win = make_window(reg=NodeRegistry([Pictures, DataTable, Predictions, ImageGrid,
                                        AnnotateImages]))
    node = win.add_node(name)
    view = win.open_node(node)
    qtbot.waitExposed(view)
    hint = _hint(view)
    qtbot.waitUntil(hint.isVisible, timeout=5_000)
    assert words in hint.text()
    assert "Waiting for input" in hint.text()  # the node's own state, in full size
    # the note covers the empty viewport, centred, not clipped to a corner
    viewport = hint.parentWidget()
    assert hint.geometry() == viewport.rect()

    if name == "petriflow.predictions":
        return  # needs a model too: its filled state is tested in test_views_predictions
    src = win.add_node("tests.pictures", settings=PicturesSettings(folder=str(tmp_path)))
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", node, channel))
    wait_settled(qtbot, win, timeout=30_000)
    qtbot.waitUntil(lambda: not hint.isVisible(), timeout=10_000)
    win.undo_stack.undo()  # the link goes: the view is empty again and says so
    wait_settled(qtbot, win, timeout=30_000)
    qtbot.waitUntil(hint.isVisible, timeout=10_000)
    assert words in hint.text()
