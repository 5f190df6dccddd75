"""The data table that flows between nodes.

Why a table of our own rather than a DataFrame: nodes need a float32 feature matrix they
can hand to numpy/torch/scikit-learn without copies, a *categorical* class with a fixed
value order (so colours and confusion matrices are stable), free-form metas (image path,
size, ...) and, above all, a **row id per row** that survives filtering and reordering.
Selections made in one view (a dendrogram branch) are matched to rows of another table
(the Image Viewer's input) through these ids. pandas is used only at the edges.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["Table", "new_row_ids"]

_next_row_id = 1
_row_id_lock = threading.Lock()


def new_row_ids(n: int) -> np.ndarray:
    """Return ``n`` process-unique row ids (int64).

    Ids only need to be unique within a process run: saved selections are stored as
    *row positions of the node's input* or as values (paths), never as raw ids.
    """
    global _next_row_id
    with _row_id_lock:
        start = _next_row_id
        _next_row_id += n
    return np.arange(start, start + n, dtype=np.int64)


def _as_meta_array(values: Any, n: int, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.kind in "US":
        arr = arr.astype(object)
    if arr.shape != (n,):
        raise ValueError(f"meta column {name!r} has shape {arr.shape}, expected ({n},)")
    return arr


@dataclass(frozen=True, eq=False)
class Table:
    """An immutable table: features ``X``, an optional categorical class, metas, row ids.

    Attributes:
        X: float32 array (n, d) of features.
        feature_names: one name per column of ``X``.
        row_ids: int64 array (n,), stable identity of each row across derived tables.
        y: int64 class codes (n,) indexing ``class_values``; -1 marks a missing class.
        class_name: name of the class column, or None for unlabelled data.
        class_values: ordered category names of the class.
        metas: extra columns (object or numeric arrays of length n), in display order.
        image_column: the meta holding image file paths, if any.
        name: a short human label for summaries.
    """

    X: np.ndarray
    feature_names: tuple[str, ...]
    row_ids: np.ndarray
    y: np.ndarray | None = None
    class_name: str | None = None
    class_values: tuple[str, ...] = ()
    metas: Mapping[str, np.ndarray] = field(default_factory=dict)
    image_column: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        X = np.asarray(self.X, dtype=np.float32)
        if X.ndim == 1 and X.size == 0:
            X = X.reshape(len(self.row_ids), 0)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, got shape {X.shape}")
        n, d = X.shape
        object.__setattr__(self, "X", X)
        names = tuple(str(s) for s in self.feature_names)
        if len(names) != d:
            raise ValueError(f"{len(names)} feature names for {d} columns")
        object.__setattr__(self, "feature_names", names)
        ids = np.asarray(self.row_ids, dtype=np.int64)
        if ids.shape != (n,):
            raise ValueError(f"row_ids has shape {ids.shape}, expected ({n},)")
        object.__setattr__(self, "row_ids", ids)
        if self.y is not None:
            y = np.asarray(self.y, dtype=np.int64)
            if y.shape != (n,):
                raise ValueError(f"y has shape {y.shape}, expected ({n},)")
            if y.size and (y.max() >= len(self.class_values) or y.min() < -1):
                raise ValueError("class codes out of range of class_values")
            object.__setattr__(self, "y", y)
            if self.class_name is None:
                object.__setattr__(self, "class_name", "class")
        object.__setattr__(self, "class_values", tuple(str(v) for v in self.class_values))
        metas = {str(k): _as_meta_array(v, n, str(k)) for k, v in dict(self.metas).items()}
        object.__setattr__(self, "metas", metas)
        if self.image_column is not None and self.image_column not in metas:
            raise ValueError(f"image column {self.image_column!r} is not a meta column")

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_arrays(
        cls,
        X: Any,
        feature_names: Sequence[str] | None = None,
        *,
        classes: Sequence[Any] | np.ndarray | None = None,
        class_name: str = "class",
        class_values: Sequence[str] | None = None,
        metas: Mapping[str, Any] | None = None,
        image_column: str | None = None,
        name: str = "",
    ) -> Table:
        """Build a table with fresh row ids; ``classes`` are labels (None/'' = missing)."""
        X = np.asarray(X, dtype=np.float32)
        if X.ndim == 1:
            X = X.reshape(-1, 1) if X.size else X.reshape(0, 0)
        n = X.shape[0]
        if feature_names is None:
            feature_names = [f"f{i}" for i in range(X.shape[1])]
        y = None
        values: tuple[str, ...] = ()
        if classes is not None:
            labels = ["" if c is None else str(c) for c in classes]
            if class_values is None:
                values = tuple(sorted({lab for lab in labels if lab}))
            else:
                values = tuple(str(v) for v in class_values)
            index = {v: i for i, v in enumerate(values)}
            y = np.array([index.get(lab, -1) for lab in labels], dtype=np.int64)
        return cls(
            X=X,
            feature_names=tuple(feature_names),
            row_ids=new_row_ids(n),
            y=y,
            class_name=class_name if classes is not None else None,
            class_values=values,
            metas=dict(metas or {}),
            image_column=image_column,
            name=name,
        )

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_rows(self) -> int:
        return len(self)

    @property
    def n_features(self) -> int:
        return int(self.X.shape[1])

    @property
    def has_class(self) -> bool:
        return self.y is not None

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self), self.n_features)

    def summary(self) -> str:
        """A one-line human summary, e.g. '37 rows × 1000 features, class (3 values)'."""
        parts = [f"{len(self)} rows × {self.n_features} features"]
        if self.has_class:
            parts.append(f"class {self.class_name!r} ({len(self.class_values)} values)")
        if self.metas:
            parts.append(f"{len(self.metas)} metas")
        return ", ".join(parts)

    def __repr__(self) -> str:
        return f"Table({self.summary()})"

    def class_labels(self) -> np.ndarray:
        """Class labels as an object array of strings ('' where missing)."""
        if self.y is None:
            raise ValueError("table has no class")
        values = np.array([*self.class_values, ""], dtype=object)
        return values[self.y]  # -1 indexes the trailing ''

    def image_paths(self) -> np.ndarray:
        """The image column as an object array of path strings."""
        if self.image_column is None:
            raise ValueError("table has no image column")
        return self.metas[self.image_column]

    def column(self, name: str) -> np.ndarray:
        """Any column by name: a feature, the class (as labels) or a meta."""
        if name in self.metas:
            return self.metas[name]
        if self.class_name is not None and name == self.class_name:
            return self.class_labels()
        try:
            return self.X[:, self.feature_names.index(name)]
        except ValueError:
            raise KeyError(f"no column named {name!r}") from None

    @property
    def column_names(self) -> list[str]:
        names = list(self.feature_names)
        if self.class_name is not None:
            names.append(self.class_name)
        names.extend(self.metas)
        return names

    # ------------------------------------------------------------------ derivation
    def _derive(self, **changes: Any) -> Table:
        """A copy with some fields changed (validated again by ``__post_init__``)."""
        return replace(self, **changes)

    def take(self, rows: Sequence[int] | np.ndarray) -> Table:
        """Rows by position (or boolean mask), keeping their row ids."""
        idx = np.asarray(rows)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        idx = idx.astype(np.intp, copy=False)
        return self._derive(
            X=self.X[idx],
            row_ids=self.row_ids[idx],
            y=None if self.y is None else self.y[idx],
            metas={k: v[idx] for k, v in self.metas.items()},
        )

    def positions_of(self, row_ids: Iterable[int]) -> np.ndarray:
        """Positions of the given row ids in this table (ids not present are ignored)."""
        wanted = np.fromiter((int(i) for i in row_ids), dtype=np.int64)
        return np.flatnonzero(np.isin(self.row_ids, wanted))

    def select_ids(self, row_ids: Iterable[int]) -> Table:
        """The subset of rows whose ids are in ``row_ids``, in this table's order."""
        return self.take(self.positions_of(row_ids))

    def with_features(self, X: Any, feature_names: Sequence[str]) -> Table:
        """Same rows (ids, class, metas) with a new feature matrix."""
        return self._derive(X=np.asarray(X, dtype=np.float32), feature_names=tuple(feature_names))

    def with_meta(self, name: str, values: Any) -> Table:
        """A copy with meta ``name`` added (or replaced)."""
        metas = dict(self.metas)
        metas[name] = _as_meta_array(values, len(self), name)
        return self._derive(metas=metas)

    def with_class(
        self, labels: Sequence[Any] | np.ndarray, class_name: str = "class",
        class_values: Sequence[str] | None = None,
    ) -> Table:
        """A copy with a new categorical class built from labels."""
        tmp = Table.from_arrays(
            np.zeros((len(self), 0)), [], classes=labels, class_name=class_name,
            class_values=class_values,
        )
        return self._derive(y=tmp.y, class_name=class_name, class_values=tmp.class_values)

    def without_class(self) -> Table:
        return self._derive(y=None, class_name=None, class_values=())

    @staticmethod
    def concatenate(tables: Sequence[Table]) -> Table:
        """Stack tables with the same features, class values and meta names (rows keep ids)."""
        if not tables:
            raise ValueError("nothing to concatenate")
        first = tables[0]
        for t in tables[1:]:
            if t.feature_names != first.feature_names or t.class_values != first.class_values:
                raise ValueError("tables have different features or class values")
            if list(t.metas) != list(first.metas):
                raise ValueError("tables have different meta columns")
        return first._derive(
            X=np.concatenate([t.X for t in tables]),
            row_ids=np.concatenate([t.row_ids for t in tables]),
            y=None if first.y is None else np.concatenate([t.y for t in tables]),
            metas={k: np.concatenate([t.metas[k] for t in tables]) for k in first.metas},
        )

    # ------------------------------------------------------------------ edges
    def to_csv(self, path: str | Path, delimiter: str = ",") -> None:
        """Write features, class and metas with a header row: the one table CSV writer
        (Save Data and ``petriflow run --out`` both call it, so their files are identical).

        Numbers keep full precision (``repr``); a missing value (NaN, None) is an empty
        cell. Not atomic by itself: callers go through :mod:`petriflow.core.atomic`.
        """
        path = Path(path)
        labels = self.class_labels() if self.y is not None else None
        metas = list(self.metas.values())
        with path.open("w", newline="", encoding="utf-8",
                       errors="surrogateescape") as fh:  # non-UTF-8 file names round-trip
            writer = csv.writer(fh, delimiter=delimiter)
            writer.writerow(self.column_names)
            for i in range(len(self)):
                row: list[Any] = [_csv_cell(v) for v in self.X[i].tolist()]
                if labels is not None:
                    row.append(labels[i])
                row.extend(_csv_cell(m[i]) for m in metas)
                writer.writerow(row)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else repr(float(value))
    if isinstance(value, np.integer):
        return int(value)
    return value
