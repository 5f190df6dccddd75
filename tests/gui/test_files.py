"""Files: save → reopen gives the same bytes, autosave recovery, --screenshot, start-up."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image
from PyQt6.QtCore import QPointF

from petriflow.core.ows import workflow_to_bytes
from petriflow.core.registry import default_registry
from petriflow.gui import undo as cmd

REPO = Path(__file__).resolve().parents[2]


def _build(window) -> None:
    src = window.add_node("tests.source", QPointF(0, 0))
    add = window.add_node("tests.add", QPointF(250, 10))
    window.scene.try_link(src, add)
    window.undo_stack.push(cmd.SettingsCommand(window.workflow, src, value=3))
    window.scene.create_text_annotation(QPointF(0, -100), "Numbers flow right")
    window.scene.create_arrow_annotation(QPointF(60, -60), QPointF(20, -20))


def test_save_and_reopen_gives_same_workflow(make_window, tmp_path) -> None:
    first = make_window()
    _build(first)
    a = tmp_path / "a.ows"
    assert first.save_as(a)
    second = make_window()
    assert second.open_file(a)
    assert [n.title for n in second.workflow.nodes] == ["Source", "Add"]
    assert len(second.scene.link_items) == 1 and len(second.scene.annotation_items) == 2
    b = tmp_path / "b.ows"
    assert second.save_as(b)
    assert a.read_bytes() == b.read_bytes()
    assert second.recent_files()[:2] == [b.resolve(), a.resolve()]


def test_example_workflow_round_trips_unchanged(make_window, tmp_path) -> None:
    window = make_window(reg=default_registry())
    window.pause_action.setChecked(True)  # open without running the embedder
    window.toggle_pause()
    # a copy: the shipped file itself opens as an untitled copy (tests/gui/test_examples_gui.py)
    example = tmp_path / "image-clustering.ows"
    shutil.copyfile(REPO / "workflows" / "image-clustering.ows", example)
    assert window.open_file(example)
    assert len(window.scene.node_items) == 7 and len(window.scene.link_items) == 7
    out = tmp_path / "copy.ows"
    assert window.save_as(out)
    assert out.read_bytes() == example.read_bytes()


def test_autosave_recovery_after_crash(make_window, tmp_path) -> None:
    data = tmp_path / "data"
    crashed = make_window(data_dir=data)
    _build(crashed)
    expected = workflow_to_bytes(crashed.workflow)
    assert crashed.autosave_now() is not None
    # the 'crashed' window never closes cleanly; a new session starts
    fresh = make_window(data_dir=data)
    offered = []
    fresh.ask_recover = lambda rec: offered.append(rec) or True
    assert fresh.offer_recovery()
    assert offered and offered[0].original is None
    assert workflow_to_bytes(fresh.workflow) == expected
    assert fresh.isWindowModified()
    assert len(fresh.scene.node_items) == 2


def test_autosave_of_saved_file_is_offered_when_newer(make_window, tmp_path) -> None:
    data = tmp_path / "data"
    path = tmp_path / "w.ows"
    first = make_window(data_dir=data)
    _build(first)
    first.save_as(path)
    first.add_node("tests.sum", QPointF(400, 0))
    first.autosave_now()
    second = make_window(data_dir=data)
    second.ask_recover = lambda rec: True
    assert second.open_file(path)
    assert [n.qualified_name for n in second.workflow.nodes][-1] == "tests.sum"
    assert second.workflow.path == path.resolve()
    # saving clears the autosave: nothing is offered next time
    assert second.save()
    third = make_window(data_dir=data)
    third.ask_recover = lambda rec: (_ for _ in ()).throw(AssertionError("offered"))
    assert third.open_file(path)


def test_unsaved_changes_prompt_can_cancel(window) -> None:
    window.add_node("tests.source", QPointF(0, 0))
    asked = []
    window.ask_save_changes = lambda: asked.append(1) or "cancel"
    window.new_workflow()
    assert asked and len(window.workflow.nodes) == 1
    window.ask_save_changes = lambda: "discard"
    window.new_workflow()
    assert window.workflow.nodes == []


def _tiny_images(folder: Path) -> None:
    for cls in ("a", "b"):
        (folder / cls).mkdir(parents=True)
        for i in range(2):
            arr = np.full((8, 8, 3), 60 * i + (100 if cls == "a" else 0), dtype=np.uint8)
            Image.fromarray(arr).save(folder / cls / f"{cls}{i}.png")


def test_screenshot_writes_canvas_and_one_image_per_node(tmp_path) -> None:
    _tiny_images(tmp_path / "imgs")
    wf = tmp_path / "tiny.ows"
    from petriflow.core.ows import save_workflow
    from petriflow.core.workflow import Workflow

    reg = default_registry()
    w = Workflow("tiny")
    imp = w.add_node(reg.get("petriflow.import_images"), position=(0, 0),
                     settings=reg.get("petriflow.import_images").Settings(folder="imgs"))
    table = w.add_node(reg.get("petriflow.data_table"), position=(200, 0))
    w.add_link(imp.id, "Data", table.id, "Data")
    save_workflow(w, wf)
    out = tmp_path / "shots"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "petriflow", str(wf), "--screenshot", str(out),
         "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in out.iterdir())
    assert names == ["Data Table.png", "Import Images.png", "canvas.png"]
    from PyQt6.QtGui import QImage

    canvas = QImage(str(out / "canvas.png"))
    assert canvas.width() >= 800 and canvas.height() >= 500


def test_startup_does_not_import_heavy_modules() -> None:
    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM']='offscreen'\n"
        "from PyQt6.QtWidgets import QApplication; app = QApplication([])\n"
        "from petriflow.gui.mainwindow import MainWindow\n"
        "import tempfile; w = MainWindow(data_dir=tempfile.mkdtemp()); w.show()\n"
        "w.scheduler.pause()\n"
        "heavy = [m for m in ('torch', 'torchvision', 'sklearn', 'matplotlib', 'scipy',"
        " 'pandas') if m in sys.modules]\n"
        "print(heavy); os._exit(1 if heavy else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_display_gives_a_clear_message_instead_of_a_qt_abort():

    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    proc = subprocess.run([sys.executable, "-m", "petriflow", "some.ows"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "no display found" in proc.stderr
    assert "petriflow run some.ows --out results/" in proc.stderr
