"""Correct a whole image table: estimate per (plate, channel), then divide every file.

Why a module apart from :mod:`illumination`: that one is the maths on arrays; this one
walks a table's channel columns, names output files, keeps a resumable output folder and
runs the two passes either in-process or as shards on a Dask cluster (the same shard
functions either way, so results agree).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from petriflow.analysis.illumination import (
    IlluminationError,
    IlluminationSum,
    accumulate,
    correct_file,
    corrected_path,
    illumination_function,
)
from petriflow.core.atomic import atomic_save_npy, atomic_write_bytes

__all__ = ["CorrectionPlan", "correct_channels", "plan_correction"]

SHARD = 64


@dataclass
class CorrectionPlan:
    """Which files belong to which (plate, channel) and where corrected copies go."""

    out_dir: Path
    groups: dict[tuple[str, str], list[int]]  # (plate, channel) -> row positions
    sources: dict[str, list[str]]  # channel -> source path per row
    targets: dict[str, list[str]]  # channel -> corrected path per row


def plan_correction(
    sources: dict[str, list[str]], plates: Sequence[str], out_base: str | os.PathLike[str],
    settings_key: str,
) -> CorrectionPlan:
    """Group rows by plate and channel; the output folder is keyed by inputs + settings."""
    h = hashlib.blake2b(digest_size=10)
    h.update(settings_key.encode())
    for ch, paths in sorted(sources.items()):
        h.update(ch.encode())
        for p, plate in zip(paths, plates, strict=True):
            try:
                st = os.stat(p)
                stamp = f"{st.st_size}:{st.st_mtime_ns}"
            except OSError:
                stamp = "missing"
            h.update(f"{plate}\x1f{p}\x1f{stamp}\x1e".encode())
    out_dir = Path(out_base) / f"illum-{h.hexdigest()}"
    groups: dict[tuple[str, str], list[int]] = {}
    for ch in sources:
        for i, plate in enumerate(plates):
            groups.setdefault((str(plate), ch), []).append(i)
    targets = {ch: [str(corrected_path(out_dir, ch, p)) for p in paths]
               for ch, paths in sources.items()}
    return CorrectionPlan(out_dir, groups, sources, targets)


def _function_path(out_dir: Path, plate: str, channel: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in f"{plate}_{channel}")
    return out_dir / "functions" / f"{safe}.npy"


def _accumulate_shard(shard: tuple[tuple[str, str], list[str]]) -> tuple[Any, IlluminationSum]:
    key, paths = shard
    acc = accumulate(paths)
    assert acc is not None
    return key, acc


def _correct_shard(shard: tuple[str, list[tuple[str, str]]]) -> int:
    func_path, pairs = shard
    func = np.load(func_path)
    for src, dst in pairs:
        correct_file(src, func, dst)
    return len(pairs)


def correct_channels(
    plan: CorrectionPlan,
    *,
    smoothing: str = "median",
    filter_fraction: float = 0.25,
    cluster: str | Any = "",
    progress: Callable[[float, str], None] | None = None,
    cancel: Callable[[], Any] | None = None,
) -> dict[str, list[str]]:
    """Estimate every (plate, channel) function and write corrected copies.

    Returns channel -> corrected path per row. Files already corrected in the output
    folder are kept (resume). ``cluster`` "" runs in this process.
    """
    plan.out_dir.mkdir(parents=True, exist_ok=True)
    # pass 1: sums per (plate, channel), in shards of SHARD files
    shards1: list[tuple[tuple[str, str], list[str]]] = []
    for key, rows in plan.groups.items():
        if _function_path(plan.out_dir, *key).exists():
            continue
        paths = [plan.sources[key[1]][i] for i in rows]
        shards1.extend((key, paths[k:k + SHARD]) for k in range(0, len(paths), SHARD))
    sums: dict[tuple[str, str], IlluminationSum] = {}

    def merge(_: int, result: tuple[Any, IlluminationSum]) -> int:
        key, acc = result
        key = tuple(key)
        sums[key] = acc if key not in sums else sums[key].merge(acc)
        return acc.count

    n_files = sum(len(r) for r in plan.groups.values())
    client = None
    if cluster:
        from petriflow.analysis.distributed import get_client, map_shards

        client = cluster if not isinstance(cluster, str) else get_client(cluster)
        map_shards(client, _accumulate_shard, shards1, consume=merge, cancel=cancel,
                   progress=lambda d, s, r: progress and progress(
                       40.0 * d / max(1, n_files), "estimating illumination"))
    else:
        done = 0
        for k, shard in enumerate(shards1):
            if cancel is not None and cancel():
                raise InterruptedError("cancelled")
            done += merge(k, _accumulate_shard(shard))
            if progress:
                progress(40.0 * done / max(1, n_files), "estimating illumination")
    for key, acc in sums.items():
        func = illumination_function(acc, smoothing=smoothing, filter_fraction=filter_fraction)
        path = _function_path(plan.out_dir, *key)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_save_npy(path, func)
    # pass 2: divide and write, skipping files already written
    shards2: list[tuple[str, list[tuple[str, str]]]] = []
    for key, rows in plan.groups.items():
        fp = str(_function_path(plan.out_dir, *key))
        pairs = [(plan.sources[key[1]][i], plan.targets[key[1]][i]) for i in rows
                 if not os.path.exists(plan.targets[key[1]][i])]
        shards2.extend((fp, pairs[k:k + SHARD]) for k in range(0, len(pairs), SHARD))
    n2 = sum(len(p) for _, p in shards2)
    if client is not None:
        from petriflow.analysis.distributed import map_shards

        map_shards(client, _correct_shard, shards2, consume=lambda i, r: r, cancel=cancel,
                   progress=lambda d, s, r: progress and progress(
                       40.0 + 60.0 * d / max(1, n2), "correcting images"))
    else:
        done = 0
        for pair_shard in shards2:
            if cancel is not None and cancel():
                raise InterruptedError("cancelled")
            done += _correct_shard(pair_shard)
            if progress:
                progress(40.0 + 60.0 * done / max(1, n2), "correcting images")
    atomic_write_bytes(plan.out_dir / "done.json", json.dumps({"files": n_files}).encode())
    missing = [t for ts in plan.targets.values() for t in ts if not os.path.exists(t)]
    if missing:
        raise IlluminationError(f"{len(missing)} corrected file(s) were not written")
    return plan.targets
