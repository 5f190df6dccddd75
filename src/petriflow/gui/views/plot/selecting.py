"""Selecting points in the projection scatter: drags, clicks and selection groups.

Why a mixin of its own: the scatter view (``views/_projection.py``) draws; this part
turns a finished rectangle or lasso into the node's ``selected`` setting with its
identity context, and offers the selection groups (:mod:`.groups`) plainly: a **Group**
spin box says which group a Shift drag adds to (Shift+Ctrl starts a new group and the
box follows it; a plain drag starts over in G1; the keys 1–9 on the plot pick a
group), and the count below the map names each group in its ring colour with its size,
so a user sees what the output's ``Selected`` column will hold before looking at it.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtWidgets import QSpinBox

from petriflow.core.table import Table
from petriflow.gui.views._common import rows_context
from petriflow.gui.views.plot.canvas import inside
from petriflow.gui.views.plot.groups import NEW_GROUP, REMOVE, combine, selected_groups
from petriflow.gui.views.plot.points import RING_COLORS
from petriflow.nodes._projection import group_label

__all__ = ["MAX_GROUPS", "SelectionMixin", "group_summary"]

#: the group spin box goes up to this (Orange's scatter offers as many as it has keys)
MAX_GROUPS = 9


def group_summary(groups: list[int]) -> str:
    """Rich text naming each selection group in its ring colour with its size."""
    counts: dict[int, int] = {}
    for g in groups:
        counts[g] = counts.get(g, 0) + 1
    parts = []
    for g in sorted(counts):
        color = RING_COLORS[(g - 1) % len(RING_COLORS)]
        parts.append(f'<span style="color:{color}">&#9711;</span>&nbsp;'
                     f"{html.escape(group_label(g))}&nbsp;{counts[g]}")
    return "&nbsp; ".join(parts)


class SelectionMixin:
    """What the scatter view does with a finished drag or click (see the module);
    for :class:`~petriflow.gui.views._projection.ProjectionView`."""

    node: Any
    table: Table | None
    xy: np.ndarray
    settings: Any
    box: Any
    plot: Any
    set_settings: Any
    _visible: Any
    _selection_cache: tuple[Any, list[int], dict[str, Any], list[int], list[int]] | None
    group_box: QSpinBox

    def make_group_box(self) -> QSpinBox:
        box = QSpinBox()
        box.setRange(1, MAX_GROUPS)
        box.setPrefix("Group G")
        box.setToolTip(
            "The selection group a Shift drag adds to (its points are ringed in the "
            "group's colour; Selected Data gets a 'Selected' column G1, G2, …).\n"
            "Shift+Ctrl drag: a new group (this box follows). Ctrl or Alt drag: remove. "
            "A plain drag starts over in G1. Keys 1–9 on the plot pick the group.")
        box.setAccessibleName("Selection group")
        self.group_box = box
        self.plot.digit.connect(lambda k: box.setValue(min(k, MAX_GROUPS)))
        return box

    def target_group(self) -> int:
        """The group a Shift drag adds to (the spin box)."""
        return int(self.group_box.value())

    def _follow_groups(self, groups: list[int], modifiers: Any) -> None:
        """The spin box shows the group the last drag put points into."""
        mods = Qt.KeyboardModifier(modifiers) if not isinstance(
            modifiers, Qt.KeyboardModifier) else modifiers
        box = self.group_box
        if (mods & NEW_GROUP) == NEW_GROUP and groups:
            box.setValue(min(max(groups), MAX_GROUPS))
        elif not mods & (Qt.KeyboardModifier.ShiftModifier | REMOVE):
            box.setValue(1)

    # ------------------------------------------------------------------ selection
    def _selected(self) -> list[int]:
        """Positions of the points the node selects (the saved selection's rows)."""
        return self._selection()[0]

    def _selection(self) -> tuple[list[int], list[int]]:
        """The selected positions and each one's selection group (1, 2, …)."""
        s = self.settings
        cached = self._selection_cache
        if (cached is not None and cached[1] == s.selected
                and cached[2] == s.selection_context and same_rows(cached[0], self.table)):
            return cached[3], cached[4]  # restoring 20,000 rows by identity costs ~40 ms
        rows, groups = selected_groups(self.table, s.selected, s.selection_context,
                                       self.node.directory)
        self._selection_cache = (self.table, list(s.selected), s.selection_context, rows,
                                 groups)
        return rows, groups

    def _select(self, rows: list[int], groups: list[int] | None = None) -> None:
        groups = [1] * len(rows) if groups is None else groups
        context = rows_context(self.table, rows, self.node.directory, groups)
        self._selection_cache = (self.table, list(rows), context, list(rows), list(groups))
        self.set_settings(selected=rows, selection_context=context)

    @property
    def _press(self) -> QPointF | None:
        """Where a selection drag started (None when none is under way)."""
        return self.box.press

    @property
    def lasso(self) -> Any:
        """The lasso's outline item while the lasso is on, else None."""
        return self.box.outline if self.box.lasso_mode else None

    def data_to_widget(self, x: float, y: float) -> QPoint:
        """Pixel on ``canvas`` of a data point: for tests and the hover overlay."""
        self.box.prepareForPaint()  # a pending auto-range first (what the next paint shows)
        scene = self.box.mapViewToScene(QPointF(float(x), float(y)))
        return self.plot.mapFromScene(scene)

    def _on_lasso_toggled(self, on: bool) -> None:
        self.box.lasso_mode = on
        self.set_settings(lasso=on)

    def _on_selected(self, poly: np.ndarray, modifiers: Any) -> None:
        if len(self.xy) == 0:
            return
        mask = inside(poly, self.xy) & self._visible()
        rows, groups = self._selection()
        new_rows, new_groups = combine(rows, groups, np.flatnonzero(mask), modifiers,
                                       target=self.target_group())
        self._follow_groups(new_groups, modifiers)
        self._select(new_rows, new_groups)

    def _on_clicked(self, modifiers: Any) -> None:
        if modifiers & (Qt.KeyboardModifier.ShiftModifier | REMOVE):
            return  # a click with a modifier keeps the selection
        self.group_box.setValue(1)
        if self._selected():
            self._select([])


def same_rows(a: Table | None, b: Table | None) -> bool:
    """The same rows in the same order (a node's re-run for a selection)."""
    return a is b or (a is not None and b is not None and len(a) == len(b)
                      and np.array_equal(a.row_ids, b.row_ids))
