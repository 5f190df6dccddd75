"""File: a metadata table (CSV/TSV, Excel, Parquet) with roles inferred and settable.

Image studies pair a folder of images with a table describing them (strain, dose,
fabric); File brings that table in so Merge Data can join it to Import Images' rows.
The reading and role rules live in :mod:`petriflow.analysis.table_reader`; this node
resolves the path against the workflow's folder and reports the reader's notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from petriflow.analysis.table_reader import TableReadError, read_table_file
from petriflow.core.node import CancelToken, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.nodes._shared import orange_recent_path

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

#: Orange's domain editor roles (``Place``): feature, class, meta, skip
_ORANGE_ROLES = {0: "feature", 1: "class", 2: "meta", 3: "skip"}


class File(Node):
    qualified_name = "petriflow.file"
    name = "File"
    category = "Data"
    icon = "file"
    description = ("Read a table from a CSV, TSV, Excel or Parquet file: numbers become "
                   "features, text becomes metas, a class column the target.")
    keywords = ("file", "csv", "excel", "xlsx", "parquet", "table", "metadata", "load")
    priority = 5
    outputs = (Output("Data", Table, default=True, id="data"),)
    replaces = ("Orange.widgets.data.owfile.OWFile",)

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's File: the first recent path, and the roles set in its domain editor
        (class → target, meta → metas, skip → skipped; Orange's type changes are not
        carried: types are inferred again from the file)."""
        used = {"recent_paths", "recent_urls", "source", "url", "sheet_names",
                "domain_editor", "xls_sheet", "variables", "recent_files", "new_variables"}
        old = s.get("recent_files")  # Orange before 3.4: a list of path strings
        if not orange_recent_path(s, t, "path", "file", "File") and \
                isinstance(old, list | tuple) and old and isinstance(old[0], str) and old[0]:
            t.set("recent_files", "path", old[0])
        if s.get("source") == 1 or s.get("url"):
            t.skip("url", "reading from a URL is not available; the local file is used")
        editor = t.context_values(s).get("domain_editor")
        variables = editor.get("variables") if isinstance(editor, dict) else None
        if isinstance(variables, list | tuple) and variables:
            metas: list[str] = []
            skip: list[str] = []
            for var in variables:
                if not (isinstance(var, list | tuple) and len(var) >= 3
                        and isinstance(var[0], str)):
                    continue
                role = _ORANGE_ROLES.get(t.as_int(var[2]) or 0, "feature")
                if role == "class":
                    t.values["target"] = var[0]
                elif role == "meta":
                    metas.append(var[0])
                elif role == "skip":
                    skip.append(var[0])
            t.values["metas"], t.values["skip"] = metas, skip
            t.carried["context_settings"] = (
                f"roles: target={t.values.get('target', '')!r}, {len(metas)} metas, "
                f"{len(skip)} skipped")
        return used

    @dataclass
    class Settings:
        #: the table file; relative paths are relative to the workflow file's folder
        path: str = ""
        #: the class column ("" = a text column named class/category/label, if any)
        target: str = ""
        #: look for a class column by name when ``target`` is empty
        infer_target: bool = True
        #: columns kept as metas even when numeric (ids, plate numbers)
        metas: list[str] = field(default_factory=list)
        #: columns left out
        skip: list[str] = field(default_factory=list)

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        s = self.settings
        typed = s.path.strip()
        if not typed:
            progress.warn("No file chosen.")
            return {"Data": None}
        path = self.context.resolve_path(typed)
        progress(0, f"reading {path.name}")
        try:
            result = read_table_file(path, target=s.target.strip(),
                                     infer_target=s.infer_target,
                                     metas=[m for m in s.metas if m not in s.skip],
                                     skip=s.skip)
        except TableReadError as exc:
            raise NodeError(str(exc)[0].upper() + str(exc)[1:] + ".") from None
        except OSError as exc:
            raise NodeError(f"Could not read {str(path)!r}: {exc.strerror or exc}.") from None
        cancel.check()
        for note in result.notes:
            progress.warn(note)
        table = result.table
        progress(100, table.summary())
        return {"Data": table}
