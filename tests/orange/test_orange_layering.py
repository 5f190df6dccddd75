"""Where Orange compatibility lives: ``core`` knows nothing of it, ``compat`` has no Qt, and
the ``.ows`` reader reaches Orange only through the hook that ``compat.orange`` fills."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import petriflow
from petriflow.compat.orange import OrangeReader
from petriflow.core import ows
from petriflow.core.registry import default_registry

SRC = Path(petriflow.__file__).resolve().parent

DISTANCES_FILE = """<?xml version="1.0" encoding="utf-8"?>
<scheme version="2.0" title="t" description="">
<nodes><node id="0" name="Distances"
 qualified_name="Orange.widgets.unsupervised.owdistances.OWDistances"
 project_name="Orange3" version="" title="Distances" position="(0, 0)" /></nodes>
<links />
<node_properties><properties node_id="0" format="literal"
>{'metric_id': 2, '__version__': 4}</properties></node_properties></scheme>"""


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_core_imports_nothing_from_compat_or_nodes():
    for path in sorted((SRC / "core").glob("*.py")):
        bad = {m for m in _imports(path) if m.startswith(("petriflow.compat", "petriflow.nodes"))}
        assert not bad, (path.name, bad)
    assert not list((SRC / "core").glob("orange_*.py"))


def test_compat_imports_no_qt_and_nodes_do_not_need_it_at_run_time():
    code = ("import sys; sys.modules['PyQt6'] = None\n"
            "import pkgutil, importlib, petriflow.compat\n"
            "for m in pkgutil.walk_packages(petriflow.compat.__path__, 'petriflow.compat.'):\n"
            "    importlib.import_module(m.name)\n"
            "assert not any(k.startswith('PyQt6.') for k in sys.modules)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    for path in sorted((SRC / "nodes").glob("*.py")):
        tree = ast.parse(path.read_text())
        for node in tree.body:  # top level, outside ``if TYPE_CHECKING``
            if isinstance(node, ast.ImportFrom) and node.module and path.name != "__init__.py":
                assert not node.module.startswith("petriflow.compat"), path.name


def test_importing_the_nodes_registers_the_orange_reader():
    default_registry()
    assert ows._foreign_reader is OrangeReader


def test_without_the_hook_core_opens_the_widget_with_defaults_and_no_report():
    """The hook is the only way Orange knowledge reaches the reader."""
    registry = default_registry()
    with_hook = ows.parse_workflow(DISTANCES_FILE, registry=registry)
    assert with_hook.nodes[0].settings.metric == "manhattan"
    assert with_hook.orange_report is not None
    ows.register_foreign_reader(None)
    try:
        plain = ows.parse_workflow(DISTANCES_FILE, registry=registry)
    finally:
        ows.register_foreign_reader(OrangeReader)
    node = plain.nodes[0]
    assert node.qualified_name == "petriflow.distances"  # through the node's `replaces`
    assert node.settings.metric == "cosine"  # defaults: nothing translated
    assert plain.orange_report is None
    assert any("were not carried over" in w for w in plain.load_warnings)
