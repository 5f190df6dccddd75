"""Builders: each backbone as a ``torch.nn.Module`` mapping images to embedding vectors.

Why a module of its own: this is the only place that knows network internals (which layer
is the embedding, the SqueezeNet port's padding and pooling), and it imports torch only
when called. Each builder takes the :class:`WeightsFile` its spec located and loads it
strictly: a file for another model is an error naming the mismatch, never a silent partial
load.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from petriflow.analysis.embedding.backbones.specs import EmbedderError, WeightsFile
from petriflow.analysis.embedding.backbones.weights import (
    load_ndf_squeezenet_state_dict,
    load_torchvision_state_dict,
)

__all__ = ["build_inception", "build_resnet50", "build_squeezenet", "build_vgg16"]


def build_squeezenet(weights: WeightsFile) -> Any:
    """SqueezeNet 1.1 (torchvision's, patched to the Caffe release); conv10 averaged."""
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
            """Images → (N, 1000)."""
            return self.conv10(self.features(x)).mean(dim=(2, 3))

    return SqueezeNetEmbedding()


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


def build_inception(weights: WeightsFile) -> Any:
    """Inception v3 without its classifier: the 2048-d pooled features."""
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


def build_resnet50(weights: WeightsFile) -> Any:
    """ResNet-50 without its classifier: the 2048-d pooled features."""
    from torch import nn

    from petriflow.analysis.torchvision_compat import import_torchvision

    net = import_torchvision().models.resnet50(weights=None)
    _load_strict(net, load_torchvision_state_dict(weights.path), weights.path)
    net.fc = nn.Identity()
    return net


def build_vgg16(weights: WeightsFile) -> Any:
    """VGG-16 up to fc7 after its ReLU: 4096-d."""
    from petriflow.analysis.torchvision_compat import import_torchvision

    net = import_torchvision().models.vgg16(weights=None)
    _load_strict(net, load_torchvision_state_dict(weights.path), weights.path)
    net.classifier = net.classifier[:5]  # fc7 after its ReLU: 4096-d
    return net
