"""Reports (issue 18.2) in the app: "Add to report" clicked in two views, the report
window's reorder, delete and comment with real clicks and typing, then the saved HTML
(every item, pictures embedded, nothing external) and PDF."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from PyQt6.QtCore import QPointF, Qt
from PyQt6.QtWidgets import QFileDialog, QToolButton

from petriflow.core.registry import default_registry
from petriflow.gui.report_window import ReportWindow, report_window

TEXTURES = Path(__file__).resolve().parents[2] / "workflows" / "data" / "textures"


class ReportParser(HTMLParser):
    """Headings, pictures and every address a saved report refers to."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.images: list[str] = []
        self.addresses: list[str] = []
        self.comments: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self._in = "h2"
            self.headings.append("")
        elif tag == "p" and a.get("class") == "comment":
            self._in = "comment"
            self.comments.append("")
        if tag == "img":
            self.images.append(a.get("src") or "")
        for key in ("href", "src"):
            if a.get(key):
                self.addresses.append(a[key])

    def handle_endtag(self, tag):
        if tag in ("h2", "p"):
            self._in = None

    def handle_data(self, data):
        if self._in == "h2":
            self.headings[-1] += data
        elif self._in == "comment":
            self.comments[-1] += data


def parse(text: str) -> ReportParser:
    p = ReportParser()
    p.feed(text)
    return p


@pytest.fixture
def window_with_views(make_window, qtbot):
    """A window running Import Images (the bundled textures) into a Data Table."""
    win = make_window(reg=default_registry())
    imp = win.add_node("petriflow.import_images", QPointF(0, 0))
    table = win.add_node("petriflow.data_table", QPointF(200, 0))
    assert imp and table
    win.workflow.update_settings(imp, folder=str(TEXTURES))
    win.workflow.add_link(imp, "Data", table, "Data")
    qtbot.waitUntil(lambda: win.scheduler.is_settled()
                    and win.scheduler.outputs(table).get("Data") is not None, timeout=30_000)
    return win, imp, table


def click_add(qtbot, win, node_id) -> None:
    view = win.open_node(node_id)
    qtbot.waitExposed(view)
    button = view.findChild(QToolButton, "report-button")
    assert button is not None and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def titles(rw: ReportWindow) -> list[str]:
    return [item.title for item in rw.items()]


def test_add_reorder_delete_comment_and_save(window_with_views, qtbot, tmp_path, monkeypatch):
    win, imp, table = window_with_views
    click_add(qtbot, win, imp)
    rw = report_window(win)
    assert rw.isVisible()  # comes forward so the user sees what was added
    click_add(qtbot, win, table)
    assert titles(rw) == ["Import Images", "Data Table"]
    first = rw.items()[0]
    assert first.image and first.image.startswith(b"\x89PNG")
    assert "folder: " + str(TEXTURES)[:10] in " ".join(first.settings)
    # the Import Images summary: images per class (was "48 rows … 3 values": the
    # generic output words, now the node's own)
    assert first.summary[0] == ("48 images in 3 classes of category "
                                "(brick 16, grass 16, gravel 16)")

    # reorder: Data Table up
    rw.list.setCurrentRow(1)
    qtbot.mouseClick(rw.up_button, Qt.MouseButton.LeftButton)
    assert titles(rw) == ["Data Table", "Import Images"]
    assert not rw.up_button.isEnabled()  # at the top now
    qtbot.mouseClick(rw.down_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(rw.up_button, Qt.MouseButton.LeftButton)
    assert titles(rw) == ["Data Table", "Import Images"]

    # a third item, deleted again
    click_add(qtbot, win, imp)
    assert titles(rw) == ["Data Table", "Import Images", "Import Images"]
    assert rw.list.currentRow() == 2  # the new item is selected
    qtbot.mouseClick(rw.delete_button, Qt.MouseButton.LeftButton)
    assert titles(rw) == ["Data Table", "Import Images"]

    # comment on the first item, typed
    rw.list.setCurrentRow(0)
    rw.comment.setFocus()
    qtbot.keyClicks(rw.comment, "Every class has 16 images")
    assert rw.items()[0].comment == "Every class has 16 images"
    assert rw.items()[1].comment == ""
    rw.list.setCurrentRow(1)
    assert rw.comment.toPlainText() == ""  # the editor follows the selection

    answer = [""]
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (answer[0], "")))
    answer[0] = str(tmp_path / "report.html")
    qtbot.mouseClick(rw.save_html_button, Qt.MouseButton.LeftButton)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    parsed = parse(text)
    assert parsed.headings == ["1. Data Table", "2. Import Images"]
    assert len(parsed.images) == 2
    assert all(src.startswith("data:image/png;base64,") for src in parsed.images)
    assert parsed.addresses == parsed.images  # nothing but the embedded pictures
    assert "http" not in text
    assert parsed.comments == ["Every class has 16 images"]

    answer[0] = str(tmp_path / "report")  # no suffix: .pdf is added
    qtbot.mouseClick(rw.save_pdf_button, Qt.MouseButton.LeftButton)
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 20_000  # the pictures are in it, not just the words
    assert "Saved" in rw.status.text()


def test_report_window_is_one_per_main_window_and_survives_closing(make_window, qtbot):
    win = make_window(reg=default_registry())
    rw = report_window(win)
    assert report_window(win) is rw
    win.show_report_action.trigger()
    assert rw.isVisible()
    rw.close()  # hides: the items stay for the session
    assert not rw.isVisible()
    win.show_report_action.trigger()
    assert rw.isVisible() and report_window(win) is rw
    menus = [a.text() for a in win.menuBar().actions()]
    assert menus.index("&Report") == menus.index("&Help") - 1  # menus end with Help
    assert not rw.save_html_button.isEnabled()  # nothing to save yet


def test_saving_into_a_missing_folder_says_so(window_with_views, qtbot, tmp_path, monkeypatch):
    win, imp, _ = window_with_views
    click_add(qtbot, win, imp)
    rw = report_window(win)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(
        lambda *a, **k: (str(tmp_path / "missing" / "r.html"), "")))
    qtbot.mouseClick(rw.save_html_button, Qt.MouseButton.LeftButton)
    assert rw.status.text().startswith("Not saved")
    assert not (tmp_path / "missing").exists()
