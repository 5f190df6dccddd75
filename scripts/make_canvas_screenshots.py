"""Screenshots of the fluent canvas for docs/canvas.md, made by the app itself.

    python scripts/make_canvas_screenshots.py [OUT_DIR]

Writes ``docs/images/canvas-welcome.png`` (the welcome dialog over the window) and
``docs/images/canvas-link-drop.png`` (the quick menu after a link was dropped on empty
canvas), and into OUT_DIR (default: a temporary folder) ``tidy.png`` (an example after
it was scrambled and tidied up). Why a script: the
pictures in the docs must show what the code does now, and rerunning it refreshes them.
Run it with a display (Xvfb works); offscreen, the popup menu is not in the grab.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PyQt6.QtCore import QPointF, QSettings, Qt
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parents[1]


def settle(app: QApplication, rounds: int = 30) -> None:
    for _ in range(rounds):
        app.processEvents()
        QTest.qWait(20)


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from petriflow.bundled import find_example
    from petriflow.gui.mainwindow import MainWindow

    data = Path(tempfile.mkdtemp())
    window = MainWindow(data_dir=data)
    window.ask_save_changes = lambda: "discard"
    window.resize(1200, 760)
    window.show()
    settle(app)
    # the welcome dialog, as on a first start (private settings: the user's stay untouched)
    settings = QSettings(str(data / "settings.ini"), QSettings.Format.IniFormat)
    dialog = window.show_welcome(settings)
    settle(app)
    screen = app.primaryScreen()
    frame = window.frameGeometry()
    screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height()).save(
        str(ROOT / "docs" / "images" / "canvas-welcome.png"))
    dialog.open_item(dialog.examples.item(
        [dialog.examples.item(i).text() for i in range(dialog.examples.count())].index(
            find_example("image-clustering").title)))
    settle(app, 60)
    # scramble (each note goes along with the node it is about, as a user's own messy
    # layout would have it), then Tidy Up
    from petriflow.gui import undo as cmd
    from petriflow.gui.canvas.note_follow import notes_following

    scrambled = {node.id: ((i * 137) % 500, (i * 251) % 400)
                 for i, node in enumerate(window.workflow.nodes)}
    notes = notes_following(window.workflow, scrambled)
    for nid, pos in scrambled.items():
        window.workflow.set_position(nid, pos)
    for note in notes:
        window.undo_stack.push(cmd.ReplaceAnnotationCommand(window.workflow, note))
    settle(app)
    window.tidy_up()
    settle(app, 60)
    window.grab().save(str(out / "tidy.png"))
    # a link from the embedder's output dropped on the empty canvas below it (a taller
    # window: the whole menu below the workflow, nothing covered)
    window.resize(1200, 980)
    settle(app)
    frame = window.frameGeometry()
    item = window.scene.node_items[window.workflow.find_node("Image Embedder").id]
    start = item.anchor_pos("output")
    end = start + QPointF(40, 150)  # empty canvas under the embedder
    viewport = window.view.viewport()
    a, b = window.view.mapFromScene(start), window.view.mapFromScene(end)
    b.setY(min(b.y(), viewport.height() - 340))  # the whole menu inside the window's picture
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    for k in range(1, 6):
        QTest.mouseMove(viewport, a + (b - a) * (k / 5))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
    settle(app)
    screen.grabWindow(0, frame.x(), frame.y(), frame.width(), frame.height()).save(
        str(ROOT / "docs" / "images" / "canvas-link-drop.png"))
    print(out)
    menu = getattr(window, "_quick_menu", None)
    print("offered:", menu.offered() if menu is not None else None)
    window.document.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
