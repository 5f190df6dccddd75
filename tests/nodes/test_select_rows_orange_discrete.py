"""Select Rows opened from an Orange file: categorical (discrete) conditions carry.

Orange's Select Rows (settings version 2) saves a categorical condition as
``(name, 1, operator index, value names)`` with the operators "is", "is not",
"is one of", "is defined". The .ows below is written by hand the way Orange's canvas
writes it: a base64 pickle of the widget's settings holding an
``orangewidget.settings.Context`` (a stand-in class pickled under that name, since
Orange is not a dependency). Opening it must give conditions that select the same rows
Orange would, on a real table read by File.
"""

from __future__ import annotations

import base64
import pickle
import sys
import types
from pathlib import Path

import pytest

from petriflow.core.ows import load_workflow
from petriflow.nodes.file import File
from petriflow.nodes.select_rows import SelectRows

from .conftest import run_node

CSV = ("image name,strain,dose,class\n"
       "a,wt,1.0,x\n"
       "b,mut,2.0,y\n"
       "c,wt,3.0,x\n"
       "d,ko,4.0,y\n"
       "e,,5.0,x\n")


def _orange_settings_pickle(monkeypatch: pytest.MonkeyPatch, conditions: list) -> str:
    """Base64 text of Select Rows' settings as Orange's canvas writes them."""
    module = types.ModuleType("orangewidget.settings")

    class Context:  # the attribute layout of orangewidget.settings.Context
        def __init__(self, **state):
            self.__dict__.update(state)

    Context.__module__, Context.__qualname__ = "orangewidget.settings", "Context"
    module.Context = Context  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "orangewidget", types.ModuleType("orangewidget"))
    monkeypatch.setitem(sys.modules, "orangewidget.settings", module)
    ctx = Context(values={"conditions": conditions, "__version__": 2},
                  attributes={"dose": 2}, metas={"strain": 1, "image name": 3},
                  time=0.0)
    settings = {"controlAreaVisible": True, "purge_attributes": False,
                "purge_classes": False, "update_on_change": True, "__version__": 2,
                "context_settings": [ctx]}
    return base64.encodebytes(pickle.dumps(settings, protocol=4)).decode("ascii")


QUALIFIED = "Orange.widgets.data.owselectrows.OWSelectRows"


def _ows(properties: str) -> str:
    return f"""<?xml version='1.0' encoding='utf-8'?>
<scheme version="2.0" title="" description="">
\t<nodes>
\t\t<node id="0" name="Select Rows" qualified_name="{QUALIFIED}" project_name="Orange3" \
version="" title="Select Rows" position="(300.0, 100.0)" />
\t</nodes>
\t<links />
\t<annotations />
\t<thumbnail />
\t<node_properties>
\t\t<properties node_id="0" format="pickle">{properties}</properties>
\t</node_properties>
\t<session_state>
\t\t<window_groups />
\t</session_state>
</scheme>
"""


def _open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, conditions: list):
    path = tmp_path / "select.ows"
    path.write_text(_ows(_orange_settings_pickle(monkeypatch, conditions)), encoding="utf-8")
    wf = load_workflow(path)
    (node,) = wf.nodes
    assert node.qualified_name == "petriflow.select_rows"
    return wf, node


def _matching(tmp_path: Path, conditions: list[dict]) -> list[str]:
    (tmp_path / "meta.csv").write_text(CSV, encoding="utf-8")
    data = run_node(File, path="meta.csv", workflow_dir=tmp_path)["Data"]
    assert "strain" in data.column_names
    out = run_node(SelectRows, {"Data": data}, conditions=conditions)["Matching Data"]
    return [] if out is None else [str(v) for v in out.column("image name")]


@pytest.mark.parametrize("orange, ours, names", [
    (("strain", 1, 0, ["wt"]), {"column": "strain", "op": "==", "value": "wt"},
     ["a", "c"]),
    # Orange's "is not" keeps the other values only (an unknown strain does not match)
    (("strain", 1, 1, ["wt"]), {"column": "strain", "op": "!=", "value": "wt"},
     ["b", "d"]),
    (("strain", 1, 2, ["wt", "ko"]), {"column": "strain", "op": "in",
                                      "value": ["wt", "ko"]}, ["a", "c", "d"]),
    (("strain", 1, 3, []), {"column": "strain", "op": "is defined", "value": None},
     ["a", "b", "c", "d"]),
])
def test_categorical_condition_from_an_orange_file_selects_the_same_rows(
        tmp_path, monkeypatch, orange, ours, names):
    _, node = _open(tmp_path, monkeypatch, [orange])
    assert node.settings.conditions == [ours]
    assert node.settings.match_all
    assert _matching(tmp_path, node.settings.conditions) == names


def test_mixed_conditions_and_what_cannot_carry_is_reported(tmp_path, monkeypatch):
    wf, node = _open(tmp_path, monkeypatch, [
        ("dose", 2, 4, [1.5]),               # continuous "is greater than" (a float)
        ("strain", 1, 2, ["wt", "mut"]),     # categorical "is one of"
        ("strain", 1, 0, [""]),              # categorical "is" with no value chosen
        ("strain", 1, 0, [2]),               # a value saved by position: not carried
        ("All variables", None, 0, []),      # Orange's "all variables are defined"
    ])
    assert node.settings.conditions == [
        {"column": "dose", "op": ">", "value": 1.5},
        {"column": "strain", "op": "in", "value": ["wt", "mut"]}]
    assert _matching(tmp_path, node.settings.conditions) == ["b", "c"]
    report = wf.orange_report.to_dict()
    text = repr(report)
    assert "2 condition(s)" in text  # the position-saved one and "All variables"
    assert "without a chosen value" in text
