"""Issue 7, "nothing lost": atomic saves with a backup, autosave recovery after a real
SIGKILL mid-edit, an embedding cache that survives a kill mid-write, and a cancelled
embedding that keeps its work and resumes from the cache.

The kill tests start a real child process and kill it with SIGKILL (no cleanup, no
atexit, no flush): what is on disk afterwards is what a crash leaves.
"""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from petriflow.analysis.embedding import EmbeddingCache, EmbeddingCancelled, embed_paths
from petriflow.core.ows import backup_path, load_workflow, parse_workflow, save_workflow
from petriflow.core.workflow import Workflow
from petriflow.nodes.distances import Distances
from petriflow.nodes.import_images import ImportImages
from tests.robustness.corpus import photo

REPO = Path(__file__).resolve().parents[2]
POSIX = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO)]),
               QT_QPA_PLATFORM="offscreen")
    env.update(extra)
    return env


def _start(script: str, *args: str, **env: str) -> subprocess.Popen[str]:
    # stderr goes to a file: a child that writes a lot of warnings to a full pipe would
    # block before printing the line the test waits for
    err = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - lives as long as the child
    proc = subprocess.Popen([sys.executable, "-c", script, *args], env=_env(**env),
                            stdout=subprocess.PIPE, stderr=err, text=True)
    proc.err_file = err  # type: ignore[attr-defined]
    return proc


def _stderr(proc: subprocess.Popen[str]) -> str:
    err = proc.err_file  # type: ignore[attr-defined]
    err.seek(0)
    return err.read()[-2000:]


def _wait_line(proc: subprocess.Popen[str], prefix: str, timeout: float = 90) -> str:
    """The child's first stdout line starting with ``prefix`` (bounded wait)."""
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if not ready:
            if proc.poll() is not None:
                raise AssertionError(f"child exited: {_stderr(proc)}")
            continue
        line = proc.stdout.readline()
        if line.startswith(prefix):
            return line
        if not line and proc.poll() is not None:
            raise AssertionError(f"child exited: {_stderr(proc)}")
    proc.kill()
    raise AssertionError(f"no {prefix!r} line from the child in {timeout} s: {_stderr(proc)}")


def _kill(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL


# ----------------------------------------------------------------------------- backups
def _workflow(n_nodes: int, folder: str = "images") -> Workflow:
    wf = Workflow()
    for i in range(n_nodes):
        node = wf.add_node(ImportImages, title=f"Import {i}", position=(10.0 * i, 0.0))
        wf.update_settings(node.id, folder=f"{folder}/{i}")
    return wf


def test_save_keeps_the_previous_version_as_a_backup(tmp_path: Path):
    path = tmp_path / "w.ows"
    save_workflow(_workflow(1), path)
    assert not backup_path(path).exists()  # nothing to keep on the first save
    v1 = path.read_bytes()
    wf = load_workflow(path)
    wf.add_node(Distances)
    save_workflow(wf, path)
    assert backup_path(path) == tmp_path / "w.ows.bak"
    assert backup_path(path).read_bytes() == v1
    v2 = path.read_bytes()
    save_workflow(load_workflow(path), path)  # same bytes: the backup keeps v1
    assert path.read_bytes() == v2 and backup_path(path).read_bytes() == v1
    assert len(load_workflow(backup_path(path)).nodes) == 1
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    save_workflow(_workflow(3), path, backup=False)
    assert backup_path(path).read_bytes() == v1
    # a save keeps the file's permissions (a temp file is private until renamed)
    path.chmod(0o640)
    save_workflow(_workflow(4), path)
    assert path.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "new.ows"
    save_workflow(_workflow(1), fresh)
    assert fresh.stat().st_mode & 0o777 == 0o644


_SAVER = r"""
import sys
from pathlib import Path
from petriflow.core.ows import save_workflow
from tests.robustness.test_nothing_lost import _workflow
path = Path(sys.argv[1])
versions = [_workflow(60, "a"), _workflow(60, "b")]
i = 0
print("saving", flush=True)
while True:
    save_workflow(versions[i % 2], path)
    i += 1
"""


@POSIX
def test_kill_during_saves_leaves_a_whole_file_and_backup(tmp_path: Path):
    """SIGKILL at random moments while saving over and over: the file and its backup
    are always one of the two complete versions, never half-written."""
    from petriflow.core.ows import workflow_to_bytes

    path = tmp_path / "w.ows"
    good = {workflow_to_bytes(_workflow(60, "a")), workflow_to_bytes(_workflow(60, "b"))}
    rng = np.random.default_rng(7)
    for _ in range(4):
        proc = _start(_SAVER, str(path))
        _wait_line(proc, "saving")
        time.sleep(float(rng.uniform(0.2, 0.6)))
        _kill(proc)
        assert path.read_bytes() in good
        assert backup_path(path).read_bytes() in good
        assert len(load_workflow(path).nodes) == 60


# ----------------------------------------------------------------------------- autosave
_EDITOR = r"""
import sys, time
from pathlib import Path
from PyQt6.QtCore import QPointF
from PyQt6.QtWidgets import QApplication
from petriflow.gui.mainwindow import MainWindow
app = QApplication([])
w = MainWindow(data_dir=Path(sys.argv[2]))
w.pause_action.setChecked(True); w.toggle_pause()  # edit without running anything
assert w.open_file(Path(sys.argv[1]), ask=False, offer_recovery=False)
for i in range(1000):
    w.add_node("petriflow.distances", QPointF(100.0 * i, 200.0))
    app.processEvents()
    if i == 2:
        w.autosave_now()
        print("autosaved", len(w.workflow.nodes), flush=True)
    elif i > 2:
        w.autosave_now()  # keeps editing and autosaving until killed
"""


@POSIX
def test_gui_killed_mid_edit_offers_its_autosave(qtbot, tmp_path: Path):
    from petriflow.gui.mainwindow import MainWindow

    path = tmp_path / "work.ows"
    save_workflow(_workflow(1), path)
    saved = path.read_bytes()
    data = tmp_path / "data"
    proc = _start(_EDITOR, str(path), str(data))
    line = _wait_line(proc, "autosaved", timeout=120)
    time.sleep(0.3)  # let it edit and autosave some more, then pull the plug
    _kill(proc)
    assert int(line.split()[1]) == 4
    assert path.read_bytes() == saved  # the user's file is untouched by autosave

    window = MainWindow(data_dir=data)
    window.ask_save_changes = lambda: "discard"  # no modal question at teardown
    qtbot.addWidget(window)
    window.pause_action.setChecked(True)
    window.toggle_pause()
    offered = []
    window.ask_recover = lambda rec: offered.append(rec) or True
    assert window.open_file(path, ask=False)
    assert offered and offered[0].original == path.resolve()
    n = len(window.workflow.nodes)
    assert n >= 4, f"recovered only {n} nodes"
    assert window.workflow.path == path.resolve() and window.isWindowModified()
    # the autosave files themselves always parse (written atomically)
    autosave = offered[0].autosave
    assert len(parse_workflow(autosave.read_bytes()).nodes) >= 4


# ----------------------------------------------------------------------------- cache
_CACHE_WRITER = r"""
import sys
import numpy as np
from petriflow.analysis.embedding import EmbeddingCache
cache = EmbeddingCache(sys.argv[1])
batch = 0
while True:
    items = [(f"{batch:06d}-{k:04d}", np.full(1000, batch * 10_000 + k, np.float32), ())
             for k in range(400)]
    cache.put_many("model-key", items)
    print("committed", batch, flush=True)
    batch += 1
"""


@POSIX
def test_embedding_cache_survives_a_kill_mid_write(tmp_path: Path):
    folder = tmp_path / "cache"
    proc = _start(_CACHE_WRITER, str(folder))
    _wait_line(proc, "committed 3")
    time.sleep(0.25)
    _kill(proc)
    assert proc.stdout is not None
    committed = [int(line.split()[1]) for line in proc.stdout.read().splitlines()
                 if line.startswith("committed")] + [3]
    last = max(committed)
    cache = EmbeddingCache(folder)
    keys = [f"{b:06d}-{k:04d}" for b in range(last + 2) for k in range(400)]
    found = cache.get_many("model-key", keys, 1000)
    # every batch the writer reported is there, whole and correct; the batch it was
    # writing when killed is either all there or not at all (one transaction)
    for b in range(last + 1):
        for k in range(400):
            vec, _ = found[f"{b:06d}-{k:04d}"]
            assert vec.shape == (1000,) and vec[0] == b * 10_000 + k
    partial = sum(f"{last + 1:06d}-{k:04d}" in found for k in range(400))
    assert partial in (0, 400)
    assert cache.corrupt_entries == 0
    cache.close()
    with sqlite3.connect(folder / "embeddings.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # and the cache keeps working after the crash
    cache = EmbeddingCache(folder)
    cache.put_many("model-key", [("after", np.ones(1000, np.float32), ())])
    assert "after" in cache.get_many("model-key", ["after"], 1000)
    cache.close()


def test_cancelled_embedding_keeps_its_work_and_resumes_from_cache(tmp_path: Path):
    paths = []
    for i in range(48):
        p = tmp_path / f"{i:02d}.png"
        Image.fromarray(photo(40, 30, seed=i)).save(p)
        paths.append(p)
    cache = EmbeddingCache(tmp_path / "cache")
    calls = []

    def cancel_after_three_checks() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(EmbeddingCancelled):
        embed_paths(paths, cache=cache, device="cpu", batch_size=8, workers=1,
                    cancel=cancel_after_three_checks)
    kept = cache.count()
    assert 8 <= kept < 48, f"{kept} vectors kept after the cancel"
    res = embed_paths(paths, cache=cache, device="cpu", batch_size=8, workers=1)
    assert len(res) == 48 and res.from_cache == kept  # only the rest was recomputed
    assert cache.count() == 48
    fresh = embed_paths(paths, cache=False, device="cpu")
    np.testing.assert_allclose(res.vectors, fresh.vectors, rtol=1e-4, atol=1e-4)
    cache.close()


def test_cache_on_with_a_non_utf8_file_name(tmp_path: Path):
    """SQLite cannot store a surrogate-escaped path; the run must not fail for it."""
    p = tmp_path / os.fsdecode(b"caf\xe9.png")
    Image.fromarray(photo()).save(p)
    cache = EmbeddingCache(tmp_path / "cache")
    assert len(embed_paths([p], cache=cache, device="cpu")) == 1
    again = embed_paths([p], cache=cache, device="cpu")
    assert len(again) == 1 and again.from_cache == 1
    cache.close()
