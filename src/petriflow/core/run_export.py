"""Writing node outputs to files for ``petriflow run --out`` (one file per output).

Why here and not in Save Data: ``run --out`` writes whatever a node produced, of any
kind; Save Data (:mod:`petriflow.analysis.table_files`) writes one table in a format the
user picks. Both write a table's CSV through :meth:`Table.to_csv`, atomically through
:mod:`petriflow.core.atomic`, so the same table gives the same bytes.

Tables become CSV with a header, distance matrices ``.npy``, evaluation results JSON
(scores and confusion matrix per learner). Beside evaluation results of two or more
learners, ``<stem>_model-comparison.csv`` holds Test and Score's model comparison table
(one row per ordered pair: P(model better), P(difference negligible), P(other better));
the caller computes it (``analysis.model_comparison.comparison_rows``, with the node's
score and negligible difference) since ``core`` imports nothing above it. Other values
(learners, models) are described but not written: they are recipes, not data.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from petriflow.core.atomic import atomic_save_npy, atomic_write
from petriflow.core.types import DistanceMatrix, EvaluationResults, Table, describe_value

__all__ = ["export_value", "safe_filename"]


def safe_filename(text: str, max_len: int = 60) -> str:
    """A portable file name fragment (letters, digits, dash, underscore)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")
    return slug[:max_len] or "x"


def export_value(value: Any, directory: Path, stem: str,
                 comparison: list[tuple[str, ...]] | str | None = None) -> dict[str, Any]:
    """Write ``value`` under ``directory`` as ``stem.<ext>``; return its run.json record.

    ``comparison`` (evaluation results only): the model comparison's rows, header first,
    written as ``stem_model-comparison.csv``; or why there is none (kept in the record).
    """
    kind, shape, summary = describe_value(value)
    record: dict[str, Any] = {"kind": kind, "shape": list(shape) if shape else None,
                              "summary": summary}
    if isinstance(value, Table):
        path = directory / f"{stem}.csv"
        atomic_write(path, value.to_csv)
    elif isinstance(value, DistanceMatrix):
        path = directory / f"{stem}.npy"
        atomic_save_npy(path, value.values)
    elif isinstance(value, EvaluationResults):
        path = directory / f"{stem}.json"
        text = json.dumps(value.to_json_dict(), indent=2, default=_json_default)
        atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
        if isinstance(comparison, str):
            record["model_comparison"] = comparison
        elif comparison:
            table = directory / f"{stem}_model-comparison.csv"
            atomic_write(table, lambda p: _write_rows(p, comparison))
            record["model_comparison_file"] = table.name
    else:
        return record
    record["file"] = path.name
    return record


def _write_rows(path: Path, rows: list[tuple[str, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return repr(obj)
