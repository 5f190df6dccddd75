"""Views write what a selection was made on, and show what the node selects: on other
data a saved selection is dropped (nothing shown selected, a note on the node); back on
the data it was made on, it is there again (issue 14.13)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from petriflow.core.registry import default_registry
from petriflow.core.scheduler import NodeState
from tests.gui.views_helpers import click


def _images(folder: Path, n: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    for i in range(n):
        sub = folder / ("x" if i % 2 else "y")
        sub.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 255, (24, 24, 3), dtype=np.uint8)).save(
            sub / f"im{i:02d}.png")
    return folder


def test_viewer_and_table_selections_stay_with_their_images(make_window, qtbot, tmp_path):
    reg = default_registry()
    win = make_window(reg=reg)
    wf = win.workflow
    first, second = _images(tmp_path / "one", 8, 0), _images(tmp_path / "two", 6, 1)
    imp = wf.add_node(reg.get("petriflow.import_images"), position=(0, 0))
    wf.update_settings(imp.id, folder=str(first))
    viewer = wf.add_node(reg.get("petriflow.image_viewer"), position=(200, 0)).id
    table = wf.add_node(reg.get("petriflow.data_table"), position=(200, 150)).id
    wf.add_link(imp.id, "Data", viewer, "Data")
    wf.add_link(imp.id, "Data", table, "Data")
    qtbot.waitUntil(lambda: win.scheduler.is_settled()
                    and win.scheduler.inputs(viewer).get("Data") is not None, timeout=20_000)

    view = win.open_node(viewer)
    qtbot.waitExposed(view)
    vp = view.list.viewport()
    click(vp, view.list.visualRect(view.model.index(1)).center())
    click(vp, view.list.visualRect(view.model.index(3)).center(), ctrl=True)
    qtbot.waitUntil(lambda: wf.node(viewer).settings.selected == [1, 3], timeout=2_000)
    keys = wf.node(viewer).settings.selection_context["keys"]
    assert len(keys) == 2 and all("im0" in k for k in keys)  # the files, not positions
    qtbot.waitUntil(lambda: win.scheduler.is_settled(), timeout=20_000)
    picked = list(win.scheduler.output(viewer, "Selected Images").metas["image"])

    tview = win.open_node(table)
    qtbot.waitExposed(tview)
    click(tview.table.viewport(), tview.row_center(0))
    qtbot.waitUntil(lambda: wf.node(table).settings.selected_rows != [], timeout=2_000)
    assert wf.node(table).settings.selection_context["keys"]

    wf.update_settings(imp.id, folder=str(second))  # another image set
    qtbot.waitUntil(lambda: win.scheduler.is_settled()
                    and len(win.scheduler.inputs(viewer)["Data"]) == 6, timeout=20_000)
    qtbot.wait(50)
    for node in (viewer, table):
        status = win.scheduler.status(node)
        assert status.state is NodeState.WARNING and "other data" in status.message
    assert win.scheduler.output(viewer, "Selected Images") is None
    assert win.scheduler.output(table, "Selected Data") is None
    assert view.list.selectionModel().selectedIndexes() == []  # nothing shown picked
    assert tview.table.selectionModel().selectedRows() == []
    assert wf.node(viewer).settings.selected == [1, 3]  # kept for the data it was made on

    wf.update_settings(imp.id, folder=str(first))  # back: restored exactly
    qtbot.waitUntil(lambda: win.scheduler.is_settled()
                    and len(win.scheduler.inputs(viewer)["Data"]) == 8, timeout=20_000)
    qtbot.wait(50)
    assert list(win.scheduler.output(viewer, "Selected Images").metas["image"]) == picked
    assert sorted(ix.row() for ix in view.list.selectionModel().selectedIndexes()) == [1, 3]
    assert len(tview.table.selectionModel().selectedRows()) == 1
