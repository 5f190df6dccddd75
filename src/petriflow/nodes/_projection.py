"""What MDS, PCA and t-SNE share: coordinates appended as metas, and the selection.

A projection node computes an (n, 2) layout for its input rows, appends it as two metas
(e.g. ``mds-x``, ``mds-y``) and outputs ``Selected Data`` (the rows whose positions are
in the ``selected`` setting, input order) and ``Data`` (all rows, plus a ``Selected``
Yes/No meta; with several selection groups, the group: :func:`grouped_selection_outputs`).
The view draws the layout from ``Data`` and writes ``selected``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import numpy as np

from petriflow.analysis.selection import SELECTED_META, unique_name
from petriflow.core.node import Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix
from petriflow.nodes._selection import mark_unverified, restore_row_groups
from petriflow.nodes._shared import selection_outputs

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


@dataclass
class ProjectionSettings:
    """The settings every projection node has, because its scatter view writes them.

    A node's own Settings subclass this (their fields follow these).
    """

    #: positions (0-based) of the selected rows of the input
    selected: list[int] = field(default_factory=list,
                                metadata={"selects": ("point", "points")})
    #: the view's marker shapes by this column ("" = none) and lasso (vs rectangle)
    shape_column: str = ""
    lasso: bool = False
    #: the view's colour, size and label by these columns ("" = the class for colour,
    #: nothing for the others), the columns shown on hover, the classes hidden by a
    #: legend click, and points drawn as thumbnails
    color_column: str = ""
    size_column: str = ""
    label_column: str = ""
    hover_columns: list[str] = field(default_factory=list)
    hidden_values: list[str] = field(default_factory=list)
    thumbnails: bool = False
    #: what the selection was made on (``nodes/_selection.py``): the selected rows'
    #: identity, so that it is restored only on the points the user picked
    selection_context: dict[str, Any] = field(default_factory=dict)


#: version 2 keeps a selection context next to the selection
PROJECTION_SETTINGS_VERSION = 2


def migrate_projection_settings(values: dict[str, Any], version: int) -> dict[str, Any]:
    """Version 1 saved point positions only: not applied to unknown data."""
    return mark_unverified(values, "selected") if version < 2 else values


#: what only the scatter view reads: saved, but changing it does not re-run the node
PROJECTION_VIEW_SETTINGS = ("shape_column", "lasso", "color_column", "size_column",
                            "label_column", "hover_columns", "hidden_values", "thumbnails")


class ProjectionNode(Node):
    """What every projection node shares because the same scatter view draws it: the
    channels (MDS adds Distances, PCA its components), the view-only settings and the
    settings' version with its migration. Not registered (no qualified name)."""

    category = "Unsupervised"
    inputs: ClassVar[tuple[Input, ...]] = (
        Input("Data", Table, default=True, id="data"),
        Input("Data Subset", Table, required=False, id="data_subset"),
    )
    outputs: ClassVar[tuple[Output, ...]] = (
        Output("Selected Data", Table, default=True, id="selected_data"),
        Output("Data", Table, id="annotated_data"),
    )
    view_settings: ClassVar[tuple[str, ...]] = PROJECTION_VIEW_SETTINGS
    settings_version = PROJECTION_SETTINGS_VERSION

    @classmethod
    def migrate_settings(cls, values: dict[str, Any], version: int) -> dict[str, Any]:
        return migrate_projection_settings(values, version)


T = TypeVar("T")


def memo_layout(node: Node, source: Any, compute: Callable[[], T]) -> T:
    """``compute()``'s layout of ``source`` (the input table or distance matrix), once
    per input object and the settings that shape it, in the scheduler's memo.

    Why: a selection is a setting, so every lasso re-runs the node for its outputs; an
    optimisation (t-SNE, MDS, UMAP) would start over each time — seconds to minutes on
    thousands of images, with its live layouts jumping under the user's pointer. The
    selection and the view's settings are not part of the key; the seed and every
    other setting are, so a changed setting computes a new layout. Without a memo (a
    node run on its own) it simply computes.
    """
    memo = node.context.memo
    if memo is None:
        return compute()
    skip = {f.name for f in fields(ProjectionSettings)}
    s = node.settings
    key = ("layout", node.qualified_name,
           tuple((f.name, repr(getattr(s, f.name))) for f in fields(s) if f.name not in skip))
    return memo.get(source, key, compute)


def distance_rows(data: Table | None, dm: DistanceMatrix, what: str,
                  ) -> tuple[Table, np.ndarray]:
    """The rows a projection of the distances ``dm`` lays out, and the matrix (float64).

    The rows are ``data`` if connected (it must match), else the table the distances
    were computed from (so its metas, e.g. the image column, still colour the points and
    show thumbnails), else rows named by the matrix's labels. As Orange's MDS and t-SNE.
    """
    if dm.axis != 0:
        raise NodeError(f"{what} needs distances between rows, not columns.")
    if data is not None and len(data) != len(dm):
        raise NodeError(
            f"Data has {len(data)} rows but the distance matrix is "
            f"{len(dm)}×{len(dm)}; connect matching inputs."
        )
    if len(dm) == 0:
        raise NodeError("The distance matrix is empty.")
    table = data if data is not None else dm.table
    if table is None:
        labels = dm.labels or tuple(str(i + 1) for i in range(len(dm)))
        table = Table.from_arrays(np.zeros((len(dm), 0)), [], metas={"label": list(labels)})
    D = np.asarray(dm.values, dtype=np.float64)
    if not np.isfinite(D).all():
        raise NodeError("The distance matrix contains missing or infinite values.")
    return table, D


def with_coordinates(table: Table, layout: np.ndarray, names: tuple[str, str]) -> Table:
    layout = np.asarray(layout, dtype=np.float64)
    return table.with_meta(names[0], layout[:, 0]).with_meta(names[1], layout[:, 1])


def projection_outputs(
    table: Table,
    layout: np.ndarray,
    names: tuple[str, str],
    selected: list[int],
    progress: Progress,
    context: dict[str, Any] | None = None,
    base: Path | None = None,
) -> dict[str, Table | None]:
    """The two standard outputs of a projection node; ``selected`` is restored under
    its ``context`` (the rows the user picked, if they are in ``table``; ``base``: the
    workflow's folder)."""
    return grouped_selection_outputs(with_coordinates(table, layout, names), selected,
                                     context or {}, progress, base)


def group_label(group: int) -> str:
    """A selection group's name in the outputs, as Orange writes it (G1, G2, …)."""
    return f"G{group}"


def grouped_selection_outputs(table: Table, selected: list[int], context: dict[str, Any],
                              progress: Progress, base: Path | None = None,
                              ) -> dict[str, Table | None]:
    """``Selected Data`` and annotated ``Data`` of a selection restored under its
    context; with several selection groups (the view's Shift+Ctrl lasso), as Orange's
    scatter plot: ``Selected`` is the group ("G1", "G2", …) in ``Selected Data`` and
    "G1"… or "Unselected" in ``Data`` (one group keeps the Yes/No flag every selecting
    node writes, so downstream filters on it still work)."""
    restored, groups = restore_row_groups(table, selected, context, "points", base)
    restored.report(progress)
    out = selection_outputs(table, restored.selection, progress)
    if set(groups) <= {1}:
        return out
    group_of: dict[int, int] = {}
    for p, g in zip(restored.selection, groups, strict=True):
        if 0 <= int(p) < len(table):
            group_of.setdefault(int(p), g)
    rows = np.asarray(sorted(group_of), dtype=int)
    column = np.full(len(table), "Unselected", dtype=object)
    column[rows] = [group_label(group_of[p]) for p in rows.tolist()]
    name = unique_name(table.metas, SELECTED_META)  # upstream groups kept: "Selected (1)"
    out["Selected Data"] = table.take(rows).with_meta(name, column[rows])
    out["Data"] = table.with_meta(name, column)
    return out


def orange_selection(s: dict[str, Any], t: Translation) -> None:
    """Orange projections save ``selection`` as (row, group) pairs or a group per row."""
    sel = s.get("selection", s.get("selection_indices"))
    key = "selection" if "selection" in s else "selection_indices"
    if sel is None:
        return
    rows: list[int] = []
    if isinstance(sel, list | tuple):
        for item in sel:
            if isinstance(item, list | tuple) and item and t.as_int(item[0]) is not None:
                rows.append(int(item[0]))
            elif t.as_int(item) is not None:
                rows.append(int(item))
    if rows:
        t.set(key, "selected", sorted(set(rows)))
        if any(isinstance(i, list | tuple) and len(i) > 1 and i[1] not in (0, 1) for i in sel):
            t.notes.append("selection groups are merged into one selection")
    else:
        t.skip(key, "this selection format is not read")
