"""Save Data: write a table to CSV/TSV or Parquet (atomically)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from petriflow.analysis.table_files import TableFormat, write_table
from petriflow.core.node import CancelToken, Input, Node, NodeError, Progress
from petriflow.core.status import counted
from petriflow.core.table import Table

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

#: the only kinds of file Save Data writes: a workflow file from elsewhere must not be
#: able to overwrite ~/.bashrc, a script or an autostart entry with table rows
SAFE_SUFFIXES = (".csv", ".tsv", ".tab", ".txt", ".parquet", ".pq")


def unsafe_target(typed: str, target: Path, workflow_dir: Path | None,
                  suffixes: tuple[str, ...] = SAFE_SUFFIXES,
                  what: str = "Save Data writes only table formats") -> str | None:
    """Why Save Data (or Save Model, with its ``suffixes``) must not write ``target``.

    A workflow file is untrusted input and its nodes run when it is opened, so the path
    setting is checked: the file must have a table extension, and a relative path must
    stay inside the workflow's folder (``../../x.csv`` must not climb out of it).
    None when it may be written.
    """
    name = target.name
    if target.suffix.lower() not in suffixes:
        return (f"{what} ({', '.join(suffixes)}); "
                f"{name!r} is not one of these. Choose the file again.")
    if workflow_dir is not None and not Path(typed).expanduser().is_absolute():
        base = Path(os.path.abspath(workflow_dir))
        if not Path(os.path.abspath(target)).is_relative_to(base):
            return (f"The file {typed!r} is outside the workflow's folder; a relative path "
                    "must stay inside it. Choose the file again.")
    return None


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

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Save: the file (folder + name, or an old full path)."""
        import posixpath

        used = {"stored_path", "stored_name", "filename", "filter", "add_type_annotations"}
        path = ""
        if isinstance(s.get("stored_name"), str) and s["stored_name"]:
            base = s.get("stored_path") if isinstance(s.get("stored_path"), str) else ""
            path = posixpath.join(base, s["stored_name"]) if base else s["stored_name"]
            key = "stored_name"
        elif isinstance(s.get("filename"), str) and s["filename"]:
            path, key = s["filename"], "filename"
        if path:
            t.set(key, "path", path)
            lower = path.lower()
            if not lower.endswith((".csv", ".tsv", ".tab", ".parquet", ".pq")):
                t.notes.append(f"Save Data: Petriflow writes CSV, TSV or Parquet; {path!r} "
                               "will be written by its extension's rules or refused")
        if "add_type_annotations" in s:
            t.ignored.append("add_type_annotations")
        if "filter" in s:
            t.ignored.append("filter")  # the extension decides the format
        return used

    @dataclass
    class Settings:
        #: target file; relative paths are relative to the workflow file's folder
        path: str = ""
        #: "auto" picks the format from the extension (.csv, .tsv/.tab, .parquet/.pq)
        format: Literal["auto", TableFormat] = "auto"

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        if not self.settings.path.strip():
            progress.warn("No file chosen; nothing was saved.")
            return {}
        target = self.context.resolve_path(self.settings.path.strip())
        problem = unsafe_target(self.settings.path.strip(), target, self.context.workflow_dir)
        if problem:
            raise NodeError(problem)
        cancel.check()
        try:
            written = write_table(data, target, self.settings.format)
        except (ValueError, OSError) as exc:
            raise NodeError(f"Could not save to {str(target)!r}: {exc}") from None
        progress(100, f"saved {counted(len(data), 'row')} to {written.name}")
        return {}
