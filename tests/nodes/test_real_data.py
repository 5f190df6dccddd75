"""End-to-end on the real labelled image sets (skipped when ../shared/data is absent).

Features here are simple pixel statistics computed in the test (see conftest), not CNN
embeddings, so the accuracy bars are modest: far above chance, not the paper's numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from petriflow.analysis.learners import KNNLearner, LogisticRegressionLearner
from petriflow.nodes.confusion_matrix import ConfusionMatrix
from petriflow.nodes.distances import Distances
from petriflow.nodes.hierarchical_clustering import HierarchicalClustering
from petriflow.nodes.image_viewer import ImageViewer
from petriflow.nodes.import_images import ImportImages
from petriflow.nodes.mds import MDS
from petriflow.nodes.test_and_score import TestAndScore

from .conftest import pixel_features, run_node, shared_set

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def bone():
    images = run_node(ImportImages, folder=str(shared_set("bone-healing")))["Data"]
    return pixel_features(images)


def test_cluster_pipeline_and_replay(bone):
    dm = run_node(Distances, {"Data": bone}, metric="cosine")["Distances"]
    assert len(dm) == 37
    hc = run_node(HierarchicalClustering, {"Distances": dm}, selection_mode="top_n", top_n=2)
    sel = hc["Selected Data"]
    assert len(sel) == 37 and set(sel.metas["Cluster"]) == {"C1", "C2"}
    # replay a manual choice of the first cluster through the image viewer
    node_for_c1 = _cluster_node(dm, "C1", hc)
    manual = run_node(HierarchicalClustering, {"Distances": dm},
                      selected_nodes=[node_for_c1])["Selected Data"]
    assert sorted(manual.row_ids) == sorted(sel.row_ids[sel.metas["Cluster"] == "C1"])
    viewer = run_node(ImageViewer, {"Data": manual}, selected=[0])
    assert not viewer.warnings and len(viewer["Selected Images"]) == 1
    assert set(viewer["Selected Images"].row_ids) <= set(bone.row_ids)
    mds = run_node(MDS, {"Distances": dm}, max_iter=100)
    assert np.isfinite(mds["Data"].metas["mds-x"]).all()


def _cluster_node(dm, label, hc_run):
    from petriflow.analysis.clustering import (
        cluster_members,
        dendrogram_geometry,
        hierarchical_linkage,
    )

    Z = hierarchical_linkage(dm.values, "ward")
    g = dendrogram_geometry(Z, len(dm))
    members = set(np.flatnonzero(hc_run["Data"].metas["Cluster"] == label))
    for node in range(2 * len(dm) - 1):
        if set(cluster_members(g, node)) == members:
            return node
    raise AssertionError("cluster not found")


# yeast localization (periphery / cytoplasm / nucleus of a GFP signal) is not separable
# from a 12×12 thumbnail: there the test only checks that the pipeline runs end to end.
@pytest.mark.parametrize(
    ("name", "margin"), [("bone-healing", 0.1), ("dicty-development", 0.1), ("yeast-yplp", None)]
)
def test_classification_beats_chance(name, margin):
    images = run_node(ImportImages, folder=str(shared_set(name)))["Data"]
    data = pixel_features(images)
    r = run_node(TestAndScore, {"Data": data, "Learner": [
        LogisticRegressionLearner(C=1.0), KNNLearner(1, "cosine", name="1-NN cosine")]})
    res = r["Evaluation Results"]
    majority = np.bincount(data.y).max() / len(data)
    best = max(s["CA"] for s in res.scores.values())
    assert all(0.0 <= s["CA"] <= 1.0 for s in res.scores.values())
    if margin is not None:
        assert best > majority + margin, (name, res.scores, majority)
    cm = run_node(ConfusionMatrix, {"Evaluation Results": res},
                  selected_cells=[[0, 1]])
    sel = cm["Selected Data"]
    if sel is not None:
        assert set(sel.class_labels()) == {data.class_values[0]}
        assert set(sel.row_ids) <= set(data.row_ids)
