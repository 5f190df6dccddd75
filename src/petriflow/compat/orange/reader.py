"""What the ``.ows`` reader does with widgets that Orange wrote.

``core/ows.py`` reads the file layout (shared with Orange) and knows nothing about
Orange's widgets; for each file it asks a :class:`OrangeReader` (registered by
``petriflow.compat.orange``) which node an Orange widget becomes, what its settings
become, how its channels are named, and it lets the reader record all of that in the
"Opened from Orange" report attached to the workflow as ``workflow.orange_report``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from petriflow.compat.orange.report import OrangeImportReport, OrangeNodeReport
from petriflow.compat.orange.settings import translate_settings
from petriflow.compat.orange.unpickler import OrangePickleError, loads_orange_pickle
from petriflow.compat.orange.widgets import orange_channel, orange_widgets
from petriflow.core.node import Node, settings_from_dict
from petriflow.core.registry import NodeRegistry
from petriflow.core.workflow import Workflow

__all__ = ["OrangeReader"]


class OrangeReader:
    """Maps one file's Orange widgets to our nodes and writes the report (a
    :class:`petriflow.core.ows.ForeignReader`)."""

    def __init__(self, registry: NodeRegistry, source: str) -> None:
        self.widgets = orange_widgets(registry)
        #: filled in when the file has widgets written by another program (Orange)
        self.report = OrangeImportReport(source)

    def target(self, qualified_name: str) -> str | None:
        return self.widgets.get(qualified_name)

    def placeholder(self, node_id: str, title: str, qualified_name: str) -> None:
        self.report.nodes.append(OrangeNodeReport(node_id, title, qualified_name, None))

    def settings(self, node_id: str, title: str, qualified_name: str, node_type: type[Node],
                 fmt: str, text: str | None,
                 decode: Callable[[str, str, str], dict[str, Any] | None],
                 warn: Callable[[str], None]) -> Any:
        """Translate an Orange widget's settings; record the outcome in the report."""
        entry = OrangeNodeReport(node_id, title, qualified_name, node_type.qualified_name)
        self.report.nodes.append(entry)
        if text is None:
            return None
        values: Any = None
        if fmt == "pickle":
            try:
                values = loads_orange_pickle(text)
            except OrangePickleError as exc:
                warn(f"settings of {title!r} not read: {exc}; defaults are used")
                entry.notes.append(f"settings not read: {exc}")
                return None
            if not isinstance(values, dict):
                values = None
                warn(f"settings of {title!r} are not a mapping; defaults are used")
        else:
            values = decode(title, fmt, text)
        if values is None:
            entry.notes.append("settings could not be read; defaults are used")
            return None
        values = {str(k): v for k, v in values.items()}
        tr = translate_settings(node_type, values)
        settings, problems = settings_from_dict(node_type.Settings, tr.values)
        entry.carried, entry.not_carried = tr.carried, tr.not_carried
        entry.ignored, entry.notes = tr.ignored, tr.notes
        for problem in problems:  # a translated value our settings refused
            entry.notes.append(problem)
            warn(f"{title!r}: {problem}")
        return settings

    def channel(self, node_id: str, node_type: type[Node], channel_id: str | None,
                name: str, *, output: bool) -> str | None:
        if self.report.node(node_id) is None:  # not a widget from Orange
            return None
        return orange_channel(node_type, channel_id, name, output=output)

    def link_dropped(self, source_id: str, sink_id: str, text: str) -> None:
        if self.report.node(source_id) or self.report.node(sink_id):
            self.report.dropped_links.append(text)

    def finish(self, workflow: Workflow) -> None:
        workflow.orange_report = self.report if self.report.nodes else None
