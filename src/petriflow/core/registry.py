"""The registry of node types, looked up by stable qualified name.

Built-in nodes are listed explicitly in :data:`BUILTIN_MODULES` (import order = toolbox
order within a category); add-ons register through the ``petriflow.nodes`` entry-point
group. Importing the registry imports no node module: :func:`default_registry` does that
lazily, so ``petriflow inspect`` stays fast and a broken add-on cannot break start-up.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable, Iterator

from petriflow.core.node import Node

__all__ = ["BUILTIN_MODULES", "CATEGORIES", "NodeRegistry", "default_registry"]

log = logging.getLogger(__name__)

#: Toolbox categories in display order.
CATEGORIES = ("Data", "Images", "Unsupervised", "Model", "Evaluate", "Other")

#: Modules under ``petriflow.nodes`` that define built-in nodes. A module listed here
#: that is missing (not written yet) is skipped with a log line, not an error.
BUILTIN_MODULES: tuple[str, ...] = (
    "file",
    "merge_data",
    "select_columns",
    "select_rows",
    "scatter_plot",
    "import_images",
    "illumination_correction",
    "image_embedder",
    "image_viewer",
    "image_grid",
    "annotate_images",
    "save_images",
    "data_table",
    "save_data",
    "aggregate_profiles",
    "distances",
    "hierarchical_clustering",
    "mds",
    "pca",
    "tsne",
    "umap",
    "logistic_regression",
    "knn",
    "svm",
    "random_forest",
    "neural_network",
    "naive_bayes",
    "save_model",
    "load_model",
    "test_and_score",
    "predictions",
    "confusion_matrix",
)


class NodeRegistry:
    """Node classes by qualified name (and by the Orange names they replace)."""

    def __init__(self, nodes: Iterable[type[Node]] = ()) -> None:
        self._nodes: dict[str, type[Node]] = {}
        self._aliases: dict[str, str] = {}
        for cls in nodes:
            self.register(cls)

    def register(self, cls: type[Node]) -> type[Node]:
        """Add a node class; usable as a decorator. Names must be unique."""
        qn = cls.qualified_name
        if not qn:
            raise ValueError(f"{cls.__name__} has no qualified_name")
        if qn in self._nodes and self._nodes[qn] is not cls:
            raise ValueError(f"two node types share the qualified name {qn!r}")
        self._nodes[qn] = cls
        for old in cls.replaces:
            self._aliases.setdefault(old, qn)
        return cls

    def get(self, qualified_name: str) -> type[Node] | None:
        """The node class for a qualified name or a replaced (e.g. Orange) name."""
        cls = self._nodes.get(qualified_name)
        if cls is None and qualified_name in self._aliases:
            cls = self._nodes[self._aliases[qualified_name]]
        return cls

    def __contains__(self, qualified_name: str) -> bool:
        return self.get(qualified_name) is not None

    def __iter__(self) -> Iterator[type[Node]]:
        return iter(self._nodes.values())

    def __len__(self) -> int:
        return len(self._nodes)

    def by_category(self) -> dict[str, list[type[Node]]]:
        """Node classes grouped by category in toolbox order."""
        groups: dict[str, list[type[Node]]] = {c: [] for c in CATEGORIES}
        for cls in self._nodes.values():
            groups.setdefault(cls.category, []).append(cls)
        for items in groups.values():
            items.sort(key=lambda c: (c.priority, c.name))
        return {k: v for k, v in groups.items() if v}

    def find_by_name(self, name: str) -> type[Node] | None:
        """A node class by its display name (case-insensitive)."""
        low = name.lower()
        for cls in self._nodes.values():
            if cls.name.lower() == low:
                return cls
        return None


_default: NodeRegistry | None = None


def default_registry() -> NodeRegistry:
    """The registry of built-in nodes plus installed add-ons (built once, lazily)."""
    global _default
    if _default is None:
        reg = NodeRegistry()
        for mod_name in BUILTIN_MODULES:
            _register_module(reg, f"petriflow.nodes.{mod_name}")
        _register_entry_points(reg)
        _default = reg
    return _default


def _register_module(reg: NodeRegistry, module: str) -> None:
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            log.debug("node module %s is not available", module)
            return
        raise
    for obj in vars(mod).values():
        if (
            isinstance(obj, type)
            and issubclass(obj, Node)
            and obj is not Node
            and obj.qualified_name
            and obj.__module__ == mod.__name__
        ):
            reg.register(obj)


def _register_entry_points(reg: NodeRegistry) -> None:
    from importlib.metadata import entry_points

    for ep in entry_points(group="petriflow.nodes"):
        try:
            obj = ep.load()
        except Exception:  # an add-on that fails to import must not break the app
            log.exception("could not load node add-on %s", ep.name)
            continue
        classes = obj if isinstance(obj, list | tuple) else [obj]
        for cls in classes:
            reg.register(cls)
