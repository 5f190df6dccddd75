"""A projection view with the pointer resting on a point: its image and columns shown
at once (for docs/widgets/mds.md). The app renders it: a main window opens a workflow
on the bundled textures (Import Images → Image Embedder → MDS), the MDS view is opened,
a real pointer move is sent to the plot over one gravel image, and the view is grabbed
once that image is decoded. Offscreen unless ``DISPLAY`` is set.

    python scripts/make_plot_hover_screenshot.py   # docs/images/view-mds-hover.png
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTURES = ROOT / "workflows" / "data" / "textures"
OUT = ROOT / "docs" / "images" / "view-mds-hover.png"


def spin(app, until, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while not until():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.01)
    return True


def main() -> int:
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import QEvent, QPointF, Qt
    from PyQt6.QtGui import QMouseEvent
    from PyQt6.QtWidgets import QApplication

    from petriflow.core.ows import save_workflow
    from petriflow.core.registry import default_registry
    from petriflow.core.workflow import Workflow
    from petriflow.gui.mainwindow import MainWindow

    app = QApplication(sys.argv)
    tmp = Path(tempfile.mkdtemp(prefix="petriflow-hover-"))
    reg = default_registry()
    wf = Workflow(title="MDS hover")
    imp = wf.add_node(reg.get("petriflow.import_images"), title="Import Images",
                      position=(0, 0)).id
    emb = wf.add_node(reg.get("petriflow.image_embedder"), title="Image Embedder",
                      position=(160, 0)).id
    mds = wf.add_node(reg.get("petriflow.mds"), title="MDS", position=(320, 0)).id
    wf.update_settings(imp, folder=str(TEXTURES))
    wf.update_settings(mds, hover_columns=["category", "image name"])
    wf.add_link(imp, "Data", emb, "Images")
    wf.add_link(emb, "Embeddings", mds, "Data")
    path = tmp / "hover.ows"
    save_workflow(wf, path)
    win = MainWindow(registry=reg, data_dir=tmp / "data")
    win.show()
    if not win.open_file(path, ask=False, offer_recovery=False):
        return 2
    scheduler = win.scheduler
    if not spin(app, lambda: not scheduler.paused and scheduler.is_settled(), 600):
        print("propagation did not finish", file=sys.stderr)
        return 1
    view = win.open_node(mds)
    view.resize(760, 600)
    for _ in range(10):
        app.processEvents()
    names = [str(v) for v in view.table.metas["image name"]]
    row = next(i for i, n in enumerate(names) if n.startswith("gravel"))
    pos = QPointF(view.data_to_widget(*view.xy[row]))
    event = QMouseEvent(QEvent.Type.MouseMove, pos, QPointF(view.canvas.mapToGlobal(pos)),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(view.canvas, event)
    if not spin(app, lambda: view.overlay.row == row and view.overlay.loaded, 30):
        print("the hovered image was not shown", file=sys.stderr)
        return 1
    for _ in range(10):
        app.processEvents()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    if not view.grab().save(str(OUT)):
        print(f"cannot write {OUT}", file=sys.stderr)
        return 1
    print(OUT)
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
