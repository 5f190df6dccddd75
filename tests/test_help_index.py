"""The widget list behind the toolbox, the help browser and ``petriflow widgets``
(issue 18.1): every registered widget has its guide, and the command prints the list.
"""

from __future__ import annotations

import json

from petriflow.bundled import help_dir
from petriflow.cli import main
from petriflow.core.registry import default_registry
from petriflow.help_index import (
    expected_page,
    help_page,
    index_markdown,
    missing_page_markdown,
    page_stem,
    widget_entries,
)


def test_every_registered_widget_has_a_help_page():
    missing = [nt.qualified_name for nt in default_registry()
               if help_page(nt.qualified_name) is None]
    assert missing == [], f"no docs/widgets/<name>.md for {missing}"


def test_every_help_page_starts_with_its_widgets_name():
    """The browser's window title is the page's first heading: it must name the widget."""
    for node_type in default_registry():
        page = help_page(node_type.qualified_name)
        assert page is not None
        first = page.read_text(encoding="utf-8").lstrip().splitlines()[0]
        assert first.startswith("# ") and node_type.name.lower() in first.lower(), page


def test_an_add_on_widget_never_gets_a_built_in_page():
    assert page_stem("petriflow.pca") == "pca"
    assert page_stem("acme.pca") is None  # not our PCA's guide
    assert page_stem("petriflow.") is None
    assert help_page("acme.pca") is None and expected_page("acme.pca") is None


def test_widgets_json_lists_every_widget_with_channels_and_help(capsys):
    assert main(["widgets", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    registry = default_registry()
    assert [w["qualified_name"] for w in listed] == [
        nt.qualified_name for group in registry.by_category().values() for nt in group]
    for widget in listed:
        node_type = registry.get(widget["qualified_name"])
        assert widget["name"] == node_type.name
        assert widget["category"] == node_type.category
        assert [c["name"] for c in widget["inputs"]] == [c.name for c in node_type.inputs]
        assert [c["name"] for c in widget["outputs"]] == [c.name for c in node_type.outputs]
        assert all(c["type"] for c in widget["inputs"] + widget["outputs"])
        stem = widget["qualified_name"].removeprefix("petriflow.")
        assert widget["help"] == str(help_dir() / "widgets" / f"{stem}.md")
    import_images = next(w for w in listed if w["name"] == "Import Images")
    assert import_images["inputs"] == []
    assert import_images["outputs"][0] == {"name": "Data", "type": "Table"}


def test_widgets_text_output_names_each_widget_and_its_page(capsys):
    assert main(["widgets"]) == 0
    out = capsys.readouterr().out
    for entry in widget_entries():
        assert f"[{entry.qualified_name}]" in out
        assert f"help: {entry.help}" in out


def test_index_lists_every_widget_and_flags_one_without_a_guide():
    entries = widget_entries()
    text = index_markdown(entries)
    for entry in entries:
        assert f"[{entry.name}]({help_dir().joinpath('widgets').resolve().as_uri()}/" in text
    orphan = entries[0].__class__("acme.thing", "Thing", "Data", "An add-on widget.")
    text = index_markdown([orphan])
    assert "[Thing](petriflow:widget/acme.thing)" in text and "no guide yet" in text


def test_missing_page_text_names_what_and_where():
    text = missing_page_markdown("the Thing widget", "/nowhere/thing.md")
    assert text.startswith("# This help page is missing")
    assert "the Thing widget" in text and "/nowhere/thing.md" in text
    assert "petriflow:index" in text


def test_widgets_command_runs_without_qt():
    """``petriflow widgets`` is headless: a packager's check runs where PyQt6 is not."""
    import subprocess
    import sys

    code = ("import sys; sys.modules['PyQt6'] = None\n"
            "from petriflow.cli import main; raise SystemExit(main(['widgets', '--json']))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    listed = json.loads(proc.stdout)
    assert len(listed) == len(default_registry())
    assert all(w["help"] for w in listed)
