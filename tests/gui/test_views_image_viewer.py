"""Image Viewer view: thumbnails decode off the GUI thread, only the visible ones; clicks
select rows (the node's ``selected`` setting) and reach its output."""

from __future__ import annotations

import threading

from tests.gui.views_helpers import (
    CLUSTERING,
    click,
    ids,
    node_by_title,
    open_example,
    wait_settled,
)


def test_thumbnails_decode_off_gui_thread_and_clicks_select(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    viewer = node_by_title(win, "Image Viewer")
    wait_settled(qtbot, win)
    data = win.scheduler.inputs(viewer)["Data"]
    assert len(data) == 48  # top 3 clusters cover every image
    view = win.open_node(viewer)
    view.resize(420, 320)  # a few rows of thumbnails visible, most not
    qtbot.waitExposed(view)
    model = view.model
    assert model.rowCount() == 48
    first = model.index(0)
    qtbot.waitUntil(lambda: (model.paths[0], model.size) in model.cache, timeout=20_000)
    assert model.cache[(model.paths[0], model.size)] is not None  # decoded, not broken
    model.wait_idle()
    qtbot.waitUntil(view.is_ready, timeout=5_000)  # what --screenshot waits for
    assert model.decode_threads and threading.get_ident() not in model.decode_threads
    requested = {k for k in model.cache} | model.pending
    assert 0 < len(requested) < 48  # only what the list painted

    vp = view.list.viewport()
    steps = win.undo_stack.count()
    click(vp, view.list.visualRect(first).center())
    qtbot.waitUntil(lambda: win.workflow.node(viewer).settings.selected == [0], timeout=2_000)
    click(vp, view.list.visualRect(model.index(2)).center(), ctrl=True)
    qtbot.waitUntil(lambda: win.workflow.node(viewer).settings.selected == [0, 2],
                    timeout=2_000)
    assert win.undo_stack.count() == steps + 2  # one undo step per click
    expected = {int(data.row_ids[0]), int(data.row_ids[2])}
    qtbot.waitUntil(lambda: ids(win.scheduler.output(viewer, "Selected Images")) == expected,
                    timeout=20_000)

    win.undo_stack.undo()  # back to the single click
    assert win.workflow.node(viewer).settings.selected == [0]
    assert [ix.row() for ix in view.list.selectionModel().selectedIndexes()] == [0]


def test_size_slider_and_title_column(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    viewer = node_by_title(win, "Image Viewer")
    wait_settled(qtbot, win)
    view = win.open_node(viewer)
    view.size_slider.setValue(160)  # keyboard-like change: committed at once
    assert win.workflow.node(viewer).settings.thumbnail_size == 160
    assert view.list.iconSize().width() == 160
    i = view.title_combo.findData("image name")
    assert i > 0
    view.title_combo.setCurrentIndex(i)
    view.title_combo.activated.emit(i)
    assert win.workflow.node(viewer).settings.title_column == "image name"
    data = win.scheduler.inputs(viewer)["Data"]
    assert view.model.titles[0] == str(data.metas["image name"][0])
