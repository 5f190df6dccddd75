"""The report window (issue 18.2) driven as a user does: a drag started with the mouse
and dropped between two items, Alt+Up/Alt+Down and Delete on the list, a PDF that is
read back (pages, text, pictures), printing through the real print dialog, and the
summaries "Add to report" writes for several views of a real workflow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PyQt6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer
from PyQt6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage
from PyQt6.QtPdf import QPdfDocument
from PyQt6.QtPrintSupport import QPrintDialog
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
)

from petriflow.core.registry import default_registry
from petriflow.gui.report_list import MIME
from petriflow.gui.report_window import ReportWindow, report_window
from petriflow.report import ReportItem
from petriflow.report.html import png_size
from tests.gui.test_report import click_add, parse, titles, window_with_views  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def png(colour: str) -> bytes:
    """A small real picture (so the list shows icons and the report embeds images)."""
    from PyQt6.QtGui import QColor, QPixmap

    from petriflow.gui.report_capture import pixmap_png

    pixmap = QPixmap(120, 80)
    pixmap.fill(QColor(colour))
    return pixmap_png(pixmap)


@pytest.fixture
def four(qtbot) -> ReportWindow:
    rw = ReportWindow()
    qtbot.addWidget(rw)
    for title, colour in zip("ABCD", ("red", "green", "blue", "orange"), strict=True):
        rw.add_item(ReportItem(title=title, image=png(colour), summary=[f"{title} rows"]))
    rw.show()
    qtbot.waitExposed(rw)
    return rw


def center(rw: ReportWindow, row: int) -> QPoint:
    item = rw.list.item(row)
    assert item is not None
    return rw.list.visualItemRect(item).center()


def start_drag(qtbot, rw: ReportWindow, row: int) -> QMimeData:
    """Press on ``row`` and move past the drag distance: the list starts its drag
    (offscreen, Qt's platform drag ends at once; the payload stays for the drop)."""
    viewport = rw.list.viewport()
    start = center(rw, row)
    rw.list.last_drag = None
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     start)
    step = QApplication.startDragDistance() + 2
    for i in range(1, 5):
        QTest.mouseMove(viewport, start + QPoint(0, i * step // 2))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                       start + QPoint(0, 2 * step))
    data = rw.list.last_drag
    assert data is not None, "the mouse did not start a drag"
    return data


def drop(rw: ReportWindow, data: QMimeData, pos: QPoint) -> bool:
    """Deliver a drag's enter, move and drop at viewport ``pos``, as the platform
    does; True when the list took the drop."""
    viewport = rw.list.viewport()
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, actions, data, left, none)
    QApplication.sendEvent(viewport, enter)
    if not enter.isAccepted():
        return False
    move = QDragMoveEvent(pos, actions, data, left, none)
    QApplication.sendEvent(viewport, move)
    assert rw.list._drop_at == rw.list.drop_place(pos)  # the line where it will land
    event = QDropEvent(QPointF(pos), actions, data, left, none)
    QApplication.sendEvent(viewport, event)
    return event.isAccepted()


def test_drag_an_item_with_the_mouse_between_two_others(four, qtbot):
    if QApplication.platformName() != "offscreen":  # tests run offscreen (RULES)
        pytest.skip("on a display the platform's drag waits for the real pointer")
    rw = four
    data = start_drag(qtbot, rw, 0)
    assert rw.list.source_row(data) == 0
    below_c = center(rw, 2) + QPoint(0, 3)  # lower half of C: A goes after C
    assert drop(rw, data, below_c)
    assert titles(rw) == ["B", "C", "A", "D"]
    assert rw.list.currentRow() == 2  # the moved item stays selected
    assert [h for h in parse(rw.html()).headings] == ["1. B", "2. C", "3. A", "4. D"]
    assert "1. B" in rw.preview.toPlainText().split("2. C")[0]  # the preview followed

    # D dragged onto the upper half of B: before it
    data = start_drag(qtbot, rw, 3)
    assert drop(rw, data, center(rw, 0) - QPoint(0, 3))
    assert titles(rw) == ["D", "B", "C", "A"]

    # below the last item: to the end
    data = start_drag(qtbot, rw, 0)
    last = rw.list.visualItemRect(rw.list.item(3))
    assert drop(rw, data, QPoint(last.center().x(), last.bottom() + 20))
    assert titles(rw) == ["B", "C", "A", "D"]
    # dropped on itself: nothing moves
    data = start_drag(qtbot, rw, 1)
    assert drop(rw, data, center(rw, 1))
    assert titles(rw) == ["B", "C", "A", "D"]
    assert rw.list._drop_at == -1  # no indicator left behind


def test_a_drop_from_elsewhere_is_refused(four, qtbot):
    rw = four
    other = ReportWindow()
    qtbot.addWidget(other)
    other.add_item(ReportItem(title="X"))
    foreign = other.list.mimeData([other.list.item(0)])  # another window's item 0
    assert not drop(rw, foreign, center(rw, 2))
    text = QMimeData()
    text.setText("hello")
    assert not drop(rw, text, center(rw, 2))
    assert not text.hasFormat(MIME)
    assert titles(rw) == ["A", "B", "C", "D"]


def test_keyboard_reorder_and_delete(four, qtbot):
    rw = four
    rw.list.setFocus()
    QTest.mouseClick(rw.list.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, center(rw, 0))
    assert rw.list.currentRow() == 0 and not rw.up_button.isEnabled()
    alt = Qt.KeyboardModifier.AltModifier
    QTest.keyClick(rw.list, Qt.Key.Key_Down, alt)
    QTest.keyClick(rw.list, Qt.Key.Key_Down, alt)
    assert titles(rw) == ["B", "C", "A", "D"] and rw.list.currentRow() == 2
    QTest.keyClick(rw.list, Qt.Key.Key_Up, alt)
    assert titles(rw) == ["B", "A", "C", "D"]
    QTest.keyClick(rw.list, Qt.Key.Key_Up, alt)
    QTest.keyClick(rw.list, Qt.Key.Key_Up, alt)  # at the top: stays
    assert titles(rw) == ["A", "B", "C", "D"] and rw.list.currentRow() == 0
    assert not rw.up_button.isEnabled() and rw.down_button.isEnabled()
    QTest.keyClick(rw.list, Qt.Key.Key_Down)  # plain Down only moves the selection
    assert titles(rw) == ["A", "B", "C", "D"] and rw.list.currentRow() == 1
    QTest.keyClick(rw.list, Qt.Key.Key_Delete)
    assert titles(rw) == ["A", "C", "D"]
    assert parse(rw.html()).headings == ["1. A", "2. C", "3. D"]
    assert rw.status.text() == "3 items"


def pdf_text(path: Path) -> tuple[int, str]:
    doc = QPdfDocument(None)
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    text = "\n".join(doc.getAllText(p).text() for p in range(doc.pageCount()))
    pages = doc.pageCount()
    first = doc.render(0, doc.pagePointSize(0).toSize())
    assert isinstance(first, QImage) and not first.isNull()
    pixels = first.convertToFormat(QImage.Format.Format_RGB32)
    ptr = pixels.constBits()
    ptr.setsize(pixels.sizeInBytes())
    rgb = np.frombuffer(ptr, dtype=np.uint8).reshape(pixels.height(), -1)
    assert (rgb < 200).mean() > 0.01, "the first page is blank"
    doc.close()
    return pages, text


def test_the_pdf_has_pages_words_and_pictures(window_with_views, qtbot, tmp_path,  # noqa: F811
                                              monkeypatch):
    win, imp, table = window_with_views
    click_add(qtbot, win, imp)
    click_add(qtbot, win, table)
    rw = report_window(win)
    rw.list.setCurrentRow(1)
    qtbot.keyClicks(rw.comment, "Thumbnails of all 48 textures")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(tmp_path / "r.pdf"), "")))
    qtbot.mouseClick(rw.save_pdf_button, Qt.MouseButton.LeftButton)
    path = tmp_path / "r.pdf"
    pages, text = pdf_text(path)
    assert pages >= 1
    for words in ("1. Import Images", "2. Data Table", "Thumbnails of all 48 textures",
                  "48 images in 3 classes", "folder:"):
        assert words in text, words
    raw = path.read_bytes()
    assert raw.count(b"/Subtype /Image") >= 2  # both views' pictures


def test_print_goes_through_the_print_dialog_to_a_file(four, qtbot, tmp_path):
    rw = four
    out = tmp_path / "printed.pdf"
    seen: list[str] = []

    tries = [0]

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QPrintDialog):
            tries[0] += 1
            if dialog is not None:
                dialog.close()  # not ours: out of the way
            elif tries[0] < 100:  # not up yet (a slow machine): look again
                QTimer.singleShot(100, answer)
            return
        seen.append(dialog.windowTitle())
        printers = dialog.findChild(QComboBox, "printers")
        assert printers is not None
        to_file = printers.findText("Print to File (PDF)")  # never a real printer here
        assert to_file >= 0
        printers.setCurrentIndex(to_file)
        name = dialog.findChild(QLineEdit, "filename")
        assert name is not None and name.isVisible()
        name.selectAll()
        QTest.keyClicks(name, str(out))
        box = dialog.findChild(QDialogButtonBox)
        ok = box.button(QDialogButtonBox.StandardButton.Ok) if box else None
        ok = ok or next(b for b in dialog.findChildren(QPushButton)
                        if b.text().replace("&", "") == "Print")
        QTest.mouseClick(ok, Qt.MouseButton.LeftButton)

    QTimer.singleShot(300, answer)
    QTest.mouseClick(rw.print_button, Qt.MouseButton.LeftButton)
    assert seen == ["Print"]
    pages, text = pdf_text(out)
    assert pages >= 1
    assert all(f"{i}. {t}" in text for i, t in enumerate("ABCD", start=1))


def test_add_to_report_from_four_views_of_the_classification_example(make_window, qtbot):
    """The summaries "Add to report" writes for a real workflow's views: the numbers
    come from the nodes' own outputs."""
    win = make_window(reg=default_registry())
    assert win.open_example(ROOT / "workflows" / "image-classification.ows")
    qtbot.waitUntil(lambda: win.scheduler.is_settled() and not win.scheduler.paused,
                    timeout=120_000)
    node = {t: win.workflow.find_node(t).id for t in
            ("Test and Score", "Confusion Matrix", "MDS", "Image Embedder")}
    for title in node:
        click_add(qtbot, win, node[title])
    rw = report_window(win)
    assert titles(rw) == list(node)
    items = {i.title: i for i in rw.items()}
    assert all(i.image and i.image.startswith(b"\x89PNG") for i in items.values())
    res = win.scheduler.outputs(node["Test and Score"])["Evaluation Results"]
    score = items["Test and Score"].summary
    assert score[0].startswith(f"{len(res)} rows evaluated by 5-fold cross-validation")
    assert any(line.startswith(f"{res.learner_names[0]}: AUC ") for line in score)
    cm = items["Confusion Matrix"].summary
    correct = int(np.sum(res.actual == res.predicted[0]))
    assert cm[0] == (f"{res.learner_names[0]}: {correct} of {len(res)} correct "
                     f"(accuracy {correct / len(res):.3f})")
    chosen = win.scheduler.outputs(node["Confusion Matrix"])["Selected Data"]
    assert cm[-1] == f"selected: 1 cell, {len(chosen)} rows"
    mds = items["MDS"].summary
    assert mds[0].startswith("48 points: 48 images in 3 classes")
    assert "colour: category (the class)" in mds
    emb = items["Image Embedder"]
    assert "model: squeezenet-pooled" in emb.settings
    assert emb.summary[0].startswith("48 images embedded by squeezenet-pooled: ")
    # the pictures: a projection's plot with its legend under it; a view pictured
    # whole without its bottom row of buttons ("Add to report", "?")
    mds_view = win.open_node(node["MDS"])
    w, h = png_size(items["MDS"].image)
    assert (w, h) == (mds_view.plot.width(),
                      mds_view.plot.height() + mds_view.legend.height())
    ts_view = win.open_node(node["Test and Score"])
    button = ts_view.findChild(QToolButton, "report-button")
    top = button.mapTo(ts_view, QPoint(0, 0)).y()
    w, h = png_size(items["Test and Score"].image)
    assert w == ts_view.width() and ts_view.height() // 2 < h <= top - 2


def test_pdf_pages_keep_each_heading_with_its_picture_and_are_numbered(qtbot, tmp_path):
    from PyQt6.QtGui import QColor, QPixmap

    from petriflow.gui.report_capture import pixmap_png

    rw = ReportWindow()
    qtbot.addWidget(rw)
    for i, height in enumerate((380, 420, 300, 520, 260, 450), start=1):
        pixmap = QPixmap(600, height)
        pixmap.fill(QColor("#4477aa"))
        rw.add_item(ReportItem(title=f"View {i}", image=pixmap_png(pixmap),
                               settings=[f"setting: {i}"], summary=[f"{i * 10} rows"]))
    path = rw.save_pdf(tmp_path / "r.pdf")
    doc = QPdfDocument(None)
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    pages = [doc.getAllText(p).text() for p in range(doc.pageCount())]
    assert len(pages) >= 3  # six tall pictures do not fit on two A4 pages
    for i in range(1, 7):
        heading = [n for n, text in enumerate(pages) if f"{i}. View {i}" in text]
        caption = [n for n, text in enumerate(pages) if f"Figure {i}: View {i}" in text]
        assert len(heading) == 1 and heading == caption, (i, heading, caption)
    for n, text in enumerate(pages, start=1):
        assert f"{n} / {len(pages)}" in text
    # every picture whole on its page: as wide as drawn, not cut at the margin
    for n in range(doc.pageCount()):
        image = doc.render(n, doc.pagePointSize(n).toSize())
        rgb = image.convertToFormat(QImage.Format.Format_RGB32)
        ptr = rgb.constBits()
        ptr.setsize(rgb.sizeInBytes())
        px = np.frombuffer(ptr, dtype=np.uint8).reshape(rgb.height(), rgb.width(), 4)
        blue = (px[..., 0] > 150) & (px[..., 2] < 120)  # BGRA: the #4477aa fill
        cols = np.flatnonzero(blue.any(axis=0))
        if cols.size:
            right_margin = rgb.width() - cols.max()
            assert right_margin > 0.05 * rgb.width()  # ends inside the page's margin
    doc.close()


def test_a_view_that_cannot_be_pictured_is_noted_and_the_report_kept(window_with_views,  # noqa: F811
                                                                     qtbot):
    """Bad input: a picture that cannot be taken (a view with no area) becomes a note in
    its item; the item keeps its words and the other items their pictures."""
    from PyQt6.QtWidgets import QWidget

    from petriflow.gui.report_capture import capture_item

    win, imp, table = window_with_views
    click_add(qtbot, win, table)
    rw = report_window(win)
    empty = QWidget()
    qtbot.addWidget(empty)
    empty.resize(0, 0)
    item = capture_item(empty, win.workflow, imp, win.scheduler)
    assert item.image is None and item.image_error == "the view has no visible area"
    assert item.settings and item.summary[0].startswith("48 images in 3 classes")
    rw.add_item(item)
    parsed = parse(rw.html())
    assert parsed.headings == ["1. Data Table", "2. Import Images"]
    assert len(parsed.images) == 1
    assert "The view could not be shown: the view has no visible area" in rw.html()


def test_pdf_of_a_whole_run_report_keeps_every_item(qapp, tmp_path):
    """The PDF of ``run --report`` for the clustering example (seven views with large
    pictures: Qt lays such a document out lazily) has every item, each heading on its
    picture's page."""
    from petriflow.cli import main
    from petriflow.core.ows import load_workflow
    from petriflow.gui.report_window import write_pdf

    example = ROOT / "workflows" / "image-clustering.ows"
    html = tmp_path / "r.html"
    assert main(["run", str(example), "--report", str(html), "--quiet"]) == 0
    path = write_pdf(html.read_text(encoding="utf-8"), tmp_path / "r.pdf")
    doc = QPdfDocument(None)
    assert doc.load(str(path)) == QPdfDocument.Error.None_
    pages = [doc.getAllText(p).text() for p in range(doc.pageCount())]
    doc.close()
    titles_ = [n.title for n in load_workflow(example).nodes]
    for i, title in enumerate(titles_, start=1):
        heading = [n for n, text in enumerate(pages) if f"{i}. {title}" in text]
        caption = [n for n, text in enumerate(pages) if f"Figure {i}: {title}" in text]
        assert len(heading) == 1 and heading == caption, (title, heading, caption)
    assert path.read_bytes().count(b"/Subtype /Image") >= len(titles_)


def test_a_settings_form_is_pictured_without_the_empty_space_below_it(make_window, qtbot):
    """A node without its own view (kNN: the settings form) in a tall window: the empty
    band between the form and its status line is cut short, both are kept."""
    from PyQt6.QtWidgets import QWidget

    from petriflow.gui.report_capture import capture_item

    win = make_window(reg=default_registry())
    knn = win.add_node("petriflow.knn", QPointF(0, 0))
    view = win.open_node(knn)
    view.resize(500, 900)
    qtbot.waitExposed(view)
    qtbot.wait(50)
    fields = [w for w in view.findChildren(QWidget) if w.isVisible()
              and w.objectName() not in ("report-button", "help-button")
              and w.parent() is not None and w.height() < 60]
    last = max(f.mapTo(view, QPoint(0, f.height())).y() for f in fields)
    labels = [lb for lb in view.findChildren(QLabel) if lb.isVisible()]
    status = max(labels, key=lambda lb: lb.mapTo(view, QPoint(0, 0)).y())
    assert status.mapTo(view, QPoint(0, 0)).y() > view.height() - 80  # at the foot
    fields = [f for f in fields if f is not status]
    last = max(f.mapTo(view, QPoint(0, f.height())).y() for f in fields)
    item = capture_item(view, win.workflow, knn, win.scheduler)
    w, h = png_size(item.image)
    assert w == view.width()
    assert last + status.height() < h <= last + status.height() + 60  # gap cut to 16 px
    picture = QImage.fromData(item.image, "PNG")
    below = picture.copy(0, h - status.height() - 12, w, status.height() + 12)
    assert any(below.pixelColor(x, y).lightness() < 200  # the (grey) status text is there
               for x in range(0, 120) for y in range(below.height()))


def test_clicking_an_item_shows_it_in_the_preview(qtbot):
    rw = ReportWindow()
    qtbot.addWidget(rw)
    for title in "ABCDEF":
        rw.add_item(ReportItem(title=title, image=png("#88aa44"), summary=["rows"]))
    rw.resize(900, 500)
    rw.show()
    qtbot.waitExposed(rw)
    bar = rw.preview.verticalScrollBar()
    assert bar.maximum() > 0
    QTest.mouseClick(rw.list.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, center(rw, 0))
    assert bar.value() == 0
    QTest.mouseClick(rw.list.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, center(rw, 3))
    qtbot.waitUntil(lambda: bar.value() > 0)
    doc = rw.preview.document()
    heading = doc.find("4. D")
    assert not heading.isNull()
    y = doc.documentLayout().blockBoundingRect(heading.block()).top()
    assert abs(bar.value() - y) <= 30  # item 4's heading at the top of the preview
    QTest.mouseClick(rw.list.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, center(rw, 1))
    y2 = doc.documentLayout().blockBoundingRect(doc.find("2. B").block()).top()
    assert abs(bar.value() - y2) <= 30
    rw.comment.setFocus()
    before = bar.value()
    QTest.keyClicks(rw.comment, "typing does not move the preview")
    qtbot.wait(500)  # the preview redraws after typing stops
    assert bar.value() == before


def test_every_node_type_can_be_added_to_the_report_before_it_has_data(make_window, qtbot):
    """A fresh node of every kind (nothing connected): its window pictures and words
    without an error, and the report holds them all."""
    from petriflow.gui.report_capture import capture_item

    reg = default_registry()
    win = make_window(reg=reg)
    names = [nt.qualified_name for types in reg.by_category().values() for nt in types]
    rw = ReportWindow()
    qtbot.addWidget(rw)
    for i, name in enumerate(names):
        node = win.add_node(name, QPointF(150 * (i % 8), 120 * (i // 8)))
        view = win.open_node(node)
        qtbot.waitExposed(view)
        item = capture_item(view, win.workflow, node, win.scheduler)
        assert item.image and not item.image_error, (name, item.image_error)
        assert not any(s.startswith("(no summary") for s in item.summary), (name, item)
        assert all(": " in s for s in item.settings), (name, item.settings)
        rw.add_item(item)
        view.close()
    assert len(parse(rw.html()).images) == len(names)


def test_a_saved_workflows_report_is_titled_by_its_file(make_window, qtbot, tmp_path):
    win = make_window(reg=default_registry())
    rw = report_window(win)
    rw.add_item(ReportItem(title="A", image=png("red")))
    text = rw.html()
    assert "<h1>Petriflow report</h1>" in text and "Workflow:" not in text  # untitled
    path = tmp_path / "lesson 3.ows"
    assert win.save_as(path)
    text = rw.html()
    assert "<title>Petriflow report: lesson 3.ows</title>" in text
    assert f"Workflow: {path}" in text
