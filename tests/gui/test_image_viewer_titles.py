"""The Image Viewer's default title is the image name, its class shown by the title's
colour with a legend (issue 14.11)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PyQt6.QtCore import Qt

from petriflow.core.registry import default_registry
from petriflow.gui.views._common import class_colors


def _png(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (10, 20, 30)).save(path)


def test_titles_are_image_names_coloured_by_class(make_window, qtbot, tmp_path) -> None:
    for name in ("a0", "a1"):
        _png(tmp_path / "set" / "cats" / f"{name}.png")
    _png(tmp_path / "set" / "dogs" / "b0.png")
    window = make_window(reg=default_registry())
    imp = window.add_node("petriflow.import_images")
    viewer = window.add_node("petriflow.image_viewer")
    window.workflow.update_settings(imp, folder=str(tmp_path / "set"))
    window.workflow.add_link(imp, "Data", viewer, "Data")
    qtbot.waitUntil(lambda: window.scheduler.inputs(viewer).get("Data") is not None,
                    timeout=10_000)
    view = window.open_node(viewer)
    qtbot.waitUntil(lambda: view.model.rowCount() == 3, timeout=5_000)
    assert view.model.titles == ["a0", "a1", "b0"]
    cats, dogs = class_colors(2)
    brushes = [view.model.data(view.model.index(r), Qt.ItemDataRole.ForegroundRole)
               for r in range(3)]
    assert [b.color().name() for b in brushes] == [cats.name(), cats.name(), dogs.name()]
    assert view.legend.entries == ["cats", "dogs"]
    assert "colour" in view.title_combo.itemText(0)
    # the class can still be the title, chosen in the combo
    i = view.title_combo.findData(window.scheduler.inputs(viewer)["Data"].class_name)
    view.title_combo.setCurrentIndex(i)
    view.title_combo.activated.emit(i)
    qtbot.waitUntil(lambda: view.model.titles == ["cats", "cats", "dogs"], timeout=5_000)
