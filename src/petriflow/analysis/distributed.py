"""Embedding (and illumination correction) over a Dask distributed cluster.

Why Dask: a screen produces millions of images; one machine is not enough, and the user
must not rewrite the workflow to use more. The *same* per-shard functions as the
in-process path run on the workers (:func:`embed_rows`), so results agree within float
tolerance. ``cluster`` is ``"local"`` (a :class:`distributed.LocalCluster` with one
single-threaded worker process per physical core) or a scheduler address
(``tcp://host:8786``); the workers must see the image files under the same paths.

Scale properties:

* **streaming** — at most ``2 × workers`` shards are in flight (``as_completed`` with a
  bounded window); a finished shard is written at once as Parquet into the run folder
  and dropped from memory, so memory does not grow with the screen;
* **resume** — the run folder is keyed by the model and the input rows; a rerun skips
  shards whose Parquet file exists;
* **retry** — tasks are submitted with ``retries``; a task on a worker that dies is
  rescheduled by the scheduler on another worker;
* **progress** — finished rows of all shards, images/s and ETA, in one callback.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from petriflow.core.atomic import atomic_write

__all__ = [
    "DistributedError",
    "ShardStats",
    "close_clients",
    "embed_distributed",
    "embed_rows",
    "get_client",
    "map_shards",
    "read_shards",
    "run_folder",
]


class DistributedError(RuntimeError):
    """The cluster cannot be used or a shard failed for good (message for the user)."""


# ----------------------------------------------------------------------------- clients
_clients: dict[tuple[str, int | None], Any] = {}
_clients_lock = threading.Lock()


def get_client(cluster: str, n_workers: int | None = None, timeout: float = 15.0) -> Any:
    """A connected :class:`distributed.Client` for ``"local"``, ``"local:N"`` (N worker
    processes) or a scheduler address.

    Clients are kept per (cluster, workers) for the process, so a workflow that re-runs
    does not pay for starting a LocalCluster (≈ 2 s, mostly importing torch on workers)
    again; :func:`close_clients` runs at exit.
    """
    from distributed import Client, LocalCluster

    cluster = cluster.strip()
    if not cluster:
        raise DistributedError("no cluster given")
    key = (cluster, n_workers)
    with _clients_lock:
        client = _clients.get(key)
        if client is not None and client.status == "running":
            return client
        try:
            if cluster == "local" or cluster.startswith("local:"):
                import dask

                from petriflow.analysis.embedding import physical_cores

                # the workers' statistical profiler samples every thread's stack each
                # 10 ms; with torch in the tasks it cost ~15% (benchmarks/
                # distributed_scaling.py). Set globally: a restarted worker reads it too.
                dask.config.set({"distributed.worker.profile.enabled": False})

                n = n_workers or _local_workers(cluster) or physical_cores()
                lc = LocalCluster(
                    n_workers=n, threads_per_worker=1,
                    processes=True, host="127.0.0.1", dashboard_address=None, silence_logs=40,
                )
                client = Client(lc, set_as_default=False)
            else:
                client = Client(cluster, timeout=timeout, set_as_default=False)
        except OSError as exc:
            raise DistributedError(f"cannot connect to the cluster {cluster!r}: {exc}") from None
        _clients[key] = client
        return client


def _local_workers(cluster: str) -> int | None:
    """The N of "local:N" (None for plain "local"); bad N raises DistributedError."""
    if ":" not in cluster:
        return None
    text = cluster.split(":", 1)[1]
    if not text.isdigit() or int(text) < 1:
        raise DistributedError(f"bad cluster {cluster!r}: use local, local:N or an address")
    return int(text)


def close_clients() -> None:
    """Close every client (and LocalCluster) this process started."""
    with _clients_lock:
        for client in _clients.values():
            cluster = getattr(client, "cluster", None)
            try:
                client.close()
                if cluster is not None:
                    cluster.close()
            except Exception:  # closing at exit must never raise
                pass
        _clients.clear()


atexit.register(close_clients)


# ----------------------------------------------------------------------------- shards
@dataclass
class ShardStats:
    """What a sharded run did: shards skipped (resumed), computed, and timing."""

    n_shards: int = 0
    resumed: int = 0
    computed: int = 0
    rows: int = 0
    elapsed_s: float = 0.0
    max_in_flight: int = 0
    workers_seen: set[str] = field(default_factory=set)


def map_shards(
    client: Any,
    func: Callable[..., Any],
    shards: Sequence[Any],
    *,
    is_done: Callable[[int], bool] = lambda i: False,
    consume: Callable[[int, Any], int] = lambda i, r: 0,
    progress: Callable[[int, int, float], None] | None = None,
    cancel: Callable[[], Any] | None = None,
    retries: int = 3,
    window: int | None = None,
    args: tuple[Any, ...] = (),
) -> ShardStats:
    """Run ``func(shard, *args)`` for every shard not ``is_done`` on the cluster.

    Results are handed to ``consume(index, result)`` (in the client, as they finish) and
    then dropped; it returns how many rows the shard held, for progress. At most
    ``window`` tasks are in flight (default: twice the workers' threads), which bounds
    memory on both sides. ``progress(done_rows, n_shards_done, images_per_s)``.
    """
    from distributed import as_completed

    t0 = time.perf_counter()
    stats = ShardStats(n_shards=len(shards))
    todo = []
    for i in range(len(shards)):
        if is_done(i):
            stats.resumed += 1
        else:
            todo.append(i)
    if window is None:
        window = max(2, 2 * sum(client.nthreads().values()))
    big_args = [client.scatter(a, broadcast=True) if isinstance(a, np.ndarray) else a
                for a in args]
    pending = iter(todo)
    keys: dict[Any, int] = {}
    ac = as_completed(loop=client.loop)

    def submit_next() -> bool:
        i = next(pending, None)
        if i is None:
            return False
        fut = client.submit(func, shards[i], *big_args, retries=retries, pure=False,
                            key=f"petriflow-shard-{i}-{os.urandom(4).hex()}")
        keys[fut.key] = i
        ac.add(fut)
        return True

    for _ in range(window):
        if not submit_next():
            break
    stats.max_in_flight = ac.count()
    rows_done = 0
    try:
        for fut in ac:
            i = keys.pop(fut.key)
            try:
                result = fut.result()
            except Exception as exc:
                raise DistributedError(
                    f"shard {i} failed after {retries} retries: {type(exc).__name__}: {exc}"
                ) from exc
            fut.release()
            rows_done += consume(i, result)
            del result
            stats.computed += 1
            if cancel is not None and cancel():
                raise InterruptedError("cancelled")
            submit_next()
            stats.max_in_flight = max(stats.max_in_flight, ac.count())
            if progress is not None:
                el = time.perf_counter() - t0
                progress(rows_done, stats.resumed + stats.computed,
                         rows_done / el if el > 0 else 0.0)
    except BaseException:
        for fut in list(ac.futures):
            fut.cancel()
        raise
    stats.rows = rows_done
    stats.elapsed_s = time.perf_counter() - t0
    return stats


# ----------------------------------------------------------------------------- embedding
def embed_rows(
    rows: Sequence[Sequence[str]],
    channel_names: Sequence[str],
    model: str,
    per_channel: bool,
    device: str = "cpu",
    cache: Any = False,
    progress: Callable[[Any], Any] | None = None,
    cancel: Callable[[], Any] | None = None,
    workers: int | None = None,
    isolated: bool = False,
) -> tuple[np.ndarray, np.ndarray, dict[int, str], list[str]]:
    """Embed rows of files (one file per channel column) and concatenate per row.

    With one column this is plain :func:`embed_paths` (RGB, or per-channel planes of a
    multi-channel file); with several, each column is embedded as grayscale and the
    vectors concatenated (feature names prefixed by the column). The in-process node and
    the cluster workers call exactly this. ``isolated``: embed in the desktop app's
    worker process (the node sets it when its context's ``RunOptions`` say so; torch
    then never loads in the GUI process). Returns (vectors, ok rows, reasons, names).
    """
    from petriflow.analysis.embedding import EmbeddingResult, embed_paths
    from petriflow.analysis.image_sets import embed_image_set

    embed: Callable[..., EmbeddingResult] = embed_paths
    if isolated:
        from petriflow.analysis.embedding.isolation import run_embedding

        embed = run_embedding

    n_ch = len(channel_names)
    columns = [[r[c] for r in rows] for c in range(n_ch)]
    total = len(rows) * n_ch
    done_before = [0]

    def one(paths: list[str]) -> tuple[np.ndarray, np.ndarray, list[tuple[int, str, str]],
                                       list[str]]:
        def prog(p: Any) -> None:
            if progress is not None:
                from petriflow.analysis.embedding import EmbedProgress

                progress(EmbedProgress(done_before[0] + p.done, total, p.cached, p.skipped,
                                       p.images_per_s, None))

        options: dict[str, Any] = {"per_channel": per_channel or n_ch > 1,
                                   "device": device, "cache": cache}
        if workers is not None:
            options["workers"] = workers
        res = embed(paths, model, progress=prog, cancel=cancel, **options)
        done_before[0] += len(paths)
        return res.vectors, res.ok_indices, res.skipped, res.feature_names

    if n_ch == 1:
        vectors, ok, skipped, names = one(columns[0])
        return vectors, np.asarray(ok, np.int64), {int(i): r for i, _, r in skipped}, names
    return embed_image_set(columns, channel_names, one)


_malloc_tuned = False


def _tune_malloc() -> None:
    """Undo the small glibc trim threshold Dask's nanny sets for its workers.

    Why: ``MALLOC_TRIM_THRESHOLD_=65536`` (Dask's default worker environment) also pins
    glibc's mmap threshold, so every large torch buffer is mmapped, page-faulted and
    unmapped again on each layer: measured 2× slower SqueezeNet in a worker than in
    this process. 256 MiB thresholds restore in-process speed; memory stays bounded by
    the network's working set.
    """
    global _malloc_tuned
    if _malloc_tuned:
        return
    _malloc_tuned = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 1 << 28)  # M_TRIM_THRESHOLD
        libc.mallopt(-3, 1 << 28)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # not glibc (macOS, Windows): nothing to undo
        pass


def _embed_shard(shard: tuple[int, list[list[str]]], channel_names: list[str], model: str,
                 per_channel: bool) -> dict[str, Any]:
    """Worker side: embed one shard on the worker's CPU, one torch thread."""
    _tune_malloc()
    start, rows = shard
    vectors, ok, reasons, names = embed_rows(rows, channel_names, model, per_channel,
                                             device="cpu", cache=False, workers=1)
    return {"start": start, "n": len(rows), "vectors": vectors, "ok": ok,
            "reasons": reasons, "names": names, "pid": os.getpid()}


def run_folder(base: str | os.PathLike[str], rows: Sequence[Sequence[str]],
               channel_names: Sequence[str], model: str, per_channel: bool,
               shard_size: int) -> Path:
    """The run folder for these inputs: ``base/<key>``, the key hashing model, mode,
    shard size and every file path, so a rerun of the same inputs resumes there."""
    h = hashlib.blake2b(digest_size=10)
    h.update(json.dumps([model, per_channel, list(channel_names), shard_size]).encode())
    for r in rows:
        h.update("\x1f".join(r).encode())
        h.update(b"\x1e")
    return Path(base) / f"embed-{model}-{h.hexdigest()}"


def _shard_path(run_dir: Path, i: int) -> Path:
    return run_dir / f"shard-{i:06d}.parquet"


def _write_shard(path: Path, result: dict[str, Any]) -> None:
    """One shard as Parquet: row, reason (null when embedded), features (float32 list)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    start, n = result["start"], result["n"]
    ok_rows = np.asarray(result["ok"], dtype=np.int64)
    vectors = np.asarray(result["vectors"], dtype=np.float32)
    dim = vectors.shape[1] if vectors.ndim == 2 else 0
    full = np.zeros((n, dim), dtype=np.float32)
    full[ok_rows] = vectors
    ok_set = set(ok_rows.tolist())
    reasons = [None if i in ok_set else result["reasons"].get(i, "not embedded")
               for i in range(n)]
    flat = pa.array(full.reshape(-1), type=pa.float32())
    table = pa.table({
        "row": pa.array(np.arange(start, start + n, dtype=np.int64)),
        "reason": pa.array(reasons, type=pa.string()),
        "features": pa.FixedSizeListArray.from_arrays(flat, dim) if dim else
        pa.array([[] for _ in range(n)], type=pa.list_(pa.float32())),
    }, metadata={"feature_names": json.dumps(result["names"])})
    atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def read_shards(run_dir: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray,
                                                          dict[int, str], list[str]]:
    """Assemble a finished run: (vectors of embedded rows, their rows, reasons, names)."""
    import pyarrow.parquet as pq

    files = sorted(Path(run_dir).glob("shard-*.parquet"))
    vec_parts, row_parts = [], []
    reasons: dict[int, str] = {}
    names: list[str] = []
    for f in files:
        t = pq.read_table(f)
        meta = t.schema.metadata or {}
        if not names and b"feature_names" in meta:
            names = json.loads(meta[b"feature_names"])
        rows = t.column("row").to_numpy()
        reason = t.column("reason").to_pylist()
        ok = np.array([r is None for r in reason], dtype=bool)
        feats = t.column("features").combine_chunks()
        dim = len(names)
        X = np.asarray(feats.flatten().to_numpy(zero_copy_only=False),
                       dtype=np.float32).reshape(len(rows), dim)
        vec_parts.append(X[ok])
        row_parts.append(rows[ok])
        for r, why in zip(rows[~ok], [x for x in reason if x is not None], strict=True):
            reasons[int(r)] = why
    if not vec_parts:
        return np.zeros((0, len(names)), np.float32), np.zeros(0, np.int64), reasons, names
    rows_all = np.concatenate(row_parts)
    order = np.argsort(rows_all, kind="stable")
    return np.concatenate(vec_parts)[order], rows_all[order], reasons, names


def embed_distributed(
    rows: Sequence[Sequence[str]],
    channel_names: Sequence[str],
    model: str,
    *,
    per_channel: bool,
    cluster: str | Any,
    run_base: str | os.PathLike[str],
    shard_size: int = 32,
    n_workers: int | None = None,
    progress: Callable[[Any], Any] | None = None,
    cancel: Callable[[], Any] | None = None,
    retries: int = 3,
    on_shard: Callable[[int, dict[str, Any]], None] | None = None,
    assemble: bool = True,
    shard_fn: Callable[..., dict[str, Any]] | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray, dict[int, str], list[str]] | None, ShardStats, Path]:
    """Embed rows of files on a cluster; Parquet shards into a resumable run folder.

    ``cluster`` is "local", an address, or a connected ``distributed.Client``. Returns
    (the same tuple as :func:`embed_rows`, shard statistics, the run folder).
    ``assemble=False`` leaves the results in the Parquet shards (returns None for them):
    a screen of millions of rows is then never held in memory. ``shard_fn`` replaces the
    per-shard embedding (same arguments and result; benchmarks simulate with it).
    """
    from petriflow.analysis.embedding import EmbedProgress, get_embedder

    get_embedder(model)  # an unknown model fails here, not on every worker
    client = cluster if not isinstance(cluster, str) else get_client(cluster, n_workers)
    rows = [list(r) for r in rows]
    run_dir = run_folder(run_base, rows, channel_names, model, per_channel, shard_size)
    run_dir.mkdir(parents=True, exist_ok=True)
    shards = [(s, rows[s:s + shard_size]) for s in range(0, len(rows), shard_size)]
    total = len(rows) * len(channel_names)
    t0 = time.perf_counter()
    resumed_rows = sum(len(shards[i][1]) for i in range(len(shards))
                       if _shard_path(run_dir, i).exists())

    def consume(i: int, result: dict[str, Any]) -> int:
        _write_shard(_shard_path(run_dir, i), result)
        if on_shard is not None:
            on_shard(i, result)
        return result["n"] * len(channel_names)

    def report(done: int, n_shards: int, rate: float) -> None:
        if progress is None:
            return
        finished = done + resumed_rows * len(channel_names)
        eta = (total - finished) / rate if rate > 0 else None
        progress(EmbedProgress(finished, total, resumed_rows * len(channel_names), 0,
                               rate, eta))

    stats = map_shards(
        client, shard_fn or _embed_shard, shards,
        is_done=lambda i: _shard_path(run_dir, i).exists(),
        consume=consume, progress=report, cancel=cancel, retries=retries,
        args=(list(channel_names), model, per_channel),
    )
    stats.elapsed_s = time.perf_counter() - t0
    return (read_shards(run_dir) if assemble else None), stats, run_dir
