"""Report words count in the right number: "1 row × 1 feature", not "1 rows × 1 features"
(the canvas's subtitles had the same slip, core.status.counted serves both)."""

from __future__ import annotations

import numpy as np

from petriflow.core.table import Table
from petriflow.report.words import summarize_value


def test_one_row_one_feature_one_value_one_meta_are_singular() -> None:
    t = Table.from_arrays(np.array([[0.5]]), ["x"], classes=["a"], class_name="kind",
                          metas={"name": ["n0"]})
    assert summarize_value(t) == ["1 row × 1 feature, class kind (1 value: a); a: 1; "
                                  "1 meta column"]


def test_many_stay_plural() -> None:
    t = Table.from_arrays(np.zeros((3, 2)), ["x", "y"], classes=["a", "b", "a"],
                          class_name="kind", metas={"n": ["p", "q", "r"], "m": ["", "", ""]})
    assert summarize_value(t)[0].startswith("3 rows × 2 features, class kind (2 values: a, b)")
    assert summarize_value(t)[0].endswith("2 meta columns")
