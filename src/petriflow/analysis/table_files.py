"""Save Data's file writer: one table to CSV/TSV or Parquet, atomically.

An interrupted save never leaves a half-written file under the target name
(:func:`petriflow.core.atomic.atomic_write`). CSV and TSV come from :meth:`Table.to_csv`,
the one table CSV writer, so Save Data and ``petriflow run --out`` write identical files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from petriflow.core.atomic import atomic_write
from petriflow.core.table import Table

__all__ = ["FORMATS", "TableFormat", "format_for_path", "write_table"]

#: the file formats Save Data writes: the one declaration
TableFormat = Literal["csv", "tsv", "parquet"]
FORMATS: tuple[TableFormat, ...] = get_args(TableFormat)
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
    if fmt == "parquet":
        return atomic_write(path, lambda tmp: _write_parquet(table, tmp))
    delimiter = "," if fmt == "csv" else "\t"
    return atomic_write(path, lambda tmp: _write_delimited(table, tmp, delimiter))


def _write_delimited(table: Table, path: Path, delimiter: str) -> None:
    """The CSV/TSV step of a save (a seam: tests make it fail mid-save)."""
    table.to_csv(path, delimiter=delimiter)


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
