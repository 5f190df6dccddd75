"""A disk cache of embeddings, so that re-embedding a folder is nearly free.

Why SQLite (one file, WAL mode) rather than one ``.npy`` per image: a warm run must be
≥ 50× faster than a cold one, which leaves ~100 µs per image for lookup; one batched
``SELECT ... IN (...)`` answers hundreds of keys in a millisecond, and SQLite's
transactions make a write that is killed half-way simply absent, never half-present.

Keys: ``model id + weights SHA-256 + preprocessing key + mode`` (the *model key*) and the
BLAKE2b digest of the image file's bytes. The file digest itself is memoised per
``(path, size, mtime_ns)`` so that a warm run need not even read the images; the
memo is an index, the content digest stays the key (an edited file gets a new digest).

Every value is stored with its length and a BLAKE2b checksum; a row that does not match
(bit rot, a foreign writer, a changed dimension) is treated as a miss, deleted, and
rewritten by the caller. A database that cannot be opened at all is moved aside and
recreated. Nothing in here raises for a cache problem: the worst case is a cold run.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

__all__ = ["EmbeddingCache", "default_cache_dir", "file_digest"]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL,
    digest TEXT NOT NULL,
    dim INTEGER NOT NULL,
    channels TEXT NOT NULL,
    checksum BLOB NOT NULL,
    vector BLOB NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (model, digest)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS file_digests (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    digest TEXT NOT NULL
) WITHOUT ROWID;
"""
_CHUNK = 500  # keys per SELECT (well below SQLite's variable limit)


def default_cache_dir() -> Path:
    """The user cache folder (``PETRIFLOW_CACHE_DIR`` overrides, e.g. for tests)."""
    env = os.environ.get("PETRIFLOW_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("petriflow", appauthor=False))


def file_digest(data: bytes) -> str:
    """Content digest of an image file's bytes (BLAKE2b-160, hex)."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


def _storable(path: str) -> bool:
    """Whether SQLite can store the path as text. A file name that is not UTF-8 (a
    Latin-1 name on Linux arrives with surrogate escapes) is simply not memoised: its
    digest is recomputed each run, its vector is still cached by content."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _checksum(blob: bytes) -> bytes:
    return hashlib.blake2b(blob, digest_size=8).digest()


class EmbeddingCache:
    """Embeddings on disk, keyed by (model key, file content digest).

    Thread-safe (one connection guarded by a lock). Use :meth:`get_many`/:meth:`put_many`
    with batches; both swallow database errors (logged) so the cache can only ever make
    a run faster, never make it fail.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.path = self.directory / "embeddings.sqlite3"
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self.corrupt_entries = 0  # rows found damaged (and dropped) in this session

    # ------------------------------------------------------------------ connection
    def _connect(self) -> sqlite3.Connection | None:
        if self._conn is not None:
            return self._conn
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._conn = self._open()
        except sqlite3.DatabaseError as exc:
            log.warning("embedding cache %s is damaged (%s); starting a new one", self.path, exc)
            self._move_aside()
            try:
                self._conn = self._open()
            except (sqlite3.Error, OSError) as exc2:
                log.warning("embedding cache disabled: %s", exc2)
                return None
        except OSError as exc:
            log.warning("embedding cache disabled: %s", exc)
            return None
        return self._conn

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10.0, check_same_thread=False,
                               isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            conn.execute("SELECT count(*) FROM embeddings LIMIT 1").fetchone()
        except sqlite3.DatabaseError:
            conn.close()
            raise
        return conn

    def _move_aside(self) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            p = Path(str(self.path) + suffix)
            if p.exists():
                with contextlib.suppress(OSError):
                    p.replace(p.with_name(p.name + f".corrupt-{stamp}"))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.close()
                self._conn = None

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, fn: Callable[[sqlite3.Connection], _T], default: _T) -> _T:
        """Run ``fn(conn)`` under the lock; on a database error, reset and give default."""
        with self._lock:
            conn = self._connect()
            if conn is None:
                return default
            try:
                return fn(conn)
            except sqlite3.DatabaseError as exc:
                log.warning("embedding cache error (%s); the cache is reset", exc)
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
                self._conn = None
                self._move_aside()
                return default
            except sqlite3.Error as exc:  # e.g. locked for too long by another process
                log.warning("embedding cache unavailable (%s)", exc)
                return default

    # ------------------------------------------------------------------ vectors
    def get_many(
        self, model_key: str, digests: Sequence[str], dim: int | None = None
    ) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
        """Valid cached entries ``digest -> (vector, channel names)``; others are absent.

        ``dim`` is the expected vector length, or None to accept any (per-channel mode,
        where the length is channels × model dimension).
        """
        unique = list(dict.fromkeys(digests))

        def query(conn: sqlite3.Connection) -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
            found: dict[str, tuple[np.ndarray, tuple[str, ...]]] = {}
            bad: list[str] = []
            for i in range(0, len(unique), _CHUNK):
                chunk = unique[i:i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT digest, dim, channels, checksum, vector FROM embeddings "
                    f"WHERE model = ? AND digest IN ({marks})", (model_key, *chunk),
                ).fetchall()
                for digest, d, channels, checksum, blob in rows:
                    blob = bytes(blob) if isinstance(blob, bytes | memoryview) else b""
                    ok = (
                        isinstance(d, int) and d > 0 and len(blob) == 4 * d
                        and (dim is None or d == dim)
                        and isinstance(checksum, bytes)
                        and checksum == _checksum(blob + str(channels).encode())
                    )
                    if not ok:
                        bad.append(digest)
                        continue
                    names = tuple(str(channels).split("\x1f")) if channels else ()
                    found[digest] = (np.frombuffer(blob, dtype="<f4"), names)
            if bad:
                self.corrupt_entries += len(bad)
                log.warning("dropping %d damaged embedding cache entries", len(bad))
                conn.executemany("DELETE FROM embeddings WHERE model = ? AND digest = ?",
                                 [(model_key, b) for b in bad])
            return found

        return self._run(query, {})

    def put_many(
        self, model_key: str, items: Iterable[tuple[str, np.ndarray, Sequence[str]]]
    ) -> None:
        """Store ``(digest, vector, channel names)`` entries in one transaction."""
        now = time.time()
        rows = []
        for digest, vec, names in items:
            blob = np.ascontiguousarray(vec, dtype="<f4").tobytes()
            channels = "\x1f".join(names)
            rows.append((model_key, digest, len(blob) // 4, channels,
                         _checksum(blob + channels.encode()), blob, now))
        if not rows:
            return

        def write(conn: sqlite3.Connection) -> None:
            with conn:  # one transaction: all or nothing, even if killed mid-write
                conn.execute("BEGIN")
                conn.executemany(
                    "INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?, ?, ?, ?)", rows
                )

        self._run(write, None)

    # ------------------------------------------------------------------ file digests
    def known_digests(self, stats: Sequence[tuple[str, int, int]]) -> dict[str, str]:
        """Memoised content digests for (path, size, mtime_ns) that still match."""
        by_path = {p: (s, m) for p, s, m in stats if _storable(p)}
        paths = list(by_path)

        def query(conn: sqlite3.Connection) -> dict[str, str]:
            out: dict[str, str] = {}
            for i in range(0, len(paths), _CHUNK):
                chunk = paths[i:i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for path, size, mtime, digest in conn.execute(
                    f"SELECT path, size, mtime_ns, digest FROM file_digests "
                    f"WHERE path IN ({marks})", chunk,
                ):
                    if by_path.get(path) == (size, mtime):
                        out[path] = digest
            return out

        return self._run(query, {})

    def remember_digests(self, rows: Iterable[tuple[str, int, int, str]]) -> None:
        """Store (path, size, mtime_ns, digest) memo rows."""
        rows = [r for r in rows if _storable(r[0])]
        if not rows:
            return

        def write(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN")
                conn.executemany("INSERT OR REPLACE INTO file_digests VALUES (?, ?, ?, ?)", rows)

        self._run(write, None)

    # ------------------------------------------------------------------ maintenance
    def count(self, model_key: str | None = None) -> int:
        def q(conn: sqlite3.Connection) -> int:
            if model_key is None:
                return int(conn.execute("SELECT count(*) FROM embeddings").fetchone()[0])
            return int(conn.execute("SELECT count(*) FROM embeddings WHERE model = ?",
                                    (model_key,)).fetchone()[0])

        return self._run(q, 0)

    def clear(self) -> int:
        """Delete every cached embedding and file digest; returns the number removed."""
        n = self.count()

        def wipe(conn: sqlite3.Connection) -> None:
            with conn:
                conn.execute("BEGIN")
                conn.execute("DELETE FROM embeddings")
                conn.execute("DELETE FROM file_digests")
            conn.execute("VACUUM")

        self._run(wipe, None)
        return n

    def size_bytes(self) -> int:
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(OSError):
                total += Path(str(self.path) + suffix).stat().st_size
        return total
