"""Which SqueezeNet input classifies and clusters best: channel order × decode/resize.

The six combinations of channel order (BGR as the Caffe weights were trained, RGB as
Orange 3.40 really feeds them) and resize (bilinear after a reduced-size JPEG "draft"
decode, bilinear after a full decode, Lanczos after a full decode) go through the same
nodes as ``benchmarks/accuracy.py`` (LR 5-fold stratified CV: CA at seed 0 and averaged
over seeds 0..9; Ward on cosine distances cut at k: ARI). This is the measurement behind
the default ``squeezenet`` input (docs/benchmarks.md, issue 4).

    python benchmarks/input_variants.py [--sets bone-healing,dicty-development,yeast-yplp]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy as acc


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=acc.SHARED)
    ap.add_argument("--sets", default=",".join(acc.SETS))
    args = ap.parse_args(argv)

    from petriflow.analysis.embedding import backbones as M
    from petriflow.analysis.embedding import embed_paths
    from petriflow.nodes.import_images import ImportImages

    base = M.get_embedder("squeezenet")
    variants = []
    for order in ("BGR", "RGB"):
        for resample, draft in (("bilinear", True), ("bilinear", False), ("lanczos", False)):
            spec = dataclasses.replace(
                base, id=f"variant-{order.lower()}-{resample}-{int(draft)}",
                preprocessing=dataclasses.replace(base.preprocessing, channel_order=order,
                                                  resample=resample, jpeg_draft=draft))
            variants.append((f"{order} {resample:8s} {'draft' if draft else 'full'}", spec))
    for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        folder = args.data / name
        if not folder.is_dir():
            print(f"skipped {name}: {folder} is absent")
            continue
        images = acc._run(ImportImages(ImportImages.Settings(folder=str(folder))), {})[0]["Data"]
        paths = [str(Path(p).resolve()) for p in images.metas[images.image_column]]
        for label, spec in variants:
            r = embed_paths(paths, spec, cache=False)
            s = acc.score(images.with_features(r.vectors, r.feature_names), 10)
            print(f"{name:18s} {label:24s} CA {s['CA']:.3f}  CA 10 seeds "
                  f"{np.mean(s['CA_by_seed']):.3f}  AUC {s['AUC']:.3f}  ARI {s['ARI']:.3f}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
