"""Image Grid view on real image files: a real mouse click selects the image under the
pointer (setting, undo step and the node's output), the Data Subset's cells are
highlighted, thumbnails decode off the GUI thread and a missing file is a crossed
placeholder whose tooltip says why."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import Qt

from petriflow.core.node import Node, Output
from petriflow.core.registry import NodeRegistry
from petriflow.core.table import Table
from petriflow.gui.undo import AddLinkCommand
from petriflow.gui.views.image_grid import SUBSET_COLOR
from petriflow.nodes.image_grid import ImageGrid
from tests.gui.views_helpers import click, ids, wait_settled

N = 12


@dataclass
class PicturesSettings:
    folder: str = ""


class Pictures(Node):
    """12 images in two colour groups with matching features; rows 0-2 are the subset;
    row 7's file does not exist."""

    qualified_name = "tests.pictures"
    name = "Pictures"
    outputs = (Output("Data", Table), Output("Subset", Table))
    Settings = PicturesSettings

    def run(self, inputs, progress, cancel):
        rng = np.random.default_rng(0)
        group = np.arange(N) % 2
        paths = []
        for i in range(N):
            path = f"{self.settings.folder}/im{i}.png"
            if i != 7:
                Image.new("RGB", (30, 20), (220, 40, 40) if group[i] else (40, 40, 220)
                          ).save(path)
            paths.append(path)
        X = group[:, None] * 5.0 + rng.normal(scale=0.2, size=(N, 4))
        t = Table.from_arrays(X, classes=[f"g{g}" for g in group],
                              metas={"image": paths, "name": [f"n{i}" for i in range(N)]},
                              image_column="image")
        return {"Data": t, "Subset": t.take([0, 1, 2])}


@pytest.fixture
def grid(make_window, qtbot, tmp_path):
    win = make_window(reg=NodeRegistry([Pictures, ImageGrid]))
    src = win.add_node("tests.pictures", settings=PicturesSettings(folder=str(tmp_path)))
    node = win.add_node("petriflow.image_grid")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", node, "Embeddings"))
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Subset", node, "Data Subset"))
    wait_settled(qtbot, win, timeout=30_000)
    view = win.open_node(node)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=10_000)
    thumbs = view.thumbs
    qtbot.waitUntil(lambda: (thumbs.paths[0], thumbs.size) in thumbs.cache, timeout=20_000)
    qtbot.waitUntil(lambda: thumbs.wait_idle() and view.is_ready(), timeout=20_000)
    return win, node, view


def test_click_selects_the_image_under_the_pointer(grid, qtbot):
    win, node, view = grid
    data = win.scheduler.output(node, "Data")
    target = 5
    index = view.model.index_of(target)
    assert index.isValid() and view.model.row_at(index) == target
    steps = win.undo_stack.count()
    resets = []
    view.model.modelReset.connect(lambda: resets.append(1))
    click(view.grid.viewport(), view.grid.visualRect(index).center())
    qtbot.waitUntil(lambda: win.workflow.node(node).settings.selected == [target],
                    timeout=3_000)
    assert win.undo_stack.count() == steps + 1
    other = view.model.index_of(9)
    click(view.grid.viewport(), view.grid.visualRect(other).center(), ctrl=True)
    qtbot.waitUntil(lambda: win.workflow.node(node).settings.selected == [5, 9],
                    timeout=3_000)
    expected = {int(data.row_ids[5]), int(data.row_ids[9])}
    qtbot.waitUntil(lambda: ids(win.scheduler.output(node, "Selected Images")) == expected,
                    timeout=10_000)
    # the re-run's output is shown ...
    qtbot.waitUntil(lambda: view.table is win.scheduler.output(node, "Data"), timeout=3_000)
    assert resets == []  # in the same cells: no reset (the scroll position stays)
    win.undo_stack.undo()
    qtbot.waitUntil(lambda: view.selected_rows() == [5], timeout=3_000)


def test_subset_cells_are_highlighted_and_groups_are_neighbours(grid):
    view = grid[2]
    model = view.model
    highlighted = set()
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            brush = model.data(model.index(r, c), Qt.ItemDataRole.BackgroundRole)
            if brush is not None and brush.color() == SUBSET_COLOR:
                highlighted.add(model.row_at(model.index(r, c)))
    assert highlighted == {0, 1, 2}
    # the two colour groups each fill one side of the 3 × 4 grid
    cols = {g: {int(np.argwhere(model.cells == i)[0][1]) for i in range(g, N, 2)}
            for g in (0, 1)}
    assert max(cols[0]) < min(cols[1]) or max(cols[1]) < min(cols[0])


def test_thumbnails_off_gui_thread_and_missing_file_says_why(grid):
    view = grid[2]
    thumbs = view.thumbs
    assert thumbs.decode_threads and threading.get_ident() not in thumbs.decode_threads
    assert thumbs.cache[(thumbs.paths[0], thumbs.size)] is not None
    shown = view.model.data(view.model.index_of(0), Qt.ItemDataRole.DecorationRole)
    assert shown.width() == 100 and 66 <= shown.height() <= 67  # 30 × 20, fitted
    assert shown.toImage().pixelColor(50, 33).name() == "#2828dc"
    missing = view.model.index_of(7)
    tip = view.model.data(missing, Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith("im7.png\nfile not found")
    pix = view.model.data(missing, Qt.ItemDataRole.DecorationRole)
    assert pix.toImage() == view.model.failed_placeholder().toImage()


def test_label_and_crop_are_drawing_settings(grid, qtbot):
    win, node, view = grid
    runs = win.scheduler.output(node, "Data")
    i = view.label_combo.findData("name")
    view.label_combo.setCurrentIndex(i)
    view.label_combo.activated.emit(i)
    assert win.workflow.node(node).settings.title_column == "name"
    index = view.model.index_of(4)
    assert view.model.data(index, Qt.ItemDataRole.DisplayRole) == "n4"
    view.fit_combo.setCurrentIndex(1)
    view.fit_combo.activated.emit(1)
    pix = view.model.data(index, Qt.ItemDataRole.DecorationRole)
    assert pix.width() == pix.height() == view.thumbs.size  # cropped to the cell
    assert win.scheduler.output(node, "Data") is runs  # no new layout for a look change


def test_selection_flags_are_not_offered_as_labels(grid):
    """'Selected' and the 'Selected (k)' of a second selecting node upstream change with
    the user's picks: the label choice leaves them out, and keeps the real columns."""
    _win, _node, view = grid
    t = view.table
    metas = {name: list(t.metas[name]) for name in t.metas}
    metas.update({"Selected": ["No"] * len(t), "Selected (1)": ["G1"] * len(t)})
    view.table = Table.from_arrays(t.X, classes=[t.class_values[c] for c in t.y],
                                   metas=metas, image_column=t.image_column)
    view._fill_labels()
    offered = [view.label_combo.itemData(i) for i in range(view.label_combo.count())]
    assert "name" in offered
    assert "Selected" not in offered and "Selected (1)" not in offered
