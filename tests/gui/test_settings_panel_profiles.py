"""The settings forms of Aggregate Profiles and Illumination Correction, as a biologist
uses them: the group columns are typed (they were shown read-only — "['compound',
'concentration']" — so the grouping could not be changed at all), rows carry their words
and tooltips, and an empty field says what empty means."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QUndoStack
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QFormLayout, QLabel, QLineEdit

from petriflow.core.node import Node, Output
from petriflow.core.registry import NodeRegistry, default_registry
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


@dataclass
class ScreenSettings:
    features: int = 3000


class Screen(Node):
    """Embedded images of a small screen: thousands of features, a few metas."""

    qualified_name = "tests.screen"
    name = "Screen"
    outputs = (Output("Data", Table),)
    Settings = ScreenSettings

    def run(self, inputs, progress, cancel):
        rng = np.random.default_rng(0)
        n, d = 12, self.settings.features
        compounds = np.array(["DMSO", "taxol", "AZ138"] * 4, dtype=object)
        return {"Data": Table.from_arrays(
            rng.normal(size=(n, d)), [f"DNA:n{i}" for i in range(d)],
            metas={"compound": compounds, "plate": np.array(["p1"] * n, dtype=object),
                   "moa": compounds.copy()})}


def test_a_wrong_group_column_is_named_without_squeezing_the_form(make_window,
                                                                   qtbot) -> None:
    """Typing "compund" on the profiling example listed all 3,000 feature names in the
    error ("columns: DNA:n0, DNA:n1, …"), which wrapped over the window's height and
    squeezed every row of the form until no field could be read (Xvfb walk-through)."""
    from petriflow.core.scheduler import NodeState
    from petriflow.gui.settings_panel import STATUS_CHARS
    from petriflow.gui.undo import AddLinkCommand
    from petriflow.nodes.aggregate_profiles import AggregateProfiles as AP

    win = make_window(reg=NodeRegistry([Screen, AP]))
    src = win.add_node("tests.screen")
    nid = win.add_node("petriflow.aggregate_profiles")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", nid, "Data"))
    panel = win.open_node(nid)
    assert isinstance(panel, SettingsPanel)
    qtbot.waitExposed(panel)
    line = panel.editors["group_by"]
    line.setFocus()
    line.selectAll()
    QTest.keyClicks(line, "compund")
    QTest.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: win.scheduler.status(nid).state == NodeState.ERROR,
                    timeout=10_000)
    qtbot.waitUntil(lambda: "compund" in panel.status.text(), timeout=2_000)
    text = panel.status.text()
    assert "compound, plate, moa" in text and "3000 features" in text
    assert "DNA:n1" not in text and len(text) <= STATUS_CHARS + 2
    qtbot.wait(50)
    for editor in panel.editors.values():  # every row keeps its height
        assert editor.height() >= editor.minimumSizeHint().height()
    # an over-long message is cut, whole in the tooltip
    long = "x " * 400
    panel.show_status(long)
    assert len(panel.status.text()) <= STATUS_CHARS + 2
    assert panel.status.toolTip() == long
