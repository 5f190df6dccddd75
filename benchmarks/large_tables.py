"""Large inputs: the wall-clock bounds that used to be assertions in unit tests.

The tests (tests/robustness/test_limits.py, tests/gui/test_views_tables.py,
tests/robustness/test_image_corpus.py) keep checking what happens at 20,000 rows and
10,000 files (virtual thumbnails, sorted, selected, all files listed); how long it takes
is measured here, in the real MainWindow (offscreen), and printed against the bounds the
tests used to assert (a "does not freeze" margin for a loaded 2-core machine):

- Data Table, 20,000 rows: open (5 s), sort, scroll to the end, select all (3 s each)
- Image Viewer, 20,000 rows: open (5 s), scroll to the end, resize thumbnails,
  select all (3 s each)
- Import Images on a folder of 10,000 PNGs in 10 class folders (60 s)

Median and worst of ``-n`` repeats (a new window each time).

    python benchmarks/large_tables.py [-n 3] [--skip-scan]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qt_loop import app, spin_until

N_ROWS = 20_000
OPEN_S, ACTION_S, SCAN_S = 5.0, 3.0, 60.0




def timed(fn: Callable[[], Any]) -> float:
    """Seconds until ``fn`` returned and the events it posted were processed."""
    t0 = time.perf_counter()
    fn()
    app().processEvents()
    return time.perf_counter() - t0


def many_images_node() -> type:
    """A source of a 20,000-row image table (the files need not exist: a missing image
    shows a placeholder, which is what a moved folder looks like), as in test_limits."""
    import numpy as np

    from petriflow.core.node import Node, Output
    from petriflow.core.table import Table

    class ManyImages(Node):
        qualified_name = "bench.many_images"
        name = "Many Images"
        outputs = (Output("Data", Table),)

        def run(self, inputs: Mapping[str, Any], progress, cancel) -> dict[str, Any]:
            n = N_ROWS
            X = np.arange(n * 2, dtype=np.float32).reshape(n, 2)[::-1].copy()
            return {"Data": Table.from_arrays(
                X, ["a", "b"], classes=[f"c{i % 7}" for i in range(n)],
                metas={"image name": np.array([f"img{i:05d}" for i in range(n)], dtype=object),
                       "image": np.array([f"/nonexistent/petriflow/{i:05d}.png"
                                          for i in range(n)], dtype=object)},
                image_column="image")}

    return ManyImages


def window_with(sink: str, data_dir: Path):
    """A shown MainWindow with the 20,000-row source linked to ``sink``, settled."""
    from petriflow.core.registry import NodeRegistry
    from petriflow.gui.mainwindow import MainWindow
    from petriflow.nodes.data_table import DataTable
    from petriflow.nodes.image_viewer import ImageViewer

    win = MainWindow(registry=NodeRegistry([many_images_node(), ImageViewer, DataTable]),
                     data_dir=data_dir)
    win.ask_save_changes = lambda: "discard"
    win.ask_recover = lambda recovery: False
    win.show()
    src = win.add_node("bench.many_images")
    node = win.add_node(sink)
    win.workflow.add_link(src, "Data", node, "Data")
    spin_until(lambda: not win.scheduler.paused and win.scheduler.is_settled(), 120,
               "workflow run")
    return win, node


def data_table(data_dir: Path) -> dict[str, float]:
    from PyQt6.QtCore import Qt

    win, node = window_with("petriflow.data_table", data_dir)
    try:
        t = {"open": timed(lambda: win.open_node(node))}
        view = win.live_view(node)
        assert view.model.rowCount() == N_ROWS
        col_a = [c[1] for c in view.model.columns].index("a")
        header = view.table.horizontalHeader()
        t["sort"] = timed(lambda: header.setSortIndicator(col_a, Qt.SortOrder.AscendingOrder))
        t["scroll to the end"] = timed(view.table.scrollToBottom)
        t["select all"] = timed(view.table.selectAll)
        return t
    finally:
        win.close()
        app().processEvents()


def image_viewer(data_dir: Path) -> dict[str, float]:
    win, node = window_with("petriflow.image_viewer", data_dir)
    try:
        t = {"open": timed(lambda: win.open_node(node))}
        view = win.live_view(node)
        assert view.model.rowCount() == N_ROWS
        view.model.wait_idle()
        t["scroll to the end"] = timed(view.list.scrollToBottom)
        view.model.wait_idle()
        t["resize thumbnails"] = timed(lambda: view.size_slider.setValue(64))
        t["select all"] = timed(view.list.selectAll)
        return t
    finally:
        win.close()
        app().processEvents()


def import_scan(folder: Path) -> float:
    from petriflow.core.node import CancelToken, NodeContext, Progress
    from petriflow.nodes.import_images import ImportImages

    node = ImportImages(ImportImages.Settings(folder=str(folder)), NodeContext())
    t0 = time.perf_counter()
    out = node.run({}, Progress(min_interval=0.0), CancelToken())
    took = time.perf_counter() - t0
    assert len(out["Data"]) == 10_000
    return took


def ten_thousand_pngs(folder: Path) -> Path:
    import io

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)).save(buf, "PNG")
    data = buf.getvalue()
    for c in range(10):
        sub = folder / f"class{c}"
        sub.mkdir(parents=True)
        for i in range(1000):
            (sub / f"{i:04d}.png").write_bytes(data)
    return folder


def report(label: str, times: list[float], target: float) -> bool:
    med, worst = statistics.median(times), max(times)
    ok = worst < target
    print(f"  {label:<34} median {med:6.2f} s  worst {worst:6.2f} s  target < {target:.0f} s"
          f"  {'PASS' if ok else 'FAIL'}", flush=True)
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=3, help="repeats (a new window each)")
    ap.add_argument("--skip-scan", action="store_true", help="skip the 10,000-file scan")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} at start; {os.cpu_count()} CPUs", flush=True)
    app()
    ok = True
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        for title, run in (("Data Table, 20,000 rows", data_table),
                           ("Image Viewer, 20,000 rows", image_viewer)):
            runs = [run(tmp / f"data-{title[:4]}-{i}") for i in range(args.n)]
            print(title, flush=True)
            for key in runs[0]:
                ok &= report(key, [r[key] for r in runs], OPEN_S if key == "open" else ACTION_S)
        if not args.skip_scan:
            folder = ten_thousand_pngs(tmp / "pngs")
            print("Import Images, 10,000 files in 10 folders", flush=True)
            ok &= report("scan", [import_scan(folder) for _ in range(args.n)], SCAN_S)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    raise SystemExit(main())
