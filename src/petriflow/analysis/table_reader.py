"""File's reader: a CSV/TSV, Excel or Parquet file as a :class:`Table`, with roles inferred.

Why a reader of our own rather than pandas: pandas is not a dependency, and the File
node must *explain* what it did with a messy file (a spreadsheet exported as cp1252, a
column mixing numbers and notes) instead of failing or guessing silently. Every such
decision comes back as a note. Delimited files are parsed by pyarrow (a dependency,
fast enough for a million rows), Excel by openpyxl.

Roles: numeric columns become features; text columns become metas; the target is the
column the user chose, else (when inference is on) a text column named class, category
or label. A column of image file names (named image/path/file…, or whose values end in
an image extension) becomes the table's image column, with relative paths resolved
against the file's own folder, as Import Images does for a list file.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from petriflow.analysis.image_import import CLASS_COLUMN_NAMES, PATH_COLUMN_NAMES
from petriflow.analysis.images import IMAGE_EXTENSIONS
from petriflow.core.table import Table

__all__ = [
    "READ_SUFFIXES",
    "ReadResult",
    "TableReadError",
    "read_columns",
    "read_table_file",
    "table_from_columns",
]

#: what File opens, by extension
READ_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".xlsx", ".parquet", ".pq")
#: cell texts that mean "no value" (Orange writes "?", spreadsheets "NA" or nothing)
MISSING = frozenset({"", "?", "na", "n/a", "nan", "null", "none"})
#: the encodings tried in order; latin-1 decodes any bytes, so reading never fails here
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
#: the same, for one line of cells joined by newlines (whitespace other than newline)
_NUMBER_LINE = re.compile(r"^[^\S\n]*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?[^\S\n]*$",
                          re.MULTILINE)


class TableReadError(ValueError):
    """The file cannot be read as a table (message meant for the user)."""


@dataclass
class ReadResult:
    table: Table
    #: what the reader decided on the user's behalf (encoding, mixed columns, skipped rows)
    notes: list[str] = field(default_factory=list)


def _decode(raw: bytes, notes: list[str], name: str) -> str:
    for enc in ENCODINGS:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc != ENCODINGS[0]:
            notes.append(f"{name} is not valid UTF-8; it was read as {enc} "
                         "(check accented characters).")
        return text
    raise TableReadError(f"{name} could not be decoded")  # not reached: latin-1 decodes all


def _delimiter(suffix: str, sample: str) -> str:
    if suffix in (".tsv", ".tab"):
        return "\t"
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _unique(names: Sequence[str]) -> list[str]:
    """Column names made unique and non-empty ("x", "x (2)", "column 3")."""
    out: list[str] = []
    for i, n in enumerate(names):
        base = str(n).strip() or f"column {i + 1}"
        name, k = base, 2
        while name in out:
            name, k = f"{base} ({k})", k + 1
        out.append(name)
    return out


def _read_delimited(path: Path, notes: list[str]) -> dict[str, np.ndarray]:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    text = _decode(path.read_bytes(), notes, path.name)
    if not text.strip():
        raise TableReadError(f"{path.name} is empty")
    first = text.split("\n", 1)[0]
    delim = _delimiter(path.suffix.lower(), text[:8192])
    header = _unique(next(csv.reader([first], delimiter=delim)))
    skipped: list[int] = []

    def skip(_row: Any) -> str:
        skipped.append(1)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delim, invalid_row_handler=skip,
                                             newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in header}, strings_can_be_null=False),
        )
    except pa.ArrowInvalid as exc:
        raise TableReadError(f"{path.name} is not a readable table: {exc}") from None
    if skipped:
        notes.append(f"{len(skipped)} row(s) with a different number of cells than the "
                     "header were skipped.")
    return {h: table.column(i).to_numpy(zero_copy_only=False).astype(object)
            for i, h in enumerate(header)}


def _read_excel(path: Path) -> dict[str, np.ndarray]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise TableReadError(f"{path.name} is not a readable Excel file: {exc}") from None
    try:
        rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()
    if not rows:
        raise TableReadError(f"{path.name} has an empty first sheet")
    header = _unique(["" if v is None else str(v) for v in rows[0]])
    body = rows[1:]
    return {h: np.array(["" if j >= len(r) or r[j] is None else r[j] for r in body],
                        dtype=object) for j, h in enumerate(header)}


def _read_parquet(path: Path) -> dict[str, np.ndarray]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise TableReadError(f"{path.name} is not a readable Parquet file: {exc}") from None
    out: dict[str, np.ndarray] = {}
    for name, col in zip(_unique(table.column_names), table.columns, strict=True):
        if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
            out[name] = col.to_numpy().astype(np.float64)
        else:
            out[name] = np.array(["" if v is None else v for v in col.to_pylist()],
                                 dtype=object)
    return out


def read_columns(path: Path, notes: list[str]) -> dict[str, np.ndarray]:
    """The file's columns by name: float64 arrays (Parquet numbers) or object arrays."""
    suffix = path.suffix.lower()
    if suffix not in READ_SUFFIXES:
        raise TableReadError(f"File reads {', '.join(READ_SUFFIXES)}; {path.name!r} is none "
                             "of these")
    if not path.is_file():
        raise TableReadError(f"{str(path)!r} does not exist")
    if suffix == ".xlsx":
        return _read_excel(path)
    if suffix in (".parquet", ".pq"):
        return _read_parquet(path)
    return _read_delimited(path, notes)


def _as_numbers(values: np.ndarray, name: str, notes: list[str]) -> np.ndarray | None:
    """The column as float64 (NaN = missing), or None when it is text.

    A column with both numbers and words is text, with a note: a "12 (approx.)" among
    numbers is data a user wants to see, not silently turn into a missing value.
    """
    if values.dtype.kind == "f":
        return values
    try:  # the fast path: a clean numeric column (a million rows in well under a second)
        return np.asarray(values.astype(np.float64)) if len(values) else None
    except (ValueError, TypeError):
        pass
    if _plain_text(values.tolist()):
        return None
    texts = [v.strip() if isinstance(v, str) else v for v in values.tolist()]
    out = np.empty(len(texts), dtype=np.float64)
    n_text = n_num = 0
    for i, v in enumerate(texts):
        if isinstance(v, bool):
            n_text += 1
        elif isinstance(v, int | float):
            out[i] = v
            n_num += 1
        elif not isinstance(v, str):
            n_text += 1  # dates and other cell types stay text
        elif v.lower() in MISSING:
            out[i] = np.nan
        elif _NUMBER.match(v):
            out[i] = float(v)
            n_num += 1
        else:
            n_text += 1
    if n_text == 0:
        return out if len(texts) else None
    if n_num:
        notes.append(f"Column {name!r} mixes numbers ({n_num}) and text ({n_text}); "
                     "it is kept as a text meta.")
    return None


def _plain_text(cells: list[Any]) -> bool:
    """True when every cell is a string, none is a number and one is more than a
    missing value: a text column, decided by one regex over the joined cells instead of
    one per cell (the cell loop was most of File's time on a million-row table). False
    means "look cell by cell" (numbers to count for the mixed-type note, a cell holding
    a newline, a non-string cell)."""
    try:
        joined = "\n".join(cells)
    except TypeError:
        return False
    if joined.count("\n") != len(cells) - 1 or _NUMBER_LINE.search(joined):
        return False
    return any(c.strip().lower() not in MISSING for c in cells)


def _is_image_column(name: str, values: np.ndarray) -> bool:
    if name.strip().lower() in PATH_COLUMN_NAMES:
        return True
    texts = [v for v in values.tolist() if isinstance(v, str) and v]
    if not texts:
        return False
    with_ext = sum(os.path.splitext(v)[1].lower() in IMAGE_EXTENSIONS for v in texts)
    return with_ext >= 0.8 * len(texts)


def table_from_columns(
    columns: dict[str, np.ndarray], *, base: Path, target: str = "",
    infer_target: bool = True, metas: Sequence[str] = (), skip: Sequence[str] = (),
    notes: list[str] | None = None, name: str = "",
) -> Table:
    """Assign roles (see the module doc) and build the table.

    ``target``: the class column ("" = inferred by name when ``infer_target``);
    ``metas``: columns kept as metas even when numeric; ``skip``: columns left out.
    """
    notes = notes if notes is not None else []
    if target and target not in columns:
        raise TableReadError(f"The target column {target!r} is not in the file; its "
                             f"columns are {', '.join(columns)}")
    absent = [c for c in (*metas, *skip) if c not in columns]
    if absent:  # roles saved for another version of the file: the rest still applies
        notes.append(f"Role(s) set for column(s) not in the file: {', '.join(absent)}.")
    n = len(next(iter(columns.values()))) if columns else 0
    feats: dict[str, np.ndarray] = {}
    meta_cols: dict[str, np.ndarray] = {}
    texts: dict[str, np.ndarray] = {}
    for col, values in columns.items():
        if col in skip or col == target:
            continue
        numbers = _as_numbers(values, col, notes)
        if numbers is None:
            texts[col] = np.array(["" if isinstance(v, str) and v.strip().lower() in MISSING
                                   else str(v) for v in values.tolist()], dtype=object)
        elif col in metas:
            meta_cols[col] = numbers
        else:
            feats[col] = numbers
    if not target and infer_target:
        target = next((c for c in texts if c.strip().lower() in CLASS_COLUMN_NAMES), "")
    labels: np.ndarray | None = None
    if target:
        raw = texts.pop(target, None)
        if raw is None:  # a chosen numeric column: its values become class labels
            raw = np.array(["" if isinstance(v, str) and v.strip().lower() in MISSING
                            else str(v).strip() for v in columns[target].tolist()],
                           dtype=object)
        labels = raw
    image_column = next((c for c, v in texts.items() if _is_image_column(c, v)), None)
    if image_column is not None:
        texts[image_column] = _resolved_paths(texts[image_column], base)
    meta_cols.update(texts)
    X = np.column_stack(list(feats.values())) if feats else np.zeros((n, 0))
    return Table.from_arrays(
        X, list(feats), classes=None if labels is None else labels.tolist(),
        class_name=target or "class", metas=meta_cols, image_column=image_column, name=name)


def _resolved_paths(values: np.ndarray, base: Path) -> np.ndarray:
    """Image paths with relative ones resolved against ``base``: ``str(base / v)``.

    Building a Path per row took half of File's time on a million rows
    (benchmarks/large_file.py); a plain relative path ("images/a.png") is joined as text
    instead, which gives the same string, and anything else ("./a", "a//b", "~/a", a
    Windows separator) still goes through Path.
    """
    prefix = str(base).rstrip("/") + "/"
    plain = os.sep == "/" and str(base) != "."
    out = []
    for v in values.tolist():
        if not v:
            out.append(v)
        elif plain and v[0] not in "/~." and "//" not in v and "/." not in v \
                and not v.endswith("/"):
            out.append(prefix + v)
        elif os.path.isabs(os.path.expanduser(v)):
            out.append(v)
        else:
            out.append(str(base / v))
    return np.array(out, dtype=object)


#: Orange's three-row header (.tab files): a row of types, a row of flags
_ORANGE_TYPES = frozenset({"c", "d", "s", "t", "continuous", "discrete", "string", "time"})
_ORANGE_FLAGS = frozenset({"class", "meta", "m", "c", "i", "ignore", "weight", "w"})


def orange_header_roles(columns: dict[str, np.ndarray]) -> dict[str, list[str]] | None:
    """Roles from Orange's header rows (types, then flags), or None when the first two
    rows are data. Files saved by Orange carry their class and metas this way; reading
    them as data would make every column text."""
    if not columns or len(next(iter(columns.values()))) < 2:
        return None
    types = [str(v[0]).strip().lower() for v in columns.values()]
    flags = [str(v[1]).strip().lower() for v in columns.values()]
    if not (all(t in _ORANGE_TYPES or not t for t in types) and any(types)
            and all(f in _ORANGE_FLAGS or not f for f in flags)):
        return None
    roles: dict[str, list[str]] = {"target": [], "metas": [], "skip": []}
    for name, kind, flag in zip(columns, types, flags, strict=True):
        if flag == "class":
            roles["target"].append(name)
        elif flag in ("meta", "m") or kind in ("d", "discrete", "s", "string"):
            roles["metas"].append(name)  # discrete numbers are categories, not features
        elif flag in ("i", "ignore", "weight", "w"):
            roles["skip"].append(name)
    return roles


def read_table_file(path: str | os.PathLike[str], **roles: Any) -> ReadResult:
    """Read ``path`` and assign roles (keyword arguments of :func:`table_from_columns`);
    an Orange header (types and flags rows) gives roles the caller did not set."""
    p = Path(path)
    notes: list[str] = []
    columns = read_columns(p, notes)
    if not columns:
        raise TableReadError(f"{p.name} has no columns")
    header = orange_header_roles(columns) if p.suffix.lower() not in (".parquet", ".pq") \
        else None
    if header is not None:
        columns = {k: v[2:] for k, v in columns.items()}
        if not roles.get("target") and header["target"]:
            roles["target"] = header["target"][0]
        roles["metas"] = [*roles.get("metas", ()), *header["metas"]]
        roles["skip"] = [*roles.get("skip", ()), *header["skip"]]
    table = table_from_columns(columns, base=p.parent, notes=notes, name=p.stem, **roles)
    return ReadResult(table, notes)
