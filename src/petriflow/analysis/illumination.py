"""Illumination correction for microscopy screens (Singh et al. 2014, as in Pawlowski et al.).

Why: wide-field microscopes light the field unevenly (vignetting, a brighter centre);
the bias is the same for every image of a plate and channel and it adds a spatial
pattern that has nothing to do with the cells. Singh et al. estimate it per plate and
channel as the *mean of all images*, smoothed with a large median filter (so cells
average out and only the slow illumination field is left), rescaled by a robust minimum
so the function is ≥ 1, and divide every image by it.

The estimate is a sum and a count per (plate, channel), so it is computed in shards and
merged (:func:`accumulate` → :meth:`IlluminationSum.merge` → :func:`illumination_function`);
the distributed runner uses the same functions as the in-process node. No Qt here.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from petriflow.core.atomic import atomic_write

__all__ = [
    "SMOOTHINGS",
    "IlluminationError",
    "IlluminationSum",
    "Smoothing",
    "accumulate",
    "apply_correction",
    "correct_file",
    "corrected_path",
    "illumination_function",
    "read_plane",
    "unevenness",
]

#: how the mean image is smoothed: the one declaration (node setting type; runtime tuple)
Smoothing = Literal["median", "gaussian"]
SMOOTHINGS: tuple[Smoothing, ...] = get_args(Smoothing)


class IlluminationError(ValueError):
    """The images cannot be corrected as asked (message meant for the user)."""


def read_plane(path: str | os.PathLike[str]) -> np.ndarray:
    """One grayscale image as float32 in its *raw* intensities (no 8-bit stretch).

    Why not :func:`petriflow.analysis.images.load_image`: that stretches each image to
    8 bits by its own percentiles, which would destroy the intensity relation between
    images that the mean image relies on.
    """
    p = Path(path)
    try:
        if p.suffix.lower() in (".tif", ".tiff"):
            import tifffile

            arr = tifffile.imread(p)
        else:
            from PIL import Image

            with Image.open(p) as im:
                arr = np.asarray(im.convert("F") if im.mode not in ("L", "I;16", "I", "F")
                                 else im)
    except FileNotFoundError:
        raise IlluminationError(f"image not found: {p}") from None
    except Exception as exc:
        raise IlluminationError(f"cannot read {p.name}: {exc}") from None
    arr = np.asarray(arr)
    if arr.ndim == 3 and min(arr.shape) <= 4:  # a colour/stack image: average its planes
        axis = int(np.argmin(arr.shape))
        arr = arr.mean(axis=axis)
    if arr.ndim != 2:
        raise IlluminationError(f"{p.name} is not a single grayscale plane (shape {arr.shape})")
    return arr.astype(np.float32, copy=False)


@dataclass
class IlluminationSum:
    """Running sum of images of one plate and channel (float64) and how many."""

    total: np.ndarray
    count: int

    def merge(self, other: IlluminationSum) -> IlluminationSum:
        if other.total.shape != self.total.shape:
            raise IlluminationError(
                f"images of one plate and channel differ in size ({self.total.shape} vs "
                f"{other.total.shape}); illumination correction needs equal sizes"
            )
        return IlluminationSum(self.total + other.total, self.count + other.count)


def accumulate(paths: Iterable[str | os.PathLike[str]]) -> IlluminationSum | None:
    """Sum of the given images (one plate and channel); None when there are none."""
    acc: IlluminationSum | None = None
    for path in paths:
        plane = read_plane(path)
        part = IlluminationSum(plane.astype(np.float64), 1)
        acc = part if acc is None else acc.merge(part)
    return acc


def illumination_function(
    acc: IlluminationSum,
    *,
    smoothing: str = "median",
    filter_fraction: float = 0.25,
    working_size: int = 128,
    robust_percentile: float = 2.0,
) -> np.ndarray:
    """The illumination function (float32, image shape, ≥ 1 almost everywhere).

    Args:
        acc: sum and count of the images of one plate and channel.
        smoothing: "median" (Singh et al.; robust to bright cells) or "gaussian".
        filter_fraction: filter size as a fraction of the image's long side (Singh et al.
            use ~500 px windows on 1280 px images, i.e. ~0.4; 0.25 is a common choice).
        working_size: the mean image is shrunk to this long side before filtering, so a
            huge median window stays cheap (the function is smooth, nothing is lost).
        robust_percentile: divide by this low percentile ("robust minimum") so the
            corrected image keeps the intensity scale of the dimmest region.
    """
    from scipy import ndimage

    if acc.count <= 0:
        raise IlluminationError("no images to estimate the illumination from")
    if not 0 < filter_fraction <= 1:
        raise IlluminationError("the filter size must be a fraction between 0 and 1")
    mean = (acc.total / acc.count).astype(np.float32)
    h, w = mean.shape
    scale = min(1.0, working_size / max(h, w))
    small = ndimage.zoom(mean, scale, order=1) if scale < 1 else mean
    size = max(3, round(filter_fraction * max(small.shape)))
    if smoothing == "median":
        smooth = ndimage.median_filter(small, size=size, mode="reflect")
        # a median leaves plateaus with steps; a light blur makes the field smooth
        smooth = ndimage.gaussian_filter(smooth, sigma=size / 6, mode="reflect")
    elif smoothing == "gaussian":
        smooth = ndimage.gaussian_filter(small, sigma=size / 2, mode="reflect")
    else:
        raise IlluminationError(
            f"unknown smoothing {smoothing!r} ({' or '.join(SMOOTHINGS)})")
    if smooth.shape != mean.shape:
        factors = (h / smooth.shape[0], w / smooth.shape[1])
        smooth = ndimage.zoom(smooth, factors, order=1, mode="nearest", grid_mode=True)
        smooth = smooth[:h, :w]
        if smooth.shape != mean.shape:  # rounding: pad the last row/column
            smooth = np.pad(smooth, ((0, h - smooth.shape[0]), (0, w - smooth.shape[1])),
                            mode="edge")
    positive = smooth[smooth > 0]
    if positive.size == 0:
        raise IlluminationError("the images are black; there is no illumination to estimate")
    floor = float(np.percentile(positive, robust_percentile))
    func = np.maximum(smooth / floor, 1e-3).astype(np.float32)
    return func


def apply_correction(plane: np.ndarray, func: np.ndarray) -> np.ndarray:
    """The corrected image: ``plane / func`` as float32."""
    if plane.shape != func.shape:
        raise IlluminationError(
            f"image size {plane.shape} differs from the illumination function {func.shape}"
        )
    return (plane.astype(np.float32) / func).astype(np.float32)


def corrected_path(out_dir: str | os.PathLike[str], channel: str, source: str) -> Path:
    """Where the corrected copy of ``source`` goes: unique per source path and channel."""
    digest = hashlib.blake2b(os.path.abspath(source).encode(), digest_size=6).hexdigest()
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in channel) or "channel"
    return Path(out_dir) / safe / f"{Path(source).stem}-{digest}.tif"


def correct_file(source: str, func: np.ndarray, target: str | os.PathLike[str]) -> Path:
    """Divide ``source`` by ``func`` and write a float32 TIFF to ``target`` atomically.

    An existing target is kept (a rerun resumes). Float32 keeps the corrected values
    exactly; the embedder's loader stretches them to 8 bits like any 16-bit image.
    """
    import tifffile

    target = Path(target)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    corrected = apply_correction(read_plane(source), func)
    atomic_write(target, lambda tmp: tifffile.imwrite(tmp, corrected))
    return target


def unevenness(planes: Sequence[np.ndarray], grid: int = 4) -> float:
    """Coefficient of variation of the mean image over a coarse grid of blocks.

    Why a measure: it says how uneven the *average* field is (cells average out over
    many images, illumination does not), so a correction should bring it near zero.
    """
    mean = np.mean(np.stack([np.asarray(p, dtype=np.float64) for p in planes]), axis=0)
    h, w = mean.shape
    hs, ws = h // grid, w // grid
    blocks = mean[: hs * grid, : ws * grid].reshape(grid, hs, grid, ws).mean(axis=(1, 3))
    return float(blocks.std() / blocks.mean())
