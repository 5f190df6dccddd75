"""``petriflow embed`` for image sets and ``--cluster`` runs (helper of commands/embed.py).

Why apart: the plain path embeds one file per row in-process; here rows may hold one file
per stain (a CSV with several image columns) and may run on a Dask cluster through
:mod:`petriflow.analysis.distributed`, with resumable Parquet shards.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["embed_rows_command"]


def embed_rows_command(args: argparse.Namespace, src: Path, out: Path,
                       write: Callable[..., None]) -> int:
    """Embed ``src`` (folder, list or image set) per ``args``; exit status."""
    from petriflow.analysis.distributed import DistributedError, embed_distributed, embed_rows
    from petriflow.analysis.embedding import EmbedderError
    from petriflow.analysis.image_import import ImageImportError
    from petriflow.analysis.image_sets import channel_columns, is_image_set_csv, read_image_set
    from petriflow.commands.common import embed_progress_printer
    from petriflow.commands.embed_inputs import list_folder_images, read_csv_list

    if src.is_file() and is_image_set_csv(src):
        try:
            table, warnings = read_image_set(src)
        except ImageImportError as exc:
            print(f"petriflow embed: {exc}", file=sys.stderr)
            return 2
        for w in warnings:
            print(w, file=sys.stderr)
        names = channel_columns(table)
        rows = [[str(table.metas[c][i]) for c in names] for i in range(len(table))]
        classes = ([table.class_values[c] if c >= 0 else "" for c in table.y]
                   if table.y is not None else [""] * len(table))
    else:
        items = list_folder_images(src) if src.is_dir() else read_csv_list(src)
        names = ["image"]
        rows = [[p] for p, _ in items]
        classes = [c for _, c in items]
    if not rows:
        print(f"petriflow embed: no images found in {src}", file=sys.stderr)
        return 1
    show = embed_progress_printer(args.model, args.quiet)

    t0 = time.perf_counter()
    try:
        if args.cluster:
            from petriflow.nodes._channels import run_base_folder

            base = Path(args.run_dir) if args.run_dir else run_base_folder()
            assembled, stats, run_dir = embed_distributed(
                rows, names, args.model, per_channel=args.per_channel or len(names) > 1,
                cluster=args.cluster, run_base=base, shard_size=args.shard_size,
                n_workers=args.workers, progress=show)
            assert assembled is not None  # assemble=True (the default) returns the vectors
            vectors, ok, reasons, fnames = assembled
            note = f", {stats.resumed} of {stats.n_shards} shards resumed from {run_dir}"
        else:
            from petriflow.analysis.embedding import EmbeddingCache

            cache: Any = False if args.no_cache else EmbeddingCache(args.cache_dir)
            vectors, ok, reasons, fnames = embed_rows(
                rows, names, args.model, args.per_channel, device=args.device, cache=cache,
                progress=show)
            note = ""
    except (EmbedderError, DistributedError) as exc:
        print(f"\npetriflow embed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\npetriflow embed: interrupted (finished shards are kept)", file=sys.stderr)
        return 130
    if not args.quiet:
        print(file=sys.stderr)
    for i, reason in sorted(reasons.items()):
        print(f"skipped {rows[i][0]}: {reason}", file=sys.stderr)
    ok_list = ok.tolist()
    write(out, [rows[i][0] for i in ok_list], [classes[i] for i in ok_list], vectors, fnames)
    print(f"{len(ok_list)} rows embedded, {len(reasons)} skipped, "
          f"{time.perf_counter() - t0:.1f} s{note} → {out}", file=sys.stderr)
    return 0 if ok_list else 1
