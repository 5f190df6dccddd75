"""File: CSV/TSV/Excel/Parquet with inferred roles, paths, broken encodings, mixed types."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from petriflow.analysis.table_files import write_table
from petriflow.core.node import NodeError
from petriflow.core.table import Table
from petriflow.nodes.file import File

from .conftest import run_node

CSV = ("image name,image,dose,strain,class\n"
       "a,imgs/a.png,1.5,wt,x\n"
       "b,imgs/b.png,2,mut,y\n"
       "c,/abs/c.png,?,wt,x\n")


def test_csv_roles_and_image_column(tmp_path: Path):
    (tmp_path / "meta.csv").write_text(CSV, encoding="utf-8")
    run = run_node(File, path="meta.csv", workflow_dir=tmp_path)
    t = run["Data"]
    assert t.feature_names == ("dose",)
    np.testing.assert_allclose(t.X[:, 0], [1.5, 2.0, np.nan])
    assert t.class_name == "class" and t.class_labels().tolist() == ["x", "y", "x"]
    assert list(t.metas) == ["image name", "image", "strain"]
    # the image column is marked as Import Images marks it; relative paths resolve
    # against the CSV's folder, absolute ones stay
    assert t.image_column == "image"
    assert t.image_paths().tolist() == [str(tmp_path / "imgs/a.png"),
                                        str(tmp_path / "imgs/b.png"), "/abs/c.png"]
    assert run.warnings == []


def test_chosen_target_metas_skip_and_no_inference(tmp_path: Path):
    (tmp_path / "meta.tsv").write_text(CSV.replace(",", "\t"), encoding="utf-8")
    t = run_node(File, path=str(tmp_path / "meta.tsv"), target="strain",
                 metas=["dose"], skip=["image name"])["Data"]
    assert t.class_name == "strain" and t.class_values == ("mut", "wt")
    assert t.feature_names == ()
    assert t.metas["dose"].dtype.kind == "f"
    assert "image name" not in t.metas and "class" in t.metas
    t2 = run_node(File, path=str(tmp_path / "meta.tsv"), infer_target=False)["Data"]
    assert not t2.has_class and "class" in t2.metas


def test_numeric_target_becomes_labels(tmp_path: Path):
    (tmp_path / "n.csv").write_text("v,grade\n0.5,1\n0.7,2\n0.1,1\n", encoding="utf-8")
    t = run_node(File, path=str(tmp_path / "n.csv"), target="grade")["Data"]
    assert t.class_values == ("1", "2") and t.feature_names == ("v",)


def test_broken_encoding_falls_back_with_a_note(tmp_path: Path):
    (tmp_path / "enc.csv").write_bytes("name;v\nété;1\nb;2\n".encode("cp1252"))
    run = run_node(File, path=str(tmp_path / "enc.csv"))
    assert run["Data"].metas["name"].tolist() == ["été", "b"]
    assert run["Data"].feature_names == ("v",)
    assert any("not valid UTF-8" in w and "cp1252" in w for w in run.warnings)


def test_mixed_types_become_a_text_meta_with_a_note(tmp_path: Path):
    (tmp_path / "m.csv").write_text("area,note\n1,2\n3,approx. 4\n5,\n", encoding="utf-8")
    run = run_node(File, path=str(tmp_path / "m.csv"))
    t = run["Data"]
    assert t.feature_names == ("area",)
    assert t.metas["note"].tolist() == ["2", "approx. 4", ""]
    assert any("'note' mixes numbers (1) and text (1)" in w for w in run.warnings)


def test_ragged_rows_are_skipped_and_counted(tmp_path: Path):
    (tmp_path / "r.csv").write_text("a,b\n1,2\n3,4,5\n6,7\n", encoding="utf-8")
    run = run_node(File, path=str(tmp_path / "r.csv"))
    assert len(run["Data"]) == 2
    assert any("1 row(s)" in w for w in run.warnings)


def test_excel_and_parquet(tmp_path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["image", "area", "label"], ["a.tif", 3, "ok"], ["b.tif", 4.5, "bad"]):
        sheet.append(row)
    book.save(tmp_path / "t.xlsx")
    t = run_node(File, path=str(tmp_path / "t.xlsx"))["Data"]
    assert t.feature_names == ("area",) and t.class_name == "label"
    assert t.image_column == "image"
    np.testing.assert_allclose(t.X[:, 0], [3, 4.5])

    src = Table.from_arrays([[1.0], [2.0]], ["f"], classes=["p", "q"],
                            metas={"name": np.array(["u", "v"], dtype=object)})
    write_table(src, tmp_path / "t.parquet")
    t = run_node(File, path=str(tmp_path / "t.parquet"), target="class")["Data"]
    assert t.feature_names == ("f",) and t.class_labels().tolist() == ["p", "q"]
    assert t.metas["name"].tolist() == ["u", "v"]


def test_bad_input_is_explained(tmp_path: Path):
    with pytest.raises(NodeError, match="does not exist"):
        run_node(File, path=str(tmp_path / "nope.csv"))
    (tmp_path / "x.docx").write_text("hi")
    with pytest.raises(NodeError, match="File reads"):
        run_node(File, path=str(tmp_path / "x.docx"))
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(NodeError, match="empty"):
        run_node(File, path=str(tmp_path / "e.csv"))
    (tmp_path / "ok.csv").write_text("a\n1\n")
    with pytest.raises(NodeError, match="target column 'zzz'"):
        run_node(File, path=str(tmp_path / "ok.csv"), target="zzz")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(NodeError, match="not a readable Excel"):
        run_node(File, path=str(tmp_path / "bad.xlsx"))
    assert run_node(File, path="")["Data"] is None


def test_many_rows(tmp_path: Path):
    """200,000 rows × 4 columns (docs/widgets/file.md gives the 1 M figure)."""
    n = 200_000
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=n), rng.integers(0, 100, size=n)
    lines = ["a,b,group,id"] + [f"{x:.6f},{y},{'g' + str(y % 3)},r{i}"
                                for i, (x, y) in enumerate(zip(a, b, strict=True))]
    (tmp_path / "big.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    t = run_node(File, path=str(tmp_path / "big.csv"))["Data"]
    elapsed = time.perf_counter() - start
    assert len(t) == n and t.feature_names == ("a", "b")
    np.testing.assert_allclose(t.X[:, 1], b)
    assert t.metas["id"][-1] == f"r{n - 1}"
    print(f"File read {n} rows in {elapsed:.2f} s")


def test_orange_tab_header_sets_roles(tmp_path: Path):
    """A file saved by Orange: a types row and a flags row under the names."""
    (tmp_path / "iris.tab").write_text(
        "sepal length\tplate\tiris\tid\n"
        "c\td\td\ts\n"
        "\t\tclass\tmeta\n"
        "5.1\t1\tIris-setosa\tr1\n"
        "7.0\t2\tIris-versicolor\tr2\n", encoding="utf-8")
    run = run_node(File, path=str(tmp_path / "iris.tab"))
    t = run["Data"]
    assert len(t) == 2 and t.feature_names == ("sepal length",)
    assert t.class_name == "iris" and t.class_values == ("Iris-setosa", "Iris-versicolor")
    assert t.metas["plate"].tolist() == [1.0, 2.0] and t.metas["id"].tolist() == ["r1", "r2"]
    assert run.warnings == []
    # a plain file whose first rows happen to be short words is data, not a header
    (tmp_path / "plain.tsv").write_text("a\tb\nx\ty\nz\tw\n", encoding="utf-8")
    assert len(run_node(File, path=str(tmp_path / "plain.tsv"))["Data"]) == 2


def test_a_file_listing_real_images_feeds_the_image_viewer(tmp_path: Path):
    """Rows of a metadata table with relative image paths are images to the viewer."""
    from petriflow.analysis.images import IMAGE_EXTENSIONS
    from petriflow.nodes.image_viewer import ImageViewer

    from .conftest import shared_set

    folder = shared_set("bone-healing")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS)
    rows = "".join(f"{p.relative_to(folder).as_posix()},{p.parent.name}\n" for p in files)
    meta = tmp_path / "meta.csv"
    # paths relative to the CSV's folder: the CSV is written next to a link to the set
    (tmp_path / "set").symlink_to(folder)
    meta.write_text("file,label\n" + "".join(f"set/{r}" for r in rows.splitlines(True)))
    t = run_node(File, path=str(meta))["Data"]
    assert t.image_column == "file" and t.class_values == ("D14", "D7")
    assert len(t) == len(files) == 37
    viewer = run_node(ImageViewer, {"Data": t})
    assert viewer.warnings == []  # every image was found
    assert len(viewer["Data"]) == 37
