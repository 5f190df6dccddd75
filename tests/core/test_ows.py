"""Reading and writing .ows files: round trips, Orange files, hostile and broken input."""

from __future__ import annotations

import base64
import os
import pickle
import subprocess
import sys
from pathlib import Path

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
from petriflow.core.registry import NodeRegistry
from petriflow.core.workflow import ArrowAnnotation, TextAnnotation, Workflow

from . import toy_nodes as toy
from .toy_nodes import AddOne, Source, Sum

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "ows"
reference_files = sorted(REFERENCE.glob("*.ows")) if REFERENCE.is_dir() else []
needs_reference = pytest.mark.skipif(not reference_files, reason="../shared/reference absent")


def sample_workflow() -> Workflow:
    wf = Workflow(title="Toy & <friends>", description="line one\nline two")
    s = wf.add_node(Source, title="Source \"quoted\"", position=(10.5, -20.0),
                    settings=Source.Settings(value=7, delay=0.0))
    a = wf.add_node(AddOne, title="Add", position=(200, 30))
    total = wf.add_node(Sum, title="Σ total", settings=Sum.Settings(labels=["a", "b"]))
    wf.add_link(s.id, "Number", a.id, "Number")
    wf.add_link(a.id, "Number", total.id, "Numbers", enabled=False)
    wf.add_link(s.id, "Number", total.id, "Numbers")
    wf.add_annotation(TextAnnotation("", (1.0, 2.0, 300.0, 40.0), "Step 1 → embed",
                                     "text/plain", {"family": "Helvetica", "size": 14}))
    wf.add_annotation(ArrowAnnotation("", (0.0, 0.0), (50.0, 60.0), "#C1272D"))
    return wf


def test_round_trip_is_byte_identical_and_keeps_everything(tmp_path):
    path = tmp_path / "toy.ows"
    wf = sample_workflow()
    save_workflow(wf, path)
    first = path.read_bytes()
    loaded = load_workflow(path, registry=toy.registry())
    assert loaded.load_warnings == []
    save_workflow(loaded, tmp_path / "again.ows")
    assert (tmp_path / "again.ows").read_bytes() == first
    assert loaded.title == wf.title and loaded.description == wf.description
    assert [n.title for n in loaded.nodes] == [n.title for n in wf.nodes]
    assert loaded.node("0").settings == Source.Settings(value=7)
    assert loaded.node("0").position == (10.5, -20.0)
    assert loaded.node("2").settings.labels == ["a", "b"]
    assert [(lk.source_id, lk.sink_id, lk.enabled) for lk in loaded.links] == [
        ("0", "1", True), ("1", "2", False), ("0", "2", True)]
    assert isinstance(loaded.annotations[0], TextAnnotation)
    assert loaded.annotations[0].font == {"family": "Helvetica", "size": 14}
    assert isinstance(loaded.annotations[1], ArrowAnnotation)


def test_written_file_has_orange_layout(tmp_path):
    text = workflow_to_bytes(sample_workflow()).decode()
    assert text.startswith("<?xml version='1.0' encoding='utf-8'?>\n<scheme version=\"2.0\"")
    for tag in ("<nodes>", "<links>", "<annotations>", "<thumbnail />", "<node_properties>",
                "<session_state>"):
        assert tag in text
    assert 'format="literal">{\'value\': 7, \'delay\': 0.0, \'__version__\': 1}' in text


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "w.ows"
    save_workflow(sample_workflow(), path)
    original = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    wf = sample_workflow()
    wf.title = "changed"
    with pytest.raises(OSError, match="disk full"):
        save_workflow(wf, path)
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["w.ows"]


@needs_reference
@pytest.mark.parametrize("path", reference_files, ids=lambda p: p.name)
def test_reference_orange_files_load_and_round_trip(path):
    wf = load_workflow(path)
    assert wf.nodes
    data = workflow_to_bytes(wf)
    assert workflow_to_bytes(parse_workflow(data)) == data


@needs_reference
def test_unknown_widgets_keep_links_and_raw_properties():
    path = REFERENCE / "unknown-widgets_orange-hugo_620-text-clustering.ows"
    wf = load_workflow(path, registry=NodeRegistry())
    assert all(n.is_placeholder for n in wf.nodes)
    assert len(wf.links) == 5
    text = workflow_to_bytes(wf).decode()
    import defusedxml.ElementTree as DET

    def props(xml):
        root = DET.fromstring(xml.encode() if isinstance(xml, str) else xml)
        return {(p.get("node_id"), p.get("format")): p.text
                for p in root.find("node_properties")}

    assert props(text) == props(path.read_bytes())
    assert "orangecontrib.text.widgets.owcorpus.OWCorpus" in text
    assert any("kept as a placeholder" in w for w in wf.load_warnings)


def _pickle_that_creates(path: Path) -> str:
    class Evil:
        def __reduce__(self):
            return (open, (str(path), "w"))

    return base64.encodebytes(pickle.dumps({"x": Evil()}, protocol=4)).decode()


def hostile_ows(marker: Path, qualified_name: str) -> str:
    return f"""<?xml version='1.0' encoding='utf-8'?>
<scheme version="2.0" title="hostile" description="">
  <nodes>
    <node id="0" name="N" qualified_name="{qualified_name}" project_name="X" version=""
          title="N" position="(0, 0)" />
  </nodes>
  <links />
  <annotations />
  <node_properties>
    <properties node_id="0" format="pickle">{_pickle_that_creates(marker)}</properties>
  </node_properties>
</scheme>"""


@pytest.mark.parametrize("qualified_name", ["tests.source", "evil.widgets.Unknown"])
def test_hostile_pickle_is_never_unpickled(tmp_path, qualified_name):
    marker = tmp_path / "pwned.txt"
    # sanity: the payload really would create the file if unpickled
    probe = tmp_path / "probe.txt"
    pickle.loads(base64.decodebytes(_pickle_that_creates(probe).encode()))
    assert probe.exists()

    path = tmp_path / "hostile.ows"
    path.write_text(hostile_ows(marker, qualified_name))
    wf = load_workflow(path, registry=toy.registry())
    workflow_to_bytes(wf)
    assert not marker.exists()
    assert any("pickle" in w or "placeholder" in w for w in wf.load_warnings)
    # the command line (inspect + run) does not unpickle either
    for cmd in (["inspect", str(path)], ["run", str(path), "--quiet"]):
        proc = subprocess.run([sys.executable, "-m", "petriflow", *cmd],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
    assert not marker.exists()


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<scheme version="2.0" title="&lol3;"><nodes /></scheme>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE scheme [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<scheme version="2.0" title="&secret;"><nodes /></scheme>"""


@pytest.mark.parametrize(("content", "message"), [
    (BILLION_LAUGHS, "refused: the file uses XML entities or a DTD"),
    (EXTERNAL_ENTITY, "refused: the file uses XML entities or a DTD"),
    ("", "not valid XML"),
    ("not xml at all", "not valid XML"),
    ("<scheme version='2.0'><nodes>", "not valid XML"),
    ("<html></html>", "root element is <html>, expected <scheme>"),
    ("<scheme><widgets/></scheme>", "Orange 2 workflow"),
    ("<scheme/>", "has no version"),
    ("<scheme version='9.0'/>", "version '9.0' is not supported"),
    ("<scheme version='2.0'><nodes><node id='1'/></nodes></scheme>", "no id or qualified_name"),
    ("<scheme version='2.0'><nodes><node id='1' qualified_name='a'/>"
     "<node id='1' qualified_name='a'/></nodes></scheme>", "two nodes share the id '1'"),
])
def test_malformed_files_give_one_clear_message(content, message):
    with pytest.raises(WorkflowFormatError, match=message):
        parse_workflow(content, registry=toy.registry())


def test_damaged_parts_are_skipped_with_warnings():
    content = """<scheme version="2.0">
      <nodes>
        <node id="0" qualified_name="tests.source" title="S" position="(1, oops)" />
        <node id="1" qualified_name="tests.add" title="A" position="(1, 2)" />
        <node id="2" qualified_name="tests.add" title="B" position="(1, 2)" />
      </nodes>
      <links>
        <link id="0" source_node_id="0" sink_node_id="1" source_channel="Number"
              sink_channel="Number" enabled="true" />
        <link id="1" source_node_id="0" sink_node_id="9" source_channel="Number"
              sink_channel="Number" enabled="true" />
        <link id="2" source_node_id="0" sink_node_id="2" source_channel="Nope"
              sink_channel="Number" enabled="true" />
      </links>
      <node_properties>
        <properties node_id="0" format="literal">{'value': 'x', 'delay': 2, 'extra': 1}</properties>
        <properties node_id="1" format="literal">__import__('os').system('echo hi')</properties>
        <properties node_id="2" format="literal">[1, 2]</properties>
      </node_properties>
    </scheme>"""
    wf = parse_workflow(content, registry=toy.registry())
    warnings = "\n".join(wf.load_warnings)
    assert wf.node("0").position == (0.0, 0.0)
    assert wf.node("0").settings == Source.Settings(value=1, delay=2.0)
    assert "unreadable position" in warnings
    assert "missing node" in warnings
    assert "has no output 'Nope'" in warnings
    assert "'value' expects an integer" in warnings
    assert "ignored unknown setting 'extra'" in warnings
    assert "settings of 'A' could not be read" in warnings
    assert "settings of 'B' are not a mapping" in warnings
    assert len(wf.links) == 1


def test_core_imports_without_qt():
    code = (
        "import sys; sys.modules['PyQt6'] = None\n"
        "import pkgutil, importlib, petriflow.core, petriflow.analysis\n"
        "for pkg in (petriflow.core, petriflow.analysis):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "import petriflow.cli, petriflow.commands.run, petriflow.commands.inspect\n"
        "from petriflow.core.registry import default_registry; default_registry()\n"
        "assert not any(k.startswith('PyQt6.') for k in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_files_fail_only_with_format_error(data):
    """Fuzz: random byte edits of a real file either load or raise WorkflowFormatError."""
    original = bytearray(workflow_to_bytes(sample_workflow()))
    n_edits = data.draw(st.integers(1, 8))
    for _ in range(n_edits):
        pos = data.draw(st.integers(0, len(original) - 1))
        original[pos] = data.draw(st.integers(0, 255))
    try:
        wf = parse_workflow(bytes(original), registry=toy.registry())
    except WorkflowFormatError:
        return
    workflow_to_bytes(wf)  # whatever loaded can be written again
