"""Embedding in a worker process (what the desktop app does): same vectors, same errors,
cancel and crashes handled, and the calling process never imports torch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

from petriflow.analysis.embedding import (
    EmbeddingCancelled,
    WeightsNotFoundError,
    embed_paths,
    isolation,
)
from petriflow.analysis.image_import import images_table, scan_folder
from petriflow.core.node import CancelToken, NodeContext, Progress, RunOptions
from petriflow.nodes.image_embedder import ImageEmbedder

from .conftest import photo_array


@pytest.fixture(scope="module")
def isolated():
    """One worker for the module (starting one imports torch: seconds on a busy CI)."""
    yield
    isolation.shutdown()
    assert isolation.worker_pid() is None


def _images(folder, n: int = 6) -> list[str]:
    folder.mkdir(exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"img{i}.png"
        Image.fromarray(photo_array(80, 60, seed=i)).save(p)
        paths.append(str(p))
    return paths


def test_worker_gives_the_in_process_vectors(tmp_path, isolated):
    paths = [*_images(tmp_path / "a"), str(tmp_path / "missing.png")]
    seen = []
    got = isolation.run_embedding(paths, "squeezenet", cache=False, device="cpu",
                                  progress=seen.append)
    pid = isolation.worker_pid()
    assert pid not in (None, os.getpid())
    # background work yields the CPU to the app's event loop
    assert os.getpriority(os.PRIO_PROCESS, pid) >= os.getpriority(os.PRIO_PROCESS, 0) + 1
    want = embed_paths(paths, "squeezenet", cache=False, device="cpu")
    np.testing.assert_allclose(got.vectors, want.vectors, rtol=1e-5, atol=1e-6)
    assert list(got.ok_indices) == list(want.ok_indices) == list(range(6))
    assert [s[0] for s in got.skipped] == [6] and "not found" in got.skipped[0][2]
    assert seen and seen[-1].done == 7  # progress crossed the process boundary


def test_node_uses_the_worker_and_the_callers_cache_folder(tmp_path, isolated, monkeypatch):
    paths = _images(tmp_path / "b", 4)
    table = images_table(scan_folder(tmp_path / "b"))
    assert len(table) == len(paths)
    cache_dir = tmp_path / "my-cache"
    monkeypatch.setenv("PETRIFLOW_CACHE_DIR", str(cache_dir))  # set after the worker may exist
    node = ImageEmbedder(ImageEmbedder.Settings(model="squeezenet", device="cpu"),
                         NodeContext(options=RunOptions(embedding="worker_process")))
    out = node.run({"Images": table}, Progress(), CancelToken())
    assert out["Embeddings"].X.shape == (4, 1000)
    assert cache_dir.exists() and any(cache_dir.iterdir())  # the worker wrote our cache
    assert isolation.worker_pid() is not None


def test_node_embeds_in_process_unless_its_context_says_worker(tmp_path, isolated):
    """The backend is the scheduler's choice (RunOptions in the node's context), not a
    flag of the isolation module: a default context embeds here, with the same vectors."""
    _images(tmp_path / "c", 2)
    table = images_table(scan_folder(tmp_path / "c"))
    settings = ImageEmbedder.Settings(model="squeezenet", device="cpu", use_cache=False)
    isolation.shutdown()
    here = ImageEmbedder(settings, NodeContext()).run({"Images": table}, Progress(),
                                                       CancelToken())
    assert isolation.worker_pid() is None
    there = ImageEmbedder(settings, NodeContext(options=RunOptions(embedding="worker_process"))
                          ).run({"Images": table}, Progress(), CancelToken())
    assert isolation.worker_pid() is not None
    np.testing.assert_allclose(here["Embeddings"].X, there["Embeddings"].X, rtol=1e-5,
                               atol=1e-6)


def test_worker_errors_keep_their_class(tmp_path, isolated):
    paths = _images(tmp_path / "c", 1)
    with pytest.raises(WeightsNotFoundError, match="Inception"):
        isolation.run_embedding(paths, "inception-v3", cache=False, device="cpu")
    # the worker is still usable
    assert len(isolation.run_embedding(paths, "squeezenet", cache=False, device="cpu")) == 1


def test_cancel_stops_the_worker_run_and_the_next_run_works(tmp_path, isolated):
    paths = _images(tmp_path / "d", 70)
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(EmbeddingCancelled):
        isolation.run_embedding(paths, "squeezenet", cache=False, device="cpu",
                                batch_size=8, cancel=cancel)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Exception) as info:
        isolation.run_embedding(paths, "squeezenet", cache=False, cancel=token.check)
    assert type(info.value).__name__ == "Cancelled"
    assert len(isolation.run_embedding(paths[:2], "squeezenet", cache=False)) == 2


def test_a_crashed_worker_is_reported_and_replaced(tmp_path, isolated):
    paths = _images(tmp_path / "e", 40)
    isolation.run_embedding(paths[:1], "squeezenet", cache=False)  # start it
    pid = isolation.worker_pid()
    assert pid is not None

    def kill_on_first_progress(_p) -> None:
        if isolation.worker_pid() == pid:
            os.kill(pid, signal.SIGKILL)

    with pytest.raises(isolation.WorkerCrashed, match=r"SIGKILL.*run the node again"):
        isolation.run_embedding(paths, "squeezenet", cache=False, batch_size=4,
                                progress=kill_on_first_progress)
    assert len(isolation.run_embedding(paths[:3], "squeezenet", cache=False)) == 3
    assert isolation.worker_pid() not in (None, pid)


def test_the_calling_process_never_imports_torch(tmp_path):
    paths = _images(tmp_path / "f", 3)
    script = textwrap.dedent(f"""
        import sys
        from petriflow.analysis.embedding import isolation
        r = isolation.run_embedding({paths!r}, "squeezenet", cache=False)
        assert r.vectors.shape == (3, 1000), r.vectors.shape
        assert "torch" not in sys.modules, "torch was imported in the caller"
        print("ok")
    """)
    env = dict(os.environ, PETRIFLOW_CACHE_DIR=str(tmp_path / "cache"))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"


def test_the_worker_may_decode_in_processes(tmp_path, isolated):
    """The worker is not a daemon, so the process decoding of the GPU schedule works
    there (a daemonic worker fell back to threads)."""
    paths = _images(tmp_path / "g", 6)
    got = isolation.run_embedding(paths, "squeezenet", cache=False, device="cpu",
                                  schedule="overlap", decode="processes")
    assert got.decode == "processes"
    ref = embed_paths(paths, "squeezenet", cache=False, device="cpu", runtime="torch")
    np.testing.assert_allclose(got.vectors, ref.vectors, rtol=1e-4, atol=1e-4)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_exit_during_a_run_stops_the_worker_and_its_decoders(tmp_path):
    """An app that exits while the worker decodes in processes neither hangs (a
    non-daemonic child is joined at exit) nor leaves the worker or its decoders behind."""
    paths = _images(tmp_path / "h", 300)
    script = textwrap.dedent(f"""
        import os, threading
        from petriflow.analysis.embedding import isolation

        started = threading.Event()

        def run():
            try:
                isolation.run_embedding({paths!r}, "squeezenet", cache=False,
                    device="cpu", schedule="overlap", decode="processes", batch_size=8,
                    progress=lambda p: p.done and started.set())
            except Exception as exc:
                print("run ended:", type(exc).__name__, flush=True)

        threading.Thread(target=run, daemon=True).start()
        assert started.wait(240), "no progress"
        pid = isolation.worker_pid()
        kids = [int(d) for d in os.listdir("/proc") if d.isdigit()
                and open(f"/proc/{{d}}/stat").read().rsplit(")", 1)[1].split()[2] == str(pid)]
        print("pids", pid, *kids, flush=True)
    """)
    env = dict(os.environ, PETRIFLOW_CACHE_DIR=str(tmp_path / "cache"))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300, env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    line = next(x for x in out.stdout.splitlines() if x.startswith("pids"))
    pids = [int(x) for x in line.split()[1:]]
    assert len(pids) >= 2, out.stdout  # the worker and at least one decode process
    import time

    deadline = time.monotonic() + 20
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pids if _alive(p)], out.stdout
