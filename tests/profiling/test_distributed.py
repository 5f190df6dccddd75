"""The profiling workflow on a Dask LocalCluster (2 worker processes) equals the
in-process run; a killed worker's shards are redone; a rerun resumes from Parquet shards.

Worker processes (``processes=True``), not threads: that is how a real cluster runs (the
model is loaded per process, results cross a process boundary) and it is the only way
to kill a worker for real. Budget: ≈ 40 s on a 2-core machine.
"""

from __future__ import annotations

import csv
import json
import os
import signal
from pathlib import Path

import numpy as np
import pytest

from petriflow.analysis.distributed import (
    DistributedError,
    embed_distributed,
    embed_rows,
    get_client,
    read_shards,
)
from petriflow.analysis.image_sets import channel_columns, read_image_set
from petriflow.commands.run import apply_cluster, run_workflow
from petriflow.core.ows import load_workflow
from petriflow.core.scheduler import NodeState

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKFLOW = os.path.join(ROOT, "workflows", "morphological-profiling.ows")


#: what the workers must not read from the user's environment (conftest's _private_dirs)
PRIVATE_DIRS = ("PETRIFLOW_CACHE_DIR", "PETRIFLOW_WEIGHTS_DIR")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """One LocalCluster of two single-threaded worker processes for this module.

    The workers copy this process's environment when they start, which is before the
    function-scoped ``_private_dirs`` sets private folders (for this process only): so
    the private folders are set here, before the cluster starts, and put back after;
    otherwise the workers wrote into the user's ~/.cache/petriflow."""
    from distributed import Client, LocalCluster

    base = tmp_path_factory.mktemp("cluster-dirs")
    saved = {k: os.environ.get(k) for k in PRIVATE_DIRS}
    os.environ["PETRIFLOW_CACHE_DIR"] = str(base / "cache")
    os.environ["PETRIFLOW_WEIGHTS_DIR"] = str(base / "weights")
    try:
        lc = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None, silence_logs=40)
        client = Client(lc, set_as_default=False)
        yield client
        from petriflow.analysis.distributed import close_clients

        close_clients()  # the workflow's own client of this address
        client.close()
        lc.close()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _worker_dirs() -> dict[str, str | None]:
    return {k: os.environ.get(k) for k in PRIVATE_DIRS}


def test_workers_use_private_folders(cluster, tmp_path_factory):
    """Each worker's cache and weights folders lie under pytest's temporary folder."""
    base = str(tmp_path_factory.getbasetemp())
    found = cluster.run(_worker_dirs)
    assert len(found) == 2
    for dirs in found.values():
        assert all(v is not None and v.startswith(base) for v in dirs.values()), dirs


def _run(screen, tmp_path, cluster_arg):
    wf = load_workflow(WORKFLOW)
    imp = wf.find_node("Import Images")
    wf.update_settings(imp.id, folder=str(screen.metadata))
    ill = wf.find_node("Illumination Correction")
    wf.update_settings(ill.id, output_folder=str(tmp_path / "corrected"))
    emb = wf.find_node("Image Embedder")
    wf.update_settings(emb.id, use_cache=False)
    if cluster_arg:
        assert apply_cluster(wf, cluster_arg) == 2  # correction and embedder
    else:
        assert apply_cluster(wf, "") == 2
    scheduler, settled = run_workflow(wf, timeout=300)
    assert settled
    states = {n.title: scheduler.status(n.id) for n in wf.nodes}
    assert all(s.state in (NodeState.DONE, NodeState.WARNING) for s in states.values()), {
        k: (s.state, s.message) for k, s in states.items()}
    out = {n.title: scheduler.outputs(n.id) for n in wf.nodes}
    return out, states


def _cli_run(screen, tmp_path, *extra):
    """``petriflow run`` of the example on the generated screen; returns run.json."""
    from petriflow import cli

    out = tmp_path / "out"
    code = cli.main([
        "run", WORKFLOW, "--quiet", "--out", str(out),
        "--set", f"Import Images.folder={screen.metadata}",
        "--set", f"Illumination Correction.output_folder={tmp_path / 'corrected'}",
        *extra,
    ])
    report = json.loads((out / "run.json").read_text())
    assert code == 0, report
    return {n["title"]: n for n in report["nodes"]}, out


def test_profiling_workflow_on_two_workers_equals_in_process(screen, tmp_path, cluster):
    """In-process (scheduler API) vs ``petriflow run --cluster ADDRESS`` (2 workers)."""
    address = cluster.scheduler.address
    local, _ = _run(screen, tmp_path / "a", "")
    nodes, out = _cli_run(screen, tmp_path / "b", "--cluster", address,
                          "--set", "Image Embedder.use_cache=false")
    # both cluster-capable nodes ran there: corrected files in b/, Parquet shards in the
    # cluster run folder (36 rows in shards of 32)
    corrected = (out / nodes["Illumination Correction"]["outputs"]["Corrected Images"]["file"])
    assert str(tmp_path / "b" / "corrected") in corrected.read_text()
    runs = list((Path(os.environ["PETRIFLOW_CACHE_DIR"]) / "distributed-runs").glob("*/*.parquet"))
    assert len(runs) == 2
    pa = local["Aggregate Profiles"]["Profiles"]
    assert len(pa) == 16 and pa.n_features == 3000 and pa.feature_names[0] == "DNA:n0"
    with open(out / nodes["Aggregate Profiles"]["outputs"]["Profiles"]["file"]) as fh:
        header, *rows = list(csv.reader(fh))
    assert header[:3000] == list(pa.feature_names)
    pb = np.array([[float(v) for v in r[:3000]] for r in rows])
    assert [r[header.index("compound")] for r in rows] == list(pa.metas["compound"])
    assert [r[header.index("moa")] for r in rows] == [pa.class_values[c] for c in pa.y]
    np.testing.assert_allclose(pa.X, pb, rtol=1e-4, atol=1e-4)
    ra = local["Test and Score"]["Evaluation Results"]
    rb = json.loads((out / nodes["Test and Score"]["outputs"]["Evaluation Results"]["file"])
                    .read_text())
    assert rb["method"] == "cross_validation_by_feature"
    assert rb["class_values"] == list(ra.class_values)
    learner = rb["learners"][0]
    assert learner["name"] == "1-NN cosine"
    assert learner["scores"]["CA"] == pytest.approx(ra.scores["1-NN cosine"]["CA"])
    k = len(ra.class_values)
    cm = np.zeros((k, k), int)
    for a, p in zip(ra.actual, ra.predicted[0], strict=True):
        cm[a, p] += 1
    assert learner["confusion_matrix"] == cm.tolist()
    # leave-one-compound-out: 8 compounds, so 8 folds
    assert len(np.unique(ra.folds)) == 8


def _rows(screen):
    table, _ = read_image_set(screen.metadata)
    cols = channel_columns(table)
    return [[table.metas[c][i] for c in cols] for i in range(len(table))], cols


def test_a_killed_worker_does_not_lose_shards(screen, tmp_path, cluster):
    rows, cols = _rows(screen)
    rows = rows[:16]
    killed: list[int] = []

    def kill_one(i, result):
        if killed:
            return
        pids = cluster.run(os.getpid)  # worker address -> pid
        busy = cluster.processing()
        victim = next((a for a, keys in busy.items() if keys), next(iter(pids)))
        killed.append(pids[victim])
        os.kill(pids[victim], signal.SIGKILL)

    (X, ok, reasons, names), stats, _run_dir = embed_distributed(
        rows, cols, "squeezenet", per_channel=True, cluster=cluster, run_base=tmp_path,
        shard_size=2, on_shard=kill_one)
    assert killed, "no worker was killed"
    assert stats.computed == stats.n_shards == 8
    assert ok.tolist() == list(range(16)) and reasons == {}
    ref, _ref_ok, _, ref_names = embed_rows(rows, cols, "squeezenet", True, cache=False)
    assert names == ref_names
    np.testing.assert_allclose(X, ref, rtol=1e-4, atol=1e-4)


def test_rerun_resumes_from_finished_shards(screen, tmp_path, cluster):
    rows, cols = _rows(screen)
    rows = rows[:6]
    first = embed_distributed(rows, cols, "squeezenet", per_channel=True, cluster=cluster,
                              run_base=tmp_path, shard_size=2)
    (_, _, _, _), stats1, run_dir = first
    assert stats1.computed == 3 and stats1.resumed == 0
    assert len(list(run_dir.glob("shard-*.parquet"))) == 3
    seen = []
    (X2, _ok2, _, _), stats2, run_dir2 = embed_distributed(
        rows, cols, "squeezenet", per_channel=True, cluster=cluster, run_base=tmp_path,
        shard_size=2, progress=seen.append)
    assert run_dir2 == run_dir and stats2.computed == 0 and stats2.resumed == 3
    assert seen == []  # nothing computed, nothing to report
    np.testing.assert_array_equal(X2, first[0][0])
    # a lost shard file is the only one computed again
    (run_dir / "shard-000001.parquet").unlink()
    _, stats3, _ = embed_distributed(rows, cols, "squeezenet", per_channel=True,
                                     cluster=cluster, run_base=tmp_path, shard_size=2)
    assert stats3.computed == 1 and stats3.resumed == 2
    X4, _ok4, _, _ = read_shards(run_dir)
    np.testing.assert_array_equal(X4, X2)
    # other inputs get their own run folder
    _, _, other = embed_distributed(rows[:2], cols, "squeezenet", per_channel=True,
                                    cluster=cluster, run_base=tmp_path, shard_size=2)
    assert other != run_dir


def test_bad_clusters_are_refused():
    with pytest.raises(DistributedError, match="local:N"):
        get_client("local:zero")
    with pytest.raises(DistributedError, match="no cluster"):
        get_client("  ")
    with pytest.raises(DistributedError, match="cannot connect"):
        get_client("tcp://127.0.0.1:1", timeout=1)


def test_embed_command_on_the_cluster_resumes(screen, tmp_path, cluster, capsys):
    """``petriflow embed SET.csv --cluster ADDRESS``: Parquet out; a rerun resumes."""
    import pyarrow.parquet as pq

    from petriflow import cli

    args = ["embed", str(screen.metadata), "--cluster", cluster.scheduler.address,
            "--run-dir", str(tmp_path / "runs"), "--shard-size", "16", "--quiet"]
    assert cli.main([*args, "--out", str(tmp_path / "a.parquet")]) == 0
    first = capsys.readouterr().err
    assert "36 rows embedded, 0 skipped" in first and "0 of 3 shards resumed" in first
    t = pq.read_table(tmp_path / "a.parquet")
    assert t.num_rows == 36 and "Actin:n999" in t.column_names
    assert t.column("class").to_pylist()[0] == ""  # the set has no class column
    assert cli.main([*args, "--out", str(tmp_path / "b.parquet")]) == 0
    assert "3 of 3 shards resumed" in capsys.readouterr().err
    assert pq.read_table(tmp_path / "b.parquet").equals(t)
    assert cli.main(["embed", str(screen.metadata), "--cluster", "local:0",
                     "--out", str(tmp_path / "c.parquet"), "--quiet"]) == 2
