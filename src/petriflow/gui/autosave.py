"""Autosave and crash recovery.

Every minute (when there are unsaved changes) the workflow is written to the user data
dir, one file per document keyed by its path. A clean close or a save deletes it, so an
autosave that is still there at start-up — and newer than the file it belongs to —
means the last session ended without saving: the app offers to restore it.

The directory is injectable so tests never touch the real user data dir.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from petriflow.core.atomic import atomic_write_bytes
from petriflow.core.ows import workflow_to_bytes
from petriflow.core.workflow import Workflow

__all__ = ["AutosaveStore", "Recovery", "default_autosave_dir"]

INTERVAL_MS = 60_000


def default_autosave_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("petriflow", appauthor=False)) / "autosave"


@dataclass(frozen=True)
class Recovery:
    """An autosave found at start-up."""

    autosave: Path
    original: Path | None  # None: the workflow had never been saved
    saved_at: float

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        what = self.original.name if self.original else "an unsaved workflow"
        return f"Petriflow found changes to {what} autosaved at {when} that were not saved."


class AutosaveStore:
    """Writes, finds and removes autosaves in one directory."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_autosave_dir()

    def _key(self, path: Path | None) -> str:
        if path is None:
            return "untitled"
        return hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:16]

    def files_for(self, path: Path | None) -> tuple[Path, Path]:
        key = self._key(path)
        return self.directory / f"{key}.ows", self.directory / f"{key}.json"

    def save(self, workflow: Workflow) -> Path:
        """Write the workflow's autosave (atomically; never the user's own file)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        ows, meta = self.files_for(workflow.path)
        for target, data in ((ows, workflow_to_bytes(workflow)), (meta, json.dumps({
            "original": str(workflow.path) if workflow.path else None,
            "saved_at": time.time(),
            "pid": os.getpid(),
        }).encode())):
            atomic_write_bytes(target, data)
        return ows

    def discard(self, path: Path | None) -> None:
        for f in self.files_for(path):
            with contextlib.suppress(OSError):
                f.unlink()

    def find(self, path: Path | None) -> Recovery | None:
        """An autosave for ``path`` worth offering (newer than the file itself)."""
        ows, meta = self.files_for(path)
        if not ows.exists():
            return None
        try:
            info = json.loads(meta.read_text())
            saved_at = float(info.get("saved_at", ows.stat().st_mtime))
        except (OSError, ValueError, TypeError):
            saved_at = ows.stat().st_mtime
        if path is not None:
            with contextlib.suppress(OSError):
                if Path(path).stat().st_mtime >= saved_at:
                    self.discard(path)  # the file was saved after: stale autosave
                    return None
        return Recovery(ows, Path(path) if path is not None else None, saved_at)
