"""Every built-in analysis node honours the node contract the scheduler and GUI rely on."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest

from petriflow.core.node import settings_from_dict, settings_to_dict
from petriflow.core.registry import BUILTIN_MODULES, CATEGORIES, default_registry

MINE = [m for m in BUILTIN_MODULES if m != "image_embedder"]


def _classes():
    reg = default_registry()
    return [reg.get(f"petriflow.{m}") for m in MINE]


@pytest.mark.parametrize("module", MINE)
def test_declaration(module):
    cls = default_registry().get(f"petriflow.{module}")
    assert cls is not None, f"petriflow.{module} is not registered"
    assert cls.__module__ == f"petriflow.nodes.{module}"
    assert cls.category in CATEGORIES[:-1] and cls.name and cls.icon and cls.description
    names = [c.name for c in (*cls.inputs, *cls.outputs)]
    assert len(set(c.name for c in cls.inputs)) == len(cls.inputs)
    assert len(set(c.name for c in cls.outputs)) == len(cls.outputs)
    assert all(names)
    # settings survive the literal round trip used by .ows files
    s = cls.Settings()
    values = settings_to_dict(s)
    back, warnings = settings_from_dict(cls.Settings, values)
    assert not warnings and dataclasses.asdict(back) == dataclasses.asdict(s)
    for old in cls.replaces:
        assert default_registry().get(old) is cls


def test_orange_channel_names():
    reg = default_registry()
    expect = {
        "import_images": ((), ("Data", "Skipped Files")),
        "data_table": (("Data", "Data Subset"), ("Selected Data", "Data")),  # issue 16.6
        "image_viewer": (("Data",), ("Selected Images", "Data")),
        "distances": (("Data",), ("Distances",)),
        "hierarchical_clustering": (("Distances", "Data Subset"), ("Selected Data", "Data")),
        "mds": (("Data", "Distances", "Data Subset"), ("Selected Data", "Data")),
        "logistic_regression": (("Data",), ("Learner", "Model", "Coefficients")),
        "test_and_score": (("Data", "Test Data", "Learner"),
                           ("Evaluation Results", "Predictions")),
        "confusion_matrix": (("Evaluation Results",), ("Selected Data", "Data")),
    }
    for module, (ins, outs) in expect.items():
        cls = reg.get(f"petriflow.{module}")
        assert tuple(i.name for i in cls.inputs) == ins, module
        assert tuple(o.name for o in cls.outputs) == outs, module


def test_nodes_and_analysis_import_without_qt():
    code = (
        "import sys; sys.modules['PyQt6'] = None\n"
        "import petriflow.core.registry as r\n"
        f"for m in {MINE!r}: __import__('petriflow.nodes.' + m)\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_saved_selections_survive_ows_round_trip():
    from petriflow.core.ows import parse_workflow, workflow_to_bytes
    from petriflow.core.workflow import Workflow

    reg = default_registry()
    wf = Workflow()
    cm = wf.add_node(reg.get("petriflow.confusion_matrix")).id
    hc = wf.add_node(reg.get("petriflow.hierarchical_clustering")).id
    wf.update_settings(cm, selected_cells=[[0, 1], [2, 0]], show="proportion_actual")
    wf.update_settings(hc, selected_nodes=[70, 3], linkage="average", cut_ratio=40)
    back = parse_workflow(workflow_to_bytes(wf))
    assert back.node(cm).settings == wf.node(cm).settings
    assert back.node(hc).settings == wf.node(hc).settings
