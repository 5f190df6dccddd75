"""Orange's own local SqueezeNet embedder on a list of images (run by an Orange venv).

Run by ``embed_throughput.py --orange-python PATH``, never imported by Petriflow (it
imports Orange, which is not a dependency). Clears Orange's embedding cache first, so
the figure is a cold run with decoding, exactly as the Image Embedding widget does it;
the embedder's one-off build (loading the network) is done before the clock starts.
Prints one JSON line: {"n": images embedded, "seconds": wall time, "cpu_s": CPU time,
"n_paths": paths read, "paths_sha256": SHA-256 of the listing's text} (the caller checks
the digest, so both sides provably timed the same files).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path


def main() -> None:
    text = Path(sys.argv[1]).read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    paths = [line.strip() for line in text.splitlines() if line.strip()]
    from orangecontrib.imageanalytics.image_embedder import ImageEmbedder

    embedder = ImageEmbedder(model="squeezenet")
    embedder.clear_cache()
    # ImageEmbedder.__call__ builds its LocalEmbedder (and the ndf network) on every call
    # and then runs embedd_data on a list; do the build first, untimed, as Petriflow's
    # model build is untimed in embed_throughput.py, and time exactly the embedding.
    t = time.perf_counter()
    embedder._init_embedder()
    init_s = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    vectors = embedder._embedder.embedd_data(paths)
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    n = sum(v is not None for v in vectors)
    print(json.dumps({"n": n, "seconds": seconds, "cpu_s": cpu, "init_s": init_s,
                      "n_paths": len(paths), "paths_sha256": digest}))


if __name__ == "__main__":
    main()
