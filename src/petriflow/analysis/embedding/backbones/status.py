"""Each model's weights as the user sees them, and adding or removing one's own file.

Why a module of its own: ``petriflow models`` and the Image Embedder view say the same
thing about a model (on this machine with path and verified checksum / missing with size,
source and licence / a custom file), and ``petriflow models add`` and the view's "Use a
file…" take a file the same way: loaded strictly (every tensor present and of the right
shape) before it is copied in, its checksum recorded so that it is part of the embedding
cache key. A file equal to the official one is placed as the official file, not as custom.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from petriflow.analysis.embedding.backbones.specs import (
    EmbedderError,
    EmbedderSpec,
    WeightsFile,
    WeightsNotFoundError,
)
from petriflow.analysis.embedding.backbones.weights import (
    custom_dir,
    custom_record_path,
    file_sha256,
    weights_dir,
)

__all__ = [
    "WeightsStatus",
    "add_custom_weights",
    "missing_weights_message",
    "remove_custom_weights",
    "weights_status",
]


@dataclass(frozen=True)
class WeightsStatus:
    """``state``: ``"shipped"`` (comes with a package), ``"official"`` (the published file,
    checksum verified), ``"custom"`` (the user's own file), ``"missing"`` or ``"damaged"``.
    ``detail`` is one line for a listing or a label."""

    model_id: str
    state: str
    path: Path | None
    sha256: str
    detail: str
    source: str = ""  # where the file was found ("ndf package", "torch hub cache", ...)

    @property
    def usable(self) -> bool:
        return self.state in ("shipped", "official", "custom")


def weights_status(spec: EmbedderSpec) -> WeightsStatus:
    """Where ``spec``'s weights are and whether they check out (hashes files: call it off
    the GUI thread; checksums are memoised per process)."""
    official = spec.official
    try:
        found = spec.locate(None, False)
    except WeightsNotFoundError as exc:
        if official is None or "gone" in str(exc):
            return WeightsStatus(spec.id, "missing", None, "", str(exc).splitlines()[0])
        if not official.sha256:
            return WeightsStatus(
                spec.id, "missing", None, "",
                f"missing · about {official.size / 1e6:.0f} MB from {official.source} · "
                f"licence {official.licence} · no official checksum recorded: fetch it "
                f"yourself, then `petriflow models add {spec.id} FILE`")
        return WeightsStatus(
            spec.id, "missing", None, "",
            f"missing · download about {official.size / 1e6:.0f} MB from {official.source} "
            f"· licence {official.licence}")
    except EmbedderError as exc:
        return WeightsStatus(spec.id, "damaged", None, "", str(exc).splitlines()[0])
    if found.source == "custom file":
        return WeightsStatus(spec.id, "custom", found.path, found.sha256,
                             f"custom file {found.path} · SHA-256 {found.sha256[:12]}…",
                             found.source)
    if official is None:
        return WeightsStatus(spec.id, "shipped", found.path, found.sha256,
                             f"on this machine ({found.source}) {found.path} · SHA-256 "
                             f"{found.sha256[:12]}…", found.source)
    if not official.matches(found.sha256):
        verified = "not the official file"
    elif len(official.sha256) < 64:  # torchvision publishes 8 hex digits: say so
        verified = f"verified (the publisher's {len(official.sha256)}-digit prefix)"
    else:
        verified = "verified"
    return WeightsStatus(spec.id, "official", found.path, found.sha256,
                         f"on this machine {found.path} · SHA-256 {found.sha256[:12]}… "
                         f"{verified}", found.source)


def missing_weights_message(spec: EmbedderSpec) -> str | None:
    """One line for the node's badge when ``spec``'s weights are surely not here, else None.

    Only looks whether files exist (no checksum, no torch): the node asks this on every
    run, and a file that exists but is wrong is reported by the embedding itself.
    """
    from petriflow.analysis.embedding.backbones.weights import candidate_dirs

    official = spec.official
    if official is None or custom_record_path(spec.id).is_file():
        return None
    if any((folder / official.filename).is_file() for folder, _ in candidate_dirs()):
        return None
    return (f"Weights missing: {spec.display_name} ({official.filename}, about "
            f"{official.size / 1e6:.0f} MB) is not on this machine. Open this node to "
            f"download it, or run `petriflow models download {spec.id}`.")


def add_custom_weights(spec: EmbedderSpec, file: str | os.PathLike[str]) -> WeightsStatus:
    """Take ``file`` as ``spec``'s weights: refused (EmbedderError, one line) unless it loads
    strictly into the network; the official file goes where official files go, any other
    into ``custom/`` with its checksum recorded. The previous file is removed only after
    the new one and its record are in place."""
    src = Path(file).expanduser()
    if not src.is_file():
        raise EmbedderError(f"{src} is not a file.")
    digest = file_sha256(src)
    official = spec.official
    suffix = ".safetensors" if src.name.endswith(".safetensors") else ".pth"
    # strict load: a file for another architecture, or not a state dict, stops here
    spec.build(WeightsFile(src, digest, "custom file"))
    from petriflow.core.atomic import atomic_write, atomic_write_bytes

    try:
        if official is not None and official.matches(digest):
            target = weights_dir() / official.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, lambda tmp: shutil.copyfile(src, tmp))
            remove_custom_weights(spec.id)
            return weights_status(spec)
        folder = custom_dir()
        folder.mkdir(parents=True, exist_ok=True)
        old = _recorded_file(spec.id)
        target = folder / f"{spec.id}-{digest[:12]}{suffix}"
        atomic_write(target, lambda tmp: shutil.copyfile(src, tmp))
        record = {"file": target.name, "sha256": digest, "original": str(src.resolve()),
                  "added": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        atomic_write_bytes(custom_record_path(spec.id),
                           (json.dumps(record, indent=1) + "\n").encode("utf-8"))
    except OSError as exc:
        raise EmbedderError(
            f"Could not store the weights in {weights_dir()} ({exc.strerror or exc}): make "
            f"it writable, or point PETRIFLOW_WEIGHTS_DIR at a folder you can write."
        ) from None
    if old is not None and old != target:
        old.unlink(missing_ok=True)
    return weights_status(spec)


def _recorded_file(model_id: str) -> Path | None:
    try:
        record = json.loads(custom_record_path(model_id).read_text(encoding="utf-8"))
        return custom_dir() / str(record["file"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remove_custom_weights(model_id: str) -> bool:
    """Forget the user's own file for ``model_id`` (the official one is used again);
    False when there was none."""
    record = custom_record_path(model_id)
    if not record.exists():
        return False
    old = _recorded_file(model_id)
    record.unlink()
    if old is not None:
        old.unlink(missing_ok=True)
    return True

