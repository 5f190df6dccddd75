"""Custom node views, looked up by the node's qualified name.

The canvas opens ``VIEWS[qualified_name](context)`` on double-click, or the generic
:class:`~petriflow.gui.settings_panel.SettingsPanel` when no view is registered. Views
are registered with :func:`register_view`; a registered view is built from a
:class:`~petriflow.gui.views._facade.NodeFacade` (its own node only), never from the
:class:`ViewContext` the canvas holds.

The view modules are imported on the first lookup, not at start-up: they pull in
matplotlib, scipy and Pillow, which would add a second to every start of the canvas
(``tests/gui/test_files.py::test_startup_does_not_import_heavy_modules``).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PyQt6.QtGui import QUndoStack
    from PyQt6.QtWidgets import QWidget

    from petriflow.core.scheduler import Scheduler
    from petriflow.core.workflow import Workflow
    from petriflow.gui.bridge import SchedulerBridge
    from petriflow.gui.views._facade import NodeFacade

__all__ = ["VIEWS", "NodeViewFactory", "ViewContext", "ViewFactory", "register_view"]


@dataclass
class ViewContext:
    """What the canvas hands over to open a view of ``node_id``.

    Only the :class:`~petriflow.gui.views._facade.NodeFacade` built from it reaches the
    view: the scheduler, workflow, bridge and undo stack stay with the canvas.
    """

    workflow: Workflow
    node_id: str
    scheduler: Scheduler
    bridge: SchedulerBridge
    undo_stack: QUndoStack
    extra: dict[str, Any] | None = None


#: what the canvas calls (``VIEWS`` values)
ViewFactory = Callable[[ViewContext], "QWidget"]
#: what a view module registers: built from its node's facade
NodeViewFactory = Callable[["NodeFacade"], "QWidget"]

#: modules (under this package) that register the built-in views when imported
BUILTIN_VIEW_MODULES = (
    "hierarchical_clustering", "image_viewer", "confusion_matrix", "mds", "pca", "tsne",
    "umap", "image_grid", "scatter_plot", "file", "merge_data", "select_columns", "select_rows",
    "import_images", "image_embedder", "distances", "logistic_regression",
    "data_table", "test_and_score", "predictions", "annotate_images",
)


class _LazyViews(dict):
    """A dict that imports the built-in view modules before the first lookup."""

    _loaded = False

    def _load(self) -> None:
        if not _LazyViews._loaded:
            _LazyViews._loaded = True
            for name in BUILTIN_VIEW_MODULES:
                module = f"{__name__}.{name}"
                try:
                    importlib.import_module(module)
                except ModuleNotFoundError as exc:
                    if exc.name != module:  # a missing dependency, not a missing view
                        logging.getLogger(__name__).exception("cannot load the %s view", name)
                except ImportError:  # e.g. no matplotlib: that node gets the settings panel
                    logging.getLogger(__name__).exception("cannot load the %s view", name)

    def get(self, key, default=None):  # type: ignore[override]
        self._load()
        return super().get(key, default)

    def __getitem__(self, key):  # type: ignore[override]
        self._load()
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:  # type: ignore[override]
        self._load()
        return super().__contains__(key)


#: qualified node name -> factory returning a top-level QWidget
VIEWS: dict[str, ViewFactory] = _LazyViews()


def register_view(qualified_name: str) -> Callable[[NodeViewFactory], NodeViewFactory]:
    """Decorator: ``@register_view("petriflow.distances") def make(node): ...``.

    ``node`` is the view's :class:`~petriflow.gui.views._facade.NodeFacade`; the view
    takes ownership of it (``NodeView`` parents it and releases it on close).
    """

    def deco(factory: NodeViewFactory) -> NodeViewFactory:
        def open_view(ctx: ViewContext) -> QWidget:
            from petriflow.gui.views._facade import NodeFacade

            return factory(NodeFacade(ctx))

        VIEWS[qualified_name] = open_view
        return factory

    return deco
