"""The GUI opens Orange files: the non-modal "Opened from Orange" panel, placeholders on
the canvas, and a hostile pickle that is refused on File ▸ Open too."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import base64
import pickle

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QApplication

from petriflow.core.ows import save_workflow
from petriflow.core.registry import default_registry
from petriflow.core.workflow import Workflow
from petriflow.gui.mainwindow import MainWindow
from petriflow.gui.orange_import_dock import OBJECT_NAME, OrangeReportDock

from .conftest import REFERENCE, needs_reference, orange_pickles, reference_files
from .test_orange_open import _ows


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("PETRIFLOW_CACHE_DIR", str(tmp_path / "cache"))
    win = MainWindow(registry=default_registry(), data_dir=tmp_path / "data")
    win.ask_save_changes = lambda: "discard"
    win.ask_recover = lambda recovery: False
    win.show_error = lambda title, text: win.statusBar().showMessage(text)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.pause_action.setChecked(True)  # open without running anything
    win.toggle_pause()
    yield win
    win.close()


def _evil(marker) -> str:
    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    return base64.encodebytes(pickle.dumps({"linkage": Evil()}, protocol=4)).decode()


def test_open_shows_a_dismissable_report_and_refuses_the_hostile_pickle(window, tmp_path,
                                                                        qtbot):
    marker = tmp_path / "pwned"
    path = tmp_path / "orange.ows"
    path.write_text(_ows([
        ("0", "orangecontrib.imageanalytics.widgets.owimageimport.OWImportImages", "pickle",
         orange_pickles()["import_images"]),
        ("1", "Orange.widgets.unsupervised.owhierarchicalclustering.OWHierarchicalClustering",
         "pickle", _evil(marker)),
        ("2", "orangecontrib.text.widgets.owcorpus.OWCorpus", "literal", "{'x': 1}"),
    ]))
    assert window.open_file(path, offer_recovery=False)
    assert not marker.exists()
    dock = window.findChild(OrangeReportDock, OBJECT_NAME)
    assert dock is not None and dock.isVisible()
    assert QApplication.activeModalWidget() is None  # never blocks
    assert "2 of 3 widgets mapped" in dock.summary.text()
    rows = {dock.tree.topLevelItem(i).text(0).split(" (")[0]: dock.tree.topLevelItem(i)
            for i in range(dock.tree.topLevelItemCount())}
    assert rows["OWImportImages 0"].text(0).endswith("→ Import Images")
    assert "placeholder" in rows["OWCorpus 2"].text(0)
    hc = rows["OWHierarchicalClustering 1"]
    notes = [hc.child(i).text(0) for i in range(hc.childCount())]
    assert any("refused" in n for n in notes)
    # the canvas shows all three, the placeholder too
    assert len(window.scene.node_items) == 3
    assert window.workflow.node("0").settings.folder == "domestic animals"
    qtbot.mouseClick(dock.close_button, Qt.MouseButton.LeftButton)
    assert not dock.isVisible()
    # a Petriflow file afterwards shows no stale report
    window.open_file(path, ask=False, offer_recovery=False)
    assert dock.isVisible()
    ours = tmp_path / "ours.ows"
    save_workflow(Workflow(title="plain"), ours)
    assert window.open_file(ours, ask=False, offer_recovery=False)
    assert not dock.isVisible()


@needs_reference
def test_reference_clustering_workflow_opens_in_the_canvas(window):
    path = REFERENCE / "img_clustering__lecture-notes_image-embedding.ows"
    assert window.open_file(path, offer_recovery=False)
    assert len(window.scene.node_items) == 6 and len(window.scene.link_items) == 5
    dock = window.findChild(OrangeReportDock, OBJECT_NAME)
    assert dock.isVisible() and "6 of 6 widgets mapped" in dock.summary.text()
    assert window.workflow.find_node("Distances").settings.metric == "cosine"


@needs_reference
@pytest.mark.parametrize("path", reference_files, ids=lambda p: p.name[:40])
def test_every_reference_file_opens_in_the_canvas(window, path):
    assert window.open_file(path, offer_recovery=False)
    assert len(window.scene.node_items) == len(window.workflow.nodes) > 0
    assert len(window.scene.link_items) == len(window.workflow.links)
    dock = window.findChild(OrangeReportDock, OBJECT_NAME)
    assert dock.isVisible() and dock.tree.topLevelItemCount() == len(window.workflow.nodes)
