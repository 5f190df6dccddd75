"""UMAP node: blobs stay apart, a seed gives the same map, selections and subsets as the
other projections. Small data: the first UMAP call in a process compiles umap-learn's
numba code (about 20 s on a loaded 2-core machine); later calls take a fraction."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import pdist, squareform

from petriflow.core.node import NodeError
from petriflow.nodes.umap import COORDS, UMAP

from .conftest import blobs, run_node


@pytest.fixture(scope="module")
def data():
    return blobs(n_per_class=15, d=6, k=3)


@pytest.fixture(scope="module")
def first(data):
    return run_node(UMAP, {"Data": data, "Data Subset": data.take([0, 1])},
                    n_neighbors=8, selected=[1, 4], random_seed=3)


def test_blobs_stay_apart_and_selection_is_output(data, first):
    out = first["Data"]
    xy = np.c_[out.metas[COORDS[0]], out.metas[COORDS[1]]]
    assert xy.shape == (45, 2) and np.isfinite(xy).all()
    d = squareform(pdist(xy))
    np.fill_diagonal(d, np.inf)
    assert (data.y[d.argmin(1)] == data.y).mean() > 0.95
    assert list(first["Selected Data"].row_ids) == list(data.row_ids[[1, 4]])
    assert list(out.metas["Selected"][:5]) == ["No", "Yes", "No", "No", "Yes"]


def test_same_seed_same_map_other_seed_other_map(data, first):
    again = run_node(UMAP, {"Data": data}, n_neighbors=8, random_seed=3)
    np.testing.assert_array_equal(again["Data"].metas[COORDS[0]],
                                  first["Data"].metas[COORDS[0]])
    other = run_node(UMAP, {"Data": data}, n_neighbors=8, random_seed=4)
    assert not np.allclose(other["Data"].metas[COORDS[0]], first["Data"].metas[COORDS[0]])


def test_settings_are_checked(data):
    assert UMAP.Settings().metric == "cosine"
    with pytest.raises(NodeError, match="2 neighbours"):
        run_node(UMAP, {"Data": data}, n_neighbors=1)
    with pytest.raises(NodeError, match="between 0 and 1"):
        run_node(UMAP, {"Data": data}, min_dist=1.5)
    with pytest.raises(NodeError, match="at least 3"):
        run_node(UMAP, {"Data": data.take([0, 1])})
    small = run_node(UMAP, {"Data": data.take(list(range(6)))}, n_neighbors=30,
                     metric="euclidean")
    assert any("used 5" in w for w in small.warnings)
    assert len(small["Data"]) == 6
