"""Reading and writing ``.ows`` workflow files (Orange's XML layout, scheme version 2.0).

A workflow file is *untrusted input*: it may come by e-mail. So:

* XML is parsed with defusedxml (no entity expansion, no external entities, no DTDs).
* Settings are read as JSON or Python *literals* (``ast.literal_eval``) only; pickled
  properties are refused here. Placeholders keep the raw text, never unpickled.
* Widgets written by another program (Orange) are handed to a :class:`ForeignReader`
  registered with :func:`register_foreign_reader`: ``petriflow.compat.orange`` maps
  Orange's widgets, channels and settings (its pickles only through a restricted
  unpickler) and records the outcome in ``workflow.orange_report``. ``core`` itself
  knows no other program's widgets or setting names.
* Nothing in a file is executed or imported: the qualified name is only looked up in
  our registry.

Files are written deterministically (same workflow → same bytes) and atomically (temp
file in the same folder, fsync, rename), so a crash never leaves a half-written file.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import json
import math
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from petriflow.core.atomic import atomic_write_bytes
from petriflow.core.node import Node, settings_from_dict, settings_to_dict
from petriflow.core.registry import NodeRegistry, default_registry
from petriflow.core.workflow import (
    ArrowAnnotation,
    LinkError,
    TextAnnotation,
    UnknownNodeInfo,
    Workflow,
)

__all__ = [
    "MAX_FILE_BYTES",
    "ForeignReader",
    "ForeignReaderFactory",
    "WorkflowFormatError",
    "backup_path",
    "load_workflow",
    "parse_workflow",
    "register_foreign_reader",
    "save_workflow",
    "workflow_to_bytes",
]

#: Refuse files larger than this (real workflows are well under 1 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Largest properties text we hand to the literal parser (deep nesting costs stack).
MAX_PROPERTIES_CHARS = 8 * 1024 * 1024
PROJECT_NAME = "Petriflow"

_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_TUPLE_RE = re.compile(rf"^\s*\(\s*({_NUM})\s*(?:,\s*({_NUM})\s*)*,?\s*\)\s*$")


class WorkflowFormatError(ValueError):
    """The file is not a workflow we can read; the message says why, for a user."""


class ForeignReader(Protocol):
    """What the reader asks, for one file, about widgets another program wrote.

    Why a hook: the ``.ows`` layout is Orange's, so Orange's own files open here too, but
    knowing Orange's widgets, channel names and settings is compatibility code that
    lives in ``petriflow.compat.orange``, not in ``core``. Without a registered reader,
    such widgets open as placeholders (or through a node's ``replaces``) with defaults.
    """

    def target(self, qualified_name: str) -> str | None:
        """Our node's qualified name for a widget of the other program, or None."""
        ...

    def placeholder(self, node_id: str, title: str, qualified_name: str) -> None:
        """A widget of the other program that stays a placeholder."""
        ...

    def settings(self, node_id: str, title: str, qualified_name: str, node_type: type[Node],
                 fmt: str, text: str | None,
                 decode: Callable[[str, str, str], dict[str, Any] | None],
                 warn: Callable[[str], None]) -> Any:
        """The node's settings object (None: defaults) from the widget's properties.

        ``decode(title, fmt, text)`` reads literal/JSON properties (None, with a
        warning, when it cannot); ``warn`` adds a load warning.
        """
        ...

    def channel(self, node_id: str, node_type: type[Node], channel_id: str | None,
                name: str, *, output: bool) -> str | None:
        """Our channel name for a link end on a node this reader mapped, else None."""
        ...

    def link_dropped(self, source_id: str, sink_id: str, text: str) -> None:
        """A link that could not be kept (``text`` says which and why)."""
        ...

    def finish(self, workflow: Workflow) -> None:
        """Called once the workflow is read (e.g. to attach a report to it)."""
        ...


#: makes the reader for one file: ``factory(registry, source_name)``
ForeignReaderFactory = Callable[[NodeRegistry, str], ForeignReader]

_foreign_reader: ForeignReaderFactory | None = None


def register_foreign_reader(factory: ForeignReaderFactory | None) -> None:
    """Use ``factory`` for widgets of other programs in every file read from now on.

    ``petriflow.compat.orange`` registers its reader when imported (``petriflow.nodes``
    imports it); None unregisters.
    """
    global _foreign_reader
    _foreign_reader = factory


# ---------------------------------------------------------------------------- reading
def load_workflow(path: str | os.PathLike[str], registry: NodeRegistry | None = None) -> Workflow:
    """Read a workflow file. Raises :class:`WorkflowFormatError` with a clear message."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise WorkflowFormatError(
                f"{path.name}: file is {size / 2**20:.0f} MB; workflow files are small, "
                "this does not look like one"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise WorkflowFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    workflow = parse_workflow(data, registry=registry, source=path.name)
    workflow.path = path.resolve()
    return workflow


def parse_workflow(
    data: bytes | str, registry: NodeRegistry | None = None, source: str = "workflow"
) -> Workflow:
    """Parse ``.ows`` content into a :class:`Workflow` (see :func:`load_workflow`)."""
    registry = registry if registry is not None else default_registry()
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        root = DET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise WorkflowFormatError(
            f"{source}: refused: the file uses XML entities or a DTD ({type(exc).__name__}), "
            "which workflow files never need"
        ) from exc
    except ET.ParseError as exc:
        raise WorkflowFormatError(f"{source}: not valid XML ({exc})") from exc
    except (ValueError, LookupError, RecursionError, MemoryError) as exc:
        # LookupError: an unknown encoding in the XML declaration
        raise WorkflowFormatError(f"{source}: not valid XML ({type(exc).__name__})") from exc

    if root.tag != "scheme":
        raise WorkflowFormatError(
            f"{source}: not a workflow file (root element is <{root.tag}>, expected <scheme>)"
        )
    version = root.get("version")
    if version is None:
        if root.find("widgets") is not None:
            raise WorkflowFormatError(
                f"{source}: this is an Orange 2 workflow (before 2.7); open and re-save it "
                "in a current Orange first"
            )
        raise WorkflowFormatError(f"{source}: the <scheme> element has no version")
    if version not in ("2.0", "2.1"):
        raise WorkflowFormatError(
            f"{source}: workflow format version {version!r} is not supported (2.0 or 2.1)"
        )
    foreign = _foreign_reader(registry, source) if _foreign_reader is not None else None
    return _Reader(registry, source, foreign).read(root)


class _Reader:
    def __init__(self, registry: NodeRegistry, source: str,
                 foreign: ForeignReader | None = None) -> None:
        self.registry = registry
        self.source = source
        self.warnings: list[str] = []
        #: asked about widgets written by another program (Orange)
        self.foreign = foreign

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def read(self, root: Any) -> Workflow:
        wf = Workflow(title=root.get("title", ""), description=root.get("description", ""),
                      registry=self.registry)
        properties = self._read_properties(root)
        for el in _children(root, "nodes", "node"):
            self._read_node(wf, el, properties)
        for el in _children(root, "links", "link"):
            self._read_link(wf, el)
        annotations = root.find("annotations")
        if annotations is not None:
            for el in annotations:
                self._read_annotation(wf, el)
        wf.load_warnings = self.warnings
        if self.foreign is not None:
            self.foreign.finish(wf)
        return wf

    # -- node_properties
    def _read_properties(self, root: Any) -> dict[str, tuple[str, str]]:
        props: dict[str, tuple[str, str]] = {}
        for el in _children(root, "node_properties", "properties"):
            node_id = el.get("node_id")
            if node_id is None:
                self.warn("a <properties> element has no node_id; ignored")
                continue
            text = el.text if el.text is not None else el.get("data", "")
            props[node_id] = (el.get("format", "literal"), text)
        return props

    def _decode(self, title: str, fmt: str, text: str) -> dict[str, Any] | None:
        """Decode literal/json properties; None (with a warning) when not possible."""
        if fmt == "pickle":
            self.warn(
                f"settings of {title!r} are stored as a Python pickle, which Petriflow never "
                "runs; defaults are used"
            )
            return None
        if len(text) > MAX_PROPERTIES_CHARS:
            self.warn(f"settings of {title!r} are too large to read; defaults are used")
            return None
        try:
            if fmt == "literal":
                value = ast.literal_eval(text.strip() or "{}")
            elif fmt == "json":
                value = json.loads(text or "{}")
            else:
                self.warn(f"settings of {title!r} have unknown format {fmt!r}; defaults are used")
                return None
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as exc:
            self.warn(
                f"settings of {title!r} could not be read ({type(exc).__name__}); "
                "defaults are used"
            )
            return None
        if not isinstance(value, dict):
            self.warn(f"settings of {title!r} are not a mapping; defaults are used")
            return None
        return value

    # -- nodes
    def _read_node(self, wf: Workflow, el: Any, properties: dict[str, tuple[str, str]]) -> None:
        node_id = el.get("id")
        qname = el.get("qualified_name")
        if not node_id or not qname:
            raise WorkflowFormatError(f"{self.source}: a <node> has no id or qualified_name")
        if any(n.id == node_id for n in wf.nodes):
            raise WorkflowFormatError(f"{self.source}: two nodes share the id {node_id!r}")
        title = el.get("title") or el.get("name") or qname.rsplit(".", 1)[-1]
        position = _parse_tuple(el.get("position", "(0, 0)"), 2)
        if position is None:
            self.warn(f"node {title!r} has an unreadable position; placed at (0, 0)")
            position = (0.0, 0.0)
        fmt, text = properties.get(node_id, ("literal", None))
        foreign_target = self.foreign.target(qname) if self.foreign is not None else None
        node_type = self.registry.get(foreign_target or qname)
        foreign = el.get("project_name", "") != PROJECT_NAME
        if node_type is None:
            extra = {k: v for k, v in el.attrib.items() if k not in _NODE_ATTRS}
            info = UnknownNodeInfo(
                qualified_name=qname,
                name=el.get("name", ""),
                project_name=el.get("project_name", ""),
                version=el.get("version", ""),
                properties_format=fmt if text is not None else None,
                properties_text=text,
                extra_attributes=extra,
            )
            wf.add_node(None, title=title, position=position, node_id=node_id, unknown=info)
            self.warn(f"{title!r} ({qname}) is not available in Petriflow; kept as a placeholder")
            if foreign and self.foreign is not None:
                self.foreign.placeholder(node_id, title, qname)
            return
        if self.foreign is not None and (
                foreign_target is not None or (foreign and qname != node_type.qualified_name)):
            settings = self.foreign.settings(node_id, title, qname, node_type, fmt, text,
                                             self._decode, self.warn)
            wf.add_node(node_type, title=title, position=position, node_id=node_id,
                        settings=settings)
            return
        settings = None
        if text is not None:
            values = self._decode(title, fmt, text)
            if values is not None and qname != node_type.qualified_name:
                self.warn(
                    f"{title!r}: settings saved by {qname.rsplit('.', 1)[-1]} were not carried "
                    "over; defaults are used"
                )
            elif values is not None:
                version = values.get("__version__", node_type.settings_version)
                if isinstance(version, int) and version < node_type.settings_version:
                    values = node_type.migrate_settings(dict(values), version)
                settings, problems = settings_from_dict(node_type.Settings, values)
                self.warnings.extend(f"{title!r}: {p}" for p in problems)
                settings = self._no_remote_cluster(title, settings)
        wf.add_node(node_type, title=title, position=position, node_id=node_id, settings=settings)

    def _no_remote_cluster(self, title: str, settings: Any) -> Any:
        """A file may not choose a remote Dask scheduler (``cluster`` setting).

        Why: Dask clients and schedulers exchange pickles; connecting to an address
        named by a mailed workflow would let whoever runs that scheduler run code here.
        "local" (a cluster on this machine) is kept; an address must come from the user
        (``petriflow run --cluster`` or the node's view) in this session.
        """
        value = getattr(settings, "cluster", None)
        if isinstance(value, str) and value.strip() not in ("", "local"):
            self.warn(f"{title!r}: the file asks to run on the Dask scheduler {value.strip()!r}; "
                      "ignored (a workflow file may not choose a remote machine). Give the "
                      "address with --cluster or in the node if you trust it")
            settings = dataclasses.replace(settings, cluster="")
        return settings

    # -- links
    def _read_link(self, wf: Workflow, el: Any) -> None:
        src, sink = el.get("source_node_id"), el.get("sink_node_id")
        nodes = {n.id: n for n in wf.nodes}
        if src not in nodes or sink not in nodes:
            self.warn(f"a link refers to a missing node ({src!r} → {sink!r}); ignored")
            return
        source_channel = self._channel(nodes[src], el.get("source_channel_id"),
                                       el.get("source_channel", ""), output=True)
        sink_channel = self._channel(nodes[sink], el.get("sink_channel_id"),
                                     el.get("sink_channel", ""), output=False)
        link_id = el.get("id")
        if link_id is not None and any(lk.id == link_id for lk in wf.links):
            link_id = None  # keep the link, give it a fresh id
        try:
            wf.add_link(src, source_channel, sink, sink_channel,
                        enabled=el.get("enabled", "true") == "true", link_id=link_id,
                        channel_ids=(el.get("source_channel_id"), el.get("sink_channel_id")))
        except LinkError as exc:
            self.warn(f"link ignored: {exc}")
            if self.foreign is not None:
                self.foreign.link_dropped(
                    src, sink, f"{nodes[src].title} ({el.get('source_channel', '')}) → "
                               f"{nodes[sink].title} ({el.get('sink_channel', '')}): {exc}")

    def _channel(self, node: Any, channel_id: str | None, name: str, *, output: bool) -> str:
        if node.node_type is None:
            return name
        if self.foreign is not None:  # a widget from another program (Orange)?
            mapped = self.foreign.channel(node.id, node.node_type, channel_id, name,
                                          output=output)
            if mapped is not None:
                return mapped
        find = node.node_type.output if output else node.node_type.input
        for key in (channel_id, name):
            if key:
                ch = find(key)
                if ch is not None:
                    return ch.name
        return name  # let add_link explain what is wrong

    # -- annotations
    def _read_annotation(self, wf: Workflow, el: Any) -> None:
        ann_id = el.get("id", "")
        if el.tag == "text":
            r = _parse_tuple(el.get("rect", "(0, 0, 20, 20)"), 4) or (0.0, 0.0, 20.0, 20.0)
            rect = (r[0], r[1], r[2], r[3])
            font: dict[str, Any] = {}
            if el.get("font-family"):
                font["family"] = el.get("font-family")
            if el.get("font-size"):
                # "1e309" (inf) or a billion-point font from a hostile file: ignored
                with contextlib.suppress(ValueError, OverflowError):
                    size = int(float(el.get("font-size")))
                    if 1 <= size <= 500:
                        font["size"] = size
            wf.add_annotation(TextAnnotation(
                ann_id, rect, el.text or "", el.get("type", "text/plain"), font))
        elif el.tag == "arrow":
            start = _parse_tuple(el.get("start", "(0, 0)"), 2)
            end = _parse_tuple(el.get("end", "(0, 0)"), 2)
            if start is None or end is None:
                self.warn("an arrow annotation has unreadable coordinates; ignored")
                return
            wf.add_annotation(ArrowAnnotation(ann_id, (start[0], start[1]), (end[0], end[1]),
                                              el.get("fill", "red")))
        else:
            self.warn(f"unknown annotation <{el.tag}> ignored")


_NODE_ATTRS = ("id", "name", "qualified_name", "project_name", "version", "title", "position")


def _children(root: Any, group: str, tag: str) -> Iterator[Any]:
    parent = root.find(group)
    if parent is not None:
        yield from parent.findall(tag)


def _parse_tuple(text: str, n: int) -> tuple[float, ...] | None:
    """Parse '(1.0, -2.5)' into floats without evaluating anything."""
    if not text or not _TUPLE_RE.match(text):
        return None
    values = tuple(float(v) for v in re.findall(_NUM, text))
    if len(values) != n or not all(math.isfinite(v) for v in values):
        return None
    return values


# ---------------------------------------------------------------------------- writing
def _fmt_tuple(values: tuple[float, ...]) -> str:
    return "(" + ", ".join(repr(float(v)) for v in values) + ")"


def _encode_settings(values: dict[str, Any]) -> tuple[str, str]:
    """(format, text): Python literal, or JSON when a float is not finite."""

    def finite(v: Any) -> bool:
        if isinstance(v, float):
            return math.isfinite(v)
        if isinstance(v, list | tuple):
            return all(finite(x) for x in v)
        if isinstance(v, dict):
            return all(finite(x) for x in v.values())
        return True

    if finite(values):
        return "literal", repr(values)
    return "json", json.dumps(values)


def workflow_to_bytes(workflow: Workflow) -> bytes:
    """Serialize deterministically: the same workflow always gives the same bytes."""
    root = ET.Element("scheme", {
        "version": "2.0", "title": workflow.title, "description": workflow.description,
    })
    nodes_el = ET.SubElement(root, "nodes")
    props: list[tuple[str, str, str]] = []
    for node in workflow.nodes:
        if node.node_type is None:
            info = node.unknown
            assert info is not None
            attrs = {
                "id": node.id, "name": info.name, "qualified_name": info.qualified_name,
                "project_name": info.project_name, "version": info.version,
                "title": node.title, "position": _fmt_tuple(node.position),
                **info.extra_attributes,
            }
            if info.properties_text is not None:
                props.append((node.id, info.properties_format or "literal", info.properties_text))
        else:
            nt = node.node_type
            attrs = {
                "id": node.id, "name": nt.name, "qualified_name": nt.qualified_name,
                "project_name": PROJECT_NAME, "version": "", "title": node.title,
                "position": _fmt_tuple(node.position),
            }
            values = settings_to_dict(node.settings)
            values["__version__"] = nt.settings_version
            props.append((node.id, *_encode_settings(values)))
        ET.SubElement(nodes_el, "node", attrs)
    links_el = ET.SubElement(root, "links")
    for lk in workflow.links:
        attrs = {
            "id": lk.id, "source_node_id": lk.source_id, "sink_node_id": lk.sink_id,
            "source_channel": lk.source_channel, "sink_channel": lk.sink_channel,
            "enabled": "true" if lk.enabled else "false",
        }
        source_id = _channel_id(workflow, lk.source_id, lk.source_channel, True)
        sink_id = _channel_id(workflow, lk.sink_id, lk.sink_channel, False)
        if source_id or lk.source_channel_id:
            attrs["source_channel_id"] = source_id or lk.source_channel_id or ""
        if sink_id or lk.sink_channel_id:
            attrs["sink_channel_id"] = sink_id or lk.sink_channel_id or ""
        ET.SubElement(links_el, "link", attrs)
    ann_el = ET.SubElement(root, "annotations")
    for ann in workflow.annotations:
        if isinstance(ann, TextAnnotation):
            attrs = {"id": ann.id, "type": ann.content_type, "rect": _fmt_tuple(ann.rect)}
            if "family" in ann.font:
                attrs["font-family"] = str(ann.font["family"])
            if "size" in ann.font:
                attrs["font-size"] = str(ann.font["size"])
            ET.SubElement(ann_el, "text", attrs).text = ann.text
        else:
            ET.SubElement(ann_el, "arrow", {
                "id": ann.id, "start": _fmt_tuple(ann.start), "end": _fmt_tuple(ann.end),
                "fill": ann.color,
            })
    ET.SubElement(root, "thumbnail")
    props_el = ET.SubElement(root, "node_properties")
    for node_id, fmt, text in props:
        ET.SubElement(props_el, "properties", {"node_id": node_id, "format": fmt}).text = text
    session = ET.SubElement(root, "session_state")
    ET.SubElement(session, "window_groups")
    ET.indent(root, space="\t")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return ("<?xml version='1.0' encoding='utf-8'?>\n" + body + "\n").encode("utf-8")


def _channel_id(workflow: Workflow, node_id: str, channel: str, output: bool) -> str | None:
    node_type = workflow.node(node_id).node_type
    if node_type is None:
        return None
    ch = node_type.output(channel) if output else node_type.input(channel)
    return ch.id if ch is not None else None


def backup_path(path: str | os.PathLike[str]) -> Path:
    """Where :func:`save_workflow` keeps the previous version of ``path``
    (``name.ows`` → ``name.ows.bak``, next to it)."""
    path = Path(path)
    return path.with_name(path.name + ".bak")


def save_workflow(
    workflow: Workflow, path: str | os.PathLike[str], *, backup: bool = True
) -> None:
    """Write atomically: a temp file in the target folder, fsync, then rename over.

    With ``backup`` the file being replaced is first copied (atomically too) to
    :func:`backup_path` — one previous version, so a save the user regrets, or a file
    damaged by another program after our save, can still be undone. A save that does
    not change the bytes leaves the backup alone (it keeps the last *different*
    version). The original file is never absent at any moment: a crash leaves either
    the old or the new file, and the backup.
    """
    path = Path(path)
    data = workflow_to_bytes(workflow)
    if backup:
        try:
            old = path.read_bytes() if path.is_file() else None
        except OSError:
            old = None  # unreadable old file: nothing to keep, the save goes on
        if old is not None and old != data:
            atomic_write_bytes(backup_path(path), old)
    atomic_write_bytes(path, data)
    workflow.path = path.resolve()
