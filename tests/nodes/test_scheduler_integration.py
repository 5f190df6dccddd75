"""The analysis nodes wired into a workflow and run by the real scheduler, headless."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from petriflow.core.node import Node, Output
from petriflow.core.scheduler import NodeState, Scheduler
from petriflow.core.table import Table
from petriflow.core.workflow import Workflow
from petriflow.nodes.confusion_matrix import ConfusionMatrix
from petriflow.nodes.data_table import DataTable
from petriflow.nodes.distances import Distances
from petriflow.nodes.hierarchical_clustering import HierarchicalClustering
from petriflow.nodes.import_images import ImportImages
from petriflow.nodes.knn import KNN
from petriflow.nodes.logistic_regression import LogisticRegression
from petriflow.nodes.mds import MDS
from petriflow.nodes.save_data import SaveData
from petriflow.nodes.test_and_score import TestAndScore

from .conftest import blobs


class BlobSource(Node):
    """Test-only source of a labelled numeric table."""

    qualified_name = "tests.blob_source"
    name = "Blobs"
    outputs = (Output("Data", Table),)

    def run(self, inputs: Mapping[str, Any], progress, cancel) -> dict[str, Any]:
        return {"Data": blobs()}


def _run(wf: Workflow) -> Scheduler:
    sched = Scheduler(wf, paused=True)
    sched.resume()
    assert sched.wait(60)
    return sched


def test_workflow_runs_end_to_end(tmp_path: Path):
    wf = Workflow()
    src = wf.add_node(BlobSource).id
    dist = wf.add_node(Distances).id
    hc = wf.add_node(HierarchicalClustering).id
    table = wf.add_node(DataTable).id
    mds = wf.add_node(MDS).id
    lr = wf.add_node(LogisticRegression).id
    knn = wf.add_node(KNN).id
    ts = wf.add_node(TestAndScore).id
    cm = wf.add_node(ConfusionMatrix).id
    save = wf.add_node(SaveData).id
    wf.add_link(src, "Data", dist, "Data")
    wf.add_link(dist, "Distances", hc, "Distances")
    wf.add_link(hc, "Selected Data", table, "Data")
    wf.add_link(dist, "Distances", mds, "Distances")
    wf.add_link(src, "Data", ts, "Data")
    wf.add_link(lr, "Learner", ts, "Learner")
    wf.add_link(knn, "Learner", ts, "Learner")
    wf.add_link(ts, "Evaluation Results", cm, "Evaluation Results")
    wf.add_link(cm, "Data", save, "Data")
    wf.update_settings(hc, selection_mode="top_n", top_n=3)
    wf.update_settings(table, selected_rows=[0, 1])
    wf.update_settings(mds, max_iter=20, selected=[4])
    wf.update_settings(cm, selected_cells=[[0, 0]])
    wf.update_settings(save, path=str(tmp_path / "cm.csv"))
    sched = _run(wf)
    try:
        for node in wf:
            assert sched.status(node.id).state in (NodeState.DONE, NodeState.WARNING), (
                node.title, sched.status(node.id))
        assert len(sched.output(table, "Selected Data")) == 2
        assert len(sched.output(mds, "Selected Data")) == 1
        res = sched.output(ts, "Evaluation Results")
        assert res.learner_names == ("Logistic Regression", "kNN")
        assert len(sched.output(cm, "Selected Data")) == res.confusion_matrix(0)[0, 0]
        assert (tmp_path / "cm.csv").read_text().count("\n") == len(res) + 1
    finally:
        sched.close()


def test_import_images_from_workflow_relative_folder(tmp_path: Path):
    for cls, color in (("red", (250, 0, 0)), ("blue", (0, 0, 250))):
        for i in range(3):
            (tmp_path / "imgs" / cls).mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (8, 8), color).save(tmp_path / "imgs" / cls / f"{i}.png")
    wf = Workflow()
    wf.path = tmp_path / "flow.ows"  # relative settings resolve next to the workflow file
    imp = wf.add_node(ImportImages, settings=ImportImages.Settings(folder="imgs")).id
    sched = _run(wf)
    try:
        data = sched.output(imp, "Data")
        assert data is not None, sched.status(imp)
        assert data.class_values == ("blue", "red")
        assert np.all(data.metas["width"] == 8)
    finally:
        sched.close()
