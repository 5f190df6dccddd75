"""Selections stay with their data: what a saved selection was made on, and whether the
data a node sees now is that data (issue 14.13; Orange's context settings do the same).

A selection setting holds positions (rows, cells, cluster nodes): that is what views
write and what code and tests set. Alone, a position means "the i-th row of whatever
arrives" — so a workflow pointed at another image set selected rows the user never
picked. Next to each selection a node keeps a ``selection_context`` (plain literals,
saved in the .ows) that says what the positions were made on:

* rows (Data Table, Image Viewer, projections): ``{"keys": [...], "rows": n}``, the
  identity of each selected row (:func:`row_keys`: its image file, relative to the
  workflow's folder when it is inside it). The selection is restored on any data by
  identity: the rows whose key was picked, wherever they are now; rows not in the data
  are dropped with a note, and nothing else is ever selected. A relative key also
  matches the same file reached by an absolute path (an example opened as an untitled
  copy reads its images by absolute path).
* confusion cells: ``{"data": fingerprint, "cells": [[actual, predicted], ...]}``, the
  rows evaluated and the cells by class *value* (names, not positions).
* dendrogram clusters: ``{"data": fingerprint, "tree": fingerprint}``, the leaves in
  order and the merge structure; cluster numbers mean nothing on another tree.

Fingerprints (:func:`data_fingerprint`) are made from location-free row keys (the
image's folder name, file name and size), so that a workflow and its images moved
together, or installed as a bundled example, keep their selections.

Each context also records which positions it describes (``"for"``): positions changed
without their context (by code, or a hand-edited file) no longer match it, and apply
as they are. An empty context means "not tied to any data" (set by code, or by an
Orange file): the positions apply as they are too. ``{"unverified": True}`` marks a
selection read from a Petriflow file older than contexts: nothing says what it was made
on, so it is dropped with a note rather than guessed.

Headless (no Qt): the nodes use it in ``petriflow run`` and the views use the same
functions to show what the node selects.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np

from petriflow.analysis.selection import is_selection_meta
from petriflow.core.node import Progress
from petriflow.core.table import Table

__all__ = [
    "UNVERIFIED",
    "Restored",
    "cells_context",
    "clusters_context",
    "data_fingerprint",
    "mark_unverified",
    "restore_cells",
    "restore_clusters",
    "restore_row_groups",
    "restore_rows",
    "row_keys",
    "rows_context",
]

#: the context of a selection read from a file saved before contexts existed
UNVERIFIED: dict[str, Any] = {"unverified": True}


@dataclass(frozen=True)
class Restored:
    """A selection as it applies to the data at hand, and what to tell the user."""

    selection: list[Any]
    warning: str = ""
    info: str = ""

    def report(self, progress: Progress) -> None:
        if self.warning:
            progress.warn(self.warning)
        if self.info:
            progress.info(self.info)


# ---------------------------------------------------------------------------- identity
_KEYS: dict[tuple[int, str, bool], tuple[weakref.ref[Table], list[str]]] = {}
#: path keys by image column (tables derived from one another share the column array)
_PATH_KEYS: dict[tuple[int, str], tuple[weakref.ref[Any], list[str]]] = {}


def _posix(value: Any) -> str:
    text = str(value)
    return PureWindowsPath(text).as_posix() if "\\" in text else text


def _is_absolute(key: str) -> bool:
    return key.startswith("/") or (len(key) > 2 and key[1] == ":" and key[2] == "/")


def _path_key(value: Any, base: str) -> str:
    """The image file as a key: relative to ``base`` when inside it, else as given."""
    key = _posix(value)
    if base and _is_absolute(key) and key.startswith(base + "/"):
        key = key[len(base) + 1:]
    return "file:" + key


def _portable_key(value: Any, size: Any) -> str:
    tail = "/".join(PurePosixPath(_posix(value)).parts[-2:])
    return f"img:{tail}:{size}" if size is not None else f"img:{tail}"


def _content_key(table: Table, i: int, meta_columns: Sequence[np.ndarray]) -> str:
    h = hashlib.blake2b(digest_size=10)
    h.update(np.ascontiguousarray(table.X[i]).tobytes())
    if table.y is not None:
        h.update(str(table.class_values[table.y[i]] if table.y[i] >= 0 else "?").encode())
    for column in meta_columns:
        h.update(b"\x1f" + str(column[i]).encode())
    return "row:" + h.hexdigest()


def row_keys(table: Table, base: Path | str | None = None, *,
             portable: bool = False) -> list[str]:
    """A stable identity for each row of ``table``: the same whenever the same data
    arrives (another session, the workflow and its images moved together), different
    for other data.

    Image rows are their file: its path relative to ``base`` (the workflow's folder)
    when inside it, else as the table has it; ``portable`` keys are the folder name,
    file name and the size Import Images records instead (for fingerprints, which must
    not depend on where the files are). Other rows are a hash of their values. A
    repeated key gets ``#2``, ``#3``… so that every key names one row.
    """
    root = _posix(Path(base).resolve()) if base is not None and not portable else ""
    cache_key = (id(table), root, portable)
    cached = _KEYS.get(cache_key)
    if cached is not None and cached[0]() is table:
        return cached[1]
    n = len(table)
    column = table.metas.get(table.image_column) if table.image_column else None
    sizes = table.metas.get("size") if portable else None
    if sizes is not None and np.asarray(sizes).dtype.kind not in "iu":
        sizes = None
    # text metas only: numbers appended downstream (coordinates, stress, probabilities)
    # and the Selected flag change with settings, not with the data
    metas = [np.asarray(v) for k, v in table.metas.items()
             if not is_selection_meta(k) and np.asarray(v).dtype == object]
    keys = _fast_path_keys(column, root) if column is not None and not portable else None
    if keys is None:
        raw: list[str] = []
        for i in range(n):
            if column is not None and column[i] not in (None, ""):
                if portable:
                    raw.append(_portable_key(column[i],
                                             None if sizes is None else int(sizes[i])))
                else:
                    raw.append(_path_key(column[i], root))
            else:
                raw.append(_content_key(table, i, metas))
        keys = _numbered(raw)
    if len(_KEYS) > 32:  # forget tables that are gone
        for k in [k for k, (ref, _) in _KEYS.items() if ref() is None]:
            del _KEYS[k]
    _KEYS[cache_key] = (weakref.ref(table), keys)
    return keys


def _numbered(raw: list[str]) -> list[str]:
    """``raw`` with a repeated key numbered ``#2``, ``#3``… (so every key names one row)."""
    if len(set(raw)) == len(raw):  # repeats are rare: number them only then
        return raw
    seen: dict[str, int] = {}
    keys = []
    for key in raw:
        count = seen.get(key, 0) + 1
        seen[key] = count
        keys.append(key if count == 1 else f"{key}#{count}")
    return keys


def _fast_path_keys(column: Any, root: str) -> list[str] | None:
    """:func:`_path_key` of every row at once (numbered, :func:`_numbered`) when every
    row has a plain (posix, text) image path, else None (the per-row loop handles the
    rest). Same keys, a fifth of the time, and cached by column: a view writing a
    lasso's context keys each new output table, which shares its input's column."""
    cache_key = (id(column), root)
    cached = _PATH_KEYS.get(cache_key)
    if cached is not None and cached[0]() is column:
        return cached[1]  # each re-run's output table shares its input's image column
    values = column.tolist() if isinstance(column, np.ndarray) else list(column)
    if not all(type(v) is str and v and "\\" not in v for v in values):
        return None
    if not root:
        keys = ["file:" + v for v in values]
    else:
        prefix = root + "/"
        cut = len(prefix)
        keys = ["file:" + (v[cut:] if v.startswith(prefix) else v) for v in values]
    keys = _numbered(keys)
    if isinstance(column, np.ndarray):
        if len(_PATH_KEYS) > 32:
            for k in [k for k, (ref, _) in _PATH_KEYS.items() if ref() is None]:
                del _PATH_KEYS[k]
        _PATH_KEYS[cache_key] = (weakref.ref(column), keys)
    return keys


def data_fingerprint(table: Table, ordered: bool = False) -> str:
    """A short digest of which rows ``table`` has (and of their order, ``ordered``),
    independent of where its image files are."""
    return _digest(row_keys(table, portable=True), ordered)


def _digest(keys: Iterable[str], ordered: bool = False) -> str:
    items = list(keys) if ordered else sorted(keys)
    h = hashlib.blake2b(digest_size=12)
    h.update(str(len(items)).encode())
    if items:  # one update of the joined bytes: the same digest as one per key
        h.update(("\x1e" + "\x1e".join(items)).encode())
    return h.hexdigest()


def _unverified(context: dict[str, Any]) -> bool:
    return bool(context.get("unverified"))


def _for(selection: Iterable[Any]) -> str:
    """A short digest of the positions a context describes."""
    values = selection if isinstance(selection, list | tuple | np.ndarray) else list(selection)
    if all(type(v) is int for v in values):  # row positions: the usual, and large, case
        return _digest(map(str, set(values)))[:12]
    items = sorted({repr([int(x) for x in v]) if isinstance(v, list | tuple) else repr(int(v))
                    for v in values})
    return _digest(items)[:12]


def _describes(context: dict[str, Any], selection: Iterable[Any]) -> bool:
    """False when the positions were changed without their context."""
    return context.get("for") == _for(selection)


def mark_unverified(values: dict[str, Any], field_name: str) -> dict[str, Any]:
    """``migrate_settings`` step: a non-empty selection saved without a context."""
    if values.get(field_name) and not values.get("selection_context"):
        values["selection_context"] = dict(UNVERIFIED)
    return values


_NOT_MADE_HERE = ("was saved without a record of the data it was made on, so it is "
                  "not applied; select again")


# ---------------------------------------------------------------------------- rows
def rows_context(table: Table | None, positions: Iterable[int],
                 base: Path | None = None,
                 groups: Sequence[int] | None = None) -> dict[str, Any]:
    """The context of selecting ``positions`` of ``table`` (what views write; ``base``
    is the workflow's folder). ``groups`` (one per position, 1 = the first) records
    selection groups: ``"groups"`` then gives each key's group, so that every group is
    restored by identity like the selection (absent when all rows are in group 1)."""
    if table is None:
        return {}
    keys = row_keys(table, base)
    given = [int(p) for p in positions]
    group_of = ({p: int(g) for p, g in zip(given, groups, strict=False)}
                if groups is not None else {})
    given = [p for p in given if p >= 0]
    picked = sorted({p for p in given if p < len(keys)})
    if not picked:
        return {}
    context: dict[str, Any] = {"keys": [keys[p] for p in picked], "rows": len(keys),
                               "for": _for(given)}
    if any(group_of.get(p, 1) != 1 for p in picked):
        context["groups"] = [group_of.get(p, 1) for p in picked]
    return context


def restore_row_groups(table: Table, positions: Sequence[int], context: dict[str, Any],
                       noun: str = "rows", base: Path | None = None,
                       groups: Sequence[int] = ()) -> tuple[Restored, list[int]]:
    """:func:`restore_rows` and each restored row's selection group (1, 2, …): from
    the context's ``"groups"`` when the context applies, else ``groups`` as given (one
    per position; missing = 1), as positions set by code apply as they are."""
    restored = restore_rows(table, positions, context, noun, base)
    saved = [str(k) for k in context.get("keys", ())]
    saved_groups = context.get("groups")
    if (context and not _unverified(context) and saved_groups is not None
            and len(saved_groups) == len(saved)
            and _describes(context, [int(p) for p in positions if int(p) >= 0])):
        by_key = dict(zip(saved, (int(g) for g in saved_groups), strict=True))
        keys = row_keys(table, base)
        out = []
        for p in restored.selection:
            group = by_key.get(keys[p])
            if group is None:  # matched as the same file by another path
                group = next((g for k, g in by_key.items() if _same_file(k, keys[p])), 1)
            out.append(group)
        return restored, out
    given = {int(p): int(g) for p, g in zip(positions, groups, strict=False)}
    return restored, [given.get(int(p), 1) for p in restored.selection]


def _same_file(a: str, b: str) -> bool:
    """Two ``file:`` keys name the same file: equal, or one is relative and the other
    is an absolute path ending in it."""
    if a == b:
        return True
    if not (a.startswith("file:") and b.startswith("file:")):
        return False
    pa, pb = a[5:], b[5:]
    if _is_absolute(pa) == _is_absolute(pb):
        return False
    rel, full = (pb, pa) if _is_absolute(pa) else (pa, pb)
    return full.endswith("/" + rel)


def _file_name(key: str) -> str:
    """The file name of a ``file:`` key (``file:img.png`` too: a file directly in the
    workflow's folder has no ``/`` in its key)."""
    return key.removeprefix("file:").rsplit("/", 1)[-1]


def _find(saved: Sequence[str], keys: Sequence[str]) -> list[int]:
    """Positions in ``keys`` of the rows named by ``saved`` (input order)."""
    wanted = set(saved)
    found = {i for i, key in enumerate(keys) if key in wanted}
    matched = {keys[i] for i in found}
    rest = [k for k in saved if k not in matched and k.startswith("file:")]
    if rest:
        by_name: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            if i not in found:
                by_name.setdefault(_file_name(key), []).append(i)
        for key in rest:
            for i in by_name.get(_file_name(key), ()):
                if i not in found and _same_file(key, keys[i]):
                    found.add(i)
                    break
    return sorted(found)


def restore_rows(table: Table, positions: Sequence[int], context: dict[str, Any],
                 noun: str = "rows", base: Path | None = None) -> Restored:
    """The positions in ``table`` of the rows selected under ``context`` (``base``:
    the workflow's folder, as for :func:`rows_context`)."""
    if not context:
        return Restored(list(positions))
    if _unverified(context):
        return Restored([], warning=f"The saved selection of {len(positions)} {noun} "
                                    + _NOT_MADE_HERE + ".")
    if not _describes(context, [int(p) for p in positions if int(p) >= 0]):
        return Restored(list(positions))  # positions set without their context
    saved = [str(k) for k in context.get("keys", ())]
    if not saved:
        return Restored([])
    found = _find(saved, row_keys(table, base))
    if not found:
        return Restored([], warning=f"The saved selection ({len(saved)} {noun}) was made "
                                    "on other data; none of its rows are here, so it was "
                                    "dropped.")
    missing = len(saved) - len(found)
    info = (f"{missing} of the {len(saved)} saved selected {noun} are not in this data."
            if missing else "")
    return Restored(found, info=info)


# ---------------------------------------------------------------------------- cells
def cells_context(data: Table, class_values: Sequence[str],
                  cells: Iterable[Sequence[int]]) -> dict[str, Any]:
    """The context of selecting confusion ``cells`` (class indices) of ``data``."""
    k = len(class_values)
    given = [[int(a), int(p)] for a, p in cells]
    named = sorted({(str(class_values[a]), str(class_values[p]))
                    for a, p in given if 0 <= a < k and 0 <= p < k})
    if not named:
        return {}
    return {"data": data_fingerprint(data), "cells": [list(c) for c in named],
            "for": _for(given)}


def restore_cells(data: Table, class_values: Sequence[str],
                  cells: Sequence[Sequence[int]], context: dict[str, Any]) -> Restored:
    """The cells (class indices now) selected under ``context``, on ``data``."""
    if not context:
        return Restored([list(c) for c in cells])
    if _unverified(context):
        return Restored([], warning=f"The saved selection of {len(cells)} cell(s) "
                                    + _NOT_MADE_HERE + ".")
    if not _describes(context, cells):
        return Restored([list(c) for c in cells])  # cells set without their context
    saved = [(str(a), str(p)) for a, p in context.get("cells", ())]
    if not saved:
        return Restored([])
    if context.get("data") != data_fingerprint(data):
        return Restored([], warning=f"The saved selection ({len(saved)} cell(s)) was made on "
                                    "other data, so it was dropped.")
    index = {str(v): i for i, v in enumerate(class_values)}
    found = sorted([index[a], index[p]] for a, p in saved if a in index and p in index)
    if not found:
        return Restored([], warning="The saved selection's classes are not in this data, "
                                    "so it was dropped.")
    missing = len(saved) - len(found)
    info = f"{missing} saved cell(s) name classes not in this data." if missing else ""
    return Restored(found, info=info)


# ---------------------------------------------------------------------------- clusters
def _tree_fingerprint(Z: np.ndarray) -> str:
    merges = np.ascontiguousarray(np.asarray(Z)[:, :2], dtype=np.int64)
    return hashlib.blake2b(merges.tobytes(), digest_size=12).hexdigest()


def clusters_context(items: Table, Z: np.ndarray, nodes: Iterable[int]) -> dict[str, Any]:
    """The context of selecting cluster ``nodes`` of the tree ``Z`` over the rows of
    ``items`` (in the matrix's order)."""
    picked = [int(v) for v in nodes]
    if not picked:
        return {}
    return {"data": data_fingerprint(items, ordered=True), "tree": _tree_fingerprint(Z),
            "for": _for(picked)}


def restore_clusters(items: Table, Z: np.ndarray, nodes: Sequence[int],
                     context: dict[str, Any]) -> Restored:
    """The cluster nodes selected under ``context`` if this is the tree they were
    picked on (the same rows in the same order, merged the same way), else none."""
    if not context:
        return Restored(list(nodes))
    if _unverified(context):
        return Restored([], warning=f"The saved selection of {len(nodes)} cluster(s) "
                                    + _NOT_MADE_HERE + ".")
    if not nodes:
        return Restored([])
    if not _describes(context, nodes):
        return Restored(list(nodes))  # clusters set without their context
    if (context.get("data") != data_fingerprint(items, ordered=True)
            or context.get("tree") != _tree_fingerprint(Z)):
        return Restored([], warning=f"The saved selection ({len(nodes)} cluster(s)) was made "
                                    "on other data or another tree, so it was dropped.")
    return Restored(list(nodes))
