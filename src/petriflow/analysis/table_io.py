"""Write tables to CSV/TSV or Parquet atomically (temporary file, then rename).

An interrupted save never leaves a half-written file under the target name: the data
goes to a temporary file in the same folder, which then replaces the target in one
``os.replace`` (atomic on POSIX and Windows for the same volume).
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from petriflow.core.table import Table

__all__ = ["FORMATS", "format_for_path", "write_table"]

FORMATS = ("csv", "tsv", "parquet")
_SUFFIX = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".parquet": "parquet", ".pq": "parquet"}


def format_for_path(path: str | os.PathLike[str]) -> str | None:
    return _SUFFIX.get(Path(path).suffix.lower())


def write_table(table: Table, path: str | os.PathLike[str], fmt: str = "auto") -> Path:
    """Write ``table`` to ``path`` (format from the extension when ``fmt`` is "auto")."""
    path = Path(path)
    if fmt == "auto":
        found = format_for_path(path)
        if found is None:
            raise ValueError(
                f"cannot tell the format from {path.name!r}; use .csv, .tsv or .parquet"
            )
        fmt = found
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"the folder {str(path.parent)!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if fmt == "parquet":
            _write_parquet(table, Path(tmp))
        else:
            _write_delimited(table, Path(tmp), "," if fmt == "csv" else "\t")
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else repr(float(value))
    if isinstance(value, np.integer):
        return int(value)
    return value


def _write_delimited(table: Table, path: Path, delimiter: str) -> None:
    labels = table.class_labels() if table.y is not None else None
    with path.open("w", newline="", encoding="utf-8",
                   errors="surrogateescape") as fh:  # non-UTF-8 file names round-trip
        writer = csv.writer(fh, delimiter=delimiter)
        writer.writerow(table.column_names)
        X = table.X
        metas = list(table.metas.values())
        for i in range(len(table)):
            row: list[Any] = [_cell(v) for v in X[i].tolist()]
            if labels is not None:
                row.append(labels[i])
            row.extend(_cell(m[i]) for m in metas)
            writer.writerow(row)


def _write_parquet(table: Table, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrays: list[Any] = []
    names: list[str] = []
    for j, name in enumerate(table.feature_names):
        arrays.append(pa.array(table.X[:, j], type=pa.float32()))
        names.append(name)
    if table.y is not None:
        codes = pa.array(table.y.astype(np.int32), mask=table.y < 0)
        arrays.append(pa.DictionaryArray.from_arrays(codes, pa.array(list(table.class_values))))
        names.append(str(table.class_name))
    for name, values in table.metas.items():
        arrays.append(_meta_array(values))
        names.append(name)
    meta = {
        "petriflow": json.dumps(
            {
                "features": list(table.feature_names),
                "class": table.class_name,
                "metas": list(table.metas),
                "image_column": table.image_column,
                "row_ids": table.row_ids.tolist() if len(table) <= 1_000_000 else None,
            }
        )
    }
    pa_table = pa.Table.from_arrays(arrays, names=names).replace_schema_metadata(meta)
    pq.write_table(pa_table, path)


def _meta_array(values: np.ndarray) -> Any:
    import pyarrow as pa

    if values.dtype.kind in "fiub":
        return pa.array(values)
    cleaned = [None if v is None or (isinstance(v, float) and np.isnan(v)) else v
               for v in values.tolist()]
    try:
        return pa.array(cleaned)
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeEncodeError):
        return pa.array([None if v is None else _utf8(str(v)) for v in cleaned],
                        type=pa.string())


def _utf8(text: str) -> str:
    """Parquet strings must be UTF-8: a file name that is not (surrogate escapes on
    POSIX) keeps its bytes visibly as ``\\xNN`` escapes instead of failing the save."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text
