"""The link index of a workflow and the immutable snapshots the scheduler reads.

Why an index: every graph query (a node's input links, its children, its ancestors,
the topological order) used to scan every link, so one settings edit on a 200-node
workflow cost hundreds of milliseconds on the GUI thread. :class:`LinkIndex` keeps each
node's incoming and outgoing links, in link order, next to the links themselves.

Why snapshots: the scheduler's worker threads decide what runs next while the GUI
thread edits the graph. :class:`GraphSnapshot` is a frozen copy of the structure
(nodes, links, order), made under the workflow's lock and reused until the structure
changes, so one scheduling pass sees one consistent graph and needs no lock. A
settings edit does not change the structure, so it does not rebuild the snapshot.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from petriflow.core.workflow import Link, WorkflowNode

__all__ = ["GraphSnapshot", "LinkIndex"]


class LinkIndex:
    """Incoming and outgoing links per node id (dicts keep link insertion order).

    Not thread-safe by itself: the workflow changes and reads it under its lock.
    """

    def __init__(self) -> None:
        self.incoming: dict[str, dict[str, Link]] = {}
        self.outgoing: dict[str, dict[str, Link]] = {}

    def add_node(self, node_id: str) -> None:
        self.incoming.setdefault(node_id, {})
        self.outgoing.setdefault(node_id, {})

    def remove_node(self, node_id: str) -> None:
        self.incoming.pop(node_id, None)
        self.outgoing.pop(node_id, None)

    def add_link(self, link: Link) -> None:
        self.outgoing.setdefault(link.source_id, {})[link.id] = link
        self.incoming.setdefault(link.sink_id, {})[link.id] = link

    def remove_link(self, link: Link) -> None:
        self.outgoing.get(link.source_id, {}).pop(link.id, None)
        self.incoming.get(link.sink_id, {}).pop(link.id, None)

    def inputs(self, node_id: str) -> list[Link]:
        return list(self.incoming.get(node_id, {}).values())

    def outputs(self, node_id: str) -> list[Link]:
        return list(self.outgoing.get(node_id, {}).values())

    def children(self, node_id: str, enabled_only: bool = True) -> list[str]:
        """Sink ids of the node's output links, each once, in link order."""
        out = {lk.sink_id: None for lk in self.outgoing.get(node_id, {}).values()
               if lk.enabled or not enabled_only}
        return list(out)

    def parents(self, node_id: str, enabled_only: bool = True) -> list[str]:
        """Source ids of the node's input links, each once, in link order."""
        out = {lk.source_id: None for lk in self.incoming.get(node_id, {}).values()
               if lk.enabled or not enabled_only}
        return list(out)

    def reach(self, node_id: str, downstream: bool, enabled_only: bool = True) -> set[str]:
        """Descendants (``downstream``) or ancestors of ``node_id``, not including it."""
        step = self.children if downstream else self.parents
        seen: set[str] = set()
        stack = [node_id]
        while stack:
            for other in step(stack.pop(), enabled_only):
                if other not in seen:
                    seen.add(other)
                    stack.append(other)
        return seen

    def topological_order(self, node_ids: Iterable[str]) -> list[str]:
        """Kahn's order over all links (enabled or not); ties keep ``node_ids`` order."""
        ids = list(node_ids)
        indeg = {nid: len(self.incoming.get(nid, {})) for nid in ids}
        ready = deque(nid for nid in ids if indeg[nid] == 0)
        order: list[str] = []
        while ready:
            nid = ready.popleft()
            order.append(nid)
            for lk in self.outgoing.get(nid, {}).values():
                indeg[lk.sink_id] -= 1
                if indeg[lk.sink_id] == 0:
                    ready.append(lk.sink_id)
        return order


@dataclass(frozen=True)
class GraphSnapshot:
    """The workflow's structure at one moment: nodes, links (copies) and their order.

    ``nodes`` holds the live :class:`WorkflowNode` objects, so a node's settings and
    title are read as they are when used (settings are replaced, never mutated in
    place); the links are copies, so enabling a link later does not show here.
    """

    version: int
    nodes: Mapping[str, WorkflowNode]
    #: topological order over all links (ties in node insertion order)
    order: tuple[str, ...]
    _inputs: Mapping[str, tuple[Link, ...]]
    _parents: Mapping[str, tuple[str, ...]]
    _children: Mapping[str, tuple[str, ...]]

    @classmethod
    def build(cls, version: int, nodes: Mapping[str, WorkflowNode],
              index: LinkIndex) -> GraphSnapshot:
        """Copy the structure (call under the workflow's lock)."""
        inputs = {nid: tuple(dataclasses.replace(lk) for lk in index.inputs(nid))
                  for nid in nodes}
        parents = {nid: tuple(dict.fromkeys(lk.source_id for lk in links if lk.enabled))
                   for nid, links in inputs.items()}
        children = {nid: tuple(index.children(nid)) for nid in nodes}
        return cls(
            version,
            MappingProxyType(dict(nodes)),
            tuple(index.topological_order(nodes)),
            MappingProxyType(inputs),
            MappingProxyType(parents),
            MappingProxyType(children),
        )

    def input_links(self, node_id: str) -> tuple[Link, ...]:
        return self._inputs.get(node_id, ())

    def parents(self, node_id: str) -> tuple[str, ...]:
        """Sources of the node's *enabled* input links."""
        return self._parents.get(node_id, ())

    def descendants(self, node_id: str) -> set[str]:
        """Nodes downstream of ``node_id`` through enabled links (not including it)."""
        seen: set[str] = set()
        stack = [node_id]
        while stack:
            for child in self._children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen
