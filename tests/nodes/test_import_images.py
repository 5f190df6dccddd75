from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from petriflow.core.node import Cancelled, CancelToken, NodeError
from petriflow.nodes.import_images import ImportImages

from .conftest import run_node, shared_set


def _img(path: Path, size=(8, 6), color=(255, 0, 0), fmt=None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, format=fmt)
    return path


@pytest.fixture
def image_tree(tmp_path: Path) -> Path:
    root = tmp_path / "imgs"
    _img(root / "cats" / "a.png", (10, 20))
    _img(root / "cats" / "nested" / "b.jpg", (30, 15))
    _img(root / "dogs" / "c.bmp", (5, 5))
    _img(root / ".hidden" / "h.png")
    _img(root / "dogs" / ".secret.png")
    (root / "dogs" / "notes.txt").write_text("not an image")
    (root / "dogs" / "broken.png").write_bytes(b"\x89PNG garbage")
    (root / "README.txt").write_text("readme")
    return root


def test_scan_builds_classes_and_metas(image_tree: Path):
    r = run_node(ImportImages, folder=str(image_tree))
    t = r["Data"]
    assert len(t) == 3
    assert t.class_values == ("cats", "dogs")
    assert list(t.class_labels()) == ["cats", "cats", "dogs"]
    assert list(t.metas["image name"]) == ["a", "b", "c"]
    assert t.image_column == "image"
    paths = [Path(p) for p in t.metas["image"]]
    assert all(p.is_absolute() and p.exists() for p in paths)
    assert list(t.metas["width"]) == [10, 30, 5]
    assert list(t.metas["height"]) == [20, 15, 5]
    assert list(t.metas["size"]) == [p.stat().st_size for p in paths]
    assert t.n_features == 0
    (warning,) = r.warnings
    assert "1 unreadable" in warning and "broken.png" in warning
    assert "2 non-image" in warning and "2 hidden" in warning


def test_flat_folder_has_no_class(tmp_path: Path):
    for i in range(3):
        _img(tmp_path / f"x{i}.png")
    t = run_node(ImportImages, folder=str(tmp_path))["Data"]
    assert len(t) == 3 and not t.has_class


def test_relative_folder_resolves_against_workflow_dir(image_tree: Path):
    r = run_node(ImportImages, folder="imgs", workflow_dir=image_tree.parent)
    assert len(r["Data"]) == 3


def test_missing_empty_and_unset_folder(tmp_path: Path):
    with pytest.raises(NodeError, match="does not exist"):
        run_node(ImportImages, folder=str(tmp_path / "nope"))
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "README.txt").write_text("x")
    with pytest.raises(NodeError, match=r"No images found.*1 non-image"):
        run_node(ImportImages, folder=str(tmp_path / "empty"))
    r = run_node(ImportImages, folder="")
    assert r["Data"] is None and r.warnings


def test_cancel_stops_scan(image_tree: Path):
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_node(ImportImages, folder=str(image_tree), cancel=token)


def test_csv_list(tmp_path: Path):
    a = _img(tmp_path / "pics" / "a.png", (4, 4))
    _img(tmp_path / "pics" / "b.png", (6, 4))
    listing = tmp_path / "list.csv"
    listing.write_text(
        "file,label,dose,note\n"
        f"{a},treated,1.5,first\n"
        "pics/b.png,control,2,second\n"
        "pics/missing.png,control,3,third\n"
    )
    r = run_node(ImportImages, folder=str(listing))
    t = r["Data"]
    assert list(t.metas["image name"]) == ["a", "b"]
    assert list(t.class_labels()) == ["treated", "control"]
    assert t.metas["dose"].dtype.kind == "f" and list(t.metas["dose"]) == [1.5, 2.0]
    assert list(t.metas["note"]) == ["first", "second"]
    assert any("1 listed file(s) not found" in w for w in r.warnings)


@pytest.mark.shared_data
def test_real_labelled_set():
    root = shared_set("dicty-development")
    r = run_node(ImportImages, folder=str(root))
    t = r["Data"]
    assert t.class_values == ("LAG", "STR", "TAG")
    counts = np.bincount(t.y)
    assert counts.tolist() == [68, 20, 64]
    assert set(t.metas["width"]) == {312} and set(t.metas["height"]) == {231}
    # README.txt is skipped and said so, as an info: no warning replaces the count
    assert any("non-image" in i and "README.txt" in i for i in r.progress.infos)
    assert r.warnings == []


@pytest.mark.shared_data
def test_real_flat_set():
    t = run_node(ImportImages, folder=str(shared_set("domestic-animals")))["Data"]
    assert len(t) == 19 and not t.has_class


def test_skipped_files_output_names_each_file_and_why(image_tree: Path):
    out = run_node(ImportImages, folder=str(image_tree))
    skipped = out["Skipped Files"]
    assert skipped is not None and len(skipped) == 1
    assert list(skipped.metas["file name"]) == ["broken.png"]
    assert skipped.metas["path"][0] == str(image_tree / "dogs" / "broken.png")
    assert skipped.metas["skip reason"][0]  # a human reason, e.g. "not a PNG image"
    # hidden and non-image files are counted in the warning, not listed as problems
    assert len(out["Data"]) == 3


def test_no_skipped_files_gives_no_table(tmp_path: Path):
    _img(tmp_path / "ok" / "a.png")
    out = run_node(ImportImages, folder=str(tmp_path / "ok"))
    assert out["Skipped Files"] is None and len(out["Data"]) == 1


def test_a_readme_is_an_info_not_a_warning(tmp_path: Path):
    """Issue 14.10: non-image files alone leave the node clean (no warning badge), say
    which files they were, and the node still reports the count."""
    _img(tmp_path / "set" / "cats" / "a.png")
    _img(tmp_path / "set" / "dogs" / "b.png")
    (tmp_path / "set" / "README.txt").write_text("about these images")
    (tmp_path / "set" / "dogs" / "notes.md").write_text("x")
    (tmp_path / "set" / ".DS_Store").write_bytes(b"\0")
    r = run_node(ImportImages, folder=str(tmp_path / "set"))
    assert r.warnings == []
    assert r.progress.infos == [
        "Skipped 2 non-image files: README.txt, dogs/notes.md, and 1 hidden file or folder."]
    assert r.progress.message == "2 images, 2 classes"
    assert r["Skipped Files"] is None  # nothing went wrong


def test_a_problem_is_still_a_warning_and_names_the_readme_too(image_tree: Path):
    r = run_node(ImportImages, folder=str(image_tree))
    assert r.progress.infos == []
    (warning,) = r.warnings
    assert "broken.png" in warning and "non-image" in warning
