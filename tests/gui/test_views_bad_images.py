"""Bad image files in the views that show images (issue 16, "Bad input"): a file that
exists but is not an image (a truncated download) is a placeholder whose tooltip says
it cannot be read — in a projection's hover and thumbnails-as-points, and in the Image
Grid — next to a missing file ("file not found"); the good images still show."""

from __future__ import annotations

from pathlib import Path

import pytest
from PyQt6.QtCore import Qt

from petriflow.core.registry import NodeRegistry
from petriflow.gui.undo import AddLinkCommand
from petriflow.nodes.image_grid import ImageGrid
from petriflow.nodes.pca import PCA
from tests.gui.test_views_projection_plot import Pics, colour, folder, hover, open_view
from tests.gui.views_helpers import wait_settled

__all__ = ["folder"]  # the fixture, used by name below

BAD = 5  # row 5's file is garbage; row 0's is missing (the Pics node)


@pytest.fixture
def bad_folder(folder: Path) -> Path:
    (folder / f"img{BAD}.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    return folder


def test_projection_hover_and_thumbnails_say_why(make_window, qtbot, bad_folder) -> None:
    win = make_window(reg=NodeRegistry([Pics, PCA]))
    _node, view = open_view(win, qtbot, "petriflow.pca", folder=str(bad_folder))
    hover(view.canvas, view.data_to_widget(*view.xy[BAD]))
    qtbot.waitUntil(lambda: view.overlay.row == BAD and "cannot read" in
                    view.overlay.text.text(), timeout=10_000)
    assert not view.overlay.loaded
    assert f"img{BAD}.png" in view.overlay.text.text()
    view.thumbs_check.click()
    qtbot.waitUntil(view.is_ready, timeout=10_000)
    items = view.thumbnails.items
    bad = items[str(bad_folder / f"img{BAD}.png")][0]
    assert "cannot read" in bad.toolTip()
    assert bad.pixmap().toImage() == view.thumbnails.placeholder.toImage()
    assert "not found" in items[str(bad_folder / "img0.png")][0].toolTip()
    good = items[str(bad_folder / "img3.png")][0]
    assert good.pixmap().toImage().pixelColor(2, 2).getRgb()[:3] == colour(3)


def test_image_grid_placeholders_say_why(make_window, qtbot, bad_folder) -> None:
    win = make_window(reg=NodeRegistry([Pics, ImageGrid]))
    from petriflow.gui.undo import SettingsCommand

    src = win.add_node("tests.pics")
    win.undo_stack.push(SettingsCommand(win.workflow, src, folder=str(bad_folder)))
    grid = win.add_node("petriflow.image_grid")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", grid, "Embeddings"))
    wait_settled(qtbot, win, timeout=30_000)
    view = win.open_node(grid)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10_000)
    qtbot.waitUntil(lambda: view.thumbs.wait_idle() and view.is_ready(), timeout=20_000)
    model = view.model
    for row in (0, BAD, 3):  # decoded when painted: scroll each cell into view
        view.grid.scrollTo(model.index_of(row))
        path = view.thumbs.paths[row]
        qtbot.waitUntil(lambda path=path: path in view.thumbs.problems or any(
            key[0] == path and pix is not None for key, pix in view.thumbs.cache.items()),
            timeout=10_000)
    tip = model.data(model.index_of(BAD), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith(str(bad_folder / f"img{BAD}.png")) and "damaged or truncated" in tip
    assert model.data(model.index_of(0), Qt.ItemDataRole.ToolTipRole).endswith(
        "file not found")
    placeholder = model.failed_placeholder().toImage()
    for row in (0, BAD):
        pix = model.data(model.index_of(row), Qt.ItemDataRole.DecorationRole)
        assert pix.toImage() == placeholder
    good = model.data(model.index_of(3), Qt.ItemDataRole.DecorationRole).toImage()
    assert good != placeholder
    assert good.pixelColor(good.width() // 2, good.height() // 2).getRgb()[:3] == colour(3)
