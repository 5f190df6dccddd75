"""The settings forms of Aggregate Profiles and Illumination Correction, as a biologist
uses them: the group columns are typed (they were shown read-only — "['compound',
'concentration']" — so the grouping could not be changed at all), rows carry their words
and tooltips, and an empty field says what empty means."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QUndoStack
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QFormLayout, QLabel, QLineEdit

from petriflow.core.registry import default_registry
from petriflow.core.table import Table
from petriflow.core.workflow import Workflow
from petriflow.gui.settings_panel import SettingsPanel
from petriflow.nodes.aggregate_profiles import AggregateProfiles
from tests.nodes.conftest import run_node


def _panel(qtbot, qualified_name: str):
    wf = Workflow(title="profiles")
    node = wf.add_node(default_registry().get(qualified_name), title="node")
    stack = QUndoStack()
    panel = SettingsPanel(wf, node.id, stack)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    return wf, node.id, stack, panel


def _labels(panel: SettingsPanel) -> dict[str, QLabel]:
    out = {}
    for name, editor in panel.editors.items():
        label = panel.form.labelForField(editor)
        assert isinstance(label, QLabel)
        out[name] = label
    return out


def test_group_by_is_typed_and_undone(qtbot) -> None:
    wf, nid, stack, panel = _panel(qtbot, "petriflow.aggregate_profiles")
    line = panel.editors["group_by"]
    assert isinstance(line, QLineEdit) and line.isEnabled()
    assert line.text() == "compound, concentration"
    QTest.mouseDClick(line, Qt.MouseButton.LeftButton)
    line.selectAll()
    QTest.keyClicks(line, "compound")
    QTest.keyClick(line, Qt.Key.Key_Return)
    assert wf.node(nid).settings.group_by == ["compound"]
    assert stack.count() == 1 and "group by" in stack.undoText()

    # the typed grouping is what the node computes: one profile per compound
    rng = np.random.default_rng(0)
    n = 12
    compounds = np.array(["DMSO", "taxol", "AZ138"] * 4, dtype=object)
    data = Table.from_arrays(rng.normal(size=(n, 4)), metas={
        "compound": compounds, "concentration": np.array(["1", "3"] * 6, dtype=object),
        "plate": np.array(["p1"] * n, dtype=object), "moa": compounds.copy()})
    s = wf.node(nid).settings
    out = run_node(AggregateProfiles, {"Data": data}, group_by=s.group_by,
                   class_column=s.class_column).outputs["Profiles"]
    assert sorted(out.metas["compound"].tolist()) == ["AZ138", "taxol"]  # controls left out

    stack.undo()
    assert wf.node(nid).settings.group_by == ["compound", "concentration"]
    assert line.text() == "compound, concentration"


def test_rows_have_words_tooltips_and_say_what_empty_means(qtbot) -> None:
    _wf, _nid, _stack, panel = _panel(qtbot, "petriflow.illumination_correction")
    labels = _labels(panel)
    assert labels["filter_fraction"].text() == "Filter size"
    assert "long side" in labels["filter_fraction"].toolTip()
    out = panel.editors["output_folder"].findChild(QLineEdit)
    assert out is not None and out.text() == ""
    assert out.placeholderText() == "the user cache folder"
    cluster = panel.editors["cluster"]
    assert isinstance(cluster, QLineEdit) and "run here" in cluster.placeholderText()
    assert isinstance(panel.form, QFormLayout)
