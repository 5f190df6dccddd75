"""Rebuild the bundled example image set ``workflows/data/textures``.

Three classes of real photographs — brick, grass, gravel — each a 512×512 texture from
scikit-image's data folder (all three CC0, see workflows/data/LICENSE-textures.txt), cut
into a 4×4 grid of 128×128 tiles and saved as JPEG. Small enough to ship (≈ 0.3 MB),
real enough that a pretrained CNN separates the classes, so both example workflows run
offline on a fresh machine.

    python scripts/make_example_images.py [--source DIR]

``--source`` is a folder holding brick.png, grass.png and gravel.png (default: the
``skimage/data`` folder of an installed scikit-image). scikit-image is not a dependency
of Petriflow; it is needed only to rebuild these files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image

CLASSES = ("brick", "grass", "gravel")
TILE = 128
OUT = Path(__file__).resolve().parents[1] / "workflows" / "data" / "textures"


def default_source() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("scikit-image is not installed; pass --source DIR")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None)
    args = parser.parse_args()
    source = args.source or default_source()
    for name in CLASSES:
        image = Image.open(source / f"{name}.png").convert("L")
        folder = OUT / name
        folder.mkdir(parents=True, exist_ok=True)
        w, h = image.size
        k = 0
        for top in range(0, h - TILE + 1, TILE):
            for left in range(0, w - TILE + 1, TILE):
                tile = image.crop((left, top, left + TILE, top + TILE))
                tile.save(folder / f"{name}-{k:02d}.jpg", quality=90)
                k += 1
        print(f"{name}: {k} tiles")


if __name__ == "__main__":
    main()
