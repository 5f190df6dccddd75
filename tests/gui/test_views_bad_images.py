"""Bad input in the views that show images (issue 16, "Bad input"): a file that exists
but is not an image (a truncated download) is a placeholder whose tooltip says it
cannot be read — in a projection's hover and thumbnails-as-points, and in the Image
Grid — next to a missing file ("file not found"); the good images still show. Colour
columns with 10,000 categories, one value or all missing still colour sensibly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtCore import Qt

from petriflow.core.node import Node, Output
from petriflow.core.registry import NodeRegistry
from petriflow.core.table import Table
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


class Awkward(Node):
    """10,000 rows whose colour columns are awkward: every name distinct, one value
    everywhere, every value missing."""

    qualified_name = "tests.awkward"
    name = "Awkward"
    outputs = (Output("Data", Table),)

    def run(self, inputs, progress, cancel):
        rng = np.random.default_rng(0)
        n = 10_000
        return {"Data": Table.from_arrays(
            rng.normal(size=(n, 2)), ["a", "b"],
            metas={"name": [f"cell {i}" for i in range(n)], "same": ["a"] * n,
                   "none": [""] * n})}


def test_awkward_colour_columns_in_the_view(make_window, qtbot) -> None:
    """Colour by 10,000 categories: nine colours and a grey-ish "other"; by a column of
    one value or all missing: one colour and a note saying why (with the real combo)."""
    from petriflow.nodes.scatter_plot import ScatterPlot

    win = make_window(reg=NodeRegistry([Awkward, ScatterPlot]))
    src = win.add_node("tests.awkward")
    node = win.add_node("petriflow.scatter_plot")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", node, "Data"))
    wait_settled(qtbot, win, timeout=60_000)
    view = win.open_node(node)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: len(view.xy) == 10_000, timeout=10_000)
    view.color_combo.setCurrentText("name")
    labels = list(view.legend.buttons)
    assert len(labels) == 10 and labels[-1].startswith("other")
    assert len(view.shown) == 10_000  # every point drawn
    colours = {c.name() for _s, _px, c, _r in view.points.styles}
    assert len(colours) == 10
    view.color_combo.setCurrentText("same")
    assert "one value" in view.note_label.text()
    assert len({c.name() for _s, _px, c, _r in view.points.styles}) == 1
    view.color_combo.setCurrentText("none")
    assert "missing" in view.note_label.text()
    assert len({c.name() for _s, _px, c, _r in view.points.styles}) == 1
    assert win.workflow.node(node).settings.color_column == "none"
