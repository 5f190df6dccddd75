"""The presentation-mode picture for docs/canvas.md, made by the app itself.

    python scripts/make_presentation_screenshot.py [STEPS]

Opens the image-clustering example, lets it run once, enters presentation mode with F11,
starts over and presses F10 until the Hierarchical Clustering node has been stepped
(or STEPS times), waiting for each step to finish, then writes
``docs/images/presentation-mode.png`` (the window: enlarged canvas, halo, caption bar,
the step's view in the side panel). Why a script: the picture must show what the code
does now, and rerunning it refreshes it. Run it with a display (Xvfb works).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]
TARGET = "Hierarchical Clustering"


def settle(app: QApplication, rounds: int = 30) -> None:
    for _ in range(rounds):
        app.processEvents()
        QTest.qWait(20)


def wait_settled(app: QApplication, window, timeout: float = 600.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end and not window.scheduler.is_settled():
        settle(app, 5)
    settle(app)


def main() -> int:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from petriflow.bundled import find_example
    from petriflow.gui.mainwindow import MainWindow

    window = MainWindow(data_dir=Path(tempfile.mkdtemp()))
    window.ask_save_changes = lambda: "discard"
    window.resize(1500, 900)
    window.show()
    settle(app)
    window.open_example(find_example("image-clustering").path)
    wait_settled(app, window)  # the first run (the embedder's weights, its cache)
    window.activateWindow()
    settle(app)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F11)
    window.presenter.start_over()
    settle(app)
    for _ in range(steps):
        QTest.keyClick(window.view.viewport(), Qt.Key.Key_F10)
        wait_settled(app, window)
        current = window.presenter.current
        if current is None or window.workflow.node(current).title == TARGET:
            break
    settle(app, 60)
    out = ROOT / "docs" / "images" / "presentation-mode.png"
    window.grab().save(str(out))
    print(out, "steps:", [window.workflow.node(n).title for n in window.presenter.steps])
    window.document.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
