"""Fetching official weights: resumable, checksum-checked, placed atomically.

Why a module of its own, without torch or Qt: ``petriflow models download``, the Image
Embedder view's "Download…" and ``--allow-download`` all fetch weights the same way, and
every way a download goes wrong must end the same way too: one line saying what to do,
nothing half-written under the weights file's name, and a good file already there never
replaced.

How: the bytes go to ``NAME.part`` in the weights folder; a later call resumes it with an
HTTP ``Range`` request (a server that ignores the range sends the whole file again, which
restarts the part). Only when the whole file is there and its SHA-256 matches the official
value is it renamed into place (:func:`petriflow.core.atomic.atomic_write`). A file whose
checksum is wrong is deleted (resuming it could never help). ``PETRIFLOW_WEIGHTS_MIRROR``
is a base URL under which the official file names are fetched instead of the public
source; the checksum is enforced all the same, so a mirror cannot inject other weights.
Proxies come from the usual environment variables (urllib's default handlers).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

from petriflow.analysis.embedding.backbones.files import file_sha256, weights_dir
from petriflow.analysis.embedding.backbones.specs import OfficialWeights, WeightsDownloadError

__all__ = [
    "MIRROR_ENV",
    "DownloadCancelled",
    "DownloadProgress",
    "download_official",
    "download_url",
    "part_path",
]

#: environment variable naming a base URL that serves the official file names
MIRROR_ENV = "PETRIFLOW_WEIGHTS_MIRROR"
#: seconds without a byte before a download gives up (a stalled proxy must not hang forever)
TIMEOUT_S = 30.0
_CHUNK = 1 << 16


class DownloadCancelled(WeightsDownloadError):
    """The user stopped the download; the ``.part`` file stays for a later resume."""


@dataclass(frozen=True)
class DownloadProgress:
    """Bytes so far, the total when known, and the speed of this session's bytes."""

    done: int
    total: int | None
    bytes_per_s: float

    def message(self) -> str:
        """``12.3 of 104 MB · 5.1 MB/s`` for the progress line."""
        total = f" of {_mb(self.total)}" if self.total else ""
        return f"{_mb(self.done)}{total} · {_mb(self.bytes_per_s)}/s"

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0


def _mb(n: float) -> str:
    """Bytes in MB, one decimal below 100 MB (a 0.3 MB test file is not "0 MB")."""
    return f"{n / 1e6:.1f} MB" if n < 1e8 else f"{n / 1e6:.0f} MB"


def part_path(folder: Path, filename: str) -> Path:
    """Where a download in progress is kept (resumed from there)."""
    return folder / f"{filename}.part"


def source_url(official: OfficialWeights, mirror: str | None = None) -> str:
    """The official URL, or the same file name under a mirror: ``mirror`` (the app's
    preference) when given and not empty, else ``PETRIFLOW_WEIGHTS_MIRROR``."""
    mirror = (mirror or "").strip() or os.environ.get(MIRROR_ENV, "").strip()
    if mirror:
        return mirror.rstrip("/") + "/" + official.filename
    return official.url


def download_official(
    model_id: str,
    display: str,
    official: OfficialWeights,
    *,
    folder: Path | None = None,
    progress: Callable[[DownloadProgress], object] | None = None,
    cancel: Callable[[], object] | None = None,
    mirror: str | None = None,
) -> Path:
    """Fetch ``official`` into the weights folder and return its path there (from
    ``mirror`` or ``PETRIFLOW_WEIGHTS_MIRROR`` when set: :func:`source_url`).

    A file already in place with the right checksum is returned at once (nothing is
    fetched, nothing replaced). Raises :class:`WeightsDownloadError` (one line) on any
    failure and :class:`DownloadCancelled` when ``cancel()`` returns true or raises.
    """
    if not official.sha256:
        raise WeightsDownloadError(
            f"No official checksum is recorded for the {display} weights, so Petriflow will "
            f"not download them (nothing could prove the file is the right one). Fetch "
            f"{official.filename} from {official.url} yourself and run `petriflow models add "
            f"{model_id} FILE`."
        )
    folder = weights_dir() if folder is None else folder
    target = folder / official.filename
    if target.is_file() and official.matches(file_sha256(target)):
        return target
    _make_writable_folder(folder)
    part = part_path(folder, official.filename)
    url = source_url(official, mirror)
    hint = None
    if url != official.url:  # from a mirror: the app's preference or the variable
        hint = (f"Check the mirror address ({url.rsplit('/', 1)[0]}, from the app's "
                f"Preferences or {MIRROR_ENV}), or copy the file from a machine that has "
                f"it and run `petriflow models add`.")
    download_url(url, part, expected_size=None, progress=progress, cancel=cancel,
                 what=f"the {display} weights", hint=hint)
    digest = _sha256(part)
    if not official.matches(digest):
        got = part.stat().st_size
        with contextlib.suppress(OSError):
            part.unlink()
        raise WeightsDownloadError(
            f"The file downloaded from {url} is not the official {display} weights "
            f"({_mb(got)}, SHA-256 {digest[:12]}…, expected {official.sha256[:12]}…; a "
            f"download cut short looks the same); it was deleted and nothing was placed. "
            + (f"Check the mirror (the app's Preferences or {MIRROR_ENV}) or try again "
               f"later." if hint else "Try again later.")
        )
    from petriflow.core.atomic import atomic_write

    try:
        # the rename of the verified part file is the whole write: the target appears
        # complete or not at all
        atomic_write(target, lambda tmp: os.replace(part, tmp))
    except OSError as exc:
        raise WeightsDownloadError(
            f"Could not place the {display} weights in {folder} ({exc.strerror or exc})."
        ) from None
    return target


def _make_writable_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise WeightsDownloadError(
            f"The weights folder {folder} is not writable ({exc.strerror or exc}): make it "
            f"writable, or point PETRIFLOW_WEIGHTS_DIR at a folder you can write."
        ) from None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_cancel(cancel: Callable[[], object] | None) -> None:
    if cancel is not None and cancel():
        raise DownloadCancelled("Download cancelled; run it again to resume.")


def download_url(
    url: str,
    part: Path,
    *,
    expected_size: int | None = None,
    progress: Callable[[DownloadProgress], object] | None = None,
    cancel: Callable[[], object] | None = None,
    what: str = "the file",
    hint: str | None = None,
) -> None:
    """Bring ``part`` to the complete content of ``url``, resuming what it already holds.

    Every failure is a :class:`WeightsDownloadError` with one line (HTTP status, a web page
    instead of a file, no network, a timeout, a connection dropped midway) ending with
    ``hint`` (what to do; by default about ``PETRIFLOW_WEIGHTS_MIRROR``); what arrived
    before a drop stays in ``part`` so the next call resumes it.
    """
    have = part.stat().st_size if part.is_file() else 0
    hint = hint or _hint(url)
    request = urllib.request.Request(url, headers={"User-Agent": "petriflow"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    _check_cancel(cancel)
    try:
        # a fresh opener reads the proxy variables now (urlopen's global one keeps those
        # of its first call)
        response = urllib.request.build_opener().open(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # nothing after what we have: the part is complete
            return
        raise WeightsDownloadError(
            f"Could not download {what}: {url} answered {exc.code} {exc.reason}. "
            f"{hint}"
        ) from None
    except (urllib.error.URLError, OSError, HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(reason, (TimeoutError, socket.timeout)):
            reason = f"no answer within {TIMEOUT_S:g} s"
        raise WeightsDownloadError(
            f"Could not download {what}: cannot reach {url} ({reason}). No network here? "
            f"{hint}"
        ) from None
    with response:
        ctype = (response.headers.get("Content-Type") or "").lower()
        if "text/html" in ctype:
            raise WeightsDownloadError(
                f"Could not download {what}: {url} answered with a web page, not the "
                f"weights file (a login page or a wrong mirror address?). {hint}"
            )
        status = getattr(response, "status", 200)
        length = response.headers.get("Content-Length")
        if have and status == 206 and _range_start(response.headers) == have:
            mode, done = "ab", have
        else:  # a fresh start, or a server that ignored the range: the whole file again
            mode, done = "wb", 0
        total = done + int(length) if length and length.isdigit() else expected_size
        t0, started = time.monotonic(), done
        last = 0.0
        try:
            with part.open(mode) as fh:
                first = True
                while True:
                    _check_cancel(cancel)
                    chunk = response.read(_CHUNK)
                    if not chunk:
                        break
                    if first and done == 0 and chunk.lstrip()[:15].lower().startswith(
                            (b"<!doctype html", b"<html")):
                        raise WeightsDownloadError(
                            f"Could not download {what}: {url} answered with a web page, "
                            f"not the weights file. {hint}")
                    first = False
                    fh.write(chunk)
                    done += len(chunk)
                    now = time.monotonic()
                    if progress is not None and (now - last >= 0.2 or done == total):
                        last = now
                        rate = (done - started) / max(now - t0, 1e-6)
                        progress(DownloadProgress(done, total, rate))
        except WeightsDownloadError:
            if done == 0:
                with contextlib.suppress(OSError):
                    part.unlink()
            raise
        except (OSError, HTTPException) as exc:
            if isinstance(exc, PermissionError) or getattr(exc, "errno", None) in (28, 30):
                raise WeightsDownloadError(
                    f"Could not write {part} ({getattr(exc, 'strerror', None) or exc})."
                ) from None
            raise WeightsDownloadError(
                f"The download of {what} was interrupted at {done / 1e6:.1f} MB "
                f"({type(exc).__name__}); run it again to resume where it stopped."
            ) from None
    if total is not None and done < total:
        raise WeightsDownloadError(
            f"The download of {what} stopped at {done / 1e6:.1f} of {total / 1e6:.1f} MB "
            f"(connection closed early); run it again to resume where it stopped."
        )
    if progress is not None:
        elapsed = max(time.monotonic() - t0, 1e-6)
        progress(DownloadProgress(done, total if total is not None else done,
                                  (done - started) / elapsed))


def _range_start(headers: object) -> int | None:
    """The first byte a 206 answer holds (``Content-Range: bytes START-END/TOTAL``)."""
    value = str(getattr(headers, "get", lambda k: None)("Content-Range") or "")
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def _hint(url: str) -> str:
    if os.environ.get(MIRROR_ENV, "").strip():
        return (f"Check {MIRROR_ENV}, or copy the file from a machine that has it and run "
                f"`petriflow models add`.")
    return (f"Set {MIRROR_ENV} to your institution's mirror, or copy the file from a "
            f"machine that has it and run `petriflow models add`.")
