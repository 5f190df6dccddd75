"""What ``petriflow embed`` reads: a folder of images or a CSV/TSV list of image paths.

Why a module of its own: both the plain embed command and its image-set/cluster path
(``_embed_rows``) read the same inputs; keeping the readers here gives each one home and
no import loop between the two command modules.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

__all__ = ["list_folder_images", "read_csv_list"]


def list_folder_images(folder: Path) -> list[tuple[str, str]]:
    """(path, class) for every image file under ``folder``, in Import Images' order;
    class = first-level subfolder ('' for images at the top).

    The walk is Import Images' own (:func:`~petriflow.analysis.image_import.find_image_files`):
    hidden entries are skipped, a symbolic link loop is walked once, and a FIFO or socket
    named like an image is never opened; each of those is reported on stderr. Headers are
    not read here: the embedder reports unreadable images per file.
    """
    from petriflow.analysis.image_import import ScanResult, find_image_files, folder_category

    result = ScanResult()
    paths = find_image_files(folder, result)
    for path, reason in result.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    return [(str(p), folder_category(folder, p) or "") for p in paths]


def read_csv_list(path: Path) -> list[tuple[str, str]]:
    """(path, class) rows of a CSV/TSV list; relative paths are relative to the file.

    The path and class columns are found by Import Images' names for them
    (:data:`~petriflow.analysis.image_import.PATH_COLUMN_NAMES`, ``CLASS_COLUMN_NAMES``);
    unlike Import Images, a list without a header row is accepted too.
    """
    from petriflow.analysis.image_import import CLASS_COLUMN_NAMES, PATH_COLUMN_NAMES
    from petriflow.analysis.images import has_image_suffix

    text = path.read_text(encoding="utf-8-sig")
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","
    first_line = text.splitlines()[0] if text.strip() else ""
    if delimiter == "," and "\t" in first_line and "," not in first_line:
        delimiter = "\t"
    rows = list(csv.reader(text.splitlines(), delimiter=delimiter))
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    low = [h.lower() for h in header]
    path_col = next((low.index(k) for k in PATH_COLUMN_NAMES if k in low), None)
    if path_col is None:
        # no header we recognise: is the first row itself a path?
        first = rows[0][0].strip() if rows[0] else ""
        has_header = not has_image_suffix(first)
        path_col = 0
    else:
        has_header = True
    class_col = next((low.index(k) for k in CLASS_COLUMN_NAMES if k in low), None)
    if not has_header:
        class_col = None
    base = path.parent
    out = []
    for row in rows[1:] if has_header else rows:
        if len(row) <= path_col or not row[path_col].strip():
            continue
        p = Path(row[path_col].strip()).expanduser()
        if not p.is_absolute():
            p = base / p
        cls = row[class_col].strip() if class_col is not None and len(row) > class_col else ""
        out.append((str(p), cls))
    return out
