"""Turning a node's open view into a report item, and "Add to report" in every view.

Why here and not in each view: every node window (a registered view or the generic
settings panel) is built in :mod:`petriflow.gui.node_windows`, which calls
:func:`add_view_report` once, so no view can lack the button. A view may refine what
goes in: ``report_widget()`` (the area to picture; by default the plot or table its
export actions save, else the whole view) and ``report_summary()`` (lines of words; by
default its node type's summary — rows, classes, scores, selection —
:mod:`petriflow.report.summaries`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PyQt6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt
from PyQt6.QtGui import QAction, QImage, QPainter, QPixmap
from PyQt6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from petriflow.core.scheduler import Scheduler
from petriflow.core.workflow import Workflow
from petriflow.gui.help_menu import CornerButton, bottom_row_layout
from petriflow.report import ReportItem
from petriflow.report.summaries import node_words

if TYPE_CHECKING:
    from petriflow.gui.mainwindow import MainWindow

__all__ = ["add_view_report", "capture_item", "picture", "pixmap_png",
           "report_image_widget"]


def pixmap_png(pixmap: QPixmap) -> bytes:
    """A pixmap as PNG bytes (what :class:`ReportItem` carries: no Qt in reports)."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not pixmap.save(buf, "PNG"):
        raise OSError("the picture could not be encoded as PNG")
    buf.close()
    return bytes(data.data())


def report_image_widget(view: QWidget) -> QWidget:
    """The part of ``view`` a report pictures: its ``report_widget()``, else the plot or
    table its export actions save (``export_image``), else the whole view."""
    hook = getattr(view, "report_widget", None)
    if callable(hook):
        widget = hook()
        if isinstance(widget, QWidget):
            return widget
    image = getattr(view, "export_image", None)
    return image if isinstance(image, QWidget) else view


def _own_summary(view: QWidget) -> bool:
    """Whether ``view`` words its summary itself (overrides ``report_summary``) rather
    than leaving it to its node type's words (:mod:`petriflow.report.summaries`)."""
    from petriflow.gui.views._common import NodeView

    own = getattr(type(view), "report_summary", None)
    return callable(own) and own is not NodeView.report_summary


def capture_item(view: QWidget, workflow: Workflow, node_id: str,
                 scheduler: Scheduler | None) -> ReportItem:
    """The node as ``view`` shows it now: picture, settings in words, summary.

    A picture that cannot be taken is noted in the item (``image_error``) instead of
    failing the whole report.
    """
    node = workflow.node(node_id)
    outputs = dict(scheduler.outputs(node_id)) if scheduler is not None else {}
    inputs = dict(scheduler.inputs(node_id)) if scheduler is not None else {}
    item = ReportItem(title=node.title, node_type=node.type_name)
    try:
        item.settings, item.summary = node_words(node, inputs, outputs)
        if _own_summary(view):
            item.summary = [str(line) for line in view.report_summary()]  # type: ignore[attr-defined]
    except Exception as exc:  # a view's own hook must not lose the item
        item.summary = [f"(no summary: {type(exc).__name__}: {exc})"]
    if scheduler is not None:  # what the node says about its run ("3 images skipped")
        status = scheduler.status(node_id)
        item.details = ([status.message] if status.message else []) + [
            f"warning: {w}" for w in status.warnings if w != status.message]
    try:
        item.image = pixmap_png(picture(view))
    except Exception as exc:
        item.image_error = str(exc) or type(exc).__name__
    return item


#: widest picture kept (px): twice what a report page shows, sharp when printed, and
#: a full-screen window does not make a report of many megabytes
MAX_PICTURE_WIDTH = 1240


def picture(view: QWidget) -> QPixmap:
    """What "Add to report" pictures of ``view``: its plot or table
    (:func:`report_image_widget`) with the legend under it when the view has one
    (``view.legend``: a projection's classes), or the whole view without its bottom
    row of "Add to report" and "?" (buttons mean nothing on paper) and with its tall
    empty bands cut short; scaled down to :data:`MAX_PICTURE_WIDTH`."""
    widget = report_image_widget(view)
    pixmap = widget.grab()
    if pixmap.isNull() or pixmap.width() == 0 or pixmap.height() == 0:
        raise OSError("the view has no visible area")
    if widget is view:
        background = view.palette().window().color().rgb()
        pixmap = _collapse_blank(_without_buttons(view, pixmap), background)
    else:
        legend = getattr(view, "legend", None)
        if (isinstance(legend, QWidget) and legend.isVisibleTo(view)
                and legend.height() > 0 and not widget.isAncestorOf(legend)):
            pixmap = _stacked(pixmap, legend.grab())
    if pixmap.width() > MAX_PICTURE_WIDTH:
        pixmap = pixmap.scaledToWidth(MAX_PICTURE_WIDTH,
                                      Qt.TransformationMode.SmoothTransformation)
    return pixmap


def _without_buttons(view: QWidget, pixmap: QPixmap) -> QPixmap:
    """``pixmap`` of the whole ``view`` cut above its bottom button row."""
    tops = [b.mapTo(view, QPoint(0, 0)).y() for name in ("report-button", "help-button")
            if (b := view.findChild(QToolButton, name)) is not None and b.isVisibleTo(view)]
    if not tops:
        return pixmap
    top = min(tops)
    ratio = pixmap.height() / max(1, view.height())
    if top < view.height() - 48:  # not a bottom row (an overlaid corner button): keep all
        return pixmap
    return pixmap.copy(0, 0, pixmap.width(), max(1, round((top - 2) * ratio)))


def _collapse_blank(pixmap: QPixmap, background: int, margin: int = 8) -> QPixmap:
    """``pixmap`` with every band of empty rows (all ``background``, as RGB32) taller
    than three margins cut to two: a settings form fills the top of a tall window and
    its status line the foot; the space between is a blank half page on paper."""
    import numpy as np

    image = pixmap.toImage().convertToFormat(QImage.Format.Format_RGB32)
    ptr = image.constBits()
    if ptr is None or image.height() < 4 * margin:
        return pixmap
    ptr.setsize(image.sizeInBytes())
    rows = np.frombuffer(ptr, dtype=np.uint32).reshape(image.height(),
                                                        image.bytesPerLine() // 4)
    blank = np.all(rows[:, : image.width()] == np.uint32(background), axis=1)
    keep = np.ones(len(rows), dtype=bool)
    start = None
    for y, empty in enumerate([*blank.tolist(), False]):
        if empty and start is None:
            start = y
        elif not empty and start is not None:
            if y - start > 3 * margin:
                keep[start + margin: y - margin] = False
            start = None
    if keep.all():
        return pixmap
    kept = np.ascontiguousarray(rows[keep])
    out = QImage(kept.data, image.width(), len(kept), kept.strides[0],
                 QImage.Format.Format_RGB32).copy()  # own the pixels before kept goes
    result = QPixmap.fromImage(out)
    result.setDevicePixelRatio(pixmap.devicePixelRatio())
    return result


def _stacked(top: QPixmap, bottom: QPixmap) -> QPixmap:
    """``bottom`` under ``top`` on white, as one picture."""
    if bottom.isNull():
        return top
    out = QPixmap(max(top.width(), bottom.width()), top.height() + bottom.height())
    out.setDevicePixelRatio(top.devicePixelRatio())
    out.fill(Qt.GlobalColor.white)
    painter = QPainter(out)
    painter.drawPixmap(0, 0, top)
    painter.drawPixmap(0, round(top.height() / max(1e-9, top.devicePixelRatio())), bottom)
    painter.end()
    return out


def add_view_report(view: QWidget, node_id: str, window: MainWindow) -> QToolButton:
    """An "Add to report" button (and context-menu action) in a node's window.

    The item goes to ``window``'s report (one per main window), which comes to the
    front so the user sees what was added and can comment on it.
    """
    act = QAction("Add to report", view)
    act.setToolTip("Add this view, its settings and a summary to the report")

    def add() -> None:
        doc = window.document
        item = capture_item(view, doc.workflow, node_id, doc.scheduler)
        from petriflow.gui.report_window import report_window

        report_window(window).add_item(item, show=True)

    act.triggered.connect(lambda *_: add())
    view.addAction(act)
    button = QToolButton(view)
    button.setObjectName("report-button")
    button.setDefaultAction(act)
    button.setAutoRaise(True)
    layout = bottom_row_layout(view)
    if layout is not None:
        # one bottom row: [Add to report][?] (the "?" of gui/help_menu.py joins it)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addStretch(1)
        row.addWidget(button)
        help_button = view.findChild(QToolButton, "help-button")
        if help_button is not None and layout.indexOf(help_button) >= 0:
            layout.removeWidget(help_button)
            row.addWidget(help_button)
        layout.addLayout(row)
    else:
        CornerButton(view, button, offset=28)  # the "?" sits in the last 24 px
    view.report_action = act  # type: ignore[attr-defined]
    return button
