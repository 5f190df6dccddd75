"""The Image Embedder view's weights row: status, "Download…", "Use a file…", progress.

Why a widget of its own: it is the app's face of ``petriflow models`` and must behave the
same (the same download code, :mod:`petriflow.analysis.embedding.backbones.download`;
the same strict load, :mod:`...backbones.status`), with everything slow on the node's
task runner: checking a status hashes files of up to 500 MB, a download takes minutes.
Consent is asked once per model per session, before the first byte is fetched. Nothing
here is written to the workflow: weights live in the weights folder only.

"Mirror…" is the app's preference for an institution's mirror (used instead of
``PETRIFLOW_WEIGHTS_MIRROR`` when set): a base URL under which the official file names
are fetched; stored in the user's QSettings, not in workflows, and the official checksum
is enforced all the same, so a mirror cannot bring other weights. The button opens the
Preferences dialog (:mod:`petriflow.gui.preferences`, Edit → Preferences…) at that field:
one setting, one place to edit it.
"""

from __future__ import annotations

from typing import Any

from PyQt6 import sip
from PyQt6.QtCore import QObject, QSettings, QSize, Qt, QTimer, pyqtSignal
from PyQt6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from petriflow.core.node import Cancelled, CancelToken

__all__ = ["MIRROR_KEY", "ModelWeightsPanel", "mirror_setting", "preferences_changed",
           "set_mirror_setting"]

#: QSettings key of the weights mirror preference (a base URL; empty: none)
MIRROR_KEY = "weights/mirror"


def app_settings() -> QSettings:
    """The user's Petriflow preferences (tests point this at a private file)."""
    return QSettings("Petriflow", "Petriflow")


def mirror_setting() -> str:
    """The mirror base URL from the preferences, or ``""``."""
    return str(app_settings().value(MIRROR_KEY, "") or "").strip()


def set_mirror_setting(url: str) -> None:
    """Store (or, with ``""``, clear) the mirror; anything but an http(s) URL is refused
    with a message saying what is expected."""
    url = url.strip()
    if url and not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"A mirror is a base URL starting with http:// or https://, "
                         f"not {url!r}.")
    app_settings().setValue(MIRROR_KEY, url.rstrip("/"))
    preferences_changed()


class _Preferences(QObject):
    """Announces a change of the preferences to every open weights row."""

    changed = pyqtSignal()


_PREFERENCES = _Preferences()


def preferences_changed() -> None:
    """Tell open weights rows that the mirror may have changed (tooltips, next download)."""
    _PREFERENCES.changed.emit()

#: model ids whose download the user agreed to in this session (asked once per model)
_CONSENTED: set[str] = set()
#: model id -> WeightsStatus, found once per process and refreshed after a change
_STATUS: dict[str, Any] = {}


class _Relay(QObject):
    """Carries download progress from the worker to the GUI thread (queued signal)."""

    progress = pyqtSignal(object)


class ModelWeightsPanel(QWidget):
    """Shows the current model's weights and gets them. ``tasks`` is the node's
    :class:`~petriflow.gui.views._facade.TaskRunner`; ``changed`` fires when a model's
    weights became usable (the view re-runs the node)."""

    changed = pyqtSignal(str)
    status_known = pyqtSignal(str)

    def __init__(self, tasks: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self.spec: Any = None
        self.pending = 0
        self._fit_pending = False
        self._download: CancelToken | None = None
        self._relay = _Relay()
        self._relay.progress.connect(self._show_progress)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # the status on a line of its own (the whole width: a path, a size, a source and
        # a licence are long), the buttons below it
        self.status_label = QLabel("Weights: checking…")
        self.status_label.setWordWrap(True)
        # spare height (a form row sizes it for a narrower width) below the text, not
        # above it: the text stays next to the model line it continues
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.status_label)
        row = QHBoxLayout()
        self.download_button = QPushButton("Download…")
        self.download_button.clicked.connect(self.download)
        row.addWidget(self.download_button)
        self.file_button = QPushButton("Use a file…")
        self.file_button.setToolTip("Use a weights file you have (official or fine-tuned); "
                                    "it must fit the network exactly")
        self.file_button.clicked.connect(self.use_file)
        row.addWidget(self.file_button)
        self.mirror_button = QPushButton("Mirror…")
        self.mirror_button.clicked.connect(self.edit_mirror)
        row.addWidget(self.mirror_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.note_label = QLabel()  # the last download's or file's outcome, one line
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet("color: #a33;")
        self.note_label.setVisible(False)
        layout.addWidget(self.note_label)
        progress_row = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setFormat("%p%")
        progress_row.addWidget(self.progress, 1)
        self.progress_label = QLabel()
        progress_row.addWidget(self.progress_label)
        self.cancel_button = QPushButton("Stop download")
        self.cancel_button.setToolTip("Stop; what arrived is kept and Download… resumes it")
        self.cancel_button.clicked.connect(self.cancel_download)
        progress_row.addWidget(self.cancel_button)
        layout.addLayout(progress_row)
        self._set_downloading(False)
        self._show_mirror()
        _PREFERENCES.changed.connect(self._show_mirror)

    # ------------------------------------------------------------------ mirror
    def _show_mirror(self) -> None:
        if sip.isdeleted(self):
            return
        mirror = mirror_setting()
        if self.spec is not None and self.status() is not None:
            self._show_status()  # the source it names follows the mirror
        self.mirror_button.setToolTip(
            f"Weights are fetched from the mirror {mirror} (checksums still enforced); "
            "click to change" if mirror else
            "Fetch weights from your institution's mirror instead of the public source "
            "(a base URL holding the official file names; checksums still enforced)")

    def ask_mirror(self, current: str) -> str | None:
        """Ask for the mirror's base URL in the Preferences dialog (opened at that field);
        None when cancelled (tests replace this)."""
        from petriflow.gui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.window(), focus="mirror")
        dialog.mirror_edit.setText(current)
        accepted = dialog.exec() == PreferencesDialog.DialogCode.Accepted
        text = dialog.mirror_edit.text()
        dialog.deleteLater()
        return text if accepted else None

    def edit_mirror(self) -> None:
        """Change the mirror preference; a value that is not a URL is refused in a note."""
        answer = self.ask_mirror(mirror_setting())
        if answer is None:
            return
        try:
            set_mirror_setting(answer)
        except ValueError as exc:
            self.note(str(exc))
            return
        self.note("")
        self._show_mirror()

    # ------------------------------------------------------------------ state
    @property
    def downloading(self) -> bool:
        return self._download is not None

    def status(self) -> Any:
        """The current model's WeightsStatus, or None while it is being checked."""
        return _STATUS.get(self.spec.id) if self.spec is not None else None

    def _set_downloading(self, on: bool) -> None:
        for w in (self.progress, self.progress_label, self.cancel_button):
            w.setVisible(on)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self._fit_window_later()
        st = self.status()
        official = self.spec.official if self.spec is not None else None
        self.download_button.setVisible(official is not None)
        checkable = official is not None and bool(official.sha256)
        self.download_button.setEnabled(
            checkable and not self.downloading and st is not None and st.state != "official")
        self.download_button.setToolTip(
            "Fetch the official weights (asks first; the SHA-256 is checked before the file "
            "is used)" if checkable or official is None else
            "No official checksum is recorded for this model, so it is not downloaded: "
            "fetch the file yourself and choose it with Use a file…")
        self.file_button.setEnabled(self.spec is not None and not self.downloading)

    def _run(self, fn: Any, done: Any) -> CancelToken:
        self.pending += 1

        def callback(result: Any, error: BaseException | None) -> None:
            self.pending -= 1
            if not sip.isdeleted(self):  # the view may have closed meanwhile
                done(result, error)

        token: CancelToken = self.tasks.run(fn, callback)
        return token

    # ------------------------------------------------------------------ status
    def set_model(self, spec: Any) -> None:
        """Show ``spec``'s weights (checked on a worker the first time)."""
        self.spec = spec
        if spec is None:
            self.status_label.setText("")
            self._update_buttons()
            return
        if spec.id in _STATUS:
            self._show_status()
        else:
            self.refresh()

    def refresh(self) -> None:
        """Check the current model's weights again (after a download or a new file)."""
        spec = self.spec
        if spec is None:
            return
        self.status_label.setText("Weights: checking…")

        def check(_token: CancelToken) -> Any:
            from petriflow.analysis.embedding.backbones.status import weights_status

            return weights_status(spec)

        def done(result: Any, error: BaseException | None) -> None:
            if error is None:
                _STATUS[spec.id] = result
            if spec is self.spec:
                if error is not None and not isinstance(error, Cancelled):
                    self.status_label.setText(f"Weights: cannot check ({error})")
                self._show_status()

        self._run(check, done)

    def _show_status(self) -> None:
        st = self.status()
        if st is not None:
            text = f"Weights: {st.detail}"
            mirror = self.effective_mirror()
            if st.state in ("missing", "damaged") and mirror and self.spec.official:
                text += f" · fetched through the mirror {mirror}"
            self.status_label.setText(text)
            self.status_label.setToolTip(text.removeprefix("Weights: "))
            self.status_known.emit(self.spec.id)
        self._update_buttons()

    @staticmethod
    def effective_mirror() -> str:
        """The mirror a download from the app uses: the preference, else the variable."""
        import os

        from petriflow.analysis.embedding.backbones.download import MIRROR_ENV

        return mirror_setting() or os.environ.get(MIRROR_ENV, "").strip().rstrip("/")

    # ------------------------------------------------------------------ download
    def confirm_download(self, text: str) -> bool:
        """Ask before fetching (tests replace this)."""
        answer = QMessageBox.question(self, "Download model weights", text)
        return answer == QMessageBox.StandardButton.Yes

    def download(self) -> None:
        """Fetch the current model's official weights, after consent (once per model)."""
        spec = self.spec
        if spec is None or spec.official is None or self.downloading:
            return
        from petriflow.analysis.embedding.backbones.download import (
            download_official,
            source_url,
        )

        off = spec.official
        mirror = mirror_setting()
        if spec.id not in _CONSENTED:
            if not self.confirm_download(
                    f"Download the {spec.display_name} weights?\n\n{off.filename}, about "
                    f"{off.size / 1e6:.0f} MB, licence {off.licence}\nfrom "
                    f"{source_url(off, mirror)}"
                    f"\n\nThe file's SHA-256 is checked before it is used; it is stored in "
                    f"the weights folder, never in the workflow."):
                return
            _CONSENTED.add(spec.id)
        relay = self._relay
        self.note("")
        self.progress.setValue(0)
        self.progress_label.setText("starting…")

        def fetch(token: CancelToken) -> Any:
            return download_official(spec.id, spec.display_name, off,
                                     progress=relay.progress.emit,
                                     cancel=lambda: token.cancelled, mirror=mirror)

        def done(result: Any, error: BaseException | None) -> None:
            from petriflow.analysis.embedding.backbones.download import DownloadCancelled

            self._download = None
            self._set_downloading(False)
            _STATUS.pop(spec.id, None)
            if error is None:
                self.note("")
                self.changed.emit(spec.id)
            elif isinstance(error, (Cancelled, DownloadCancelled)):
                self.note("Download stopped; Download… resumes it.")
            else:
                self.note(str(error))
            if spec is self.spec:
                self.refresh()

        self._download = self._run(fetch, done)
        self._set_downloading(True)

    def _show_progress(self, p: Any) -> None:
        if not self.downloading:
            return
        self.progress.setValue(int(p.percent))
        self.progress_label.setText(p.message())

    def cancel_download(self) -> None:
        if self._download is not None:
            self._download.cancel()

    # ------------------------------------------------------------------ own file
    def choose_file(self) -> str:
        """The file to use ("" = none chosen; tests replace this)."""
        path, _ = QFileDialog.getOpenFileName(
            self, "Weights file", "", "Weights (*.pth *.pt *.safetensors);;All files (*)")
        return path

    def use_file(self) -> None:
        spec = self.spec
        path = self.choose_file() if spec is not None else ""
        if not path:
            return
        self.file_button.setEnabled(False)
        self.note("")
        self.status_label.setText("Weights: checking the file…")

        def add(_token: CancelToken) -> Any:
            from petriflow.analysis.embedding.backbones.status import add_custom_weights

            return add_custom_weights(spec, path)

        def done(result: Any, error: BaseException | None) -> None:
            if error is None:
                _STATUS[spec.id] = result
                self.changed.emit(spec.id)
            if error is not None and not isinstance(error, Cancelled):
                self.note(f"Not used: {error}")
            if spec is self.spec:
                self._show_status()

        self._run(add, done)

    def sizeHint(self) -> QSize:
        """As tall as the text needs at the width the row has (a form row asks for the
        size hint, which a word-wrapped label computes for a narrow width)."""
        hint = super().sizeHint()
        if self.width() > 50:
            hint.setHeight(self.heightForWidth(self.width()))
        return hint

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.updateGeometry()  # the height for the new width

    def note(self, text: str) -> None:
        """Show (or clear) the outcome line."""
        self.note_label.setText(text)
        self.note_label.setVisible(bool(text))
        self._fit_window_later()

    def _fit_window_later(self) -> None:
        """Once the layout has settled, make the window tall enough for the text shown
        now (a long status or note would otherwise be clipped in a window sized for a
        short one; a word-wrapped label's height is not part of a window's minimum)."""
        if not self._fit_pending:
            self._fit_pending = True
            QTimer.singleShot(0, self._fit_window)

    def _fit_window(self) -> None:
        if sip.isdeleted(self):
            return
        self._fit_pending = False
        win = self.window()
        layout = win.layout() if win is not None else None
        if layout is None or not self.isVisible():
            return
        needed = layout.totalSizeHint().height()
        if layout.hasHeightForWidth():
            needed = max(needed, layout.totalHeightForWidth(win.width()))
        if needed > win.height():
            win.resize(win.width(), needed)
