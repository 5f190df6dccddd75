"""GUI: the embedder view targets a cluster address; the new nodes open a settings form."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from petriflow.core.registry import default_registry
from petriflow.gui.mainwindow import MainWindow


@pytest.fixture
def window(qtbot, tmp_path):
    win = MainWindow(registry=default_registry(), data_dir=tmp_path / "data")
    win.ask_save_changes = lambda: "discard"
    win.ask_recover = lambda recovery: False
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()


def test_embedder_view_writes_the_cluster_address(window, qtbot):
    nid = window.add_node("petriflow.image_embedder")
    view = window.open_node(nid)
    qtbot.waitExposed(view)
    qtbot.waitUntil(view.is_ready, timeout=60_000)  # its background look-ups are done
    settings = lambda: window.workflow.node(nid).settings  # noqa: E731
    assert settings().cluster == "" and view.cluster_edit.text() == ""
    view.cluster_edit.setFocus()
    QTest.keyClicks(view.cluster_edit, " tcp://10.0.0.5:8786 ")
    QTest.keyClick(view.cluster_edit, Qt.Key.Key_Return)
    assert settings().cluster == "tcp://10.0.0.5:8786"
    window.undo_stack.undo()
    assert settings().cluster == ""
    assert view.cluster_edit.text() == ""


@pytest.mark.parametrize("name", ["petriflow.illumination_correction",
                                  "petriflow.aggregate_profiles"])
def test_new_nodes_open_a_settings_form(window, qtbot, name):
    nid = window.add_node(name)
    assert nid is not None
    view = window.open_node(nid)
    qtbot.waitExposed(view)
    assert view.isVisible()
