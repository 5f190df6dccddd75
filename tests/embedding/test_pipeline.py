"""The streaming pipeline: bad files skipped with reasons, per-channel mode, the cache."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest
import torch

from petriflow.analysis.embedding import (
    EmbeddingCache,
    EmbeddingCancelled,
    clear_cache,
    embed_paths,
    load_embedder,
)
from petriflow.analysis.images import load_image
from petriflow.core.node import Cancelled, CancelToken

from .conftest import photo_array


def test_corpus_embeds_or_gives_reasons(corpus):
    names = sorted(corpus)
    paths = [corpus[n] for n in names] + [corpus["rgb.png"].parent / "missing.png"]
    res = embed_paths(paths, cache=False, device="cpu")
    ok = {names[i] for i in res.ok_indices}
    skipped = {p.rsplit("/", 1)[-1]: r for _, p, r in res.skipped}
    assert ok == {"cmyk.jpg", "float32.tif", "four_chw.tif", "four_hwc.tif", "gray.png",
                  "gray16.png", "gray16.tif", "palette.png", "rgb.jpg", "rgb.png", "rgba.png",
                  "rotated.jpg"}
    assert set(skipped) == {"truncated.jpg", "empty.jpg", "text.png", "huge.png",
                            "missing.png"}
    assert "file not found" in skipped["missing.png"]
    assert "too large" in skipped["huge.png"]
    assert res.vectors.shape == (12, 1000) and np.isfinite(res.vectors).all()
    assert res.feature_names[0] == "n0" and len(res.feature_names) == 1000


def test_vectors_equal_direct_model_call(corpus):
    """The pipeline's resize+batch path gives what the network gives on the same pixels."""
    from PIL import Image

    for model, resample in (("squeezenet", Image.LANCZOS), ("squeezenet-bgr", Image.BILINEAR)):
        res = embed_paths([corpus["rgb.png"], corpus["gray.png"]], model, cache=False,
                          device="cpu")
        np.testing.assert_allclose(res.vectors, _direct(corpus, model, resample),
                                   rtol=1e-4, atol=1e-4)


def _direct(corpus, model: str, resample: int) -> np.ndarray:
    from PIL import Image

    emb = load_embedder(model, device="cpu")
    rows = []
    for name in ("rgb.png", "gray.png"):
        rgb = load_image(corpus[name]).as_rgb()
        rows.append(np.asarray(Image.fromarray(rgb).resize((227, 227), resample)))
    with torch.inference_mode():
        x = torch.from_numpy(np.stack(rows)).permute(0, 3, 1, 2)
        return emb.module(x).numpy()


def test_per_channel_mode_names_and_concatenates(corpus):
    res = embed_paths([corpus["four_chw.tif"], corpus["four_hwc.tif"], corpus["rgb.png"]],
                      per_channel=True, cache=False, device="cpu")
    assert res.channel_names == ("ch0", "ch1", "ch2", "ch3")
    assert res.vectors.shape == (2, 4000)
    assert res.feature_names[0] == "ch0:n0" and res.feature_names[1000] == "ch1:n0"
    assert res.feature_names[-1] == "ch3:n999"
    np.testing.assert_allclose(res.vectors[0], res.vectors[1], rtol=1e-5, atol=1e-5)
    # channel vectors differ (channels hold different images) ...
    assert not np.allclose(res.vectors[0, :1000], res.vectors[0, 1000:2000])
    # ... and a 3-channel photo cannot join a 4-channel set: skipped with a reason
    assert res.skipped and "channels" in res.skipped[0][2]


def test_per_channel_ome_names(tmp_path):
    import tifffile

    stack = np.stack([photo_array(64, 48, s)[:, :, 0] for s in range(3)]).astype(np.uint16)
    p = tmp_path / "cells.ome.tif"
    names = ["DNA", "Actin", "Tubulin"]
    tifffile.imwrite(p, stack, metadata={"axes": "CYX", "Channel": {"Name": names}})
    assert load_image(p).channel_names == ("DNA", "Actin", "Tubulin")
    res = embed_paths([p], per_channel=True, cache=False, device="cpu")
    assert res.feature_names[0] == "DNA:n0" and res.feature_names[2999] == "Tubulin:n999"


def test_cache_hit_corrupt_entry_and_clear(corpus, tmp_path):
    paths = [corpus["rgb.jpg"], corpus["gray.png"], corpus["palette.png"]]
    cache = EmbeddingCache(tmp_path / "c")
    first = embed_paths(paths, cache=cache, device="cpu")
    assert first.from_cache == 0 and cache.count() == 3
    second = embed_paths(paths, cache=cache, device="cpu")
    assert second.from_cache == 3
    np.testing.assert_array_equal(first.vectors, second.vectors)

    # a copy of a file under another name is found by content
    copy = tmp_path / "copy.png"
    copy.write_bytes(corpus["gray.png"].read_bytes())
    assert embed_paths([copy], cache=cache, device="cpu").from_cache == 1

    # damage one entry: it is ignored, recomputed and rewritten, never fatal
    conn = sqlite3.connect(cache.path)
    digest = conn.execute("SELECT digest FROM embeddings LIMIT 1").fetchone()[0]
    conn.execute("UPDATE embeddings SET vector = ? WHERE digest = ?", (b"\x00" * 4000, digest))
    conn.commit()
    conn.close()
    third = embed_paths(paths, cache=cache, device="cpu")
    assert third.from_cache == 2 and cache.corrupt_entries == 1
    np.testing.assert_allclose(first.vectors, third.vectors, rtol=1e-5, atol=1e-5)
    assert embed_paths(paths, cache=cache, device="cpu").from_cache == 3  # rewritten

    assert cache.clear() == 3 and cache.count() == 0
    assert embed_paths(paths, cache=cache, device="cpu").from_cache == 0
    cache.close()


def test_garbage_cache_file_is_replaced(corpus, tmp_path):
    d = tmp_path / "c"
    d.mkdir()
    (d / "embeddings.sqlite3").write_bytes(b"this is not a database" * 100)
    cache = EmbeddingCache(d)
    res = embed_paths([corpus["rgb.png"]], cache=cache, device="cpu")
    assert len(res) == 1 and cache.count() == 1
    assert any(p.name.startswith("embeddings.sqlite3.corrupt-") for p in d.iterdir())
    cache.close()


def test_edited_file_is_re_embedded(tmp_path):
    from PIL import Image

    p = tmp_path / "a.png"
    Image.fromarray(photo_array(seed=1)).save(p)
    cache = EmbeddingCache(tmp_path / "c")
    a = embed_paths([p], cache=cache, device="cpu").vectors
    Image.fromarray(photo_array(seed=2)).save(p)
    res = embed_paths([p], cache=cache, device="cpu")
    assert res.from_cache == 0 and not np.allclose(a, res.vectors)
    cache.close()


def test_default_cache_and_clear_cache(corpus):
    res = embed_paths([corpus["rgb.png"]], device="cpu")  # the user cache (a temp dir here)
    assert embed_paths([corpus["rgb.png"]], device="cpu").from_cache == 1
    assert clear_cache() == 1
    assert len(res) == 1


def test_progress_and_cancel(tmp_path):
    from PIL import Image

    paths = []
    for i in range(40):
        p = tmp_path / f"{i}.png"
        Image.fromarray(photo_array(32, 32, seed=i)).save(p)
        paths.append(p)
    reports = []
    res = embed_paths(paths, cache=False, device="cpu", batch_size=8, progress=reports.append)
    assert len(res) == 40
    assert reports[-1].done == 40 and reports[-1].total == 40
    assert any(r.images_per_s > 0 for r in reports) and "40/40 images" in reports[-1].message()

    calls = []

    def cancel_after_two() -> bool:
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(EmbeddingCancelled):
        embed_paths(paths, cache=False, device="cpu", batch_size=8, cancel=cancel_after_two)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        embed_paths(paths, cache=False, device="cpu", cancel=token.check)


def test_bf16_precision_is_close_and_cached_separately(corpus, tmp_path):
    from petriflow.analysis.embedding import EmbedderError

    paths = [corpus["rgb.jpg"], corpus["gray16.tif"]]
    cache = EmbeddingCache(tmp_path / "c")
    a = embed_paths(paths, cache=cache, device="cpu")
    b = embed_paths(paths, cache=cache, device="cpu", precision="bf16")
    assert b.from_cache == 0  # a different cache key than fp32
    cos = (a.vectors * b.vectors).sum(1) / (
        np.linalg.norm(a.vectors, axis=1) * np.linalg.norm(b.vectors, axis=1))
    assert cos.min() > 0.999 and not np.array_equal(a.vectors, b.vectors)
    with pytest.raises(EmbedderError, match="fp16 needs a GPU"):
        embed_paths(paths, cache=False, device="cpu", precision="fp16")
    cache.close()


def test_overlap_schedule_gives_the_same_vectors(corpus):
    """The GPU schedule (decode ahead, infer in the main thread) run on the CPU."""
    paths = [corpus[n] for n in ("rgb.jpg", "text.png", "gray16.tif", "palette.png")]
    a = embed_paths(paths, cache=False, device="cpu")
    b = embed_paths(paths, cache=False, device="cpu", schedule="overlap", batch_size=2)
    assert list(a.ok_indices) == list(b.ok_indices) == [0, 2, 3]
    assert [s[0] for s in b.skipped] == [1]
    np.testing.assert_allclose(a.vectors, b.vectors, rtol=1e-4, atol=1e-4)


def test_warm_run_does_not_import_torch(corpus):
    """Served from the cache, a fresh process answers without importing torch."""
    import subprocess
    import sys

    paths = [str(corpus["rgb.jpg"]), str(corpus["gray.png"])]
    embed_paths(paths, device="cpu")  # fills the (test-private) user cache
    code = (
        "import sys; from petriflow.analysis.embedding import embed_paths; "
        f"r = embed_paths({paths!r}); "
        "print(len(r), r.from_cache, 'torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.split() == ["2", "2", "False"]
