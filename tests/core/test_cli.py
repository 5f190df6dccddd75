"""`petriflow run` and `petriflow inspect` on small workflows (toy node registry)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from petriflow import cli
from petriflow.core import registry as registry_module
from petriflow.core.ows import save_workflow
from petriflow.core.workflow import Workflow

from . import toy_nodes as toy


@pytest.fixture
def toy_registry(monkeypatch):
    monkeypatch.setattr(registry_module, "_default", toy.full_registry())


@pytest.fixture
def example(tmp_path, toy_registry):
    wf = Workflow(title="example")
    src = wf.add_node(toy.TableSource, title="Table Source")
    dist = wf.add_node(toy.ToDistances, title="Distances")
    num = wf.add_node(toy.Source, title="Number")
    add = wf.add_node(toy.AddOne, title="Add.One")
    wf.add_link(src.id, "Data", dist.id, "Data")
    wf.add_link(num.id, "Number", add.id, "Number")
    path = tmp_path / "example.ows"
    save_workflow(wf, path)
    return path


def test_run_writes_report_and_outputs(example, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli.main(["run", str(example), "--out", str(out)]) == 0
    report = json.loads((out / "run.json").read_text())
    assert report["ok"] is True
    nodes = {n["title"]: n for n in report["nodes"]}
    assert set(nodes) == {"Table Source", "Distances", "Number", "Add.One"}
    data = nodes["Table Source"]["outputs"]["Data"]
    assert data["kind"] == "table" and data["shape"] == [4, 2]
    lines = (out / data["file"]).read_text().splitlines()
    assert lines[0] == "a,b,class,label"
    assert lines[1] == "0.0,1.0,y,toy0"
    dist = nodes["Distances"]["outputs"]["Distances"]
    matrix = np.load(out / dist["file"])
    assert matrix.shape == (4, 4) and matrix[0, 1] == pytest.approx(np.sqrt(8))
    assert nodes["Add.One"]["state"] == "done"
    assert nodes["Add.One"]["outputs"]["Number"]["kind"] == "int"
    assert "done" in capsys.readouterr().err


def test_set_overrides_by_title_and_id_with_json_or_text(example, tmp_path):
    out = tmp_path / "out"
    code = cli.main(["run", str(example), "--quiet", "--out", str(out),
                     "--set", "Table Source.n=6", "--set", "Table Source.label=cell",
                     "--set", "3.amount=5"])
    assert code == 0
    report = json.loads((out / "run.json").read_text())
    nodes = {n["title"]: n for n in report["nodes"]}
    assert nodes["Table Source"]["outputs"]["Data"]["shape"] == [6, 2]
    csv_text = (out / nodes["Table Source"]["outputs"]["Data"]["file"]).read_text()
    assert "cell5" in csv_text
    # the file itself is unchanged by --set
    assert "'n': 4" in example.read_text()


@pytest.mark.parametrize(("override", "message"), [
    ("Nobody.n=3", "no node with id or title 'Nobody'"),
    ("Table Source.size=3", "unknown setting 'size'; known settings: label, n"),
    ("Table Source.n=three", "expects an integer"),
    ("Table Source", "expected NODE.SETTING=VALUE"),
])
def test_bad_overrides_exit_2_with_a_message(example, capsys, override, message):
    assert cli.main(["run", str(example), "--set", override]) == 2
    assert message in capsys.readouterr().err


def test_failed_node_gives_exit_1_and_one_line_per_failure(example, tmp_path, capsys):
    out = tmp_path / "out"
    code = cli.main(["run", str(example), "--quiet", "--set", "Table Source.n=-1",
                     "--out", str(out)])
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["Table Source: n must not be negative"]
    report = json.loads((out / "run.json").read_text())
    states = {n["title"]: n["state"] for n in report["nodes"]}
    assert states == {"Table Source": "error", "Distances": "idle", "Number": "done",
                      "Add.One": "done"}
    assert report["ok"] is False


def test_run_on_unreadable_file_exits_2(tmp_path, capsys):
    bad = tmp_path / "bad.ows"
    bad.write_text("<html/>")
    assert cli.main(["run", str(bad)]) == 2
    assert "expected <scheme>" in capsys.readouterr().err
    assert cli.main(["run", str(tmp_path / "missing.ows")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_inspect_prints_json(example, capsys):
    assert cli.main(["inspect", str(example)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [n["title"] for n in doc["nodes"]] == ["Table Source", "Distances", "Number",
                                                  "Add.One"]
    assert doc["nodes"][0]["settings"] == {"n": 4, "label": "toy"}
    assert doc["nodes"][0]["known"] is True
    assert doc["links"][0] == {"id": "0", "source": "0", "source_channel": "Data", "sink": "1",
                               "sink_channel": "Data", "enabled": True}
    assert doc["warnings"] == []


class FakeTerminal:
    def __init__(self):
        self.chunks = []

    def isatty(self):
        return True

    def write(self, text):
        self.chunks.append(text)

    def flush(self):
        pass


def test_console_reporter_draws_progress_bars_on_a_terminal():
    from petriflow.commands.run import ConsoleReporter, run_workflow

    wf = Workflow()
    s = wf.add_node(toy.Source, title="S")
    a = wf.add_node(toy.AddOne, title="Slow add", settings=toy.AddOne.Settings(delay=0.6))
    wf.add_link(s.id, "Number", a.id, "Number")
    term = FakeTerminal()
    _, settled = run_workflow(wf, timeout=10, reporter=ConsoleReporter(wf, term))
    assert settled
    text = "".join(term.chunks)
    assert "\r\033[K" in text
    assert "Slow add [" in text and "%" in text
    assert "Slow add: done in" in text
