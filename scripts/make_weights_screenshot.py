"""The Image Embedder view with a model whose weights are missing (for the embedder guide).

The view is rendered by Qt itself (offscreen) in a window that embeds the bundled
textures with Inception v3 set, in a fresh weights folder, so the node's badge says the
weights are missing and the view offers the download. Nothing is fetched.

    python scripts/make_weights_screenshot.py   # docs/images/view-image-embedder-weights.png
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images" / "view-image-embedder-weights.png"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="petriflow-shot-"))
    os.environ["PETRIFLOW_WEIGHTS_DIR"] = str(tmp / "weights")
    os.environ["TORCH_HOME"] = str(tmp / "torch")
    os.environ["PETRIFLOW_CACHE_DIR"] = str(tmp / "cache")
    from PyQt6.QtWidgets import QApplication

    from petriflow.core.node import RunOptions
    from petriflow.core.registry import default_registry
    from petriflow.gui.mainwindow import MainWindow

    app = QApplication(sys.argv)
    win = MainWindow(registry=default_registry(), data_dir=tmp / "data",
                     run_options=RunOptions(embedding="in_process"))
    win.show()
    imp = win.add_node("petriflow.import_images")
    emb = win.add_node("petriflow.image_embedder")
    win.workflow.update_settings(emb, model="inception-v3")
    win.workflow.add_link(imp, "Data", emb, "Images")
    win.workflow.update_settings(imp, folder=str(ROOT / "workflows" / "data" / "textures"))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not win.scheduler.is_settled():
        app.processEvents()
        time.sleep(0.02)
    view = win.open_node(emb)
    while time.monotonic() < deadline and not view.is_ready():
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(OUT))
    print(f"{OUT}  badge: {win.scheduler.status(emb).message}")
    win.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
