"""The registered embedders (SqueezeNet, Inception v3, ResNet-50, VGG-16) and lookup by id.

Why a registry of small specs: adding a backbone is one ``_register`` call here (its
preprocessing, locator and builder) and touches neither the pipeline nor the node. The
order is the order users see; the default comes first.
"""

from __future__ import annotations

import dataclasses

from petriflow.analysis.embedding.backbones.builders import (
    build_inception,
    build_resnet50,
    build_squeezenet,
    build_vgg16,
)
from petriflow.analysis.embedding.backbones.specs import EmbedderError, EmbedderSpec, Preprocessing
from petriflow.analysis.embedding.backbones.weights import (
    TorchvisionWeights,
    locate_squeezenet,
    make_locator,
)

__all__ = ["EMBEDDERS", "available_embedders", "get_embedder"]


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
_INCEPTION_W = TorchvisionWeights(_TV_BASE + "inception_v3_google-0cc3c7bd.pth")
_register(EmbedderSpec(
    id="inception-v3",
    display_name="Inception v3",
    input_size=299,
    dim=2048,
    preprocessing=Preprocessing(size=299, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), scale=1 / 255),
    description="Google's ImageNet network, 2048 features; slower, often more accurate.",
    locate=make_locator("inception-v3", "Inception v3", _INCEPTION_W),
    build=build_inception,
    default_batch_size=16,
))
_register(EmbedderSpec(
    id="resnet-50",
    display_name="ResNet-50",
    input_size=224,
    dim=2048,
    preprocessing=_IMAGENET,
    description="Residual ImageNet network, 2048 features.",
    locate=make_locator("resnet-50", "ResNet-50",
                         TorchvisionWeights(_TV_BASE + "resnet50-0676ba61.pth")),
    build=build_resnet50,
    default_batch_size=16,
))
_register(EmbedderSpec(
    id="vgg16",
    display_name="VGG-16",
    input_size=224,
    dim=4096,
    preprocessing=_IMAGENET,
    description="Classic ImageNet network, 4096 features (fc7); slow on CPU.",
    locate=make_locator("vgg16", "VGG-16",
                         TorchvisionWeights(_TV_BASE + "vgg16-397923af.pth")),
    build=build_vgg16,
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
