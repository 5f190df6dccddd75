from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from petriflow.core.node import NodeError
from petriflow.core.table import Table
from petriflow.nodes.data_table import DataTable
from petriflow.nodes.image_viewer import ImageViewer

from .conftest import blobs, run_node


def test_data_table_selection_and_annotation(blob_table: Table):
    r = run_node(DataTable, {"Data": blob_table}, selected_rows=[5, 1, 1, 40])
    sel, ann = r["Selected Data"], r["Data"]
    assert list(sel.row_ids) == list(blob_table.row_ids[[1, 5, 40]])  # input order
    assert set(sel.row_ids) <= set(blob_table.row_ids)
    flags = ann.metas["Selected"]
    assert (flags == "Yes").sum() == 3 and flags[5] == "Yes" and flags[0] == "No"
    np.testing.assert_array_equal(ann.X, blob_table.X)
    assert not r.warnings


def test_data_table_empty_and_stale_selection(blob_table: Table):
    r = run_node(DataTable, {"Data": blob_table})
    assert r["Selected Data"] is None and (r["Data"].metas["Selected"] == "No").all()
    r = run_node(DataTable, {"Data": blob_table.take([0, 1])}, selected_rows=[1, 7, -1])
    assert len(r["Selected Data"]) == 1 and "2 saved selection" in r.warnings[0]


def test_data_table_empty_table():
    empty = blobs().take([])
    r = run_node(DataTable, {"Data": empty}, selected_rows=[0])
    assert r["Selected Data"] is None and len(r["Data"]) == 0


def test_image_viewer(tmp_path: Path):
    paths = []
    for i in range(4):
        p = tmp_path / f"im{i}.png"
        Image.new("RGB", (4, 4)).save(p)
        paths.append(str(p))
    paths[3] = str(tmp_path / "gone.png")
    t = Table.from_arrays(np.zeros((4, 0)), [], metas={"image": paths}, image_column="image")
    r = run_node(ImageViewer, {"Data": t}, selected=[2, 0])
    assert list(r["Selected Images"].row_ids) == list(t.row_ids[[0, 2]])
    assert "1 of 4 images were not found" in r.warnings[0]
    assert list(r["Data"].metas["Selected"]) == ["Yes", "No", "Yes", "No"]
    # relative paths resolve against the workflow folder
    rel = Table.from_arrays(np.zeros((1, 0)), [], metas={"path": ["im1.png"]})
    r = run_node(ImageViewer, {"Data": rel}, workflow_dir=tmp_path)
    assert not r.warnings


def test_image_viewer_without_image_column(blob_table: Table):
    with pytest.raises(NodeError, match="no image column"):
        run_node(ImageViewer, {"Data": blob_table})
    with pytest.raises(NodeError, match="no column 'pics'"):
        run_node(ImageViewer, {"Data": blob_table}, image_column="pics")
