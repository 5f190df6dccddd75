"""Robust image loading for the images people actually bring.

Why a module of its own: the embedder, the image viewer and Import Images all need to
open "any" image — 8-bit photos, palette PNGs, RGBA sketches, CMYK JPEGs, phone photos
with an EXIF rotation, 16/32-bit microscopy TIFFs and multi-channel stacks — and must
never crash on a bad file. Every failure becomes an :class:`ImageLoadError` whose
``reason`` is a short human sentence shown per file (the "Skipped Images" output).

Conventions:

* High bit-depth and float data are rescaled to 8 bits between robust percentiles
  (0.5 and 99.5 by default), not truncated: a 12-bit camera image would otherwise be
  almost black or saturated.
* Transparency is composited on white (the sketches in teaching sets are drawn on a
  transparent background; black would invert their look).
* Pillow's decompression-bomb limit is respected; an image beyond it is skipped with
  a reason rather than decoded (it could take gigabytes).
* TIFFs go through :mod:`tifffile` (multi-channel, 16/32-bit, float); everything else
  through Pillow, with ``draft()`` so that JPEGs decode directly at a reduced scale.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from petriflow.analysis import pillow_resize

__all__ = [
    "IMAGE_EXTENSIONS",
    "ImageLoadError",
    "LoadedImage",
    "file_problem",
    "has_image_suffix",
    "is_image_file",
    "load_image",
    "load_rgb",
    "read_image_header",
    "rescale_to_uint8",
    "resize_plane",
    "to_rgb_image",
]

#: File name extensions treated as images when scanning folders (lower case).
IMAGE_EXTENSIONS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".ppm",
     ".pgm", ".pbm", ".jp2", ".j2k", ".ico"}
)
_TIFF_EXTENSIONS = frozenset({".tif", ".tiff"})
_TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")

#: Percentiles used to map high bit-depth intensities to 0..255.
ROBUST_PERCENTILES = (0.5, 99.5)


class ImageLoadError(Exception):
    """An image that cannot be used; ``reason`` is meant for the user, per file."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LoadedImage:
    """Decoded image planes.

    ``channels`` is a tuple of 2-D uint8 arrays (one per channel, same shape) and
    ``channel_names`` names them ("R", "G", "B" for colour photos, "gray", or the
    names found in OME/ImageJ TIFF metadata, else "ch0", "ch1", ...). ``rgb`` says
    whether the three channels form a colour photo (so RGB mode can use them as is).
    """

    channels: tuple[np.ndarray, ...]
    channel_names: tuple[str, ...]
    rgb: bool
    original_size: tuple[int, int]  # (width, height) before any reduction

    @property
    def n_channels(self) -> int:
        return len(self.channels)

    def as_rgb(self) -> np.ndarray:
        """An (H, W, 3) uint8 array: gray is replicated; 2 channels go to R and G;
        more than 3 non-colour channels use the first three (use per-channel mode for
        microscopy stacks instead)."""
        ch = self.channels
        if len(ch) == 1:
            return np.repeat(ch[0][:, :, None], 3, axis=2)
        if len(ch) == 2:
            return np.stack([ch[0], ch[1], np.zeros_like(ch[0])], axis=2)
        return np.stack(ch[:3], axis=2)


def has_image_suffix(path: str | os.PathLike[str]) -> bool:
    """Whether a name ends in an image extension (any case): the one test that folder
    scans, list files and image-set columns apply."""
    return os.path.splitext(os.fspath(path))[1].lower() in IMAGE_EXTENSIONS


def is_image_file(path: str | os.PathLike[str]) -> bool:
    """Whether a name looks like an image (by extension); hidden files are not."""
    name = os.path.basename(os.fspath(path))
    return not name.startswith(".") and has_image_suffix(name)


# ----------------------------------------------------------------------------- header
def read_image_header(path: str | os.PathLike[str]) -> tuple[int, int]:
    """(width, height) from the file header only, cheaply (no pixel decoding).

    Raises :class:`ImageLoadError` with a reason when the file is not a readable image.
    EXIF orientation is applied (a portrait phone photo reports portrait size).
    """
    path = Path(path)
    _check_file(path)
    with contextlib.suppress(OSError):
        if path.stat().st_size == 0:
            raise ImageLoadError("empty file (0 bytes)")
    if path.suffix.lower() in _TIFF_EXTENSIONS:
        try:
            import tifffile

            with tifffile.TiffFile(path) as tif:
                series = tif.series[0]
                axes, shape = series.axes, series.shape
                return int(shape[axes.index("X")]), int(shape[axes.index("Y")])
        except Exception:
            pass  # fall back to Pillow below
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                w, h = im.size
                try:
                    orientation = im.getexif().get(0x0112, 1)
                except Exception:
                    orientation = 1
    except Image.DecompressionBombError as exc:
        raise ImageLoadError(_bomb_reason(exc)) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageLoadError(_reason_from(exc)) from None
    return (h, w) if orientation in (5, 6, 7, 8) else (w, h)


# ----------------------------------------------------------------------------- loading
def load_image(
    source: str | os.PathLike[str] | bytes,
    *,
    target_size: int | None = None,
    name: str = "",
    percentiles: tuple[float, float] = ROBUST_PERCENTILES,
) -> LoadedImage:
    """Decode an image file (or its bytes) into 8-bit channel planes.

    ``target_size`` is a hint: JPEGs are decoded with ``draft()`` at the smallest DCT
    scale that is still at least that many pixels on the short side, which makes
    decoding several times faster without visible loss after the final resize.
    ``name`` (the file name) selects the TIFF reader when ``source`` is bytes.

    Raises :class:`ImageLoadError` with a per-file reason; never anything else for a
    bad file.
    """
    out = _decode(source, target_size, name, percentiles, None)
    assert isinstance(out, LoadedImage)  # no RGB size asked for: always planes
    return out


def load_rgb(
    source: str | os.PathLike[str] | bytes,
    size: int,
    resample: int = Image.Resampling.BILINEAR,
    *,
    target_size: int | None = None,
    name: str = "",
    percentiles: tuple[float, float] = ROBUST_PERCENTILES,
) -> np.ndarray:
    """A (size, size, 3) uint8 RGB array: ``load_image(...).as_rgb()`` resized (squashed)
    with Pillow's ``resample`` filter -- the same pixels, but plain 8-bit images (RGB,
    gray, CMYK …, most photos) are converted and resized by Pillow in one pass instead of
    being split into planes and stacked again (~1 ms less per photo: the embedder's
    input path). Raises :class:`ImageLoadError` like :func:`load_image`."""
    out = _decode(source, target_size, name, percentiles, (size, resample))
    if isinstance(out, np.ndarray):
        return out
    im = Image.fromarray(np.ascontiguousarray(out.as_rgb()), "RGB")
    return pillow_resize.resize(im, size, resample)  # Pillow's pixels, maybe faster


def _decode(
    source: str | os.PathLike[str] | bytes,
    target_size: int | None,
    name: str,
    percentiles: tuple[float, float],
    rgb: tuple[int, int] | None,
) -> LoadedImage | np.ndarray:
    if isinstance(source, bytes):
        data = source
        suffix = Path(name).suffix.lower()
    else:
        path = Path(source)
        _check_file(path)
        suffix = path.suffix.lower()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ImageLoadError(f"cannot read the file: {exc.strerror or exc}") from None
    if not data:
        raise ImageLoadError("empty file (0 bytes)")
    try:
        if suffix in _TIFF_EXTENSIONS or data[:4] in _TIFF_MAGIC:
            try:
                return _load_tiff(data, percentiles)
            except ImageLoadError:
                raise
            except Exception:
                pass  # an odd TIFF that tifffile rejects may still open with Pillow
        return _load_pillow(data, target_size, percentiles, rgb)
    except ImageLoadError:
        raise
    except MemoryError:
        raise ImageLoadError("not enough memory to decode this image") from None
    except Exception as exc:  # any decoder failure is a per-file reason, not a crash
        raise ImageLoadError(_reason_from(exc)) from None


def file_problem(path: str | os.PathLike[str]) -> str | None:
    """Why ``path`` cannot be opened as an image file, or None when it is a regular file.

    Why check before opening: opening a named pipe (FIFO) called ``x.png`` blocks
    forever, a symlink loop raises ELOOP with a cryptic text, and a dangling link looks
    like a missing file. Each gets a plain reason here, without reading a byte.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop (following the link never reaches a file)"
        if os.path.islink(path):
            return "broken symbolic link (its target was not found)"
        if exc.errno in (errno.EACCES, errno.EPERM):
            return "cannot read the file: permission denied"
        if exc.errno == errno.ENAMETOOLONG:
            return "the file name is too long for this system"
        return "file not found" if exc.errno == errno.ENOENT else (
            f"cannot read the file: {exc.strerror or exc}")
    if stat.S_ISDIR(st.st_mode):
        return "is a folder, not an image"
    if not stat.S_ISREG(st.st_mode):
        return "not a regular file (a named pipe, device or socket)"
    return None


def _check_file(path: Path) -> None:
    problem = file_problem(path)
    if problem is not None:
        raise ImageLoadError(problem)


def _reason_from(exc: BaseException) -> str:
    if isinstance(exc, UnidentifiedImageError):
        return "not an image file (or an unsupported format)"
    if isinstance(exc, OSError) and exc.errno is not None and exc.strerror:
        return f"cannot read the file: {exc.strerror.lower()}"
    text = str(exc).strip() or type(exc).__name__
    low = text.lower()
    if "truncated" in low or "image file is truncated" in low or "broken data stream" in low:
        return f"damaged or truncated image data ({text})"
    return f"cannot decode the image ({text})"


def _bomb_reason(exc: BaseException) -> str:
    return (
        "image too large to open safely "
        f"({exc}); downscale it or split it into tiles"
    )


#: Pillow modes whose RGB conversion is exactly what :func:`_from_pillow` + ``as_rgb``
#: give (no alpha to composite, no high bit depth to stretch, no palette)
_PLAIN_MODES = frozenset({"RGB", "L", "1", "CMYK", "YCbCr", "LAB", "HSV", "RGBX"})


def _load_pillow(
    data: bytes, target_size: int | None, percentiles: tuple[float, float],
    rgb: tuple[int, int] | None = None,
) -> LoadedImage | np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            im: Image.Image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise ImageLoadError(_bomb_reason(exc)) from None
        except UnidentifiedImageError:
            raise ImageLoadError("not an image file (or an unsupported format)") from None
        with im:
            original = im.size
            if target_size and im.format == "JPEG":
                # draft() keeps at least the requested size; scale chosen by libjpeg.
                w, h = im.size
                s = target_size / max(1, min(w, h))
                im.draft(im.mode if im.mode != "CMYK" else "RGB",
                         (max(1, round(w * s)), max(1, round(h * s))))
            im.load()
            im = ImageOps.exif_transpose(im) or im
            if rgb is not None and im.mode in _PLAIN_MODES:
                size, resample = rgb
                # Pillow's own resize, or the same pixels computed faster once the
                # embedder switched analysis/pillow_resize.py on (issue 15.3)
                return pillow_resize.resize(im.convert("RGB"), size, resample)
            return _from_pillow(im, original, percentiles)


def _from_pillow(
    im: Image.Image, original: tuple[int, int], percentiles: tuple[float, float]
) -> LoadedImage:
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(im)
        return LoadedImage((rescale_to_uint8(arr, percentiles),), ("gray",), False, original)
    if mode in ("1", "L"):
        return LoadedImage((np.asarray(im.convert("L")),), ("gray",), False, original)
    if mode == "P":
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode in ("LA", "La", "PA"):
        im = im.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "RGBa"):
        rgb = _composite_on_white(np.asarray(im.convert("RGBA")))
    else:
        rgb = np.asarray(im.convert("RGB"))  # CMYK, YCbCr, LAB, HSV, RGBX ...
    return LoadedImage(tuple(np.ascontiguousarray(rgb[:, :, i]) for i in range(3)),
                       ("R", "G", "B"), True, original)


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """Alpha-composite an (H, W, 4) uint8 array on a white background."""
    alpha = rgba[:, :, 3:4].astype(np.float32) / 255.0
    out = rgba[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def rescale_to_uint8(
    arr: np.ndarray, percentiles: tuple[float, float] = ROBUST_PERCENTILES
) -> np.ndarray:
    """Map intensities between two robust percentiles to 0..255 (uint8).

    Why percentiles, not the dtype range: microscopy images use a small part of their
    16-bit range, and a few hot pixels would dominate a min/max stretch. NaN/inf become 0.
    8-bit input is returned unchanged.
    """
    if arr.dtype == np.uint8:
        return np.ascontiguousarray(arr)
    a = np.asarray(arr, dtype=np.float32)
    finite = np.isfinite(a)
    if not finite.all():
        a = np.where(finite, a, 0.0).astype(np.float32)
    # percentiles of a subsample: exact enough and fast on big frames
    flat = a.ravel()
    step = max(1, flat.size // 262_144)
    lo, hi = np.percentile(flat[::step], percentiles)
    if not hi > lo:
        lo, hi = float(flat.min()), float(flat.max())
    if not hi > lo:
        return np.zeros(a.shape, dtype=np.uint8)
    out = (a - lo) * (255.0 / (hi - lo))
    np.clip(out, 0, 255, out=out)
    return (out + 0.5).astype(np.uint8)


# ----------------------------------------------------------------------------- TIFF
def _load_tiff(data: bytes, percentiles: tuple[float, float]) -> LoadedImage:
    import tifffile

    with tifffile.TiffFile(io.BytesIO(data)) as tif:
        series = tif.series[0]
        axes = series.axes.upper()
        shape = tuple(series.shape)
        n_pixels = int(np.prod(shape, dtype=np.int64))
        limit = _pixel_limit()
        if limit and n_pixels > 2 * limit * 4:
            raise ImageLoadError(
                f"image too large to open safely ({'×'.join(map(str, shape))} values); "
                "downscale it or split it into tiles"
            )
        arr = series.asarray()
        names = _tiff_channel_names(tif)
        photometric = getattr(tif.pages[0], "photometric", None)
        extrasamples: tuple[int, ...] = tuple(getattr(tif.pages[0], "extrasamples", ()) or ())
    arr, axes = _to_yxc(arr, axes)
    h, w, c = arr.shape
    if h == 0 or w == 0:
        raise ImageLoadError("image has no pixels")
    # a colour photo: RGB photometric with 3 samples, or 4 where the 4th is alpha;
    # a 4th sample of unspecified meaning is a channel (tifffile writes stacks so)
    alpha = c == 4 and len(extrasamples) > 0 and int(extrasamples[0]) in (1, 2)
    is_rgb_photo = (
        photometric is not None and int(photometric) == 2 and (c == 3 or alpha)
    )
    if is_rgb_photo:
        if arr.dtype != np.uint8:
            # one stretch for all three channels keeps the colour balance
            arr = rescale_to_uint8(arr, percentiles)
        rgb = _composite_on_white(arr) if alpha else arr[:, :, :3]
        return LoadedImage(tuple(np.ascontiguousarray(rgb[:, :, i]) for i in range(3)),
                           ("R", "G", "B"), True, (w, h))
    planes = tuple(rescale_to_uint8(np.ascontiguousarray(arr[:, :, i]), percentiles)
                   for i in range(c))
    if not names or len(names) != c:
        names = ("gray",) if c == 1 else tuple(f"ch{i}" for i in range(c))
    return LoadedImage(planes, tuple(names), False, (w, h))


def _to_yxc(arr: np.ndarray, axes: str) -> tuple[np.ndarray, str]:
    """Reduce a TIFF series to (Y, X, C): channel-like axes (C, S) are kept, any other
    axis (Z, T, ...) is reduced to its first plane. Unknown layouts fall back to shape:
    a small first axis (≤ 8) is channels-first (C×H×W), a small last axis H×W×C."""
    if "Y" in axes and "X" in axes and len(axes) == arr.ndim:
        if not any(ax in "CS" for ax in axes):
            # generic axes (Q, I: "unknown", "sequence") of a few planes are channels,
            # e.g. a C×H×W stack saved without metadata
            for k, ax in enumerate(axes):
                if ax in "QI" and arr.shape[k] <= 8:
                    axes = axes[:k] + "C" + axes[k + 1:]
                    break
        index: list[int | slice] = []
        kept: list[str] = []
        for ax in axes:
            if ax in "YXCS":
                index.append(slice(None))
                kept.append(ax)
            else:
                index.append(0)
        arr = arr[tuple(index)]
        chan = [i for i, ax in enumerate(kept) if ax in "CS"]
        y, x = kept.index("Y"), kept.index("X")
        if not chan:
            return arr.transpose(y, x)[:, :, None], "YXC"
        arr = arr.transpose(y, x, *chan)
        return arr.reshape(arr.shape[0], arr.shape[1], -1), "YXC"
    if arr.ndim == 2:
        return arr[:, :, None], "YXC"
    while arr.ndim > 3:
        arr = arr[0]
    if arr.shape[0] <= 8 and arr.shape[-1] > 8:
        arr = np.moveaxis(arr, 0, -1)
    return arr, "YXC"


def _tiff_channel_names(tif: object) -> tuple[str, ...]:
    """Channel names from OME-XML (``Channel Name=``) or ImageJ ``Labels``, if any."""
    try:
        ome = getattr(tif, "ome_metadata", None)
        if ome:
            from defusedxml import ElementTree

            root = ElementTree.fromstring(ome)
            names = [el.get("Name", "") for el in root.iter() if el.tag.endswith("}Channel")]
            if names and all(names):
                return tuple(names)
        ij = getattr(tif, "imagej_metadata", None)
        if ij and isinstance(ij.get("Labels"), list | tuple) and all(ij["Labels"]):
            return tuple(str(s) for s in ij["Labels"])
    except Exception:
        pass
    return ()


def _pixel_limit() -> int:
    return int(Image.MAX_IMAGE_PIXELS or 0)


# ----------------------------------------------------------------------------- helpers
def to_rgb_image(image: LoadedImage) -> Image.Image:
    """A Pillow RGB image of a loaded image (for thumbnails and the viewer)."""
    return Image.fromarray(image.as_rgb(), "RGB")


def resize_plane(plane: np.ndarray, size: int | Sequence[int]) -> np.ndarray:
    """Resize a uint8 2-D or (H, W, 3) array to ``size`` (square int or (w, h)) with
    Pillow's antialiased bilinear filter."""
    wh = (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))
    im = Image.fromarray(plane)
    if im.size == wh:
        return np.asarray(im)
    return np.asarray(im.resize(wh, Image.Resampling.BILINEAR))
