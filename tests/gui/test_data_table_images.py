"""Data Table (issue 16.6): image rows show thumbnails decoded off the GUI thread (an
unreadable file: a crossed placeholder whose tooltip says why), the Data Subset's rows
are highlighted (matched by row id), and the thumbnails can be switched off (a view
setting: no re-run)."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from petriflow.core.node import Node, Output
from petriflow.core.registry import NodeRegistry
from petriflow.core.table import Table
from petriflow.gui.undo import AddLinkCommand
from petriflow.gui.views.data_table import SUBSET_BRUSH, THUMBNAIL_SIZE
from petriflow.nodes.data_table import DataTable
from tests.gui.views_helpers import wait_settled

N = 6


@dataclass
class PicturesSettings:
    folder: str = ""


class Pictures(Node):
    """Six images (red or blue); row 4's file does not exist; rows 1 and 3 are the
    subset."""

    qualified_name = "tests.pictures"
    name = "Pictures"
    outputs = (Output("Data", Table), Output("Subset", Table))
    Settings = PicturesSettings

    def run(self, inputs, progress, cancel):
        paths = []
        for i in range(N):
            path = f"{self.settings.folder}/im{i}.png"
            if i != 4:
                Image.new("RGB", (80, 40), (220, 40, 40) if i % 2 else (40, 40, 220)).save(path)
            paths.append(path)
        t = Table.from_arrays(np.arange(N, dtype=float)[:, None], ["x"],
                              classes=[f"g{i % 2}" for i in range(N)],
                              metas={"image": paths}, image_column="image")
        return {"Data": t, "Subset": t.take([3, 1])}


@pytest.fixture
def table_view(make_window, qtbot, tmp_path):
    win = make_window(reg=NodeRegistry([Pictures, DataTable]))
    src = win.add_node("tests.pictures", settings=PicturesSettings(folder=str(tmp_path)))
    node = win.add_node("petriflow.data_table")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", node, "Data"))
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Subset", node, "Data Subset"))
    wait_settled(qtbot, win, timeout=30_000)
    view = win.open_node(node)
    qtbot.waitExposed(view)
    model = view.model
    qtbot.waitUntil(lambda: model.thumb_col >= 0, timeout=5_000)
    for r in range(N):  # what painting asks for: starts the decodes
        model.data(model.index(r, model.thumb_col), Qt.ItemDataRole.DecorationRole)
    qtbot.waitUntil(lambda: view.image_thumbs.wait_idle() and view.is_ready(), timeout=20_000)
    return win, node, view


def test_thumbnails_decoded_off_the_gui_thread_and_a_missing_file_says_why(table_view):
    _, _, view = table_view
    model, thumbs = view.model, view.image_thumbs
    assert thumbs.decode_threads and threading.get_ident() not in thumbs.decode_threads
    col = model.thumb_col
    assert model.columns[col][1] == "image"
    blue = model.data(model.index(0, col), Qt.ItemDataRole.DecorationRole)
    assert blue.width() == THUMBNAIL_SIZE and blue.height() == THUMBNAIL_SIZE // 2
    assert blue.toImage().pixelColor(24, 12).name() == "#2828dc"
    red = model.data(model.index(1, col), Qt.ItemDataRole.DecorationRole)
    assert red.toImage().pixelColor(24, 12).name() == "#dc2828"
    missing = model.index(4, col)
    assert model.data(missing, Qt.ItemDataRole.ToolTipRole).endswith("im4.png\nfile not found")
    assert (model.data(missing, Qt.ItemDataRole.DecorationRole).toImage()
            == model.failed_placeholder().toImage())
    assert view.table.rowHeight(0) >= THUMBNAIL_SIZE  # rows tall enough for them
    assert model.data(model.index(0, col)) == "im0.png"  # the name stays


def test_subset_rows_are_highlighted_by_row_id(table_view):
    _, _, view = table_view
    model = view.model
    x = [c[1] for c in model.columns].index("x")
    lit = {r for r in range(N)
           if model.data(model.index(r, x), Qt.ItemDataRole.BackgroundRole) == SUBSET_BRUSH}
    assert lit == {1, 3}
    # sorted descending by x, the same rows stay highlighted (by input position)
    view.table.horizontalHeader().setSortIndicator(x, Qt.SortOrder.DescendingOrder)
    lit = {int(model.order[r]) for r in range(N)
           if model.data(model.index(r, x), Qt.ItemDataRole.BackgroundRole) == SUBSET_BRUSH}
    assert lit == {1, 3}


def test_thumbnails_switch_off_without_a_rerun(table_view, qtbot):
    win, node, view = table_view
    runs = win.scheduler.status(node).runs
    QTest.mouseClick(view.thumbs_check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not win.workflow.node(node).settings.show_thumbnails,
                    timeout=3_000)
    assert view.model.thumb_col == -1
    assert view.model.data(view.model.index(0, 1), Qt.ItemDataRole.DecorationRole) is None
    assert win.scheduler.status(node).runs == runs
    win.undo_stack.undo()
    qtbot.waitUntil(lambda: view.model.thumb_col >= 0, timeout=3_000)
    assert view.thumbs_check.isChecked()
