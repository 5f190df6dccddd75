"""Node messages (the line under a node's title) count in the right number: "saved 1
row", "1 of 1 row matched; 1 row out" (were "1 rows"); many stay plural."""

from __future__ import annotations

from petriflow.nodes.merge_data import MergeData
from petriflow.nodes.save_data import SaveData
from tests.nodes.conftest import blobs, run_node


def test_save_data_counts_one_row(tmp_path) -> None:
    one = blobs(n_per_class=1, k=1)
    run = run_node(SaveData, {"Data": one}, path=str(tmp_path / "one.csv"))
    assert run.progress.message == "saved 1 row to one.csv"
    run = run_node(SaveData, {"Data": blobs(n_per_class=2, k=1)},
                   path=str(tmp_path / "two.csv"))
    assert run.progress.message == "saved 2 rows to two.csv"


def test_merge_data_counts_one_row() -> None:
    one = blobs(n_per_class=1, k=1)
    run = run_node(MergeData, {"Data": one, "Extra Data": one}, data_key="image name",
                   extra_key="image name")
    assert run.progress.message == "1 of 1 row matched; 1 row out"
