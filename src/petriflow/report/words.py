"""A node's settings and outputs in words, for a report reader rather than a developer.

Why not ``repr(settings)``: a report is read by a teacher or a reviewer, who needs
"linkage: ward", "selection: 3 branches" and "120 rows × 512 features, class category
(4 values)", not field ids and arrays. Labels come from the settings' field metadata
(:func:`petriflow.core.describe.setting_label`), as the undo stack's words do.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Collection, Mapping
from typing import Any

from petriflow.core.describe import selection_words, setting_label
from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix, EvaluationResults, Learner, Model

__all__ = ["choice_words", "describe_settings", "describe_value", "method_words",
           "summarize_outputs", "summarize_value"]

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
    if len(text) <= MAX_TEXT:
        return text
    if ("/" in text or "\\" in text) and " " not in text.strip():
        return "…" + text[-(MAX_TEXT - 1):]  # a path: its end names the file or folder
    return text[: MAX_TEXT - 1] + "…"


#: choices whose id does not read as words once its underscores are spaces
CHOICE_WORDS = {
    "top_n": "top clusters",
    "height_ratio": "cut at a height",
    "manual": "by hand",
    "cross_validation": "cross-validation",
    "cross_validation_by_feature": "cross-validation by feature",
    "test_on_train": "test on the training data",
    "test_on_test": "test on the test data",
    "proportion_predicted": "proportion of predicted",
    "proportion_actual": "proportion of actual",
    "zscore": "z-score",
}


def choice_words(value: str) -> str:
    """A choice's id as words: "cross_validation" -> "cross-validation"."""
    return CHOICE_WORDS.get(value, value.replace("_", " "))


def method_words(method: str) -> str:
    """An evaluation's method ("cross_validation", "5-fold …") as words."""
    return choice_words(method) if method else "(method not recorded)"


def _choice_fields(cls: type) -> set[str]:
    """The fields typed as a ``Literal`` (a choice from a list): read as words."""
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that cannot be resolved: show ids as they are
        return set()
    out = set()
    for name, hint in hints.items():
        if typing.get_origin(hint) is typing.Literal or any(
                typing.get_origin(a) is typing.Literal for a in typing.get_args(hint)):
            out.add(name)
    return out


def _empty(value: Any) -> bool:
    return value is None or value == "" or (
        isinstance(value, (list, tuple, set, frozenset, Mapping)) and not value)


def describe_settings(settings: Any, *, hidden: Collection[str] = (),
                      view_fields: Collection[str] = (),
                      worded: Mapping[str, str] | None = None) -> list[str]:
    """``label: value`` lines for the fields of a node's settings dataclass.

    Selections read as counts ("selected: 3 branches"), choices as words
    ("cross-validation", not "cross_validation"); the bookkeeping that lets a
    selection be restored (``*_context`` fields) and private fields are left out, as
    they mean nothing to a reader. ``hidden``: fields that do not apply (left out);
    ``view_fields``: the view's own fields (how it draws), left out while empty, so a
    plot's dozen unset options do not bury what was computed; ``worded``: fields
    whose words the caller knows better (a learner's name instead of its index).
    """
    if settings is None or not dataclasses.is_dataclass(settings):
        return []
    cls = type(settings)
    choices = _choice_fields(cls)
    lines = []
    for f in dataclasses.fields(settings):
        if f.name.startswith("_") or f.name.endswith("_context") or f.name in hidden:
            continue
        value = getattr(settings, f.name)
        if f.name in view_fields and (_empty(value) or value is False):
            continue
        selected = selection_words(cls, f.name, value)
        label = ""
        if worded and f.name in worded:
            text = worded[f.name]
        elif selected is not None:
            n, noun = selected
            text = f"{n} {noun}" if n else "nothing"
            label = "selected"  # "selected: 3 branches", whatever the field's id
        elif f.name in choices and isinstance(value, str):
            text = choice_words(value)
        else:
            text = describe_value(value)
        lines.append(f"{label or setting_label(cls, f.name)}: {text}")
    return lines


def _table_words(table: Table) -> str:
    n_rows, n_cols = len(table), len(table.feature_names)
    text = f"{counted(n_rows, 'row')} × {counted(n_cols, 'feature')}"
    if table.class_name and table.class_values:
        values = table.class_values
        shown = ", ".join(values[:MAX_ITEMS]) + (", …" if len(values) > MAX_ITEMS else "")
        text += f", class {table.class_name} ({counted(len(values), 'value')}: {shown})"
        if table.y is not None and len(table.y):
            import numpy as np

            counts = np.bincount(table.y[table.y >= 0].astype(np.int64),
                                 minlength=len(values))
            text += "; " + ", ".join(f"{v}: {int(c)}" for v, c in
                                     zip(values[:MAX_ITEMS], counts[:MAX_ITEMS], strict=False))
    if table.metas:
        text += f"; {counted(len(table.metas), 'meta column')}"
    return text


def _scores_words(results: EvaluationResults) -> list[str]:
    lines = [f"{counted(len(results), 'row')} evaluated"
             + (f" ({method_words(results.method)})" if results.method else "")]
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
