"""Save Images writes real files: per class, rescaled and converted, never overwriting,
confined to its folder, and says what it skipped and why."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from petriflow.core.node import NodeError
from petriflow.core.table import Table
from petriflow.nodes.save_images import SAVE_RESULT, SAVED_AS, SaveImages

from .conftest import run_node


def picture(path: Path, size=(40, 20), color=(200, 40, 40)) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path)
    return str(path)


def table(paths: list[str], classes: list[str] | None = None) -> Table:
    return Table.from_arrays(np.zeros((len(paths), 1)), classes=classes,
                             metas={"image": paths}, image_column="image")


@pytest.fixture
def source(tmp_path) -> Table:
    src = tmp_path / "src"
    paths = [picture(src / "a" / "x.png", color=(255, 0, 0)),
             picture(src / "b" / "x.png", color=(0, 255, 0)),  # same name, same class
             picture(src / "y.png", color=(0, 0, 255)),
             str(src / "missing.png")]
    (src / "broken.png").write_bytes(b"not a png")
    paths.append(str(src / "broken.png"))
    return table(paths, ["cat", "cat", "../../dog", "cat", "dog"])


def test_per_class_distinct_names_and_report(tmp_path, source):
    out = tmp_path / "out"
    out.mkdir()
    r = run_node(SaveImages, {"Data": source}, folder=str(out))
    saved = list(r["Data"].metas[SAVED_AS])
    results = list(r["Data"].metas[SAVE_RESULT])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "_.._dog/y.png", "cat/x.png", "cat/x_1.png"]  # "../../dog" stayed a plain name
    assert saved[:3] == [str(out / "cat" / "x.png"), str(out / "cat" / "x_1.png"),
                         str(out / "_.._dog" / "y.png")]
    with Image.open(saved[1]) as im:  # the second x.png is the green one, unchanged
        assert im.getpixel((0, 0)) == (0, 255, 0) and im.size == (40, 20)
    assert results[:3] == ["written"] * 3
    assert results[3] == "skipped: file not found"
    assert results[4].startswith("skipped: not an image file")
    assert r.progress.message.startswith("3 written, 0 already there, 2 skipped")
    assert any("2 of 5 images were not saved" in w for w in r.warnings)


def test_rerun_never_overwrites_and_does_not_duplicate(tmp_path, source):
    out = tmp_path / "out"
    out.mkdir()
    (out / "cat").mkdir()
    picture(out / "cat" / "x.png", color=(1, 2, 3))  # someone else's file
    r = run_node(SaveImages, {"Data": source}, folder=str(out))
    with Image.open(out / "cat" / "x.png") as im:
        assert im.getpixel((0, 0)) == (1, 2, 3)  # untouched
    assert list(r["Data"].metas[SAVED_AS])[:2] == [str(out / "cat" / "x_1.png"),
                                                   str(out / "cat" / "x_2.png")]
    again = run_node(SaveImages, {"Data": source}, folder=str(out))
    assert list(again["Data"].metas[SAVE_RESULT])[:3] == ["already there"] * 3
    assert len([p for p in out.rglob("*") if p.is_file()]) == 4


@pytest.mark.parametrize(("fmt", "ext", "kind"), [("png", ".png", "PNG"),
                                                  ("jpeg", ".jpg", "JPEG"),
                                                  ("tiff", ".tif", "TIFF")])
def test_flat_rescaled_and_converted(tmp_path, source, fmt, ext, kind):
    out = tmp_path / "out"
    out.mkdir()
    run_node(SaveImages, {"Data": source}, folder=str(out), by_class=False, size=10,
             format=fmt)
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"x{ext}", f"x_1{ext}", f"y{ext}"]
    with Image.open(out / f"y{ext}") as im:
        assert im.format == kind and im.size == (10, 5)  # longer side 10, aspect kept


def test_folder_problems_are_said_clearly(tmp_path, source):
    with pytest.raises(NodeError, match="does not exist"):
        run_node(SaveImages, {"Data": source}, folder=str(tmp_path / "nope"))
    (tmp_path / "file").write_text("x")
    with pytest.raises(NodeError, match="not a folder"):
        run_node(SaveImages, {"Data": source}, folder=str(tmp_path / "file"))
    wf = tmp_path / "wf"
    wf.mkdir()
    with pytest.raises(NodeError, match="outside the workflow's folder"):
        run_node(SaveImages, {"Data": source}, folder="../", workflow_dir=wf)
    r = run_node(SaveImages, {"Data": source}, folder="")
    assert r["Data"] is None and any("No folder" in w for w in r.warnings)


def test_read_only_folder(tmp_path, source):
    """A folder we may not write to: chmod 555 (root writes there anyway: then a
    read-only mount such as /proc/sys, where there is one)."""
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        if os.access(out, os.W_OK):
            out = Path("/proc/sys")
            if not out.is_dir() or os.access(out, os.W_OK):
                pytest.skip("no folder here is read-only for this user")
        with pytest.raises(NodeError, match="read-only"):
            run_node(SaveImages, {"Data": source}, folder=str(out))
    finally:
        (tmp_path / "ro").chmod(0o755)


def test_a_link_in_the_folder_is_not_written_through(tmp_path, source):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "cat").symlink_to(elsewhere, target_is_directory=True)
    r = run_node(SaveImages, {"Data": source}, folder=str(out))
    assert list(elsewhere.iterdir()) == []
    assert r["Data"].metas[SAVE_RESULT][0].startswith("skipped: cannot write")


def test_orange_save_images_settings_are_carried():
    from petriflow.compat.orange.settings import translate_settings

    t = translate_settings(SaveImages, {"dirname": "/data/out", "file_format_index": 1,
                                        "use_scale": True, "scale_index": 2,
                                        "auto_save": False})
    assert t.values == {"folder": "/data/out", "format": "jpeg", "size": 224}
    gif = translate_settings(SaveImages, {"file_format_index": 2})
    assert "format" not in gif.values and "file_format_index" in gif.not_carried
