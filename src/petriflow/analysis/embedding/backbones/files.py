"""Where weight files live and their checksums, without reading what is inside them.

Why a module of its own: finding weights (``weights.py``) and downloading them
(``download.py``) both need the weights folder and file checksums; keeping these two here
lets each of those modules import them without importing the other.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

__all__ = ["file_sha256", "weights_dir"]


# ----------------------------------------------------------------------------- checksums
_sha_cache: dict[tuple[str, int, int], str] = {}
_sha_lock = threading.Lock()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 hex digest of a file, memoised per (path, size, mtime) in this process."""
    p = Path(path)
    st = p.stat()
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    with _sha_lock:
        if key in _sha_cache:
            return _sha_cache[key]
    h = hashlib.sha256()
    with p.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    with _sha_lock:
        _sha_cache[key] = digest
    return digest


def weights_dir() -> Path:
    """Petriflow's own folder for model weights (``PETRIFLOW_WEIGHTS_DIR`` overrides)."""
    env = os.environ.get("PETRIFLOW_WEIGHTS_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("petriflow", appauthor=False)) / "weights"
