"""Every registered backbone, built with random weights: the output is the spec's
dimension and is the penultimate layer its builder documents.

No weights file is read or downloaded: the builders' strict loader is handed the
network's own (randomly initialised) state dict, so the real key check still runs. The
layer is checked with a forward hook on it, so a builder that cut the network at another
layer (or let the classifier through) fails here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch

from petriflow.analysis.embedding import available_embedders
from petriflow.analysis.embedding.backbones import builders
from petriflow.analysis.embedding.backbones.specs import EmbedderSpec, WeightsFile

_Hook = tuple[Callable[[Any], Any], Callable[[torch.Tensor], torch.Tensor]]


def _squeezenet(net: Any) -> _Hook:
    # conv10 before its ReLU, averaged over space
    return net.conv10, lambda h: h.mean(dim=(2, 3))


def _squeezenet_pooled(net: Any) -> _Hook:
    # each pooled fire module's output (after its ReLU) averaged over space, then conv10
    # averaged; every block L2-normalised times sqrt(its length), fires in network order
    from petriflow.analysis.embedding.backbones.registry import POOLED_FIRES

    fires: list[torch.Tensor] = []
    for name in POOLED_FIRES:
        module = net.features[builders.SQUEEZENET_FIRES[name][0]]
        module.register_forward_hook(lambda mod, args, out: fires.append(out))

    def unit_rms(v: torch.Tensor) -> torch.Tensor:
        return v / v.norm(dim=1, keepdim=True) * v.shape[1] ** 0.5

    def assemble(conv10: torch.Tensor) -> torch.Tensor:
        assert len(fires) == len(POOLED_FIRES), "each pooled fire module ran once"
        blocks = [torch.relu(f).mean(dim=(2, 3)) for f in fires] + [conv10.mean(dim=(2, 3))]
        return torch.cat([unit_rms(b) for b in blocks], dim=1)

    return net.conv10, assemble


def _pooled(net: Any) -> _Hook:
    # global average pool, the classifier (fc) removed
    assert isinstance(net.fc, torch.nn.Identity)
    return net.avgpool, lambda h: torch.flatten(h, 1)


def _vgg16(net: Any) -> _Hook:
    # fc7 after its ReLU, and nothing after it (fc8 removed)
    fc7, relu = net.classifier[3], net.classifier[-1]
    assert isinstance(fc7, torch.nn.Linear) and fc7.out_features == 4096
    assert isinstance(relu, torch.nn.ReLU) and len(net.classifier) == 5
    return fc7, torch.relu


def _efficientnet(net: Any) -> _Hook:
    # global average pool, the classifier (dropout, fc) removed
    assert isinstance(net.classifier, torch.nn.Identity)
    return net.avgpool, lambda h: torch.flatten(h, 1)


def _convnext(net: Any) -> _Hook:
    # the final LayerNorm over the pooled features, the fc removed
    assert isinstance(net.classifier[-1], torch.nn.Identity)
    return net.classifier[0], lambda h: torch.flatten(h, 1)


def _vit_class_token(net: Any) -> _Hook:
    # the class token after the encoder's final LayerNorm, no head
    assert isinstance(net.heads, torch.nn.Identity)
    return net.encoder.ln, lambda h: h[:, 0]


#: the documented embedding layer of each backbone: (module, its output -> the
#: embedding). Every registered backbone needs an entry (test_every_backbone_has_a_check).
LAYERS: dict[str, Callable[[Any], _Hook]] = {
    "squeezenet": _squeezenet,
    "squeezenet-bgr": _squeezenet,
    "squeezenet-pooled": _squeezenet_pooled,
    "inception-v3": _pooled,
    "resnet-50": _pooled,
    "vgg16": _vgg16,
    "efficientnet-b0": _efficientnet,
    "convnext-tiny": _convnext,
    "vit-b16": _vit_class_token,
    "dino-vits16": _vit_class_token,
}


@pytest.fixture
def random_weights(monkeypatch) -> WeightsFile:
    """A WeightsFile that is never opened: the builders load the network's own random
    initial weights through their strict loader."""
    real_load_strict = builders._load_strict

    def load_own_weights(net, state, path, *args, **kwargs):
        return real_load_strict(net, net.state_dict(), path, *args, **kwargs)

    monkeypatch.setattr(builders, "_load_strict", load_own_weights)
    # the weights-file readers the builders imported (whatever their names) read nothing
    readers = [name for name, obj in vars(builders).items()
               if callable(obj) and "state_dict" in name
               and getattr(obj, "__module__", "").endswith(".weights")]
    assert readers, "no weights reader found in builders"
    for name in readers:
        monkeypatch.setattr(builders, name, lambda path: {})
    return WeightsFile(Path("/nonexistent/random-weights.pth"), "0" * 64, "random (test)")


def test_every_backbone_has_a_check() -> None:
    missing = {spec.id for spec in available_embedders()} - set(LAYERS)
    assert not missing, f"add the documented layer of {sorted(missing)} to LAYERS"


@pytest.mark.parametrize("spec", available_embedders(), ids=lambda s: s.id)
def test_random_weight_build_outputs_the_documented_layer(
    spec: EmbedderSpec, random_weights: WeightsFile
) -> None:
    torch.manual_seed(0)
    net = spec.build(random_weights).eval()
    layer, to_embedding = LAYERS[spec.id](net)
    seen: list[torch.Tensor] = []
    handle = layer.register_forward_hook(lambda mod, args, out: seen.append(out))
    # batch of 2 for the small networks, 1 for the big ones (Inception, VGG, ViT-B)
    n = 2 if spec.id.startswith(("squeezenet", "efficientnet", "resnet")) else 1
    x = torch.randn(n, 3, spec.input_size, spec.input_size)
    try:
        with torch.inference_mode():
            out = net(x)
    finally:
        handle.remove()
    assert out.shape == (n, spec.dim)
    assert len(seen) == 1, "the documented layer ran once"
    expected = to_embedding(seen[0])
    assert expected.shape == (n, spec.dim)
    torch.testing.assert_close(out, expected)
    assert torch.isfinite(out).all() and out.abs().sum() > 0


def test_dino_safetensors_in_timm_layout_loads_strictly(tmp_path: Path,
                                                         monkeypatch) -> None:
    """DINO's published file is safetensors in timm's key layout: the builder renames it
    to torchvision's ViT and loads every tensor; the result is exactly those weights. No
    pickle is involved: torch.load and pickle's loaders fail if anything calls them."""
    import pickle

    from safetensors.torch import save_file

    from petriflow.analysis.embedding import get_embedder
    from petriflow.analysis.torchvision_compat import import_torchvision

    torch.manual_seed(1)
    vit = import_torchvision().models.vision_transformer.VisionTransformer(
        image_size=224, patch_size=16, num_layers=12, num_heads=6, hidden_dim=384,
        mlp_dim=1536)
    ref = {k: v for k, v in vit.state_dict().items() if not k.startswith("heads.")}
    # torchvision name -> timm name
    inverse = builders.dino_timm_to_torchvision({k: k for k in _timm_keys()})
    assert set(inverse) == set(ref), "the renaming covers every tensor of the network"
    path = tmp_path / "dino.safetensors"
    save_file({inverse[k]: v.contiguous() for k, v in ref.items()}, str(path))

    def no_pickle(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a DINO safetensors file must not be unpickled")

    with monkeypatch.context() as m:
        for owner, name in ((torch, "load"), (pickle, "load"), (pickle, "loads"),
                            (pickle, "Unpickler")):
            m.setattr(owner, name, no_pickle)
        net = get_embedder("dino-vits16").build(WeightsFile(path, "0" * 64, "file"))
    net = net.eval()
    for key, value in ref.items():
        torch.testing.assert_close(net.state_dict()[key], value)
    vit.heads = torch.nn.Identity()
    x = torch.randn(1, 3, 224, 224)
    with torch.inference_mode():
        torch.testing.assert_close(net(x), vit.eval()(x))
    # a safetensors file of another architecture is refused with the mismatch
    other = tmp_path / "other.safetensors"
    save_file({"blocks.0.norm1.weight": torch.zeros(3)}, str(other))
    with pytest.raises(builders.EmbedderError, match="does not fit this model"):
        get_embedder("dino-vits16").build(WeightsFile(other, "0" * 64, "file"))


def _timm_keys() -> list[str]:
    """timm's names for a 12-block ViT backbone (vit_small_patch16_224.dino)."""
    keys = ["cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias",
            "norm.weight", "norm.bias"]
    for i in range(12):
        for part in ("norm1", "attn.qkv", "attn.proj", "norm2", "mlp.fc1", "mlp.fc2"):
            keys += [f"blocks.{i}.{part}.weight", f"blocks.{i}.{part}.bias"]
    return keys


def test_squeezenet_pooled_ends_with_squeezenets_vector() -> None:
    """With the real (ndf) weights, the pooled model's last block is the ``squeezenet``
    vector at unit RMS, and each pooled fire block has unit RMS too: the same network,
    with earlier layers added, not another one."""
    from petriflow.analysis.embedding import get_embedder
    from petriflow.analysis.embedding.backbones.registry import POOLED_FIRES

    plain, pooled = get_embedder("squeezenet"), get_embedder("squeezenet-pooled")
    assert pooled.preprocessing == plain.preprocessing
    assert pooled.dim == sum(builders.SQUEEZENET_FIRES[f][1] for f in POOLED_FIRES) + 1000
    weights = plain.locate(None, False)
    torch.manual_seed(0)
    x = torch.randn(3, 3, plain.input_size, plain.input_size) * 50
    with torch.inference_mode():
        v = plain.build(weights).eval()(x)
        p = pooled.build(weights).eval()(x)
    assert p.shape == (3, pooled.dim)
    torch.testing.assert_close(p[:, -1000:], v / v.norm(dim=1, keepdim=True) * 1000 ** 0.5)
    start = 0
    for name in POOLED_FIRES:
        width = builders.SQUEEZENET_FIRES[name][1]
        block = p[:, start:start + width]
        torch.testing.assert_close(block.pow(2).mean(dim=1), torch.ones(3))
        assert (block >= 0).all(), "fire outputs are after their ReLU"
        start += width
    with pytest.raises(builders.EmbedderError, match="fire1"):
        builders.squeezenet_pooled_builder(("fire1",))


def test_squeezenet_pooled_uses_a_file_added_for_it(tmp_path: Path, monkeypatch) -> None:
    """`petriflow models add squeezenet-pooled FILE` is used by that model (a fine-tuned
    SqueezeNet state dict, loaded strictly), while plain ``squeezenet`` keeps ndf's."""
    from petriflow.analysis.embedding import get_embedder
    from petriflow.analysis.embedding.backbones.status import add_custom_weights
    from petriflow.analysis.torchvision_compat import import_torchvision

    monkeypatch.setenv("PETRIFLOW_WEIGHTS_DIR", str(tmp_path / "weights"))
    torch.manual_seed(2)
    own = import_torchvision().models.squeezenet1_1(weights=None).state_dict()
    path = tmp_path / "tuned.pth"
    torch.save(own, path)
    pooled = get_embedder("squeezenet-pooled")
    status = add_custom_weights(pooled, path)
    assert status.state == "custom"
    located = pooled.locate(None, False)
    assert located.source == "custom file" and located.path != path  # a stored copy
    assert get_embedder("squeezenet").locate(None, False).source == "ndf package"
    net = pooled.build(located)
    torch.testing.assert_close(net.conv10.weight, own["classifier.1.weight"])
