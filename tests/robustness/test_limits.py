"""Issue 7, limits: matrices and dendrograms that would not fit are refused with how many
rows would; the Image Viewer and Data Table handle 20,000 rows (virtual, sorted, selected).
How long their actions take is measured by benchmarks/large_tables.py, not asserted here.

The memory check compares against ``available_memory()``; tests shrink it (monkeypatch)
instead of allocating gigabytes, then prove the stated number of rows really runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

from petriflow.analysis import distances as dist_mod
from petriflow.core.node import CancelToken, Node, NodeContext, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix
from petriflow.nodes.distances import Distances
from petriflow.nodes.hierarchical_clustering import HierarchicalClustering

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _run(node_cls, inputs: dict[str, Any], **settings: Any) -> dict[str, Any]:
    node = node_cls(node_cls.Settings(**settings), NodeContext())
    return node.run(inputs, Progress(), CancelToken())


def _fits(message: str) -> int:
    m = re.search(r"at most about (\d+) rows would fit", message)
    assert m, message
    return int(m.group(1))


def _dm(n: int, seed: int = 0) -> DistanceMatrix:
    X = np.random.default_rng(seed).normal(size=(n, 4)).astype(np.float32)
    table = Table.from_arrays(X, ["a", "b", "c", "d"])
    return DistanceMatrix(dist_mod.pairwise_distances(X, "euclidean"), table=table)


def test_dendrogram_refuses_what_would_not_fit_and_says_how_many_rows_do(monkeypatch):
    dm = _dm(1200)
    budget = 8 * 2**20  # pretend 8 MiB are available
    monkeypatch.setattr(dist_mod, "available_memory", lambda: budget)
    with pytest.raises(NodeError) as info:
        _run(HierarchicalClustering, {"Distances": dm})
    message = str(info.value)
    assert "1200×1200 hierarchical clustering" in message
    fits = _fits(message)
    assert 400 < fits < 1200
    # the number is honest: that many rows are accepted and cluster
    small = DistanceMatrix(dm.values[:fits, :fits].copy(), table=dm.table.take(np.arange(fits)))
    out = _run(HierarchicalClustering, {"Distances": small})
    assert out  # ran, no refusal


def test_distances_refuse_with_rows_that_fit(monkeypatch):
    X = np.random.default_rng(0).normal(size=(3000, 8)).astype(np.float32)
    table = Table.from_arrays(X, [f"f{i}" for i in range(8)])
    monkeypatch.setattr(dist_mod, "available_memory", lambda: 16 * 2**20)
    with pytest.raises(NodeError) as info:
        _run(Distances, {"Data": table})
    fits = _fits(str(info.value))
    out = _run(Distances, {"Data": table.take(np.arange(fits))})
    assert len(out["Distances"]) == fits


# ----------------------------------------------------------------------------- GUI, 20,000 rows
N_ROWS = 20_000


class ManyImages(Node):
    """Test-only source: a 20,000-row image table (files need not exist: a missing
    image shows a placeholder, which is what a moved folder looks like)."""

    qualified_name = "tests.many_images"
    name = "Many Images"
    outputs = (Output("Data", Table),)

    def run(self, inputs: Mapping[str, Any], progress, cancel) -> dict[str, Any]:
        n = N_ROWS
        X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)[::-1].copy()
        return {"Data": Table.from_arrays(
            X, ["a", "b"], classes=[f"c{i % 7}" for i in range(n)],
            metas={"image name": np.array([f"img{i:05d}" for i in range(n)], dtype=object),
                   "image": np.array([f"/nonexistent/petriflow/{i:05d}.png" for i in range(n)],
                                     dtype=object)},
            image_column="image")}


@pytest.fixture
def big_window(qtbot, tmp_path):
    from petriflow.core.registry import NodeRegistry
    from petriflow.gui.mainwindow import MainWindow
    from petriflow.gui.undo import AddLinkCommand
    from petriflow.nodes.data_table import DataTable
    from petriflow.nodes.image_viewer import ImageViewer

    win = MainWindow(registry=NodeRegistry([ManyImages, ImageViewer, DataTable]),
                     data_dir=tmp_path / "data")
    win.ask_save_changes = lambda: "discard"
    qtbot.addWidget(win)
    src = win.add_node("tests.many_images")
    viewer = win.add_node("petriflow.image_viewer")
    table = win.add_node("petriflow.data_table")
    for sink in (viewer, table):
        win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", sink, "Data"))
    qtbot.waitUntil(lambda: not win.scheduler.paused and win.scheduler.is_settled(),
                    timeout=60_000)
    qtbot.wait(50)
    return win, viewer, table


def _do(fn) -> None:
    from PyQt6.QtWidgets import QApplication

    fn()
    QApplication.processEvents()


def test_image_viewer_20000_rows_is_virtual(big_window, qtbot):
    win, viewer, _ = big_window
    _do(lambda: qtbot.waitExposed(win.open_node(viewer)))
    view = win.live_view(viewer)
    model = view.model
    assert model.rowCount() == N_ROWS
    model.wait_idle()
    requested = set(model.cache) | model.pending
    assert 0 < len(requested) < 1000  # only painted thumbnails are decoded
    _do(view.list.scrollToBottom)
    qtbot.wait(100)
    model.wait_idle()
    requested = set(model.cache) | model.pending
    assert len(requested) < 2000, f"{len(requested)} thumbnails requested"
    assert any(p.endswith("19999.png") for p, _ in requested)
    _do(lambda: view.size_slider.setValue(64))
    _do(view.list.selectAll)
    assert len(win.workflow.node(viewer).settings.selected) == N_ROWS
    # runs of rows are shown as ranges, and exactly the saved rows are selected
    win.workflow.update_settings(viewer, selected=[0, 2, 3, 4, 10, N_ROWS - 1])
    shown = sorted(ix.row() for ix in view.list.selectionModel().selectedIndexes())
    assert shown == [0, 2, 3, 4, 10, N_ROWS - 1]


def test_data_table_20000_rows_sorts_and_scrolls(big_window, qtbot):
    from PyQt6.QtCore import Qt

    win, _, table = big_window
    _do(lambda: qtbot.waitExposed(win.open_node(table)))
    view = win.live_view(table)
    assert view.model.rowCount() == N_ROWS
    col_a = [c[1] for c in view.model.columns].index("a")
    header = view.table.horizontalHeader()
    _do(lambda: header.setSortIndicator(col_a, Qt.SortOrder.AscendingOrder))
    first = float(view.model.data(view.model.index(0, col_a)))
    assert first == 0.0  # really sorted (the source is descending)
    _do(view.table.scrollToBottom)
    last = view.model.index(N_ROWS - 1, col_a)
    assert view.table.viewport().rect().intersects(view.table.visualRect(last))
    _do(view.table.selectAll)
    assert view.table.selectionModel().isRowSelected(N_ROWS - 1)


def test_refusal_shows_on_the_badge_and_in_the_view(qtbot, tmp_path, monkeypatch):
    """The memory refusal is a node error like any other: a sentence on the badge and
    in the Hierarchical Clustering view; the upstream nodes keep their results."""
    from petriflow.core.registry import NodeRegistry
    from petriflow.core.scheduler import NodeState
    from petriflow.gui.mainwindow import MainWindow
    from petriflow.gui.undo import AddLinkCommand
    from tests.core.toy_nodes import TableSource, TableSourceSettings, ToDistances

    monkeypatch.setattr(dist_mod, "available_memory", lambda: 2 * 2**20)  # 2 MiB
    win = MainWindow(registry=NodeRegistry([TableSource, ToDistances, HierarchicalClustering]),
                     data_dir=tmp_path / "data")
    win.ask_save_changes = lambda: "discard"
    qtbot.addWidget(win)
    src = win.add_node("tests.table_source", settings=TableSourceSettings(n=600))
    dist = win.add_node("tests.to_distances")
    hc = win.add_node("petriflow.hierarchical_clustering")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", dist, "Data"))
    win.undo_stack.push(AddLinkCommand(win.workflow, dist, "Distances", hc, "Distances"))
    qtbot.waitUntil(lambda: not win.scheduler.paused and win.scheduler.is_settled(),
                    timeout=30_000)
    status = win.scheduler.status(hc)
    assert status.state is NodeState.ERROR
    fits = _fits(status.message)
    assert win.scheduler.status(dist).state is NodeState.DONE  # the rest is kept
    item = win.scene.node_items[hc]
    qtbot.waitUntil(lambda: item.error_badge.toolTip() == status.message, timeout=5000)
    view = win.open_node(hc)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: f"{fits} rows would fit" in view.info.text(), timeout=5000)
