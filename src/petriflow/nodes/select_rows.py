"""Select Rows: keep the rows that meet conditions on their columns.

Why: an image study is filtered by its metadata before learning — one strain, doses
above a threshold, only images whose label is known. Conditions are plain settings
(column, operator, value), so a saved workflow replays the same filter headless;
rows keep their ids, so a selection downstream still finds its images.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np

from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.nodes._shared import cell_text, column_numbers, selection_outputs

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

#: numeric comparisons, equality and membership (text and categories), presence
Operator = Literal["==", "!=", "<", "<=", ">", ">=", "between", "outside", "in", "not in",
                   "contains", "is defined", "is not defined"]
OPERATORS: tuple[str, ...] = get_args(Operator)
_NUMERIC_OPS = ("<", "<=", ">", ">=", "between", "outside")
#: Orange's operator indices for a continuous variable (owselectrows.Operators)
_ORANGE_CONTINUOUS: list[str | None] = ["==", "!=", "<", "<=", ">", ">=", "between",
                                        "outside", "is defined"]
#: ... and for a string variable
_ORANGE_STRING: list[str | None] = ["==", "!=", None, None, None, None, None, None,
                                    "contains", None, None, None, "is defined"]


#: Orange's operator indices for a categorical variable ("is defined" takes no value)
_ORANGE_DISCRETE: list[str] = ["==", "!=", "in", "is defined"]


def _orange_discrete(name: str, op_index: int | None,
                     values: list[Any]) -> dict[str, Any] | str | None:
    """One of Orange's categorical conditions as ours; "unset" when no value was
    chosen (Orange skips that condition), None when it cannot be carried: values saved
    as positions in Orange's list of the column's values (not names) mean nothing
    without Orange's domain."""
    if op_index is None or not 0 <= op_index < len(_ORANGE_DISCRETE):
        return None
    op = _ORANGE_DISCRETE[op_index]
    if op == "is defined":
        return {"column": name, "op": op, "value": None}
    if any(not isinstance(v, str) for v in values):
        return None
    chosen = [v for v in values if v]
    if not chosen:
        return "unset"
    return {"column": name, "op": op, "value": chosen if op == "in" else chosen[0]}


def condition_mask(table: Table, cond: Mapping[str, Any]) -> np.ndarray:
    """Rows of ``table`` that meet one condition ``{"column", "op", "value"}``."""
    column, op, value = str(cond.get("column", "")), cond.get("op", "=="), cond.get("value")
    if op not in OPERATORS:
        raise NodeError(f"Unknown operator {op!r}; choose one of {', '.join(OPERATORS)}.")
    try:
        raw = table.column(column)
    except KeyError:
        raise NodeError(f"Select Rows: the column {column!r} is not in the data.") from None
    numbers = column_numbers(table, column)
    texts = np.array([cell_text(v) for v in raw.tolist()], dtype=object)
    defined = ~np.isnan(numbers) if numbers is not None else texts != ""
    if op == "is defined":
        return defined
    if op == "is not defined":
        return ~defined
    if op in _NUMERIC_OPS:
        if numbers is None:
            raise NodeError(f"{column!r} holds text; {op!r} needs numbers.")
        lo, hi = _bounds(value, op, column)
        with np.errstate(invalid="ignore"):
            mask = {"<": numbers < lo, "<=": numbers <= lo, ">": numbers > lo,
                    ">=": numbers >= lo, "between": (numbers >= lo) & (numbers <= hi),
                    "outside": (numbers < lo) | (numbers > hi)}[op]
        return mask & defined
    if op == "contains":
        needle = str(value or "").lower()
        return np.array([needle in t.lower() for t in texts.tolist()], dtype=bool)
    wanted = value if isinstance(value, list | tuple) else [value]
    keys = {cell_text(_number_or_text(v)) for v in wanted}
    mask = np.array([t in keys for t in texts.tolist()], dtype=bool)
    return ~mask & defined if op in ("!=", "not in") else mask


def _number_or_text(value: Any) -> Any:
    """A typed value "3" matches the cell 3.0: numbers compare as cell_text does."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _bounds(value: Any, op: str, column: str) -> tuple[float, float]:
    items = value if isinstance(value, list | tuple) else [value]
    try:
        nums = [float(v) for v in items]
    except (TypeError, ValueError):
        raise NodeError(f"The value {value!r} for {column!r} is not a number.") from None
    need = 2 if op in ("between", "outside") else 1
    if len(nums) < need:
        raise NodeError(f"{op!r} on {column!r} needs {need} value(s).")
    return (min(nums[:2]), max(nums[:2])) if need == 2 else (nums[0], nums[0])


class SelectRows(Node):
    qualified_name = "petriflow.select_rows"
    name = "Select Rows"
    category = "Data"
    icon = "select-rows"
    description = "Keep the rows that meet conditions on their columns."
    keywords = ("select rows", "filter", "condition", "subset", "where")
    priority = 40
    inputs = (Input("Data", Table, default=True, id="data"),)
    outputs = (
        Output("Matching Data", Table, default=True, id="matching_data"),
        Output("Unmatched Data", Table, id="unmatched_data"),
        Output("Data", Table, id="annotated_data",
               doc="all rows, with a Selected meta saying which matched"),
    )
    replaces = ("Orange.widgets.data.owselectrows.OWSelectRows",)

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Select Rows: ``conditions`` of the current context (name, type,
        operator index, values) for numeric, text and categorical columns (Orange always
        combines them with AND). Orange saves a categorical condition's values by name
        (settings version 2), so "is", "is not", "is one of" and "is defined" carry; a
        value saved as an index of a domain we do not have, or the "All variables"
        rows, do not."""
        used = {"conditions", "purge_attributes", "purge_classes", "remove_redundant",
                "update_on_change"}
        ctx = t.context_values(s)
        conds = ctx.get("conditions", s.get("conditions"))
        ours: list[dict[str, Any]] = []
        dropped = unset = 0
        for c in conds if isinstance(conds, list | tuple) else ():
            if not (isinstance(c, list | tuple) and len(c) >= 4):
                dropped += 1
                continue
            name, kind, op_index = c[0], c[1], t.as_int(c[2])
            values = list(c[3]) if isinstance(c[3], list | tuple) else []
            if t.as_int(kind) == 1 and isinstance(name, str):
                cond = _orange_discrete(name, op_index, values)
                if cond is None:
                    dropped += 1
                elif isinstance(cond, dict):
                    ours.append(cond)
                else:  # "unset"
                    unset += 1
                continue
            table = {2: _ORANGE_CONTINUOUS, 3: _ORANGE_STRING}.get(t.as_int(kind) or 0)
            op = table[op_index] if table and op_index is not None and \
                0 <= op_index < len(table) else None
            if op is None or not isinstance(name, str):
                dropped += 1
                continue
            value: Any = values if op in ("between", "outside") else (values[0] if values
                                                                       else "")
            ours.append({"column": name, "op": op, "value": value})
        if ours:
            t.values["conditions"] = ours
            t.carried["conditions"] = f"{len(ours)} condition(s)"
        if dropped:
            t.skip("conditions", f"{dropped} condition(s) with other operators, on all "
                   "variables at once, or with categorical values saved by position are "
                   "not carried")
        if unset:
            t.notes.append(f"{unset} categorical condition(s) without a chosen value "
                           "left out (Orange ignores them too)")
        for key in ("purge_attributes", "purge_classes"):
            if s.get(key):
                t.skip(key, "removing unused values is not available")
        return used

    @dataclass
    class Settings:
        #: each {"column": name, "op": one of OPERATORS, "value": a value or a list}
        conditions: list[dict[str, Any]] = field(default_factory=list)
        #: all conditions must hold (else any one)
        match_all: bool = True

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        s = self.settings
        if s.conditions:
            masks = [condition_mask(data, c) for c in s.conditions]
            mask = np.logical_and.reduce(masks) if s.match_all else np.logical_or.reduce(masks)
        else:
            mask = np.ones(len(data), dtype=bool)
        cancel.check()
        rows = np.flatnonzero(mask)
        out = selection_outputs(data, rows.tolist(), progress, "Matching Data")
        out["Unmatched Data"] = data.take(~mask) if not mask.all() else None
        progress(100, f"{len(rows)} of {counted(len(data), 'row')} match" if len(rows) != 1
                 else f"1 of {counted(len(data), 'row')} matches")
        return out
