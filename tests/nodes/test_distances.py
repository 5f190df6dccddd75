from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist, pdist, squareform
from scipy.stats import spearmanr

from petriflow.analysis import distances as dist_mod
from petriflow.analysis.distances import pairwise_distances
from petriflow.core.node import Cancelled, CancelToken, NodeError
from petriflow.core.table import Table
from petriflow.nodes.distances import Distances

from .conftest import blobs, run_node

RNG = np.random.default_rng(1)
X = RNG.normal(size=(40, 7))


@pytest.mark.parametrize(
    ("metric", "reference"),
    [
        ("cosine", lambda M: squareform(pdist(M, "cosine"))),
        ("euclidean", lambda M: squareform(pdist(M, "euclidean"))),
        ("manhattan", lambda M: squareform(pdist(M, "cityblock"))),
        ("pearson", lambda M: squareform(pdist(M, "correlation"))),
        ("spearman", lambda M: 1 - spearmanr(M.T).statistic),
        ("jaccard", lambda M: squareform(pdist(M != 0, "jaccard"))),
    ],
)
def test_metrics_match_scipy(metric, reference):
    M = np.where(X > 0.3, X, 0.0) if metric == "jaccard" else X
    D = pairwise_distances(M, metric)
    assert D.dtype == np.float32 and D.shape == (40, 40)
    np.testing.assert_allclose(D, reference(M), atol=2e-5)
    assert np.array_equal(D, D.T) and not np.diag(D).any()


def test_blocks_give_same_result(monkeypatch):
    full = pairwise_distances(X, "euclidean")
    monkeypatch.setattr(dist_mod, "_BLOCK_BYTES", 8 * 40 * 3)  # 3 rows per block
    np.testing.assert_allclose(pairwise_distances(X, "euclidean"), full, atol=1e-6)


def test_node_rows_and_columns(blob_table: Table):
    r = run_node(Distances, {"Data": blob_table}, metric="euclidean")
    dm = r["Distances"]
    assert dm.table is blob_table and dm.axis == 0 and dm.metric == "euclidean"
    np.testing.assert_allclose(dm.values, cdist(blob_table.X, blob_table.X), atol=1e-4)
    assert dm.labels[0] == "img0"
    r = run_node(Distances, {"Data": blob_table}, axis="columns", normalize=True)
    dm = r["Distances"]
    assert len(dm) == blob_table.n_features and dm.axis == 1
    assert dm.labels == blob_table.feature_names


def test_normalize_standardizes_features():
    t = Table.from_arrays(np.c_[RNG.normal(size=30), 1000 * RNG.normal(size=30)])
    D = run_node(Distances, {"Data": t}, metric="euclidean", normalize=True)["Distances"]
    Z = (t.X - t.X.mean(0)) / t.X.std(0)
    np.testing.assert_allclose(D.values, cdist(Z, Z), rtol=1e-3, atol=1e-3)


def test_nan_imputed_with_warning():
    t = blobs()
    X2 = t.X.copy()
    X2[3, 2] = np.nan
    r = run_node(Distances, {"Data": t.with_features(X2, t.feature_names)})
    assert np.isfinite(r["Distances"].values).all()
    assert "1 missing" in r.warnings[0]


def test_bad_input():
    with pytest.raises(NodeError, match="at least 1 row"):
        run_node(Distances, {"Data": blobs().take([])})
    no_features = Table.from_arrays(np.zeros((5, 0)), [])
    with pytest.raises(NodeError, match=r"no(ne| numeric)"):
        run_node(Distances, {"Data": no_features})


def test_memory_guard_refuses_with_row_count(monkeypatch):
    monkeypatch.setattr(dist_mod, "available_memory", lambda: 10_000 * 4)  # 40 kB
    with pytest.raises(NodeError) as info:
        # 120 rows need 57.6 kB; 70 % of 40 kB is 28 kB, enough for 83 rows
        run_node(Distances, {"Data": blobs(n_per_class=40)})
    assert "rows would fit" in str(info.value)
    assert "at most about 83 rows" in str(info.value)
    run_node(Distances, {"Data": blobs(n_per_class=20)})  # 60 rows fit


def test_available_memory_is_positive():
    assert dist_mod.available_memory() > 0


def test_cancel():
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        run_node(Distances, {"Data": blobs()}, cancel=token)
