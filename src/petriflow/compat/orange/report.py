"""The "Opened from Orange" report: what a workflow made by Orange became in Petriflow.

Built by the Orange reader (``compat/orange/reader.py``) while ``core/ows.py`` reads a
file with widgets from another program, attached to the workflow as
``workflow.orange_report``, printed by ``petriflow inspect`` / ``petriflow run`` and shown
once by the GUI on open (``gui/orange_import_dock.py``). It is plain data (no Qt) so that
all three show the same thing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["OrangeImportReport", "OrangeNodeReport"]


@dataclass
class OrangeNodeReport:
    """One widget of the file."""

    node_id: str
    title: str
    #: the widget's qualified name in the file
    orange_name: str
    #: our node's qualified name, or None when it stays a placeholder
    mapped_to: str | None
    #: Orange setting -> what it became
    carried: dict[str, str] = field(default_factory=dict)
    #: Orange setting -> why it was not carried
    not_carried: dict[str, str] = field(default_factory=dict)
    #: Orange settings that only restore window/UI state
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def mapped(self) -> bool:
        return self.mapped_to is not None


@dataclass
class OrangeImportReport:
    """All widgets of one file, plus the links that could not be kept."""

    source: str
    nodes: list[OrangeNodeReport] = field(default_factory=list)
    dropped_links: list[str] = field(default_factory=list)

    @property
    def mapped(self) -> list[OrangeNodeReport]:
        return [n for n in self.nodes if n.mapped]

    @property
    def unmapped(self) -> list[OrangeNodeReport]:
        return [n for n in self.nodes if not n.mapped]

    def node(self, node_id: str) -> OrangeNodeReport | None:
        return next((n for n in self.nodes if n.node_id == node_id), None)

    def summary(self) -> str:
        """One sentence for a status line or a panel's title."""
        n_not = sum(len(n.not_carried) for n in self.mapped)
        text = (f"Opened from Orange: {len(self.mapped)} of {len(self.nodes)} widgets mapped to "
                f"Petriflow nodes, {len(self.unmapped)} kept as placeholders")
        if n_not:
            text += f", {n_not} setting(s) not carried"
        if self.dropped_links:
            text += f", {len(self.dropped_links)} link(s) dropped"
        return text + "."

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "summary": self.summary(),
            "nodes": [{**asdict(n), "mapped": n.mapped} for n in self.nodes],
            "dropped_links": list(self.dropped_links),
        }

    def to_text(self) -> str:
        """A readable multi-line report (CLI stderr, the GUI panel)."""
        lines = [self.summary()]
        for n in self.mapped:
            short = n.orange_name.rsplit(".", 1)[-1]
            lines.append(f"  {n.title!r}: {short} -> {n.mapped_to}")
            for key, what in n.carried.items():
                lines.append(f"      carried  {key}: {what}")
            for key, why in n.not_carried.items():
                lines.append(f"      NOT carried  {key}: {why}")
            lines.extend(f"      note: {note}" for note in n.notes)
        for n in self.unmapped:
            lines.append(f"  {n.title!r}: {n.orange_name} is not available in Petriflow; kept "
                         "as a placeholder (written back unchanged on save)")
            lines.extend(f"      note: {note}" for note in n.notes)
        lines.extend(f"  link dropped: {text}" for text in self.dropped_links)
        return "\n".join(lines)
