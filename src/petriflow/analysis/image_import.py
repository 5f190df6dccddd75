"""Find images in a folder (or a CSV/TSV list) and describe them as a table.

The folder is walked recursively in sorted order (deterministic row order); hidden
files and folders are skipped, files that are not images are skipped, and images whose
header cannot be read are skipped; each kind is counted so the node can say why rows
are missing. Only headers are read (size), never pixels, so scanning is cheap.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from petriflow.analysis.images import (  # EXIF-aware, TIFF via tifffile
    ImageLoadError,
    file_problem,
    has_image_suffix,
    read_image_header,
)
from petriflow.core.table import Table

__all__ = [
    "ImageImportError",
    "ScanResult",
    "find_image_files",
    "folder_category",
    "images_table",
    "read_delimited_rows",
    "read_image_list",
    "read_list_file",
    "relative_setting_path",
    "scan_folder",
]

LIST_SUFFIXES = (".csv", ".tsv", ".tab", ".txt")
PATH_COLUMN_NAMES = ("image", "path", "file", "filename", "file name", "image path")
CLASS_COLUMN_NAMES = ("class", "category", "label")


class ImageImportError(ValueError):
    """The folder or list cannot be imported (message meant for the user)."""


@dataclass
class ScanResult:
    """Images found and what was skipped, with counts by reason."""

    paths: list[Path] = field(default_factory=list)
    categories: list[str | None] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    widths: list[int] = field(default_factory=list)
    heights: list[int] = field(default_factory=list)
    extra: dict[str, list[object]] = field(default_factory=dict)
    n_hidden: int = 0
    n_not_image: int = 0
    n_unreadable: int = 0
    n_missing: int = 0
    unreadable_examples: list[str] = field(default_factory=list)
    #: every file or folder passed over for a problem, with its reason (path, reason)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: files passed over because they are not images (a README): no problem, but the
    #: user may want to know which
    not_images: list[str] = field(default_factory=list)

    def skip(self, path: Path | str, reason: str) -> None:
        """Count an unreadable image (or folder) and remember why, per file."""
        self.n_unreadable += 1
        self.skipped.append((str(path), reason))
        if len(self.unreadable_examples) < 5:
            self.unreadable_examples.append(Path(path).name)

    @property
    def has_problems(self) -> bool:
        """True when an image could not be read or a listed file is missing (a warning);
        non-image and hidden files alone are no problem (an info)."""
        return bool(self.n_unreadable or self.n_missing)

    def skipped_message(self) -> str | None:
        parts = []
        if self.n_unreadable:
            ex = ", ".join(self.unreadable_examples[:3])
            parts.append(f"{self.n_unreadable} unreadable image(s) ({ex})")
        if self.n_missing:
            parts.append(f"{self.n_missing} listed file(s) not found")
        if self.n_not_image:
            parts.append(f"{self.n_not_image} non-image file(s)")
        if self.n_hidden:
            parts.append(f"{self.n_hidden} hidden file(s)/folder(s)")
        return "Skipped " + ", ".join(parts) + "." if parts else None


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("__MACOSX")


def find_image_files(root: Path, result: ScanResult,
                     check: Callable[[], None] | None = None) -> list[Path]:
    """Candidate image files under ``root`` in sorted, deterministic order: the one folder
    walk (Import Images and ``petriflow embed``). Headers are not read here.

    Hidden entries and non-images are counted in ``result``; symbolic link loops,
    unreadable folders and non-regular files named like images (FIFOs, sockets) are
    skipped with their reason in ``result.skipped`` and never followed or opened.
    """
    found: list[Path] = []
    stack = [root]
    # folders already walked, by (device, inode): a symlink back up the tree (or any
    # cycle of links) would otherwise be walked forever
    seen: set[tuple[int, int]] = set()
    while stack:
        if check is not None:
            check()
        folder = stack.pop()
        try:
            st = folder.stat()
        except OSError as exc:
            result.skip(folder, f"cannot open the folder: {exc.strerror or exc}")
            continue
        if (st.st_dev, st.st_ino) in seen:
            result.skip(folder, "symbolic link loop (this folder was already scanned)")
            continue
        seen.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            result.skip(folder, f"cannot open the folder: {exc.strerror or exc}")
            continue
        subdirs = []
        for entry in entries:
            if _is_hidden(entry.name):
                result.n_hidden += 1
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                subdirs.append(Path(entry.path))
            elif has_image_suffix(entry.name):
                # a pipe, socket or link loop named *.png: say why, never open it
                problem = None if _is_regular(entry) else file_problem(entry.path)
                if problem is None:
                    found.append(Path(entry.path))
                else:
                    result.skip(entry.path, problem)
            else:
                result.n_not_image += 1
                result.not_images.append(entry.path)
        stack.extend(reversed(subdirs))
    return sorted(found, key=lambda p: p.relative_to(root).parts)


def folder_category(root: Path, path: Path) -> str | None:
    """The first-level subfolder of ``root`` that holds ``path`` (None at the top)."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else None


def _read_headers(
    candidates: list[Path],
    result: ScanResult,
    progress: Callable[[float], None] | None,
    check: Callable[[], None] | None,
) -> list[int]:
    """Fill sizes for readable images; returns the indices of kept candidates."""
    kept = []
    n = len(candidates)
    for i, path in enumerate(candidates):
        if check is not None and i % 16 == 0:
            check()
        problem = file_problem(path)
        if problem == "file not found":
            result.n_missing += 1
            result.skipped.append((str(path), problem))
            continue
        if problem is not None:
            result.skip(path, problem)
            continue
        try:
            size = path.stat().st_size
            width, height = read_image_header(path)
        except ImageLoadError as exc:
            result.skip(path, exc.reason)
            continue
        except Exception as exc:  # a header parser bug costs one file, not the scan
            result.skip(path, f"cannot read the image header ({type(exc).__name__}: {exc})")
            continue
        kept.append(i)
        # absolute, but a symlink keeps its own name (resolve() would show the target's)
        result.paths.append(Path(os.path.abspath(path)))
        result.sizes.append(int(size))
        result.widths.append(int(width))
        result.heights.append(int(height))
        if progress is not None:
            progress((i + 1) / n)
    return kept


def _is_regular(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def scan_folder(
    folder: str | os.PathLike[str],
    *,
    progress: Callable[[float], None] | None = None,
    check: Callable[[], None] | None = None,
) -> ScanResult:
    """All readable images under ``folder``; category = first-level subfolder name.

    Images directly in ``folder`` get no category (None).
    """
    root = Path(folder)
    if not root.exists():
        raise ImageImportError(f"the folder {str(root)!r} does not exist")
    if not root.is_dir():
        raise ImageImportError(f"{str(root)!r} is not a folder")
    result = ScanResult()
    candidates = find_image_files(root, result, check)
    cats = [folder_category(root, p) for p in candidates]
    kept = _read_headers(candidates, result, progress, check)
    result.categories = [cats[i] for i in kept]
    return result


def read_delimited_rows(path: Path) -> list[list[str]]:
    """The non-empty rows of a CSV/TSV (tab for .tsv/.tab; otherwise the delimiter is
    sniffed among comma, semicolon and tab, since spreadsheets export all three)."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    if path.suffix.lower() in (".tsv", ".tab"):
        delimiter = "\t"
    else:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
    return [r for r in csv.reader(text.splitlines(), delimiter=delimiter) if any(r)]


def read_list_file(path: Path, what: str) -> list[list[str]]:
    """The rows of a CSV/TSV list that must have a header and at least one row of
    ``what`` (an :class:`ImageImportError` says which is missing)."""
    if not path.is_file():
        raise ImageImportError(f"the file {str(path)!r} does not exist")
    rows = read_delimited_rows(path)
    if len(rows) < 2:
        raise ImageImportError(f"{path.name} lists no {what} (it needs a header row)")
    return rows


def read_image_list(
    list_file: str | os.PathLike[str],
    *,
    progress: Callable[[float], None] | None = None,
    check: Callable[[], None] | None = None,
) -> ScanResult:
    """Images listed in a CSV/TSV file with a header row.

    The path column is the one named image/path/file/filename (any case), else the first
    column. Relative paths resolve against the list file's folder. A column named
    class/category/label becomes the class; all other columns become metas (numeric
    when every non-empty value is a number).
    """
    list_path = Path(list_file)
    rows = read_list_file(list_path, "images")
    header = [h.strip() for h in rows[0]]
    lower = [h.lower() for h in header]
    path_col = next((lower.index(c) for c in PATH_COLUMN_NAMES if c in lower), 0)
    class_col = next((lower.index(c) for c in CLASS_COLUMN_NAMES if c in lower), None)
    other = [i for i in range(len(header)) if i not in (path_col, class_col)]
    base = list_path.parent
    candidates: list[Path] = []
    categories: list[str | None] = []
    extras: list[list[str]] = []
    result = ScanResult()
    for r in rows[1:]:
        r = r + [""] * (len(header) - len(r))
        raw = r[path_col].strip()
        if not raw:
            result.n_missing += 1
            continue
        p = Path(raw).expanduser()
        candidates.append(p if p.is_absolute() else base / p)
        categories.append((r[class_col].strip() or None) if class_col is not None else None)
        extras.append([r[i] for i in other])
    kept = _read_headers(candidates, result, progress, check)
    result.categories = [categories[i] for i in kept]
    for j, col in enumerate(other):
        values = [extras[i][j] for i in kept]
        result.extra[header[col] or f"column {col + 1}"] = _maybe_numeric(values)
    if class_col is None:
        result.categories = [None] * len(kept)
    return result


def _maybe_numeric(values: list[str]) -> list[object]:
    try:
        return [float(v) if v.strip() else float("nan") for v in values]
    except ValueError:
        return list(values)


def images_table(result: ScanResult, name: str = "", class_name: str = "category") -> Table:
    """The Import Images table: class (when any category), metas, image column 'image'."""
    n = len(result.paths)
    metas: dict[str, object] = {
        "image name": np.array([p.stem for p in result.paths], dtype=object),
        "image": np.array([str(p) for p in result.paths], dtype=object),
        "size": np.asarray(result.sizes, dtype=np.int64),
        "width": np.asarray(result.widths, dtype=np.int64),
        "height": np.asarray(result.heights, dtype=np.int64),
    }
    for key, values in result.extra.items():
        if key in metas:
            key = f"{key} (list)"
        arr = np.asarray(values)
        metas[key] = arr if arr.dtype.kind == "f" else np.asarray(values, dtype=object)
    has_class = any(c is not None for c in result.categories)
    return Table.from_arrays(
        np.zeros((n, 0), dtype=np.float32),
        [],
        classes=result.categories if has_class else None,
        class_name=class_name,
        metas=metas,
        image_column="image",
        name=name,
    )


def relative_setting_path(path: str | os.PathLike[str], workflow_dir: Path | None) -> str:
    """What to store in the folder setting: relative to the workflow folder when inside it.

    Keeps workflows portable (copy the folder with the workflow file, it still works).
    """
    p = Path(path).expanduser()
    if workflow_dir is None or not p.is_absolute():
        return str(p)
    try:
        return str(p.resolve().relative_to(Path(workflow_dir).resolve()))
    except ValueError:
        return str(p)
