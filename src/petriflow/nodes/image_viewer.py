"""Image Viewer: thumbnails of a table's images; pass on the ones the user selects."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.nodes._selection import mark_unverified, restore_rows
from petriflow.nodes._shared import selection_outputs

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


def image_column_of(table: Table, wanted: str = "") -> str:
    """The column holding image paths: the setting, else the table's image column, else
    the first text meta named like an image/path column. Raises NodeError if none."""
    if wanted:
        if wanted not in table.metas:
            raise NodeError(
                f"the data has no column {wanted!r}; text columns: "
                + (", ".join(n for n, v in table.metas.items() if v.dtype == object) or "none")
            )
        return wanted
    if table.image_column:
        return table.image_column
    for name, values in table.metas.items():
        if values.dtype == object and name.lower() in ("image", "path", "file", "filename"):
            return name
    raise NodeError("the data has no image column (use Import Images to load images)")


def resolve_image_path(value: str, bases: list[Path]) -> Path:
    """An image path as stored (absolute or relative), resolved against ``bases``."""
    p = Path(value).expanduser()
    if p.is_absolute():
        return p
    for base in bases:
        if (base / p).exists():
            return base / p
    return (bases[0] / p) if bases else p


class ImageViewer(Node):
    qualified_name = "petriflow.image_viewer"
    name = "Image Viewer"
    category = "Images"
    icon = "image-viewer"
    description = "View images of a table as thumbnails and select some."
    keywords = ("image", "thumbnail", "gallery", "viewer")
    priority = 30
    inputs = (Input("Data", Table, default=True, id="data"),)
    outputs = (
        Output("Selected Images", Table, default=True, id="selected_data"),
        Output("Data", Table, id="annotated_data"),
    )
    replaces = (
        "orangecontrib.imageanalytics.widgets.owimageviewer.OWImageViewer",
        "Orange.widgets.data.owimageviewer.OWImageViewer",
    )
    #: Orange's Image Viewer calls its annotated output "Data" with the id "data"
    orange_channels: ClassVar[dict[str, dict[str, str]]] = {"outputs": {"data": "Data"}}

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Image Viewer: thumbnail size and the image column (by name)."""
        used = {"imageSize", "image_attr", "imageAttr", "selected_items"}
        size = t.as_int(s.get("imageSize"))
        if size is not None:
            t.set("imageSize", "thumbnail_size", min(max(size, 32), 1024))
        ctx = t.context_values(s)
        attr = ctx.get("image_attr")
        if isinstance(attr, str) and attr:
            t.set("image_attr", "image_column", attr)
        if ctx.get("selected_items"):
            t.skip("selected_items", "Orange saves the selection as image paths; Petriflow "
                                     "saves row positions, so it is not carried")
        if isinstance(ctx.get("imageAttr"), int) and ctx["imageAttr"] != 0:
            t.skip("imageAttr", "saved as a position in Orange's column list; the table's "
                                "image column is used")
        return used

    @dataclass
    class Settings:
        #: meta column with image paths ("" = the table's image column)
        image_column: str = ""
        #: column shown under each thumbnail ("" = the class, else "image name")
        title_column: str = ""
        #: thumbnail edge in pixels (32–1024)
        thumbnail_size: int = 100
        #: positions (0-based) of the selected rows of the input
        selected: list[int] = field(default_factory=list,
                                    metadata={"selects": ("image", "images")})
        #: what the selection was made on (``nodes/_selection.py``): the selected rows'
        #: identity, so that it is restored only on the images the user picked
        selection_context: dict[str, Any] = field(default_factory=dict)

    settings_version = 2

    @classmethod
    def migrate_settings(cls, values: dict[str, Any], version: int) -> dict[str, Any]:
        """Version 1 saved row positions only: not applied to unknown data."""
        return mark_unverified(values, "selected") if version < 2 else values

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        s = self.settings
        column = image_column_of(data, s.image_column)
        if s.title_column and s.title_column not in data.column_names:
            progress.warn(f"no column {s.title_column!r} for titles; showing image names")
        bases = [b for b in (self.context.workflow_dir, Path.cwd()) if b is not None]
        missing = 0
        values = data.metas[column]
        for i, value in enumerate(values):
            if i % 256 == 0:
                cancel.check()
                progress(100.0 * i / max(len(values), 1), "checking image files")
            if not value or not os.path.exists(resolve_image_path(str(value), bases)):
                missing += 1
        if missing:
            progress.warn(f"{missing} of {len(values)} images were not found on disk.")
        restored = restore_rows(data, s.selected, s.selection_context, "images",
                                self.context.workflow_dir)
        restored.report(progress)
        out = selection_outputs(data, restored.selection, progress,
                                selected_name="Selected Images")
        return out
