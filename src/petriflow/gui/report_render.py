"""Pictures of every node's view after a headless run, for ``petriflow run --report``.

Why through the real views: the report must show what the canvas would show (the
dendrogram, the thumbnails, the score table), so each node's registered view (else its
settings panel) is built on the finished run's scheduler, offscreen, left to finish its
background work, and grabbed like "Add to report" does. A view that fails to build or
draw is noted in its item and the others go on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from petriflow.core.atomic import atomic_write_bytes
from petriflow.core.scheduler import Scheduler
from petriflow.core.workflow import Workflow
from petriflow.report import ReportItem, build_html
from petriflow.report.run_items import run_items, run_meta

__all__ = ["render_views", "write_run_report"]

_APP = None


def _application():  # type: ignore[no-untyped-def]
    """The QApplication (made offscreen when there is no display to draw on)."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtWidgets import QApplication

    global _APP
    app = QApplication.instance()
    if app is None:  # kept: a QApplication nobody holds is destroyed at once
        app = _APP = QApplication([sys.argv[0] if sys.argv else "petriflow"])
    return app


def render_views(workflow: Workflow, scheduler: Scheduler, items: list[ReportItem],
                 size: tuple[int, int] = (900, 640)) -> None:
    """Fill each item's picture (items in ``workflow.nodes`` order, from
    :func:`run_items`); a failure is written into the item's ``image_error``."""
    _application()
    from PyQt6.QtCore import Qt, qInstallMessageHandler
    from PyQt6.QtGui import QUndoStack
    from PyQt6.QtWidgets import QApplication

    from petriflow.gui.app import _wait_ready
    from petriflow.gui.bridge import SchedulerBridge
    from petriflow.gui.report_capture import capture_item
    from petriflow.gui.settings_panel import SettingsPanel
    from petriflow.gui.views import VIEWS, ViewContext

    def quiet(kind, context, message):  # type: ignore[no-untyped-def]
        # the offscreen platform says this for every window; it means nothing here
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    previous = qInstallMessageHandler(quiet)
    bridge = SchedulerBridge(scheduler)
    undo = QUndoStack()
    for node, item in zip(workflow.nodes, items, strict=True):
        widget = None
        try:
            factory = VIEWS.get(node.qualified_name)
            if factory is not None:
                widget = factory(ViewContext(workflow, node.id, scheduler, bridge, undo))
            else:
                widget = SettingsPanel(workflow, node.id, undo)
            widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
            widget.resize(*size)
            widget.show()
            _wait_ready(widget)
            shot = capture_item(widget, workflow, node.id, scheduler)
            item.image, item.image_error = shot.image, shot.image_error
            if shot.summary and factory is not None:
                item.summary = shot.summary  # the view's own report_summary()
        except Exception as exc:  # noted in the report; the other views go on
            item.image = None
            item.image_error = f"{type(exc).__name__}: {exc}"
        finally:
            if widget is not None:
                widget.close()
                widget.deleteLater()
            QApplication.processEvents()
    bridge.close()
    qInstallMessageHandler(previous)


def write_run_report(workflow: Workflow, scheduler: Scheduler, path: Path,
                     elapsed: float, *, pictures: bool = True) -> list[ReportItem]:
    """Write ``path``: the run's report, one item per node with its view's picture."""
    items = run_items(workflow, scheduler)
    if pictures:
        render_views(workflow, scheduler, items)
    else:
        for item in items:
            item.image_error = "PyQt6 is not installed here: views cannot be drawn"
    title = f"Petriflow report: {workflow.path.name}" if workflow.path else "Petriflow report"
    html = build_html(items, title=title, meta=run_meta(workflow, scheduler, elapsed))
    atomic_write_bytes(Path(path), html.encode("utf-8"))
    return items
