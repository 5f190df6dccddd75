"""Helpers shared by several nodes (not a node module; the registry does not list it)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from petriflow.analysis.preprocess import impute_nan
from petriflow.analysis.selection import annotate_selection
from petriflow.core.node import NodeError, Progress
from petriflow.core.table import Table

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

__all__ = [
    "cell_text",
    "check_choice",
    "check_subset",
    "column_numbers",
    "features_or_error",
    "orange_learner_name",
    "orange_recent_path",
    "selection_outputs",
]


def check_choice(value: str, choices: Collection[str], what: str) -> None:
    """NodeError unless ``value`` is one of ``choices`` (a value list's runtime tuple):
    a setting written by code or an old file may hold a value no longer offered."""
    if value not in choices:
        raise NodeError(f"Unknown {what} {value!r}; choose one of {', '.join(choices)}.")


def features_or_error(
    table: Table, progress: Progress, what: str, min_rows: int = 1
) -> np.ndarray:
    """The table's features with NaN/inf imputed (warned), or NodeError if unusable."""
    if len(table) < min_rows:
        raise NodeError(
            f"{what} needs at least {min_rows} row(s); the data has {len(table)}."
        )
    if table.n_features == 0:
        raise NodeError(
            f"{what} needs numeric features; the data has none "
            "(embed images with Image Embedder first)."
        )
    X, n_bad = impute_nan(table.X)
    if n_bad:
        progress.warn(f"{n_bad} missing or infinite value(s) were replaced by column means.")
    return X


def selection_outputs(
    table: Table, positions: Iterable[int], progress: Progress,
    selected_name: str = "Selected Data", data_name: str = "Data",
) -> dict[str, Table | None]:
    """'Selected Data' (None when nothing is selected) and annotated 'Data'."""
    selected, annotated, n_bad = annotate_selection(table, positions)
    if n_bad:
        progress.warn(
            f"{n_bad} saved selection position(s) are outside the data "
            f"({len(table)} rows) and were ignored."
        )
    return {selected_name: selected, data_name: annotated}


def check_subset(data: Table, subset: Table | None, progress: Progress) -> np.ndarray | None:
    """Mask of ``data`` rows that are in ``subset`` (by row id); warns on foreign rows."""
    if subset is None:
        return None
    mask = np.isin(data.row_ids, subset.row_ids)
    n_foreign = int((~np.isin(subset.row_ids, data.row_ids)).sum())
    if n_foreign:
        progress.warn(f"{n_foreign} rows of Data Subset are not in Data and are not shown.")
    return mask


def orange_learner_name(s: dict[str, Any], t: Translation) -> None:
    """A learner widget's ``learner_name`` (Orange's learners all have it)."""
    name = s.get("learner_name")
    if isinstance(name, str) and name.strip():
        t.set("learner_name", "learner_name", name)
    elif "learner_name" in s:
        t.ignored.append("learner_name")  # empty: Orange shows its default name too


def orange_recent_path(s: dict[str, Any], t: Translation, our_key: str, what: str,
                       label: str) -> bool:
    """The first of Orange's ``recent_paths`` (a RecentPath) into setting ``our_key``:
    relative to the workflow when Orange saved it so (``prefix="basedir"``), so a copied
    workflow folder still finds its files; else the absolute path. True when carried
    (Import Images' folder, File's file); ``label`` starts the note."""
    paths = s.get("recent_paths")
    recent = t.recent_path(paths[0] if isinstance(paths, list | tuple) and paths else None)
    if recent is None:
        if paths:
            t.skip("recent_paths", f"the saved {what} could not be read")
        return False
    if recent.prefix == "basedir" and recent.relpath:
        value, how = recent.relpath, "relative to the workflow's folder, as Orange saved it"
    else:
        value, how = recent.abspath, "absolute path"
    if not value:
        t.skip("recent_paths", f"the saved {what} is empty")
        return False
    t.values[our_key] = value
    t.carried["recent_paths"] = f"{our_key}={value!r} ({how})"
    if recent.abspath and value != recent.abspath:
        t.notes.append(f"{label}: Orange last used {recent.abspath!r}")
    return True


def column_numbers(table: Table, name: str) -> np.ndarray | None:
    """Column ``name`` as float64 (NaN = missing), or None when it holds text that is not
    a number: what Select Columns, Select Rows and Scatter Plot need to know before they
    compare, move or plot a column. Raises KeyError for an unknown name."""
    values = table.column(name)
    if values.dtype.kind in "fiub":
        return values.astype(np.float64)
    out = np.empty(len(values), dtype=np.float64)
    for i, v in enumerate(values.tolist()):
        if v is None or (isinstance(v, str) and not v.strip()):
            out[i] = np.nan
            continue
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            return None
    return out


def cell_text(value: Any) -> str:
    """A cell as text for matching and labels: 3.0 → "3" (a key typed in a spreadsheet
    as 3 matches one read as 3.0), NaN/None → "" (missing). Merge Data's keys and
    Select Columns' new class labels."""
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        v = float(value)
        return "" if np.isnan(v) else (str(int(v)) if v.is_integer() else repr(v))
    return str(value).strip()
