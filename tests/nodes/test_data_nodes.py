"""Merge Data, Select Columns, Select Rows, Scatter Plot on small generated tables."""

from __future__ import annotations

import numpy as np
import pytest

from petriflow.core.node import NodeError
from petriflow.core.table import Table
from petriflow.nodes.merge_data import MergeData
from petriflow.nodes.scatter_plot import ScatterPlot
from petriflow.nodes.select_columns import SelectColumns
from petriflow.nodes.select_rows import SelectRows

from .conftest import run_node


def images() -> Table:
    return Table.from_arrays(
        np.zeros((4, 0)), [],
        metas={"image name": np.array(["a", "b", "c", "z"], dtype=object),
               "image": np.array(["/i/a.png", "/i/b.png", "/i/c.png", "/i/z.png"],
                                 dtype=object),
               "size": np.array([10, 20, 30, 40], dtype=np.int64)},
        image_column="image")


def records() -> Table:
    return Table.from_arrays(
        [[1.0], [2.0], [3.0], [4.0]], ["dose"], classes=["wt", "wt", "mut", "mut"],
        class_name="strain",
        metas={"image name": np.array(["a", "a", "b", "q"], dtype=object)})


@pytest.mark.parametrize("how, n, doses", [
    ("left", 4, [1, 3, np.nan, np.nan]),
    ("inner", 2, [1, 3]),
    ("outer", 5, [1, 3, np.nan, np.nan, 4]),
])
def test_merge_by_key_with_duplicates(how, n, doses):
    data, extra = images(), records()
    run = run_node(MergeData, {"Data": data, "Extra Data": extra},
                   data_key="image name", extra_key="image name", how=how)
    out = run["Data"]
    assert len(out) == n
    np.testing.assert_allclose(out.X[:, 0], doses)
    assert out.image_column == "image"
    # Data's rows keep their ids (selections downstream still find the images)
    kept = 2 if how == "inner" else 4
    assert set(out.row_ids[:kept]) <= set(data.row_ids)
    assert len(set(out.row_ids)) == n
    # the duplicate key is reported with how it was resolved
    assert any("1 duplicate key value(s) (a)" in w and "first row" in w and "1 row(s)" in w
               for w in run.warnings)
    assert out.class_name == "strain"
    assert out.class_labels().tolist()[:2] == ["wt", "mut"]
    if how == "outer":  # the Extra-only row has its key filled in
        assert out.metas["image name"].tolist()[-1] == "q"


def test_merge_row_index_and_bad_key():
    data, extra = images(), records()
    out = run_node(MergeData, {"Data": data, "Extra Data": extra})["Data"]
    np.testing.assert_allclose(out.X[:, 0], [1, 2, 3, 4])
    assert "image name (2)" in out.metas  # a clashing name is kept, renamed
    with pytest.raises(NodeError, match="key column 'nope'"):
        run_node(MergeData, {"Data": data, "Extra Data": extra}, data_key="nope")
    run = run_node(MergeData, {"Data": data, "Extra Data": extra}, data_key="size",
                   extra_key="dose")
    assert any("No row of Data found a matching key" in w for w in run.warnings)


def test_merge_numeric_keys_match_text_keys():
    data = Table.from_arrays([[0.0], [0.0]], ["f"], metas={"id": np.array([1.0, 2.0])})
    extra = Table.from_arrays(np.zeros((2, 0)), [],
                              metas={"id": np.array(["2", "1"], dtype=object),
                                     "note": np.array(["two", "one"], dtype=object)})
    out = run_node(MergeData, {"Data": data, "Extra Data": extra}, data_key="id",
                   extra_key="id")["Data"]
    assert out.metas["note"].tolist() == ["one", "two"]


def test_select_columns_roles():
    data = records()
    out = run_node(SelectColumns, {"Data": data},
                   roles={"dose": "meta", "image name": "target", "strain": "meta"})["Data"]
    assert out.feature_names == () and out.class_name == "image name"
    assert out.class_values == ("a", "b", "q")
    assert out.metas["strain"].tolist() == ["wt", "wt", "mut", "mut"]
    assert out.metas["dose"].dtype.kind == "f"
    np.testing.assert_array_equal(out.row_ids, data.row_ids)
    back = run_node(SelectColumns, {"Data": out}, roles={"dose": "feature"},
                    ignore_new=True)["Data"]
    assert back.feature_names == ("dose",) and not back.has_class and not back.metas


def test_select_columns_bad_roles():
    data = records()
    with pytest.raises(NodeError, match="holds text"):
        run_node(SelectColumns, {"Data": data}, roles={"image name": "feature"})
    with pytest.raises(NodeError, match="Only one target"):
        run_node(SelectColumns, {"Data": data}, roles={"image name": "target"}
                 | {"dose": "target"})
    with pytest.raises(NodeError, match="Unknown role"):
        run_node(SelectColumns, {"Data": data}, roles={"dose": "class"})
    run = run_node(SelectColumns, {"Data": data}, roles={"gone": "meta"})
    assert any("gone" in w for w in run.warnings)


def test_select_rows_conditions():
    data = records()
    run = run_node(SelectRows, {"Data": data}, conditions=[
        {"column": "dose", "op": ">=", "value": "2"},
        {"column": "strain", "op": "in", "value": ["mut"]}])
    assert run["Matching Data"].X[:, 0].tolist() == [3.0, 4.0]
    assert run["Unmatched Data"].X[:, 0].tolist() == [1.0, 2.0]
    assert run["Data"].metas["Selected"].tolist() == ["No", "No", "Yes", "Yes"]
    any_of = run_node(SelectRows, {"Data": data}, match_all=False, conditions=[
        {"column": "dose", "op": "between", "value": [1, 1.5]},
        {"column": "image name", "op": "contains", "value": "Q"}])
    assert any_of["Matching Data"].X[:, 0].tolist() == [1.0, 4.0]
    with_nan = data.with_meta("m", np.array([1.0, np.nan, 2.0, np.nan]))
    defined = run_node(SelectRows, {"Data": with_nan},
                       conditions=[{"column": "m", "op": "is defined"}])
    assert len(defined["Matching Data"]) == 2
    eq = run_node(SelectRows, {"Data": with_nan}, conditions=[{"column": "m", "op": "==",
                                                               "value": "2"}])
    assert eq["Matching Data"].X[:, 0].tolist() == [3.0]
    assert run_node(SelectRows, {"Data": data})["Unmatched Data"] is None


def test_select_rows_bad_conditions():
    data = records()
    for cond, msg in (({"column": "x", "op": "=="}, "not in the data"),
                      ({"column": "strain", "op": "<", "value": 1}, "needs numbers"),
                      ({"column": "dose", "op": "<", "value": "abc"}, "not a number"),
                      ({"column": "dose", "op": "~"}, "Unknown operator")):
        with pytest.raises(NodeError, match=msg):
            run_node(SelectRows, {"Data": data}, conditions=[cond])


def test_scatter_plot_selection_and_axes():
    data = records()
    run = run_node(ScatterPlot, {"Data": data}, attr_x="dose", attr_y="strain",
                   selected=[1, 2])
    assert run["Selected Data"].X[:, 0].tolist() == [2.0, 3.0]
    assert run["Data"].metas["Selected"].tolist() == ["No", "Yes", "Yes", "No"]
    run = run_node(ScatterPlot, {"Data": data}, attr_x="gone")
    assert any("'gone' is not in the data" in w for w in run.warnings)
    with pytest.raises(NodeError, match="no column"):
        run_node(ScatterPlot, {"Data": Table.from_arrays(np.zeros((2, 0)), [])})
