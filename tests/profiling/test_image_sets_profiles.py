"""Image sets from a metadata CSV, per-stain embedding, and Aggregate Profiles."""

from __future__ import annotations

import numpy as np
import pytest

from petriflow.analysis.image_import import ImageImportError
from petriflow.analysis.image_sets import (
    channel_columns,
    embed_image_set,
    is_image_set_csv,
    read_image_set,
)
from petriflow.analysis.profiles import ProfileError, aggregate_profiles, normalize_per_plate
from petriflow.core.node import NodeError
from petriflow.core.table import Table
from petriflow.nodes.aggregate_profiles import AggregateProfiles
from petriflow.nodes.import_images import ImportImages
from tests.nodes.conftest import run_node
from tests.profiling.conftest import write


def test_import_images_reads_a_screen_csv(screen):
    assert is_image_set_csv(screen.metadata)
    run = run_node(ImportImages, folder=str(screen.metadata))
    t: Table = run["Data"]
    assert len(t) == screen.n_fields == 36
    assert channel_columns(t) == ["DNA", "Tubulin", "Actin"]
    assert t.image_column == "DNA"
    assert all(str(p).endswith("_Actin.tif") for p in t.metas["Actin"])
    assert t.metas["concentration"].dtype.kind == "f"  # numeric metadata stays numeric
    assert set(t.metas["plate"]) == {"P01", "P02"}
    assert "36 fields, 3 channels" in run.progress.message


def test_image_set_rows_with_a_missing_file_are_skipped(tmp_path, screen):
    lines = screen.metadata.read_text().splitlines()
    base = screen.metadata.parent
    fixed = [lines[0]] + [",".join(c if not c.endswith(".tif") else str(base / c)
                                   for c in ln.split(",")) for ln in lines[1:4]]
    fixed[2] = fixed[2].replace("_Tubulin.tif", "_Nope.tif")
    csv = write(tmp_path / "set.csv", "\n".join(fixed) + "\n")
    table, warnings = read_image_set(csv)
    assert len(table) == 2
    assert len(warnings) == 1 and "missing channel file" in warnings[0]


def test_a_list_with_one_image_column_is_not_a_set(tmp_path):
    csv = write(tmp_path / "l.csv", "image,class\na.png,x\nb.png,y\n")
    assert not is_image_set_csv(csv)
    with pytest.raises(ImageImportError, match="fewer than two"):
        read_image_set(csv)
    with pytest.raises(ImageImportError, match="does not exist"):
        read_image_set(tmp_path / "none.csv")


def test_embed_image_set_concatenates_and_drops_incomplete_rows():
    def fake_embed(paths):  # deterministic "embedding": path length and a channel tag
        ok = np.array([i for i, p in enumerate(paths) if "bad" not in p])
        vec = np.array([[len(paths[i]), ord(paths[i][0])] for i in ok], np.float32)
        skipped = [(i, p, "broken") for i, p in enumerate(paths) if "bad" in p]
        return vec, ok, skipped, ["n0", "n1"]

    X, rows, reasons, names = embed_image_set(
        [["a1", "a22", "a333"], ["b1", "bad", "b333"]], ["DNA", "Actin"], fake_embed)
    assert names == ["DNA:n0", "DNA:n1", "Actin:n0", "Actin:n1"]
    assert rows.tolist() == [0, 2]
    np.testing.assert_array_equal(X, [[2, 97, 2, 98], [4, 97, 4, 98]])
    assert reasons == {1: "Actin: broken"}


def _features_table() -> Table:
    rng = np.random.default_rng(0)
    plates = ["P1"] * 6 + ["P2"] * 6
    compounds = ["DMSO", "DMSO", "a", "a", "b", "b"] * 2
    moa = ["DMSO", "DMSO", "m1", "m1", "m2", "m2"] * 2
    X = rng.normal(size=(12, 3)).astype(np.float32)
    X[6:] += 10  # plate effect
    return Table.from_arrays(X, ["f0", "f1", "f2"], metas={
        "plate": np.array(plates, dtype=object), "compound": np.array(compounds, dtype=object),
        "concentration": np.array([0.0, 0.0, 1, 1, 1, 1] * 2),
        "moa": np.array(moa, dtype=object),
        "image": np.array([f"{i}.tif" for i in range(12)], dtype=object),
    }, image_column="image")


def test_aggregate_mean_and_median_keep_group_metadata():
    t = _features_table()
    out = aggregate_profiles(t, ["compound", "concentration"], class_column="moa")
    assert len(out) == 2  # controls left out by default
    assert out.class_name == "moa" and out.class_values == ("m1", "m2")
    assert list(out.metas["compound"]) == ["a", "b"]
    assert "plate" not in out.metas  # differs within a group
    assert "image" not in out.metas
    assert out.metas["n rows"].tolist() == [4, 4]
    a = t.X[np.array(t.metas["compound"]) == "a"]
    np.testing.assert_allclose(out.X[0], a.mean(axis=0), rtol=1e-6)
    med = aggregate_profiles(t, ["compound"], method="median", keep_controls=True)
    assert len(med) == 3
    np.testing.assert_allclose(med.X[1], np.median(a, axis=0), rtol=1e-6)


def test_per_plate_normalisation_removes_the_plate_effect():
    t = _features_table()
    out = aggregate_profiles(t, ["compound", "plate"], normalization="subtract",
                             class_column="moa")
    by = {(c, p): x for c, p, x in zip(out.metas["compound"], out.metas["plate"], out.X,
                                        strict=True)}
    # without normalisation the plates differ by 10; after, by much less
    assert np.abs(by[("a", "P1")] - by[("a", "P2")]).max() < 5
    plates = np.array(["P1"] * 6 + ["P2"] * 6)
    ctrl = np.array(t.metas["compound"]) == "DMSO"
    z = normalize_per_plate(t.X, plates, ctrl, "zscore")
    np.testing.assert_allclose(z[ctrl & (plates == "P1")].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(z[ctrl & (plates == "P1")].std(axis=0, ddof=1), 1, atol=1e-5)


def test_aggregate_bad_input():
    t = _features_table()
    with pytest.raises(ProfileError, match="no column"):
        aggregate_profiles(t, ["well"])
    with pytest.raises(ProfileError, match="at least one"):
        aggregate_profiles(t, [])
    with pytest.raises(ProfileError, match="no control rows"):
        aggregate_profiles(t, ["compound"], normalization="zscore", control_value="PBS")
    with pytest.raises(ProfileError, match="differs within a group"):
        aggregate_profiles(t, ["concentration"], class_column="moa", keep_controls=True)
    one_ctrl = t.take([0, 2, 3, 4, 5])
    with pytest.raises(ProfileError, match="needs 2"):
        aggregate_profiles(one_ctrl, ["compound"], normalization="zscore", plate_column="")
    with pytest.raises(NodeError, match="No column"):
        run_node(AggregateProfiles, {"Data": t}, group_by=["nope"])
    run = run_node(AggregateProfiles, {"Data": t}, class_column="target")
    assert any("target" in w for w in run.warnings)
