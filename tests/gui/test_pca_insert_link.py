"""PCA dropped from the toolbox onto a link into Distances (a real drag-and-drop onto
the canvas): it goes in between with its Transformed Data linked on, so Distances gets
every row on the components at once, not an empty selection."""

from __future__ import annotations

from PyQt6.QtCore import QPointF

from petriflow.core.registry import NodeRegistry
from petriflow.nodes.distances import Distances
from petriflow.nodes.pca import PCA
from tests.gui.test_canvas import _drop
from tests.gui.test_views_projections import Blobs, N
from tests.gui.views_helpers import wait_settled


def test_pca_dropped_onto_a_link_into_distances_feeds_it(make_window, qtbot) -> None:
    win = make_window(reg=NodeRegistry([Blobs, Distances, PCA]))
    src = win.add_node("tests.blobs", QPointF(0, 0))
    dist = win.add_node("petriflow.distances", QPointF(500, 0))
    assert win.scene.try_link(src, dist)
    (item,) = win.scene.link_items.values()
    _drop(win, win.toolbox.mime_for("petriflow.pca"), item.path().pointAtPercent(0.5))
    pca = win.workflow.find_node("PCA").id
    links = sorted((lk.source_id, lk.source_channel, lk.sink_id, lk.sink_channel)
                   for lk in win.workflow.links)
    assert links == sorted([(src, "Data", pca, "Data"),
                            (pca, "Transformed Data", dist, "Data")])
    wait_settled(qtbot, win, timeout=60_000)
    matrix = win.scheduler.output(dist, "Distances")
    assert matrix is not None and matrix.shape == (N, N)  # not waiting for a selection
    transformed = win.scheduler.output(pca, "Transformed Data")
    assert list(transformed.feature_names[:2]) == ["PC1", "PC2"]
