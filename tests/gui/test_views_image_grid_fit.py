"""Image Grid's window fits its grid (the image-exploration example opened 820 × 680
over a 7 × 7 grid of 100-px cells: the last row behind a scroll bar, ~50 px empty at
the right), up to 90 % of the screen; the info line counts the selected images."""

from __future__ import annotations

from PyQt6.QtCore import QSize

from tests.gui.test_views_image_grid import grid
from tests.gui.views_helpers import click

__all__ = ["grid"]  # the fixture, used by name below


def _cells(view) -> QSize:
    h, v = view.grid.horizontalHeader(), view.grid.verticalHeader()
    return QSize(h.defaultSectionSize() * view.model.columnCount(),
                 v.defaultSectionSize() * view.model.rowCount())


def test_window_opens_at_the_grids_size(grid, qtbot):
    _win, _node, view = grid
    port = view.grid.viewport()
    cells = _cells(view)
    # all rows, no empty band below; as wide as the grid unless the controls above it
    # need more (12 images in 4 columns are narrower than the row of controls)
    qtbot.waitUntil(lambda: port.height() == cells.height(), timeout=3_000)
    assert port.width() == cells.width() or view.width() == view.minimumSizeHint().width()
    assert not view.grid.verticalScrollBar().isVisible()
    assert not view.grid.horizontalScrollBar().isVisible()
    # bigger cells: the window grows with them, never past 90 % of the screen
    room = view.screen().availableGeometry().size()
    view.size_spin.setValue(400)
    qtbot.waitUntil(lambda: view.width() > cells.width(), timeout=3_000)
    assert view.width() <= room.width() * 0.9 + 1
    assert view.height() <= room.height() * 0.9 + 1
    # a window the user resized keeps its size
    view.resize(760, 400)
    view.size_spin.setValue(64)
    qtbot.wait(100)
    assert view.size() == QSize(760, 400)


def test_info_counts_the_selected_images(grid, qtbot):
    win, node, view = grid
    text = view.info.text()
    assert text.startswith("12 images, ") and "selected" not in text
    for i, row in enumerate((1, 4, 5)):
        click(view.grid.viewport(), view.grid.visualRect(view.model.index_of(row)).center(),
              ctrl=i > 0)
    qtbot.waitUntil(lambda: view.info.text().endswith(", 3 selected"), timeout=3_000)
    qtbot.waitUntil(lambda: len(win.workflow.node(node).settings.selected) == 3,
                    timeout=3_000)
    win.undo_stack.undo()  # the clicks' selection steps merge: back to none selected
    qtbot.waitUntil(lambda: win.workflow.node(node).settings.selected == [], timeout=3_000)
    qtbot.waitUntil(lambda: "selected" not in view.info.text(), timeout=3_000)
