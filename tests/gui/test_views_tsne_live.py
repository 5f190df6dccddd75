"""t-SNE's view while t-SNE runs (issue 16.3): the map is redrawn as the optimisation
goes (intermediate layouts from the node's run, through the node facade), a real click on
Cancel stops it, and a Distances input (from the Distances node) lays out the rows of the
table the distances came from, so their columns still colour the points."""

from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QPoint, QPointF, Qt
from PyQt6.QtGui import QWheelEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

from petriflow.core.registry import NodeRegistry
from petriflow.core.scheduler import NodeState
from petriflow.gui.undo import AddLinkCommand, SettingsCommand
from petriflow.nodes.distances import Distances
from petriflow.nodes.tsne import TSNE
from tests.gui.test_views_projections import Blobs, N
from tests.gui.views_helpers import wait_settled


def test_live_layouts_reach_the_view_and_cancel_stops(make_window, qtbot) -> None:
    win = make_window(reg=NodeRegistry([Blobs, TSNE]))
    src = win.add_node("tests.blobs")
    tsne = win.add_node("petriflow.tsne")
    # long enough to cancel half-way: 4,000 iterations on 60 points
    win.undo_stack.push(SettingsCommand(win.workflow, tsne, max_iter=4000))
    view = win.open_node(tsne)
    qtbot.waitExposed(view)
    assert not view.cancel_button.isVisible()  # nothing runs
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", tsne, "Data"))
    # at least two intermediate layouts drawn, each a different map of the 60 rows
    frames: list[np.ndarray] = []
    view.node.partial_result.connect(lambda _out: frames.append(view.xy.copy()))
    qtbot.waitUntil(lambda: len(frames) >= 2, timeout=60_000)
    assert view.partial_draws >= 2
    assert frames[0].shape == (N, 2) and not np.allclose(frames[0], frames[-1])
    assert win.scheduler.status(tsne).state is NodeState.RUNNING
    qtbot.waitUntil(view.cancel_button.isVisible, timeout=5_000)
    QTest.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.scheduler.status(tsne).state is NodeState.IDLE,
                    timeout=30_000)
    assert win.scheduler.status(tsne).message == "Cancelled"
    assert win.scheduler.output(tsne, "Data") is None
    drawn = view.partial_draws
    qtbot.wait(500)
    assert view.partial_draws == drawn  # no more layouts after the cancel
    assert len(view.xy) == N  # the last map stays on screen
    assert not view.cancel_button.isVisible()


def test_distances_input_draws_the_rows_of_their_table(make_window, qtbot) -> None:
    win = make_window(reg=NodeRegistry([Blobs, Distances, TSNE]))
    src = win.add_node("tests.blobs")
    dist = win.add_node("petriflow.distances")
    tsne = win.add_node("petriflow.tsne")
    win.undo_stack.push(SettingsCommand(win.workflow, dist, metric="euclidean"))
    win.undo_stack.push(SettingsCommand(win.workflow, tsne, max_iter=300))
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", dist, "Data"))
    win.undo_stack.push(AddLinkCommand(win.workflow, dist, "Distances", tsne, "Distances"))
    wait_settled(qtbot, win, timeout=60_000)
    view = win.open_node(tsne)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: len(view.xy) == N, timeout=10_000)
    # coloured by the distances' table's class: three blobs in the legend
    assert [label for label, _ in view.encoding.legend] == ["blob0", "blob1", "blob2"]
    out = win.scheduler.output(tsne, "Data")
    assert out.metas["group"].tolist() == win.scheduler.output(src, "Data").metas[
        "group"].tolist()


def test_data_only_settings_are_disabled_while_distances_is_connected(make_window,
                                                                       qtbot) -> None:
    """Metric, PCA and normalise apply to Data only: with Distances connected they are
    disabled (a real click changes nothing) and their tooltip says why; undoing the
    Distances link enables them again, and a click then edits the setting."""
    from petriflow.gui.views.tsne import IGNORED_WITH_DISTANCES

    win = make_window(reg=NodeRegistry([Blobs, Distances, TSNE]))
    src = win.add_node("tests.blobs")
    dist = win.add_node("petriflow.distances")
    tsne = win.add_node("petriflow.tsne")
    win.undo_stack.push(SettingsCommand(win.workflow, tsne, max_iter=250))
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", dist, "Data"))
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", tsne, "Data"))
    wait_settled(qtbot, win, timeout=60_000)
    view = win.open_node(tsne)
    qtbot.waitExposed(view)
    assert view.metric_combo.isEnabled() and view.pca_spin.isEnabled()
    assert view.perplexity_spin.value() == 30.0 and view.pca_spin.value() == 50

    win.undo_stack.push(AddLinkCommand(win.workflow, dist, "Distances", tsne, "Distances"))
    wait_settled(qtbot, win, timeout=60_000)
    qtbot.waitUntil(lambda: not view.normalize_check.isEnabled(), timeout=10_000)
    for w in (view.metric_combo, view.pca_spin, view.normalize_check):
        assert not w.isEnabled() and w.toolTip() == IGNORED_WITH_DISTANCES
    assert "Distances is connected" in IGNORED_WITH_DISTANCES
    assert view.perplexity_spin.isEnabled()  # perplexity still applies
    QTest.mouseClick(view.normalize_check, Qt.MouseButton.LeftButton)
    assert win.workflow.node(tsne).settings.normalize is False

    win.undo_stack.undo()  # the Distances link goes
    wait_settled(qtbot, win, timeout=60_000)
    qtbot.waitUntil(view.normalize_check.isEnabled, timeout=10_000)
    assert view.metric_combo.toolTip() != IGNORED_WITH_DISTANCES
    QTest.mouseClick(view.normalize_check, Qt.MouseButton.LeftButton)
    assert win.workflow.node(tsne).settings.normalize is True


def zoom_in(view) -> None:
    """A real wheel turn over the plot's centre."""
    centre = QPointF(view.canvas.width() / 2, view.canvas.height() / 2)
    QApplication.sendEvent(view.canvas, QWheelEvent(
        centre, QPointF(view.canvas.mapToGlobal(centre)), QPoint(0, 0), QPoint(0, 240),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False))


def shows_all(view) -> bool:
    (x0, x1), (y0, y1) = view.box.viewRange()
    x, y = view.xy[:, 0], view.xy[:, 1]
    return bool((x >= x0).all() and (x <= x1).all() and (y >= y0).all() and (y <= y1).all())


def test_live_frames_keep_the_users_zoom_until_reset_or_a_new_map(make_window,
                                                                    qtbot) -> None:
    """Frames follow the map until the user zooms; then later frames keep the user's
    range. Reset (a real click) shows all points again and frames follow again; after
    another zoom, a new perplexity (a new map) is shown whole from its first frame."""
    win = make_window(reg=NodeRegistry([Blobs, TSNE]))
    src = win.add_node("tests.blobs")
    tsne = win.add_node("petriflow.tsne")
    win.undo_stack.push(SettingsCommand(win.workflow, tsne, max_iter=20_000))
    view = win.open_node(tsne)
    qtbot.waitExposed(view)
    frames: list[np.ndarray] = []
    view.node.partial_result.connect(lambda _out: frames.append(view.xy.copy()))
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", tsne, "Data"))
    qtbot.waitUntil(lambda: len(frames) >= 2, timeout=60_000)
    assert shows_all(view)
    zoom_in(view)
    zoomed = view.box.viewRange()
    seen = len(frames)
    qtbot.waitUntil(lambda: len(frames) >= seen + 3, timeout=60_000)
    assert not np.allclose(frames[seen - 1], frames[-1])  # the map moved
    assert np.allclose(view.box.viewRange(), zoomed)  # the user's view stayed

    QTest.mouseClick(view.reset_button, Qt.MouseButton.LeftButton)
    assert shows_all(view)
    seen = len(frames)
    qtbot.waitUntil(lambda: len(frames) >= seen + 2, timeout=60_000)
    assert shows_all(view) and not np.allclose(view.box.viewRange(), zoomed)

    zoom_in(view)
    zoomed = view.box.viewRange()
    win.undo_stack.push(SettingsCommand(win.workflow, tsne, perplexity=8.0))
    seen = len(frames)
    qtbot.waitUntil(lambda: len(frames) >= seen + 2, timeout=60_000)
    assert shows_all(view) and not np.allclose(view.box.viewRange(), zoomed)
    QTest.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: win.scheduler.status(tsne).state is NodeState.IDLE,
                    timeout=30_000)
