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


def test_space_and_double_click_open_a_larger_preview(make_window, qtbot, tmp_path) -> None:
    from PIL import Image
    from PyQt6.QtCore import Qt
    from PyQt6.QtTest import QTest

    from petriflow.core.registry import NodeRegistry
    from petriflow.gui.undo import AddLinkCommand
    from petriflow.nodes.image_viewer import ImageViewer
    from petriflow.nodes.import_images import ImportImages

    folder = tmp_path / "pics"
    folder.mkdir()
    sizes = {"a.png": (600, 300), "b.png": (200, 400), "c.png": (50, 50)}
    for name, size in sizes.items():
        Image.new("RGB", size, (200, 40, 40)).save(folder / name)
    win = make_window(reg=NodeRegistry([ImportImages, ImageViewer]))
    imp = win.add_node("petriflow.import_images",
                       settings=ImportImages.Settings(folder=str(folder)))
    viewer = win.add_node("petriflow.image_viewer")
    win.undo_stack.push(AddLinkCommand(win.workflow, imp, "Data", viewer, "Data"))
    wait_settled(qtbot, win, timeout=30_000)
    view = win.open_node(viewer)
    qtbot.waitExposed(view)
    model = view.model
    assert model.rowCount() == 3
    names = [p.rsplit("/", 1)[-1] for p in model.paths]

    # Space previews the current item
    view.list.setFocus()
    view.list.setCurrentIndex(model.index(1))
    QTest.keyClick(view.list, Qt.Key.Key_Space)
    preview = view.preview
    assert preview is not None and preview.isVisible()
    assert preview.path == model.paths[1]
    assert preview.windowTitle().startswith(names[1])
    qtbot.waitUntil(lambda: preview.loaded, timeout=10_000)
    w, h = sizes[names[1]]
    assert (preview.pixmap.width(), preview.pixmap.height()) == (w, h)  # full size, not a thumbnail
    shown = preview.label.pixmap()
    assert shown.width() <= preview.label.width() and shown.height() <= preview.label.height()
    # Esc closes it
    QTest.keyClick(preview, Qt.Key.Key_Escape)
    assert not preview.isVisible()

    # a double-click on another thumbnail opens it on that image
    QTest.mouseDClick(view.list.viewport(), Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier, view.list.visualRect(model.index(0)).center())
    qtbot.waitUntil(lambda: view.preview.isVisible(), timeout=2_000)
    assert view.preview.path == model.paths[0]
    assert view.preview.windowTitle().startswith(names[0])
    qtbot.waitUntil(lambda: view.preview.loaded, timeout=10_000)
    assert view.preview.pixmap.width() == sizes[names[0]][0]


def test_thumbnails_arriving_together_repaint_once(qtbot, tmp_path):
    """Decoded thumbnails are shown in one model update per event-loop pass (not one per
    image), and the decoder pool leaves a core to the GUI thread."""
    from PyQt6.QtCore import QThreadPool
    from PyQt6.QtGui import QImage

    from petriflow.gui.views.image_viewer import ThumbnailModel

    model = ThumbnailModel()
    paths = [str(tmp_path / f"{i}.png") for i in range(10)]
    model.set_items(paths, [str(i) for i in range(10)])
    changes: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, roles=(): changes.append((a.row(), b.row())))
    img = QImage(8, 8, QImage.Format.Format_RGB888)
    for row in (2, 7, 4):  # three decoders finish within one event-loop pass
        model._on_loaded((paths[row], model.size), img)
    assert changes == []  # nothing shown piecemeal
    qtbot.waitUntil(lambda: bool(changes), timeout=2_000)
    assert changes == [(2, 7)]  # one update spanning the rows that arrived
    assert all((paths[r], model.size) in model.cache for r in (2, 7, 4))
    cores = QThreadPool.globalInstance().maxThreadCount()
    assert model.pool.maxThreadCount() == max(1, cores - 1)


def test_empty_input_says_why_in_place_of_a_blank_grid(make_window, qtbot) -> None:
    """A click on empty dendrogram space clears its selection: the viewer's input goes
    away. Opened then (or opened before), the viewer said nothing, a blank white panel
    and an empty Title box (found in the Xvfb walk-through of image-clustering)."""
    from PyQt6.QtCore import QPoint

    win = open_example(make_window, CLUSTERING)
    hc, viewer = node_by_title(win, "Hierarchical Clustering"), node_by_title(win, "Image Viewer")
    wait_settled(qtbot, win)
    open_view = win.open_node(viewer)
    qtbot.waitExposed(open_view)
    assert open_view.list.isVisible() and not open_view.empty.isVisible()
    hc_view = win.open_node(hc)
    qtbot.waitUntil(lambda: hc_view.tree is not None, timeout=10_000)
    dendro = hc_view.dendrogram
    click(dendro, QPoint(2, dendro.height() - 2))  # empty space: selection cleared
    qtbot.waitUntil(lambda: win.scheduler.inputs(viewer).get("Data") is None, timeout=20_000)
    # the view already open: the message replaces the grid
    qtbot.waitUntil(lambda: open_view.empty.isVisible(), timeout=5_000)
    assert not open_view.list.isVisible()
    assert "select images there" in open_view.empty.text()
    open_view.close()  # deleted on the next event-loop turn
    qtbot.waitUntil(lambda: win.live_view(viewer) is None, timeout=5_000)
    # opened afresh with nothing on the input: the same message, and the Title box
    # names its default instead of standing empty
    view = win.open_node(viewer)
    qtbot.waitExposed(view)
    assert view.empty.isVisible() and not view.list.isVisible()
    assert "No images to show yet" in view.empty.text()
    assert view.title_combo.currentText() == "(image name)"
    assert view.info.text() == "No data on the input."
    # a branch click brings the grid back
    win.undo_stack.undo()
    qtbot.waitUntil(lambda: win.scheduler.inputs(viewer).get("Data") is not None,
                    timeout=20_000)
    qtbot.waitUntil(lambda: view.list.isVisible(), timeout=5_000)
    assert not view.empty.isVisible() and view.model.rowCount() == 48


def test_an_unreadable_image_is_crossed_out_not_loading_for_ever(make_window, qtbot,
                                                                 tmp_path) -> None:
    """A JPEG cut short (its header reads, so Import Images keeps it) showed the grey
    square of a thumbnail still loading, for ever, with nothing saying why (Xvfb
    walk-through with a damaged file in the folder)."""
    import io

    from PIL import Image
    from PyQt6.QtCore import Qt

    from petriflow.core.registry import NodeRegistry
    from petriflow.gui.undo import AddLinkCommand
    from petriflow.nodes.image_viewer import ImageViewer
    from petriflow.nodes.import_images import ImportImages

    folder = tmp_path / "pics"
    folder.mkdir()
    for name in ("a.jpg", "b.jpg"):
        Image.new("RGB", (64, 64), (30, 160, 40)).save(folder / name)
    buf = io.BytesIO()
    Image.effect_noise((256, 256), 60).convert("RGB").save(buf, "JPEG")
    data = buf.getvalue()
    (folder / "cut.jpg").write_bytes(data[: len(data) * 3 // 5])
    win = make_window(reg=NodeRegistry([ImportImages, ImageViewer]))
    imp = win.add_node("petriflow.import_images",
                       settings=ImportImages.Settings(folder=str(folder)))
    viewer = win.add_node("petriflow.image_viewer")
    win.undo_stack.push(AddLinkCommand(win.workflow, imp, "Data", viewer, "Data"))
    wait_settled(qtbot, win, timeout=30_000)
    view = win.open_node(viewer)
    qtbot.waitExposed(view)
    model = view.model
    assert model.rowCount() == 3
    qtbot.waitUntil(lambda: model.wait_idle() and not model.pending, timeout=10_000)
    row = next(i for i, p in enumerate(model.paths) if p.endswith("cut.jpg"))
    good = next(i for i, p in enumerate(model.paths) if p.endswith("a.jpg"))
    shown = model.data(model.index(row), Qt.ItemDataRole.DecorationRole)
    assert shown.toImage() == model.broken_placeholder().toImage()
    assert shown.toImage() != model.placeholder().toImage()
    assert "Cannot be read" in model.data(model.index(row), Qt.ItemDataRole.ToolTipRole)
    ok = model.data(model.index(good), Qt.ItemDataRole.DecorationRole)
    assert ok.toImage().pixelColor(ok.width() // 2, ok.height() // 2).green() > 120
    assert "Cannot" not in model.data(model.index(good), Qt.ItemDataRole.ToolTipRole)
    qtbot.waitUntil(lambda: view.info.text() == "3 images, 1 cannot be read", timeout=2_000)


def test_a_numeric_column_can_title_the_images(make_window, qtbot, tmp_path) -> None:
    """"Least sure first" (image-prediction): the uncertainty could not be shown under
    the images — the Title box offered text columns only."""
    import numpy as np
    from PIL import Image

    from petriflow.core.node import Node, Output
    from petriflow.core.registry import NodeRegistry
    from petriflow.core.table import Table
    from petriflow.gui.undo import AddLinkCommand
    from petriflow.nodes.image_viewer import ImageViewer

    paths = []
    for i in range(3):
        p = tmp_path / f"p{i}.png"
        Image.new("RGB", (16, 16), (50 * i, 90, 90)).save(p)
        paths.append(str(p))

    class Scored(Node):
        qualified_name = "tests.scored"
        name = "Scored"
        outputs = (Output("Data", Table),)

        def run(self, inputs, progress, cancel):
            return {"Data": Table.from_arrays(
                np.zeros((3, 1)), ["f"], metas={
                    "image": np.array(paths, dtype=object),
                    "uncertainty": np.array([0.8731, 0.25, np.nan])},
                image_column="image")}

    win = make_window(reg=NodeRegistry([Scored, ImageViewer]))
    src = win.add_node("tests.scored")
    viewer = win.add_node("petriflow.image_viewer")
    win.undo_stack.push(AddLinkCommand(win.workflow, src, "Data", viewer, "Data"))
    wait_settled(qtbot, win, timeout=30_000)
    view = win.open_node(viewer)
    qtbot.waitExposed(view)
    i = view.title_combo.findData("uncertainty")
    assert i > 0
    combo = view.title_combo
    combo.setFocus()
    combo.setCurrentIndex(0)
    from PyQt6.QtCore import Qt
    from PyQt6.QtTest import QTest

    while combo.currentIndex() != i:  # the keyboard, as a user picks it
        QTest.keyClick(combo, Qt.Key.Key_Down)
    assert win.workflow.node(viewer).settings.title_column == "uncertainty"
    assert view.model.titles == ["0.873", "0.25", ""]
