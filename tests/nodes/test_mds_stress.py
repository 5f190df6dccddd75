"""The MDS node outputs its stress (issue 13.3): the view reads the node's figure from the
``Data`` output instead of recomputing distances and guessing the metric."""

from __future__ import annotations

import re

import numpy as np
import pytest

from petriflow.analysis.distances import pairwise_distances
from petriflow.analysis.projection import kruskal_stress
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix
from petriflow.nodes.mds import COORDS, MDS, layout_stress

from .conftest import run_node


def _reported(run) -> float:
    match = re.search(r"Kruskal stress (\d+\.\d+)", run.progress.message or "")
    assert match, run.progress.message
    return float(match.group(1))


def _layout(table: Table) -> np.ndarray:
    return np.column_stack([np.asarray(table.metas[c], dtype=float) for c in COORDS])


def test_stress_of_a_cosine_matrix_is_the_nodes_not_a_euclidean_guess(blob_table: Table):
    X = np.asarray(blob_table.X, dtype=np.float64)
    cosine = pairwise_distances(X, "cosine").astype(np.float64)
    dm = DistanceMatrix(cosine, blob_table, metric="cosine")
    run = run_node(MDS, {"Distances": dm}, max_iter=100)
    data = run["Data"]
    stress = layout_stress(data)
    assert stress is not None
    assert stress == pytest.approx(kruskal_stress(cosine, _layout(data)), rel=1e-9)
    assert round(stress, 4) == _reported(run)
    # the Euclidean distances of the features (what a view would have guessed) disagree
    euclid = pairwise_distances(X, "euclidean").astype(np.float64)
    assert abs(kruskal_stress(euclid, _layout(data)) - stress) > 0.05


def test_stress_of_a_layout_of_data(blob_table: Table):
    run = run_node(MDS, {"Data": blob_table}, max_iter=100)
    stress = layout_stress(run["Data"])
    assert stress is not None and round(stress, 4) == _reported(run)
    # no MDS output, no stress
    assert layout_stress(None) is None
    assert layout_stress(blob_table) is None
