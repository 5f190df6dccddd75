"""Writing a table's images into a folder (Save Images), never overwriting a file.

Why names are made here and not taken as given: class values and image names come
from data files and workflow files (untrusted), so ``../../x`` or ``/etc`` as a class
must stay a plain folder name inside the chosen folder. Why "never overwrite" means
"same bytes are fine": the node re-runs whenever its input or settings change, and an
image already saved with identical content is reported as such instead of being written
again under a new suffix each time.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Literal, get_args

from PIL import Image

from petriflow.analysis.images import (
    ImageLoadError,
    file_problem,
    load_image,
    read_image_header,
    to_rgb_image,
)

__all__ = ["IMAGE_FORMATS", "ImageFormat", "encode_image", "safe_name", "write_new_file"]

#: "original" copies the file as it is (unless it is rescaled: then PNG)
ImageFormat = Literal["original", "png", "jpeg", "tiff"]
IMAGE_FORMATS: tuple[ImageFormat, ...] = get_args(ImageFormat)
_PILLOW = {"png": ("PNG", ".png"), "jpeg": ("JPEG", ".jpg"), "tiff": ("TIFF", ".tif")}
#: suffixes tried for a name that is taken by other content: x.png, x_1.png, x_2.png …
MAX_SUFFIX = 10_000


def safe_name(text: str, fallback: str = "_") -> str:
    """``text`` as one path component: no separators, no leading dots, no control
    characters, at most 120 characters; ``fallback`` when nothing is left."""
    name = re.sub(r'[\x00-\x1f/\\:*?"<>|]+', "_", str(text)).strip().lstrip(".").strip()
    return name[:120] or fallback


def encode_image(path: Path, fmt: ImageFormat, size: int = 0) -> tuple[bytes, str]:
    """The bytes to write for the image at ``path`` and their extension.

    ``size`` > 0 rescales so that the longer side has ``size`` pixels (aspect kept).
    Raises :class:`ImageLoadError` with a reason meant for the user.
    """
    problem = file_problem(path)
    if problem is not None:
        raise ImageLoadError(problem)
    if fmt == "original" and size <= 0:
        read_image_header(path)  # copied as it is, but only if it is an image
        try:
            return path.read_bytes(), path.suffix.lower() or ".img"
        except OSError as exc:
            raise ImageLoadError(f"cannot read the file: {exc.strerror or exc}") from None
    img = to_rgb_image(load_image(path))
    if size > 0:
        scale = size / max(img.size)
        new = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
        img = img.resize(new, Image.Resampling.LANCZOS)
    kind, ext = _PILLOW["png" if fmt == "original" else fmt]
    out = io.BytesIO()
    img.save(out, kind, **({"quality": 95} if kind == "JPEG" else {}))
    return out.getvalue(), ext


def _same_content(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def write_new_file(folder: Path, stem: str, ext: str, data: bytes) -> tuple[Path, bool]:
    """Write ``data`` as ``folder/stem+ext``, or ``stem_1+ext``, … — the first name that
    is free or already holds exactly these bytes. Returns the path and whether it was
    written now (False: an identical file was there). Never replaces a file: the
    exclusive create fails rather than overwrite one that appeared meanwhile.
    """
    for k in range(MAX_SUFFIX):
        target = folder / (f"{stem}{ext}" if k == 0 else f"{stem}_{k}{ext}")
        if os.path.lexists(target):
            if not target.is_symlink() and _same_content(target, data):
                return target, False
            continue
        try:
            with open(target, "xb") as fh:
                try:
                    fh.write(data)
                except BaseException:
                    fh.close()
                    target.unlink(missing_ok=True)
                    raise
        except FileExistsError:
            continue
        return target, True
    raise OSError(f"{MAX_SUFFIX} files named {stem}… are already in {folder}")
