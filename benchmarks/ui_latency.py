"""GUI-thread latency of the interactive views, on synthetic data of growing size.

What a user feels is how long the GUI thread is busy after an input: a click on a
dendrogram branch (hit test + repaint), a repaint of the thumbnail grid (which must
never decode), a new partial MDS layout (moving the points + a redraw). Each is timed
here directly on the widgets (offscreen), median of ``-n`` repeats, against the 50 ms
budget of the project's standards. Decoding, linkage and MDS itself run on worker
threads and are not part of these numbers.

usage: python benchmarks/ui_latency.py [-n 7] [--sizes 500 2000 5000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np

BUDGET_MS = 50.0


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def dendrogram_rows(n: int, repeats: int) -> list[tuple[str, float]]:
    from PyQt6.QtCore import QPointF
    from PyQt6.QtWidgets import QWidget

    from petriflow.analysis.clustering import dendrogram_geometry, hierarchical_linkage
    from petriflow.gui.views.dendrogram import DendrogramWidget, Tree

    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 8))
    D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    Z = hierarchical_linkage(D, "ward")
    geom = dendrogram_geometry(Z, n)
    classes = rng.integers(0, 3, n)
    tree = Tree(Z, geom, [f"item {i}" for i in range(n)], classes, ("a", "b", "c"), "ward", n)
    w = DendrogramWidget()
    w.resize(900, 760)
    w.set_tree(tree)
    w.show()
    root = 2 * n - 2
    turn = iter(range(10**9))
    p = w.node_point(root - 3).toPointF()
    click = median_ms(lambda: w.node_at(QPointF(p)), repeats)

    def select_and_paint() -> None:
        w.set_selection([int(geom.children[root - n][next(turn) % 2])], None)
        w.grab()  # renders through paintEvent, as a repaint on screen would

    paint = median_ms(select_and_paint, repeats)
    blank = QWidget()
    blank.resize(w.size())
    grab_only = median_ms(blank.grab, repeats)  # the cost of grabbing any widget this big
    w.close()
    return [(f"dendrogram n={n}: click hit test", click),
            (f"dendrogram n={n}: select + repaint", paint - grab_only)]


def thumbnail_rows(n: int, repeats: int) -> list[tuple[str, float]]:
    from PyQt6.QtCore import QSize
    from PyQt6.QtWidgets import QListView

    from petriflow.gui.views.image_viewer import ThumbnailModel

    model = ThumbnailModel()
    model.pool.setMaxThreadCount(1)
    # files that do not exist: decoding fails fast on the worker, the GUI path is the same
    model.set_items([f"/nonexistent/{i}.jpg" for i in range(n)], [str(i) for i in range(n)])
    view = QListView()
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setUniformItemSizes(True)
    view.setIconSize(QSize(100, 100))
    view.setGridSize(QSize(116, 128))
    view.setModel(model)
    view.resize(820, 640)
    view.show()
    paint = median_ms(view.viewport().grab, repeats)
    reset = median_ms(lambda: model.set_items(list(model.paths), list(model.titles)), repeats)
    model.wait_idle()
    view.close()
    return [(f"thumbnails n={n}: repaint of the visible grid", paint),
            (f"thumbnails n={n}: new input (model reset)", reset)]


def mds_rows(n: int, repeats: int) -> list[tuple[str, float]]:
    from PyQt6.QtGui import QUndoStack

    from petriflow.core.registry import default_registry
    from petriflow.core.scheduler import Scheduler
    from petriflow.core.table import Table
    from petriflow.core.workflow import Workflow
    from petriflow.gui.bridge import SchedulerBridge
    from petriflow.gui.views import ViewContext
    from petriflow.gui.views._facade import NodeFacade
    from petriflow.gui.views.mds import COORDS, MDSView
    from petriflow.nodes._projection import with_coordinates

    reg = default_registry()
    wf = Workflow()
    node = wf.add_node(reg.get("petriflow.mds"))
    scheduler = Scheduler(wf)
    bridge = SchedulerBridge(scheduler)
    view = MDSView(NodeFacade(ViewContext(wf, node.id, scheduler, bridge, QUndoStack())))
    view.show()
    rng = np.random.default_rng(0)
    base = Table.from_arrays(np.zeros((n, 0)), [], metas={"name": [str(i) for i in range(n)]})
    layouts = [with_coordinates(base, rng.normal(size=(n, 2)), COORDS) for _ in range(4)]
    view._draw(layouts[0])
    view.canvas.repaint()
    k = iter(range(10**9))

    def partial() -> None:
        view.on_partial({"Data": layouts[next(k) % 4]})
        view.canvas.repaint()

    move = median_ms(partial, repeats)
    full = median_ms(lambda: (view._draw(layouts[next(k) % 4]), view.canvas.repaint()), repeats)
    view.close()
    scheduler.close()
    return [(f"MDS n={n}: partial layout (move points + draw)", move),
            (f"MDS n={n}: new data (rebuild plot + draw)", full)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=7, help="repeats per measurement")
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 5000])
    args = parser.parse_args()
    from PyQt6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])  # noqa: F841 - keeps Qt alive
    rows: list[tuple[str, float]] = []
    for n in args.sizes:
        rows += dendrogram_rows(n, args.n)
        rows += thumbnail_rows(n * 4, args.n)
        rows += mds_rows(n, args.n)
    width = max(len(r[0]) for r in rows)
    print(f"{'operation':<{width}}  median ms  (budget {BUDGET_MS:.0f} ms)")
    for name, ms in rows:
        flag = "" if ms <= BUDGET_MS else "  OVER"
        print(f"{name:<{width}}  {ms:9.1f}{flag}")


if __name__ == "__main__":
    main()
