"""A labelled image set of another kind for the accuracy benchmarks: handwritten digits.

Why: the pooled-feature table (``benchmarks/accuracy_pooled.py``, issue 15.4) asks for
image sets "of different kinds"; the three in ``../shared/data`` are microscopy and the
bundled textures are photographs of surfaces. Handwritten digits are line drawings, far
from ImageNet photographs and from microscopy, and they come with scikit-learn (no
internet): ``sklearn.datasets.load_digits`` is the test part of the UCI "Optical
Recognition of Handwritten Digits" set (Alpaydin & Kaynak 1998; UCI, CC BY 4.0), shipped
inside scikit-learn (BSD-3-Clause).

What: the first ``--per-class`` images of each digit in the data set's own order (no
random choice), each 8×8 image of counts 0..16 drawn dark on white (255 - 255·v/16),
enlarged to ``--size`` pixels with bicubic interpolation (an 8×8 image is smaller than any
network's receptive field) and saved as an RGB PNG in ``OUT/digit-K/``. A README.txt
(which Import Images skips, as in the shared sets) says where the pictures come from.
The files are made again only when missing, so the benchmark's cache keys stay the same.

    python benchmarks/make_digits_set.py OUT [--per-class 50] [--size 64]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

README = """Handwritten digits rendered by Petriflow's benchmarks/make_digits_set.py.

Source: scikit-learn's bundled load_digits (sklearn/datasets/data/digits.csv.gz), a copy
of the test set of the UCI "Optical Recognition of Handwritten Digits" data set
(E. Alpaydin, C. Kaynak, 1998; https://archive.ics.uci.edu/dataset/80, CC BY 4.0),
distributed with scikit-learn under the BSD-3-Clause licence.
Rendering: the first {per_class} images of each digit in the data set's order; counts
0..16 drawn dark on white, enlarged from 8x8 to {size}x{size} pixels (bicubic), RGB PNG.
For tests and benchmarks only.
"""


def make_digits_set(out: Path, per_class: int = 50, size: int = 64) -> Path:
    """Write the set under ``out`` (skipping files already there) and return ``out``."""
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    out.mkdir(parents=True, exist_ok=True)
    (out / "README.txt").write_text(README.format(per_class=per_class, size=size),
                                    encoding="utf-8")
    for digit in range(10):
        rows = np.flatnonzero(digits.target == digit)[:per_class]
        folder = out / f"digit-{digit}"
        folder.mkdir(exist_ok=True)
        for row in rows:
            path = folder / f"digit{digit}-{row:04d}.png"
            if path.is_file():
                continue
            ink = digits.images[row].astype(np.float64) / 16.0
            gray = np.clip(np.round(255.0 * (1.0 - ink)), 0, 255).astype(np.uint8)
            small = Image.fromarray(gray, mode="L")
            small.resize((size, size), Image.Resampling.BICUBIC).convert("RGB").save(path)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write (one subfolder per digit)")
    ap.add_argument("--per-class", type=int, default=50)
    ap.add_argument("--size", type=int, default=64, help="side of each PNG in pixels")
    args = ap.parse_args(argv)
    folder = make_digits_set(args.out, args.per_class, args.size)
    n = sum(1 for _ in folder.glob("digit-*/*.png"))
    print(f"{folder}: {n} images in 10 classes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
