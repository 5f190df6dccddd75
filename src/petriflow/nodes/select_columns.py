"""Select Columns: which columns are features, which is the target, which are metas.

Why it matters for images: a merged metadata table brings the label the user wants to
learn (a column of the File) and columns that must *not* reach a learner (plate number,
image size); the embedder adds its features after this. Roles are kept by column name,
so a new column (a re-exported spreadsheet) keeps its role from the input unless
``ignore_new`` is set, as in Orange.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np

from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.nodes._shared import cell_text, column_numbers

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

Role = Literal["feature", "target", "meta", "skip"]
ROLES: tuple[str, ...] = get_args(Role)
#: Orange's ``domain_role_hints`` roles
_ORANGE_ROLES = {"attribute": "feature", "class": "target", "meta": "meta",
                 "available": "skip"}


def current_roles(table: Table) -> dict[str, str]:
    """Each column's role in ``table`` (the starting point the settings override)."""
    roles = dict.fromkeys(table.feature_names, "feature")
    if table.class_name is not None:
        roles[table.class_name] = "target"
    roles.update(dict.fromkeys(table.metas, "meta"))
    return roles


class SelectColumns(Node):
    qualified_name = "petriflow.select_columns"
    name = "Select Columns"
    category = "Data"
    icon = "select-columns"
    description = "Choose which columns are features, the target, or metas."
    keywords = ("select columns", "features", "target", "class", "meta", "roles", "domain")
    priority = 30
    inputs = (Input("Data", Table, default=True, id="data"),)
    outputs = (Output("Data", Table, default=True, id="data"),)
    replaces = ("Orange.widgets.data.owselectcolumns.OWSelectAttributes",)

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Select Columns: ``domain_role_hints`` of the current context, keyed
        by ``(name, type)`` (attribute / class / meta / available = left out)."""
        used = {"domain_role_hints", "ignore_new_features", "use_input_features"}
        if isinstance(s.get("ignore_new_features"), bool):
            t.set("ignore_new_features", "ignore_new", s["ignore_new_features"])
        hints = t.context_values(s).get("domain_role_hints")
        if isinstance(hints, dict):
            roles: dict[str, str] = {}
            for key, value in hints.items():
                if isinstance(key, str) and key.startswith("("):
                    try:
                        key = ast.literal_eval(key)
                    except (ValueError, SyntaxError):
                        continue
                name = key[0] if isinstance(key, list | tuple) and key else key
                role = value[0] if isinstance(value, list | tuple) and value else value
                if isinstance(name, str) and role in _ORANGE_ROLES:
                    roles[name] = _ORANGE_ROLES[role]
            t.values["roles"] = roles
            t.carried["context_settings"] = f"roles of {len(roles)} columns"
        if s.get("use_input_features"):
            t.skip("use_input_features", "a Features input is not available")
        return used

    @dataclass
    class Settings:
        #: column name -> "feature" | "target" | "meta" | "skip"; others keep their role
        roles: dict[str, str] = field(default_factory=dict)
        #: leave out columns the settings do not name (instead of keeping their role)
        ignore_new: bool = False

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        s = self.settings
        bad = {r for r in s.roles.values() if r not in ROLES}
        if bad:
            raise NodeError(f"Unknown role(s) {', '.join(sorted(bad))}; roles are "
                            f"{', '.join(ROLES)}.")
        start = current_roles(data)
        roles = {c: s.roles.get(c, "skip" if s.ignore_new else r) for c, r in start.items()}
        absent = [c for c in s.roles if c not in start]
        if absent:
            progress.warn(f"Not in the data (ignored): {', '.join(absent)}.")
        targets = [c for c, r in roles.items() if r == "target"]
        if len(targets) > 1:
            raise NodeError(f"Only one target column is possible; {', '.join(targets)} are "
                            "all set as target.")
        cancel.check()
        feats: list[np.ndarray] = []
        names: list[str] = []
        metas: dict[str, np.ndarray] = {}
        for col, role in roles.items():
            if role == "feature":
                values = column_numbers(data, col)
                if values is None:
                    raise NodeError(f"Column {col!r} holds text; it can be the target or a "
                                    "meta, not a feature.")
                feats.append(values)
                names.append(col)
            elif role == "meta":
                metas[col] = data.column(col) if start[col] != "feature" \
                    else data.column(col).astype(np.float64)
        X = np.column_stack(feats) if feats else np.zeros((len(data), 0))
        table = Table(X=X, feature_names=tuple(names), row_ids=data.row_ids, metas=metas,
                      image_column=data.image_column if data.image_column in metas else None,
                      name=data.name)
        if targets:
            labels = data.column(targets[0])
            if start[targets[0]] == "target":
                table = table.with_class(labels, targets[0], data.class_values)
            else:
                table = table.with_class([cell_text(v) for v in labels.tolist()], targets[0])
        progress(100, table.summary())
        return {"Data": table}

