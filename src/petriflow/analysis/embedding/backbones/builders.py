"""Builders: each backbone as a ``torch.nn.Module`` mapping images to embedding vectors.

Why a module of its own: this is the only place that knows network internals (which layer
is the embedding, the SqueezeNet port's padding and pooling), and it imports torch only
when called. Each builder takes the :class:`WeightsFile` its spec located and loads it
strictly: a file for another model is an error naming the mismatch, never a silent partial
load.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from petriflow.analysis.embedding.backbones.specs import EmbedderError, WeightsFile
from petriflow.analysis.embedding.backbones.weights import (
    load_ndf_squeezenet_state_dict,
    read_state_dict,
)

__all__ = [
    "SQUEEZENET_FIRES",
    "build_convnext_tiny",
    "build_dino_vits16",
    "build_efficientnet_b0",
    "build_inception",
    "build_resnet50",
    "build_squeezenet",
    "build_vgg16",
    "build_vit_b16",
    "dino_timm_to_torchvision",
    "load_strict",
    "squeezenet_pooled_builder",
    "squeezenet_pooled_dim",
]


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
        _load_strict(net, read_state_dict(weights.path), weights.path)

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


#: SqueezeNet 1.1's fire modules -> their index in torchvision's ``features`` and their
#: output channels (expand 1×1 + expand 3×3, after ReLU)
SQUEEZENET_FIRES: dict[str, tuple[int, int]] = {
    "fire2": (3, 128), "fire3": (4, 128), "fire4": (6, 256), "fire5": (7, 256),
    "fire6": (9, 384), "fire7": (10, 384), "fire8": (11, 512), "fire9": (12, 512),
}


def squeezenet_pooled_dim(fires: tuple[str, ...]) -> int:
    """Length of a pooled SqueezeNet vector: the fires' channels plus conv10's 1000."""
    return sum(SQUEEZENET_FIRES[f][1] for f in fires) + 1000


def squeezenet_pooled_builder(fires: tuple[str, ...]) -> Callable[[WeightsFile], Any]:
    """A builder of SqueezeNet 1.1 whose vector pools intermediate layers too.

    Why: the 1000 conv10 values are ImageNet class evidence; the fire modules before it
    hold more generic texture and shape features that microscopy separates better with
    (docs/benchmarks.md, "Issue 15.4"). Each
    named fire module's output (after its ReLU) is averaged over space, then the block is
    L2-normalised and multiplied by the square root of its length (unit RMS per value:
    every block weighs the same whatever its width, and the scale suits Logistic
    Regression's default C=1, which plain L2 norms over-regularise); conv10 (before its
    ReLU, averaged, as in ``squeezenet``) follows, scaled the same way. Order: the fires
    in network order, then conv10.
    """
    unknown = [f for f in fires if f not in SQUEEZENET_FIRES]
    if unknown:
        raise EmbedderError(f"not SqueezeNet 1.1 fire modules: {', '.join(unknown)}")
    taps = sorted(SQUEEZENET_FIRES[f][0] for f in fires)

    def build(weights: WeightsFile) -> Any:
        import torch
        from torch import nn

        base = build_squeezenet(weights)

        def unit_rms(v: torch.Tensor) -> torch.Tensor:
            norm = v.norm(dim=1, keepdim=True).clamp_min(1e-12)
            return v / norm * float(v.shape[1]) ** 0.5

        class PooledSqueezeNet(nn.Module):
            """Averaged fire outputs + averaged conv10, each block at unit RMS."""

            def __init__(self) -> None:
                super().__init__()
                self.features = base.features
                self.conv10 = base.conv10
                self.taps = tuple(taps)

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                """Images → (N, fires' channels + 1000)."""
                blocks = []
                for i, layer in enumerate(self.features):
                    x = layer(x)
                    if i in self.taps:
                        blocks.append(unit_rms(x.mean(dim=(2, 3))))
                blocks.append(unit_rms(self.conv10(x).mean(dim=(2, 3))))
                return torch.cat(blocks, dim=1)

        return PooledSqueezeNet()

    return build


def _load_strict(net: Any, state: dict[str, Any], path: Path, ignore: tuple[str, ...] = ()) -> None:
    """Load weights; extra/missing keys (other than ``ignore`` prefixes) are an error that
    says the file is for another model, and so is any tensor of another shape."""
    wanted = {k for k in net.state_dict() if not k.startswith(ignore)}
    state = {k: v for k, v in state.items() if not k.startswith(ignore)}
    missing, extra = wanted - set(state), set(state) - wanted
    if missing or extra:
        sample = sorted(missing or extra)[:3]
        raise EmbedderError(
            f"{path} does not fit this model ({len(missing)} missing, {len(extra)} unexpected "
            f"weights, e.g. {', '.join(sample)})"
        )
    own = net.state_dict()
    wrong = [k for k in sorted(wanted) if tuple(state[k].shape) != tuple(own[k].shape)]
    if wrong:
        k = wrong[0]
        raise EmbedderError(
            f"{path} does not fit this model: {len(wrong)} tensors of another shape, e.g. "
            f"{k} is {tuple(state[k].shape)}, this model's is {tuple(own[k].shape)}"
        )
    try:
        net.load_state_dict(state, strict=False)
    except RuntimeError as exc:
        raise EmbedderError(f"{path} does not fit this model: {exc}") from None


def load_strict(net: Any, state: dict[str, Any], path: Path) -> None:
    """:func:`_load_strict` for builders defined elsewhere (tests register tiny models)."""
    _load_strict(net, state, path)


def build_inception(weights: WeightsFile) -> Any:
    """Inception v3 without its classifier: the 2048-d pooled features."""
    from torch import nn

    from petriflow.analysis.torchvision_compat import import_torchvision

    tv = import_torchvision()
    # transform_input=False: the (x - 0.5) / 0.5 normalisation it would apply is our
    # preprocessing instead (identical result, one fewer op per batch).
    net = tv.models.inception_v3(weights=None, aux_logits=True, transform_input=False,
                                 init_weights=False)
    _load_strict(net, read_state_dict(weights.path), weights.path,
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
    _load_strict(net, read_state_dict(weights.path), weights.path)
    net.fc = nn.Identity()
    return net


def build_vgg16(weights: WeightsFile) -> Any:
    """VGG-16 up to fc7 after its ReLU: 4096-d."""
    from petriflow.analysis.torchvision_compat import import_torchvision

    net = import_torchvision().models.vgg16(weights=None)
    _load_strict(net, read_state_dict(weights.path), weights.path)
    net.classifier = net.classifier[:5]  # fc7 after its ReLU: 4096-d
    return net


def build_efficientnet_b0(weights: WeightsFile) -> Any:
    """EfficientNet-B0 without its classifier: the 1280-d globally pooled features."""
    from torch import nn

    from petriflow.analysis.torchvision_compat import import_torchvision

    net = import_torchvision().models.efficientnet_b0(weights=None)
    _load_strict(net, read_state_dict(weights.path), weights.path)
    net.classifier = nn.Identity()  # (dropout, fc) removed: avgpool output, flattened
    return net


def build_convnext_tiny(weights: WeightsFile) -> Any:
    """ConvNeXt-Tiny up to its final LayerNorm: the 768-d pooled, normalised features."""
    from torch import nn

    from petriflow.analysis.torchvision_compat import import_torchvision

    net = import_torchvision().models.convnext_tiny(weights=None)
    _load_strict(net, read_state_dict(weights.path), weights.path)
    net.classifier[2] = nn.Identity()  # (LayerNorm2d, Flatten) kept, the fc removed
    return net


def build_vit_b16(weights: WeightsFile) -> Any:
    """ViT-B/16 without its head: the 768-d class token after the encoder's LayerNorm."""
    from torch import nn

    from petriflow.analysis.torchvision_compat import import_torchvision

    net = import_torchvision().models.vit_b_16(weights=None)
    _load_strict(net, read_state_dict(weights.path), weights.path)
    net.heads = nn.Identity()
    return net


def dino_timm_to_torchvision(state: dict[str, Any], layers: int = 12) -> dict[str, Any]:
    """DINO ViT weights in timm's layout (the published safetensors) → the key names of
    torchvision's ``VisionTransformer``.

    The two are the same network (pre-norm blocks, LayerNorm eps 1e-6, exact GELU, the
    fused q/k/v projection in the same q, k, v order), so this is a renaming only; the
    classifier head, absent from DINO's backbone file, is not expected. Keys that match
    nothing are passed through, so the strict loader reports them.
    """
    names = {"cls_token": "class_token", "pos_embed": "encoder.pos_embedding",
             "patch_embed.proj.weight": "conv_proj.weight",
             "patch_embed.proj.bias": "conv_proj.bias",
             "norm.weight": "encoder.ln.weight", "norm.bias": "encoder.ln.bias"}
    parts = {"norm1": "ln_1", "attn.qkv.weight": "self_attention.in_proj_weight",
             "attn.qkv.bias": "self_attention.in_proj_bias",
             "attn.proj": "self_attention.out_proj", "norm2": "ln_2",
             "mlp.fc1": "mlp.0", "mlp.fc2": "mlp.3"}
    out: dict[str, Any] = {}
    for key, value in state.items():
        new = names.get(key, key)
        if key.startswith("blocks."):
            _, index, rest = key.split(".", 2)
            for old, repl in parts.items():
                if rest.startswith(old) and index.isdigit() and int(index) < layers:
                    new = f"encoder.layers.encoder_layer_{index}.{repl}{rest[len(old):]}"
                    break
        out[new] = value
    return out


def build_dino_vits16(weights: WeightsFile) -> Any:
    """DINO ViT-S/16 (self-supervised, no labels): the 384-d class token after the final
    LayerNorm, as DINO's authors use it for k-NN and linear evaluation. Built from
    torchvision's ``VisionTransformer``; weights read from a safetensors file."""
    from torch import nn

    from petriflow.analysis.torchvision_compat import import_torchvision

    vit = import_torchvision().models.vision_transformer
    net = vit.VisionTransformer(image_size=224, patch_size=16, num_layers=12, num_heads=6,
                                hidden_dim=384, mlp_dim=1536)
    net.heads = nn.Identity()  # DINO's backbone has no classifier
    _load_strict(net, dino_timm_to_torchvision(read_state_dict(weights.path)), weights.path)
    return net
