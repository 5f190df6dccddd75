"""Merge Data: join a metadata table (Extra Data) to the rows of Data by a key column.

The image-study pattern: Import Images gives one row per image, a File gives one row
per image *name* with what the biologist recorded; Merge Data puts the two side by side
so the record becomes the class or a meta of each image. Rows of Data keep their row ids
(a selection made downstream still finds its images); rows only in Extra Data (outer
join) get fresh ids.

Duplicate keys in Extra Data are not an error — spreadsheets have them — but the node
says how it resolved them (the first row of each key is used, and how many were not).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np

from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.status import counted
from petriflow.core.table import Table, new_row_ids
from petriflow.nodes._shared import cell_text, check_choice

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

#: left: every row of Data; inner: rows with a match; outer: also Extra's unmatched rows
MergeHow = Literal["left", "inner", "outer"]
MERGE_HOWS: tuple[str, ...] = get_args(MergeHow)
#: Orange's ``merging`` index: append columns (left), matching pairs, concatenate
_ORANGE_MERGING = ["left", "inner", "outer"]
#: the key meaning "row position" (Orange's "Row index")
ROW_INDEX = ""


def key_strings(table: Table, column: str) -> np.ndarray:
    """The key column as comparable strings ("" = missing; 3.0 and "3" are the same key),
    or the row positions when ``column`` is :data:`ROW_INDEX`."""
    if column == ROW_INDEX:
        return np.array([str(i) for i in range(len(table))], dtype=object)
    try:
        values = table.column(column)
    except KeyError:
        raise NodeError(f"The key column {column!r} is not in the data; its columns are "
                        f"{', '.join(table.column_names)}.") from None
    out = [cell_text(v) for v in values.tolist()]
    return np.array(out, dtype=object)


def _pick(values: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``values`` at positions ``idx``; -1 gives a missing value (NaN or "")."""
    missing = idx < 0
    taken = (values[np.where(missing, 0, idx)] if len(values)
             else np.empty((len(idx), *values.shape[1:]), values.dtype))
    if not missing.any():
        return taken
    if values.dtype.kind in "fiub":
        taken = taken.astype(np.float64)
        taken[missing] = np.nan
    else:
        taken = taken.astype(object)
        taken[missing] = ""
    return taken


def _free(name: str, used: set[str]) -> str:
    new, k = name, 2
    while new in used:
        new, k = f"{name} ({k})", k + 1
    used.add(new)
    return new


class MergeData(Node):
    qualified_name = "petriflow.merge_data"
    name = "Merge Data"
    category = "Data"
    icon = "merge-data"
    description = "Add the columns of Extra Data to Data's rows by a key column or row index."
    keywords = ("merge", "join", "metadata", "key", "combine")
    priority = 20
    inputs = (
        Input("Data", Table, default=True, id="data"),
        Input("Extra Data", Table, id="extra_data"),
    )
    outputs = (Output("Data", Table, default=True, id="data"),)
    replaces = ("Orange.widgets.data.owmergedata.OWMergeData",)

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Merge Data: ``merging`` and the first key pair of the current context
        (``attr_pairs``; Orange 3.20+ may join on several pairs: only the first is used)."""
        used = {"merging", "attr_pairs", "attr_augment_data", "attr_augment_extra",
                "attr_merge_data", "attr_merge_extra", "attr_combine_data",
                "attr_combine_extra"}
        if "merging" in s:
            t.pick("merging", s["merging"], list(_ORANGE_MERGING), "how", "merge type")
        pairs = t.context_values(s).get("attr_pairs")
        if isinstance(pairs, list | tuple) and pairs:
            names = []
            for var in pairs[0] if isinstance(pairs[0], list | tuple) else ():
                name = var[0] if isinstance(var, list | tuple) and var else var
                names.append("" if name in (None, "", "Row index", "Instance id")
                             else str(name))
            if len(names) == 2:
                t.values["data_key"], t.values["extra_key"] = names
                t.carried["context_settings"] = (f"data_key={names[0]!r}, "
                                                 f"extra_key={names[1]!r}")
            if len(pairs) > 1:
                t.notes.append("Merge Data: Orange matched on several column pairs; only the "
                               "first pair is used")
        return used

    @dataclass
    class Settings:
        #: Data's key column ("" = row index)
        data_key: str = ROW_INDEX
        #: Extra Data's key column ("" = row index)
        extra_key: str = ROW_INDEX
        #: which rows come out
        how: MergeHow = "left"

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        extra: Table = inputs["Extra Data"]
        s = self.settings
        check_choice(s.how, MERGE_HOWS, "merge type")
        dkeys = key_strings(data, s.data_key)
        ekeys = key_strings(extra, s.extra_key)
        first: dict[str, int] = {}
        dup_rows = 0
        dup_keys: set[str] = set()
        for i, k in enumerate(ekeys.tolist()):
            if not k:
                continue
            if k in first:
                dup_rows += 1
                dup_keys.add(k)
            else:
                first[k] = i
        if dup_rows:
            shown = ", ".join(sorted(dup_keys)[:5]) + (" …" if len(dup_keys) > 5 else "")
            progress.warn(f"Extra Data has {len(dup_keys)} duplicate key value(s) ({shown}); "
                          f"the first row of each was used, {dup_rows} row(s) were not.")
        cancel.check()
        match = np.array([first.get(k, -1) if k else -1 for k in dkeys.tolist()],
                         dtype=np.intp)
        keep = np.arange(len(data)) if s.how != "inner" else np.flatnonzero(match >= 0)
        data_idx, extra_idx = keep, match[keep]
        if s.how == "outer":
            # Extra's rows whose key no Data row has (a duplicate of a matched key is not
            # one: the warning above already says it was not used)
            in_data = set(dkeys.tolist())
            unmatched = np.array([i for i, k in enumerate(ekeys.tolist())
                                  if not k or k not in in_data], dtype=np.intp)
            data_idx = np.concatenate([keep, np.full(len(unmatched), -1, dtype=np.intp)])
            extra_idx = np.concatenate([extra_idx, unmatched])
        table = self._combine(data, extra, data_idx, extra_idx, progress)
        matched = int(np.count_nonzero(match >= 0))
        progress(100, f"{matched} of {counted(len(data), 'row')} matched; "
                      f"{counted(len(table), 'row')} out")
        if not matched:
            progress.warn("No row of Data found a matching key in Extra Data: check the "
                          "key columns.")
        return {"Data": table}

    def _combine(self, data: Table, extra: Table, di: np.ndarray, ei: np.ndarray,
                 progress: Progress) -> Table:
        """Data's columns, then Extra's (renamed "name (2)" on a clash), rows picked by
        ``di``/``ei`` (-1 = no row on that side)."""
        used: set[str] = set(data.feature_names)
        names = list(data.feature_names)
        blocks = [_pick(data.X, di)] if data.n_features else []
        for j, name in enumerate(extra.feature_names):
            names.append(_free(name, used))
            blocks.append(_pick(extra.X[:, j], ei)[:, None])
        X = np.hstack(blocks) if blocks else np.zeros((len(di), 0))
        used |= set(data.metas) | {data.class_name or ""}
        metas = {k: _pick(v, di) for k, v in data.metas.items()}
        skip_key = self.settings.extra_key if self.settings.extra_key in extra.metas and \
            self.settings.extra_key == self.settings.data_key else None
        for k, v in extra.metas.items():
            if k == skip_key:  # the same key twice: fill Extra-only rows' key instead
                metas[k] = np.where(di < 0, _pick(v, ei), metas[k])
                continue
            metas[_free(k, used)] = _pick(v, ei)
        cls_src, cls_idx = (data, di) if data.has_class else (extra, ei)
        labels = None
        if cls_src.has_class:
            labels = _pick(cls_src.class_labels(), cls_idx)
            if data.has_class and extra.has_class:
                metas[_free(str(extra.class_name), used)] = _pick(extra.class_labels(), ei)
                progress.warn(f"Both tables have a class; Data's {data.class_name!r} is kept, "
                              f"Extra's {extra.class_name!r} is a meta.")
        row_ids = new_row_ids(len(di))  # Extra-only rows: fresh ids (no clash with Data's)
        row_ids[di >= 0] = data.row_ids[di[di >= 0]]
        image = data.image_column or (extra.image_column if extra.image_column in metas
                                      else None)
        return Table(
            X=X, feature_names=tuple(names), row_ids=row_ids,
            y=None if labels is None else Table.from_arrays(
                np.zeros((len(di), 0)), [], classes=labels.tolist(),
                class_values=cls_src.class_values).y,
            class_name=cls_src.class_name if labels is not None else None,
            class_values=cls_src.class_values if labels is not None else (),
            metas=metas, image_column=image, name=data.name)
