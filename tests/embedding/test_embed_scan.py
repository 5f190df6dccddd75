"""``petriflow embed FOLDER`` walks folders with Import Images' scanner (issue 13.3):
a symbolic link loop is walked once and a FIFO named like an image is never opened."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from petriflow.analysis.image_import import ScanResult, find_image_files
from petriflow.commands.embed_inputs import list_folder_images

from .conftest import photo_array

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symlinks")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """cats/ and dogs/ with one image each, a link from cats/ back up to the root (a
    loop), and a FIFO named like an image: opening it would block forever."""
    root = tmp_path / "images"
    for cls, seed in (("cats", 1), ("dogs", 3)):
        (root / cls).mkdir(parents=True)
        Image.fromarray(photo_array(48, 40, seed)).save(root / cls / f"{cls}{seed}.png")
    (root / "cats" / "loop").symlink_to(root, target_is_directory=True)
    os.mkfifo(root / "dogs" / "pipe.png")
    return root


def test_embed_scan_is_import_images_scan(hostile: Path, capsys: pytest.CaptureFixture[str]):
    items = list_folder_images(hostile)
    result = ScanResult()
    walked = find_image_files(hostile, result)
    assert items == [(str(p), p.relative_to(hostile).parts[0]) for p in walked]
    assert [Path(p).name for p, _ in items] == ["cats1.png", "dogs3.png"]
    err = capsys.readouterr().err
    assert "symbolic link loop" in err and "pipe.png" in err


def test_petriflow_embed_survives_link_loop_and_fifo(hostile: Path, tmp_path: Path):
    out = tmp_path / "e.csv"
    proc = subprocess.run(
        [sys.executable, "-m", "petriflow", "embed", str(hostile), "--out", str(out),
         "--quiet", "--no-cache"],
        capture_output=True, text=True, timeout=300, env=os.environ.copy())
    assert proc.returncode == 0, proc.stderr
    assert "symbolic link loop" in proc.stderr
    assert "pipe.png" in proc.stderr and "2 images embedded" in proc.stderr
    with out.open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert [(Path(r[0]).name, r[1]) for r in rows[1:]] == [("cats1.png", "cats"),
                                                          ("dogs3.png", "dogs")]
