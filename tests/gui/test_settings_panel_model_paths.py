"""Save Model / Load Model's settings form: the "…" button opens a file dialog.

Save asks with ``QFileDialog.getSaveFileName`` (Petriflow models, ``*.skops``), Load with
``getOpenFileName``; the dialogs are patched at that static call (the real ones would
block), the button is clicked with the mouse. A file inside the workflow's folder is
stored relative to it (as File stores its table) and the nodes then write and read that
very file; one outside stays absolute; the edit is undoable.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PyQt6.QtCore import Qt
from PyQt6.QtGui import QUndoStack
from PyQt6.QtWidgets import QFileDialog, QLineEdit, QPushButton

from petriflow.analysis.learners import NaiveBayesLearner
from petriflow.core.registry import default_registry
from petriflow.core.workflow import Workflow
from petriflow.gui.settings_panel import SettingsPanel
from petriflow.nodes.load_model import LoadModel
from petriflow.nodes.save_model import SaveModel
from tests.nodes.conftest import blobs, run_node


class Dialog:
    """Stands in for one static QFileDialog call: records it, answers ``answer``."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.calls: list[tuple] = []

    def __call__(self, parent, caption, start, filters, *rest):
        self.calls.append((caption, start, filters))
        return self.answer, filters.split(";;")[0]


def _panel(qtbot, tmp_path: Path, qualified_name: str):
    wf = Workflow(title="models")
    wf.path = tmp_path / "project" / "models.ows"
    wf.path.parent.mkdir()
    node = wf.add_node(default_registry().get(qualified_name), title="node")
    stack = QUndoStack()
    panel = SettingsPanel(wf, node.id, stack)
    qtbot.addWidget(panel)
    panel.show()
    button = panel.findChild(QPushButton, "browse-path")
    assert button is not None and button.isVisible()
    return wf, node.id, stack, panel, button


def test_save_model_asks_where_to_save_and_stores_the_path_relative(
        qtbot, tmp_path, monkeypatch):
    wf, nid, stack, panel, button = _panel(qtbot, tmp_path, "petriflow.save_model")
    folder = wf.directory
    (folder / "models").mkdir()
    save = Dialog(str(folder / "models" / "nb"))  # typed without the suffix
    monkeypatch.setattr(QFileDialog, "getSaveFileName", save)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", Dialog("/wrong/dialog"))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(save.calls) == 1
    caption, start, filters = save.calls[0]
    assert caption == "Path"
    assert "*.skops" in filters.split(";;")[0] and start == str(folder)
    assert wf.node(nid).settings.path == str(Path("models") / "nb.skops")
    assert panel.editors["path"].findChild(QLineEdit).text() == wf.node(nid).settings.path
    # the node writes exactly there, and Load Model reads it back through its own form
    data = blobs(n_per_class=10)
    model = NaiveBayesLearner().fit(data)
    run_node(SaveModel, {"Model": model}, path=wf.node(nid).settings.path,
             workflow_dir=folder)
    assert (folder / "models" / "nb.skops").is_file()
    stack.undo()
    assert wf.node(nid).settings.path == ""
    stack.redo()
    # asked again, the dialog starts at the stored file
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert save.calls[1][1] == str(folder / "models" / "nb.skops")


def test_load_model_opens_a_model_file_inside_or_outside_the_workflow_folder(
        qtbot, tmp_path, monkeypatch):
    wf, nid, stack, _, button = _panel(qtbot, tmp_path, "petriflow.load_model")
    folder = wf.directory
    data = blobs(n_per_class=10)
    model = NaiveBayesLearner().fit(data)
    run_node(SaveModel, {"Model": model}, path="trained.skops", workflow_dir=folder)
    opened = Dialog(str(folder / "trained.skops"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", opened)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", Dialog("/wrong/dialog"))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert opened.calls and "*.skops" in opened.calls[0][2]
    assert wf.node(nid).settings.path == "trained.skops"
    loaded = run_node(LoadModel, path=wf.node(nid).settings.path,
                      workflow_dir=folder)["Model"]
    assert np.allclose(loaded.predict_proba(data), model.predict_proba(data))
    # a file elsewhere keeps its absolute path (the project cannot carry it)
    elsewhere = tmp_path / "elsewhere.skops"
    run_node(SaveModel, {"Model": model}, path=str(elsewhere))
    opened.answer = str(elsewhere)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert wf.node(nid).settings.path == str(elsewhere)
    # cancelling the dialog changes nothing
    opened.answer = ""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert wf.node(nid).settings.path == str(elsewhere)
    assert stack.count() == 2
