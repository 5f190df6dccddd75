"""Decoding in worker processes for the GPU schedule (issue 15.3).

Why processes: on a GPU the network is no longer the bottleneck (an H200 runs Inception v3
fp16 at ~7,500 img/s) but decoding in threads tops out near 1,000 img/s and gets *slower*
with more threads: the per-image Python work (Pillow calls, numpy glue) holds the GIL.
Worker processes each have their own GIL. Each worker decodes and resizes a whole batch
with the same functions as the thread path (:func:`decode_planes`: ``load_rgb`` /
``load_image`` + :func:`resize`), so vectors are identical.

Why shared memory for the pixels: a 256-image Inception batch is 68 MB. Measured on the
2-core dev box (load ~2.2), handing it to the main process cost 145-190 ms of main-process
CPU per batch pickled through the pool's pipe, 32-40 ms through a ``SharedMemory`` block
(attach, one copy out, unlink); the main process feeds the GPU, so its time is what counts.
When /dev/shm has too little room (containers often give it 64 MB; writing past it is a
SIGBUS, not an exception) the batch goes pickled instead.

Why 'spawn': the main process may already have initialised CUDA, and a forked CUDA
process is undefined behaviour; spawned workers import only numpy, Pillow and the image
loader (not torch).
"""

from __future__ import annotations

import collections
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from petriflow.analysis.embedding.cache import file_digest
from petriflow.analysis.images import ImageLoadError, load_image, load_rgb

if TYPE_CHECKING:
    from petriflow.analysis.embedding.cache import EmbeddingCache

__all__ = [
    "PROCESS_MIN_IMAGES",
    "DecodeJob",
    "ProcessDecoder",
    "decode_planes",
    "processes_allowed",
    "resize",
    "run_processes",
]

#: Below this many images to decode the thread path is used: starting the worker
#: processes (~0.5 s each, in parallel) would cost more than it saves.
PROCESS_MIN_IMAGES = 256

_RESAMPLE = {"bilinear": 2, "bicubic": 3, "lanczos": 1, "nearest": 0}
_SHM_DIR = "/dev/shm"


@dataclass
class _Prepared:
    """What decoding hands to the network and to ``consume`` for one file."""

    index: int
    digest: str | None = None
    stat: tuple[str, int, int] | None = None
    planes: list[np.ndarray] | None = None  # (S, S, 3) for RGB mode, (S, S) per channel
    channel_names: tuple[str, ...] = ()
    cached: np.ndarray | None = None
    vector: np.ndarray | None = None
    reason: str | None = None


def processes_allowed() -> bool:
    """False inside a daemonic process, which may not have children: the thread path is
    used there. (The app's isolated embedding worker is not daemonic, so it may.)"""
    return not multiprocessing.current_process().daemon


def resize(arr: np.ndarray, size: int, resample: str) -> np.ndarray:
    """``arr`` resized to ``size``×``size`` with Pillow's filter and pixels (a no-op copy
    if it already is; see :mod:`petriflow.analysis.pillow_resize`)."""
    from petriflow.analysis import pillow_resize

    if arr.shape[0] == size and arr.shape[1] == size:
        return np.ascontiguousarray(arr)
    return pillow_resize.resize(np.ascontiguousarray(arr), size, _RESAMPLE.get(resample, 2))


def decode_planes(
    data: bytes, path: str, per_channel: bool, size: int, resample: str, draft: int | None
) -> tuple[list[np.ndarray] | None, tuple[str, ...], str | None]:
    """Decode and resize one file's bytes: ``(planes, channel_names, reason)``.

    Every failure becomes a reason for the user (a decoder bug must cost one file, not
    the run). Shared by the thread and the process paths so both give the same pixels.
    """
    try:
        if per_channel:
            img = load_image(data, target_size=draft, name=path)
            return [resize(p, size, resample) for p in img.channels], img.channel_names, None
        return [load_rgb(data, size, _RESAMPLE.get(resample, 2), target_size=draft,
                         name=path)], (), None
    except ImageLoadError as exc:
        return None, (), exc.reason
    except MemoryError:
        return None, (), "not enough memory to decode this image"
    except Exception as exc:
        return None, (), f"cannot decode the image ({type(exc).__name__}: {exc})"


@dataclass(frozen=True)
class DecodeJob:
    """One batch for a worker: file indices and paths plus the preprocessing."""

    indices: tuple[int, ...]
    paths: tuple[str, ...]
    per_channel: bool
    size: int
    resample: str
    draft: int | None


#: per file: (index, digest or None, reason or None, channel names, number of planes)
_Meta = tuple[int, "str | None", "str | None", tuple[str, ...], int]
#: the batch's planes: ("shm", name, shape) or the array itself (pickled), or None
_Pixels = tuple[str, str, tuple[int, ...]] | np.ndarray | None


def decode_batch(job: DecodeJob) -> tuple[list[_Meta], _Pixels]:
    """Worker side: read, digest, decode and resize every file of ``job``."""
    meta: list[_Meta] = []
    planes: list[np.ndarray] = []
    for i, path in zip(job.indices, job.paths, strict=True):
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            meta.append((i, None, f"cannot read the file: {exc.strerror or exc}", (), 0))
            continue
        got, names, reason = decode_planes(data, path, job.per_channel, job.size,
                                           job.resample, job.draft)
        meta.append((i, file_digest(data), reason, names, len(got or ())))
        planes.extend(got or ())
    if not planes:
        return meta, None
    shape = (len(planes), *planes[0].shape)
    nbytes = int(np.prod(shape))
    if _shm_room() > 4 * nbytes:
        from multiprocessing import shared_memory

        try:
            shm = shared_memory.SharedMemory(create=True, size=nbytes)
        except OSError:
            return meta, np.stack(planes)
        try:
            out = np.ndarray(shape, np.uint8, shm.buf)
            for k, p in enumerate(planes):
                out[k] = p
            del out
            return meta, ("shm", shm.name, shape)
        finally:
            shm.close()
    return meta, np.stack(planes)


def _shm_room() -> int:
    try:
        st = os.statvfs(_SHM_DIR)
    except (OSError, AttributeError):
        return 0
    return st.f_bavail * st.f_frsize


def take_pixels(pixels: _Pixels) -> np.ndarray | None:
    """Main side: the batch's planes as an array we own; a shared block is unlinked."""
    if pixels is None or isinstance(pixels, np.ndarray):
        return pixels
    from multiprocessing import shared_memory

    _, name, shape = pixels
    shm = shared_memory.SharedMemory(name=name)
    try:
        view = np.ndarray(shape, np.uint8, shm.buf)
        out = view.copy()
        del view
    finally:
        shm.close()
        shm.unlink()
    return out


class ProcessDecoder:
    """A pool of spawned decode processes; :meth:`close` leaves none running or leaked."""

    def __init__(self, workers: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=max(1, workers), mp_context=ctx)
        self._futures: set[Future[tuple[list[_Meta], _Pixels]]] = set()

    def submit(self, job: DecodeJob) -> Future[tuple[list[_Meta], _Pixels]]:
        fut = self._pool.submit(decode_batch, job)
        self._futures.add(fut)
        return fut

    def result(
        self, fut: Future[tuple[list[_Meta], _Pixels]]
    ) -> list[tuple[_Meta, list[np.ndarray]]]:
        """Each file's metadata with its planes (views into one owned array)."""
        meta, pixels = fut.result()
        self._futures.discard(fut)
        arr = take_pixels(pixels)
        out = []
        k = 0
        for m in meta:
            n = m[4]
            out.append((m, [arr[j] for j in range(k, k + n)] if arr is not None else []))
            k += n
        return out

    def close(self) -> None:
        """Cancel queued batches, wait for running ones and free their shared blocks
        (after a cancellation or an error), then stop the processes."""
        for fut in self._futures:
            fut.cancel()
        for fut in list(self._futures):
            if fut.cancelled():
                continue
            try:
                _, pixels = fut.result()
                take_pixels(pixels)
            except Exception:  # the run is already failing or cancelled; free what we can
                pass
        self._futures.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)


def make_jobs(
    indices: Sequence[int], paths: Sequence[str], batch: int, per_channel: bool, size: int,
    resample: str, draft: int | None,
) -> list[DecodeJob]:
    """``indices`` cut into jobs of ``batch`` files."""
    jobs = []
    for k in range(0, len(indices), batch):
        idx = tuple(indices[k:k + batch])
        jobs.append(DecodeJob(idx, tuple(paths[i] for i in idx), per_channel, size,
                              resample, draft))
    return jobs


def run_processes(
    todo: Sequence[int],
    paths: Sequence[str],
    stats: Sequence[tuple[str, int, int] | None],
    workers: int,
    batch: int,
    per_channel: bool,
    size: int,
    resample: str,
    draft: int | None,
    run_batch: Callable[[list[_Prepared]], Any],
    consume: Callable[[list[_Prepared]], Any],
    store: EmbeddingCache | None,
    model_key: str,
    expected_dim: int | None,
) -> None:
    """The GPU schedule with process decoding: a window of ``2 * workers`` batches in
    flight; per batch (in order) the cache is asked for the new digests, the rest runs
    through ``run_batch`` and ``consume`` records, reports and checks cancellation.
    Whatever happens, the pool is closed and no shared block is left behind."""
    jobs = iter(make_jobs(todo, paths, batch, per_channel, size, resample, draft))
    decoder = ProcessDecoder(workers)
    try:
        window: collections.deque[Future[tuple[list[_Meta], _Pixels]]] = collections.deque()
        for job in jobs:
            window.append(decoder.submit(job))
            if len(window) >= 2 * workers:
                break
        while window:
            got = decoder.result(window.popleft())
            nxt = next(jobs, None)
            if nxt is not None:
                window.append(decoder.submit(nxt))
            items = []
            for (i, digest, reason, names, _), planes in got:
                items.append(_Prepared(i, digest=digest, stat=stats[i], reason=reason,
                                       planes=planes or None,
                                       channel_names=names if planes else ()))
            if store is not None:
                # the thread path asks per file before decoding; here the digest is only
                # known after, so a hit (a file whose stat memo missed) was decoded in vain
                want = [it.digest for it in items if it.digest and it.planes]
                hits = store.get_many(model_key, want, expected_dim) if want else {}
                for it in items:
                    if it.digest in hits and it.planes:
                        it.cached, it.channel_names = hits[it.digest]
                        it.planes = None
            run_batch([it for it in items if it.planes])
            consume(items)
    finally:
        decoder.close()
