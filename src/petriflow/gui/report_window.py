"""The report window: the items a user added, in order, with comments; saved as one
self-contained HTML file or a PDF, or printed.

Why one window per main window: a report belongs to the session's workflow, as Orange's
does; it lives as long as the main window and survives its own closing (closing only
hides it). The HTML comes from :func:`petriflow.report.build_html`, the same as
``petriflow run --report`` writes; the PDF and the printout are that HTML laid out by
``QTextDocument``, so all three show the same thing and nothing is fetched from the net.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PyQt6.QtCore import QMarginsF, QRectF, QSize, QSizeF, Qt, QTimer
from PyQt6.QtGui import (
    QAction,
    QColor,
    QIcon,
    QPageLayout,
    QPageSize,
    QPainter,
    QPixmap,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PyQt6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from petriflow.core.atomic import atomic_write, atomic_write_bytes
from petriflow.core.status import counted
from petriflow.gui.report_list import ReportList
from petriflow.report import ReportItem, build_html

if TYPE_CHECKING:
    from PyQt6.QtGui import QPagedPaintDevice

    from petriflow.gui.mainwindow import MainWindow

__all__ = ["ReportWindow", "install_report", "print_document", "report_window",
           "write_pdf"]

#: role of a list entry holding its ReportItem
ITEM_ROLE = Qt.ItemDataRole.UserRole


def _document(html: str) -> QTextDocument:
    doc = QTextDocument()
    doc.setHtml(html)  # data: URIs are decoded by QTextDocument itself: no network
    return doc


def _lay_out(doc: QTextDocument, device: QPagedPaintDevice) -> None:
    device.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    device.setPageMargins(QMarginsF(15, 15, 15, 12), QPageLayout.Unit.Millimeter)
    paginate(doc, device)


def keep_headings_with_pictures(doc: QTextDocument, page_height: float) -> int:
    """Start an item on a new page when its heading would be left at the foot of one
    page and its picture on the next (an item from its heading to its caption is kept
    on one page when it fits one); returns how many page breaks were added."""
    layout = doc.documentLayout()
    added = 0
    doc.pageCount()  # the whole layout now: it is lazy, and positions must be final
    block = doc.begin()
    while block.isValid():
        if block.blockFormat().headingLevel() != 2:
            block = block.next()
            continue
        end = block.next()  # up to the caption, or the next heading
        while (end.isValid() and end.blockFormat().headingLevel() == 0
               and not end.text().startswith("Figure ")):
            end = end.next()
        if not end.isValid() or end.blockFormat().headingLevel():
            block = end
            continue
        top = layout.blockBoundingRect(block).top()
        bottom = layout.blockBoundingRect(end).bottom()
        fits = bottom - top <= page_height
        if fits and int(top // page_height) != int((bottom - 1) // page_height):
            cursor = QTextCursor(block)
            fmt = block.blockFormat()
            fmt.setPageBreakPolicy(QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore)
            cursor.setBlockFormat(fmt)
            doc.pageCount()  # laid out again from here on
            added += 1
        block = end.next()
    return added


def paginate(doc: QTextDocument, device: QPagedPaintDevice) -> int:
    """Draw ``doc`` on ``device``'s pages (its page size and margins) with "page / of"
    at the foot of each; returns the number of pages.

    Why not ``QTextDocument.print``: it adds its own 2 cm margin inside the page's, so
    a picture as wide as the report's column (620 px) was cut at the right edge.
    """
    res = device.resolution() if hasattr(device, "resolution") else 96
    area = device.pageLayout().paintRectPixels(res)
    foot = res // 4  # a quarter inch for the page number
    doc.documentLayout().setPaintDevice(device)
    body = QSizeF(area.width(), area.height() - foot)
    doc.setPageSize(body)
    keep_headings_with_pictures(doc, body.height())
    pages = doc.pageCount()  # after a full layout (drawContents draws what is laid out)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("the printer or file could not be opened for drawing")
    try:
        for page in range(pages):
            if page:
                device.newPage()
            painter.save()
            top = page * body.height()
            painter.translate(0, -top)
            doc.drawContents(painter, QRectF(0, top, body.width(), body.height()))
            painter.restore()
            painter.setPen(QColor("#666"))
            painter.drawText(QRectF(0, body.height(), body.width(), foot),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
                             f"{page + 1} / {pages}")
    finally:
        painter.end()
    return pages


def write_pdf(html: str, path: str | Path) -> Path:
    """Lay ``html`` out on A4 pages into a PDF at ``path`` (atomically, offline)."""
    from PyQt6.QtGui import QPdfWriter

    def write(tmp: Path) -> None:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(150)
        writer.setTitle("Petriflow report")
        writer.setCreator("Petriflow")
        _lay_out(_document(html), writer)
        del writer  # the file is finished when the writer goes

    return atomic_write(path, write)


def print_document(html: str, parent: QWidget | None = None) -> bool:
    """Print ``html`` after the user picked a printer (not in tests: a modal dialog)."""
    from PyQt6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    paginate(_document(html), printer)  # the page size and margins the user chose
    return True


class ReportWindow(QWidget):
    """Lists the items (drag or Up/Down to reorder, Delete), edits the selected item's
    comment, previews the report and saves it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("Report")
        self.resize(1000, 680)
        self.list = ReportList()
        self.list.setObjectName("report-items")
        self.list.setIconSize(QSize(64, 48))
        self.list.move_requested.connect(self.move_item)
        self.list.delete_requested.connect(self.delete_current)
        self.list.currentRowChanged.connect(self._show_comment)
        self.list.currentRowChanged.connect(lambda *_: self._update_buttons())
        self.list.itemClicked.connect(lambda *_: self.show_current())
        self.up_button = QPushButton("Up")
        self.up_button.setToolTip("Move the selected item up (Alt+Up)")
        self.down_button = QPushButton("Down")
        self.down_button.setToolTip("Move the selected item down (Alt+Down)")
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Remove the selected item from the report (Delete)")
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(1))
        self.delete_button.clicked.connect(self.delete_current)
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("report-comment")
        self.comment.setPlaceholderText("Comment on the selected item…")
        self.comment.setMaximumHeight(110)
        self.comment.textChanged.connect(self._comment_edited)
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.save_html_button = QPushButton("Save HTML…")
        self.save_pdf_button = QPushButton("Save PDF…")
        self.print_button = QPushButton("Print…")
        self.save_html_button.clicked.connect(self._ask_html)
        self.save_pdf_button.clicked.connect(self._ask_pdf)
        self.print_button.clicked.connect(lambda: print_document(self.html(), self))
        self.status = QLabel()

        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(QLabel("Items (drag or Alt+Up/Down to reorder)"))
        lv.addWidget(self.list, 1)
        row = QHBoxLayout()
        for b in (self.up_button, self.down_button, self.delete_button):
            row.addWidget(b)
        lv.addLayout(row)
        lv.addWidget(QLabel("Comment"))
        lv.addWidget(self.comment)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(self.preview)
        split.setSizes([300, 700])
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        for b in (self.save_html_button, self.save_pdf_button, self.print_button):
            bottom.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self._updating = False
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(400)
        self._preview_timer.timeout.connect(self.refresh)
        self.refresh()

    # ------------------------------------------------------------------ the items
    def items(self) -> list[ReportItem]:
        """The items in the order the list shows them."""
        out = []
        for row in range(self.list.count()):
            entry = self.list.item(row)
            if entry is not None:
                out.append(entry.data(ITEM_ROLE))
        return out

    def add_item(self, item: ReportItem, show: bool = False) -> None:
        """Append ``item`` and select it (so its comment can be typed at once)."""
        entry = QListWidgetItem(item.title)
        entry.setData(ITEM_ROLE, item)
        entry.setFlags(entry.flags() & ~Qt.ItemFlag.ItemIsDropEnabled)  # moved, not nested
        if item.image is not None:
            pixmap = QPixmap()
            pixmap.loadFromData(item.image, "PNG")
            entry.setIcon(QIcon(pixmap))
        self.list.addItem(entry)
        self.list.setCurrentItem(entry)
        self.refresh()
        self.show_current()  # the new item in the preview, where its comment will show
        if show:
            self.show()
            self.raise_()
            self.activateWindow()

    def show_current(self) -> None:
        """Scroll the preview to the selected item's heading (a click on an item in the
        list shows it; typing a comment does not move the preview)."""
        row = self.list.currentRow()
        bar = self.preview.verticalScrollBar()
        if row == 0 and bar is not None:
            bar.setValue(0)  # the first item with the report's title above it
        elif row > 0:
            self.preview.scrollToAnchor(f"item-{row + 1}")

    def move_current(self, step: int) -> None:
        """Move the selected item ``step`` places (Up: -1, Down: +1)."""
        row = self.list.currentRow()
        if row >= 0:
            self.move_item(row, row + step)

    def move_item(self, row: int, target: int) -> None:
        """Move the item at ``row`` so that it ends up at ``target`` and select it
        (buttons, Alt+Up/Down and drag and drop all come here)."""
        if not (0 <= row < self.list.count() and 0 <= target < self.list.count()):
            return
        if row != target:
            entry = self.list.takeItem(row)
            self.list.insertItem(target, entry)
        self.list.setCurrentRow(target)
        self.refresh()
        self.show_current()  # where it went

    def delete_current(self) -> None:
        row = self.list.currentRow()
        if row >= 0:
            self.list.takeItem(row)
            self.refresh()

    def _show_comment(self, row: int) -> None:
        entry = self.list.item(row) if row >= 0 else None
        self._updating = True
        try:
            self.comment.setPlainText(entry.data(ITEM_ROLE).comment if entry else "")
            self.comment.setEnabled(entry is not None)
        finally:
            self._updating = False

    def _comment_edited(self) -> None:
        entry = self.list.currentItem()
        if self._updating or entry is None:
            return
        item: ReportItem = entry.data(ITEM_ROLE)
        item.comment = self.comment.toPlainText()
        self._preview_timer.start()  # typing must not redraw every picture per key

    # ------------------------------------------------------------------ output
    def html(self) -> str:
        """The report as saved: titled by the main window's workflow file, if saved,
        whose full path is the first line under the title (where the work lives)."""
        workflow = getattr(self.parent(), "workflow", None)
        path = getattr(workflow, "path", None)
        title = f"Petriflow report: {Path(path).name}" if path else "Petriflow report"
        meta = [f"Workflow: {path}"] if path else []
        return build_html(self.items(), title=title, meta=meta)

    def refresh(self) -> None:
        """Redraw the preview (keeping its scroll position) and the buttons' states."""
        bar = self.preview.verticalScrollBar()
        pos = bar.value() if bar is not None else 0
        self.preview.setHtml(self.html())
        if bar is not None:
            bar.setValue(pos)
        self._update_buttons()

    def _update_buttons(self) -> None:
        n = self.list.count()
        row = self.list.currentRow()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < n - 1)
        self.delete_button.setEnabled(row >= 0)
        for b in (self.save_html_button, self.save_pdf_button, self.print_button):
            b.setEnabled(n > 0)
        self.status.setText(counted(n, 'item'))

    def save_html(self, path: str | Path) -> Path:
        """Write the report as one self-contained HTML file."""
        return atomic_write_bytes(path, self.html().encode("utf-8"))

    def save_pdf(self, path: str | Path) -> Path:
        return write_pdf(self.html(), path)

    def _ask_html(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save report", "report.html",
                                              "HTML file (*.html)")
        if path:
            self._save(self.save_html, path if Path(path).suffix else path + ".html")

    def _ask_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save report as PDF", "report.pdf",
                                              "PDF file (*.pdf)")
        if path:
            self._save(self.save_pdf, path if Path(path).suffix else path + ".pdf")

    def _save(self, save, path: str) -> None:  # type: ignore[no-untyped-def]
        try:
            written = save(path)
        except OSError as exc:
            self.status.setText(f"Not saved: {exc.strerror or exc}")
            return
        self.status.setText(f"Saved {written}")

    def closeEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        """Closing hides the window: the items stay for the rest of the session."""
        event.ignore()
        self.hide()


def report_window(window: MainWindow) -> ReportWindow:
    """The main window's report (made on first use)."""
    existing = getattr(window, "_report_window", None)
    if isinstance(existing, ReportWindow):
        return existing
    created = ReportWindow(window)
    window._report_window = created  # type: ignore[attr-defined]
    return created


def install_report(window: MainWindow) -> QMenu:
    """The Report menu: Show Report (Ctrl+Shift+R)."""
    bar = window.menuBar()
    assert bar is not None
    menu = QMenu("&Report", window)
    help_action = window.help_menu.menuAction() if hasattr(window, "help_menu") else None
    if help_action is not None:
        bar.insertMenu(help_action, menu)  # before Help, where menus end
    else:
        bar.addMenu(menu)
    act = QAction("Show &Report", window)
    act.setShortcut("Ctrl+Shift+R")
    act.setStatusTip("The items added with 'Add to report' in the node windows")
    act.triggered.connect(lambda *_: report_window(window).show() or
                          report_window(window).raise_())
    window.addAction(act)
    menu.addAction(act)
    window.report_menu = menu  # type: ignore[attr-defined]
    window.show_report_action = act  # type: ignore[attr-defined]
    return menu
