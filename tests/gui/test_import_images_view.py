"""Import Images tells the count (issue 14.10): a README is a grey note naming the file
in the view, the canvas keeps "N images, K classes", and the progress bar is never a
full "done" before a folder is chosen."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from petriflow.core.scheduler import NodeState


def _png(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (10, 20, 30)).save(path)


def test_readme_is_a_note_and_the_count_stays(window, qtbot, tmp_path) -> None:
    folder = tmp_path / "set"
    for i in range(3):
        _png(folder / "cats" / f"c{i}.png")
    _png(folder / "dogs" / "d0.png")
    (folder / "README.txt").write_text("where these images come from")
    nid = window.add_node("petriflow.import_images")
    view = window.open_node(nid)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: window.scheduler.status(nid).state == NodeState.WARNING,
                    timeout=5_000)  # "No folder chosen."
    assert view.progress.value() == 0 and view.progress.format() != "done"
    window.scheduler.invalidate(nid)  # even while it (re)runs on no folder
    # no folder yet: an empty bar that asks for one, not a full "done"
    assert view.progress.value() == 0 and view.progress.format() != "done"
    assert "folder" in view.progress.format().lower()

    edit = view.folder_combo.lineEdit()
    edit.selectAll()
    QTest.keyClicks(edit, str(folder))
    QTest.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.scheduler.status(nid).state == NodeState.DONE,
                    timeout=10_000)
    qtbot.waitUntil(lambda: "README.txt" in view.note_label.text(), timeout=2_000)
    assert view.skipped_label.text() == ""  # no warning
    assert view.progress.value() == 100 and view.progress.format() == "done"
    item = window.scene.node_items[nid]
    qtbot.waitUntil(lambda: item.message_item.text() == "4 images, 2 classes",
                    timeout=2_000)
    assert not item.warning_badge.isVisible()
