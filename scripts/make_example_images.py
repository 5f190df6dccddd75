"""Rebuild the bundled example image sets ``workflows/data/textures`` (and ``textures-new``).

Three classes of real photographs — brick, grass, gravel — each a 512×512 texture from
scikit-image's data folder (all three CC0, see workflows/data/LICENSE-textures.txt), cut
into a 4×4 grid of 128×128 tiles and saved as JPEG. Small enough to ship (≈ 0.3 MB),
real enough that a pretrained CNN separates the classes, so both example workflows run
offline on a fresh machine.

    python scripts/make_example_images.py [--source DIR]
    python scripts/make_example_images.py --new [--source DIR]

``--new`` writes ``workflows/data/textures-new`` instead: 4 images per class of the same
three surfaces at another magnification — a 256×256 region downscaled to 128×128, i.e.
zoomed out 2× — the "new batch" that ``image-prediction.ows`` predicts with a model
trained on ``textures``. scikit-image ships one photograph per surface, so these come
from the same photographs; their regions start off the 128-pixel grid of the training
tiles and each covers parts of nine of them at half the scale, so no new image is a copy
of a training tile (at any scale), and the model has to carry what it learnt at one
magnification over to another.

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
DATA = Path(__file__).resolve().parents[1] / "workflows" / "data"
OUT = DATA / "textures"
NEW_OUT = DATA / "textures-new"
#: ``--new``: the side of the region cut from the 512×512 photograph (then downscaled
#: to TILE) and the top-left corners of the regions, off the training tiles' 128 grid
NEW_REGION = 256
NEW_CORNERS = ((40, 72), (216, 24), (88, 232), (248, 200))


def default_source() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("scikit-image is not installed; pass --source DIR")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def write_tiles(source: Path) -> None:
    """``textures``: each photograph cut into a 4×4 grid of 128×128 tiles."""
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


def write_new(source: Path) -> None:
    """``textures-new``: regions of NEW_REGION pixels at NEW_CORNERS, downscaled to TILE."""
    for name in CLASSES:
        image = Image.open(source / f"{name}.png").convert("L")
        folder = NEW_OUT / name
        folder.mkdir(parents=True, exist_ok=True)
        for k, (left, top) in enumerate(NEW_CORNERS):
            region = image.crop((left, top, left + NEW_REGION, top + NEW_REGION))
            region = region.resize((TILE, TILE), Image.Resampling.LANCZOS)
            region.save(folder / f"{name}-new-{k}.jpg", quality=90)
        print(f"{name}: {len(NEW_CORNERS)} new images ({NEW_REGION} px -> {TILE} px)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=None)
    parser.add_argument("--new", action="store_true",
                        help="write textures-new (zoomed out 2x) instead of textures")
    args = parser.parse_args()
    source = args.source or default_source()
    if args.new:
        write_new(source)
    else:
        write_tiles(source)


if __name__ == "__main__":
    main()
