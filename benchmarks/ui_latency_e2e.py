"""Issue 6's responsiveness targets, end to end, in the real MainWindow (offscreen).

1. Click-to-grid: a workflow Synthetic Images (N rows, d random features, an image path
   column over real small PNGs) -> Distances (cosine) -> Hierarchical Clustering (Ward)
   -> Image Viewer is built in code and run. Then a real mouse click on a branch of the
   HC view's dendrogram (``QTest.mouseClick`` at ``node_point``), timed until the Image
   Viewer *view*'s model has been reset to the clicked cluster's row count. Median of
   ``-n`` clicks alternating between two branches, for N = 1,000 and 10,000, against
   the targets (100 ms and 300 ms). The breakdown: the HC node's own run time (scheduler
   status ``elapsed``; the node recomputes the linkage on every selection change) and
   the view side: the click handler, and the Image Viewer view's ``_fill_items`` (building
   the model's rows for the new input); the remainder is scheduling, the bridge's queued
   signals and the other views' updates.
2. Event-loop latency probe: a 10 ms ``QTimer`` on the GUI thread records how late
   each tick is (actual interval - 10 ms) (a) while Import Images -> Image Embedder
   embeds ~200 images with the canvas open (a fresh ``PETRIFLOW_CACHE_DIR``, each image
   a distinct file, so it really computes), twice in one process: the first run includes
   loading the network, the second embeds 200 other images with it loaded; once in the
   embedding worker process (what the app does) and once in the GUI process (the
   baseline: how it was before the worker existed), and (b) while
   the Image Viewer view decodes thumbnails of 2,400 distinct files, scrolled every 50 ms.
   Max and 99th percentile lateness against the 50 ms target.

usage: python benchmarks/ui_latency_e2e.py [-n 7] [--sizes 1000 10000] [--embed 200]
       [--thumbs 2400]      (--sizes 0 / --embed 0 / --thumbs 0 skip those parts)
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qt_loop import app, spin_until

TMP = Path(tempfile.mkdtemp(prefix="petriflow-e2e-"))
# a fresh, private embedding cache: the embedder really computes, the user's cache is untouched
os.environ["PETRIFLOW_CACHE_DIR"] = str(TMP / "cache")

import numpy as np  # noqa: E402

from petriflow.core.node import CancelToken, Node, Output, Progress  # noqa: E402
from petriflow.core.table import Table  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TEXTURES = ROOT / "workflows" / "data" / "textures"
TARGETS_MS = {1000: 100.0, 10000: 300.0}
PROBE_TARGET_MS = 50.0


@dataclass
class SyntheticSettings:
    n: int = 1000
    d: int = 64
    folder: str = ""


class SyntheticImages(Node):
    """Benchmark-only source: ``n`` rows of random features, image paths cycling over
    the files of ``folder``."""

    qualified_name = "bench.synthetic_images"
    name = "Synthetic Images"
    category = "Data"
    outputs = (Output("Data", Table, default=True),)
    Settings = SyntheticSettings

    def run(self, inputs: Mapping[str, Any], progress: Progress,
            cancel: CancelToken) -> dict[str, Any]:
        s = self.settings
        files = sorted(str(p) for p in Path(s.folder).iterdir())
        rng = np.random.default_rng(0)
        # a few well separated groups, so that Ward has real branches to click
        centers = rng.normal(size=(8, s.d)) * 3
        X = centers[rng.integers(0, 8, s.n)] + rng.normal(size=(s.n, s.d))
        paths = np.array([files[i % len(files)] for i in range(s.n)], dtype=object)
        names = np.array([f"img{i}" for i in range(s.n)], dtype=object)
        return {"Data": Table.from_arrays(X, metas={"image": paths, "image name": names},
                                          image_column="image")}


# ---------------------------------------------------------------------- helpers




def make_window(embedding: str = "in_process"):
    """The main window; ``embedding="worker_process"`` as ``petriflow`` (gui/app.py)."""
    from petriflow.core.node import RunOptions
    from petriflow.core.registry import default_registry
    from petriflow.gui.mainwindow import MainWindow

    reg = default_registry()
    reg.register(SyntheticImages)
    win = MainWindow(registry=reg, data_dir=TMP / "data",
                     run_options=RunOptions(embedding=embedding))  # type: ignore[arg-type]
    win.ask_save_changes = lambda: "discard"
    win.ask_recover = lambda recovery: False
    win.show_error = lambda title, text: print(f"  [error shown] {title}: {text}")
    win.autosave_timer.stop()  # not part of what is measured
    win.show()
    spin_until(lambda: not win.scheduler.paused, 10, "scheduler resume")
    return win


def chain(win, specs: list[tuple[str, Any]]) -> list[str]:
    """Add nodes (qualified name, settings) and link each default output to the next."""
    ids = []
    for qn, settings in specs:
        ids.append(win.add_node(qn, settings=settings))
    for a, b in itertools.pairwise(ids):
        wf = win.workflow
        out = wf.node(a).node_type.outputs[0].name
        inp = wf.node(b).node_type.inputs[0].name
        wf.add_link(a, out, b, inp)
    return ids


def settle(win, timeout_s: float = 600) -> None:
    spin_until(lambda: win.scheduler.is_settled(), timeout_s, "workflow run")
    for _ in range(5):
        app().processEvents()
        time.sleep(0.01)


def close(win) -> None:
    win.close()
    app().processEvents()


class LatencyProbe:
    """A 10 ms timer on the GUI thread; records each tick's lateness in ms."""

    def __init__(self, interval_ms: int = 10) -> None:
        from PyQt6.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000.0
        self.late: list[float] = []
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0

    def start(self) -> None:
        self.late.clear()
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.late.append(max(0.0, (now - self.last - self.interval) * 1000.0))
        self.last = now

    def summary(self) -> tuple[int, float, float]:
        a = np.asarray(self.late)
        return len(a), float(np.percentile(a, 99)), float(a.max())


# ---------------------------------------------------------------------- data
def tiny_pngs(count: int = 200) -> Path:
    from PIL import Image

    folder = TMP / "png"
    folder.mkdir()
    rng = np.random.default_rng(1)
    for i in range(count):
        Image.fromarray(rng.integers(0, 255, (32, 32, 3), dtype=np.uint8)).save(
            folder / f"{i:04d}.png")
    return folder


def distinct_textures(count: int, salt: int = 0) -> Path:
    """``count`` distinct JPEG files (each texture with a few pixels changed, so content
    digests differ and the embedder cannot reuse a result)."""
    from PIL import Image

    folder = TMP / f"textures-{count}-{salt}"
    folder.mkdir()
    src = sorted(TEXTURES.glob("*/*.jpg"))
    for i in range(count):
        im = Image.open(src[i % len(src)]).convert("RGB")
        im.putpixel((i % im.width, (i // im.width) % im.height), (i % 256, salt % 256, 255))
        im.save(folder / f"t{i:05d}.jpg", quality=92)
    return folder


def linked_copies(src_folder: Path, count: int) -> Path:
    """``count`` distinct paths (hard links, copies if links fail) to the files of src."""
    folder = TMP / f"links-{count}"
    folder.mkdir()
    src = sorted(src_folder.iterdir())
    for i in range(count):
        target = folder / f"l{i:05d}{src[i % len(src)].suffix}"
        try:
            os.link(src[i % len(src)], target)
        except OSError:
            shutil.copy(src[i % len(src)], target)
    return folder


# ---------------------------------------------------------------------- 1. click
def click_to_grid(n: int, repeats: int, pngs: Path) -> dict[str, Any]:
    from PyQt6.QtCore import QEventLoop, Qt, QTimer
    from PyQt6.QtTest import QTest

    win = make_window()
    _, _, hc, viewer = chain(win, [
        ("bench.synthetic_images", SyntheticSettings(n=n, d=64, folder=str(pngs))),
        ("petriflow.distances", None),
        ("petriflow.hierarchical_clustering", None),
        ("petriflow.image_viewer", None),
    ])
    t0 = time.perf_counter()
    settle(win)
    setup_s = time.perf_counter() - t0
    hc_view = win.open_node(hc)
    iv_view = win.open_node(viewer)
    hc_view.resize(900, 760)
    iv_view.resize(900, 700)
    spin_until(lambda: hc_view.tree is not None, 120, "dendrogram")
    for _ in range(5):
        app().processEvents()
    dendro = hc_view.dendrogram
    geom = hc_view.tree.geom
    sizes = geom.last_leaf - geom.first_leaf + 1
    # two disjoint branches of different sizes, each 5-30 % of the items
    cands = [v for v in range(2 * n - 2, n - 1, -1) if 0.05 * n <= sizes[v] <= 0.3 * n]
    a = cands[0]
    b = next(v for v in cands if sizes[v] != sizes[a]
             and (geom.last_leaf[v] < geom.first_leaf[a] or geom.first_leaf[v] > geom.last_leaf[a]))
    assert dendro.node_at(dendro.node_point(a).toPointF()) == a
    assert dendro.node_at(dendro.node_point(b).toPointF()) == b

    model = iv_view.model
    state: dict[str, Any] = {}
    loop = QEventLoop()

    def on_reset() -> None:
        if "expect" in state and model.rowCount() == state["expect"] and "t" not in state:
            state["t"] = time.perf_counter()
            loop.quit()

    model.modelReset.connect(on_reset)
    fill = iv_view._fill_items  # timed: the view's GUI-thread work for a new input

    def timed_fill() -> None:
        t = time.perf_counter()
        fill()
        state["fill"] = (time.perf_counter() - t) * 1000.0

    iv_view._fill_items = timed_fill
    totals, handlers, hc_runs, fills = [], [], [], []
    for k in range(repeats + 1):  # the first click warms up caches, not counted
        node = (a, b)[k % 2]
        runs_before = win.scheduler.status(hc).runs
        state.clear()
        state["expect"] = int(sizes[node])
        t0 = time.perf_counter()
        QTest.mouseClick(dendro, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         dendro.node_point(node))
        t_handler = time.perf_counter()
        if "t" not in state:
            guard = QTimer()
            guard.setSingleShot(True)
            guard.timeout.connect(loop.quit)
            guard.start(120_000)
            loop.exec()
            guard.stop()
        if "t" not in state:
            raise TimeoutError(f"n={n}: the viewer never showed {sizes[node]} rows")
        total = (state["t"] - t0) * 1000.0
        spin_until(lambda rb=runs_before: win.scheduler.status(hc).runs > rb, 60, "HC status")
        settle(win)
        if k == 0:
            continue
        totals.append(total)
        handlers.append((t_handler - t0) * 1000.0)
        fills.append(state.get("fill", float("nan")))
        hc_runs.append((win.scheduler.status(hc).elapsed or 0.0) * 1000.0)
        assert win.workflow.node(hc).settings.selected_nodes == [node]
    close(win)
    med = statistics.median(totals)
    return {"n": n, "median": med, "min": min(totals), "max": max(totals),
            "hc": statistics.median(hc_runs), "handler": statistics.median(handlers),
            "fill": statistics.median(fills),
            "setup": setup_s, "sizes": (int(sizes[a]), int(sizes[b]))}


# ---------------------------------------------------------------------- 2. probes
def probe_embedding(count: int, salt: int, label: str, isolated: bool) -> dict[str, Any]:
    """``isolated``: embed in the worker process, as the app does (gui/app.py runs its
    scheduler with ``RunOptions(embedding="worker_process")``); otherwise in the GUI
    process, as before (the baseline)."""
    folder = distinct_textures(count, salt)
    win = make_window("worker_process" if isolated else "in_process")
    probe = LatencyProbe()
    probe.start()
    t0 = time.perf_counter()
    _, emb = chain(win, [
        ("petriflow.import_images",
         win.registry.get("petriflow.import_images").Settings(folder=str(folder))),
        ("petriflow.image_embedder", None),
    ])
    spin_until(lambda: win.scheduler.status(emb).runs >= 1 and win.scheduler.is_settled(),
               900, "embedding")
    elapsed = time.perf_counter() - t0
    probe.stop()
    st = win.scheduler.status(emb)
    out = win.scheduler.output(emb, "Embeddings")
    rows = 0 if out is None else len(out)
    close(win)
    ticks, p99, mx = probe.summary()
    return {"what": f"embedding {count} images, {label}", "ticks": ticks, "p99": p99,
            "max": mx, "seconds": elapsed,
            "note": f"{rows} embedded, node {st.state.value} in {st.elapsed or 0:.1f} s"}


def probe_thumbnails(count: int) -> dict[str, Any]:
    from PyQt6.QtCore import QTimer

    from petriflow.gui.views.image_viewer import CACHE_ITEMS

    folder = linked_copies(distinct_textures(48, salt=99), count)
    win = make_window()
    _, viewer = chain(win, [
        ("bench.synthetic_images", SyntheticSettings(n=count, d=4, folder=str(folder))),
        ("petriflow.image_viewer", None),
    ])
    settle(win)
    view = win.open_node(viewer)
    view.resize(900, 700)
    spin_until(lambda: view.model.rowCount() == count, 60, "viewer rows")
    bar = view.list.verticalScrollBar()
    step = max(1, view.list.viewport().height() // 2)
    scroller = QTimer()
    scroller.setInterval(50)
    scroller.timeout.connect(lambda: bar.setValue(bar.value() + step))
    probe = LatencyProbe()
    t0 = time.perf_counter()
    probe.start()
    scroller.start()
    spin_until(lambda: bar.value() >= bar.maximum() > 0 and not view.model.pending, 600,
               "scroll to the end")
    scroller.stop()
    probe.stop()
    elapsed = time.perf_counter() - t0
    decoded = sum(1 for v in view.model.cache.values() if v is not None)
    close(win)
    ticks, p99, mx = probe.summary()
    return {"what": f"thumbnails of {count} rows, scrolled every 50 ms", "ticks": ticks,
            "p99": p99, "max": mx, "seconds": elapsed,
            "note": f"{decoded} decoded thumbnails in the view's cache at the end "
                    f"(it keeps the {CACHE_ITEMS} most recent)"}


# ---------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=7, help="clicks per size")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--embed", type=int, default=200, help="images to embed")
    parser.add_argument("--thumbs", type=int, default=2400, help="viewer rows to scroll")
    args = parser.parse_args()
    app()
    load0 = os.getloadavg()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"load average at start {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")
    pngs = tiny_pngs()
    clicks = [click_to_grid(n, args.n, pngs) for n in args.sizes if n]
    # the app's way (worker process) first: the in-process baseline then still pays the
    # torch import in this process, as a first embedding did before the worker existed
    probes = [probe_embedding(args.embed, 1, "worker process, 1st run", True),
              probe_embedding(args.embed, 2, "worker process, 2nd run", True),
              probe_embedding(args.embed, 3, "in GUI process (baseline), 1st run", False),
              probe_embedding(args.embed, 4, "in GUI process (baseline), 2nd run", False)
              ] if args.embed else []
    if args.thumbs:
        probes.append(probe_thumbnails(args.thumbs))
    load1 = os.getloadavg()

    print()
    print(f"1. branch click -> Image Viewer grid (median of {args.n} clicks, two branches "
          "alternating)")
    print(f"{'N':>6}  {'median ms':>9}  {'min':>6}  {'max':>6}  {'target':>6}  "
          f"{'target/measured':>15}  {'HC node run':>11}  {'click handler':>13}  "
          f"{'viewer fill':>11}")
    for c in clicks:
        target = TARGETS_MS.get(c["n"], float("nan"))
        flag = "" if c["median"] <= target else "  OVER"
        print(f"{c['n']:>6}  {c['median']:9.1f}  {c['min']:6.1f}  {c['max']:6.1f}  "
              f"{target:6.0f}  {target / c['median']:15.2f}  {c['hc']:11.1f}  "
              f"{c['handler']:13.1f}  {c['fill']:11.1f}{flag}")
    for c in clicks:
        print(f"  N={c['n']}: branches of {c['sizes'][0]} and {c['sizes'][1]} items; first run "
              f"of the workflow {c['setup']:.1f} s")
    print()
    print(f"2. event-loop latency probe (10 ms timer; lateness per tick, target "
          f"{PROBE_TARGET_MS:.0f} ms)")
    width = max(len(p["what"]) for p in probes)
    print(f"{'while':<{width}}  {'ticks':>6}  {'p99 ms':>7}  {'max ms':>7}  {'s':>6}")
    for p in probes:
        flag = "" if p["max"] <= PROBE_TARGET_MS else "  OVER"
        print(f"{p['what']:<{width}}  {p['ticks']:>6}  {p['p99']:7.1f}  {p['max']:7.1f}  "
              f"{p['seconds']:6.1f}{flag}")
    for p in probes:
        print(f"  {p['what']}: {p['note']}")
    print()
    print(f"load average at end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
