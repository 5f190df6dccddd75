"""Which Orange widget becomes which Petriflow node, and how their channels line up.

Both are declared by the nodes themselves, so there is no second list to keep in sync:

* a node's ``replaces`` lists the Orange qualified names it stands in for. Orange renames
  widgets over the years and keeps the old names in each widget's own ``replaces`` list
  (read from Orange 3.40 and Orange3-ImageAnalytics 0.13); the node lists all of them.
  :func:`orange_widgets` collects those that name an Orange widget (``Orange.`` or
  ``orangecontrib.``) into the map used when opening a file. Widgets not in it open as
  placeholders (see ``core/ows.py``).
* channel names mostly agree already (the nodes were modelled on Orange's widgets, with
  the same channel ids); a node's ``orange_channels`` holds the differences, including
  Orange's own old channel names (``Classifier``/``Predictor`` for a learner's model,
  ``Transformed data``). Lookup order for a link end: Orange's channel id, those renames,
  then our names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from petriflow.core.registry import NodeRegistry, default_registry

__all__ = [
    "CHANNEL_RENAMES",
    "ORANGE_PREFIXES",
    "ORANGE_WIDGETS",
    "orange_channel",
    "orange_channel_renames",
    "orange_widgets",
    "our_qualified_name",
]

#: qualified names of Orange's widgets (core and add-ons) start with one of these
ORANGE_PREFIXES = ("Orange.", "orangecontrib.")


def orange_widgets(registry: NodeRegistry | None = None) -> dict[str, str]:
    """Orange qualified name (current and every old name) -> our node's qualified name.

    Built from the ``replaces`` of each node in ``registry`` (default: the built-in nodes
    and add-ons); the first node registered for a name keeps it, as in the registry.
    """
    registry = registry if registry is not None else default_registry()
    table: dict[str, str] = {}
    for cls in registry:
        for old in cls.replaces:
            if old.startswith(ORANGE_PREFIXES):
                table.setdefault(old, cls.qualified_name)
    return table


def orange_channel_renames(node_type: Any) -> dict[str, dict[str, str]]:
    """A node's ``{"inputs"|"outputs": {Orange channel name or id: our channel name}}``."""
    renames = getattr(node_type, "orange_channels", None)
    return renames if isinstance(renames, dict) else {}


def our_qualified_name(orange_name: str, registry: NodeRegistry | None = None) -> str | None:
    """Our node's qualified name for an Orange widget, or None when we have none."""
    return orange_widgets(registry).get(orange_name)


def orange_channel(node_type: Any, channel_id: str | None, name: str, *, output: bool
                   ) -> str | None:
    """Our channel name for one end of an Orange link, or None when there is none.

    Tries Orange's channel id, then the node's renames, then our own names and ids.
    """
    find = node_type.output if output else node_type.input
    renames = orange_channel_renames(node_type).get("outputs" if output else "inputs", {})
    for key in (channel_id, name):
        if not key:
            continue
        if key in renames and find(renames[key]) is not None:
            return find(renames[key]).name
        ch = find(key)
        if ch is not None:
            return ch.name
    return None


class _FromDefaultRegistry(Mapping[str, Any]):
    """A read-only table built from the default registry on first use.

    Lazily, because building it imports every node module (and add-ons); for another
    registry call :func:`orange_widgets` / :func:`orange_channel_renames` directly.
    """

    def __init__(self, build: Callable[[NodeRegistry], dict[str, Any]]) -> None:
        self._build = build
        self._table: dict[str, Any] | None = None

    def _data(self) -> dict[str, Any]:
        if self._table is None:
            self._table = self._build(default_registry())
        return self._table

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())


#: Orange qualified name -> our node, for the default registry (see :func:`orange_widgets`)
ORANGE_WIDGETS: Mapping[str, str] = _FromDefaultRegistry(orange_widgets)
#: our node -> its ``orange_channels``, for the nodes of the default registry that have any
CHANNEL_RENAMES: Mapping[str, dict[str, dict[str, str]]] = _FromDefaultRegistry(
    lambda registry: {cls.qualified_name: orange_channel_renames(cls) for cls in registry
                      if orange_channel_renames(cls)})
