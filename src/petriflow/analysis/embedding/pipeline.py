"""The streaming embedding pipeline: cache lookup → threaded decode → batched inference.

Why streaming: a folder may hold tens of thousands of images; holding them all decoded
would need gigabytes. Here only a small window of files is in flight: decoded and
resized to the network's input size in worker threads (Pillow, numpy and torch release
the GIL), batched, run under ``torch.inference_mode()`` in channels_last layout, and each
finished batch is written to the cache at once, so a cancelled run keeps what it did.
Progress (done/total, images/s, ETA) is reported between batches; cancellation is checked
between images (the ONNX runner) or network blocks (torch), so Cancel takes effect
within about one image's compute, not one batch's (Inception v3: a batch of 8 took
~27 s on a busy 2-core machine).

Two schedules: on the CPU, one worker per physical core decodes and embeds its own
batches with one torch thread each (robust when the machine is busy; see
``embed_paths``); on a GPU, CPU threads decode ahead while the main thread feeds the
device — or, for runs of ``PROCESS_MIN_IMAGES`` images and more, worker *processes* decode
whole batches (``decode_procs``: thread decoding is GIL-bound near 1,000 img/s).

On the CPU in fp32 the network runs in ONNX Runtime when it is installed, for every
request whatever its size (``backbones/runtime.py``: torch's vectors to cosine 0.9999,
about half the CPU; the exported model is kept on disk), and large runs switch on
the exact fast resize (``analysis/pillow_resize.py``: Pillow's pixels, a quarter of the
CPU); neither is part of the cache key.
"""

from __future__ import annotations

import collections
import os
import stat
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from petriflow.analysis import pillow_resize
from petriflow.analysis.embedding.backbones import (
    EmbedderSpec,
    LoadedEmbedder,
    get_embedder,
    load_embedder,
    resolve_device,
    resolve_precision,
)
from petriflow.analysis.embedding.backbones.runtime import onnx_runner, resolve_runtime
from petriflow.analysis.embedding.cache import EmbeddingCache, file_digest
from petriflow.analysis.embedding.decode_procs import (
    PROCESS_MIN_IMAGES,
    _Prepared,
    decode_planes,
    processes_allowed,
    run_processes,
)
from petriflow.analysis.embedding.inference import (
    default_batch_size,
    infer_torch,
    run_batch,
    wait_polling,
)
from petriflow.analysis.images import file_problem

__all__ = [
    "EmbedProgress",
    "EmbeddingCancelled",
    "EmbeddingResult",
    "embed_paths",
    "physical_cores",
]


class EmbeddingCancelled(Exception):
    """Raised when the ``cancel`` callable returned True."""


@dataclass(frozen=True)
class EmbedProgress:
    """A progress report: images finished (embedded, cached or skipped) of ``total``."""

    done: int
    total: int
    cached: int
    skipped: int
    images_per_s: float
    eta_s: float | None

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 100.0

    def message(self) -> str:
        parts = [f"{self.done}/{self.total} images"]
        if self.images_per_s > 0:
            parts.append(f"{self.images_per_s:.1f} img/s")
        if self.eta_s is not None and self.done < self.total:
            parts.append(f"ETA {_fmt_seconds(self.eta_s)}")
        if self.cached:
            parts.append(f"{self.cached} from cache")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        return ", ".join(parts)


def _fmt_seconds(s: float) -> str:
    s = max(0, round(s))
    return f"{s // 60}m{s % 60:02d}s" if s >= 60 else f"{s}s"


@dataclass
class EmbeddingResult:
    """Vectors of the images that embedded, in input order, and why others did not.

    ``vectors[i]`` belongs to ``paths[ok_indices[i]]``; ``skipped`` lists
    ``(index, path, reason)``. In per-channel mode ``channel_names`` gives the channel
    order whose vectors are concatenated (and prefixes ``feature_names``).
    """

    vectors: np.ndarray
    ok_indices: np.ndarray
    skipped: list[tuple[int, str, str]]
    feature_names: list[str]
    model: str
    channel_names: tuple[str, ...] = ()
    from_cache: int = 0
    elapsed_s: float = 0.0
    warnings: list[str] = field(default_factory=list)
    #: what ran the network: "torch", "onnxruntime", or "" when nothing was computed
    runtime: str = ""
    #: where images were decoded: "threads", "processes", or "" when none was
    decode: str = ""

    def __len__(self) -> int:
        return len(self.ok_indices)


# ----------------------------------------------------------------------------- helpers
#: images this process was asked to decode; from this many on, the exact fast resize
#: (analysis/pillow_resize.py: Pillow's pixels at ~1/4 of the CPU) is switched on in the
#: background: ~1 s of numba set-up once per process against ~1 ms saved per image
FAST_RESIZE_MIN_IMAGES = 200
_to_decode = {"n": 0, "started": False}


def _maybe_fast_resize(n_images: int) -> None:
    _to_decode["n"] += n_images
    if _to_decode["n"] >= FAST_RESIZE_MIN_IMAGES and not _to_decode["started"]:
        _to_decode["started"] = True  # decoding goes on with Pillow until it is ready
        threading.Thread(target=pillow_resize.activate, name="petriflow-fast-resize",
                         daemon=True).start()


def physical_cores() -> int:
    """Physical cores usable by this process (hyper-threads share a core's FPU; more
    torch threads than physical cores slows convolutions down)."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:
        allowed = list(range(os.cpu_count() or 1))
    cores = set()
    for cpu in allowed:
        try:
            cores.add(Path(f"/sys/devices/system/cpu/cpu{cpu}/topology/core_cpus_list")
                      .read_text().strip())
        except OSError:
            cores.add(str(cpu))
    return max(1, len(cores))


def _stat_key(path: str) -> tuple[str, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):  # a folder, or a FIFO whose read would block forever
        return None
    return (os.path.abspath(path), st.st_size, st.st_mtime_ns)


# ----------------------------------------------------------------------------- main
def embed_paths(
    paths: Sequence[str | os.PathLike[str]],
    model: str | EmbedderSpec = "squeezenet",
    *,
    per_channel: bool = False,
    device: str = "auto",
    cache: EmbeddingCache | bool | None = True,
    progress: Callable[[EmbedProgress], Any] | None = None,
    cancel: Callable[[], Any] | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    weights_path: str | os.PathLike[str] | None = None,
    allow_download: bool = False,
    precision: str = "fp32",
    schedule: str = "auto",
    decode: str = "auto",
    runtime: str = "auto",
) -> EmbeddingResult:
    """Embed image files with a CNN; unreadable files are skipped with a reason.

    Args:
        paths: image files (absolute, or relative to the working directory).
        model: an embedder id (see :func:`available_embedders`) or spec.
        per_channel: embed each channel as its own grayscale image and concatenate the
            vectors (microscopy); otherwise images are used as RGB.
        device: "auto" (CUDA, then MPS, then CPU), "cpu", "cuda" or "mps".
        cache: an :class:`EmbeddingCache`, True for the user cache, False/None for none.
        progress: called with an :class:`EmbedProgress` after each batch.
        cancel: called in the calling thread between images (and every 50 ms
            while it waits for worker threads); it may raise (e.g.
            ``CancelToken.check``) or return True, which raises
            :class:`EmbeddingCancelled`. Worker threads stop at their next image.
        batch_size, workers: tuning (defaults depend on the model and the machine).
        weights_path, allow_download: where the weights are / whether a download is OK.
        precision: "fp32" (default, exact), "bf16" (CPUs with native bfloat16, CUDA) or
            "fp16" (GPUs); part of the cache key. See :func:`resolve_precision`.
        schedule: "auto" (CPU: "workers"; GPU: "overlap"), or either explicitly.
        decode: for the "overlap" schedule: "threads", "processes", or "auto"
            (processes on a GPU from ``PROCESS_MIN_IMAGES`` images to decode; "processes"
            also runs on the CPU, which is how tests compare the two paths).
        runtime: on the CPU in fp32, "auto" runs the network in ONNX Runtime when it is
            installed, for any number of images (torch's vectors to cosine 0.9999,
            ~2× less CPU), else torch; or "torch" /
            "onnxruntime" explicitly. Not part of the cache key. See
            :mod:`~petriflow.analysis.embedding.backbones.runtime`.
    """
    t0 = time.perf_counter()
    spec = model if isinstance(model, EmbedderSpec) else get_embedder(model)
    str_paths = [os.fspath(p) for p in paths]
    n = len(str_paths)
    weights = spec.locate(weights_path, allow_download)  # fails early and clearly
    # device and torch are only needed when something must be computed: a run served
    # entirely from the cache does not even import torch (the CLI answers in ~0.1 s)
    prec = resolve_precision(precision, None)
    model_key = "|".join([
        spec.id, weights.sha256, spec.preprocessing.key(),
        "per-channel" if per_channel else "rgb", prec,
    ])
    store: EmbeddingCache | None
    if cache is True:
        store = EmbeddingCache()
    elif isinstance(cache, EmbeddingCache):
        store = cache
    else:
        store = None
    expected_dim = None if per_channel else spec.dim

    results: dict[int, tuple[np.ndarray, tuple[str, ...]]] = {}
    reasons: dict[int, str] = {}
    n_cached = 0

    # cancel() is only ever called in this (the calling) thread; worker threads see
    # ``stop``, which it sets, and stop before their next image or network block
    stop = threading.Event()
    caller = threading.get_ident()

    def check_cancel() -> None:
        if cancel is None:
            return
        try:
            hit = cancel()
        except BaseException:
            stop.set()
            raise
        if hit:
            stop.set()
            raise EmbeddingCancelled()

    asked = [0.0]  # when halt() last called cancel()

    def halt() -> None:
        """Called before each image / network block, in any thread: cheap (an Event;
        in the caller's thread ``cancel`` at most every 10 ms, as it may be slower)."""
        if stop.is_set():
            raise EmbeddingCancelled()
        if cancel is not None and threading.get_ident() == caller:
            now = time.monotonic()
            if now - asked[0] >= 0.01:
                asked[0] = now
                check_cancel()

    # --- phase A: files whose digest is memoised and whose vector is cached ----------
    stats = [_stat_key(p) for p in str_paths]
    todo: list[int] = []
    if store is not None:
        memo = store.known_digests([s for s in stats if s is not None])
        digests = {i: memo[s[0]] for i, s in enumerate(stats) if s is not None and s[0] in memo}
        hits = store.get_many(model_key, list(digests.values()), expected_dim)
        for i in range(n):
            d = digests.get(i)
            if d is not None and d in hits:
                results[i] = hits[d]
                n_cached += 1
            else:
                todo.append(i)
    else:
        todo = list(range(n))
    for i in todo:
        if stats[i] is None:
            reasons[i] = file_problem(str_paths[i]) or "cannot read the file"
    todo = [i for i in todo if i not in reasons]

    def report(done_new: int, t_start: float) -> None:
        if progress is None:
            return
        done = len(results) + len(reasons)
        elapsed = time.perf_counter() - t_start
        rate = done_new / elapsed if elapsed > 0 and done_new else 0.0
        remaining = n - done
        eta = remaining / rate if rate > 0 else None
        progress(EmbedProgress(done, n, n_cached, len(reasons), rate, eta))

    report(0, t0)
    check_cancel()

    # --- phase B: stream the rest through decode workers and the network -------------
    ran: set[str] = set()
    decoded_in = ""
    if todo:
        dev = resolve_device(device)
        resolve_precision(prec, dev)
        # the request alone decides (never its size or this process's history): the
        # same workflow gives the same vectors in-process, in a worker, on Dask workers
        rt = resolve_runtime(runtime, dev, prec)
        _maybe_fast_resize(len(todo))
        size = spec.preprocessing.size
        draft = size if spec.preprocessing.jpeg_draft else None
        resample = spec.preprocessing.resample

        def prepare(i: int) -> _Prepared:
            if stop.is_set():  # cancelled: decode nothing more
                raise EmbeddingCancelled()
            item = _Prepared(i, stat=stats[i])
            path = str_paths[i]
            try:
                data = Path(path).read_bytes()
            except OSError as exc:
                item.reason = f"cannot read the file: {exc.strerror or exc}"
                return item
            item.digest = file_digest(data)
            if store is not None:
                hit = store.get_many(model_key, [item.digest], expected_dim)
                if hit:
                    item.cached, item.channel_names = hit[item.digest]
                    return item
            item.planes, names, item.reason = decode_planes(data, path, per_channel, size,
                                                            resample, draft)
            item.channel_names = names if item.planes else ()
            return item

        bs = batch_size or default_batch_size(spec, dev)
        cores = physical_cores()
        n_workers = workers or (cores if dev == "cpu" else max(2, cores))

        def get_model() -> LoadedEmbedder:
            return load_embedder(spec, device=dev, weights_path=weights_path,
                                 allow_download=allow_download)

        ort_threads = 1  # the "workers" schedule: one single-threaded network per worker

        def infer(batch: np.ndarray) -> np.ndarray:
            loaded = get_model()
            run = onnx_runner(loaded, ort_threads) if rt == "onnxruntime" else None
            ran.add("onnxruntime" if run is not None else "torch")
            return run(batch, halt) if run is not None else infer_torch(loaded, batch, prec, halt)

        def embed_chunk(indices: list[int]) -> list[_Prepared]:
            """Decode a chunk and run it through the network, all in this thread."""
            items = [prepare(i) for i in indices]
            run_batch(infer, [it for it in items if it.planes], size)
            return items

        t_start = time.perf_counter()
        done_new = 0
        new_memo: list[tuple[str, int, int, str]] = []
        last_report = 0.0

        def consume(items: list[_Prepared]) -> None:
            """Record finished items (main thread): results, reasons, cache, progress."""
            nonlocal done_new, n_cached, last_report
            to_store = []
            for item in items:
                if item.digest is not None and item.stat is not None:
                    new_memo.append((*item.stat, item.digest))
                if item.reason is not None:
                    reasons[item.index] = item.reason
                elif item.cached is not None:
                    results[item.index] = (item.cached, item.channel_names)
                    n_cached += 1
                elif item.vector is not None:
                    results[item.index] = (item.vector, item.channel_names)
                    done_new += 1
                    if item.digest is not None:
                        to_store.append((item.digest, item.vector, item.channel_names))
                item.planes = None  # release pixels at once
            if store is not None and to_store:
                store.put_many(model_key, to_store)
            now = time.perf_counter()
            if now - last_report > 0.2:
                last_report = now
                report(done_new, t_start)
            check_cancel()

        import torch

        chunks = [todo[k:k + bs] for k in range(0, len(todo), bs)]
        previous_threads = torch.get_num_threads()
        pool = ThreadPoolExecutor(max_workers=n_workers, thread_name_prefix="petriflow-embed")
        try:
            mode = schedule if schedule != "auto" else ("workers" if dev == "cpu" else "overlap")
            if mode not in ("workers", "overlap"):
                raise ValueError(f"unknown schedule {schedule!r}")
            decoded_in = "threads"
            if mode == "workers":
                # One worker per physical core, each decoding *and* running its own
                # batches with a single torch thread. Why not torch's intra-op threads:
                # every op then ends in an OpenMP barrier, and when anything else runs
                # on the machine one descheduled thread stalls all others (measured on a
                # busy 2-core machine: 80 vs 10 img/s for SqueezeNet); independent
                # workers degrade gracefully and need no decode/inference hand-off.
                if dev == "cpu":
                    torch.set_num_threads(1)
                window = 2 * n_workers
                futures: collections.deque[Future[list[_Prepared]]] = collections.deque()
                it_chunks = iter(chunks)
                for chunk in it_chunks:
                    futures.append(pool.submit(embed_chunk, chunk))
                    if len(futures) >= window:
                        break
                while futures:
                    items = wait_polling(futures.popleft(), check_cancel)
                    nxt = next(it_chunks, None)
                    if nxt is not None:
                        futures.append(pool.submit(embed_chunk, nxt))
                    consume(items)
            elif processes_allowed() and (decode == "processes" or (
                    decode == "auto" and dev != "cpu" and len(todo) >= PROCESS_MIN_IMAGES)):
                if dev == "cpu":
                    torch.set_num_threads(cores)
                    ort_threads = cores
                decoded_in = "processes"
                run_processes(
                    todo, str_paths, stats, n_workers, bs, per_channel, size, resample,
                    draft, lambda items: run_batch(infer, items, size),
                    consume, store, model_key, expected_dim)
            elif decode not in ("auto", "threads", "processes"):
                raise ValueError(f"unknown decode {decode!r}")
            else:
                # GPU: decoding on the CPU threads overlaps inference on the device.
                if dev == "cpu":
                    torch.set_num_threads(cores)
                    ort_threads = cores
                window = max(4 * bs, 8 * n_workers)
                queue: collections.deque[Future[_Prepared]] = collections.deque()
                it_todo = iter(todo)
                for i in it_todo:
                    queue.append(pool.submit(prepare, i))
                    if len(queue) >= window:
                        break
                pending: list[_Prepared] = []
                n_views = 0
                while queue:
                    item = wait_polling(queue.popleft(), check_cancel)
                    nxt_i = next(it_todo, None)
                    if nxt_i is not None:
                        queue.append(pool.submit(prepare, nxt_i))
                    pending.append(item)
                    n_views += len(item.planes or ())
                    if n_views >= bs or not queue:
                        run_batch(infer, [it for it in pending if it.planes], size)
                        consume(pending)
                        pending, n_views = [], 0
        finally:
            stop.set()  # whatever ended the run: workers stop at their next image
            pool.shutdown(wait=True, cancel_futures=True)
            torch.set_num_threads(previous_threads)
            return_freed_memory()
            if store is not None and new_memo:
                store.remember_digests(new_memo)
        report(done_new, t_start)

    # --- assemble ---------------------------------------------------------------------
    result = _assemble(spec, str_paths, results, reasons, per_channel)
    result.from_cache = n_cached
    result.elapsed_s = time.perf_counter() - t0
    result.runtime = "+".join(sorted(ran))
    result.decode = decoded_in
    if store is not None and cache is True:
        store.close()
    return result


def return_freed_memory() -> None:
    """Hand memory freed by the worker threads back to the system (glibc only).

    Why: each decode/embed worker allocates in its own glibc arena; after the run the
    memory is free but kept by the allocator, so a long session's RSS crept up run after
    run (benchmarks/soak.py, 10,000 images: +11 % and +18 % after rounds 2 and 3 in one
    run; with 100 images +19 % became -1.3 % once ``malloc_trim`` ran, so memory kept
    by the allocator, not a leak). Costs milliseconds, once per run; a no-op where
    there is no ``malloc_trim``.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _assemble(
    spec: EmbedderSpec,
    paths: list[str],
    results: dict[int, tuple[np.ndarray, tuple[str, ...]]],
    reasons: dict[int, str],
    per_channel: bool,
) -> EmbeddingResult:
    warnings: list[str] = []
    order = sorted(results)
    channel_names: tuple[str, ...] = ()
    if per_channel and order:
        ref_vec, ref_names = results[order[0]]
        n_ch = len(ref_vec) // spec.dim
        channel_names = tuple(ref_names) if len(ref_names) == n_ch else tuple(
            f"ch{i}" for i in range(n_ch))
        if len(set(channel_names)) != len(channel_names):  # feature names must be unique
            channel_names = tuple(f"{name}#{i}" for i, name in enumerate(channel_names))
        keep = []
        for i in order:
            vec, _ = results[i]
            if len(vec) != n_ch * spec.dim:
                reasons[i] = (f"has {len(vec) // spec.dim} channels, but the first image has "
                              f"{n_ch}; per-channel mode needs the same channels everywhere")
            else:
                keep.append(i)
        order = keep
        names = [f for ch in channel_names for f in spec.feature_names(ch)]
        dim = n_ch * spec.dim
    else:
        names = spec.feature_names()
        dim = spec.dim
    vectors = np.empty((len(order), dim), dtype=np.float32)
    for row, i in enumerate(order):
        vectors[row] = results[i][0]
    skipped = [(i, paths[i], reasons[i]) for i in sorted(reasons)]
    if skipped:
        warnings.append(f"{len(skipped)} image{'s' if len(skipped) != 1 else ''} skipped")
    return EmbeddingResult(
        vectors=vectors,
        ok_indices=np.asarray(order, dtype=np.int64),
        skipped=skipped,
        feature_names=names,
        model=spec.id,
        channel_names=channel_names,
        warnings=warnings,
    )
