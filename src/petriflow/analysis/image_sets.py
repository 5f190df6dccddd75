"""Multi-channel image sets: one row per field of view, one file per stain.

Why: high-content screens store each stain of a field as its own grayscale file
(BBBC021: DNA, tubulin, actin) and describe fields in a metadata table (plate, well,
compound, concentration, MoA). A CSV with two or more columns of image file names is
read as such a set: every channel column stays a meta column of absolute paths (named
as in the header), the first one is the table's image column (for viewers), and the
other columns become metas. The embedder's per-channel mode finds the channel columns
with :func:`channel_columns`, embeds each stain in grayscale and concatenates.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from petriflow.analysis.image_import import ImageImportError, read_delimited_rows, read_list_file
from petriflow.analysis.images import has_image_suffix
from petriflow.core.table import Table

__all__ = [
    "channel_columns",
    "embed_image_set",
    "is_image_set_csv",
    "read_image_set",
]

def _image_columns(rows: list[list[str]]) -> list[int]:
    """Columns whose every non-empty value (and at least one) is an image file name."""
    header = rows[0]
    found = []
    for j in range(len(header)):
        values = [r[j] for r in rows[1:] if j < len(r) and r[j].strip()]
        if values and all(has_image_suffix(v.strip()) for v in values):
            found.append(j)
    return found


def is_image_set_csv(path: str | os.PathLike[str]) -> bool:
    """True when the table lists two or more image columns (a multi-channel set)."""
    p = Path(path)
    try:
        rows = read_delimited_rows(p)
    except OSError:
        return False
    return len(rows) >= 2 and len(_image_columns(rows)) >= 2


def read_image_set(
    path: str | os.PathLike[str],
    *,
    class_column: str = "",
    progress: Callable[[float], None] | None = None,
    check: Callable[[], None] | None = None,
) -> tuple[Table, list[str]]:
    """The image-set table and warnings (rows dropped because a channel file is missing).

    Relative paths resolve against the CSV's folder. Only file existence is checked (a
    screen has many thousand files; decoding headers is the embedder's job, which
    reports unreadable files per row). Numeric columns become numeric metas.
    ``class_column`` (any case) becomes the class when given.
    """
    p = Path(path)
    rows = read_list_file(p, "fields")
    header = [h.strip() or f"column {j + 1}" for j, h in enumerate(rows[0])]
    chans = _image_columns(rows)
    if len(chans) < 2:
        raise ImageImportError(f"{p.name} has fewer than two columns of image files")
    base = p.parent
    kept: list[list[str]] = []
    n_missing = 0
    missing_examples: list[str] = []
    n = len(rows) - 1
    for k, r in enumerate(rows[1:]):
        if check is not None and k % 256 == 0:
            check()
        r = r + [""] * (len(header) - len(r))
        files = []
        ok = True
        for j in chans:
            raw = r[j].strip()
            q = Path(raw).expanduser()
            q = q if q.is_absolute() else base / q
            if not raw or not q.is_file():
                ok = False
                if len(missing_examples) < 3:
                    missing_examples.append(raw or f"(empty {header[j]})")
                break
            files.append(str(q.resolve()))
        if not ok:
            n_missing += 1
            continue
        row = list(r[: len(header)])
        for j, f in zip(chans, files, strict=True):
            row[j] = f
        kept.append(row)
        if progress is not None and k % 256 == 0:
            progress((k + 1) / n)
    warnings = []
    if n_missing:
        warnings.append(f"Skipped {n_missing} field(s) with a missing channel file "
                        f"({', '.join(missing_examples)}).")
    metas: dict[str, object] = {}
    first = header[chans[0]]
    metas["image name"] = np.array([Path(r[chans[0]]).stem for r in kept], dtype=object)
    for j in chans:
        metas[header[j]] = np.array([r[j] for r in kept], dtype=object)
    lower = [h.lower() for h in header]
    if not class_column:  # as for image lists: a column named class/category/label
        class_column = next((c for c in ("class", "category", "label") if c in lower), "")
    cls_idx = lower.index(class_column.lower()) if class_column and \
        class_column.lower() in lower else None
    if class_column and cls_idx is None:
        raise ImageImportError(f"{p.name} has no column {class_column!r} for the class")
    for j, name in enumerate(header):
        if j in chans or j == cls_idx:
            continue
        values = [r[j] for r in kept]
        try:
            metas[name] = np.array([float(v) if v.strip() else np.nan for v in values])
        except ValueError:
            metas[name] = np.array(values, dtype=object)
    classes = [r[cls_idx].strip() or None for r in kept] if cls_idx is not None else None
    table = Table.from_arrays(
        np.zeros((len(kept), 0), dtype=np.float32), [],
        classes=classes, class_name=header[cls_idx] if cls_idx is not None else "class",
        metas=metas, image_column=first, name=p.stem,
    )
    return table, warnings


def channel_columns(table: Table) -> list[str]:
    """The meta columns holding per-channel image files (two or more), else [].

    A column counts when every value is a non-empty string ending in an image
    extension; the table's image column must be one of them (it is for image sets).
    """
    found = []
    for name, values in table.metas.items():
        if values.dtype != object or name == "image name" or len(values) == 0:
            continue
        if all(isinstance(v, str) and v and has_image_suffix(v.strip()) for v in values):
            found.append(name)
    if len(found) < 2 or table.image_column not in found:
        return []
    return found


def embed_image_set(
    channel_paths: Sequence[Sequence[str]],
    channel_names: Sequence[str],
    embed: Callable[[list[str]], tuple[np.ndarray, np.ndarray, list[tuple[int, str, str]],
                                       list[str]]],
) -> tuple[np.ndarray, np.ndarray, dict[int, str], list[str]]:
    """Embed each channel's files with ``embed`` and concatenate per row.

    ``embed(paths)`` returns (vectors, ok_indices, skipped, feature_names) for one
    channel; a row is kept only when every channel embedded. Feature names are
    prefixed with the channel ("DNA:n0") so a profile says which stain it came from.
    Returns (vectors, ok_rows, reasons by row, feature names).
    """
    n = len(channel_paths[0]) if channel_paths else 0
    parts: list[np.ndarray] = []
    names: list[str] = []
    ok = np.ones(n, dtype=bool)
    reasons: dict[int, str] = {}
    per_channel: list[tuple[np.ndarray, np.ndarray]] = []
    for ch, paths in zip(channel_names, channel_paths, strict=True):
        vectors, ok_idx, skipped, fnames = embed(list(paths))
        mask = np.zeros(n, dtype=bool)
        mask[ok_idx] = True
        ok &= mask
        for i, _, reason in skipped:
            reasons.setdefault(int(i), f"{ch}: {reason}")
        per_channel.append((vectors, np.asarray(ok_idx, dtype=np.int64)))
        names.extend(f"{ch}:{f.split(':')[-1]}" for f in fnames)
    rows = np.flatnonzero(ok)
    for vectors, ok_idx in per_channel:
        pos = np.searchsorted(ok_idx, rows)
        parts.append(vectors[pos] if len(rows) else vectors[:0])
    X = np.concatenate(parts, axis=1) if parts else np.zeros((0, 0), np.float32)
    for i in range(n):
        if not ok[i]:
            reasons.setdefault(i, "a channel could not be embedded")
    return X.astype(np.float32, copy=False), rows, reasons, names
