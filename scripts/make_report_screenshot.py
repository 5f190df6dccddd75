"""The report window with two items from the clustering example (for docs/canvas.md).

The app itself makes it: the image-clustering example runs, "Add to report" is clicked
in the Hierarchical Clustering and Image Viewer windows, a comment is typed, and the
report window is grabbed. Run it on a real display (``DISPLAY=:N``) for the desktop's
fonts; without one it renders offscreen.

    python scripts/make_report_screenshot.py   # docs/images/report-window.png
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "report-window.png"


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
    if not win.open_example(ROOT / "workflows" / "image-clustering.ows"):
        return 1
    deadline = time.monotonic() + 300
    while not (win.scheduler.is_settled() and not win.scheduler.paused):
        app.processEvents()
        time.sleep(0.02)
        if time.monotonic() > deadline:
            print("the example did not finish", file=sys.stderr)
            return 1
    for title in ("Hierarchical Clustering", "Image Viewer"):
        view = win.open_node(win.workflow.find_node(title).id)
        view.resize(760, 560)
        _wait_ready(view)
        button = view.findChild(QToolButton, "report-button")
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        view.close()
    rw = report_window(win)
    rw.list.setCurrentRow(0)
    QTest.keyClicks(rw.comment, "Ward linkage on SqueezeNet features separates the "
                                "three textures: brick, grass and gravel.")
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
