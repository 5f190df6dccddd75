"""Illumination correction flattens a known vignetting field, per plate and channel."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile

from petriflow.analysis.illumination import (
    IlluminationError,
    IlluminationSum,
    accumulate,
    apply_correction,
    correct_file,
    illumination_function,
    read_plane,
    unevenness,
)
from petriflow.analysis.synthetic_screen import vignetting
from petriflow.core.table import Table
from petriflow.nodes.illumination_correction import IlluminationCorrection
from tests.nodes.conftest import run_node


def _cells(rng: np.random.Generator, size: int = 128) -> np.ndarray:
    from scipy import ndimage

    pts = np.zeros((size, size), np.float32)
    pts[rng.integers(0, size, 30), rng.integers(0, size, 30)] = 1
    return 1000 + 3000 * ndimage.gaussian_filter(pts, 3) * 56


@pytest.mark.parametrize("smoothing", ["median", "gaussian"])
def test_correction_flattens_a_known_vignetting(tmp_path, smoothing):
    rng = np.random.default_rng(0)
    field = vignetting((128, 128), plate=0, channel=0, strength=0.6)
    paths = []
    for i in range(80):
        img = np.clip(_cells(rng) * field + rng.normal(0, 20, field.shape), 0, 65535)
        p = tmp_path / f"im{i}.tif"
        tifffile.imwrite(p, img.astype(np.uint16))
        paths.append(p)
    raw = [read_plane(p) for p in paths]
    func = illumination_function(accumulate(paths), smoothing=smoothing)
    corrected = [apply_correction(r, func) for r in raw]
    before, after = unevenness(raw), unevenness(corrected)
    assert before > 0.1
    assert after < before / 2, (before, after)
    # what is left of the true field after dividing by the estimate is nearly flat
    residual = field / func
    assert residual.std() / residual.mean() < 0.5 * (field.std() / field.mean())
    # the estimate has the shape of the true field (up to scale)
    corr = np.corrcoef(func.ravel(), field.ravel())[0, 1]
    assert corr > 0.9
    # robust minimum: the function is ≥ 1 almost everywhere, so intensities do not grow
    assert np.mean(func >= 0.999) > 0.95


def test_sums_merge_like_one_pass(tmp_path):
    rng = np.random.default_rng(1)
    paths = []
    for i in range(6):
        p = tmp_path / f"{i}.tif"
        tifffile.imwrite(p, rng.integers(0, 4000, (32, 40)).astype(np.uint16))
        paths.append(p)
    whole = accumulate(paths)
    merged = accumulate(paths[:2]).merge(accumulate(paths[2:]))
    assert merged.count == whole.count == 6
    np.testing.assert_allclose(merged.total, whole.total)
    with pytest.raises(IlluminationError, match="differ in size"):
        whole.merge(IlluminationSum(np.zeros((3, 3)), 1))


def test_bad_input_is_refused(tmp_path):
    with pytest.raises(IlluminationError, match="not found"):
        read_plane(tmp_path / "nope.tif")
    acc = IlluminationSum(np.zeros((8, 8)), 2)
    with pytest.raises(IlluminationError, match="black"):
        illumination_function(acc)
    with pytest.raises(IlluminationError, match="smoothing"):
        illumination_function(IlluminationSum(np.ones((8, 8)), 1), smoothing="box")
    with pytest.raises(IlluminationError, match="fraction"):
        illumination_function(IlluminationSum(np.ones((8, 8)), 1), filter_fraction=2)
    with pytest.raises(IlluminationError, match="differs"):
        apply_correction(np.ones((4, 4)), np.ones((5, 5)))


def test_correct_file_writes_float_tiff_once(tmp_path):
    src = tmp_path / "a.tif"
    tifffile.imwrite(src, np.full((16, 16), 1000, np.uint16))
    func = np.full((16, 16), 2.0, np.float32)
    out = correct_file(str(src), func, tmp_path / "out" / "a.tif")
    arr = tifffile.imread(out)
    assert arr.dtype == np.float32 and np.allclose(arr, 500)
    mtime = out.stat().st_mtime_ns
    correct_file(str(src), func * 4, out)  # exists: kept (resume), not rewritten
    assert out.stat().st_mtime_ns == mtime


def test_node_corrects_each_plate_and_channel(screen):
    from petriflow.analysis.image_sets import channel_columns, read_image_set

    table, _ = read_image_set(screen.metadata)
    run = run_node(IlluminationCorrection, {"Images": table})
    out: Table = run["Corrected Images"]
    assert len(out) == len(table) and run.warnings == []
    assert channel_columns(out) == ["DNA", "Tubulin", "Actin"]
    assert "6 illumination functions" in run.progress.message  # 2 plates × 3 channels
    plate = np.array([str(v) for v in table.metas["plate"]])
    for ch in ("DNA", "Actin"):
        rows = np.flatnonzero(plate == "P01")
        raw = [read_plane(table.metas[ch][i]) for i in rows]
        fixed = [read_plane(out.metas[ch][i]) for i in rows]
        assert unevenness(fixed) < 0.6 * unevenness(raw), ch
    # a rerun finds the folder and reuses the corrected files
    again = run_node(IlluminationCorrection, {"Images": table})["Corrected Images"]
    assert list(again.metas["DNA"]) == list(out.metas["DNA"])


def test_node_rejects_bad_settings(screen):
    from petriflow.analysis.image_sets import read_image_set
    from petriflow.core.node import NodeError

    table, _ = read_image_set(screen.metadata)
    with pytest.raises(NodeError, match="fraction"):
        run_node(IlluminationCorrection, {"Images": table}, filter_fraction=0.0)
    no_images = Table.from_arrays(np.zeros((2, 1)), ["x"])
    with pytest.raises(NodeError, match="no image column"):
        run_node(IlluminationCorrection, {"Images": no_images})
    run = run_node(IlluminationCorrection, {"Images": table.take([0, 1])},
                   plate_column="batch")
    assert any("one plate" in w for w in run.warnings)
