"""Table: row ids survive derivation; bad shapes are refused with a message."""

from __future__ import annotations

import numpy as np
import pytest

from petriflow.core.table import Table, new_row_ids
from petriflow.core.types import DistanceMatrix, describe_value


def make(n: int = 5) -> Table:
    return Table.from_arrays(
        np.arange(n * 2, dtype=float).reshape(n, 2), ["a", "b"],
        classes=["x", "y", None, "x", "y"][:n],
        metas={"image": [f"/img/{i}.png" for i in range(n)], "size": np.arange(n)},
        image_column="image",
    )


def test_row_ids_are_unique_and_survive_derivation():
    t = make()
    assert len(set(t.row_ids)) == 5
    assert not set(t.row_ids) & set(make().row_ids)  # a new table gets new ids
    sub = t.take([4, 1])
    assert list(sub.row_ids) == [t.row_ids[4], t.row_ids[1]]
    assert list(sub.image_paths()) == ["/img/4.png", "/img/1.png"]
    feats = t.with_features(np.ones((5, 3)), ["p", "q", "r"])
    assert list(feats.row_ids) == list(t.row_ids) and feats.image_column == "image"
    picked = feats.select_ids([t.row_ids[3], t.row_ids[0], 999_999_999])
    assert list(picked.row_ids) == [t.row_ids[0], t.row_ids[3]]  # table order
    both = Table.concatenate([t.take([0]), t.take([2])])
    assert list(both.row_ids) == [t.row_ids[0], t.row_ids[2]]
    ids = new_row_ids(3)
    assert ids.dtype == np.int64 and len(set(ids)) == 3


def test_class_labels_missing_and_columns():
    t = make()
    assert list(t.class_labels()) == ["x", "y", "", "x", "y"]
    assert t.class_values == ("x", "y")
    assert list(t.column("b")) == [1, 3, 5, 7, 9]
    assert list(t.column("class")) == ["x", "y", "", "x", "y"]
    assert t.column_names == ["a", "b", "class", "image", "size"]
    with pytest.raises(KeyError, match="no column named 'zz'"):
        t.column("zz")
    assert t.summary() == "5 rows × 2 features, class 'class' (2 values), 2 metas"
    assert t.with_class(["p", "q", "p", "q", "p"]).class_values == ("p", "q")
    assert not t.without_class().has_class


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"feature_names": ("a",)}, "1 feature names for 2 columns"),
    ({"row_ids": np.arange(4)}, r"row_ids has shape \(4,\)"),
    ({"y": np.array([0, 1, 5]), "class_values": ("x", "y")}, "class codes out of range"),
    ({"metas": {"m": [1, 2]}}, "meta column 'm' has shape"),
    ({"image_column": "nope"}, "image column 'nope' is not a meta column"),
])
def test_inconsistent_tables_are_refused(kwargs, message):
    base = {"X": np.zeros((3, 2)), "feature_names": ("a", "b"), "row_ids": np.arange(3)}
    base.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Table(**base)


def test_csv_has_header_and_keeps_precision(tmp_path):
    t = make(2).with_features(np.array([[0.1, 1e-7], [np.float32(1 / 3), 2.0]]), ["u", "v"])
    path = tmp_path / "t.csv"
    t.to_csv(path)
    lines = path.read_text().splitlines()
    assert lines[0] == "u,v,class,image,size"
    assert float(lines[2].split(",")[0]) == float(np.float32(1 / 3))
    assert lines[1].split(",")[2:] == ["x", "/img/0.png", "0"]


def test_distance_matrix_checks_and_description():
    t = make(3)
    with pytest.raises(ValueError, match="must be square"):
        DistanceMatrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="does not match its table"):
        DistanceMatrix(np.zeros((2, 2)), t)
    dm = DistanceMatrix(np.zeros((3, 3)), t, metric="cosine")
    assert describe_value(dm) == ("distances", (3, 3), "3×3 distances")
    assert describe_value(t)[0:2] == ("table", (3, 2))
    assert describe_value(None) == ("none", None, "no data")
