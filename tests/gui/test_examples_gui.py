"""Examples open as untitled copies; Open Recent lists each file once, with its folder
(issue 14.5 and 14.12).

The shipped examples are read from the package (here: the checkout's ``workflows/``,
which is what an editable install ships); saving never writes there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PyQt6.QtWidgets import QFileDialog

from petriflow.bundled import examples_dir, find_example, list_examples
from petriflow.core.ows import load_workflow
from petriflow.core.registry import default_registry


@pytest.fixture
def paused_window(make_window):
    """A window on the real nodes, paused: examples open without running the embedder."""
    win = make_window(reg=default_registry())
    win.pause_action.setChecked(True)
    win.toggle_pause()
    return win


@pytest.fixture
def save_dialog(monkeypatch):
    """Answers the Save dialog with ``answer[0]`` and records where it started."""
    answer: list[str] = [""]
    asked: list[str] = []

    def fake(parent, caption, start, filters):
        asked.append(start)
        return answer[0], filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(fake))
    return answer, asked


def test_file_examples_lists_the_bundled_examples_and_opens_a_copy(paused_window):
    win = paused_window
    win._fill_examples()
    actions = win.examples_menu.actions()
    assert [a.text() for a in actions] == [e.title for e in list_examples()]
    assert "SqueezeNet" in actions[[a.text() for a in actions].index("Image clustering")].toolTip()
    actions[[a.text() for a in actions].index("Image clustering")].trigger()
    assert win.workflow.path is None
    assert len(win.workflow.nodes) == 7
    assert win.windowTitle().startswith("image-clustering (example, untitled)")


def test_example_copy_reads_its_images_from_the_package(paused_window):
    win = paused_window
    example = find_example("image-clustering")
    assert win.open_example(example.path)
    folder = Path(win.workflow.find_node("Import Images").settings.folder)
    assert folder == (example.path.parent / "data" / "textures").resolve()
    assert not win.is_modified()  # nothing to save: closing does not ask
    assert win.recent_files() == []  # examples are listed under File > Examples


def test_save_of_an_example_asks_where_and_never_touches_the_shipped_file(
        paused_window, save_dialog, tmp_path):
    win = paused_window
    answer, asked = save_dialog
    example = find_example("image-classification")
    shipped = {p: p.read_bytes() for p in examples_dir().glob("*.ows")}
    mtimes = {p: p.stat().st_mtime_ns for p in shipped}
    assert win.open_example(example.path)
    win.scene.create_text_annotation(win.view.center_scene_pos(), "my note")  # an edit
    assert win.is_modified()

    answer[0] = ""  # the user cancels the dialog: nothing is written
    assert not win.save()
    assert asked and Path(asked[-1]).name == "image-classification.ows"
    assert Path(asked[-1]).parent != example.path.parent

    target = tmp_path / "mine" / "classification"
    target.parent.mkdir()
    answer[0] = str(target)
    assert win.save()
    saved = target.with_suffix(".ows")
    assert win.workflow.path == saved.resolve() and not win.is_modified()
    assert win.windowTitle().startswith("classification.ows")
    reopened = load_workflow(saved)
    assert Path(reopened.find_node("Import Images").settings.folder).is_dir()
    assert {p: p.read_bytes() for p in shipped} == shipped
    assert {p: p.stat().st_mtime_ns for p in shipped} == mtimes
    assert not list(examples_dir().glob("*.bak"))


def test_opening_the_shipped_file_directly_gives_an_untitled_copy(paused_window, save_dialog):
    """File > Open into the examples folder, a drop, the command line: same as Examples."""
    win = paused_window
    _answer, asked = save_dialog  # the default answer: the user cancels
    path = find_example("image-clustering").path
    before = path.read_bytes()
    assert win.open_file(path, ask=False, offer_recovery=False)
    assert win.workflow.path is None
    win.scene.create_text_annotation(win.view.center_scene_pos(), "note")
    assert not win.save()  # the dialog was cancelled
    assert len(asked) == 1
    assert path.read_bytes() == before


def test_open_recent_lists_each_file_once_with_its_folder(paused_window, tmp_path):
    win = paused_window
    first, second = tmp_path / "one", tmp_path / "two"
    for folder in (first, second):
        folder.mkdir()
        (folder / "study.ows").write_bytes(find_example("image-clustering").path.read_bytes())
    (tmp_path / "link").symlink_to(first, target_is_directory=True)
    spellings = [first / "study.ows", tmp_path / "link" / "study.ows",
                 first / ".." / "one" / "study.ows", second / "study.ows", first / "study.ows"]
    win.data_dir.mkdir(parents=True, exist_ok=True)
    (win.data_dir / "recent.json").write_text(json.dumps([str(p) for p in spellings]))

    assert win.recent_files() == [(first / "study.ows").resolve(),
                                  (second / "study.ows").resolve()]
    win._fill_recent()
    texts = [a.text() for a in win.recent_menu.actions()]
    assert len(texts) == 2
    assert texts[0].startswith("study.ows") and str(first.resolve()) in texts[0]
    assert texts[1].startswith("study.ows") and str(second.resolve()) in texts[1]

    assert win.open_file(second / "study.ows", ask=False, offer_recovery=False)
    win._fill_recent()
    texts = [a.text() for a in win.recent_menu.actions()]
    assert len(texts) == 2 and str(second.resolve()) in texts[0]


def test_recent_folder_label_uses_tilde_for_home():
    from petriflow.gui.menus import folder_label

    assert folder_label(Path.home() / "work" / "a.ows") == str(Path("~") / "work")
    assert folder_label(Path("/srv/data/a.ows")) == "/srv/data"
