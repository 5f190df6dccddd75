"""The Image Embedder view's weights states and the Preferences dialog, for the docs.

Each picture is rendered by Qt itself (offscreen) from a real window: the bundled
textures are embedded with Inception v3 set, in a fresh weights folder and private
preferences, so the node's badge says the weights are missing and the view offers the
download. Nothing reaches the network: the mirror set in the preferences is a loopback
HTTP server started here, which answers with zeros, slowly (the download is stopped
midway, so no checksum is ever reached), then with 404. The custom file is an Inception
v3 state dict with random weights, taken through "Use a file…" (loaded strictly).

    python scripts/make_weights_screenshot.py

writes docs/images/ view-image-embedder-weights.png (missing), …-consent.png (the
question asked once per model), …-downloading.png (progress with size and speed),
…-error.png (a mirror answering 404: one line), …-custom.png (your own file) and
preferences.png (Edit → Preferences…).
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
OUT = IMAGES / "view-image-embedder-weights.png"
#: how the loopback mirror answers: "slow" (zeros at ~2 MB/s) or "404"
MODE = {"answer": "slow"}


class _Mirror(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if MODE["answer"] == "404":
            self.send_error(404, "Not Found")
            return
        size = 108_949_747  # torchvision's inception_v3_google-0cc3c7bd.pth
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        chunk = bytes(1 << 16)
        try:
            for _ in range(size // len(chunk)):
                self.wfile.write(chunk)
                time.sleep(0.03)
        except OSError:
            pass  # the download was stopped


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    tmp = Path(tempfile.mkdtemp(prefix="petriflow-shot-"))
    os.environ["PETRIFLOW_WEIGHTS_DIR"] = str(tmp / "weights")
    os.environ["TORCH_HOME"] = str(tmp / "torch")
    os.environ["PETRIFLOW_CACHE_DIR"] = str(tmp / "cache")
    for var in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY",
                "PETRIFLOW_WEIGHTS_MIRROR"):
        os.environ.pop(var, None)
    from PyQt6.QtCore import QSettings, QTimer
    from PyQt6.QtWidgets import QApplication, QWidget

    # the user's own preferences are never touched
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope,
                      str(tmp / "config"))
    from petriflow.core.node import RunOptions
    from petriflow.core.registry import default_registry
    from petriflow.gui.mainwindow import MainWindow
    from petriflow.gui.views import model_weights

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Mirror)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    mirror = f"http://127.0.0.1:{httpd.server_address[1]}/torch-weights"

    app = QApplication(sys.argv)
    win = MainWindow(registry=default_registry(), data_dir=tmp / "data",
                     run_options=RunOptions(embedding="in_process"))
    win.show()

    def spin(until: Callable[[], bool], seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until():
            app.processEvents()
            time.sleep(0.02)
        for _ in range(10):
            app.processEvents()
            time.sleep(0.02)

    def save(widget: QWidget, name: str) -> None:
        if widget is view:  # as tall as this state needs (a long note adds lines)
            widget.resize(640, max(400, widget.sizeHint().height()))
            spin(lambda: False, 0.2)
        path = IMAGES / name
        widget.grab().save(str(path))
        print(path)

    imp = win.add_node("petriflow.import_images")
    emb = win.add_node("petriflow.image_embedder")
    win.workflow.update_settings(emb, model="inception-v3")
    win.workflow.add_link(imp, "Data", emb, "Images")
    win.workflow.update_settings(imp, folder=str(ROOT / "workflows" / "data" / "textures"))
    spin(win.scheduler.is_settled)
    view: Any = None
    view = win.open_node(emb)
    view.resize(640, 400)
    spin(view.is_ready)
    IMAGES.mkdir(parents=True, exist_ok=True)
    save(view, OUT.name)
    print(f"  badge: {win.scheduler.status(emb).message}")

    # Edit → Preferences…: the mirror (the loopback server), shown as it is typed
    from petriflow.gui.preferences import open_preferences

    os.environ["PETRIFLOW_WEIGHTS_MIRROR"] = "https://weights.example.org/torch"
    dialog = open_preferences(win)
    dialog.mirror_edit.setText(mirror)
    spin(dialog.isVisible, 5)
    save(dialog, "preferences.png")
    dialog.accept()
    del os.environ["PETRIFLOW_WEIGHTS_MIRROR"]
    panel = view.weights

    # Download…: the consent question (a real message box, grabbed, then answered yes)
    def answer() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(50, answer)
            return
        box.adjustSize()
        spin(lambda: False, 0.3)
        save(box, "view-image-embedder-consent.png")
        yes = [b for b in box.findChildren(type(panel.download_button))
               if b.text().replace("&", "") == "Yes"]
        yes[0].click()

    QTimer.singleShot(0, answer)
    panel.download_button.click()
    spin(lambda: "MB/s" in panel.progress_label.text() and panel.progress.value() >= 3, 120)
    save(view, "view-image-embedder-downloading.png")
    panel.cancel_button.click()
    spin(lambda: not panel.downloading, 30)

    # the mirror answers 404: one line under the row, nothing placed
    MODE["answer"] = "404"
    spin(lambda: view.is_ready() and panel.download_button.isEnabled(), 30)
    panel.download_button.click()
    spin(lambda: not panel.downloading and "404" in panel.note_label.text(), 30)
    save(view, "view-image-embedder-error.png")

    # Use a file…: an Inception v3 state dict with random weights (a "fine-tuned" file)
    import torch

    from petriflow.analysis.torchvision_compat import import_torchvision

    net = import_torchvision().models.inception_v3(weights=None, aux_logits=True,
                                                   init_weights=False)
    own = tmp / "my-inception-v3-finetuned.pth"
    torch.save(net.state_dict(), own)
    panel.choose_file = lambda: str(own)
    model_weights.ModelWeightsPanel.note(panel, "")
    panel.file_button.click()
    spin(lambda: view.is_ready() and "custom" in panel.status_label.text(), 120)
    spin(win.scheduler.is_settled, 300)  # the node runs again, with the file
    spin(view.is_ready, 30)
    save(view, "view-image-embedder-custom.png")
    print(f"  node: {win.scheduler.status(emb).state.name} {win.scheduler.status(emb).message}")

    httpd.shutdown()
    win.ask_save_changes = lambda: "discard"  # type: ignore[method-assign]
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
