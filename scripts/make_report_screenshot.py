"""The report window and a page of its PDF, made by the app (for docs/canvas.md).

The image-classification example runs, "Add to report" is clicked in the Test and
Score, Confusion Matrix and MDS windows, the MDS item is moved to the top with
Alt+Up, a comment is typed, and the report window is grabbed; then the report is saved
as a PDF (the app's own "Save PDF") and the commented item's page rendered with Qt's
PDF module.
Run it on a real display (``DISPLAY=:N``) for the desktop's fonts; without one it
renders offscreen.

    python scripts/make_report_screenshot.py
    # docs/images/report-window.png, docs/images/report-pdf-page.png
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "report-window.png"
PAGE = ROOT / "docs" / "images" / "report-pdf-page.png"


def main() -> int:
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import Qt
    from PyQt6.QtTest import QTest
    from PyQt6.QtWidgets import QApplication, QToolButton

    from petriflow.core.registry import default_registry
    from petriflow.gui.app import _wait_ready
    from petriflow.gui.mainwindow import MainWindow
    from petriflow.gui.report_window import report_window

    app = QApplication(sys.argv)
    win = MainWindow(registry=default_registry(),
                     data_dir=Path(tempfile.mkdtemp(prefix="petriflow-shot-")))
    win.show()
    if not win.open_example(ROOT / "workflows" / "image-classification.ows"):
        return 1
    deadline = time.monotonic() + 300
    while not (win.scheduler.is_settled() and not win.scheduler.paused):
        app.processEvents()
        time.sleep(0.02)
        if time.monotonic() > deadline:
            print("the example did not finish", file=sys.stderr)
            return 1
    for title in ("Test and Score", "Confusion Matrix", "MDS"):
        view = win.open_node(win.workflow.find_node(title).id)
        view.resize(760, 560)
        _wait_ready(view)
        button = view.findChild(QToolButton, "report-button")
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        view.close()
    rw = report_window(win)
    rw.list.setFocus()
    rw.list.setCurrentRow(2)
    QTest.keyClick(rw.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    QTest.keyClick(rw.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    rw.list.setCurrentRow(2)  # the Confusion Matrix
    QTest.keyClicks(rw.comment, "Cross-validated logistic regression on SqueezeNet "
                                "features recognises every texture.")
    rw.resize(1100, 720)
    rw.show()
    rw.raise_()
    for _ in range(40):
        app.processEvents()
        time.sleep(0.02)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    if not rw.grab().save(str(OUT)):
        print(f"cannot write {OUT}", file=sys.stderr)
        return 1
    print(OUT)
    from PyQt6.QtGui import QColor, QImage, QPainter
    from PyQt6.QtPdf import QPdfDocument

    pdf = Path(tempfile.mkdtemp(prefix="petriflow-report-")) / "report.pdf"
    rw.save_pdf(pdf)
    doc = QPdfDocument(None)
    doc.load(str(pdf))
    page = next((n for n in range(doc.pageCount())  # the commented item's page
                 if "recognises every texture" in doc.getAllText(n).text()), 0)
    size = doc.pagePointSize(page).toSize() * 1.25  # 90 dpi
    shot = doc.render(page, size)
    framed = QImage(shot.width() + 2, shot.height() + 2, QImage.Format.Format_RGB32)
    framed.fill(QColor("white"))  # the render is transparent where the page is blank
    painter = QPainter(framed)
    painter.drawImage(1, 1, shot)
    painter.setPen(QColor("#999"))  # a thin frame: the page's edge on a white docs page
    painter.drawRect(0, 0, framed.width() - 1, framed.height() - 1)
    painter.end()
    if not framed.save(str(PAGE)):
        print(f"cannot write {PAGE}", file=sys.stderr)
        return 1
    print(PAGE, f"(page {page + 1} of {doc.pageCount()})")
    if os.environ.get("PETRIFLOW_SHOT_HOLD"):  # leave it up for a look at the display
        deadline = time.monotonic() + float(os.environ["PETRIFLOW_SHOT_HOLD"])
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.05)
    win.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
