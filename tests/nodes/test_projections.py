from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import pdist, squareform
from sklearn.manifold import smacof

from petriflow.analysis.projection import kruskal_stress, mds_smacof, torgerson_init
from petriflow.core.node import Cancelled, CancelToken, NodeError
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix
from petriflow.nodes.distances import Distances
from petriflow.nodes.mds import MDS
from petriflow.nodes.pca import PCA
from petriflow.nodes.tsne import TSNE

from .conftest import blobs, run_node


def test_smacof_recovers_planar_configuration():
    P = np.random.default_rng(0).normal(size=(30, 2))
    D = squareform(pdist(P))
    res = mds_smacof(D, max_iter=300)
    assert res.stress < 1e-3  # exact 2-D distances are reproduced
    res_rand = mds_smacof(D, init="random", max_iter=1000)
    assert res_rand.stress < 0.05


def test_smacof_as_good_as_sklearn():
    X = np.random.default_rng(1).normal(size=(60, 6))
    D = squareform(pdist(X))
    ours = mds_smacof(D, max_iter=300)
    theirs, _ = smacof(D, n_components=2, init=torgerson_init(D), n_init=1, max_iter=300)
    assert ours.stress <= kruskal_stress(D, theirs) + 1e-3


def test_mds_node_from_data_partial_results_and_replay(blob_table: Table):
    settings = {"selected": [0, 3, 59], "refresh_every": 5, "max_iter": 50}
    r = run_node(MDS, {"Data": blob_table}, **settings)
    data, sel = r["Data"], r["Selected Data"]
    assert {"mds-x", "mds-y", "mds-stress", "Selected"} <= set(data.metas)
    assert list(sel.row_ids) == list(blob_table.row_ids[[0, 3, 59]])
    assert r.partials and "Data" in r.partials[0]
    assert "Kruskal stress" in r.progress.message
    again = run_node(MDS, {"Data": blob_table}, **settings)
    np.testing.assert_array_equal(again["Data"].metas["mds-x"], data.metas["mds-x"])
    assert list(again["Selected Data"].row_ids) == list(sel.row_ids)


def test_mds_node_from_distances_keeps_table():
    t = blobs()
    dm = run_node(Distances, {"Data": t}, metric="cosine")["Distances"]
    r = run_node(MDS, {"Distances": dm, "Data Subset": t.take([1, 2])})
    assert r["Data"].row_ids.tolist() == t.row_ids.tolist()
    xy = np.c_[r["Data"].metas["mds-x"], r["Data"].metas["mds-y"]]
    # blobs stay apart: each point's nearest neighbour in the layout has its class
    d = squareform(pdist(xy))
    np.fill_diagonal(d, np.inf)
    assert (t.y[d.argmin(1)] == t.y).mean() > 0.95


def test_mds_bad_input():
    assert run_node(MDS, {})["Data"] is None
    with pytest.raises(NodeError, match="20 rows"):
        run_node(MDS, {"Data": blobs(n_per_class=10, k=2),
                       "Distances": DistanceMatrix(np.zeros((3, 3)))})
    with pytest.raises(NodeError):
        run_node(MDS, {"Data": blobs().take([])})
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_node(MDS, {"Data": blobs()}, cancel=token)


def test_mds_warns_on_poor_stress():
    X = np.random.default_rng(3).normal(size=(40, 30))  # high-dim noise: poor 2-D fit
    r = run_node(MDS, {"Data": Table.from_arrays(X)})
    assert any("stress" in w for w in r.warnings)


def test_pca_node(blob_table: Table):
    r = run_node(PCA, {"Data": blob_table}, n_components=3, selected=[2])
    data = r["Data"]
    assert {"PC1", "PC2", "PC3"} <= set(data.metas)
    td = r["Transformed Data"]
    assert td.feature_names == ("PC1", "PC2", "PC3") and td.row_ids.tolist() == \
        blob_table.row_ids.tolist()
    comps = r["Components"]
    assert comps.shape == (3, blob_table.n_features)
    var = comps.metas["variance"]
    assert np.all(np.diff(var) <= 0) and var.sum() <= 1.0
    Xc = blob_table.X - blob_table.X.mean(0)
    np.testing.assert_allclose(td.X, Xc @ comps.X.T, atol=1e-3)
    assert r["Selected Data"].row_ids.tolist() == [blob_table.row_ids[2]]
    many = run_node(PCA, {"Data": blob_table.take([0, 1, 2])}, n_components=10)
    assert many["Transformed Data"].n_features == 3
    with pytest.raises(NodeError):
        run_node(PCA, {"Data": blob_table.take([0])})


def test_tsne_node(blob_table: Table):
    settings = {"selected": [1, 2], "max_iter": 250, "perplexity": 100.0}
    r = run_node(TSNE, {"Data": blob_table}, **settings)
    data = r["Data"]
    xy = np.c_[data.metas["t-SNE-x"], data.metas["t-SNE-y"]]
    assert np.isfinite(xy).all()
    assert any("Perplexity" in w for w in r.warnings)
    d = squareform(pdist(xy))
    np.fill_diagonal(d, np.inf)
    assert (blob_table.y[d.argmin(1)] == blob_table.y).mean() > 0.95
    # an equal table (another object, so the memo does not answer): the same map
    again = run_node(TSNE, {"Data": blob_table.take(np.arange(len(blob_table)))},
                     **settings)
    np.testing.assert_allclose(again["Data"].metas["t-SNE-x"], data.metas["t-SNE-x"])
    assert again["Selected Data"].row_ids.tolist() == blob_table.row_ids[[1, 2]].tolist()
    with pytest.raises(NodeError, match="at least 3"):
        run_node(TSNE, {"Data": blob_table.take([0, 1])})
