"""Data Table: show a table and pass on the rows the user selects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from petriflow.core.node import CancelToken, Input, Node, Output, Progress
from petriflow.core.table import Table
from petriflow.nodes._selection import mark_unverified, restore_rows
from petriflow.nodes._shared import check_subset, selection_outputs

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


class DataTable(Node):
    qualified_name = "petriflow.data_table"
    name = "Data Table"
    category = "Data"
    icon = "table"
    description = "Show data in a spreadsheet and select rows."
    keywords = ("table", "spreadsheet", "rows", "view")
    priority = 20
    inputs = (
        Input("Data", Table, default=True, id="data"),
        #: rows highlighted in the view (matched by row id, as in the other views)
        Input("Data Subset", Table, required=False, id="data_subset"),
    )
    outputs = (
        Output("Selected Data", Table, default=True, id="selected_data"),
        Output("Data", Table, id="annotated_data"),
    )
    replaces = (
        "Orange.widgets.data.owtable.OWTable",
        "Orange.widgets.data.owtable.OWDataTable",
        "Orange.widgets.data.owdatatable.OWDataTable",
        "Orange.widgets.obsolete.owtable.OWDataTable",
    )

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Data Table: the selected rows (two formats over the years)."""
        used = {"selected_rows", "stored_selection"}
        rows = s.get("selected_rows")
        stored = s.get("stored_selection")
        if rows is None and isinstance(stored, dict):  # Orange >= 3.34: {"rows", "columns"}
            rows = stored.get("rows")
            if (isinstance(rows, list | tuple) and rows
                    and all(t.as_int(r) is not None for r in rows)):
                t.set("stored_selection", "selected_rows", sorted({int(r) for r in rows}))
            return used
        if isinstance(rows, list | tuple) and all(t.as_int(r) is not None for r in rows):
            if rows:
                t.set("selected_rows", "selected_rows", sorted({int(r) for r in rows}))
            else:
                t.ignored.append("selected_rows")
        elif rows is not None:
            t.skip("selected_rows", "this selection format is not read")
        return used

    @dataclass
    class Settings:
        #: positions (0-based) of the selected rows of the input, as shown unsorted
        selected_rows: list[int] = field(default_factory=list,
                                         metadata={"selects": ("row", "rows")})
        #: the column the view is sorted by ("" = the input's order) and its direction
        sort_column: str = ""
        sort_descending: bool = field(default=False, metadata={"label": "sort order"})
        #: what the selection was made on (``nodes/_selection.py``): the selected rows'
        #: identity, so that it is restored only on the rows the user picked
        selection_context: dict[str, Any] = field(default_factory=dict)
        #: image rows show their thumbnail in the image column (view only)
        show_thumbnails: bool = field(default=True, metadata={"label": "thumbnails"})

    view_settings = ("sort_column", "sort_descending", "show_thumbnails")
    settings_version = 2

    @classmethod
    def migrate_settings(cls, values: dict[str, Any], version: int) -> dict[str, Any]:
        """Version 1 saved row positions only: not applied to unknown data."""
        return mark_unverified(values, "selected_rows") if version < 2 else values

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        progress(50, f"{data.summary()}")
        check_subset(data, inputs.get("Data Subset"), progress)  # warns on foreign rows
        s = self.settings
        restored = restore_rows(data, s.selected_rows, s.selection_context,
                                base=self.context.workflow_dir)
        restored.report(progress)
        return selection_outputs(data, restored.selection, progress)
