"""Orange's own local SqueezeNet embedder on a list of images (run by an Orange venv).

Run by ``embed_throughput.py --orange-python PATH``, never imported by Petriflow (it
imports Orange, which is not a dependency). Clears Orange's embedding cache first, so
the figure is a cold run with decoding, exactly as the Image Embedding widget does it.
Prints one JSON line: {"n": images embedded, "seconds": wall time, "cpu_s": CPU time}.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def main() -> None:
    text = Path(sys.argv[1]).read_text(encoding="utf-8")
    paths = [line.strip() for line in text.splitlines() if line.strip()]
    from orangecontrib.imageanalytics.image_embedder import ImageEmbedder

    embedder = ImageEmbedder(model="squeezenet")
    embedder.clear_cache()
    t, c = time.perf_counter(), time.process_time()
    vectors = embedder(paths)
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    n = sum(v is not None for v in vectors)
    print(json.dumps({"n": n, "seconds": seconds, "cpu_s": cpu}))


if __name__ == "__main__":
    main()
