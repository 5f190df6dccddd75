"""Selections stored as row positions: validate them and build the two usual outputs.

Views (a table, a scatter plot, an image grid) store what the user picked as *row
positions of the node's input*; that list is a plain setting, so a saved workflow
replays the same selection headless. Every selecting node produces the same pair of
outputs, as in Orange: ``Selected Data`` (the picked rows, input order, ``None`` when
nothing is picked) and ``Data`` (all rows with a ``Selected`` Yes/No meta). When the
input already has a ``Selected`` column (an upstream node's flags or groups), the new
one is named as Orange's ``get_unique_names`` names it, ``Selected (1)``, ``Selected
(2)``…, so the upstream groups reach the next node intact.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

import numpy as np

from petriflow.core.table import Table

__all__ = ["SELECTED_META", "annotate_selection", "clean_positions", "is_selection_meta",
           "unique_name"]

SELECTED_META = "Selected"


def unique_name(names: Collection[str], proposed: str) -> str:
    """``proposed``, or ``proposed (k)`` when it or an indexed variant is taken: k is one
    more than the largest index in use, else 1 (Orange's ``get_unique_names`` for one
    name, so a workflow's columns read as they would in Orange)."""
    pattern = re.compile(rf"^{re.escape(proposed)} \((\d+)\)$")
    indices = [int(m.group(1)) for n in names if (m := pattern.match(str(n)))]
    if proposed not in names and not indices:
        return proposed
    return f"{proposed} ({max(indices, default=0) + 1})"


def is_selection_meta(name: str) -> bool:
    """A selecting node's flag column (``Selected`` or ``Selected (k)``): it changes with
    the user's picks, not with the data."""
    return re.fullmatch(rf"{SELECTED_META}( \(\d+\))?", name) is not None


def clean_positions(positions: Iterable[int], n_rows: int) -> tuple[np.ndarray, int]:
    """Sorted unique in-range positions, and how many given positions were out of range."""
    raw = np.fromiter((int(p) for p in positions), dtype=np.int64)
    ok = (raw >= 0) & (raw < n_rows)
    return np.unique(raw[ok]), int((~ok).sum())


def annotate_selection(
    table: Table, positions: Iterable[int]
) -> tuple[Table | None, Table, int]:
    """(selected rows or None, table with a 'Selected' Yes/No meta, n ignored positions);
    the meta is named by :func:`unique_name` when the table has a 'Selected' already."""
    pos, n_bad = clean_positions(positions, len(table))
    mask = np.zeros(len(table), dtype=bool)
    mask[pos] = True
    flags = np.where(mask, "Yes", "No").astype(object)
    annotated = table.with_meta(unique_name(table.metas, SELECTED_META), flags)
    selected = table.take(pos) if len(pos) else None
    return selected, annotated, n_bad
