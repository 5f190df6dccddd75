"""Files that ship with Petriflow: the example workflows (with their images) and the
per-widget guides.

Why one module: an installed wheel carries them as package data, ``petriflow/examples``
and ``petriflow/help`` (``setup.py`` copies them there from the checkout's
``workflows/`` and ``docs/``), while an editable install or a plain checkout has only the
checkout's folders. ``petriflow examples``, ``petriflow run --example``, ``petriflow
--example`` and File > Examples all ask here, so they agree in both cases.

No Qt here: the headless commands use it too.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from petriflow.core.workflow import Workflow

__all__ = [
    "Example",
    "ExampleNotFound",
    "absolutize_relative_paths",
    "examples_dir",
    "find_example",
    "help_dir",
    "is_bundled",
    "list_examples",
]

#: the checkout this module sits in, when it does (src/petriflow/bundled.py -> repo root)
_CHECKOUT = Path(__file__).resolve().parents[2]


def _package_folder(name: str) -> Path | None:
    """``petriflow/<name>`` inside the installed package, when it was shipped there."""
    root = importlib.resources.files("petriflow")
    candidate = root / name
    if isinstance(candidate, Path) and candidate.is_dir():
        return candidate
    return None


def _checkout_folder(*parts: str) -> Path | None:
    if not (_CHECKOUT / "pyproject.toml").is_file():
        return None
    candidate = _CHECKOUT.joinpath(*parts)
    return candidate if candidate.is_dir() else None


def examples_dir() -> Path | None:
    """The folder of the example ``.ows`` files (their images in ``data/``), or None."""
    return _package_folder("examples") or _checkout_folder("workflows")


def help_dir() -> Path | None:
    """The folder holding ``widgets/<node>.md`` and their ``images/``, or None."""
    shipped = _package_folder("help")
    if shipped is not None:
        return shipped
    return _checkout_folder("docs")


@dataclass(frozen=True)
class Example:
    """One bundled workflow: ``name`` is the file stem (``image-clustering``)."""

    name: str
    path: Path
    title: str
    description: str

    @property
    def summary(self) -> str:
        """The description's first sentence: one line for ``petriflow examples``."""
        text = " ".join(self.description.split())
        return re.split(r"(?<=[a-z)]\.)\s+(?=[A-Z])", text, maxsplit=1)[0]


class ExampleNotFound(LookupError):
    """No bundled example of that name; the message lists the ones there are."""


def _read_header(path: Path) -> tuple[str, str]:
    """The ``<scheme title=... description=...>`` attributes, without parsing the nodes."""
    from defusedxml.ElementTree import iterparse

    try:
        for _event, element in iterparse(str(path), events=("start",)):
            return element.get("title", ""), element.get("description", "")
    except Exception:  # an unreadable example still lists, by name
        return "", ""
    return "", ""


def list_examples() -> list[Example]:
    """Every bundled example, sorted by name (empty when none are installed)."""
    folder = examples_dir()
    if folder is None:
        return []
    out = []
    for path in sorted(folder.glob("*.ows")):
        title, description = _read_header(path)
        out.append(Example(path.stem, path, title or path.stem, description))
    return out


def find_example(name: str) -> Example:
    """The example called ``name`` (``image-clustering`` or ``image-clustering.ows``)."""
    stem = name.strip().removesuffix(".ows")
    examples = list_examples()
    for example in examples:
        if example.name == stem:
            return example
    names = ", ".join(e.name for e in examples) or "none are installed"
    raise ExampleNotFound(f"no example named {name!r}; examples: {names}")


def is_bundled(path: Path | str | None) -> bool:
    """Whether ``path`` is one of the shipped files (which Save must never overwrite)."""
    folder = examples_dir()
    if path is None or folder is None:
        return False
    return Path(path).resolve().is_relative_to(folder.resolve())


def absolutize_relative_paths(workflow: Workflow, base: Path) -> list[str]:
    """Rewrite settings that name an existing file or folder relative to ``base`` as
    absolute paths; returns ``"Node.setting"`` for each one changed.

    Why: an example opens as an untitled copy (so that Save asks where), and an untitled
    workflow has no folder for ``data/textures`` to be relative to. Only text settings
    that name something that exists under ``base`` are touched, so free text and
    ordinary values never change.
    """
    changed: list[str] = []
    for node in workflow.nodes:
        settings = node.settings
        if node.node_type is None or not dataclasses.is_dataclass(settings):
            continue
        updates: dict[str, str] = {}
        for f in dataclasses.fields(settings):
            value = getattr(settings, f.name)
            if not isinstance(value, str) or not value.strip():
                continue
            relative = Path(value.strip())
            if relative.is_absolute() or not (base / relative).exists():
                continue
            updates[f.name] = str((base / relative).resolve())
        if updates:
            workflow.update_settings(node.id, **updates)
            changed += [f"{node.title}.{name}" for name in updates]
    return changed
