"""Data Table: show a table and pass on the rows the user selects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from petriflow.core.node import CancelToken, Input, Node, Output, Progress
from petriflow.core.table import Table
from petriflow.nodes._shared import selection_outputs


class DataTable(Node):
    qualified_name = "petriflow.data_table"
    name = "Data Table"
    category = "Data"
    icon = "table"
    description = "Show data in a spreadsheet and select rows."
    keywords = ("table", "spreadsheet", "rows", "view")
    priority = 20
    inputs = (Input("Data", Table, default=True, id="data"),)
    outputs = (
        Output("Selected Data", Table, default=True, id="selected_data"),
        Output("Data", Table, id="annotated_data"),
    )
    replaces = (
        "Orange.widgets.data.owtable.OWTable",
        "Orange.widgets.data.owtable.OWDataTable",
        "Orange.widgets.data.owdatatable.OWDataTable",
    )

    @dataclass
    class Settings:
        #: positions (0-based) of the selected rows of the input, as shown unsorted
        selected_rows: list[int] = field(default_factory=list)
        #: the column the view is sorted by ("" = the input's order) and its direction
        sort_column: str = ""
        sort_descending: bool = False

    view_settings = ("sort_column", "sort_descending")

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        progress(50, f"{data.summary()}")
        return selection_outputs(data, self.settings.selected_rows, progress)
