"""Aggregate per-image features into treatment profiles (mean profiling, Ljosa/Singh).

Why: a treatment (compound at a concentration) is imaged in many fields and wells;
its *profile* is the mean (or median) of their features. Plates differ in staining and
focus, so features are first normalised per plate against that plate's negative
controls (DMSO): z-scored by the controls' mean and spread, or centred on their mean.
No Qt here; the node is :mod:`petriflow.nodes.aggregate_profiles`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np

from petriflow.core.table import Table

__all__ = [
    "AGGREGATIONS",
    "NORMALIZATIONS",
    "Aggregation",
    "Normalization",
    "ProfileError",
    "aggregate_profiles",
    "column_values",
    "normalize_per_plate",
]

#: the one declaration of each choice (node setting types; runtime tuples)
Aggregation = Literal["mean", "median"]
AGGREGATIONS: tuple[Aggregation, ...] = get_args(Aggregation)
#: per-plate normalisation against the controls ("none" is the node's extra choice)
Normalization = Literal["zscore", "subtract"]
NORMALIZATIONS: tuple[Normalization, ...] = get_args(Normalization)


class ProfileError(ValueError):
    """The profiles cannot be built as asked (message meant for the user)."""


def column_values(table: Table, name: str) -> np.ndarray:
    """A meta, feature or the class as an array of values (class as labels)."""
    if table.class_name == name and table.y is not None:
        labels = np.array([table.class_values[c] if c >= 0 else "" for c in table.y],
                          dtype=object)
        return labels
    try:
        return np.asarray(table.column(name))
    except KeyError:
        raise ProfileError(f"no column named {name!r}; {_columns_in_words(table)}") from None


def _columns_in_words(table: Table, shown: int = 12) -> str:
    """The columns one groups by (metas and the class) by name, the features counted:
    all names of an embedded table (3,000 "DNA:n0, DNA:n1, …") filled the settings
    form and squeezed its rows."""
    names = [*table.metas, *([table.class_name] if table.class_name else [])]
    text = ", ".join(names[:shown]) or "none"
    if len(names) > shown:
        text += f" and {len(names) - shown} more"
    features = table.n_features
    if features:
        text += f", and {features} feature{'s' if features != 1 else ''}"
    return "columns: " + text


def normalize_per_plate(
    X: np.ndarray, plates: np.ndarray, is_control: np.ndarray, method: str
) -> np.ndarray:
    """Normalise features per plate by that plate's control rows.

    "zscore": (x − mean_ctrl) / std_ctrl (a feature constant in the controls is only
    centred); "subtract": x − mean_ctrl. Every plate needs at least one control row
    (two for z-scores).
    """
    if method not in NORMALIZATIONS:
        raise ProfileError(f"unknown normalisation {method!r} ({' or '.join(NORMALIZATIONS)})")
    out = np.empty_like(X, dtype=np.float64)
    for plate in np.unique(plates):
        rows = plates == plate
        ctrl = X[rows & is_control].astype(np.float64)
        need = 2 if method == "zscore" else 1
        if len(ctrl) < need:
            raise ProfileError(
                f"plate {plate!r} has {len(ctrl)} control row(s); {method} needs {need}")
        mu = ctrl.mean(axis=0)
        centred = X[rows].astype(np.float64) - mu
        if method == "zscore":
            sd = ctrl.std(axis=0, ddof=1)
            sd[~(sd > 1e-12)] = 1.0
            centred /= sd
        out[rows] = centred
    return out.astype(np.float32)


def aggregate_profiles(
    table: Table,
    group_by: Sequence[str],
    *,
    method: str = "mean",
    normalization: str = "none",
    plate_column: str = "plate",
    control_column: str = "compound",
    control_value: str = "DMSO",
    keep_controls: bool = False,
    class_column: str = "",
) -> Table:
    """One row per group of ``group_by`` values with the mean/median of the features.

    Metas whose value is constant within every group are kept (plate, moa, …), others
    (file paths, field numbers) are dropped; ``n rows`` counts the rows of each group.
    ``class_column`` makes that column the class (e.g. "moa"); otherwise the input's
    class is kept when it is constant in every group. Groups come in order of first
    appearance, so the output is deterministic.
    """
    if not group_by:
        raise ProfileError("choose at least one column to group by")
    if method not in AGGREGATIONS:
        raise ProfileError(f"unknown aggregation {method!r} ({' or '.join(AGGREGATIONS)})")
    if len(table) == 0:
        raise ProfileError("the data is empty")
    if table.n_features == 0:
        raise ProfileError("the data has no features; embed the images first")
    X = table.X
    ctrl_mask = None
    # controls are looked up when normalising (the column must exist) or to leave them
    # out of the profiles (only when the column exists)
    if control_column and (normalization != "none" or control_column in table.column_names):
        ctrl_mask = np.array([str(v) == control_value
                              for v in column_values(table, control_column)])
    if normalization != "none":
        if ctrl_mask is None or not ctrl_mask.any():
            raise ProfileError(
                f"no control rows ({control_column} = {control_value!r}) to normalise by")
        plates = (np.array([str(v) for v in column_values(table, plate_column)])
                  if plate_column else np.array(["all"] * len(table)))
        X = normalize_per_plate(X, plates, ctrl_mask, normalization)
    keys = [column_values(table, c) for c in group_by]
    groups: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(table)):
        if not keep_controls and ctrl_mask is not None and ctrl_mask[i]:
            continue
        groups.setdefault(tuple(_key(k[i]) for k in keys), []).append(i)
    if not groups:
        raise ProfileError("no rows left to aggregate (all rows are controls)")
    members = list(groups.values())
    agg = np.mean if method == "mean" else np.median
    P = np.stack([agg(X[idx].astype(np.float64), axis=0) for idx in members]).astype(np.float32)
    first = np.array([idx[0] for idx in members])
    metas: dict[str, np.ndarray] = {}
    candidates = dict(table.metas)
    if table.y is not None and table.class_name:
        candidates.setdefault(table.class_name, column_values(table, table.class_name))
    for name in group_by:
        metas[name] = column_values(table, name)[first]
    for name, values in candidates.items():
        if name in metas or name == table.image_column:
            continue
        if all(_same(values[idx]) for idx in members):
            metas[name] = values[first]
    metas["n rows"] = np.array([len(idx) for idx in members], dtype=np.int64)
    out = Table.from_arrays(P, table.feature_names, metas={
        k: v for k, v in metas.items() if k != class_column}, name=f"{table.name} profiles")
    if class_column:
        labels = column_values(table, class_column)
        if not all(_same(labels[idx]) for idx in members):
            raise ProfileError(f"{class_column!r} differs within a group; add it to the "
                               "group columns or choose another class")
        out = out.with_class([str(v) for v in labels[first]], class_name=class_column)
    elif table.y is not None and table.class_name in metas:
        out = out.with_class([str(v) for v in metas[table.class_name]],
                             class_name=table.class_name)
    return out


def _key(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _same(values: np.ndarray) -> bool:
    if len(values) <= 1:
        return True
    first = _key(values[0])
    return all(_key(v) == first for v in values[1:])
