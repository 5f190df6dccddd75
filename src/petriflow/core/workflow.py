"""The workflow graph: nodes, links and annotations, with change events.

The workflow is the single source of truth that both the canvas and the scheduler
observe. Every mutation goes through a method here that validates it and then emits a
:class:`WorkflowEvent`; nothing else mutates the graph. That keeps undo (in the GUI),
propagation (scheduler) and saving consistent with each other.

Threads: the GUI thread edits while the scheduler's worker threads query. Every
mutation and every query takes the workflow's lock, and queries return copies, so a
query never sees a half-made change (``dictionary changed size during iteration``).
Events are emitted *after* the lock is released: a listener (the scheduler) may take
its own lock and query back without a lock-order deadlock. Queries are answered from a
per-node link index (:class:`~petriflow.core.graph.LinkIndex`), not by scanning every
link; the scheduler reads an immutable :meth:`Workflow.snapshot` per scheduling pass.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from petriflow.core.graph import GraphSnapshot, LinkIndex
from petriflow.core.node import Input, Node, Output, coerce_setting, copy_value
from petriflow.core.registry import NodeRegistry, default_registry

__all__ = [
    "ArrowAnnotation",
    "Link",
    "LinkError",
    "TextAnnotation",
    "UnknownNodeInfo",
    "Workflow",
    "WorkflowEvent",
    "WorkflowNode",
]


class LinkError(ValueError):
    """A link that cannot be made (cycle, type mismatch, busy single input, ...)."""


@dataclass
class UnknownNodeInfo:
    """What we keep of a widget we do not implement, to write it back unchanged."""

    qualified_name: str
    name: str = ""
    project_name: str = ""
    version: str = ""
    properties_format: str | None = None
    properties_text: str | None = None
    #: any extra XML attributes of the <node> element, in file order
    extra_attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class WorkflowNode:
    """One widget instance on the canvas."""

    id: str
    title: str
    node_type: type[Node] | None
    settings: Any = None
    position: tuple[float, float] = (0.0, 0.0)
    unknown: UnknownNodeInfo | None = None
    #: Orange-specific or foreign settings kept verbatim for writing back
    extra_properties: dict[str, Any] = field(default_factory=dict)

    @property
    def is_placeholder(self) -> bool:
        return self.node_type is None

    @property
    def qualified_name(self) -> str:
        if self.node_type is not None:
            return self.node_type.qualified_name
        assert self.unknown is not None
        return self.unknown.qualified_name

    @property
    def type_name(self) -> str:
        if self.node_type is not None:
            return self.node_type.name
        assert self.unknown is not None
        return self.unknown.name or self.unknown.qualified_name.rsplit(".", 1)[-1]


@dataclass
class Link:
    """A connection from a source node's output to a sink node's input (by name)."""

    id: str
    source_id: str
    source_channel: str
    sink_id: str
    sink_channel: str
    enabled: bool = True
    #: channel ids as written by Orange (kept so placeholders round-trip unchanged)
    source_channel_id: str | None = None
    sink_channel_id: str | None = None


@dataclass
class TextAnnotation:
    id: str
    rect: tuple[float, float, float, float]
    text: str
    content_type: str = "text/plain"
    font: dict[str, Any] = field(default_factory=dict)


@dataclass
class ArrowAnnotation:
    id: str
    start: tuple[float, float]
    end: tuple[float, float]
    color: str = "#C1272D"


Annotation = TextAnnotation | ArrowAnnotation


@dataclass(frozen=True)
class WorkflowEvent:
    """A change to the workflow. ``kind`` is one of the constants below."""

    kind: str
    node_id: str | None = None
    link: Link | None = None
    annotation_id: str | None = None
    detail: Any = None

    NODE_ADDED = "node_added"
    NODE_REMOVED = "node_removed"
    NODE_CHANGED = "node_changed"  # title or position
    SETTINGS_CHANGED = "settings_changed"
    LINK_ADDED = "link_added"
    LINK_REMOVED = "link_removed"
    LINK_ENABLED = "link_enabled"
    ANNOTATIONS_CHANGED = "annotations_changed"
    META_CHANGED = "meta_changed"


Listener = Callable[[WorkflowEvent], None]


class Workflow:
    """A graph of :class:`WorkflowNode` and :class:`Link` with annotations."""

    def __init__(self, title: str = "", description: str = "", *,
                 registry: NodeRegistry | None = None) -> None:
        self.title = title
        self._registry = registry
        self.description = description
        self.path: Path | None = None
        self._nodes: dict[str, WorkflowNode] = {}
        self._links: dict[str, Link] = {}
        self.annotations: list[Annotation] = []
        self._listeners: list[Listener] = []
        self._next_id: dict[str, int] = {}
        self._lock = threading.RLock()
        self._index = LinkIndex()
        #: bumped on every change of structure (nodes, links, link enabled)
        self._version = 0
        self._snapshot: GraphSnapshot | None = None
        #: nodes being removed: no new link may attach to them
        self._removing: set[str] = set()
        #: non-fatal problems found when the workflow was read from a file
        self.load_warnings: list[str] = []
        #: set by a foreign reader (compat/orange/reader.py): what became of an Orange
        #: file's widgets; None otherwise
        self.orange_report: Any = None

    @property
    def registry(self) -> NodeRegistry:
        """The node types this workflow was read with and pastes, quick menus and
        Orange reports resolve names against (the built-in registry unless given)."""
        return self._registry if self._registry is not None else default_registry()

    # ------------------------------------------------------------------ observers
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(event)`` after every change; returns an unsubscribe function.

        The listener runs on the thread that made the change, outside the lock.
        """
        with self._lock:
            self._listeners = [*self._listeners, listener]

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = [cb for cb in self._listeners if cb is not listener]

        return unsubscribe

    def _emit(self, event: WorkflowEvent) -> None:
        for listener in self._listeners:  # replaced, never changed in place
            listener(event)

    # ------------------------------------------------------------------ queries
    @property
    def nodes(self) -> list[WorkflowNode]:
        with self._lock:
            return list(self._nodes.values())

    @property
    def links(self) -> list[Link]:
        with self._lock:
            return list(self._links.values())

    @property
    def directory(self) -> Path | None:
        """The folder of the workflow file: relative paths in settings resolve here."""
        path = self.path
        return path.parent if path is not None else None

    def node(self, node_id: str) -> WorkflowNode:
        with self._lock:
            try:
                return self._nodes[node_id]
            except KeyError:
                raise KeyError(f"no node with id {node_id!r}") from None

    def find_node(self, key: str) -> WorkflowNode:
        """A node by id, or else by title (which must then be unique)."""
        with self._lock:
            if key in self._nodes:
                return self._nodes[key]
            nodes = list(self._nodes.values())
        matches = [n for n in nodes if n.title == key]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            titles = ", ".join(repr(n.title) for n in nodes)
            raise KeyError(f"no node with id or title {key!r}; nodes: {titles}")
        raise KeyError(f"title {key!r} is not unique; use the node id instead")

    def link(self, link_id: str) -> Link:
        with self._lock:
            return self._links[link_id]

    def __iter__(self) -> Iterator[WorkflowNode]:
        return iter(self.nodes)

    def input_links(self, node_id: str) -> list[Link]:
        with self._lock:
            return self._index.inputs(node_id)

    def output_links(self, node_id: str) -> list[Link]:
        with self._lock:
            return self._index.outputs(node_id)

    def children(self, node_id: str, enabled_only: bool = True) -> list[str]:
        with self._lock:
            return self._index.children(node_id, enabled_only)

    def descendants(self, node_id: str, enabled_only: bool = True) -> set[str]:
        """All nodes reachable downstream of ``node_id`` (not including it)."""
        with self._lock:
            return self._index.reach(node_id, downstream=True, enabled_only=enabled_only)

    def ancestors(self, node_id: str, enabled_only: bool = True) -> set[str]:
        with self._lock:
            return self._index.reach(node_id, downstream=False, enabled_only=enabled_only)

    def topological_order(self) -> list[str]:
        """Node ids so that every link goes forward (Kahn; ties keep insertion order)."""
        with self._lock:
            return self._index.topological_order(self._nodes)

    def snapshot(self) -> GraphSnapshot:
        """The current structure, frozen (rebuilt only after nodes or links change)."""
        with self._lock:
            snap = self._snapshot
            if snap is None or snap.version != self._version:
                snap = self._snapshot = GraphSnapshot.build(
                    self._version, self._nodes, self._index)
            return snap

    def _changed_structure(self) -> None:
        self._version += 1

    # ------------------------------------------------------------------ ids
    def _new_id(self, taken: Iterable[str], kind: str) -> str:
        """Next free integer id of ``kind`` (nodes, links and annotations count apart)."""
        taken = set(taken)
        n = self._next_id.get(kind, 0)
        while str(n) in taken:
            n += 1
        self._next_id[kind] = n + 1
        return str(n)

    def unique_title(self, base: str) -> str:
        with self._lock:
            titles = {n.title for n in self._nodes.values()}
        if base not in titles:
            return base
        i = 1
        while f"{base} ({i})" in titles:
            i += 1
        return f"{base} ({i})"

    # ------------------------------------------------------------------ node edits
    def add_node(
        self,
        node_type: type[Node] | None,
        *,
        title: str | None = None,
        position: tuple[float, ...] = (0.0, 0.0),
        settings: Any = None,
        node_id: str | None = None,
        unknown: UnknownNodeInfo | None = None,
    ) -> WorkflowNode:
        """Add a node (a placeholder when ``node_type`` is None and ``unknown`` given)."""
        with self._lock:
            if node_type is None and unknown is None:
                raise ValueError("a placeholder node needs its UnknownNodeInfo")
            if node_id is None:
                node_id = self._new_id(self._nodes, "node")
            elif node_id in self._nodes:
                raise ValueError(f"duplicate node id {node_id!r}")
            if settings is None and node_type is not None:
                settings = node_type.Settings()
            if node_type is not None:
                base = title or node_type.name
            else:
                base = title or (unknown.name if unknown is not None else "") or "Node"
            node = WorkflowNode(
                id=node_id,
                title=title if title is not None else self.unique_title(base),
                node_type=node_type,
                settings=settings,
                position=(float(position[0]), float(position[1])),
                unknown=unknown,
            )
            self._nodes[node_id] = node
            self._index.add_node(node_id)
            self._changed_structure()
        self._emit(WorkflowEvent(WorkflowEvent.NODE_ADDED, node_id=node_id))
        return node

    def remove_node(self, node_id: str) -> list[Link]:
        """Remove a node and its links (links first, so sinks receive ``None``).

        While its links go (each with its own event), no new link may attach to the
        node, so another thread cannot leave a link to a node that no longer exists.
        """
        with self._lock:
            self.node(node_id)
            if node_id in self._removing:
                raise KeyError(f"node {node_id!r} is already being removed")
            self._removing.add(node_id)
            removed = [lk for lk in self._links.values()
                       if node_id in (lk.source_id, lk.sink_id)]
        try:
            for lk in removed:
                with contextlib.suppress(KeyError):  # another thread removed it first
                    self.remove_link(lk.id)
            with self._lock:
                del self._nodes[node_id]
                self._index.remove_node(node_id)
                self._changed_structure()
        finally:
            with self._lock:
                self._removing.discard(node_id)
        self._emit(WorkflowEvent(WorkflowEvent.NODE_REMOVED, node_id=node_id))
        return removed

    def set_title(self, node_id: str, title: str) -> None:
        with self._lock:
            self.node(node_id).title = title
        self._emit(WorkflowEvent(WorkflowEvent.NODE_CHANGED, node_id=node_id, detail="title"))

    def set_position(self, node_id: str, position: tuple[float, float]) -> None:
        with self._lock:
            self.node(node_id).position = (float(position[0]), float(position[1]))
        self._emit(WorkflowEvent(WorkflowEvent.NODE_CHANGED, node_id=node_id, detail="position"))

    def set_settings(self, node_id: str, settings: Any) -> None:
        """Replace a node's settings object; the scheduler re-runs it and its descendants
        unless only fields in the node type's ``view_settings`` changed."""
        with self._lock:
            event = self._replace_settings(node_id, lambda _old: settings)
        self._emit(event)

    def update_settings(self, node_id: str, **changes: Any) -> Any:
        """Change some settings fields (validated and converted); returns the new settings.

        Read, change and replace happen under the lock: two threads updating different
        fields of one node both keep their change.
        """
        def changed(old: Any) -> Any:
            cls = type(old)
            values = {k: coerce_setting(cls, k, v) for k, v in changes.items()}
            # the fields being replaced are not copied (a 20,000-row selection and its
            # context took ~40 ms to deep-copy only to be thrown away); the others are
            kept = {f.name: copy_value(getattr(old, f.name)) for f in dataclasses.fields(old)
                    if f.init and f.name not in values}
            return dataclasses.replace(old, **kept, **values)

        with self._lock:
            event = self._replace_settings(node_id, changed)
            new = self._nodes[node_id].settings
        self._emit(event)
        return new

    def _replace_settings(self, node_id: str, make: Callable[[Any], Any]) -> WorkflowEvent:
        """Replace a node's settings with ``make(old)`` (under the lock); the event to emit.

        The settings object is replaced, never changed in place: a run in flight, a
        snapshot and a view holding the old object keep seeing consistent values.
        """
        node = self.node(node_id)
        if node.node_type is None:
            raise ValueError(f"node {node.title!r} is a placeholder and has no settings")
        old = node.settings
        settings = make(old)
        if not isinstance(settings, node.node_type.Settings):
            raise TypeError(f"settings of {node.title!r} must be {node.node_type.Settings}")
        node.settings = settings
        fields = dataclasses.fields(settings) if dataclasses.is_dataclass(settings) else ()
        changed = {f.name for f in fields
                   if getattr(old, f.name, None) != getattr(settings, f.name)}
        view_only = bool(changed) and changed <= set(node.node_type.view_settings)
        # detail "view": only view settings changed, outputs stay valid (no re-run)
        return WorkflowEvent(WorkflowEvent.SETTINGS_CHANGED, node_id=node_id,
                             detail="view" if view_only else None)

    # ------------------------------------------------------------------ link edits
    def channels_of(self, node_id: str) -> tuple[tuple[Input, ...], tuple[Output, ...]]:
        node = self.node(node_id)
        if node.node_type is None:
            return (), ()
        return node.node_type.inputs, node.node_type.outputs

    def check_link(
        self, source_id: str, source_channel: str, sink_id: str, sink_channel: str
    ) -> tuple[str, str]:
        """Validate a prospective link; return canonical (output name, input name).

        Raises :class:`LinkError` with a message a user can act on.
        """
        with self._lock:
            return self._check_link(source_id, source_channel, sink_id, sink_channel)

    def _check_link(
        self, source_id: str, source_channel: str, sink_id: str, sink_channel: str
    ) -> tuple[str, str]:
        source, sink = self.node(source_id), self.node(sink_id)
        for node in (source, sink):
            if node.id in self._removing:
                raise LinkError(f"{node.title!r} is being removed")
        if source_id == sink_id:
            raise LinkError(f"cannot link {source.title!r} to itself")
        if source_id in self.descendants(sink_id, enabled_only=False):
            raise LinkError(
                f"linking {source.title!r} to {sink.title!r} would create a cycle"
            )
        if source.node_type is None or sink.node_type is None:
            # placeholders keep whatever links the file had; they carry no data
            return source_channel, sink_channel
        out = source.node_type.output(source_channel)
        if out is None:
            names = ", ".join(o.name for o in source.node_type.outputs) or "none"
            raise LinkError(
                f"{source.title!r} has no output {source_channel!r} (outputs: {names})"
            )
        inp = sink.node_type.input(sink_channel)
        if inp is None:
            names = ", ".join(i.name for i in sink.node_type.inputs) or "none"
            raise LinkError(f"{sink.title!r} has no input {sink_channel!r} (inputs: {names})")
        if not issubclass(out.type, inp.type):
            raise LinkError(
                f"cannot connect {source.title!r} output {out.name!r} "
                f"({out.type.__name__}) to {sink.title!r} input {inp.name!r} "
                f"({inp.type.__name__}): the types do not match"
            )
        for lk in self._index.inputs(sink_id):
            if lk.sink_channel == inp.name:
                if lk.source_id == source_id and lk.source_channel == out.name:
                    raise LinkError(
                        f"{source.title!r} {out.name!r} is already linked to "
                        f"{sink.title!r} {inp.name!r}"
                    )
                if not inp.multiple:
                    raise LinkError(
                        f"input {inp.name!r} of {sink.title!r} takes one link and is already "
                        f"connected to {self.node(lk.source_id).title!r}; remove that link first"
                    )
        return out.name, inp.name

    def compatible_channels(self, source_id: str, sink_id: str) -> list[tuple[str, str]]:
        """All (output, input) name pairs that could link these two nodes now."""
        _, outs = self.channels_of(source_id)
        ins, _ = self.channels_of(sink_id)
        pairs = []
        for o in outs:
            for i in ins:
                with contextlib.suppress(LinkError):
                    pairs.append(self.check_link(source_id, o.name, sink_id, i.name))
        return pairs

    def add_link(
        self,
        source_id: str,
        source_channel: str,
        sink_id: str,
        sink_channel: str,
        *,
        enabled: bool = True,
        link_id: str | None = None,
        channel_ids: tuple[str | None, str | None] = (None, None),
    ) -> Link:
        with self._lock:
            out_name, in_name = self._check_link(
                source_id, source_channel, sink_id, sink_channel)
            if link_id is None:
                link_id = self._new_id(self._links, "link")
            elif link_id in self._links:
                raise LinkError(f"duplicate link id {link_id!r}")
            link = Link(link_id, source_id, out_name, sink_id, in_name, enabled, *channel_ids)
            self._links[link_id] = link
            self._index.add_link(link)
            self._changed_structure()
        self._emit(WorkflowEvent(WorkflowEvent.LINK_ADDED, link=link))
        return link

    def remove_link(self, link_id: str) -> Link:
        with self._lock:
            link = self._links.pop(link_id)
            self._index.remove_link(link)
            self._changed_structure()
        self._emit(WorkflowEvent(WorkflowEvent.LINK_REMOVED, link=link))
        return link

    def set_link_enabled(self, link_id: str, enabled: bool) -> None:
        with self._lock:
            link = self._links[link_id]
            if link.enabled == enabled:
                return
            link.enabled = enabled
            self._changed_structure()
        self._emit(WorkflowEvent(WorkflowEvent.LINK_ENABLED, link=link))

    # ------------------------------------------------------------------ annotations
    def add_annotation(self, annotation: Annotation) -> Annotation:
        with self._lock:
            taken = {a.id for a in self.annotations}
            if not annotation.id or annotation.id in taken:
                annotation.id = self._new_id(taken, "annotation")
            self.annotations.append(annotation)
        self._emit(WorkflowEvent(WorkflowEvent.ANNOTATIONS_CHANGED, annotation_id=annotation.id))
        return annotation

    def remove_annotation(self, annotation_id: str) -> None:
        with self._lock:
            self.annotations = [a for a in self.annotations if a.id != annotation_id]
        self._emit(WorkflowEvent(WorkflowEvent.ANNOTATIONS_CHANGED, annotation_id=annotation_id))
