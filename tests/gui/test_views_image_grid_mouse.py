"""Image Grid with the real mouse (issue 16, "Done when"): the pointer resting on a cell
shows that image's tooltip (its file, or why there is no thumbnail), and a drag across
cells selects exactly the images in the cells it covers."""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QPoint, QRect, Qt
from PyQt6.QtGui import QHelpEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QToolTip

from tests.gui.test_views_image_grid import grid
from tests.gui.views_helpers import ids

__all__ = ["grid"]  # the fixture, used by name below


def rest_pointer(widget, pos: QPoint) -> None:
    """What Qt sends when the pointer rests on ``pos`` (the tooltip request)."""
    QApplication.sendEvent(widget, QHelpEvent(QEvent.Type.ToolTip, pos,
                                              widget.mapToGlobal(pos)))


def test_resting_pointer_shows_the_cells_image_name_or_why_not(grid, qtbot):
    _win, _node, view = grid
    port = view.grid.viewport()
    for row in (4, 7):
        rest_pointer(port, view.grid.visualRect(view.model.index_of(row)).center())
        qtbot.waitUntil(QToolTip.isVisible, timeout=3_000)
        assert f"im{row}.png" in QToolTip.text()
        QToolTip.hideText()
    rest_pointer(port, view.grid.visualRect(view.model.index_of(7)).center())
    qtbot.waitUntil(QToolTip.isVisible, timeout=3_000)
    assert QToolTip.text().endswith("file not found")


def test_drag_selects_the_images_in_the_cells_it_covers(grid, qtbot):
    win, node, view = grid
    port = view.grid.viewport()
    # from the centre of the first cell of the first grid row to the centre of the
    # second cell of the second grid row: a 2 × 2 block of cells
    a = view.grid.visualRect(view.model.index(0, 0)).center()
    b = view.grid.visualRect(view.model.index(1, 1)).center()
    none = Qt.KeyboardModifier.NoModifier
    QTest.mousePress(port, Qt.MouseButton.LeftButton, none, a)
    for i in range(1, 6):
        QTest.mouseMove(port, a + (b - a) * (i / 5))
    QTest.mouseRelease(port, Qt.MouseButton.LeftButton, none, b)
    covered = QRect(a, b).normalized()
    want = sorted(view.model.row_at(view.model.index(r, c))
                  for r in range(view.model.rowCount())
                  for c in range(view.model.columnCount())
                  if view.grid.visualRect(view.model.index(r, c)).intersects(covered)
                  and view.model.row_at(view.model.index(r, c)) >= 0)
    assert len(want) == 4
    qtbot.waitUntil(lambda: sorted(win.workflow.node(node).settings.selected) == want,
                    timeout=3_000)
    data = win.scheduler.output(node, "Data")
    expected = {int(data.row_ids[r]) for r in want}
    qtbot.waitUntil(lambda: ids(win.scheduler.output(node, "Selected Images")) == expected,
                    timeout=10_000)
