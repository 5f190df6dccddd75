"""Orange's File, Merge Data, Select Columns, Select Rows and Scatter Plot settings."""

from __future__ import annotations

import pytest

from petriflow.compat.orange.settings import translate_settings
from petriflow.compat.orange.unpickler import OrangeContext
from petriflow.core.ows import load_workflow
from petriflow.nodes.scatter_plot import ScatterPlot
from petriflow.nodes.select_rows import SelectRows

from .conftest import REPO

LECTURE = REPO.parent / "shared" / "reference" / "ows" / \
    "img_classification__lecture-notes_image-analytics.ows"


def context(values: dict) -> OrangeContext:
    ctx = OrangeContext()
    ctx.__setstate__({"values": values})
    return ctx


def test_lecture_workflow_data_widgets_are_mapped_with_their_settings():
    if not LECTURE.exists():
        pytest.skip("../shared/reference absent")
    wf = load_workflow(LECTURE)
    by_title = {n.title: n for n in wf.nodes}
    assert not [n.title for n in wf.nodes if n.is_placeholder]
    file = by_title["File"]
    assert file.node_type is not None and file.node_type.qualified_name == "petriflow.file"
    assert file.settings.path.endswith("amphorae.csv")
    assert "image name" in file.settings.metas
    merge = by_title["Merge Data"]
    assert (merge.settings.data_key, merge.settings.extra_key, merge.settings.how) == (
        "image name", "image name", "left")
    roles = by_title["Select Columns"].settings.roles
    assert roles["category"] == "target" and roles["image"] == "meta"
    assert roles["Fabric"] == "meta"


def test_select_rows_conditions_from_orange():
    t = translate_settings(SelectRows, {"context_settings": [context({"conditions": [
        ("dose", 2, 4, ["1.5"]),            # continuous, "is greater than"
        ("dose", 2, 6, ["1", "2"]),         # continuous, "is between"
        ("name", 3, 8, ["wt"]),             # string, "contains"
        ("strain", 1, 0, [1]),              # discrete: value index, not carried
    ]})], "purge_attributes": True})
    assert t.values["conditions"] == [
        {"column": "dose", "op": ">", "value": "1.5"},
        {"column": "dose", "op": "between", "value": ["1", "2"]},
        {"column": "name", "op": "contains", "value": "wt"}]
    assert "1 condition(s)" in t.not_carried["conditions"]
    assert "purge_attributes" in t.not_carried


def test_scatter_plot_axes_and_selection_from_orange():
    t = translate_settings(ScatterPlot, {
        "context_settings": [context({"attr_x": ("area", 102), "attr_y": ("dose", 102)})],
        "selection": [(0, 1), (3, 1)]})
    assert (t.values["attr_x"], t.values["attr_y"]) == ("area", "dose")
    assert t.values["selected"] == [0, 3]
