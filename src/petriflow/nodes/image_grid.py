"""Image Grid: the images on a grid where similar images are neighbours.

The layout is computed here, headless (``analysis/image_grid.py``), and travels in the
``Data`` output as two metas (grid row and column, counted from 1), so that a saved
workflow run by ``petriflow run`` gives the same grid as the canvas, and the view only
draws what the node decided.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from petriflow.analysis.image_grid import EXACT_LIMIT, grid_layout
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.nodes._selection import restore_rows
from petriflow.nodes._shared import check_subset, features_or_error, selection_outputs
from petriflow.nodes.image_viewer import ImageViewer, image_column_of, resolve_image_path

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

#: the metas of the ``Data`` output that say where each image is (1-based)
GRID_ROW, GRID_COLUMN = "grid row", "grid column"
CellFit = Literal["fit", "crop"]


class ImageGrid(Node):
    qualified_name = "petriflow.image_grid"
    name = "Image Grid"
    category = "Images"
    icon = "image-grid"
    description = "Images on a grid where similar images are neighbours; select some."
    keywords = ("image", "grid", "similarity", "thumbnail", "montage")
    priority = 35
    inputs = (
        Input("Embeddings", Table, default=True, id="embeddings"),
        Input("Data Subset", Table, required=False, id="data_subset"),
    )
    outputs = (
        Output("Selected Images", Table, default=True, id="selected_data"),
        Output("Data", Table, id="annotated_data"),
    )
    replaces = ("orangecontrib.imageanalytics.widgets.owimagegrid.OWImageGrid",)
    #: Orange calls the annotated output "Images" (id "data")
    orange_channels: ClassVar[dict[str, dict[str, str]]] = {
        "inputs": {"data": "Embeddings"},
        "outputs": {"data": "Data", "Images": "Data"},
    }

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Image Grid: cell fit, thumbnail size, label column."""
        used = {"cell_fit", "imageSize", "columns", "rows", "label_attr", "label_selected",
                "imageAttr"}
        fit = s.get("cell_fit")
        if fit in ("Resize", 0):
            t.set("cell_fit", "fit", "fit")
        elif fit in ("Crop", 1):
            t.set("cell_fit", "fit", "crop")
        size = t.as_int(s.get("imageSize"))
        if size is not None:
            t.set("imageSize", "thumbnail_size", min(max(size, 32), 512))
        for key in ("columns", "rows"):
            if key in s:  # Orange sizes the grid anew for every input, as we do
                t.ignored.append(key)
        ctx = t.context_values(s)
        label = ctx.get("label_attr")
        if isinstance(label, str) and label and s.get("label_selected", True):
            t.set("label_attr", "title_column", label)
        if isinstance(ctx.get("imageAttr"), int) and ctx["imageAttr"] != 0:
            t.skip("imageAttr", "saved as a position in Orange's column list; the table's "
                                "image column is used")
        return used

    @dataclass
    class Settings(ImageViewer.Settings):
        """The Image Viewer's settings (image column, title shown under each image,
        thumbnail size, selection and its context) plus the grid's."""

        #: grid size; 0 = automatic (near-square; the other side follows from one given)
        rows: int = 0
        columns: int = 0
        #: "fit" shows whole images, "crop" fills the cell with the image's centre
        fit: CellFit = "fit"

    #: drawing only: changing these does not lay the grid out again
    view_settings = ("fit", "title_column", "thumbnail_size")

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Embeddings"]
        s = self.settings
        if s.rows < 0 or s.columns < 0:
            raise NodeError("Rows and columns must be 0 (automatic) or more.")
        column = image_column_of(data, s.image_column)
        X = features_or_error(data, progress, "Image Grid")
        check_subset(data, inputs.get("Data Subset"), progress)
        if s.rows and s.columns and s.rows * s.columns < len(data):
            progress.warn(f"{s.rows} × {s.columns} cells cannot hold {len(data)} images; "
                          "the grid has more columns.")
        if len(data) > EXACT_LIMIT:
            progress.info(f"{len(data)} images: sorted into columns instead of the optimal "
                          f"arrangement (up to {EXACT_LIMIT}); a cluster is easier to read.")
        bases = [b for b in (self.context.workflow_dir, Path.cwd()) if b is not None]
        missing = sum(not v or not os.path.exists(resolve_image_path(str(v), bases))
                      for v in data.metas[column])
        if missing:
            progress.warn(f"{missing} of {len(data)} images were not found on disk.")
        progress(10, f"arranging {len(data)} images")
        cancel.check()
        layout = grid_layout(X, s.rows, s.columns)
        cancel.check()
        placed = (data.with_meta(GRID_ROW, np.asarray(layout.row + 1, dtype=np.float64))
                  .with_meta(GRID_COLUMN, np.asarray(layout.column + 1, dtype=np.float64)))
        progress(100, f"{layout.rows} × {layout.columns} grid")
        restored = restore_rows(data, s.selected, s.selection_context, "images",
                                self.context.workflow_dir)
        restored.report(progress)
        return selection_outputs(placed, restored.selection, progress,
                                 selected_name="Selected Images")
