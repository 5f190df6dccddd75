"""Peak memory while embedding many images (issue 3: ≤ 1.5 GB RSS for 5,000 images).

Generates N distinct JPEGs (640×480, so decoding is real work and no two files share a
cache entry), embeds them with SqueezeNet through ``embed_paths`` with a fresh cache,
and prints the process's peak RSS (``ru_maxrss``) before and after. Why it matters:
the pipeline must stream — holding 5,000 decoded images would take ~4.6 GB.

    python benchmarks/embed_memory.py [--n 5000] [--precision fp32]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def make_images(n: int, folder: Path) -> list[Path]:
    from PIL import Image

    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    paths = []
    for i in range(n):
        img = np.roll(base, shift=(i * 7) % 480, axis=0)
        img[i % 480, :, :] = i % 251  # every file differs
        p = folder / f"{i:05d}.jpg"
        Image.fromarray(img).save(p, quality=85)
        paths.append(p)
    return paths


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--precision", default="fp32")
    args = ap.parse_args()
    from petriflow.analysis.embedding import EmbeddingCache, embed_paths

    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        t = time.perf_counter()
        paths = make_images(args.n, tmp)
        print(f"generated {len(paths)} 640x480 JPEGs in {time.perf_counter() - t:.1f} s; "
              f"peak RSS so far {peak_rss_mb():.0f} MB", flush=True)
        last = [0.0]

        def show(p):
            if time.monotonic() - last[0] > 10:
                last[0] = time.monotonic()
                print(f"  {p.message()}; peak RSS {peak_rss_mb():.0f} MB", flush=True)

        with EmbeddingCache(tmp / "cache") as cache:
            t = time.perf_counter()
            res = embed_paths(paths, cache=cache, device="cpu", progress=show,
                              precision=args.precision)
            dt = time.perf_counter() - t
        print(f"embedded {len(res)} images ({len(res.skipped)} skipped) in {dt:.1f} s "
              f"({len(res) / dt:.1f} img/s, {args.precision})")
        print(f"peak RSS while embedding {args.n} images: {peak_rss_mb():.0f} MB "
              f"(target <= 1536 MB)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    raise SystemExit(main())
