"""The scatter's marker sprites: a selected point keeps its own colour and shape inside
a thin ring of its group's colour (a ring pen scaled with the symbol once painted
selected points as solid squares of the ring colour)."""

from __future__ import annotations

import numpy as np
from PyQt6.QtGui import QColor

from petriflow.gui.views.plot.points import RING_COLORS, PointsLayer, styled


def test_selected_marker_keeps_its_fill_inside_a_thin_ring(qapp) -> None:
    lut = ["#1f77b4", "#ff7f0e"]
    xy = np.zeros((3, 2))
    _, sprite, styles = styled(xy, np.array([0, 1, 1]), lut, np.array([0, 0, 3]),
                               np.zeros(3, dtype=bool), np.full(3, 12.0),
                               np.array([0, 1, 2]))
    layer = PointsLayer()
    layer.set_points(xy, sprite, styles)
    atlas = layer.atlas.toImage()
    for k, (_symbol, _size, color, ring) in enumerate(styles):
        x, y, w, h = (int(v) for v in layer.rects[k])
        centre = atlas.pixelColor(x + w // 2, y + h // 2)
        assert centre.name() == color.name()  # the class colour inside
        if ring:
            row = [atlas.pixelColor(x + i, y + h // 2) for i in range(w)]
            want = QColor(RING_COLORS[ring - 1])
            # the ring's colour at the marker's edge, not across it
            ringed = [i for i, c in enumerate(row) if c.alpha() > 200
                      and abs(c.red() - want.red()) + abs(c.green() - want.green())
                      + abs(c.blue() - want.blue()) < 60]
            assert ringed and max(ringed) - min(ringed) > w // 2
            assert len(ringed) <= 6
