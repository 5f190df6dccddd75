"""CPU runtimes (issue 15.3): ONNX Runtime gives torch's vectors, the cache does not care
which runtime computed a vector, and torch runs when ONNX Runtime is missing or cannot
run a network."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from petriflow.analysis.embedding import EmbedderError, EmbeddingCache, embed_paths
from petriflow.analysis.embedding.backbones.runtime import (
    ONNX_MIN_IMAGES,
    cosine_rows,
    onnx_runner,
    onnxruntime_available,
    resolve_runtime,
)
from petriflow.analysis.embedding.backbones.specs import (
    EmbedderSpec,
    Preprocessing,
    WeightsFile,
)

from .conftest import photo_array

needs_ort = pytest.mark.skipif(not onnxruntime_available(),
                               reason="onnxruntime/onnx not installed (petriflow[fast])")
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def _photos(folder: Path, n: int = 10) -> list[Path]:
    """Real photos from ../shared/data when present (the issue's bar is on real images),
    plus generated pictures of odd sizes and a gray one."""
    real: list[Path] = []
    for name in ("bone-healing", "dicty-development", "yeast-yplp"):
        d = SHARED / name
        if d.is_dir():
            real += sorted(p for p in d.rglob("*.jpg") if not p.name.startswith("."))[:4]
    made = []
    for k in range(n):
        p = folder / f"photo{k}.jpg"
        Image.fromarray(photo_array(97 + 31 * k, 71 + 17 * k, seed=k)).save(p, quality=88)
        made.append(p)
    gray = folder / "gray.png"
    Image.fromarray(photo_array(120, 90, seed=99)).convert("L").save(gray)
    return real + made + [gray]


@needs_ort
def test_onnxruntime_vectors_equal_torch(tmp_path):
    paths = _photos(tmp_path)
    ref = embed_paths(paths, cache=False, device="cpu", runtime="torch")
    got = embed_paths(paths, cache=False, device="cpu", runtime="onnxruntime")
    assert ref.runtime == "torch" and got.runtime == "onnxruntime"
    assert len(got) == len(ref) == len(paths)
    cos = cosine_rows(ref.vectors, got.vectors)
    assert cos.min() >= 0.9999, cos.min()
    np.testing.assert_allclose(got.vectors, ref.vectors, rtol=1e-3, atol=1e-3)
    # "auto" picks ONNX Runtime for fp32 on the CPU when it is installed: for a few
    # images only once the network is exported (the export costs ~60 images of torch)
    auto = embed_paths(paths[:3], cache=False, device="cpu")
    assert auto.runtime == "onnxruntime"
    assert resolve_runtime("auto", "cpu", "fp32", n_images=3, model_id="squeezenet") == \
        "onnxruntime"
    assert resolve_runtime("auto", "cpu", "fp32", n_images=3, model_id="not-exported") == \
        "torch"
    assert resolve_runtime("auto", "cpu", "fp32", n_images=ONNX_MIN_IMAGES,
                           model_id="not-exported") == "onnxruntime"


@needs_ort
def test_onnxruntime_per_channel_and_batch_of_one(tmp_path):
    paths = _photos(tmp_path, n=3)[-3:]
    for kw in ({"per_channel": True}, {"batch_size": 1}):
        ref = embed_paths(paths, cache=False, device="cpu", runtime="torch", **kw)
        got = embed_paths(paths, cache=False, device="cpu", runtime="onnxruntime", **kw)
        assert got.runtime == "onnxruntime"
        assert cosine_rows(ref.vectors, got.vectors).min() >= 0.9999


@needs_ort
def test_cache_key_does_not_depend_on_the_runtime(tmp_path):
    paths = _photos(tmp_path, n=4)[-4:]
    with EmbeddingCache(tmp_path / "cache") as cache:
        first = embed_paths(paths, cache=cache, device="cpu", runtime="onnxruntime")
        assert first.from_cache == 0 and first.runtime == "onnxruntime"
        again = embed_paths(paths, cache=cache, device="cpu", runtime="torch")
    assert again.from_cache == len(paths) and again.runtime == ""  # nothing computed
    np.testing.assert_array_equal(again.vectors, first.vectors)
    with EmbeddingCache(tmp_path / "cache2") as cache:
        embed_paths(paths, cache=cache, device="cpu", runtime="torch")
        back = embed_paths(paths, cache=cache, device="cpu", runtime="onnxruntime")
    assert back.from_cache == len(paths)


def test_torch_runs_when_onnxruntime_is_missing(tmp_path, monkeypatch):
    paths = _photos(tmp_path, n=3)[-3:]
    ref = embed_paths(paths, cache=False, device="cpu", runtime="torch")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import now raises ImportError
    assert not onnxruntime_available()
    assert resolve_runtime("auto", "cpu", "fp32") == "torch"
    res = embed_paths(paths, cache=False, device="cpu")
    assert res.runtime == "torch"
    np.testing.assert_array_equal(res.vectors, ref.vectors)
    with pytest.raises(EmbedderError, match="pip install"):
        embed_paths(paths, cache=False, device="cpu", runtime="onnxruntime")


def test_runtime_names_and_where_onnxruntime_applies(monkeypatch):
    assert resolve_runtime("torch", "cpu", "fp32") == "torch"
    assert resolve_runtime("auto", "cpu", "bf16") == "torch"  # bf16 stays in torch
    assert resolve_runtime("auto", "cuda", "fp32") == "torch"
    with pytest.raises(EmbedderError, match="unknown runtime"):
        resolve_runtime("tensorrt", "cpu", "fp32")
    with pytest.raises(EmbedderError, match="CPU only"):
        resolve_runtime("onnxruntime", "cpu", "bf16")
    monkeypatch.setenv("PETRIFLOW_CPU_RUNTIME", "torch")
    assert resolve_runtime("auto", "cpu", "fp32") == "torch"
    monkeypatch.setenv("PETRIFLOW_CPU_RUNTIME", "bogus")
    with pytest.raises(EmbedderError, match="PETRIFLOW_CPU_RUNTIME"):
        resolve_runtime("auto", "cpu", "fp32")


def _spec(tmp_path: Path, ident: str, forward_kind: str) -> EmbedderSpec:
    """A small network whose export fails ("svd": no ONNX operator), whose output
    changes from call to call ("noise"), so ONNX Runtime's check batch cannot match, or
    that has an attention layer (not tried: torch's fused kernel has no export)."""
    import torch
    from torch import nn

    wfile = tmp_path / f"{ident}.bin"
    wfile.write_bytes(b"weights")

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3)
            self.attention = nn.MultiheadAttention(4, 2, batch_first=True)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if forward_kind == "attention":
                tokens = self.conv(x).flatten(2).transpose(1, 2)
                return self.attention(tokens, tokens, tokens)[0].mean(dim=1)
            y = self.conv(x).mean(dim=(2, 3))
            if forward_kind == "svd":
                return torch.linalg.svdvals(y.reshape(-1, 2, 2)).reshape(len(y), -1)
            return y + torch.rand_like(y) * 100

    return EmbedderSpec(
        id=ident, display_name=ident, input_size=16, dim=2 if forward_kind == "svd" else 4,
        preprocessing=Preprocessing(size=16, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5),
                                    scale=1 / 255),
        description="test network",
        locate=lambda path, allow: WeightsFile(wfile, ident * 4, "test"),
        build=lambda weights: Net())


@needs_ort
@pytest.mark.parametrize("kind", ["svd", "noise", "attention"])
def test_torch_runs_when_a_network_cannot_use_onnxruntime(tmp_path, kind, caplog, capfd):
    from petriflow.analysis.embedding import load_embedder

    spec = _spec(tmp_path, f"rt-test-{kind}", kind)
    paths = _photos(tmp_path, n=2)[-2:]
    with caplog.at_level(logging.INFO):
        res = embed_paths(paths, spec, cache=False, device="cpu", runtime="onnxruntime")
    assert res.runtime == "torch" and len(res) == 2
    assert "ONNX Runtime not used" in caplog.text
    if kind == "attention":  # not even tried: no exporter dump on stderr
        assert "attention layers" in caplog.text
        assert "Torch IR graph" not in capfd.readouterr().err
    assert onnx_runner(load_embedder(spec, device="cpu")) is None  # decided once
