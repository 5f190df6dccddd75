"""Issue 7: workflow files are untrusted. Fuzz the .ows reader over mutated real files
(Orange's from ../shared/reference/ows when present, and our own workflows/*.ows):
each mutation either loads — and then saves again — or raises WorkflowFormatError with
a message; nothing else escapes. Plus the file-borne paths: a hostile workflow cannot
make Save Data or ``petriflow run --out`` write outside what the user chose, and a
failed open leaves the canvas as it was.

Time bound: hypothesis runs at most ``MAX_EXAMPLES`` per test with no deadline; the whole
module takes well under a minute on the 2-core CI machine.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petriflow.core.ows import (
    WorkflowFormatError,
    load_workflow,
    parse_workflow,
    save_workflow,
    workflow_to_bytes,
)
from petriflow.core.registry import default_registry
from petriflow.core.table import Table
from petriflow.core.workflow import Workflow
from petriflow.nodes.save_data import SaveData

REPO = Path(__file__).resolve().parents[2]
SHARED_OWS = Path(os.environ.get("PETRIFLOW_SHARED_OWS",
                                 REPO.parent / "shared" / "reference" / "ows"))
FILES = sorted(REPO.glob("workflows/*.ows")) + (
    sorted(SHARED_OWS.glob("*.ows")) if SHARED_OWS.is_dir() else [])
CORPUS = {p.name: p.read_bytes() for p in FILES}
#: CI runs a fixed, repeatable sample; a longer random hunt:
#: PETRIFLOW_FUZZ_EXAMPLES=3000 pytest tests/robustness/test_ows_fuzz.py
MAX_EXAMPLES = int(os.environ.get("PETRIFLOW_FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=MAX_EXAMPLES, deadline=None,
                derandomize="PETRIFLOW_FUZZ_EXAMPLES" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
REGISTRY = default_registry()


def _check(data: bytes, source: str) -> None:
    """The property: loads (and round-trips) or fails with one clear message."""
    try:
        wf = parse_workflow(data, registry=REGISTRY, source=source)
    except WorkflowFormatError as exc:
        message = str(exc)
        assert message.strip() and "Traceback" not in message
        assert source in message  # says which file
        return
    again = parse_workflow(workflow_to_bytes(wf), registry=REGISTRY, source=source)
    assert len(again.nodes) == len(wf.nodes)
    assert workflow_to_bytes(again) == workflow_to_bytes(wf)  # deterministic


def test_there_is_something_to_fuzz():
    assert any(name.startswith("image-") for name in CORPUS), "workflows/*.ows missing"
    if not SHARED_OWS.is_dir():
        pytest.skip(f"{SHARED_OWS} absent: fuzzing our own workflows only")
    assert len(CORPUS) >= 10


def test_every_unmutated_file_loads():
    for name, data in CORPUS.items():
        _check(data, name)


names = st.sampled_from(sorted(CORPUS))


@FUZZ
@given(name=names, data=st.data())
def test_byte_mutations(name: str, data):
    """Flip, delete, duplicate and truncate byte ranges."""
    buf = bytearray(CORPUS[name])
    for _ in range(data.draw(st.integers(1, 6))):
        if not buf:
            break
        op = data.draw(st.sampled_from(["set", "delete", "duplicate", "truncate", "insert"]))
        i = data.draw(st.integers(0, len(buf) - 1))
        n = data.draw(st.integers(1, 64))
        if op == "set":
            buf[i] = data.draw(st.integers(0, 255))
        elif op == "delete":
            del buf[i:i + n]
        elif op == "duplicate":
            buf[i:i] = buf[i:i + n]
        elif op == "truncate":
            del buf[i:]
        else:
            buf[i:i] = data.draw(st.binary(min_size=1, max_size=32))
    _check(bytes(buf), name)


HOSTILE_TEXT = st.sampled_from([
    "", "0", "-1", "1e309", "nan", "None", "[]", "{}", "{'a': " * 50 + "1" + "}" * 50,
    "__import__('os').system('touch /tmp/pwned')", "().__class__.__bases__[0]",
    "cos\nsystem\n(S'touch /tmp/pwned'\ntR.", "\x00\x01\x02", "../../../../etc/passwd",
    "é" * 1000, "<![CDATA[x]]>", "&amp;&lt;", "{" * 5000, "(" * 5000,
    '{"folder": "/"}', "{'path': '/root/.bashrc'}", "\udcff".encode("utf-8", "surrogatepass")
    .decode("utf-8", "replace"),
])


@FUZZ
@given(name=names, data=st.data())
def test_xml_aware_mutations(name: str, data):
    """Change attribute values and element text (properties, positions, ids), drop or
    repeat elements: the damage is in the structure a byte flip rarely reaches."""
    text = CORPUS[name].decode("utf-8", "replace")
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["attr", "text", "drop", "repeat"]))
        if op == "attr":
            attrs = list(re.finditer(r'(\w+)="([^"]*)"', text))
            if attrs:
                m = data.draw(st.sampled_from(attrs))
                value = data.draw(HOSTILE_TEXT).replace('"', "&quot;").replace("<", "&lt;")
                text = text[:m.start(2)] + value + text[m.end(2):]
        elif op == "text":
            bodies = list(re.finditer(r">([^<]+)<", text))
            if bodies:
                m = data.draw(st.sampled_from(bodies))
                value = data.draw(HOSTILE_TEXT).replace("&", "&amp;").replace("<", "&lt;")
                text = text[:m.start(1)] + value + text[m.end(1):]
        else:
            elems = list(re.finditer(r"<(node|link|properties|annotation|text|arrow)\b[^>]*?"
                                     r"(?:/>|>.*?</\1>)", text, re.S))
            if elems:
                m = data.draw(st.sampled_from(elems))
                piece = m.group(0)
                text = text[:m.start()] + ("" if op == "drop" else piece * 3) + text[m.end():]
    _check(text.encode("utf-8", "surrogatepass"), name)


def test_entity_expansion_and_external_entities_are_refused(tmp_path: Path):
    laughs = ('<?xml version="1.0"?><!DOCTYPE scheme [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">'
                        for p, c in zip("abcdefgh", "bcdefghi", strict=True))
              + ']><scheme version="2.0"><nodes/><links/><annotations title="&i;"/></scheme>')
    external = ('<?xml version="1.0"?><!DOCTYPE scheme [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                '<scheme version="2.0" title="&x;"><nodes/><links/></scheme>')
    for text in (laughs, external):
        with pytest.raises(WorkflowFormatError, match="refused"):
            parse_workflow(text.encode(), registry=REGISTRY, source="hostile.ows")


# ----------------------------------------------------------------------------- paths
def _table() -> Table:
    return Table.from_arrays(np.ones((2, 1), np.float32), ["a"])


def _run_save(path: str, workflow_dir: Path):
    from petriflow.core.node import CancelToken, NodeContext, Progress

    node = SaveData(SaveData.Settings(path=path), NodeContext(workflow_dir=workflow_dir))
    return node.run({"Data": _table()}, Progress(), CancelToken())


@pytest.mark.parametrize("hostile", [
    "../outside.csv", "sub/../../outside.csv", "../../../../../../tmp/outside.csv",
])
def test_save_data_relative_path_cannot_leave_the_workflow_folder(tmp_path: Path, hostile):
    from petriflow.core.node import NodeError

    home = tmp_path / "mail" / "attachment"
    home.mkdir(parents=True)
    with pytest.raises(NodeError, match="outside the workflow's folder"):
        _run_save(hostile, home)
    assert not (tmp_path / "mail" / "outside.csv").exists()
    (home / "results").mkdir(exist_ok=True)
    _run_save("results/../ok.csv", home)  # inside is fine
    assert (home / "ok.csv").is_file()


@pytest.mark.parametrize("name", [".bashrc", "evil.py", "autostart.desktop", "noext",
                                  "authorized_keys", "x.csv.sh", "run.bat"])
def test_save_data_never_writes_non_table_files(tmp_path: Path, name):
    from petriflow.core.node import NodeError

    target = tmp_path / name
    target.write_text("precious\n")
    with pytest.raises(NodeError, match="only table formats"):
        _run_save(str(target), tmp_path)
    assert target.read_text() == "precious\n"


def test_hostile_workflow_through_petriflow_run(tmp_path: Path, capsys):
    """A mailed workflow whose Save Data aims at ../../.bashrc and whose node titles are
    paths: `petriflow run --out` writes only inside --out, Save Data writes nothing."""
    from petriflow import cli
    from petriflow.nodes.distances import Distances
    from petriflow.nodes.import_images import ImportImages

    victim = tmp_path / ".bashrc"
    victim.write_text("precious\n")
    mail = tmp_path / "mail" / "x"
    mail.mkdir(parents=True)
    wf = Workflow()
    imp = wf.add_node(ImportImages, title="../../../evil")
    wf.update_settings(imp.id, folder=str(REPO / "tests" / "no-such-folder"))
    wf.add_node(Distances, title="/etc/passwd")
    save = wf.add_node(SaveData, title="..")
    wf.update_settings(save.id, path="../../.bashrc")
    path = mail / "hostile.ows"
    save_workflow(wf, path)
    out = tmp_path / "out"
    before = sorted(p for p in tmp_path.rglob("*"))
    code = cli.main(["run", str(path), "--quiet", "--out", str(out)])
    assert code == 1  # Import Images fails: no such folder
    assert victim.read_text() == "precious\n"
    after = sorted(p for p in tmp_path.rglob("*"))
    new = [p for p in after if p not in before]
    assert new and all(p == out or out in p.parents for p in new), new
    capsys.readouterr()


def test_hostile_save_path_in_a_loaded_file_is_refused(tmp_path: Path):
    """The same refusal when the setting comes from a file (relative to its folder)."""
    from petriflow.core.scheduler import NodeState, Scheduler
    from tests.core.toy_nodes import TableSource, full_registry

    reg = full_registry()
    reg.register(SaveData)
    wf = Workflow()
    src = wf.add_node(TableSource)
    save = wf.add_node(SaveData)
    wf.update_settings(save.id, path="../escaped.csv")
    wf.add_link(src.id, wf.node(src.id).node_type.outputs[0].name, save.id, "Data")
    folder = tmp_path / "w"
    folder.mkdir()
    save_workflow(wf, folder / "w.ows")
    loaded = load_workflow(folder / "w.ows", registry=reg)
    with Scheduler(loaded) as sch:
        assert sch.wait(20)
        status = sch.status(save.id)
    assert status.state is NodeState.ERROR and "outside the workflow's folder" in status.message
    assert not (tmp_path / "escaped.csv").exists()


def test_failed_open_leaves_the_canvas_unchanged(qtbot, tmp_path: Path):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import QPointF

    from petriflow.gui.mainwindow import MainWindow
    from tests.core.toy_nodes import full_registry

    window = MainWindow(registry=full_registry(), data_dir=tmp_path / "data")
    errors: list[tuple[str, str]] = []
    window.show_error = lambda title, text: errors.append((title, text))
    window.ask_save_changes = lambda: "discard"
    qtbot.addWidget(window)
    window.add_node("tests.source", QPointF(0, 0))
    window.add_node("tests.add", QPointF(200, 0))
    before = workflow_to_bytes(window.workflow)
    bad = [("truncated.ows", before[: len(before) // 2]),
           ("laughs.ows", b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "x">]><scheme/>'),
           ("notes.ows", b"just some text"),
           ("empty.ows", b"")]
    for name, data in bad:
        (tmp_path / name).write_bytes(data)
        assert not window.open_file(tmp_path / name, ask=False)
        assert workflow_to_bytes(window.workflow) == before
        assert len(window.scene.node_items) == 2
    assert [t for t, _ in errors] == ["Cannot open workflow"] * len(bad)
    assert all(name in text for (name, _), (_, text) in zip(bad, errors, strict=True))
    assert all("\n" not in text and "Traceback" not in text for _, text in errors)


@pytest.mark.parametrize("size", ["1e309", "-1e309", "nan", "1e9", "0", "abc"])
def test_hostile_font_size_is_ignored(size: str):
    """Found by the fuzzer: font-size="1e309" raised OverflowError out of the reader."""
    text = (f'<?xml version="1.0"?><scheme version="2.0"><nodes/><links/><annotations>'
            f'<text id="0" rect="(0, 0, 50, 20)" font-family="Sans" font-size="{size}">'
            f'hi</text></annotations></scheme>')
    wf = parse_workflow(text.encode(), registry=REGISTRY, source="font.ows")
    (ann,) = wf.annotations
    assert "size" not in ann.font


def test_a_file_cannot_choose_a_remote_dask_scheduler(tmp_path: Path):
    """Dask speaks pickle: a mailed workflow naming tcp://attacker:8786 would hand that
    machine code execution here. The address is dropped on load (with a warning);
    "local" stays; --cluster given by the user still applies."""
    from petriflow.commands.run import apply_cluster
    from petriflow.nodes.image_embedder import ImageEmbedder

    wf = Workflow()
    remote = wf.add_node(ImageEmbedder, title="Remote")
    wf.update_settings(remote.id, cluster="tcp://203.0.113.9:8786")
    local = wf.add_node(ImageEmbedder, title="Local")
    wf.update_settings(local.id, cluster="local")
    path = tmp_path / "w.ows"
    save_workflow(wf, path)
    loaded = load_workflow(path)
    assert loaded.node(remote.id).settings.cluster == ""
    assert loaded.node(local.id).settings.cluster == "local"
    assert any("203.0.113.9" in w and "ignored" in w for w in loaded.load_warnings)
    assert apply_cluster(loaded, "tcp://10.0.0.5:8786") == 2  # the user's own choice
    assert loaded.node(remote.id).settings.cluster == "tcp://10.0.0.5:8786"
