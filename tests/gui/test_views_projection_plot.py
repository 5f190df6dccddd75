"""The pyqtgraph projection scatter with real mouse events: hovering a point shows that
row's image (decoded off the GUI thread) or the reason it cannot; the wheel zooms and
Home resets; Shift adds to and Ctrl removes from a rectangle selection; a legend click
hides a class (hidden points cannot be selected); bad columns colour sensibly and
non-finite coordinates are skipped with a note."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PyQt6.QtCore import QEvent, QPoint, QPointF, Qt
from PyQt6.QtGui import QColor, QMouseEvent, QWheelEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from petriflow.core.node import Node, Output
from petriflow.core.registry import NodeRegistry
from petriflow.core.table import Table
from petriflow.gui.undo import AddLinkCommand
from petriflow.gui.views.plot.encode import color_encoding
from petriflow.nodes.pca import PCA
from petriflow.nodes.scatter_plot import ScatterPlot
from tests.gui.views_helpers import wait_settled

N = 30
CLASSES = ("c0", "c1", "c2")

def colour(row: int) -> tuple[int, int, int]:
    return (8 * row, 255 - 8 * row, 90)

@dataclass
class PicsSettings:
    folder: str = ""
    nan_rows: int = 0

class Pics(Node):
    """Three clusters of rows, each with a solid-colour image (row 0's file is missing)."""

    qualified_name = "tests.pics"
    name = "Pics"
    outputs = (Output("Data", Table),)
    Settings = PicsSettings

    def run(self, inputs, progress, cancel):
        rng = np.random.default_rng(1)
        labels = np.arange(N) % 3
        centers = np.array([[0, 0], [10, 0], [0, 10]], dtype=float)
        X = centers[labels] + rng.normal(0, 1.0, (N, 2))
        X[: self.settings.nan_rows, 0] = np.nan
        paths = [str(Path(self.settings.folder) / f"img{i}.png") for i in range(N)]
        return {"Data": Table.from_arrays(
            X, ["a", "b"], classes=[CLASSES[k] for k in labels],
            metas={"image": paths}, image_column="image")}

@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for i in range(1, N):
        Image.new("RGB", (32, 24), colour(i)).save(tmp_path / f"img{i}.png")
    return tmp_path

def open_view(win, qtbot, node: str, **pics):
    from petriflow.gui.undo import SettingsCommand

    src = win.add_node("tests.pics")
    win.undo_stack.push(SettingsCommand(win.workflow, src, **pics))
    proj = win.add_node(node)
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", proj, "Data"))
    wait_settled(qtbot, win, timeout=60_000)
    view = win.open_node(proj)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: len(view.xy) == N, timeout=10_000)
    return proj, view

@pytest.fixture
def window(make_window):
    return make_window(reg=NodeRegistry([Pics, PCA, ScatterPlot]))

def drag(view, a: QPoint, b: QPoint, mods=Qt.KeyboardModifier.NoModifier) -> None:
    canvas = view.canvas
    QTest.mousePress(canvas, Qt.MouseButton.LeftButton, mods, a)
    for i in range(1, 6):
        QTest.mouseMove(canvas, a + (b - a) * (i / 5))
    QTest.mouseRelease(canvas, Qt.MouseButton.LeftButton, mods, b)

def hover(widget, pos: QPoint) -> None:
    """A pointer move without a button (QTest.mouseMove only moves the cursor then,
    which offscreen delivers no event)."""
    event = QMouseEvent(QEvent.Type.MouseMove, QPointF(pos), QPointF(widget.mapToGlobal(pos)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def around(view, rows: np.ndarray) -> tuple[QPoint, QPoint]:
    """A widget rectangle 6 px around the points of ``rows``."""
    px = [view.data_to_widget(*view.xy[r]) for r in rows]
    xs, ys = [p.x() for p in px], [p.y() for p in px]
    return QPoint(min(xs) - 6, min(ys) - 6), QPoint(max(xs) + 6, max(ys) + 6)

def test_hover_shows_the_rows_image_off_the_gui_thread(window, qtbot, folder) -> None:
    _node, view = open_view(window, qtbot, "petriflow.pca", folder=str(folder))
    for row in (7, 20):
        hover(view.canvas, view.data_to_widget(*view.xy[row]))
        qtbot.waitUntil(lambda row=row: view.overlay.row == row and view.overlay.loaded,
                        timeout=10_000)
        image = view.overlay.image.pixmap().toImage()
        got = image.pixelColor(image.width() // 2, image.height() // 2)
        assert (got.red(), got.green(), got.blue()) == colour(row)
        assert f"img{row}.png" in view.overlay.text.text()
    assert threading.get_ident() not in view.thumb_cache.decode_threads
    # row 0's file is missing: a placeholder, and the reason
    hover(view.canvas, view.data_to_widget(*view.xy[0]))
    qtbot.waitUntil(lambda: view.overlay.row == 0 and "not found" in view.overlay.text.text(),
                    timeout=10_000)
    assert not view.overlay.loaded

def test_wheel_zooms_and_home_resets(window, qtbot, folder) -> None:
    _node, view = open_view(window, qtbot, "petriflow.pca", folder=str(folder))
    (x0, x1), _ = view.box.viewRange()
    centre = QPointF(view.canvas.width() / 2, view.canvas.height() / 2)
    wheel = QWheelEvent(centre, QPointF(view.canvas.mapToGlobal(centre)), QPoint(0, 0),
                        QPoint(0, 240), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.canvas, wheel)
    (z0, z1), _ = view.box.viewRange()
    assert z1 - z0 < 0.8 * (x1 - x0)  # zoomed in
    view.plot.setFocus()
    QTest.keyClick(view.plot, Qt.Key.Key_Home)
    (h0, h1), _ = view.box.viewRange()
    assert h1 - h0 == pytest.approx(x1 - x0, rel=0.05)

def test_shift_adds_and_ctrl_removes(window, qtbot, folder) -> None:
    node, view = open_view(window, qtbot, "petriflow.scatter_plot", folder=str(folder))
    labels = np.arange(N) % 3
    c0, c1 = np.flatnonzero(labels == 0), np.flatnonzero(labels == 1)
    drag(view, *around(view, c0))
    settings = window.workflow.node(node).settings
    assert settings.selected == c0.tolist()
    drag(view, *around(view, c1), Qt.KeyboardModifier.ShiftModifier)
    settings = window.workflow.node(node).settings
    assert settings.selected == sorted([*c0, *c1])
    drag(view, *around(view, c0), Qt.KeyboardModifier.ControlModifier)
    assert window.workflow.node(node).settings.selected == c1.tolist()

def test_legend_click_hides_a_class(window, qtbot, folder) -> None:
    node, view = open_view(window, qtbot, "petriflow.scatter_plot", folder=str(folder))
    labels = np.arange(N) % 3
    assert list(view.legend.buttons) == list(CLASSES)
    QTest.mouseClick(view.legend.buttons["c1"], Qt.MouseButton.LeftButton)
    assert window.workflow.node(node).settings.hidden_values == ["c1"]
    assert set(view.shown.tolist()) == set(np.flatnonzero(labels != 1).tolist())
    assert len(view.points.xy) == N - (labels == 1).sum()
    drag(view, *around(view, np.arange(N)))  # everything: the hidden class is not taken
    assert window.workflow.node(node).settings.selected == np.flatnonzero(labels != 1).tolist()
    QTest.mouseClick(view.legend.buttons["c1"], Qt.MouseButton.LeftButton)
    assert window.workflow.node(node).settings.hidden_values == []
    assert len(view.shown) == N

def test_colour_by_column_and_non_finite_coordinates(window, qtbot, folder) -> None:
    node, view = open_view(window, qtbot, "petriflow.scatter_plot", folder=str(folder),
                           nan_rows=2)
    assert "2 points with missing or infinite coordinates" in view.note_label.text()
    assert len(view.shown) == N - 2
    view.color_combo.setCurrentText("b")  # many distinct numbers: a colour bar
    assert window.workflow.node(node).settings.color_column == "b"
    assert view.legend.colorbar is not None and not view.legend.buttons
    runs = window.scheduler.status(node).runs
    view.color_combo.setCurrentText("image")  # 30 file names: 9 + "other"
    assert len(view.legend.buttons) == 10 and "other" in list(view.legend.buttons)[-1]
    qtbot.wait(100)
    assert window.scheduler.status(node).runs == runs  # a view setting: no re-run

def test_bad_columns_colour_sensibly() -> None:
    many = Table.from_arrays(np.zeros((10_000, 1)), ["x"],
                             metas={"name": [f"f{i}" for i in range(10_000)],
                                    "same": ["a"] * 10_000,
                                    "none": [""] * 10_000})
    enc = color_encoding(many, "name")
    assert len(enc.legend) == 10 and enc.legend[-1][0] == "other (9991 values)"
    assert enc.legend[-1][1] != enc.legend[0][1]
    one = color_encoding(many, "same")
    assert len(one.legend) == 1 and "one value" in one.note
    missing = color_encoding(many, "none")
    assert len(set(missing.index.tolist())) == 1 and "missing" in missing.note
    assert QColor(missing.lut[0]).isValid()


def test_thumbnails_labels_and_sizes(window, qtbot, folder) -> None:
    node, view = open_view(window, qtbot, "petriflow.scatter_plot", folder=str(folder))
    view.label_combo.setCurrentText("image")
    assert len(view.labels) == N
    assert view.labels[3].toPlainText().endswith("img3.png")
    view.size_combo.setCurrentText("a")  # numbers: sizes grow with the value
    a = window.scheduler.output(node, "Data").X[:, 0]
    assert view.sizes[int(a.argmax())] > view.sizes[int(a.argmin())]
    view.thumbs_check.click()  # a real click on the check box
    assert window.workflow.node(node).settings.thumbnails
    qtbot.waitUntil(view.is_ready, timeout=10_000)
    items = view.thumbnails.items
    assert sum(len(v) for v in items.values()) == N and len(view.points.xy) == 0
    # decoded images at the points, the missing file as a placeholder with its reason
    shown = items[str(folder / "img5.png")][0]
    assert shown.pixmap().toImage().pixelColor(2, 2).getRgb()[:3] == colour(5)
    assert "not found" in items[str(folder / "img0.png")][0].toolTip()


def test_labels_stay_inside_the_plot(window, qtbot, folder) -> None:
    """Labels of the right-hand points run leftwards: none is cut at the plot's right
    edge (long file names were)."""
    _node, view = open_view(window, qtbot, "petriflow.scatter_plot", folder=str(folder))
    view.label_combo.setCurrentText("image")  # long labels: full paths
    assert len(view.labels) == N
    qtbot.wait(50)
    box = view.box.sceneBoundingRect()
    for item in view.labels:
        rect = item.sceneBoundingRect()
        assert box.left() <= rect.left() and rect.right() <= box.right(), item.toPlainText()


def test_hovered_point_is_ringed_and_the_ring_goes_with_the_pointer(window, qtbot,
                                                                    folder) -> None:
    """A dark ring is drawn round the hovered point (looked for in the rendered plot,
    just outside the marker), and gone when the pointer moves off every point."""
    from petriflow.gui.views.plot.hover import RING_GAP

    _node, view = open_view(window, qtbot, "petriflow.pca", folder=str(folder))

    def dark_around(row: int) -> int:
        image = view.canvas.grab().toImage()
        ratio = image.devicePixelRatio()
        centre = view.data_to_widget(*view.xy[row])
        r = view.marker_size(row) / 2 + RING_GAP
        found = 0
        for dx, dy in ((r, 0), (-r, 0), (0, r), (0, -r)):
            c = image.pixelColor(int((centre.x() + dx) * ratio),
                                 int((centre.y() + dy) * ratio))
            found += max(c.red(), c.green(), c.blue()) < 90
        return found

    row = 11
    assert dark_around(row) == 0
    hover(view.canvas, view.data_to_widget(*view.xy[row]))
    qtbot.waitUntil(lambda: view.overlay.row == row, timeout=10_000)
    qtbot.waitUntil(lambda: dark_around(row) >= 3, timeout=5_000)
    hover(view.canvas, QPoint(3, 3))  # a corner: no point there
    qtbot.waitUntil(lambda: view.overlay.row is None, timeout=5_000)
    assert dark_around(row) == 0
