"""Cancel takes effect within about one image's compute, not one batch's: a user pressing
Cancel during an Inception v3 run waited a whole batch (~27 s on a busy 2-core machine).
Work is counted in calls into the network (ONNX Runtime session calls, torch blocks),
never in wall-clock time."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from PIL import Image

from petriflow.analysis.embedding import (
    EmbeddingCache,
    EmbeddingCancelled,
    embed_paths,
    isolation,
    load_embedder,
)
from petriflow.analysis.embedding.backbones.runtime import onnxruntime_available

from .conftest import photo_array

BATCH = 8
WORKERS = 2


@pytest.fixture(scope="module")
def inception_weights(tmp_path_factory):
    """Inception v3 with random weights (its per-image cost is what matters here)."""
    from petriflow.analysis.torchvision_compat import import_torchvision

    tv = import_torchvision()
    torch.manual_seed(0)
    net = tv.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
    path = tmp_path_factory.mktemp("w") / "random-inception.pth"
    torch.save(net.state_dict(), path)
    return str(path)


def _images(folder, n: int) -> list[str]:
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"img{i}.png"
        Image.fromarray(photo_array(64, 48, seed=i)).save(p)
        paths.append(str(p))
    return paths


class _Counter:
    """Counts images through the network; ``cancel`` flips once ``flip_at`` went in."""

    def __init__(self, flip_at: int = 1) -> None:
        self.n = 0
        self.flip_at = flip_at
        self.lock = threading.Lock()

    def add(self, k: int) -> None:
        with self.lock:
            self.n += k

    def cancel(self) -> bool:
        return self.n >= self.flip_at


@pytest.mark.skipif(not onnxruntime_available(), reason="ONNX Runtime not installed")
def test_onnx_run_stops_within_a_few_images(tmp_path, inception_weights, monkeypatch):
    from onnxruntime import InferenceSession

    paths = _images(tmp_path / "a", 48)
    opts = dict(cache=False, device="cpu", batch_size=BATCH, workers=WORKERS,
                runtime="onnxruntime", weights_path=inception_weights)
    want = embed_paths(paths[:2], "inception-v3", **opts)  # exports; the reference
    assert want.runtime == "onnxruntime"
    counter = _Counter()
    real_run = InferenceSession.run

    def counted_run(self, *args, **kwargs):
        counter.add(1)  # one image per call (backbones/runtime.py)
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(InferenceSession, "run", counted_run)
    with pytest.raises(EmbeddingCancelled):
        embed_paths(paths, "inception-v3", **opts, cancel=counter.cancel)
    # the flip comes after the first image; each worker finishes at most the image it is
    # in (and the caller notices within its poll): before, a whole batch per worker ran
    assert 1 <= counter.n <= 2 * WORKERS, counter.n
    counter.n, counter.flip_at = 0, 10**9
    again = embed_paths(paths[:2], "inception-v3", **opts, cancel=counter.cancel)
    assert counter.n == 2
    np.testing.assert_array_equal(again.vectors, want.vectors)  # the same vectors


def test_torch_run_stops_within_a_batch(tmp_path, inception_weights):
    paths = _images(tmp_path / "b", 32)
    opts = dict(cache=False, device="cpu", batch_size=BATCH, workers=WORKERS,
                runtime="torch", weights_path=inception_weights)
    want = embed_paths(paths[:2], "inception-v3", **opts)
    assert want.runtime == "torch"
    net = load_embedder("inception-v3", device="cpu", weights_path=inception_weights).module[1]
    started, finished = _Counter(flip_at=1), _Counter()
    hooks = [net.Conv2d_1a_3x3.register_forward_hook(lambda m, i, o: started.add(1)),
             net.fc.register_forward_hook(lambda m, i, o: finished.add(len(o)))]
    try:
        with pytest.raises(EmbeddingCancelled):
            embed_paths(paths, "inception-v3", **opts, cancel=started.cancel)
    finally:
        for h in hooks:
            h.remove()
    # a batch takes seconds in torch with one thread; it stops at its next block
    assert started.n >= 1 and finished.n < BATCH, (started.n, finished.n)
    again = embed_paths(paths[:2], "inception-v3", **opts)
    np.testing.assert_array_equal(again.vectors, want.vectors)  # hooks change nothing


@pytest.mark.skipif(not onnxruntime_available(), reason="ONNX Runtime not installed")
def test_worker_process_run_stops_before_the_first_batch_is_done(tmp_path,
                                                                 inception_weights):
    """Through the isolation worker: cancel flips at the first progress report (sent
    before any image); nothing reaches the cache, where before the first batch did."""
    paths = _images(tmp_path / "c", 40)
    opts = dict(device="cpu", batch_size=BATCH, workers=WORKERS, runtime="onnxruntime",
                weights_path=inception_weights)
    try:
        isolation.run_embedding(paths[:1], "inception-v3", cache=False, **opts)  # warm
        seen = []
        with pytest.raises(EmbeddingCancelled):
            isolation.run_embedding(paths, "inception-v3", cache=True, **opts,
                                    progress=seen.append, cancel=lambda: bool(seen))
        store = EmbeddingCache()  # the worker's cache: PETRIFLOW_CACHE_DIR is passed on
        try:
            assert seen and store.count() == 0
        finally:
            store.close()
        res = isolation.run_embedding(paths[:3], "inception-v3", cache=True, **opts)
        assert len(res) == 3 and res.from_cache == 0
    finally:
        isolation.shutdown()
