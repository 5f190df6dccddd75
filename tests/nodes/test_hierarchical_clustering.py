from __future__ import annotations

import numpy as np
import pytest
from scipy.cluster.hierarchy import fcluster, leaves_list, linkage
from scipy.spatial.distance import pdist
from sklearn.metrics import adjusted_rand_score

from petriflow.analysis.clustering import (
    cluster_members,
    dendrogram_geometry,
    hierarchical_linkage,
    normalize_selection,
)
from petriflow.core.node import NodeError
from petriflow.core.types import DistanceMatrix
from petriflow.nodes.distances import Distances
from petriflow.nodes.hierarchical_clustering import HierarchicalClustering

from .conftest import blobs, run_node


@pytest.fixture
def dm():
    return run_node(Distances, {"Data": blobs()}, metric="euclidean")["Distances"]


def test_geometry_matches_scipy():
    X = np.random.default_rng(0).normal(size=(25, 3))
    Z = linkage(pdist(X), "average")
    g = dendrogram_geometry(Z)
    assert list(g.leaf_order) == list(leaves_list(Z))
    root = 2 * 25 - 2
    assert sorted(cluster_members(g, root)) == list(range(25))
    assert g.height[root] == Z[-1, 2] and (g.height[:25] == 0).all()
    # a merge sits between its children and above them
    for i, (a, b) in enumerate(Z[:, :2].astype(int)):
        assert min(g.x[a], g.x[b]) <= g.x[25 + i] <= max(g.x[a], g.x[b])
        assert g.height[25 + i] >= max(g.height[a], g.height[b])


def test_normalize_selection_drops_nested_and_invalid():
    Z = hierarchical_linkage(np.random.default_rng(2).random((10, 10)) + 0.1, "average")
    g = dendrogram_geometry(Z)
    root = 18
    child = int(Z[-1, 0])
    out, dropped = normalize_selection(g, [child, root, 99, -1, root])
    assert out == [root] and dropped == 4


@pytest.mark.parametrize("method", ["single", "average", "weighted", "complete", "ward"])
def test_top_n_matches_scipy_maxclust(dm, method):
    r = run_node(HierarchicalClustering, {"Distances": dm}, linkage=method,
                 selection_mode="top_n", top_n=3)
    ann = r["Data"]
    assert (ann.metas["Selected"] == "Yes").all()
    Z = linkage(pdist(blobs().X.astype(np.float64)), method)
    ref = fcluster(Z, 3, "maxclust")
    assert adjusted_rand_score(ann.metas["Cluster"], ref) == 1.0
    # well separated blobs: the 3 clusters are the 3 classes
    assert adjusted_rand_score(ann.metas["Cluster"], ann.y) == 1.0


def test_height_ratio(dm):
    r = run_node(HierarchicalClustering, {"Distances": dm}, selection_mode="height_ratio",
                 cut_ratio=100.0)
    assert set(r["Data"].metas["Cluster"]) == {"C1"}
    r = run_node(HierarchicalClustering, {"Distances": dm}, selection_mode="height_ratio",
                 cut_ratio=0.0)
    assert len(set(r["Data"].metas["Cluster"])) == len(dm)
    r = run_node(HierarchicalClustering, {"Distances": dm}, selection_mode="height_ratio",
                 cut_ratio=50.0)
    assert len(set(r["Data"].metas["Cluster"])) == 3


def test_manual_selection_replays(dm):
    Z = hierarchical_linkage(dm.values, "ward")
    n = len(dm)
    g = dendrogram_geometry(Z, n)
    # choose the two children of the root split: the biggest cluster and a leaf inside it
    a, b = (int(v) for v in Z[-1, :2])
    big = a if len(cluster_members(g, a)) >= len(cluster_members(g, b)) else b
    leaf = int(cluster_members(g, big)[0])
    settings = {"selection_mode": "manual", "selected_nodes": [leaf, big]}
    first = run_node(HierarchicalClustering, {"Distances": dm}, **settings)
    again = run_node(HierarchicalClustering, {"Distances": dm}, **settings)
    sel = first["Selected Data"]
    assert list(sel.row_ids) == list(again["Selected Data"].row_ids)
    assert set(sel.row_ids) <= set(dm.table.row_ids)
    assert sorted(dm.table.positions_of(sel.row_ids)) == sorted(cluster_members(g, big))
    # input order, one cluster C1 (the leaf is nested in it)
    assert list(dm.table.positions_of(sel.row_ids)) == sorted(cluster_members(g, big))
    assert set(sel.metas["Cluster"]) == {"C1"}
    assert "1 saved cluster" in first.warnings[0]
    ann = first["Data"]
    assert (ann.metas["Cluster"][ann.metas["Selected"] == "No"] == "Other").all()


def test_no_selection_gives_none(dm):
    r = run_node(HierarchicalClustering, {"Distances": dm})
    assert r["Selected Data"] is None and (r["Data"].metas["Selected"] == "No").all()


def test_clusters_numbered_left_to_right(dm):
    r = run_node(HierarchicalClustering, {"Distances": dm}, selection_mode="top_n", top_n=3)
    Z = hierarchical_linkage(dm.values, "ward")
    g = dendrogram_geometry(Z, len(dm))
    labels = r["Data"].metas["Cluster"][g.leaf_order]
    firsts = [labels.tolist().index(c) for c in ("C1", "C2", "C3")]
    assert firsts == sorted(firsts)


def test_column_clustering():
    t = blobs()
    dm = run_node(Distances, {"Data": t}, axis="columns", metric="pearson")["Distances"]
    r = run_node(HierarchicalClustering, {"Distances": dm}, selection_mode="top_n", top_n=2,
                 linkage="average")
    sel = r["Selected Data"]
    assert sel.n_features == t.n_features and len(sel) == len(t)


def test_bad_distances():
    bad = DistanceMatrix(np.array([[0, np.nan], [np.nan, 0]]))
    with pytest.raises(NodeError, match="missing or infinite"):
        run_node(HierarchicalClustering, {"Distances": bad}, selection_mode="top_n")
    with pytest.raises(NodeError, match="empty"):
        run_node(HierarchicalClustering, {"Distances": DistanceMatrix(np.zeros((0, 0)))})
    one = run_node(HierarchicalClustering, {"Distances": DistanceMatrix(np.zeros((1, 1)))},
                   selection_mode="top_n")
    assert len(one["Selected Data"]) == 1


def test_selection_change_reuses_the_linkage_of_the_same_matrix(dm, monkeypatch):
    """A branch click re-runs the node with the same distances: no new linkage."""
    from petriflow.nodes import hierarchical_clustering as hc

    calls = []
    real = hc.hierarchical_linkage
    monkeypatch.setattr(hc, "hierarchical_linkage",
                        lambda D, method: calls.append(method) or real(D, method))
    first = run_node(HierarchicalClustering, {"Distances": dm},
                     selection_mode="top_n", top_n=2)
    second = run_node(HierarchicalClustering, {"Distances": dm},
                      selection_mode="top_n", top_n=3)
    assert calls == ["ward"]
    assert len(set(second["Data"].metas["Cluster"])) == 3
    assert len(set(first["Data"].metas["Cluster"])) == 2
    run_node(HierarchicalClustering, {"Distances": dm}, linkage="average")
    assert calls == ["ward", "average"]
    # a new matrix with the same values is a new input: computed again
    copy = DistanceMatrix(dm.values.copy(), dm.table)
    run_node(HierarchicalClustering, {"Distances": copy})
    assert calls == ["ward", "average", "ward"]
