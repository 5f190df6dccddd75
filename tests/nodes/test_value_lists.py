"""One declaration per value list (issue 13.3): a node setting's choices are the very
values the analysis code accepts, and cluster selection is one function."""

from __future__ import annotations

import typing

import numpy as np
import pytest

from petriflow.analysis import (
    clustering,
    distances,
    evaluation,
    illumination,
    learners,
    profiles,
    projection,
    table_files,
)
from petriflow.analysis.clustering import (
    clusters_by_height_ratio,
    clusters_top_n,
    dendrogram_geometry,
    hierarchical_linkage,
    normalize_selection,
    selected_clusters,
)
from petriflow.nodes.aggregate_profiles import AggregateProfiles
from petriflow.nodes.distances import Distances
from petriflow.nodes.hierarchical_clustering import HierarchicalClustering
from petriflow.nodes.illumination_correction import IlluminationCorrection
from petriflow.nodes.knn import KNN
from petriflow.nodes.logistic_regression import LogisticRegression
from petriflow.nodes.mds import MDS
from petriflow.nodes.save_data import SaveData
from petriflow.nodes.test_and_score import TestAndScore
from petriflow.nodes.tsne import TSNE


def _choices(node: type, name: str) -> tuple[object, ...]:
    return typing.get_args(typing.get_type_hints(node.Settings)[name])


def test_setting_choices_are_the_runtime_lists():
    assert _choices(HierarchicalClustering, "linkage") == clustering.LINKAGES
    assert clustering.LINKAGES == ("single", "average", "weighted", "complete", "ward")
    assert _choices(HierarchicalClustering, "selection_mode") == clustering.SELECTION_MODES
    assert _choices(Distances, "metric") == tuple(distances.METRICS)
    assert distances.METRICS["cosine"] == "Cosine" and len(distances.METRICS) == 6
    assert _choices(TestAndScore, "resampling") == evaluation.METHODS
    assert "cross_validation" in evaluation.METHODS and len(evaluation.METHODS) == 6
    assert _choices(SaveData, "format") == ("auto", *table_files.FORMATS)
    assert _choices(KNN, "metric") == learners.KNN_METRICS == learners.KNNLearner.METRICS
    assert _choices(KNN, "weights") == learners.KNN_WEIGHTS == ("uniform", "distance")
    assert _choices(AggregateProfiles, "method") == profiles.AGGREGATIONS
    assert _choices(AggregateProfiles, "normalization") == ("none", *profiles.NORMALIZATIONS)
    assert _choices(IlluminationCorrection, "smoothing") == illumination.SMOOTHINGS
    assert _choices(MDS, "init") == projection.MDS_INITS == ("pca", "random")
    assert _choices(TSNE, "metric") == projection.TSNE_METRICS == ("euclidean", "cosine")
    assert _choices(LogisticRegression, "penalty") == learners.PENALTIES == ("l2", "l1", "none")


@pytest.fixture
def tree() -> tuple[np.ndarray, clustering.Dendrogram]:
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(c, 0.3, (6, 2)) for c in (0, 4, 9)])
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    Z = hierarchical_linkage(D, "average")
    return Z, dendrogram_geometry(Z, len(X))


def test_selected_clusters_covers_every_mode(tree):
    Z, geom = tree
    n = len(geom.leaf_order)
    assert selected_clusters(Z, geom, "height_ratio", cut_ratio=60.0) == (
        normalize_selection(geom, clusters_by_height_ratio(Z, n, 60.0))[0], 0)
    top = selected_clusters(Z, geom, "top_n", top_n=3)
    assert top == (normalize_selection(geom, clusters_top_n(Z, n, 3))[0], 0)
    assert len(top[0]) == 3
    # manual: nested and out-of-range nodes are dropped and counted
    root = 2 * n - 2
    assert selected_clusters(Z, geom, "manual", selected_nodes=[root, 0, 999]) == ([root], 2)
    with pytest.raises(ValueError, match="Top N must be at least 1"):
        selected_clusters(Z, geom, "top_n", top_n=0)
    with pytest.raises(ValueError, match="Unknown selection mode"):
        selected_clusters(Z, geom, "bogus")
