"""Save Data: write a table to CSV/TSV or Parquet (atomically)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from petriflow.analysis.table_io import write_table
from petriflow.core.node import CancelToken, Input, Node, NodeError, Progress
from petriflow.core.table import Table


class SaveData(Node):
    qualified_name = "petriflow.save_data"
    name = "Save Data"
    category = "Data"
    icon = "save"
    description = "Save data to a CSV, TSV or Parquet file."
    keywords = ("save", "export", "write", "csv", "parquet")
    priority = 90
    inputs = (Input("Data", Table, default=True, id="data"),)
    outputs = ()
    replaces = ("Orange.widgets.data.owsave.OWSave",)

    @dataclass
    class Settings:
        #: target file; relative paths are relative to the workflow file's folder
        path: str = ""
        #: "auto" picks the format from the extension (.csv, .tsv/.tab, .parquet/.pq)
        format: Literal["auto", "csv", "tsv", "parquet"] = "auto"

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        if not self.settings.path.strip():
            progress.warn("No file chosen; nothing was saved.")
            return {}
        target = self.context.resolve_path(self.settings.path.strip())
        cancel.check()
        try:
            written = write_table(data, target, self.settings.format)
        except (ValueError, OSError) as exc:
            raise NodeError(f"Could not save to {str(target)!r}: {exc}") from None
        progress(100, f"saved {len(data)} rows to {written.name}")
        return {}
