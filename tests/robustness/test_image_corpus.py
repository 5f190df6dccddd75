"""Issue 7: a hostile image folder through the real Import Images → Image Embedder
workflow. Every file gives an embedding or a per-file reason; no node errors, nothing
hangs (the scheduler wait is bounded), and the nodes' summaries count what was skipped.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from petriflow.analysis.embedding import embed_paths
from petriflow.analysis.image_import import scan_folder
from petriflow.core.node import CancelToken, NodeContext, NodeError, Progress
from petriflow.core.scheduler import NodeState
from petriflow.nodes.import_images import ImportImages
from tests.robustness.corpus import can_deny_read, photo
from tests.robustness.outcomes import CorpusRun, run_corpus

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> CorpusRun:
    folder = tmp_path_factory.mktemp("hostile")
    mp = pytest.MonkeyPatch()
    base = tmp_path_factory.mktemp("dirs")  # never touch the user's cache
    mp.setenv("PETRIFLOW_CACHE_DIR", str(base / "cache"))
    try:
        yield run_corpus(folder)
    finally:
        mp.undo()


def run_with_timeout(fn, seconds: float):
    """Run ``fn`` in a thread; fail the test (instead of hanging CI) when it overruns."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # re-raised in the test thread
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn} did not return within {seconds} s (a hang)"
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


def test_every_case_embeds_or_has_a_reason(corpus_run: CorpusRun):
    wrong = []
    for case in corpus_run.cases:
        got = corpus_run.outcomes[case.name]
        if got.result != case.expect or case.reason.lower() not in got.reason.lower():
            wrong.append(f"{case.name!r}: expected {case.expect} ({case.reason!r}), "
                         f"got {got.result} ({got.reason!r})")
        if got.result == "skipped":
            assert got.reason.strip(), f"{case.name!r} skipped without a reason"
        if case.size is not None:
            assert got.size == case.size, f"{case.name!r}: size {got.size} != {case.size}"
    assert not wrong, "\n".join(wrong)


def test_no_node_fails_and_summaries_count_the_skipped(corpus_run: CorpusRun):
    # the nodes end in a warning (files were skipped), never in an error
    assert corpus_run.states == {"Import Images": NodeState.WARNING,
                                 "Image Embedder": NodeState.WARNING}
    scan = corpus_run.extra["scan"]
    n_scan = sum(1 for o in corpus_run.outcomes.values() if o.result == "skipped") - len(
        corpus_run.extra["skipped"])
    (imp_warning,) = corpus_run.warnings["Import Images"]
    assert f"Skipped {scan.n_unreadable} unreadable image(s)" in imp_warning
    assert scan.n_unreadable + scan.n_missing == len(scan.skipped) == n_scan
    n_emb_skipped = len(corpus_run.extra["skipped"])
    assert f"{n_emb_skipped} images skipped" in corpus_run.warnings["Image Embedder"][0]
    n_embedded = len(corpus_run.extra["embedded"])
    assert n_embedded + n_emb_skipped == corpus_run.n_rows
    # every skipped row keeps its own reason, aligned with its path
    skipped = corpus_run.extra["skipped"]
    assert all(str(r).strip() for r in skipped.metas["skip reason"])


def test_same_pixels_give_the_same_vector_whatever_the_name(corpus_run: CorpusRun):
    """A wrong extension, a link, a non-UTF-8 or 255-byte name change nothing."""
    emb = corpus_run.extra["embedded"]
    assert np.isfinite(emb.X).all()
    rows = {os.path.basename(p): i for i, p in enumerate(emb.metas["image"])}
    ref = emb.X[rows["plain.png"]]
    for name in ("png_named.jpg", "good_link.png", os.fsdecode(b"caf\xe9_latin1.png"),
                 "é" * 120 + ".png", "spaces and 'quotes' & ;rm -rf.png"):
        np.testing.assert_allclose(emb.X[rows[name]], ref, rtol=1e-5, atol=1e-5)
    assert not np.allclose(emb.X[rows["plain.jpg"]], emb.X[rows["gray16.tif"]], atol=1e-2)


def test_per_channel_mode_keeps_channels(tmp_path: Path):
    import tifffile

    g16 = np.linspace(1000, 3000, 48 * 32).reshape(32, 48).astype(np.uint16)
    five = tmp_path / "five.tif"
    tifffile.imwrite(five, np.stack([np.roll(g16, 5 * k, axis=1) for k in range(5)]),
                     photometric="minisblack")
    zstack = tmp_path / "z.tif"
    tifffile.imwrite(zstack, np.stack([g16 + 10 * k for k in range(12)]), imagej=True,
                     metadata={"axes": "ZYX"})
    res = embed_paths([five], per_channel=True, cache=False, device="cpu")
    assert res.channel_names == ("ch0", "ch1", "ch2", "ch3", "ch4")
    assert res.vectors.shape == (1, 5000)
    res = embed_paths([zstack], per_channel=True, cache=False, device="cpu")
    assert res.vectors.shape == (1, 1000)  # Z planes are not channels: the first is used


def _run_import(folder: Path) -> tuple[object, Progress]:
    node = ImportImages(ImportImages.Settings(folder=str(folder)), NodeContext())
    progress = Progress(min_interval=0.0)
    return node.run({}, progress, CancelToken()), progress


def test_empty_folder_is_a_clear_message(tmp_path: Path):
    with pytest.raises(NodeError, match="No images found"):
        run_with_timeout(lambda: _run_import(tmp_path), 10)
    (tmp_path / "readme.txt").write_text("nothing here")
    with pytest.raises(NodeError, match=r"No images found.*1 non-image file"):
        run_with_timeout(lambda: _run_import(tmp_path), 10)


def test_ten_thousand_files(tmp_path: Path):
    """A folder of 10,000 images in 10 classes: scanned, all listed (90 s hang guard;
    the scan time is benchmarks/large_tables.py's)."""
    png = tmp_path / "src.png"
    Image.fromarray(photo(16, 12)).save(png)
    data = png.read_bytes()
    png.unlink()
    for c in range(10):
        sub = tmp_path / f"class{c}"
        sub.mkdir()
        for i in range(1000):
            (sub / f"{i:04d}.png").write_bytes(data)
    out, progress = run_with_timeout(lambda: _run_import(tmp_path), 90)
    table = out["Data"]
    assert len(table) == 10_000 and len(table.class_values) == 10
    assert progress.warnings == []


def test_unreadable_folder_and_file_as_root_is_skipped_with_reason():
    """Unreadable permissions. As root nothing is unreadable, so the scan runs in a child
    process as user 'nobody' (a real permission check by the kernel, not a mock)."""
    script = r"""
import os, sys, json
from pathlib import Path
from petriflow.analysis.image_import import scan_folder
from petriflow.analysis.images import ImageLoadError, load_image
root = Path(sys.argv[1])
res = scan_folder(root)
try:
    load_image(root / "locked.png"); err = None
except ImageLoadError as exc:
    err = exc.reason
print(json.dumps({"paths": [p.name for p in res.paths], "skipped": res.skipped,
                  "load": err, "msg": res.skipped_message()}))
"""
    import json
    import tempfile

    with tempfile.TemporaryDirectory(prefix="petriflow-perm-") as tmp:
        root = Path(tmp)
        Image.fromarray(photo()).save(root / "ok.png")
        Image.fromarray(photo()).save(root / "locked.png")
        (root / "closed").mkdir()
        Image.fromarray(photo()).save(root / "closed" / "inside.png")
        (root / "locked.png").chmod(0)
        (root / "closed").chmod(0)
        os.chmod(root, 0o755)
        kwargs: dict[str, object] = {}
        if not can_deny_read():
            if not hasattr(os, "geteuid") or sys.platform == "win32":
                pytest.skip("file permissions cannot deny reading on this platform")
            import pwd

            try:
                pwd.getpwnam("nobody")
            except KeyError:
                pytest.skip("running as root and there is no 'nobody' user to drop to")
            kwargs["user"] = "nobody"
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
                   PETRIFLOW_CACHE_DIR=str(root / "cache"), HOME=str(root))
        try:
            proc = subprocess.run([sys.executable, "-c", script, str(root)], env=env,
                                  capture_output=True, text=True, timeout=60, cwd="/",
                                  **kwargs)
        except PermissionError as exc:  # the interpreter lives where 'nobody' cannot go
            pytest.skip(f"running as root and user 'nobody' cannot start {exc.filename}; "
                        "the FIFO and link-loop cases cover unreadable files instead")
        finally:
            (root / "locked.png").chmod(0o644)
            (root / "closed").chmod(0o755)
        if proc.returncode != 0 and "Permission denied" in proc.stderr and kwargs:
            pytest.skip(f"user 'nobody' cannot run this Python: {proc.stderr[-300:]}")
        assert proc.returncode == 0, proc.stderr
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["paths"] == ["ok.png"]
    reasons = {Path(p).name: r for p, r in out["skipped"]}
    assert "permission denied" in reasons["locked.png"].lower()
    assert "cannot open the folder" in reasons["closed"].lower()
    assert "permission denied" in out["load"].lower()
    assert re.search(r"Skipped 2 unreadable", out["msg"])


def test_scan_of_link_loops_terminates(tmp_path: Path):
    """Several links up the tree (each a loop) must not multiply the walk."""
    Image.fromarray(photo()).save(tmp_path / "a.png")
    for k in range(4):
        d = tmp_path / f"d{k}"
        d.mkdir()
        for j in range(3):
            os.symlink("..", d / f"up{j}")
    res = run_with_timeout(lambda: scan_folder(tmp_path), 20)
    assert [p.name for p in res.paths] == ["a.png"]
    assert all("loop" in r for _, r in res.skipped) and len(res.skipped) == 12


def test_non_utf8_file_names_survive_csv_export(corpus_run: CorpusRun, tmp_path: Path):
    """`petriflow run --out` and Save Data write the table of a folder whose names are
    not UTF-8; the original bytes of the name come back when the CSV is read."""
    from petriflow.analysis.table_files import write_table

    emb = corpus_run.extra["embedded"]
    for target in (tmp_path / "a.csv", tmp_path / "b.tsv"):
        write_table(emb, target)
        assert b"caf\xe9_latin1.png" in target.read_bytes()
    emb.to_csv(tmp_path / "c.csv")
    assert b"caf\xe9_latin1.png" in (tmp_path / "c.csv").read_bytes()
    # Parquet strings must be UTF-8: the odd byte is kept as a visible escape
    import pyarrow.parquet as pq

    write_table(emb, tmp_path / "d.parquet")
    names = pq.read_table(tmp_path / "d.parquet").column("image").to_pylist()
    assert any(n.endswith("caf\\xe9_latin1.png") for n in names)


def test_embedder_given_paths_directly_never_blocks_on_a_pipe(tmp_path: Path):
    """A table (or CLI list) may name a FIFO directly, bypassing the folder scan."""
    fifo = tmp_path / "pipe.png"
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this platform")
    os.mkfifo(fifo)
    os.symlink("loop.png", tmp_path / "loop.png")
    res = run_with_timeout(lambda: embed_paths([fifo, tmp_path / "loop.png", tmp_path],
                                               cache=False, device="cpu"), 30)
    reasons = [r for _, _, r in res.skipped]
    assert len(res) == 0 and len(reasons) == 3
    assert "not a regular file" in reasons[0] and "loop" in reasons[1]
    assert "folder" in reasons[2]


def test_reliability_doc_lists_every_case():
    """docs/reliability.md is generated from this corpus; a new case must appear there."""
    from tests.robustness.corpus import build

    doc = (REPO / "docs" / "reliability.md").read_text(encoding="utf-8")
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        missing = [c.what for c in build(Path(tmp)) if c.what not in doc]
    assert not missing, f"not in docs/reliability.md: {missing}"
