"""The exact fast resize (issue 15.3): Pillow's pixels on every shape, filter and pass
order, on the embedder's real input path too; it refuses to run when it would differ."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from petriflow.analysis import pillow_resize
from petriflow.analysis.embedding import embed_paths, pipeline
from petriflow.analysis.images import load_rgb

from .conftest import photo_array

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
FILTERS = (Image.Resampling.LANCZOS, Image.Resampling.BILINEAR, Image.Resampling.BICUBIC)


@pytest.fixture
def restore_state(monkeypatch):
    """Each test leaves the module as it found it (it is process-wide)."""
    for key in ("active", "checked", "kernels"):
        monkeypatch.setitem(pillow_resize._state, key, pillow_resize._state[key])


def test_same_pixels_as_pillow_on_random_shapes(restore_state):
    assert pillow_resize.activate()  # numba comes with umap-learn, a dependency
    rng = np.random.default_rng(3)
    orders = set()
    for case in range(48):
        h, w = (int(v) for v in rng.integers(1, 400, 2))
        size = int(rng.choice([1, 7, 64, 224, 227, 299, int(rng.integers(2, 500))]))
        gray = case % 3 == 0
        arr = photo_array(w, h, seed=case)
        if case % 2:  # sharp noise as well as smooth gradients
            arr = rng.integers(0, 256, arr.shape, dtype=np.uint8)
        img = Image.fromarray(arr).convert("L") if gray else Image.fromarray(arr)
        orders.add(pillow_resize._horizontal_first(h, w, size, size))
        for resample in FILTERS:
            want = np.asarray(img.resize((size, size), resample))
            np.testing.assert_array_equal(pillow_resize.resize(img, size, resample), want,
                                          err_msg=f"{h}x{w} gray={gray} -> {size} {resample}")
            np.testing.assert_array_equal(pillow_resize.resize(np.asarray(img), size, resample),
                                          want)
    if pillow_resize._PILLOW_MAJOR >= 13:
        assert orders == {True, False}  # both of Pillow 13's pass orders were exercised


def test_embedder_input_is_unchanged(tmp_path, restore_state):
    """load_rgb (the embedder's decode + Lanczos 227²) gives the same arrays with the
    fast resize on and off, on real photos when ../shared/data is there."""
    paths = sorted(p for name in ("bone-healing", "dicty-development", "yeast-yplp")
                   if (SHARED / name).is_dir()
                   for p in (SHARED / name).rglob("*.jpg") if not p.name.startswith("."))
    for k in range(6):
        p = tmp_path / f"made{k}.jpg"
        Image.fromarray(photo_array(150 + 97 * k, 120 + 61 * k, seed=k)).save(p, quality=90)
        paths.append(p)
    gray = tmp_path / "gray.png"
    Image.fromarray(photo_array(333, 222, seed=9)).convert("L").save(gray)
    paths.append(gray)
    pillow_resize.set_active(False)
    before = [load_rgb(p, 227, Image.Resampling.LANCZOS) for p in paths]
    assert pillow_resize.set_active(True)
    after = [load_rgb(p, 227, Image.Resampling.LANCZOS) for p in paths]
    for p, a, b in zip(paths, before, after, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=str(p))


def test_a_difference_from_pillow_keeps_pillow(monkeypatch, restore_state):
    """The self-check catches a pass order that is not the installed Pillow's (what a
    future Pillow change would look like) and Pillow then does every resize."""
    real = pillow_resize._horizontal_first
    monkeypatch.setattr(pillow_resize, "_horizontal_first", lambda *a: not real(*a))
    monkeypatch.setitem(pillow_resize._state, "checked", None)
    monkeypatch.setitem(pillow_resize._state, "active", False)
    assert not pillow_resize.activate()
    assert not pillow_resize.is_active()
    img = Image.fromarray(photo_array(300, 80, seed=1))
    np.testing.assert_array_equal(pillow_resize.resize(img, 50, Image.Resampling.LANCZOS),
                                  np.asarray(img.resize((50, 50), Image.Resampling.LANCZOS)))


def test_switched_off_by_the_environment(monkeypatch, restore_state):
    monkeypatch.setenv("PETRIFLOW_FAST_RESIZE", "0")
    monkeypatch.setitem(pillow_resize._state, "active", False)
    assert not pillow_resize.activate()


def test_large_runs_switch_it_on_with_the_same_vectors(tmp_path, monkeypatch, restore_state):
    paths = []
    for k in range(5):
        p = tmp_path / f"p{k}.jpg"
        Image.fromarray(photo_array(260 + 10 * k, 190, seed=k)).save(p, quality=90)
        paths.append(p)
    pillow_resize.set_active(False)
    monkeypatch.setattr(pipeline, "FAST_RESIZE_MIN_IMAGES", 10**9)
    monkeypatch.setattr(pipeline, "_to_decode", {"n": 0, "started": False})
    ref = embed_paths(paths, cache=False, device="cpu", runtime="torch")
    assert not pillow_resize.is_active()
    monkeypatch.setattr(pipeline, "FAST_RESIZE_MIN_IMAGES", 8)
    embed_paths(paths, cache=False, device="cpu", runtime="torch")  # 10 images so far
    deadline = time.monotonic() + 60
    while not pillow_resize.is_active() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pillow_resize.is_active()
    got = embed_paths(paths, cache=False, device="cpu", runtime="torch")
    np.testing.assert_array_equal(got.vectors, ref.vectors)
