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
from petriflow.analysis.embedding.backbones import runtime as rt
from petriflow.analysis.embedding.backbones.runtime import (
    cosine_rows,
    onnx_origin,
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
    # "auto" picks ONNX Runtime for fp32 on the CPU when it is installed, for any number
    # of images (the choice never depends on the request's size or the process's past)
    auto = embed_paths(paths[:3], cache=False, device="cpu")
    assert auto.runtime == "onnxruntime"
    np.testing.assert_array_equal(auto.vectors, got.vectors[:3])
    assert resolve_runtime("auto", "cpu", "fp32") == "onnxruntime"


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
    changes from call to call ("noise"), so ONNX Runtime's check batch cannot match,
    that has an attention layer (not tried: torch's fused kernel has no export), or that
    exports fine ("plain"). Its weights are seeded: the same in every build, as real
    weights read from a file are."""
    import torch
    from torch import nn

    wfile = tmp_path / f"{ident}.bin"
    wfile.write_bytes(b"weights")

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            torch.manual_seed(7)
            self.conv = nn.Conv2d(3, 4, 3)
            if forward_kind == "attention":  # only here: any such layer rules ORT out
                self.attention = nn.MultiheadAttention(4, 2, batch_first=True)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if forward_kind == "attention":
                tokens = self.conv(x).flatten(2).transpose(1, 2)
                return self.attention(tokens, tokens, tokens)[0].mean(dim=1)
            y = self.conv(x).mean(dim=(2, 3))
            if forward_kind == "svd":
                return torch.linalg.svdvals(y.reshape(-1, 2, 2)).reshape(len(y), -1)
            if forward_kind == "noise":
                return y + torch.rand_like(y) * 100
            return y

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


# ------------------------------------------------ same vectors whatever ran before (15.3)
_IN_A_FRESH_PROCESS = """
import json, sys
import numpy as np
import torch
from petriflow.analysis.embedding import embed_paths, load_embedder
from petriflow.analysis.embedding.backbones.runtime import onnx_origin
paths, out, no_export = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
if no_export:  # an export here would fail, so ORT could only come from the disk
    def refuse(*args, **kwargs):
        raise RuntimeError("exported although a valid model file was on disk")
    torch.onnx.export = refuse
first = embed_paths(paths[:2], cache=False, device="cpu")  # before any export here
whole = embed_paths(paths, cache=False, device="cpu", workers=2, batch_size=3)
again = embed_paths(paths[:2], cache=False, device="cpu")  # after it
origin = onnx_origin(load_embedder("squeezenet", device="cpu"))
np.save(out, np.concatenate([first.vectors, whole.vectors, again.vectors]))
print(json.dumps([first.runtime, whole.runtime, again.runtime, origin]))
"""


def _fresh_process(paths: list[Path], out: Path, *, no_export: bool) -> tuple[list, np.ndarray]:
    import json
    import os
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", _IN_A_FRESH_PROCESS, json.dumps([str(p) for p in paths]),
         str(out), "1" if no_export else "0"],
        capture_output=True, text=True, timeout=300, env=dict(os.environ), check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), np.load(out)


@needs_ort
def test_same_vectors_in_any_process_before_or_after_an_export(tmp_path):
    """The bug: "auto" ran torch for small requests until this process had exported the
    network, so a workflow's numbers depended on what ran before (and in which process).
    Now every fp32 CPU request runs in ONNX Runtime, every process runs the same stored
    model (one image per call), and the vectors are identical, not just close."""
    from petriflow.analysis.embedding import isolation

    paths = _photos(tmp_path, n=5)[-6:]
    n = len(paths)
    # a fresh process, empty model folder: exports, stores; 2 images run in ORT too
    runtimes, vecs = _fresh_process(paths, tmp_path / "first.npy", no_export=False)
    assert runtimes == ["onnxruntime", "onnxruntime", "onnxruntime", "export"]
    ref = vecs[2:2 + n]
    np.testing.assert_array_equal(vecs[:2], ref[:2])   # before the export == after it
    np.testing.assert_array_equal(vecs[2 + n:], ref[:2])
    assert len(list(rt.onnx_model_dir().glob("squeezenet-*.onnx"))) == 1
    # a second process loads the stored model: no export (it would fail there)
    runtimes, vecs = _fresh_process(paths, tmp_path / "second.npy", no_export=True)
    assert runtimes == ["onnxruntime", "onnxruntime", "onnxruntime", "disk"]
    np.testing.assert_array_equal(vecs[2:2 + n], ref)
    # this (pytest) process, whatever it ran before, sharded differently
    for kw in ({}, {"workers": 1, "batch_size": 1}, {"workers": 3, "batch_size": 5}):
        here = embed_paths(paths, cache=False, device="cpu", **kw)
        assert here.runtime == "onnxruntime"
        np.testing.assert_array_equal(here.vectors, ref)
    small = embed_paths(paths[3:5], cache=False, device="cpu")
    assert small.runtime == "onnxruntime"
    np.testing.assert_array_equal(small.vectors, ref[3:5])
    # the app's worker process
    try:
        worker = isolation.run_embedding(paths, "squeezenet", cache=False, device="cpu")
        worker_small = isolation.run_embedding(paths[:2], "squeezenet", cache=False,
                                               device="cpu")
    finally:
        isolation.shutdown()
    assert worker.runtime == worker_small.runtime == "onnxruntime"
    np.testing.assert_array_equal(worker.vectors, ref)
    np.testing.assert_array_equal(worker_small.vectors, ref[:2])
    # torch stays available on request, and gives torch's vectors
    forced = embed_paths(paths[:2], cache=False, device="cpu", runtime="torch")
    assert forced.runtime == "torch"
    assert cosine_rows(forced.vectors, ref[:2]).min() >= 0.9999


def _damage(kind: str, good: bytes, other: bytes) -> bytes:
    """A model file damaged in one way (``good`` is this model's file, ``other`` a valid
    file of another model)."""
    import hashlib
    import json
    import struct

    n = len(rt._MAGIC)
    (size,) = struct.unpack("<Q", good[n:n + 8])
    header = json.loads(good[n + 8:n + 8 + size])
    model = good[n + 8 + size:]

    def pack(h: dict, m: bytes) -> bytes:
        raw = json.dumps(h).encode()
        return rt._MAGIC + struct.pack("<Q", len(raw)) + raw + m

    if kind == "garbage":
        return bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8))
    if kind == "empty":
        return b""
    if kind == "truncated":
        return good[: len(good) * 2 // 3]
    if kind == "flipped-byte":
        i = n + 8 + size + len(model) // 2
        return good[:i] + bytes([good[i] ^ 0xFF]) + good[i + 1:]
    if kind == "huge-header-size":
        return rt._MAGIC + struct.pack("<Q", 1 << 62) + good[n + 8:]
    if kind == "bad-json":
        return rt._MAGIC + struct.pack("<Q", size) + b"{" * size + model
    if kind == "checksum-ok-onnx-garbage":  # ONNX Runtime itself must reject it
        junk = b"\x08\x07\x12\x04junk" + bytes(range(256)) * 8
        return pack({**header, "onnx_sha256": hashlib.sha256(junk).hexdigest()}, junk)
    if kind == "wrong-reference":  # a valid model whose stored torch output is off
        ref = np.frombuffer(__import__("base64").b64decode(header["ref"]), "<f4")
        return pack({**header, "ref": __import__("base64").b64encode(
            (-ref).astype("<f4").tobytes()).decode()}, model)
    if kind == "other-model":
        return other
    raise AssertionError(kind)


@needs_ort
@pytest.mark.parametrize("kind", ["garbage", "empty", "truncated", "flipped-byte",
                                  "huge-header-size", "bad-json",
                                  "checksum-ok-onnx-garbage", "wrong-reference",
                                  "other-model"])
def test_a_damaged_model_file_means_a_fresh_export(tmp_path, kind, caplog):
    """A stored model is untrusted input: damage of any kind gives a fresh export (and a
    repaired file), the same vectors, never an error."""
    from petriflow.analysis.embedding import load_embedder

    paths = _photos(tmp_path, n=3)[-3:]
    donor = _spec(tmp_path, "rt-donor", "plain")
    embed_paths(paths, donor, cache=False, device="cpu")
    spec = _spec(tmp_path, f"rt-plain-{kind}", "plain")
    first = embed_paths(paths, spec, cache=False, device="cpu")
    loaded = load_embedder(spec, device="cpu")
    assert first.runtime == "onnxruntime" and onnx_origin(loaded) == "export"
    path = rt._model_path(rt._model_key(loaded))
    other = rt._model_path(rt._model_key(load_embedder(donor, device="cpu")))
    good = path.read_bytes()
    assert good.startswith(rt._MAGIC) and other.is_file()
    path.write_bytes(_damage(kind, good, other.read_bytes()))
    # a new process would see the damaged file: build afresh, as it would
    with caplog.at_level(logging.WARNING):
        runner, origin = rt._build(loaded, 1)
    assert runner is not None and origin == "export"
    assert "not used" in caplog.text and "exporting again" in caplog.text
    x = rt._check_batch(16)
    size = int.from_bytes(good[len(rt._MAGIC):len(rt._MAGIC) + 8], "little")
    onnx_bytes = good[len(rt._MAGIC) + 8 + size:]
    np.testing.assert_array_equal(runner(x), rt._session_runner(onnx_bytes, 1)(x))
    assert path.read_bytes() == good  # repaired
    assert rt._build(loaded, 1)[1] == "disk"


@needs_ort
def test_damaged_model_file_and_failing_export_mean_torch(tmp_path, monkeypatch):
    import torch

    from petriflow.analysis.embedding import load_embedder

    paths = _photos(tmp_path, n=2)[-2:]
    spec = _spec(tmp_path, "rt-plain-then-broken", "plain")
    ref = embed_paths(paths, spec, cache=False, device="cpu", runtime="torch")
    loaded = load_embedder(spec, device="cpu")
    path = rt._model_path(rt._model_key(loaded))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a model")

    def broken(*args, **kwargs):
        raise RuntimeError("exporter broke")

    monkeypatch.setattr(torch.onnx, "export", broken)
    res = embed_paths(paths, spec, cache=False, device="cpu")
    assert res.runtime == "torch" and onnx_origin(loaded) == ""
    np.testing.assert_array_equal(res.vectors, ref.vectors)


@needs_ort
def test_model_file_key_names_weights_versions_and_format(tmp_path, monkeypatch):
    """A file stored for other weights, library versions or export format is not used."""
    from petriflow.analysis.embedding import load_embedder

    loaded = load_embedder(_spec(tmp_path, "rt-plain-key", "plain"), device="cpu")
    key = rt._model_key(loaded)
    assert {"weights_sha256", "torch", "onnx", "onnxruntime", "format", "model",
            "preprocessing"} <= set(key)
    assert key["weights_sha256"] == loaded.weights.sha256
    path = rt._model_path(key)
    assert path.parent == rt.onnx_model_dir() == \
        Path(__import__("os").environ["PETRIFLOW_CACHE_DIR"]) / "onnx"
    monkeypatch.setattr(rt, "EXPORT_FORMAT", rt.EXPORT_FORMAT + 1)
    assert rt._model_path(rt._model_key(loaded)) != path


@needs_ort
def test_no_writable_model_folder_still_runs_onnxruntime(tmp_path, monkeypatch):
    """A cache folder that cannot be created costs each process an export, nothing more."""
    from petriflow.analysis.embedding import load_embedder

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("PETRIFLOW_CACHE_DIR", str(blocker / "cache"))
    spec = _spec(tmp_path, "rt-plain-nowhere", "plain")
    paths = _photos(tmp_path, n=2)[-2:]
    res = embed_paths(paths, spec, cache=False, device="cpu")
    assert res.runtime == "onnxruntime"
    assert onnx_origin(load_embedder(spec, device="cpu")) == "export"
    assert blocker.read_text() == "not a folder"
