"""Soak test: embed and cluster N images several times in ONE process; does RSS grow?

Issue 7's target: after the first round, resident memory grows by less than 10 %
(a leak — cached tensors, thread pools, listeners, matplotlib figures — shows up as
steady growth per round). Each round runs what the image-clustering workflow runs:
``embed_paths`` (SqueezeNet, cache disabled so every round really computes),
``pairwise_distances`` (cosine), ``hierarchical_linkage`` (Ward), the dendrogram
geometry and a top-N cut. RSS is read from ``/proc/self/statm`` after ``gc.collect()``
at the end of each round; the baseline is round 1 (the first round pays one-off costs:
torch, the model, scipy, allocator arenas).

    python benchmarks/soak.py [--n 10000] [--rounds 3] [--size 64] [--trim]
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def rss_mb() -> float:
    """Current resident set size (not the peak) in MiB."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:  # not Linux: fall back to the peak
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def malloc_trim() -> bool:
    """Ask glibc to return freed heap memory to the system (Linux/glibc only).

    Why: RSS after a round includes memory the allocator keeps for reuse (per-thread
    arenas of the decode/embed workers); trimming separates that from memory still
    referenced, i.e. a real leak."""
    try:
        import ctypes

        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_images(n: int, size: int, folder: Path) -> list[Path]:
    """N distinct small PNGs (a random base image, shifted and marked per file)."""
    from PIL import Image

    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (size, size, 3), dtype=np.uint8)
    paths = []
    for i in range(n):
        img = np.roll(base, shift=(i * 7) % size, axis=(i % 2))
        img[i % size, :, i % 3] = i % 251
        p = folder / f"{i:05d}.png"
        Image.fromarray(img).save(p, compress_level=1)
        paths.append(p)
    return paths


def one_round(paths: list[Path]) -> dict[str, float]:
    from petriflow.analysis.clustering import (
        clusters_top_n,
        dendrogram_geometry,
        hierarchical_linkage,
    )
    from petriflow.analysis.distances import pairwise_distances
    from petriflow.analysis.embedding import embed_paths

    t0 = time.perf_counter()
    res = embed_paths(paths, "squeezenet", cache=False, device="cpu")
    t1 = time.perf_counter()
    if len(res) != len(paths):
        raise SystemExit(f"only {len(res)} of {len(paths)} images embedded: {res.skipped[:3]}")
    D = pairwise_distances(res.vectors, "cosine")
    Z = hierarchical_linkage(D, "ward")
    geom = dendrogram_geometry(Z, len(paths))
    clusters = clusters_top_n(Z, len(paths), 5)
    t2 = time.perf_counter()
    assert geom.n_leaves == len(paths) and len(clusters) == 5
    del res, D, Z, geom, clusters
    gc.collect()
    return {"embed_s": t1 - t0, "cluster_s": t2 - t1}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--size", type=int, default=64, help="image side in pixels")
    ap.add_argument("--trim", action="store_true",
                    help="also report RSS after glibc malloc_trim (allocator-kept memory "
                         "returned) each round")
    args = ap.parse_args()
    print(f"soak: {args.n} images of {args.size}x{args.size}, {args.rounds} rounds, "
          f"{os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory() as tmp_s:
        t = time.perf_counter()
        paths = make_images(args.n, args.size, Path(tmp_s))
        gc.collect()
        print(f"generated {len(paths)} PNGs in {time.perf_counter() - t:.1f} s; "
              f"RSS {rss_mb():.0f} MiB", flush=True)
        rss: list[float] = []
        trimmed: list[float] = []
        for r in range(1, args.rounds + 1):
            times = one_round(paths)
            rss.append(rss_mb())
            growth = 100.0 * (rss[-1] - rss[0]) / rss[0]
            line = (f"round {r}: embed {times['embed_s']:.1f} s "
                    f"({args.n / times['embed_s']:.1f} img/s), cluster "
                    f"{times['cluster_s']:.1f} s; RSS {rss[-1]:.0f} MiB (peak {peak_mb():.0f} "
                    f"MiB); growth vs round 1: {growth:+.1f} %")
            if args.trim and malloc_trim():
                trimmed.append(rss_mb())
                line += (f"; after malloc_trim {trimmed[-1]:.0f} MiB "
                         f"({100.0 * (trimmed[-1] - trimmed[0]) / trimmed[0]:+.1f} %)")
            print(line, flush=True)
    worst = max(100.0 * (x - rss[0]) / rss[0] for x in rss)
    ratio = rss[-1] / rss[0]
    ok = worst < 10.0
    print(f"RESULT: RSS last/first round = {ratio:.3f} (worst growth {worst:+.1f} %, "
          f"target < 10 %): {'PASS' if ok else 'FAIL'}", flush=True)
    if trimmed:
        worst_t = max(100.0 * (x - trimmed[0]) / trimmed[0] for x in trimmed)
        print(f"after malloc_trim (memory still referenced): last/first = "
              f"{trimmed[-1] / trimmed[0]:.3f}, worst growth {worst_t:+.1f} %", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
