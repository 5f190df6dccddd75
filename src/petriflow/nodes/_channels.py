"""Image Embedder's multi-channel and cluster paths, and the output assembly that every
path shares (not a node module).

Why apart from ``image_embedder.py``: the node keeps its single-file, in-process path
as it was; image sets (one file per stain and row) and cluster runs go through
:func:`petriflow.analysis.distributed.embed_rows` / ``embed_distributed`` here. All paths
read the image paths with :func:`image_paths` and build the node's two outputs with
:func:`embedder_outputs`, so plain and per-channel images give the same kind of tables
and the same skip reasons and warnings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from petriflow.core.node import Cancelled, CancelToken, NodeContext, NodeError, Progress
from petriflow.core.status import counted
from petriflow.core.table import Table

__all__ = ["embed_table", "embedder_outputs", "image_paths", "run_base_folder"]


def run_base_folder() -> Path:
    """Where cluster runs keep their Parquet shards (under the user cache folder)."""
    from petriflow.analysis.embedding import default_cache_dir

    return Path(default_cache_dir()) / "distributed-runs"


def image_paths(table: Table, column: str, context: NodeContext) -> list[str]:
    """The files named in ``column``, resolved against the workflow's folder ('' where a
    row names none)."""
    out = []
    for v in table.metas[column]:
        if v is None or (isinstance(v, float) and np.isnan(v)) or not str(v).strip():
            out.append("")
        else:
            out.append(str(context.resolve_path(str(v).strip())))
    return out


def embed_table(
    table: Table,
    columns: list[str],
    settings: Any,
    context: NodeContext,
    progress: Progress,
    cancel: CancelToken,
) -> dict[str, Table | None]:
    """Embed ``columns`` of ``table`` (one = plain, several = one grayscale stain each),
    in-process or on ``settings.cluster``; returns the node's two outputs."""
    from petriflow.analysis.distributed import DistributedError, embed_distributed, embed_rows
    from petriflow.analysis.embedding import EmbedderError, EmbeddingCancelled

    per_column = [image_paths(table, c, context) for c in columns]
    rows = [list(r) for r in zip(*per_column, strict=True)]
    names = list(columns) if len(columns) > 1 else ["image"]
    cluster = settings.cluster.strip()
    where = f" on {cluster}" if cluster else ""

    def on_progress(p: Any) -> None:
        progress(p.percent, f"{settings.model}{where}: {p.message()}")

    progress(0, f"{settings.model}{where}: starting")
    try:
        if cluster:
            assembled, stats, _ = embed_distributed(
                rows, names, settings.model, per_channel=settings.per_channel,
                cluster=cluster, run_base=run_base_folder(), progress=on_progress,
                cancel=lambda: cancel.cancelled,
            )
            assert assembled is not None  # assemble=True (the default) returns the vectors
            vectors, ok, reasons, fnames = assembled
            resumed = stats.resumed
        else:
            vectors, ok, reasons, fnames = embed_rows(
                rows, names, settings.model, settings.per_channel, device=settings.device,
                cache=bool(settings.use_cache), progress=on_progress, cancel=cancel.check,
                isolated=context.options.embedding == "worker_process",
            )
            resumed = 0
    except (EmbeddingCancelled, Cancelled, InterruptedError):
        raise Cancelled() from None
    except (EmbedderError, DistributedError) as exc:
        raise NodeError(str(exc)) from None
    outputs = embedder_outputs(table, vectors, ok, fnames, reasons, rows, progress)
    n_embedded = len(outputs["Embeddings"] or ())
    extra = f" ({resumed} shard(s) resumed)" if resumed else ""
    progress(100, f"{n_embedded} embedded{where}{extra}")
    return outputs


def embedder_outputs(
    table: Table,
    vectors: np.ndarray,
    ok: np.ndarray,
    feature_names: list[str],
    reasons: dict[int, str],
    row_paths: list[list[str]],
    progress: Progress,
) -> dict[str, Table | None]:
    """Image Embedder's outputs from an embedding: the embedded rows with their features
    (input order) and the skipped rows with a "skip reason" meta; warns when rows were
    skipped. ``row_paths`` holds each row's file(s): a row that names none is skipped
    with "no image path in this row" rather than a missing file's reason."""
    reasons = {i: ("no image path in this row" if not any(row_paths[i]) else reason)
               for i, reason in reasons.items()}
    embedded = table.take(ok).with_features(vectors, feature_names)
    skipped_rows = np.array(sorted(reasons), dtype=np.int64)
    skipped: Table | None = None
    if len(skipped_rows):
        skipped = table.take(skipped_rows).with_meta(
            "skip reason", np.array([reasons[i] for i in skipped_rows], dtype=object))
        n = len(skipped_rows)
        progress.warn(f"{counted(n, 'image')} skipped (see Skipped Images)")
    if len(embedded) == 0 and len(table):
        progress.warn("No image could be embedded; see Skipped Images for the reasons.")
    return {"Embeddings": embedded, "Skipped Images": skipped}
