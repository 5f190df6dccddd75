"""``petriflow embed FOLDER_OR_CSV --model ID [--per-channel] --out FILE``.

Why a command of its own: embedding is the slow step of every image workflow, and people
want to run it on a server or in a batch job, then open the vectors anywhere. The output
has one row per image: ``path``, ``class`` (first-level subfolder, or the CSV's class
column) and the features; .csv, .npy (features only, plus a ``.paths.txt`` beside it)
or .parquet by extension. ``petriflow embed --clear-cache`` is the "clear cache" action.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import Any

import numpy as np

from petriflow.commands.common import embed_progress_printer
from petriflow.commands.embed_inputs import list_folder_images, read_csv_list

__all__ = ["func", "register"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "embed",
        help="compute deep image features for a folder or a CSV list of images",
        description=(
            "Embed images with a local CNN. A folder is scanned recursively (hidden files "
            "and non-images skipped; the first-level subfolder is the class). A CSV/TSV "
            "needs a column of paths ('path', 'image' or the first column) and may have a "
            "'class' column. Output format by extension: .csv, .npy or .parquet."
        ),
    )
    p.add_argument("source", nargs="?", help="folder of images, or a .csv/.tsv list")
    p.add_argument("--model", default="squeezenet",
                   help="embedder id (default squeezenet); --list-models shows all")
    p.add_argument("--per-channel", action="store_true",
                   help="embed each channel separately and concatenate (microscopy)")
    p.add_argument("--out", "-o", help="output file (.csv, .npy or .parquet)")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or mps")
    p.add_argument("--precision", default="fp32", choices=("fp32", "bf16", "fp16"),
                   help="fp32 (default, exact); bf16 is ~1.6x faster on CPUs with native "
                        "bfloat16 (AVX512-BF16/AMX); fp16 on GPUs")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    p.add_argument("--cache-dir", help="cache folder (default: the user cache)")
    p.add_argument("--clear-cache", action="store_true",
                   help="delete all cached embeddings (alone, or before embedding)")
    p.add_argument("--weights", help="weights file for the model (e.g. Inception v3 .pth)")
    p.add_argument("--allow-download", action="store_true",
                   help="allow downloading missing weights (needs a network)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    p.add_argument("--list-models", action="store_true", help="list embedders and exit")
    p.add_argument("--cluster", metavar="local|ADDRESS",
                   help="embed on a Dask cluster: 'local' (LocalCluster) or a scheduler "
                        "address; shards go to --run-dir as Parquet, a rerun resumes")
    p.add_argument("--workers", type=int, default=None,
                   help="LocalCluster worker processes (default: physical cores)")
    p.add_argument("--run-dir", help="folder for the cluster run's shards "
                                     "(default: the user cache)")
    p.add_argument("--shard-size", type=int, default=32, help="rows per cluster task")
    p.set_defaults(func=func)


# ----------------------------------------------------------------------------- outputs
def _write(out: Path, paths: list[str], classes: list[str], vectors: np.ndarray,
           names: list[str]) -> None:
    """Write the embedding to ``out`` (format by extension), atomically."""
    from petriflow.core.atomic import atomic_save_npy, atomic_write

    ext = out.suffix.lower()
    if ext not in (".npy", ".parquet", ".csv", ".tsv"):
        raise ValueError(f"unknown output format {ext!r}; use .csv, .npy or .parquet")
    out.parent.mkdir(parents=True, exist_ok=True)
    if ext == ".npy":
        atomic_save_npy(out, vectors.astype(np.float32))
        side = out.with_name(out.stem + ".paths.txt")
        text = "".join(f"{p}\t{c}\n" for p, c in zip(paths, classes, strict=True))
        atomic_write(side, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    elif ext == ".parquet":
        atomic_write(out, lambda tmp: _write_parquet(tmp, paths, classes, vectors, names))
    else:
        delimiter = "\t" if ext == ".tsv" else ","
        atomic_write(out, lambda tmp: _write_delimited(tmp, delimiter, paths, classes,
                                                       vectors, names))


def _write_parquet(path: Path, paths: list[str], classes: list[str], vectors: np.ndarray,
                   names: list[str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = {"path": pa.array(paths, pa.string()), "class": pa.array(classes, pa.string())}
    for j, name in enumerate(names):
        cols[name] = pa.array(vectors[:, j], pa.float32())
    pq.write_table(pa.table(cols), path)


def _write_delimited(path: Path, delimiter: str, paths: list[str], classes: list[str],
                     vectors: np.ndarray, names: list[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(["path", "class", *names])
        for p, c, vec in zip(paths, classes, vectors, strict=True):
            w.writerow([p, c, *(f"{v:.7g}" for v in vec)])


# ----------------------------------------------------------------------------- main
def func(args: argparse.Namespace) -> int:
    from petriflow.analysis.embedding import (
        EmbedderError,
        EmbeddingCache,
        available_embedders,
        embed_paths,
        get_embedder,
    )

    if args.list_models:
        specs = available_embedders()
        width = max(len(spec.id) for spec in specs)
        for spec in specs:
            print(f"{spec.id:{width}s} {spec.dim:5d}-d {spec.input_size}²  {spec.display_name}: "
                  f"{spec.description}")
        return 0
    if args.clear_cache:
        with EmbeddingCache(args.cache_dir) as store:
            n = store.clear()
        print(f"cleared {n} cached embeddings from {store.path}", file=sys.stderr)
        if not args.source:
            return 0
    if not args.source:
        print("petriflow embed: give a folder or a CSV list of images", file=sys.stderr)
        return 2
    if not args.out:
        print("petriflow embed: give an output file with --out (.csv, .npy, .parquet)",
              file=sys.stderr)
        return 2
    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".tsv", ".npy", ".parquet"):
        print(f"petriflow embed: unknown output format {out.suffix!r}; use .csv, .npy "
              f"or .parquet", file=sys.stderr)
        return 2
    src = Path(args.source).expanduser()
    from petriflow.analysis.image_sets import is_image_set_csv

    if args.cluster or (src.is_file() and is_image_set_csv(src)):
        # image sets (one file per stain) and cluster runs: commands/_embed_rows.py
        from petriflow.commands._embed_rows import embed_rows_command

        return embed_rows_command(args, src, out, _write)
    if src.is_dir():
        items = list_folder_images(src)
    elif src.is_file():
        try:
            items = read_csv_list(src)
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            print(f"petriflow embed: cannot read {src}: {exc}", file=sys.stderr)
            return 2
    else:
        print(f"petriflow embed: {src} does not exist", file=sys.stderr)
        return 2
    if not items:
        print(f"petriflow embed: no images found in {src}", file=sys.stderr)
        return 1
    try:
        spec = get_embedder(args.model)
    except EmbedderError as exc:
        print(f"petriflow embed: {exc}", file=sys.stderr)
        return 2

    show = embed_progress_printer(spec.display_name, args.quiet)

    cache: Any = False if args.no_cache else EmbeddingCache(args.cache_dir)
    paths = [p for p, _ in items]
    try:
        result = embed_paths(paths, spec, per_channel=args.per_channel, device=args.device,
                             cache=cache, progress=show, batch_size=args.batch_size,
                             precision=args.precision,
                             weights_path=args.weights, allow_download=args.allow_download)
    except EmbedderError as exc:
        print(f"\npetriflow embed: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\npetriflow embed: interrupted (finished batches are cached)", file=sys.stderr)
        return 130
    finally:
        if cache:
            cache.close()
    if not args.quiet:
        print(file=sys.stderr)
    for _, path, reason in result.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    ok = result.ok_indices.tolist()
    _write(out, [paths[i] for i in ok], [items[i][1] for i in ok], result.vectors,
           result.feature_names)
    print(f"{len(ok)} images embedded ({result.from_cache} from cache), "
          f"{len(result.skipped)} skipped, {result.elapsed_s:.1f} s → {out}", file=sys.stderr)
    return 0 if ok else 1
