"""Import Images: a table of the images in a folder (class = first-level subfolder)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from petriflow.analysis.image_import import (
    LIST_SUFFIXES,
    ImageImportError,
    ScanResult,
    images_table,
    read_image_list,
    scan_folder,
)
from petriflow.analysis.image_sets import channel_columns, is_image_set_csv, read_image_set
from petriflow.core.node import CancelToken, Node, NodeError, Output, Progress
from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.nodes._shared import orange_recent_path

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


class ImportImages(Node):
    qualified_name = "petriflow.import_images"
    name = "Import Images"
    category = "Images"
    icon = "import-images"
    description = ("Import images from a folder (subfolders become classes), a CSV list, or "
                   "a CSV of multi-channel fields (one image column per stain).")
    keywords = ("images", "folder", "import", "load", "directory")
    priority = 10
    outputs = (
        Output("Data", Table, default=True, id="data"),
        Output("Skipped Files", Table, id="skipped", explicit=True,
               doc="files that could not be used, with the reason for each"),
    )
    replaces = ("orangecontrib.imageanalytics.widgets.owimageimport.OWImportImages",)

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Import Images: the last folder of ``recent_paths`` (a RecentPath)."""
        used = {"recent_paths", "currentPath"}
        carried = orange_recent_path(s, t, "folder", "folder", "Import Images")
        current = s.get("currentPath")
        if not carried and isinstance(current, str) and current \
                and "is empty" not in t.not_carried.get("recent_paths", ""):
            t.not_carried.pop("recent_paths", None)  # an old file's folder, read instead
            t.set("currentPath", "folder", current)
        return used

    @dataclass
    class Settings:
        #: a folder, or a .csv/.tsv file listing image paths; relative paths are
        #: relative to the workflow file's folder
        folder: str = ""

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        typed = self.settings.folder.strip()
        if not typed:
            progress.warn("No folder chosen.")
            return {"Data": None, "Skipped Files": None}
        path = self.context.resolve_path(typed)
        report = lambda f: progress(100.0 * f, "reading image headers")  # noqa: E731
        try:
            if path.is_file() and path.suffix.lower() in LIST_SUFFIXES and \
                    is_image_set_csv(path):
                # one row per field of view, one image column per stain (a screen)
                progress(0, f"reading the image set {path.name}")
                table, warnings = read_image_set(path, progress=report, check=cancel.check)
                for w in warnings:
                    progress.warn(w)
                if not len(table):
                    raise NodeError(f"No complete image set in {path.name}.")
                progress(100, f"{len(table)} fields, {len(channel_columns(table))} channels")
                return {"Data": table, "Skipped Files": None}
            if path.is_file() and path.suffix.lower() in LIST_SUFFIXES:
                progress(0, f"reading the list {path.name}")
                result = read_image_list(path, progress=report, check=cancel.check)
            else:
                progress(0, f"scanning {path}")
                result = scan_folder(path, progress=report, check=cancel.check)
        except ImageImportError as exc:
            raise NodeError(str(exc)[0].upper() + str(exc)[1:] + ".") from None
        skipped = result.skipped_message()
        if not result.paths:
            raise NodeError(f"No images found in {str(path)!r}." + (f" {skipped}" if skipped
                                                                    else ""))
        if result.has_problems and skipped:
            progress.warn(skipped)
        elif skipped:
            # a README or .DS_Store is no problem: the node keeps saying what it read
            progress.info(not_images_note(result, path))
        table = images_table(result, name=path.stem or path.name)
        n_cat = len(table.class_values)
        progress(100, counted(len(table), "image")
                 + (", " + counted(n_cat, "class", "classes") if n_cat else ""))
        return {"Data": table, "Skipped Files": skipped_files_table(result.skipped)}


def not_images_note(result: ScanResult, root: Path, shown: int = 20) -> str:
    """"Skipped 2 non-image files: README.txt, dogs/notes.txt, and 1 hidden file or
    folder." — names relative to the folder, the first ``shown`` of them."""
    names = []
    for p in result.not_images[:shown]:
        try:
            names.append(Path(p).relative_to(root).as_posix())
        except ValueError:
            names.append(Path(p).name)
    parts = []
    n, h = result.n_not_image, result.n_hidden
    if n:
        more = f" and {n - shown} more" if n > shown else ""
        parts.append(f"{counted(n, 'non-image file')}: {', '.join(names)}{more}")
    if h:
        parts.append(counted(h, 'hidden file or folder', 'hidden files or folders'))
    return "Skipped " + ", and ".join(parts) + "."


def skipped_files_table(skipped: list[tuple[str, str]]) -> Table | None:
    """One row per file passed over (damaged, unreadable, not found, a link loop …) with
    its reason: what a user needs to fix their folder, and what ``run --out`` writes."""
    if not skipped:
        return None
    paths = np.array([p for p, _ in skipped], dtype=object)
    return Table.from_arrays(
        np.zeros((len(skipped), 0), dtype=np.float32), [],
        metas={"file name": np.array([os.path.basename(p) or p for p in paths], dtype=object),
               "path": paths,
               "skip reason": np.array([r for _, r in skipped], dtype=object)},
        name="skipped files",
    )
