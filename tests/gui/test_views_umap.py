"""UMAP view: the projection scatter shared with PCA and t-SNE, on the UMAP node's
map; a real mouse drag selects exactly the points inside the rectangle."""

from __future__ import annotations

import numpy as np
import pytest

from petriflow.analysis.umap_layout import umap_projection
from petriflow.core.registry import NodeRegistry
from petriflow.nodes.umap import COORDS, UMAP
from tests.gui.test_views_projections import Blobs, check_rectangle_selection, projection_view


@pytest.fixture(scope="module", autouse=True)
def compiled() -> None:
    """The first UMAP in a process compiles numba code (20-40 s on 2 busy cores): done
    here, outside the view's wait for its node, so that wait measures the view."""
    umap_projection(np.random.default_rng(0).normal(size=(20, 4)), n_neighbors=5)


@pytest.fixture
def window(make_window):
    return make_window(reg=NodeRegistry([Blobs, UMAP]))


def test_umap_view_rectangle_selection(window, qtbot) -> None:
    node, view = projection_view(window, qtbot, "petriflow.umap", n_neighbors=10)
    assert view.coords == COORDS
    check_rectangle_selection(window, qtbot, node, view, COORDS)
