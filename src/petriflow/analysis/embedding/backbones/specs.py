"""What an embedder is, as plain data: its preprocessing, its weights file, its spec.

Why a module of its own: the node, the CLI and the cache all need the same facts about a
model (its id, the input size, the output dimension, the preprocessing and a checksum of
its weights) *without* building it or importing torch. A spec carries two functions that
make it runnable: ``locate`` (finds its weights, :mod:`.weights`) and ``build`` (makes the
``torch.nn.Module``, :mod:`.builders`), and, for weights that are fetched rather than
shipped, :class:`OfficialWeights`: the file's name, source, checksum, size and licence,
which ``petriflow models`` and the Image Embedder view show before anything is fetched.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "EmbedderError",
    "EmbedderSpec",
    "OfficialWeights",
    "Preprocessing",
    "WeightsDownloadError",
    "WeightsFile",
    "WeightsNotFoundError",
]


class EmbedderError(Exception):
    """A problem with a model choice or its weights, with a message for the user."""


class WeightsNotFoundError(EmbedderError, FileNotFoundError):
    """The weights of a model are not on this machine (and no download was allowed)."""


class WeightsDownloadError(EmbedderError):
    """Fetching or placing weights failed; the message is one line saying what to do."""


@dataclass(frozen=True)
class Preprocessing:
    """How decoded 8-bit RGB pixels become the network's input.

    Images are resized (squashed, not cropped: every part of a microscopy field counts)
    to ``size`` × ``size``; pixel values ``v`` in 0..255 become
    ``(v * scale - mean[c]) / std[c]`` per channel, after reordering channels to
    ``channel_order``. ``key()`` goes into the cache key, so any change here re-embeds.
    """

    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    scale: float = 1.0
    channel_order: str = "RGB"
    resample: str = "bilinear"
    jpeg_draft: bool = True

    def key(self) -> str:
        return (
            f"size={self.size};mean={self.mean};std={self.std};scale={self.scale};"
            f"order={self.channel_order};resample={self.resample};draft={self.jpeg_draft}"
        )


@dataclass(frozen=True)
class WeightsFile:
    """Weights located on disk and their SHA-256 (which goes into cache keys)."""

    path: Path
    sha256: str
    source: str  # human description, e.g. "ndf package" or "torch hub cache"


@dataclass(frozen=True)
class OfficialWeights:
    """The published weights file of a model, as its authors name it.

    ``sha256`` is what the file is checked against before it is ever placed or used: the
    full digest where we know it, else the prefix the publisher put in the file name
    (torchvision publishes 8 hex digits, and so do we: we could not fetch the files here to
    record more); ``""`` when no checksum is known, and then nothing is downloaded.
    ``size`` is the publisher's size in bytes (shown before a download; the server's
    Content-Length wins while downloading).
    """

    filename: str
    url: str
    sha256: str
    size: int
    licence: str
    source: str

    @property
    def checksum_label(self) -> str:
        """How much of the checksum is known, in words."""
        if not self.sha256:
            return "no official checksum recorded"
        if len(self.sha256) == 64:
            return f"SHA-256 {self.sha256}"
        return f"SHA-256 starting {self.sha256} (the publisher's prefix)"

    def matches(self, digest: str) -> bool:
        """Whether a file's SHA-256 is this official file's."""
        return bool(self.sha256) and digest.lower().startswith(self.sha256.lower())


@dataclass(frozen=True)
class EmbedderSpec:
    """Facts about one embedder plus the two functions that make it runnable."""

    id: str
    display_name: str
    input_size: int
    dim: int
    preprocessing: Preprocessing
    description: str
    locate: Callable[[str | os.PathLike[str] | None, bool], WeightsFile] = field(repr=False)
    build: Callable[[WeightsFile], Any] = field(repr=False)
    default_batch_size: int = 32
    #: the published weights (None: they ship with a package, as SqueezeNet's do)
    official: OfficialWeights | None = None

    def feature_names(self, prefix: str = "") -> list[str]:
        """Column names ``n0``..``n{dim-1}`` (as Orange names them), optionally prefixed
        with a channel name (``"DNA:n0"``)."""
        p = f"{prefix}:" if prefix else ""
        return [f"{p}n{i}" for i in range(self.dim)]
