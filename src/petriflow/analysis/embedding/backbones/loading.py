"""Loading: a spec, its weights and a device become a ready network, once per process.

Why a module of its own: it ties the other parts together (locate weights, build, put the
input normalisation inside the network, move to the device in channels-last layout) and
keeps the per-process cache, so a workflow re-run reuses the network.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from petriflow.analysis.embedding.backbones.devices import resolve_device
from petriflow.analysis.embedding.backbones.registry import get_embedder
from petriflow.analysis.embedding.backbones.specs import (
    EmbedderSpec,
    Preprocessing,
    WeightsFile,
)

__all__ = ["LoadedEmbedder", "load_embedder"]


@dataclass
class LoadedEmbedder:
    """A ready network: ``module`` maps uint8 NCHW batches to (N, dim) float32."""

    spec: EmbedderSpec
    module: Any
    weights: WeightsFile
    device: str

    @property
    def weights_checksum(self) -> str:
        """SHA-256 of the weights file (part of every cache key)."""
        return self.weights.sha256


class _Normalise:
    """Builds the input normalisation as a module so that it runs inside the network."""

    @staticmethod
    def make(pre: Preprocessing) -> Any:
        """The normalisation module for ``pre``."""
        import torch
        from torch import nn

        order = [2, 1, 0] if pre.channel_order == "BGR" else [0, 1, 2]
        mean = torch.tensor(pre.mean, dtype=torch.float32).view(1, 3, 1, 1)
        inv_std = 1.0 / torch.tensor(pre.std, dtype=torch.float32).view(1, 3, 1, 1)

        class Normalise(nn.Module):
            """``(x * scale - mean) * inv_std`` per channel, after an optional RGB↔BGR flip."""

            mean: torch.Tensor
            inv_std: torch.Tensor

            def __init__(self) -> None:
                super().__init__()
                self.register_buffer("mean", mean)
                self.register_buffer("inv_std", inv_std)
                self.scale = float(pre.scale)
                self.swap = order != [0, 1, 2]

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                """uint8 NCHW → normalised float."""
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
        # Module.to accepts memory_format, which torch's overload stubs leave out
        module = module.to(dev, memory_format=torch.channels_last)  # type: ignore[call-overload]
        loaded = LoadedEmbedder(spec, module, weights, dev)
        _loaded[key] = loaded
        return loaded
