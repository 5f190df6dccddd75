"""Hierarchical Clustering view (issue 16.5): leaves labelled and coloured by any column
chosen in the view's combos, the tree pruned to a depth (fewer leaves; a click on a
collapsed leaf selects all its rows downstream), the legend following the colour column,
and the look saved as settings."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import QEvent, QPoint, QPointF, Qt
from PyQt6.QtGui import QMouseEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from petriflow.analysis.clustering import dendrogram_geometry, hierarchical_linkage
from petriflow.analysis.dendrogram_pruning import node_depths, prune_tree
from petriflow.core.node import Node, Output
from petriflow.core.ows import parse_workflow, workflow_to_bytes
from petriflow.core.registry import NodeRegistry
from petriflow.core.table import Table
from petriflow.gui.undo import AddLinkCommand
from petriflow.nodes.distances import Distances
from petriflow.nodes.hierarchical_clustering import HierarchicalClustering
from tests.gui.views_helpers import click, ids, wait_settled

N = 16


@dataclass
class RowsSettings:
    seed: int = 0
    #: where to write one image per row (row 5's is left missing); "" = no images
    folder: str = ""


class Rows(Node):
    """16 rows in four groups (two pairs of close groups); a 'plate' column and a 'well' name."""

    qualified_name = "tests.rows"
    name = "Rows"
    outputs = (Output("Data", Table),)
    Settings = RowsSettings

    def run(self, inputs, progress, cancel):
        rng = np.random.default_rng(self.settings.seed)
        group = np.arange(N) // 4
        X = np.zeros((N, 6))  # two pairs of groups: pairs far apart, groups closer
        X[np.arange(N), group // 2] = 10.0
        X[np.arange(N), 2 + group] = 3.0
        X += rng.normal(scale=0.1, size=X.shape)
        metas = {"image name": [f"img{i}.png" for i in range(N)],
                 "well": [f"W{i:02d}" for i in range(N)],
                 "plate": [f"plate{g}" for g in group]}
        if self.settings.folder:
            metas["image"] = [f"{self.settings.folder}/img{i}.png" for i in range(N)]
            for i, path in enumerate(metas["image"]):
                if i != 5:
                    Image.new("RGB", (64, 32), (30, 30, 10 * i)).save(path)
        t = Table.from_arrays(X, classes=[f"g{g % 2}" for g in group], metas=metas,
                              image_column="image" if self.settings.folder else None)
        return {"Data": t}


def choose(combo, text: str) -> None:
    """Pick ``text`` in a combo with real key presses (as a user would)."""
    combo.setFocus()
    target = combo.findText(text)
    assert target >= 0, text
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        QTest.keyClick(combo, key)


@pytest.fixture
def hc(make_window, qtbot, tmp_path):
    win = make_window(reg=NodeRegistry([Rows, Distances, HierarchicalClustering]))
    src = win.add_node("tests.rows", settings=RowsSettings(folder=str(tmp_path)))
    dist = win.add_node("petriflow.distances")
    node = win.add_node("petriflow.hierarchical_clustering")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", dist, "Data"))
    win.undo_stack.push(AddLinkCommand(win.workflow, dist, "Distances", node, "Distances"))
    wait_settled(qtbot, win, timeout=30_000)
    view = win.open_node(node)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: view.shown is not None, timeout=10_000)
    return win, node, view


def test_label_and_colour_by_a_chosen_column(hc, qtbot):
    win, node, view = hc
    d = view.dendrogram
    assert sorted(d.tree.labels) == sorted(f"img{i}.png" for i in range(N))
    assert view.legend.entries == ["g0", "g1"]
    choose(view.annotation_combo, "well")
    qtbot.waitUntil(lambda: win.workflow.node(node).settings.annotation == "well",
                    timeout=3_000)
    assert d.tree.labels == [f"W{i:02d}" for i in range(N)]
    assert d.shown_label(3) == "W03"
    choose(view.color_combo, "plate")
    qtbot.waitUntil(lambda: win.workflow.node(node).settings.color_by == "plate",
                    timeout=3_000)
    assert view.legend.entries == [f"plate{g}" for g in range(4)]  # the legend follows
    assert view.legend.column == "plate"
    codes = d.tree.classes
    assert [d.tree.class_values[c] for c in codes] == [f"plate{i // 4}" for i in range(N)]
    d.grab()
    # saved with the workflow: a reopened view (and a reloaded file) shows the same look
    view.close()
    qtbot.waitUntil(lambda: win.live_view(node) is None, timeout=3_000)
    view = win.open_node(node)
    qtbot.waitUntil(lambda: view.shown is not None, timeout=10_000)
    d = view.dendrogram
    assert view.annotation_combo.currentData() == "well"
    assert view.color_combo.currentText() == "plate"
    assert d.tree.labels == [f"W{i:02d}" for i in range(N)]
    assert view.legend.entries == [f"plate{g}" for g in range(4)]
    again = parse_workflow(workflow_to_bytes(win.workflow),
                           NodeRegistry([Rows, Distances, HierarchicalClustering]))
    saved = again.node(node).settings
    assert (saved.annotation, saved.color_by) == ("well", "plate")
    # undoing the colour choices (one step per key press) restores the class colours
    while win.workflow.node(node).settings.color_by:
        win.undo_stack.undo()
    qtbot.waitUntil(lambda: view.legend.entries == ["g0", "g1"], timeout=3_000)


def test_prune_draws_fewer_leaves_and_a_collapsed_leaf_selects_its_rows(hc, qtbot):
    win, node, view = hc
    d = view.dendrogram
    assert d.tree.n == N
    view.depth_spin.setFocus()
    view.depth_spin.selectAll()
    QTest.keyClicks(view.depth_spin, "2")
    QTest.keyClick(view.depth_spin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.workflow.node(node).settings.max_depth == 2, timeout=3_000)
    assert d.tree.n == 4  # the four groups, each collapsed
    assert view.pruned is not None and sorted(view.pruned.counts()) == [4, 4, 4, 4]
    assert all(label.endswith(" … (4)") for label in d.tree.labels)
    leaf = 1
    members = view.pruned.members[leaf]
    assert "4 items" in d.tooltip_at(d.node_point(leaf).toPointF() + QPoint(80, 0).toPointF())
    click(d, d.node_point(leaf))
    full = view.full_node(leaf)
    qtbot.waitUntil(lambda: win.workflow.node(node).settings.selected_nodes == [full],
                    timeout=3_000)
    data = win.scheduler.inputs(node)["Distances"].table
    expected = {int(data.row_ids[i]) for i in members}
    qtbot.waitUntil(lambda: ids(win.scheduler.output(node, "Selected Data")) == expected,
                    timeout=10_000)
    assert d.selected == [leaf]  # drawn on the collapsed leaf
    # back to the whole tree: the same selection, on the full tree's node
    view.depth_spin.setValue(0)
    qtbot.waitUntil(lambda: d.tree.n == N, timeout=3_000)
    assert d.selected == [full]


def test_prune_tree_keeps_every_item_once():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    Z = hierarchical_linkage(D, "average")
    geom = dendrogram_geometry(Z, 40)
    assert prune_tree(Z, geom, 40, 0) is None
    assert prune_tree(Z, geom, 40, 1000) is None  # deeper than the tree: nothing cut
    p = prune_tree(Z, geom, 40, 3)
    assert p is not None and 2 <= p.n <= 8
    allitems = np.sort(np.concatenate(p.members))
    assert allitems.tolist() == list(range(40))
    depth = node_depths(geom.children, 40)
    for k, v in enumerate(p.nodes[:p.n]):
        assert depth[v] == 3 or v < 40  # cut at depth 3 or a shallower real leaf
        assert p.shown_of[v] == k
    # the shown tree's leaf order is the full tree's
    firsts = [int(geom.first_leaf[p.nodes[k]]) for k in p.geom.leaf_order]
    assert firsts == sorted(firsts)


def move(widget, pos: QPoint) -> None:
    """A pointer move without a button (QTest.mouseMove only moves the cursor then,
    which offscreen delivers no event)."""
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(widget.mapToGlobal(pos)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def hover(qtbot, view, leaf: int) -> None:
    """Move the pointer onto ``leaf``'s label; wait for the overlay."""
    d = view.dendrogram
    move(d, QPoint(round(d._x_of_height(0.0)) + 40, d.node_point(leaf).y()))
    qtbot.waitUntil(lambda: view.hover.isVisible() and view.hover.row == leaf, timeout=3_000)


def test_hovering_a_leaf_shows_its_image_off_the_gui_thread(hc, qtbot):
    _, _, view = hc
    d = view.dendrogram
    leaf = next(i for i in range(N) if i != 5)
    hover(qtbot, view, leaf)
    qtbot.waitUntil(lambda: view.hover.loaded, timeout=10_000)
    assert view.hover.text.text().startswith(d.tree.labels[leaf])
    shown = view.hover.image.pixmap().toImage()
    assert (shown.width(), shown.height()) == (64, 32)
    assert shown.pixelColor(10, 10).blue() == 10 * leaf
    cache = view.hover_images
    assert cache.decode_threads and threading.get_ident() not in cache.decode_threads
    # a missing file: a placeholder and the reason
    hover(qtbot, view, 5)
    qtbot.waitUntil(lambda: "file not found" in view.hover.text.text(), timeout=10_000)
    assert "img5.png" in view.hover.image.toolTip()
    # pruned: a collapsed leaf shows its first item's image and its count
    view.depth_spin.setValue(2)
    qtbot.waitUntil(lambda: d.tree.n == 4, timeout=3_000)
    assert not view.hover.isVisible()  # the old leaf is gone
    hover(qtbot, view, 0)
    assert "(the first of 4 items)" in view.hover.text.text()
    move(d, QPoint(3, 3))  # off the leaves
    qtbot.waitUntil(lambda: not view.hover.isVisible(), timeout=3_000)


def test_thumbnails_at_the_leaves(hc, qtbot):
    win, node, view = hc
    d = view.dendrogram
    assert d.thumbnail_of is None
    QTest.mouseClick(view.thumbs_check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.workflow.node(node).settings.leaf_thumbnails, timeout=3_000)
    assert d.thumbnail_of is not None and d._row_height() >= 12
    d.grab()  # painting asks for the visible leaves' images
    cache = view.leaf_images
    qtbot.waitUntil(lambda: len(cache.images) == N and not cache.pending, timeout=20_000)
    assert threading.get_ident() not in cache.decode_threads
    shot = d.grab().toImage()
    for leaf in (0, 9):  # 64 × 32 images of blue 10 * leaf, fitted left of the label
        y = d.node_point(leaf).y()
        x = round(d._x_of_height(0.0) + 6 + 8 + (d._row_height() - 2) / 2)
        color = shot.pixelColor(x, y)
        assert (color.red(), color.green(), color.blue()) == (30, 30, 10 * leaf)
    assert isinstance(cache.images[view.leaf_paths()[5]], str)  # missing: a grey square
    QTest.mouseClick(view.thumbs_check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.thumbnail_of is None, timeout=3_000)
