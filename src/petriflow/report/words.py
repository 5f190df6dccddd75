"""A node's settings and outputs in words, for a report reader rather than a developer.

Why not ``repr(settings)``: a report is read by a teacher or a reviewer, who needs
"linkage: ward", "selection: 3 branches" and "120 rows × 512 features, class category
(4 values)", not field ids and arrays. Labels come from the settings' field metadata
(:func:`petriflow.core.describe.setting_label`), as the undo stack's words do.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from petriflow.core.describe import selection_words, setting_label
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix, EvaluationResults, Learner, Model

__all__ = ["describe_settings", "describe_value", "summarize_outputs", "summarize_value"]

#: longest value shown in full; longer text is cut with an ellipsis
MAX_TEXT = 80
#: most list items named; a longer list is counted instead
MAX_ITEMS = 6


def describe_value(value: Any) -> str:
    """One setting's value, short: lists counted when long, text cut, floats rounded."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if not items:
            return "none"
        if len(items) > MAX_ITEMS:
            return f"{len(items)} items"
        return ", ".join(describe_value(v) for v in items)
    if isinstance(value, Mapping):
        return f"{len(value)} entries" if value else "none"
    text = "" if value is None else str(value)
    if not text:
        return "(not set)"
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def describe_settings(settings: Any) -> list[str]:
    """``label: value`` lines for the fields of a node's settings dataclass.

    Selections read as counts ("selected: 3 branches"); the bookkeeping that lets a
    selection be restored (``*_context`` fields) and private fields are left out, as
    they mean nothing to a reader.
    """
    if settings is None or not dataclasses.is_dataclass(settings):
        return []
    cls = type(settings)
    lines = []
    for f in dataclasses.fields(settings):
        if f.name.startswith("_") or f.name.endswith("_context"):
            continue
        value = getattr(settings, f.name)
        counted = selection_words(cls, f.name, value)
        if counted is not None:
            n, noun = counted
            text = f"{n} {noun}" if n else "nothing"
        else:
            text = describe_value(value)
        lines.append(f"{setting_label(cls, f.name)}: {text}")
    return lines


def _table_words(table: Table) -> str:
    n_rows, n_cols = len(table), len(table.feature_names)
    text = f"{n_rows} rows × {n_cols} features"
    if table.class_name and table.class_values:
        values = table.class_values
        shown = ", ".join(values[:MAX_ITEMS]) + (", …" if len(values) > MAX_ITEMS else "")
        text += f", class {table.class_name} ({len(values)} values: {shown})"
        if table.y is not None and len(table.y):
            import numpy as np

            counts = np.bincount(table.y[table.y >= 0].astype(np.int64),
                                 minlength=len(values))
            text += "; " + ", ".join(f"{v}: {int(c)}" for v, c in
                                     zip(values[:MAX_ITEMS], counts[:MAX_ITEMS], strict=False))
    if table.metas:
        text += f"; {len(table.metas)} meta columns"
    return text


def _scores_words(results: EvaluationResults) -> list[str]:
    lines = [f"{len(results)} rows evaluated"
             + (f" ({results.method})" if results.method else "")]
    for learner, scores in results.scores.items():
        parts = [f"{name} {value:.3f}" for name, value in scores.items()
                 if isinstance(value, (int, float)) and not math.isnan(value)]
        lines.append(f"{learner}: " + (", ".join(parts) if parts else "no scores"))
    return lines


def summarize_value(value: Any) -> list[str]:
    """What one output holds, in a line or a few (scores: one line per learner)."""
    if isinstance(value, Table):
        return [_table_words(value)]
    if isinstance(value, DistanceMatrix):
        n = len(value)
        metric = f" ({value.metric})" if value.metric else ""
        return [f"{n} × {n} distances{metric}"]
    if isinstance(value, EvaluationResults):
        return _scores_words(value)
    if isinstance(value, (Model, Learner)):
        return [f"{type(value).__name__} {value.name!r}"]
    if isinstance(value, (list, tuple)):
        return [f"{len(value)} items"]
    return [type(value).__name__]


def summarize_outputs(outputs: Mapping[str, Any]) -> list[str]:
    """A summary of a node's outputs: ``Output name: what it holds``; outputs without
    data are left out (a report shows results, not empty channels)."""
    lines = []
    for name, value in outputs.items():
        if value is None:
            continue
        words = summarize_value(value)
        lines.append(f"{name}: {words[0]}")
        lines.extend(f"{name}: {w}" for w in words[1:])
    return lines
