"""Issue 7, errors: a failing node shows a sentence on its badge, the rest of the
workflow goes on, the full traceback goes to the rotating log file (never a dialog),
and `petriflow run` says where that file is."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from petriflow.core import logs
from petriflow.core.ows import save_workflow
from petriflow.core.scheduler import NodeState, Scheduler
from petriflow.core.workflow import Workflow
from petriflow.nodes.import_images import ImportImages
from tests.core.toy_nodes import AddOne, Crash, Source

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def log_dir(tmp_path: Path):
    """Logging set up into a temp folder for the test, detached afterwards."""
    folder = tmp_path / "logs"
    path = logs.setup_logging(folder)
    assert path == folder / "petriflow.log" and logs.log_file() == path
    yield folder
    logs.shutdown_logging()
    assert logs.log_file() is None


def _log_text(folder: Path) -> str:
    for h in logging.getLogger().handlers:
        h.flush()
    return (folder / "petriflow.log").read_text(encoding="utf-8")


def test_crashing_node_badge_message_log_traceback_and_the_rest_goes_on(log_dir: Path):
    wf = Workflow()
    s = wf.add_node(Source, title="Numbers", settings=Source.Settings(value=3))
    crash = wf.add_node(Crash, title="Fragile step")
    after = wf.add_node(AddOne, title="After the crash")
    other = wf.add_node(AddOne, title="Other branch")
    wf.add_link(s.id, "Number", crash.id, "Number")
    wf.add_link(crash.id, "Number", after.id, "Number")
    wf.add_link(s.id, "Number", other.id, "Number")
    with Scheduler(wf) as sch:
        assert sch.wait(20)
        status = sch.status(crash.id)
        assert status.state is NodeState.ERROR
        # a sentence for the badge, not a traceback
        assert status.message == "ZeroDivisionError: division by zero"
        assert "Traceback" not in status.message and "\n" not in status.message
        assert sch.output(other.id, "Number") == 4  # the rest goes on
        assert sch.status(after.id).state is NodeState.IDLE  # waits, does not fail
    text = _log_text(log_dir)
    assert "node Fragile step failed" in text
    assert "Traceback (most recent call last)" in text and "ZeroDivisionError" in text
    assert "toy_nodes.py" in text  # the frame that raised is there for a bug report


def test_uncaught_exceptions_are_logged_not_fatal(log_dir: Path, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    notes: list[str] = []
    logs.install_excepthooks(notify=notes.append)

    def worker() -> None:
        raise RuntimeError("worker exploded")

    t = threading.Thread(target=worker, name="petriflow-test-worker")
    t.start()
    t.join()
    try:
        raise ValueError("slot exploded")
    except ValueError:
        sys.excepthook(*sys.exc_info())
    text = _log_text(log_dir)
    assert "uncaught exception in petriflow-test-worker" in text
    assert "RuntimeError: worker exploded" in text and "ValueError: slot exploded" in text
    assert len(notes) == 2 and all(str(log_dir / "petriflow.log") in n for n in notes)
    assert notes[0].startswith("Internal error: RuntimeError: worker exploded")


def test_unwritable_log_folder_means_no_log_not_a_failure(tmp_path: Path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert logs.setup_logging(blocker / "logs") is None
    assert logs.log_file() is None


def test_log_file_rotates(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    folder = tmp_path / "logs"
    logs.setup_logging(folder)
    try:
        log = logging.getLogger("petriflow.test")
        for i in range(200):
            log.warning("line %d %s", i, "x" * 40)
    finally:
        logs.shutdown_logging()
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["petriflow.log", "petriflow.log.1", "petriflow.log.2", "petriflow.log.3"]
    assert all(p.stat().st_size <= 2100 for p in folder.iterdir())


def test_petriflow_run_says_where_the_log_is(tmp_path: Path, monkeypatch, capsys):
    from petriflow import cli
    from petriflow.core import registry as registry_module
    from tests.core.toy_nodes import full_registry

    monkeypatch.setattr(registry_module, "_default", full_registry())
    monkeypatch.setenv("PETRIFLOW_LOG_DIR", str(tmp_path / "logs"))
    wf = Workflow()
    s = wf.add_node(Source, title="Numbers")
    c = wf.add_node(Crash, title="Fragile step")
    wf.add_link(s.id, "Number", c.id, "Number")
    path = tmp_path / "w.ows"
    save_workflow(wf, path)
    try:
        assert cli.main(["run", str(path), "--quiet"]) == 1
    finally:
        logs.shutdown_logging()
    err = capsys.readouterr().err.strip().splitlines()
    log = tmp_path / "logs" / "petriflow.log"
    assert err == ["Fragile step: ZeroDivisionError: division by zero",
                   f"petriflow run: details (tracebacks) are in {log}"]
    assert "Traceback" in log.read_text(encoding="utf-8")


def test_petriflow_run_node_error_needs_no_log_pointer(tmp_path: Path):
    """A NodeError is a complete sentence: no traceback, so no pointer to the log."""
    wf = Workflow()
    node = wf.add_node(ImportImages, title="Import Images")
    wf.update_settings(node.id, folder=str(tmp_path / "no such folder"))
    path = tmp_path / "w.ows"
    save_workflow(wf, path)
    env = dict(os.environ, PETRIFLOW_LOG_DIR=str(tmp_path / "logs"),
               PYTHONPATH=str(REPO / "src"))
    proc = subprocess.run([sys.executable, "-m", "petriflow", "run", str(path), "--quiet"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "does not exist" in proc.stderr
    assert "Traceback" not in proc.stderr and "petriflow.log" not in proc.stderr


def test_gui_error_badge_status_bar_and_about(qtbot, tmp_path: Path, monkeypatch):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtWidgets import QMessageBox

    from petriflow.gui.mainwindow import MainWindow
    from tests.core.toy_nodes import full_registry

    dialogs: list[str] = []
    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name,
                            lambda *a, _n=name, **k: dialogs.append(_n))
    folder = tmp_path / "logs"
    logs.setup_logging(folder)
    try:
        window = MainWindow(registry=full_registry(), data_dir=tmp_path / "data")
        window.ask_save_changes = lambda: "discard"
        qtbot.addWidget(window)
        src = window.add_node("tests.source")
        crash = window.add_node("tests.crash")
        window.scene.try_link(src, crash)
        qtbot.waitUntil(lambda: window.scheduler.status(crash).state is NodeState.ERROR,
                        timeout=10_000)
        item = window.scene.node_items[crash]
        qtbot.waitUntil(lambda: item.error_badge.isVisible(), timeout=5000)
        assert item.error_badge.toolTip() == "ZeroDivisionError: division by zero"
        assert "ZeroDivisionError: division by zero" in window.describe_status(crash)
        assert "Traceback" in _log_text(folder)
        window.internal_error.emit("Internal error: boom; details in the log")
        assert window.statusBar().currentMessage() == "Internal error: boom; details in the log"
        assert str(folder / "petriflow.log") in window.about_text()
        assert dialogs == []  # nothing modal on a node failure
    finally:
        logs.shutdown_logging()
