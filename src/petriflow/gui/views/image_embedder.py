"""Image Embedder view: model and its weights, per-channel mode, device, progress and the
disk cache.

Nothing slow runs on the GUI thread: whether a model's weights are on this machine,
which devices torch sees and how many embeddings are cached are all found on a worker
(the node's task runner, which its Cancel also stops), so opening the view never
imports torch or opens SQLite on the GUI thread. Progress (images/s, ETA) is the
node's own status message. A model whose weights are missing is offered for download
right here (:mod:`.model_weights`, the same code as ``petriflow models``); once they are
in place the node runs again.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from petriflow.analysis.embedding import EmbeddingCache, available_embedders, clear_cache
from petriflow.core.node import Cancelled
from petriflow.core.scheduler import NodeState, NodeStatus
from petriflow.core.status import counted
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView, progress_with_cancel
from petriflow.gui.views.model_weights import ModelWeightsPanel

__all__ = ["ImageEmbedderView"]

#: devices torch can use here, found once per process on a worker
_DEVICES: list[str] = []


def _devices() -> list[str]:
    import torch

    devices = ["auto", "cpu"]
    if torch.cuda.is_available():
        devices.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    return devices


def _cache_count() -> int:
    with EmbeddingCache() as cache:
        return cache.count()


class ImageEmbedderView(NodeView):
    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self._pending = 0
        self._last_message = ""
        self.specs = {s.id: s for s in available_embedders()}
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.model_combo = QComboBox()
        for spec in self.specs.values():
            self.model_combo.addItem(spec.display_name, spec.id)
            self.model_combo.setItemData(self.model_combo.count() - 1, spec.description,
                                         Qt.ItemDataRole.ToolTipRole)
        self.model_combo.currentIndexChanged.connect(
            lambda i: self.set_settings(model=self.model_combo.itemData(i)))
        form.addRow("Embedder", self.model_combo)
        self.model_info = QLabel()
        self.model_info.setWordWrap(True)
        self.model_info.setStyleSheet("color: #555;")
        form.addRow("", self.model_info)
        self.weights = ModelWeightsPanel(self.node.tasks)
        self.weights.status_known.connect(lambda _id: self._show_model_info())
        self.weights.changed.connect(self._weights_changed)
        form.addRow("", self.weights)
        self.per_channel_box = QCheckBox("Embed each channel separately (microscopy)")
        self.per_channel_box.toggled.connect(lambda on: self.set_settings(per_channel=bool(on)))
        form.addRow("", self.per_channel_box)
        self.device_combo = QComboBox()
        self.device_combo.addItems(["auto", "cpu"])
        self.device_combo.currentIndexChanged.connect(
            lambda i: self.set_settings(device=self.device_combo.itemText(i)))
        form.addRow("Device", self.device_combo)
        self.cluster_edit = QLineEdit()
        self.cluster_edit.setPlaceholderText("this computer (or: local, tcp://host:8786)")
        self.cluster_edit.setToolTip(
            "Embed on a Dask cluster: 'local' starts one worker process per core, an "
            "address uses a running scheduler whose workers see the same image paths. "
            "Empty: embed on this computer, in the app's embedding worker process.")
        self.cluster_edit.editingFinished.connect(
            lambda: self.set_settings(cluster=self.cluster_edit.text().strip()))
        form.addRow("Cluster", self.cluster_edit)
        layout.addLayout(form)
        self.progress, self.cancel_button, progress_row = progress_with_cancel(
            self.node, "Stop embedding; images done so far stay in the cache")
        layout.addLayout(progress_row)
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        cache_row = QHBoxLayout()
        self.use_cache_box = QCheckBox("Use the disk cache")
        self.use_cache_box.toggled.connect(lambda on: self.set_settings(use_cache=bool(on)))
        cache_row.addWidget(self.use_cache_box)
        self.cache_label = QLabel("Cache: counting…")
        cache_row.addWidget(self.cache_label, 1)
        self.clear_button = QPushButton("Clear cache…")
        self.clear_button.clicked.connect(self.clear_cache)
        cache_row.addWidget(self.clear_button)
        layout.addLayout(cache_row)
        layout.addStretch(1)
        self.resize(560, 340)
        self.cache_count: int | None = None
        self.show_current()
        self._find_devices()
        self.refresh_cache_count()

    # ------------------------------------------------------------------ workers
    def is_ready(self) -> bool:
        return self._pending == 0 and self.weights.pending == 0

    def _background(self, fn: Any, done: Any) -> None:
        self._pending += 1

        def callback(result: Any, error: BaseException | None) -> None:
            self._pending -= 1
            if self._alive():
                done(result, error)

        self.node.tasks.run(lambda _token: fn(), callback)

    def _find_devices(self) -> None:
        if _DEVICES:
            self._show_devices()
            return

        def done(result: Any, error: BaseException | None) -> None:
            if error is None and not _DEVICES:
                _DEVICES.extend(result)
            self._show_devices()

        self._background(_devices, done)

    def _show_devices(self) -> None:
        was = self._updating
        self._updating = True
        try:
            for d in _DEVICES:
                if self.device_combo.findText(d) < 0:
                    self.device_combo.addItem(d)
            self._show_device()
        finally:
            self._updating = was

    def _show_device(self) -> None:
        device = self.settings.device
        if self.device_combo.findText(device) < 0:
            self.device_combo.addItem(device)  # e.g. a saved "cuda" on a machine without it
        self.device_combo.setCurrentIndex(self.device_combo.findText(device))

    def _check_model(self, model_id: str) -> None:
        spec = self.specs.get(model_id)
        if spec is not self.weights.spec:
            self.weights.set_model(spec)
        self._show_model_info()

    def _weights_changed(self, model_id: str) -> None:
        """Weights arrived for a model: a node that uses it and failed runs again."""
        if model_id == self.settings.model and self.node.status().state in (
                NodeState.ERROR, NodeState.IDLE):
            self.node.rerun()

    def refresh_cache_count(self) -> None:
        def done(result: Any, error: BaseException | None) -> None:
            if isinstance(error, Cancelled):
                return  # the count shown stays until the next refresh
            self.cache_count = None if error is not None else int(result)
            self.cache_label.setText("Cache: unavailable" if error is not None else
                                     f"Cache: {counted(result, 'embedding')}")

        self._background(_cache_count, done)

    def confirm(self, text: str) -> bool:
        """Ask before deleting (tests replace this)."""
        answer = QMessageBox.question(self, "Clear embedding cache", text)
        return answer == QMessageBox.StandardButton.Yes

    def clear_cache(self) -> None:
        n = self.cache_count
        what = f"all {n} cached embeddings" if n is not None else "all cached embeddings"
        if not self.confirm(f"Delete {what}? Images will be embedded again on the next "
                            "run (all models, all workflows)."):
            return
        self.clear_button.setEnabled(False)

        def done(result: Any, error: BaseException | None) -> None:
            self.clear_button.setEnabled(True)
            self.refresh_cache_count()

        self._background(lambda: clear_cache(), done)

    # ------------------------------------------------------------------ display
    def _show_model_info(self) -> None:
        spec = self.specs.get(self.settings.model)
        if spec is None:
            self.model_info.setText(f"Unknown model {self.settings.model!r}.")
            return
        status = self.weights.status() if self.weights.spec is spec else None
        if status is None:
            available = "checking weights…"
        elif status.state in ("shipped", "official"):
            available = f"available offline ({status.source})"
        elif status.state == "custom":
            available = "your own weights (custom file)"
        else:
            available = "weights missing: Download… below"
        self.model_info.setText(f"{spec.dim} features · {spec.input_size}×{spec.input_size} "
                                f"input · {available}")
        self.model_info.setToolTip(spec.description)

    def on_settings(self) -> None:
        s = self.settings
        i = self.model_combo.findData(s.model)
        if i < 0:
            self.model_combo.addItem(s.model, s.model)
            i = self.model_combo.count() - 1
        self.model_combo.setCurrentIndex(i)
        self.per_channel_box.setChecked(bool(s.per_channel))
        self.use_cache_box.setChecked(bool(s.use_cache))
        if self.cluster_edit.text().strip() != s.cluster:
            self.cluster_edit.setText(s.cluster)
        self._show_device()
        self._check_model(s.model)

    def on_data(self) -> None:
        pass

    def on_status(self, status: NodeStatus) -> None:
        running = status.state in (NodeState.RUNNING, NodeState.QUEUED)
        self.cancel_button.setEnabled(status.state is NodeState.RUNNING)
        if running:
            self.progress.setValue(int(status.progress))
            self.status_label.setText(status.message or "waiting…")
            self._last_message = status.message or self._last_message
        else:
            self.progress.setValue(100 if status.state in (NodeState.DONE, NodeState.WARNING)
                                   else 0)
            done = f"Done: {self._last_message}." if self._last_message else "Done."
            emb = self.outputs().get("Embeddings")
            if not self._last_message and emb is not None:
                done = f"Done: {len(emb)} images embedded, {emb.X.shape[1]} features each."
            self.status_label.setText(status.message if status.state != NodeState.DONE
                                      else done)
        if status.state in (NodeState.DONE, NodeState.WARNING):
            self.refresh_cache_count()


@register_view("petriflow.image_embedder")
def make_view(node: NodeFacade) -> QWidget:
    return ImageEmbedderView(node)
