"""t-SNE's Distances input and live layouts (issue 16.3).

A Distances input lays out the same map as the equivalent metric on the data (exactly
for float64 distances; up to float32 rounding for the Distances node's matrix, whose
t-SNE differs only within clusters); the rows keep the metadata of the table the
distances came from; layouts are published while t-SNE runs without changing its
result, and a cancel stops it between iterations.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import procrustes
from scipy.spatial.distance import cdist

from petriflow.analysis.projection import tsne_projection
from petriflow.core.node import Cancelled, CancelToken, NodeContext, NodeError, Progress
from petriflow.core.types import DistanceMatrix
from petriflow.nodes.distances import Distances
from petriflow.nodes.tsne import COORDS, LIVE_EVERY, TSNE
from tests.nodes.conftest import blobs, run_node


def xy(table) -> np.ndarray:
    return np.column_stack([np.asarray(table.metas[c], dtype=float) for c in COORDS])


def knn_overlap(a: np.ndarray, b: np.ndarray, k: int = 5) -> float:
    """Mean share of each point's k nearest neighbours that two layouts agree on."""
    def nn(Y: np.ndarray) -> np.ndarray:
        E = cdist(Y, Y)
        np.fill_diagonal(E, np.inf)
        return np.argsort(E, axis=1)[:, :k]
    return float(np.mean([len(set(p) & set(q)) / k for p, q in zip(nn(a), nn(b),
                                                                   strict=True)]))


def test_float64_distances_give_exactly_the_euclidean_layout_of_the_data() -> None:
    X = blobs(n_per_class=15, d=6).X
    on_data = tsne_projection(X, max_iter=300, pca_components=0, random_state=3)
    on_dist = tsne_projection(distances=cdist(X, X), max_iter=300, random_state=3)
    np.testing.assert_array_equal(on_dist, on_data)
    # other distances are another map: the equality above is not vacuous
    other = tsne_projection(distances=cdist(X, X, "cityblock"), max_iter=300,
                            random_state=3)
    assert not np.allclose(other, on_data)


def test_distances_node_input_lays_out_the_data_map_and_keeps_its_metas() -> None:
    data = blobs(n_per_class=20, d=6)
    settings = {"max_iter": 400, "pca_components": 0, "perplexity": 10.0}
    on_data = run_node(TSNE, {"Data": data}, **settings)["Data"]
    dm = run_node(Distances, {"Data": data}, metric="euclidean")["Distances"]
    run = run_node(TSNE, {"Distances": dm}, **settings)
    out = run["Data"]
    # the rows are the distances' table: its image names and classes come along
    assert out.metas["image name"].tolist() == data.metas["image name"].tolist()
    assert out.class_values == data.class_values
    a, b = xy(on_data), xy(out)
    # the Distances node's float32 matrix rounds the distances: the same map up to
    # moves inside clusters (Procrustes disparity small, neighbours shared, every
    # point's nearest neighbour of its own class in both)
    assert procrustes(a, b)[2] < 0.05
    assert knn_overlap(a, b) > 0.6
    for Y in (a, b):
        E = cdist(Y, Y)
        np.fill_diagonal(E, np.inf)
        assert (data.y[E.argmin(1)] == data.y).all()
    # a cosine t-SNE of the same data is a different map: the check can fail
    cos = xy(run_node(TSNE, {"Data": data}, metric="cosine", **settings)["Data"])
    assert procrustes(a, cos)[2] > procrustes(a, b)[2]


def test_distances_and_data_together_and_mismatches() -> None:
    data = blobs(n_per_class=10, d=4)
    dm = run_node(Distances, {"Data": data})["Distances"]
    renamed = data.with_meta("label", [f"row {i}" for i in range(len(data))])
    out = run_node(TSNE, {"Data": renamed, "Distances": dm}, max_iter=250)["Data"]
    assert out.metas["label"].tolist()[:2] == ["row 0", "row 1"]
    with pytest.raises(NodeError, match="rows but the distance matrix"):
        run_node(TSNE, {"Data": data.take(list(range(5))), "Distances": dm})
    cols = run_node(Distances, {"Data": data}, axis="columns")["Distances"]
    with pytest.raises(NodeError, match="between rows"):
        run_node(TSNE, {"Distances": cols})
    bad = np.asarray(dm.values).copy()
    bad[0, 1] = np.nan
    with pytest.raises(NodeError, match="missing or infinite"):
        run_node(TSNE, {"Distances": DistanceMatrix(bad, table=data)})
    # no input: no output (not an error)
    assert run_node(TSNE, {})["Data"] is None


def test_live_layouts_are_published_and_do_not_change_the_result() -> None:
    data = blobs(n_per_class=15, d=5)
    run = run_node(TSNE, {"Data": data}, max_iter=300)
    frames = [p["Data"] for p in run.partials]
    # one every LIVE_EVERY iterations of the 300 (the last one is the result itself)
    assert len(frames) >= 300 // LIVE_EVERY - 1
    first, last = xy(frames[0]), xy(frames[-1])
    assert first.shape == last.shape == (len(data), 2)
    assert not np.allclose(first, last)  # the layout moved between frames
    final = xy(run["Data"])
    # the frames approach the result as the optimisation runs
    assert procrustes(final, last)[2] < procrustes(final, first)[2]
    # without anyone watching (no check, no callback) the same seed gives the same map
    quiet = tsne_projection(data.X, max_iter=300, random_state=0)
    np.testing.assert_array_equal(quiet, final)


def test_cancel_stops_between_iterations() -> None:
    """The user cancels once two live layouts were drawn: t-SNE stops at its next
    iteration (no third layout, no result)."""
    data = blobs(n_per_class=15, d=5)
    cancel = CancelToken()
    seen: list[object] = []

    def frame(outputs) -> None:
        seen.append(outputs)
        if len(seen) == 2:
            cancel.cancel()

    node = TSNE(TSNE.Settings(max_iter=1000), NodeContext())
    progress = Progress(partial=frame, min_interval=0.0)
    with pytest.raises(Cancelled):
        node.run({"Data": data, "Distances": None, "Data Subset": None}, progress, cancel)
    assert len(seen) == 2


def test_a_new_selection_reuses_the_layout_a_new_seed_does_not() -> None:
    """A lasso re-runs the node for its outputs: the memo answers with the same layout
    at once (no live layouts published again); a changed setting computes anew."""
    data = blobs(n_per_class=15, d=5)
    first = run_node(TSNE, {"Data": data}, max_iter=300, metric="cosine")
    assert first.partials
    picked = run_node(TSNE, {"Data": data}, max_iter=300, metric="cosine", selected=[0, 3])
    assert picked.partials == []
    np.testing.assert_array_equal(xy(picked["Data"]), xy(first["Data"]))
    assert len(picked["Selected Data"]) == 2
    reseeded = run_node(TSNE, {"Data": data}, max_iter=300, metric="cosine", random_seed=1)
    assert reseeded.partials
    assert not np.allclose(xy(reseeded["Data"]), xy(first["Data"]))
