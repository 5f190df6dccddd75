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


def test_the_choose_a_folder_bar_opens_the_folder_dialog(window, qtbot, tmp_path,
                                                         monkeypatch) -> None:
    """Before a folder is chosen the bar reads "Choose a folder of images" and looks like
    a button; a click there did nothing. It opens the folder dialog (patched at its static
    call: the real one blocks), as Browse… does; once a folder is read, a click on the bar
    opens nothing."""
    from PyQt6.QtWidgets import QFileDialog

    folder = tmp_path / "set"
    _png(folder / "a.png")
    asked: list[str] = []

    def dialog(parent, caption, start, *rest):
        asked.append(caption)
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", dialog)
    nid = window.add_node("petriflow.import_images")
    view = window.open_node(nid)
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: window.scheduler.status(nid).state == NodeState.WARNING,
                    timeout=5_000)
    assert "folder" in view.progress.format().lower()
    QTest.mouseClick(view.progress, Qt.MouseButton.LeftButton)
    assert asked == ["Image folder"]
    assert window.workflow.node(nid).settings.folder == str(folder)
    qtbot.waitUntil(lambda: window.scheduler.status(nid).state == NodeState.DONE,
                    timeout=10_000)
    QTest.mouseClick(view.progress, Qt.MouseButton.LeftButton)
    assert asked == ["Image folder"]  # a chosen folder: the bar is only a bar


def test_skipped_files_are_counted_once_above_their_list(window, qtbot, tmp_path) -> None:
    """A text file named .png: the amber line said "1 file skipped. Skipped 1 unreadable
    image(s) (notes.png)." above a list naming it again as "not an image file"."""
    folder = tmp_path / "set"
    _png(folder / "a.png")
    (folder / "notes.png").write_text("not a picture")
    nid = window.add_node("petriflow.import_images")
    view = window.open_node(nid)
    qtbot.waitExposed(view)
    edit = view.folder_combo.lineEdit()
    QTest.keyClicks(edit, str(folder))
    QTest.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.scheduler.status(nid).state == NodeState.WARNING,
                    timeout=10_000)
    qtbot.waitUntil(lambda: view.skipped_list.topLevelItemCount() == 1, timeout=2_000)
    assert view.skipped_list.topLevelItem(0).text(0) == "notes.png"
    assert view.skipped_label.text() == ("1 file skipped (unreadable); see why in the list "
                                         "below.")


def test_a_folder_that_does_not_exist_is_an_error_in_red(window, qtbot, tmp_path) -> None:
    """The error read in the amber of a skipped-file warning."""
    nid = window.add_node("petriflow.import_images")
    view = window.open_node(nid)
    qtbot.waitExposed(view)
    edit = view.folder_combo.lineEdit()
    QTest.keyClicks(edit, str(tmp_path / "nope"))
    QTest.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.scheduler.status(nid).state == NodeState.ERROR,
                    timeout=10_000)
    qtbot.waitUntil(lambda: "does not exist" in view.skipped_label.text(), timeout=2_000)
    assert "#b00020" in view.skipped_label.styleSheet()
    _png(tmp_path / "ok" / "a.png")
    (tmp_path / "ok" / "notes.png").write_text("text")
    edit.selectAll()
    QTest.keyClicks(edit, str(tmp_path / "ok"))
    QTest.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "skipped" in view.skipped_label.text(), timeout=10_000)
    assert "#a15c00" in view.skipped_label.styleSheet()
