"""Selections stored as row positions: validate them and build the two usual outputs.

Views (a table, a scatter plot, an image grid) store what the user picked as *row
positions of the node's input*; that list is a plain setting, so a saved workflow
replays the same selection headless. Every selecting node produces the same pair of
outputs, as in Orange: ``Selected Data`` (the picked rows, input order, ``None`` when
nothing is picked) and ``Data`` (all rows with a ``Selected`` Yes/No meta).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from petriflow.core.table import Table

__all__ = ["SELECTED_META", "annotate_selection", "clean_positions"]

SELECTED_META = "Selected"


def clean_positions(positions: Iterable[int], n_rows: int) -> tuple[np.ndarray, int]:
    """Sorted unique in-range positions, and how many given positions were out of range."""
    raw = np.fromiter((int(p) for p in positions), dtype=np.int64)
    ok = (raw >= 0) & (raw < n_rows)
    return np.unique(raw[ok]), int((~ok).sum())


def annotate_selection(
    table: Table, positions: Iterable[int]
) -> tuple[Table | None, Table, int]:
    """(selected rows or None, table with a 'Selected' Yes/No meta, n ignored positions)."""
    pos, n_bad = clean_positions(positions, len(table))
    mask = np.zeros(len(table), dtype=bool)
    mask[pos] = True
    flags = np.where(mask, "Yes", "No").astype(object)
    annotated = table.with_meta(SELECTED_META, flags)
    selected = table.take(pos) if len(pos) else None
    return selected, annotated, n_bad
