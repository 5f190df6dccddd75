"""The help browser showing a widget's guide with its picture (for docs/canvas.md).

The app itself renders it: a main window on an empty workflow opens the Hierarchical
Clustering guide the way F1 does, and the help window is grabbed once its pictures are
laid out. Run it on a real display (``DISPLAY=:N``) for the desktop's fonts; without one
it renders offscreen.

    python scripts/make_help_screenshot.py   # docs/images/help-browser.png
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "help-browser.png"


def main() -> int:
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import QPointF
    from PyQt6.QtWidgets import QApplication

    from petriflow.core.registry import default_registry
    from petriflow.gui.help_menu import help_browser
    from petriflow.gui.mainwindow import MainWindow

    app = QApplication(sys.argv)
    win = MainWindow(registry=default_registry(),
                     data_dir=Path(tempfile.mkdtemp(prefix="petriflow-shot-")))
    win.pause_action.trigger()  # nothing runs: only the help is pictured
    win.show()
    nid = win.add_node("petriflow.hierarchical_clustering", QPointF(0, 0))
    assert nid is not None
    win.document.select_nodes([nid])
    win.help_action.trigger()  # what F1 does
    browser = help_browser(win)
    browser.resize(900, 640)
    for _ in range(20):
        app.processEvents()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    if not browser.grab().save(str(OUT)):
        print(f"cannot write {OUT}", file=sys.stderr)
        return 1
    print(OUT)
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
