from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from petriflow.analysis import table_files
from petriflow.core.node import NodeError
from petriflow.core.table import Table
from petriflow.nodes.save_data import SaveData

from .conftest import run_node


@pytest.fixture
def table() -> Table:
    return Table.from_arrays(
        np.array([[1.5, np.nan], [2.0, 3.25]]), ["a", "b"], classes=["x", None],
        metas={"image": ["/p/1.png", "/p/2.png"], "width": np.array([10, 20])},
        image_column="image",
    )


def test_csv_and_tsv(tmp_path: Path, table: Table):
    run_node(SaveData, {"Data": table}, path="out.csv", workflow_dir=tmp_path)
    rows = list(csv.reader((tmp_path / "out.csv").open()))
    assert rows[0] == ["a", "b", "class", "image", "width"]
    assert rows[1] == ["1.5", "", "x", "/p/1.png", "10"]
    assert rows[2] == ["2.0", "3.25", "", "/p/2.png", "20"]
    run_node(SaveData, {"Data": table}, path=str(tmp_path / "out.txt"), format="tsv")
    assert (tmp_path / "out.txt").read_text().splitlines()[0] == "a\tb\tclass\timage\twidth"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_parquet_round_trip(tmp_path: Path, table: Table):
    run_node(SaveData, {"Data": table}, path=str(tmp_path / "out.parquet"))
    back = pq.read_table(tmp_path / "out.parquet")
    assert back.column_names == ["a", "b", "class", "image", "width"]
    assert back.column("a").to_pylist() == [1.5, 2.0]
    assert back.column("b").to_pylist()[0] is None or np.isnan(back.column("b")[0].as_py())
    assert back.column("class").to_pylist() == ["x", None]
    assert b"petriflow" in back.schema.metadata


def test_atomic_write_keeps_old_file_on_failure(tmp_path: Path, table: Table, monkeypatch):
    target = tmp_path / "keep.csv"
    target.write_text("old content")

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(table_files, "_write_delimited", explode)
    with pytest.raises(NodeError, match="disk full"):
        run_node(SaveData, {"Data": table}, path=str(target))
    assert target.read_text() == "old content"
    assert sorted(os.listdir(tmp_path)) == ["keep.csv"]


def test_bad_paths(tmp_path: Path, table: Table):
    r = run_node(SaveData, {"Data": table}, path="")
    assert r.warnings
    with pytest.raises(NodeError, match="format"):
        run_node(SaveData, {"Data": table}, path=str(tmp_path / "x.xyz"))
    with pytest.raises(NodeError, match="does not exist"):
        run_node(SaveData, {"Data": table}, path=str(tmp_path / "no" / "x.csv"))
