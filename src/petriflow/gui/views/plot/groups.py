"""Selection groups of the projection scatter, as in Orange's scatter plot.

Why groups: a user compares several clusters of a map at once ("these images against
those"), and one Yes/No selection needs a workflow branch per cluster. A drag with
Shift+Ctrl (Shift+⌘ on a Mac) puts the points it encloses into a new group; Shift adds
to the group of the view's Group box (the last group unless the user picks another),
Ctrl/⌘/Alt alone removes, a plain drag starts over with one group.
The node's ``Selected Data`` then has a ``Selected`` column ("G1", "G2", …) and its
annotated ``Data`` marks each row's group (``nodes/_projection.py``); each group's points
are ringed in its own colour (:data:`.points.RING_COLORS`).

Groups live in the selection's identity context (``"groups"``, one per saved key,
``nodes/_selection.py``): the settings stay literal, and every group is restored on the
same data by identity and dropped with a note on other data, like the selection itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PyQt6.QtCore import Qt

from petriflow.core.table import Table
from petriflow.nodes._selection import restore_row_groups

__all__ = ["NEW_GROUP", "REMOVE", "combine", "selected_groups"]

_Mod = Qt.KeyboardModifier
#: a drag holding all of these starts a new selection group
NEW_GROUP = _Mod.ShiftModifier | _Mod.ControlModifier
#: any of these (without Shift) removes the enclosed points from the selection
REMOVE = _Mod.ControlModifier | _Mod.AltModifier | _Mod.MetaModifier


def selected_groups(table: Table | None, selected: list[int], context: dict[str, Any],
                    base: Path | None) -> tuple[list[int], list[int]]:
    """The rows the node selects and each one's group (what the node outputs)."""
    if table is None:
        return ([] if context else list(selected)), ([] if context else [1] * len(selected))
    restored, groups = restore_row_groups(table, selected, context, base=base)
    return restored.selection, groups


def combine(rows: list[int], groups: list[int], enclosed: np.ndarray,
            modifiers: Any, target: int | None = None) -> tuple[list[int], list[int]]:
    """The selection after a drag enclosing the rows ``enclosed``: (rows, groups),
    rows sorted. A point moved into a new group leaves its old one (as in Orange).
    ``target``: the group a Shift drag adds to (the view's Group box; the last group
    when None, a new one when it is past the last); its points leave other groups."""
    mods = _Mod(modifiers) if not isinstance(modifiers, _Mod) else modifiers
    group_of = dict(zip(rows, groups, strict=False))
    new = enclosed.tolist()
    if (mods & NEW_GROUP) == NEW_GROUP:
        group = max(group_of.values(), default=0) + 1
        group_of.update(dict.fromkeys(new, group))
    elif mods & _Mod.ShiftModifier:
        last = max(group_of.values(), default=1)
        if target is None:
            for row in new:
                group_of.setdefault(row, last)
        else:
            group_of.update(dict.fromkeys(new, max(1, min(int(target), last + 1))))
    elif mods & REMOVE:
        for row in new:
            group_of.pop(row, None)
    else:
        group_of = dict.fromkeys(new, 1)
    ordered = sorted(group_of)
    return ordered, [group_of[r] for r in ordered]
