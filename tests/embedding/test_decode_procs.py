"""Process decoding (the GPU schedule's path for large runs) run on the CPU: the same
vectors and skip reasons as the thread path, cancellation, and nothing left behind."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import pytest

from petriflow.analysis.embedding import EmbeddingCache, EmbeddingCancelled, embed_paths

from .conftest import photo_array


def _shm_blocks() -> set[str]:
    try:
        return {n for n in os.listdir("/dev/shm") if n.startswith("psm_")}
    except OSError:
        return set()


def test_processes_give_identical_vectors_and_reasons(corpus, tmp_path):
    names = ["rgb.jpg", "text.png", "gray16.tif", "palette.png", "truncated.jpg",
             "rgba.png", "cmyk.jpg", "empty.jpg", "rotated.jpg"]
    paths = [corpus[n] for n in names] + [tmp_path / "missing.png"]
    common = dict(cache=False, device="cpu", schedule="overlap", batch_size=3, workers=2)
    a = embed_paths(paths, decode="threads", **common)
    b = embed_paths(paths, decode="processes", **common)
    assert list(a.ok_indices) == list(b.ok_indices) == [0, 2, 3, 5, 6, 8]
    assert a.skipped == b.skipped  # same indices, paths and reasons (corrupt, empty, missing)
    assert {s[0] for s in b.skipped} == {1, 4, 7, 9}
    np.testing.assert_array_equal(a.vectors, b.vectors)
    assert not multiprocessing.active_children()  # the pool is shut down

    # per-channel mode too, and the cache gets written by the process path
    pc = ["four_chw.tif", "four_hwc.tif"]
    cache = EmbeddingCache(tmp_path / "c")
    c = embed_paths([corpus[n] for n in pc], per_channel=True, decode="threads", **common)
    common["cache"] = cache
    d = embed_paths([corpus[n] for n in pc], per_channel=True, decode="processes", **common)
    np.testing.assert_array_equal(c.vectors, d.vectors)
    assert c.channel_names == d.channel_names
    again = embed_paths([corpus[n] for n in pc], per_channel=True, decode="processes",
                        **common)
    assert again.from_cache == 2
    cache.close()


def test_process_decoding_cancels_and_leaves_nothing(tmp_path):
    from PIL import Image

    paths = []
    for i in range(24):
        p = tmp_path / f"{i}.png"
        Image.fromarray(photo_array(40, 32, seed=i)).save(p)
        paths.append(p)
    before = _shm_blocks()
    reports = []
    children = []
    calls = []

    def cancel_after_two() -> bool:
        calls.append(1)
        children.append(len(multiprocessing.active_children()))
        return len(calls) > 2  # phase A's check, then the first batch, then stop

    with pytest.raises(EmbeddingCancelled):
        embed_paths(paths, cache=False, device="cpu", schedule="overlap", batch_size=4,
                    workers=2, decode="processes", cancel=cancel_after_two,
                    progress=reports.append)
    assert len(calls) == 3  # stopped between batches, not at the end
    assert children[-1] == 2  # the batches were decoded in the two worker processes
    assert not multiprocessing.active_children()
    assert _shm_blocks() <= before  # running batches' shared blocks were freed
    assert reports and reports[-1].done < 24
