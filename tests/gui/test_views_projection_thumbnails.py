"""Thumbnails as points keep what the points show: the Data Subset's images full and on
top, the others pale (the subset was invisible in this mode), and each selection
group's images framed in the group's ring colour (all were black)."""

from __future__ import annotations

import numpy as np
import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QColor

from petriflow.core.node import Output
from petriflow.core.registry import NodeRegistry
from petriflow.core.table import Table
from petriflow.gui.undo import AddLinkCommand, SettingsCommand
from petriflow.gui.views.plot.points import RING_COLORS
from petriflow.gui.views.plot.thumbnails import FADED_OPACITY
from petriflow.nodes.pca import PCA
from tests.gui.test_views_projection_groups import NEW_GROUP, lasso
from tests.gui.test_views_projection_plot import N, Pics, folder
from tests.gui.views_helpers import wait_settled

__all__ = ["folder"]  # the fixture, used by name below

SUBSET = [1, 2, 3, 4]


class PicsAndSubset(Pics):
    qualified_name = "tests.pics_subset"
    outputs = (Output("Data", Table), Output("Subset", Table))

    def run(self, inputs, progress, cancel):
        data = super().run(inputs, progress, cancel)["Data"]
        return {"Data": data, "Subset": data.take(SUBSET)}


@pytest.fixture
def view(make_window, qtbot, folder):
    win = make_window(reg=NodeRegistry([PicsAndSubset, PCA]))
    src = win.add_node("tests.pics_subset")
    win.undo_stack.push(SettingsCommand(win.workflow, src, folder=str(folder)))
    pca = win.add_node("petriflow.pca")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", pca, "Data"))
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Subset", pca, "Data Subset"))
    wait_settled(qtbot, win, timeout=60_000)
    view = win.open_node(pca)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: len(view.xy) == N, timeout=10_000)
    return view


def item_of(view, folder, row: int):
    return view.thumbnails.items[str(folder / f"img{row}.png")][0]


def frame_color(item) -> QColor:
    return item.childItems()[0].pen().color()


def test_subset_stays_visible_and_groups_keep_their_colours(view, qtbot, folder) -> None:
    view.thumbs_check.click()
    qtbot.waitUntil(view.is_ready, timeout=10_000)
    for row in range(N):
        item = item_of(view, folder, row)
        if row in SUBSET:
            assert item.opacity() == 1.0 and item.zValue() >= 1
        else:
            assert item.opacity() == pytest.approx(FADED_OPACITY) and item.zValue() == 0
    # two selection groups drawn with the real mouse: frames in G1's and G2's colours
    view.lasso_button.setChecked(True)
    labels = np.arange(N) % 3
    c0, c1 = np.flatnonzero(labels == 0), np.flatnonzero(labels == 1)
    lasso(view, c0)
    lasso(view, c1, NEW_GROUP)
    qtbot.waitUntil(view.is_ready, timeout=10_000)
    assert frame_color(item_of(view, folder, int(c0[1]))) == QColor(RING_COLORS[0])
    assert frame_color(item_of(view, folder, int(c1[1]))) == QColor(RING_COLORS[1])
    c2 = int(np.flatnonzero(labels == 2)[1])  # not selected: its class colour
    assert frame_color(item_of(view, folder, c2)) == QColor(view.encoding.lut[2])
    assert frame_color(item_of(view, folder, c2)) != QColor(Qt.GlobalColor.black)
