"""What the help knows about each widget, and the help pages that are generated.

Why one headless module: ``petriflow widgets [--json]``, the toolbox and the help browser
must agree on what a widget is called, where it sits, what it takes and gives, and which
page documents it. :func:`widget_entries` is that list, in toolbox order; the browser's
generated pages (the docs index, the examples gallery, a missing page's notice) are plain
Markdown built here, so that they can be checked without a display.

No Qt here: the command line uses it too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from petriflow.bundled import help_dir, list_examples
from petriflow.core.node import Node
from petriflow.core.registry import NodeRegistry

__all__ = [
    "HELP_SCHEME",
    "WidgetEntry",
    "examples_markdown",
    "help_page",
    "index_markdown",
    "missing_page_markdown",
    "page_stem",
    "widget_entries",
]

#: URL scheme of the help browser's own pages and commands (``petriflow:examples``,
#: ``petriflow:example/image-clustering`` opens that example on the canvas)
HELP_SCHEME = "petriflow"

#: where a built-in widget's guide lives inside the help folder
_BUILTIN_PREFIX = "petriflow."


def page_stem(qualified_name: str) -> str | None:
    """The guide's file stem of a built-in widget (``petriflow.import_images`` ->
    ``import_images``); None for an add-on's widget, whose guide is not ours to find.

    Why not any last component: an add-on's ``acme.pca`` must not open our PCA page.
    """
    if not qualified_name.startswith(_BUILTIN_PREFIX):
        return None
    stem = qualified_name[len(_BUILTIN_PREFIX):]
    return stem if stem and "/" not in stem and "." not in stem else None


def expected_page(qualified_name: str) -> Path | None:
    """Where the widget's guide should be (it may be missing), or None."""
    stem, folder = page_stem(qualified_name), help_dir()
    if stem is None or folder is None:
        return None
    return folder / "widgets" / f"{stem}.md"


def help_page(qualified_name: str) -> Path | None:
    """The widget's guide, when it exists."""
    page = expected_page(qualified_name)
    return page if page is not None and page.is_file() else None


def _channel(channel: Any, *, is_input: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": channel.name, "type": channel.type.__name__}
    if is_input:
        out["multiple"] = bool(channel.multiple)
        out["required"] = bool(channel.required)
    return out


@dataclass(frozen=True)
class WidgetEntry:
    """One widget as the toolbox, the help browser and ``petriflow widgets`` show it.

    ``help`` is the path of its guide inside the installed package (or the checkout),
    None when there is none.
    """

    qualified_name: str
    name: str
    category: str
    description: str
    inputs: list[dict[str, Any]] = field(default_factory=list)
    outputs: list[dict[str, Any]] = field(default_factory=list)
    help: str | None = None

    @classmethod
    def of(cls, node_type: type[Node]) -> WidgetEntry:
        page = help_page(node_type.qualified_name)
        return cls(
            qualified_name=node_type.qualified_name,
            name=node_type.name,
            category=node_type.category,
            description=node_type.description,
            inputs=[_channel(c, is_input=True) for c in node_type.inputs],
            outputs=[_channel(c, is_input=False) for c in node_type.outputs],
            help=str(page) if page is not None else None,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def widget_entries(registry: NodeRegistry | None = None) -> list[WidgetEntry]:
    """Every registered widget, by category and then in toolbox order."""
    if registry is None:
        from petriflow.core.registry import default_registry

        registry = default_registry()
    return [WidgetEntry.of(nt) for group in registry.by_category().values() for nt in group]


def _file_url(path: Path) -> str:
    return path.resolve().as_uri()


def index_markdown(entries: list[WidgetEntry]) -> str:
    """The docs index: the guided pages, then every widget's guide by category.

    Generated rather than a file so that a widget added tomorrow is listed, and one
    without a guide says so instead of leading to an empty window.
    """
    folder = help_dir()
    lines = ["# Petriflow help", ""]
    if folder is not None and (folder / "getting-started.md").is_file():
        lines.append(f"- [Getting started]({_file_url(folder / 'getting-started.md')}) — "
                     "a first workflow, step by step")
    lines += [f"- [Examples]({HELP_SCHEME}:examples) — the bundled workflows, with pictures",
              f"- [Keyboard shortcuts]({HELP_SCHEME}:shortcuts) — every key of the canvas",
              "", "## Widgets", ""]
    category = None
    for entry in entries:
        if entry.category != category:
            category = entry.category
            lines += ["", f"### {category}", ""]
        target = (_file_url(Path(entry.help)) if entry.help
                  else f"{HELP_SCHEME}:widget/{entry.qualified_name}")
        note = "" if entry.help else " *(no guide yet)*"
        lines.append(f"- [{entry.name}]({target}) — {entry.description}{note}")
    return "\n".join(lines) + "\n"


def examples_markdown() -> str:
    """The examples gallery: each bundled workflow with its canvas picture and
    description; its title opens it on the canvas (``petriflow:example/NAME``)."""
    folder = help_dir()
    lines = ["# Examples", "",
             "Each example opens as an untitled copy: change it freely, Save asks where.", ""]
    examples = list_examples()
    if not examples:
        lines.append("No example workflows are installed with this copy of Petriflow.")
    for example in examples:
        lines += [f"## {example.title}", ""]
        picture = folder / "images" / f"canvas-{example.name}.png" if folder else None
        if picture is not None and picture.is_file():
            lines += [f"[![{example.title}]({_file_url(picture)})]"
                      f"({HELP_SCHEME}:example/{example.name})", ""]
        description = " ".join(example.description.split())
        lines += [description or "(no description)", "",
                  f"**[Open {example.title}]({HELP_SCHEME}:example/{example.name})** · "
                  f"headless: `petriflow run --example {example.name} --out results/`", ""]
    return "\n".join(lines) + "\n"


def missing_page_markdown(what: str, where: str | None = None) -> str:
    """The page shown instead of a guide that is not there: what was asked for, where it
    was looked for, and a way on (never an empty window)."""
    lines = ["# This help page is missing", "",
             f"There is no page for **{what}** in this copy of Petriflow."]
    if where:
        lines += ["", f"It was looked for at `{where}`."]
    lines += ["", f"See the [list of all help pages]({HELP_SCHEME}:index), or the "
              "widget's tooltip in the toolbox for a one-line description."]
    return "\n".join(lines) + "\n"
