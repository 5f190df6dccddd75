"""Write a file atomically: a temp file in the target's folder, fsync, then rename.

Why one helper: workflow saves, ``petriflow run --out``, Save Data, ``petriflow embed``
and the Dask shards all replace files that a user (or a resumed run) relies on. A crash
or a full disk mid-write must leave the old file, never a half-written one, and the new
file must carry the permissions a plain ``open(path, "w")`` would have given it: those of
the file it replaces, or for a new file ``0o666`` less the user's umask (``mkstemp``
alone makes every file private, 0600).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["atomic_save_npy", "atomic_write", "atomic_write_bytes", "current_umask"]

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask, read without changing it where the system allows."""
    try:  # Linux >= 4.7 reports it; no window in which another thread sees umask 0
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def _target_mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o666 & ~current_umask()


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` with a temp path beside ``path``, then rename it over ``path``.

    ``write`` fills the temp file by name (so any library writer works: CSV, NumPy,
    Parquet). The data is fsynced before the rename; the result keeps the permissions of
    the file it replaces, or follows the umask when new. On any error the temp file is
    removed and an existing ``path`` is left untouched.
    """
    path = Path(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, _target_mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_folder(path.parent)
    return path


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """:func:`atomic_write` of a bytes object."""
    return atomic_write(path, lambda tmp: tmp.write_bytes(data))


def atomic_save_npy(path: str | os.PathLike[str], array: Any) -> Path:
    """:func:`atomic_write` of a NumPy array as ``.npy`` (no pickles)."""
    import numpy as np

    def write(tmp: Path) -> None:
        with tmp.open("wb") as fh:  # a file object: np.save would add ".npy" to the name
            np.save(fh, array, allow_pickle=False)

    return atomic_write(path, write)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
