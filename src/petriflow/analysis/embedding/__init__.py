"""Image embedding: local CNN feature vectors for image files, fast and cached.

Public API::

    from petriflow.analysis.embedding import embed_paths, available_embedders

    result = embed_paths(paths, model="squeezenet", per_channel=False, device="auto",
                         cache=True, progress=print, cancel=None)
    result.vectors        # (n_ok, dim) float32, rows in input order
    result.ok_indices     # positions in ``paths`` of those rows
    result.skipped        # [(index, path, reason)] for files that could not be used
    result.feature_names  # "n0".."n999", or "DNA:n0".. in per-channel mode

Nothing here imports Qt; torch and torchvision are imported on first use only.
"""

from __future__ import annotations

from petriflow.analysis.embedding.backbones import (
    EMBEDDERS,
    EmbedderError,
    EmbedderSpec,
    LoadedEmbedder,
    Preprocessing,
    WeightsNotFoundError,
    available_embedders,
    cpu_has_native_bf16,
    get_embedder,
    load_embedder,
    resolve_device,
    resolve_precision,
)
from petriflow.analysis.embedding.cache import EmbeddingCache, default_cache_dir
from petriflow.analysis.embedding.pipeline import (
    EmbeddingCancelled,
    EmbeddingResult,
    EmbedProgress,
    embed_paths,
    physical_cores,
)

__all__ = [
    "EMBEDDERS",
    "EmbedProgress",
    "EmbedderError",
    "EmbedderSpec",
    "EmbeddingCache",
    "EmbeddingCancelled",
    "EmbeddingResult",
    "LoadedEmbedder",
    "Preprocessing",
    "WeightsNotFoundError",
    "available_embedders",
    "clear_cache",
    "cpu_has_native_bf16",
    "default_cache_dir",
    "embed_paths",
    "get_embedder",
    "load_embedder",
    "physical_cores",
    "resolve_device",
    "resolve_precision",
]


def clear_cache(directory: str | None = None) -> int:
    """The "clear cache" action: delete all cached embeddings; returns how many."""
    with EmbeddingCache(directory) as cache:
        return cache.clear()
