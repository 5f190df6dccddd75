"""Save Images: write a table's images into a folder, one subfolder per class.

What it never does: overwrite a file (a name that is taken by other content gets a
suffix, ``x_1.png``), write outside the chosen folder (class values and image names
become plain folder and file names), or climb out of the workflow's folder with a
relative path. What it reports: the ``Data`` output is the input with each row's saved
file and result (written, already there, or skipped and why), and the node's message
counts them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from petriflow.analysis.image_export import ImageFormat, encode_image, safe_name, write_new_file
from petriflow.analysis.images import ImageLoadError
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.nodes.image_viewer import image_column_of, resolve_image_path

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

#: metas of the ``Data`` output: where each row's image went, and how it went
SAVED_AS, SAVE_RESULT = "saved as", "save result"
#: the folder of rows without a class value (when saving by class)
NO_CLASS = "no class"
#: Orange's formats, in its combo's order (None: not written by Petriflow)
_ORANGE_FORMATS: list[Any] = ["png", "jpeg", None, "tiff", None, None, None, None]


def checked_folder(typed: str, folder: Path, workflow_dir: Path | None) -> Path:
    """``folder`` if images may be written into it; else NodeError saying why."""
    if workflow_dir is not None and not Path(typed).expanduser().is_absolute():
        inside = Path(os.path.abspath(folder)).is_relative_to(os.path.abspath(workflow_dir))
        if not inside:
            raise NodeError(f"The folder {typed!r} is outside the workflow's folder; a "
                            "relative path must stay inside it. Choose the folder again.")
    if not folder.exists():
        raise NodeError(f"The folder {str(folder)!r} does not exist; create it or choose "
                        "another.")
    if not folder.is_dir():
        raise NodeError(f"{str(folder)!r} is a file, not a folder.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise NodeError(f"The folder {str(folder)!r} is read-only; choose another.")
    return folder.resolve()


def _subfolder(root: Path, name: str) -> Path:
    """``root/name``, created; OSError if it is a link or not inside ``root``."""
    sub = root / name
    if sub.is_symlink() or not sub.resolve().is_relative_to(root):
        raise OSError(f"{name!r} in the folder is a link; nothing is written through it")
    sub.mkdir(exist_ok=True)
    return sub


class SaveImages(Node):
    qualified_name = "petriflow.save_images"
    name = "Save Images"
    category = "Images"
    icon = "save-images"
    description = "Save a table's images into a folder, one subfolder per class."
    keywords = ("save", "export", "images", "write", "folder")
    priority = 95
    inputs = (Input("Data", Table, default=True, id="data"),)
    outputs = (Output("Data", Table, id="data"),)
    replaces = ("orangecontrib.imageanalytics.widgets.owsaveimages.OWSaveImages",)

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Save Images: folder, format (combo index); its scales are a model's
        input size, which we take as the longer side."""
        used = {"dirname", "last_dir", "auto_save", "use_scale", "scale_index",
                "file_format_index", "image_attr_current_index"}
        if isinstance(s.get("dirname"), str) and s["dirname"]:
            t.set("dirname", "folder", s["dirname"])
        if "file_format_index" in s:
            t.pick("file_format_index", s["file_format_index"], _ORANGE_FORMATS, "format",
                   "image format")
        if s.get("use_scale"):
            t.set("use_scale", "size", 224)
            t.notes.append("Save Images: Orange scaled to an embedder's input size; "
                           "Petriflow rescales the longer side to 224 pixels")
        for key in ("last_dir", "auto_save", "scale_index", "image_attr_current_index"):
            if key in s:
                t.ignored.append(key)
        return used

    @dataclass
    class Settings:
        #: where the images go; relative paths are relative to the workflow file's folder
        folder: str = ""
        #: meta column with image paths ("" = the table's image column)
        image_column: str = ""
        #: one subfolder per class value (else all in the folder)
        by_class: bool = field(default=True, metadata={"label": "subfolder per class"})
        #: the longer side in pixels (0 = as they are)
        size: int = field(default=0, metadata={"label": "rescale to (pixels, 0 = no)"})
        #: "original" copies files unchanged unless rescaled (then PNG)
        format: ImageFormat = "original"

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        s = self.settings
        if not s.folder.strip():
            progress.warn("No folder chosen; nothing was saved.")
            return {"Data": None}
        if s.size < 0:
            raise NodeError("The size must be 0 (no rescaling) or more pixels.")
        column = image_column_of(data, s.image_column)
        root = checked_folder(s.folder.strip(), self.context.resolve_path(s.folder.strip()),
                              self.context.workflow_dir)
        classes = data.class_labels() if s.by_class and data.has_class else None
        bases = [b for b in (self.context.workflow_dir, Path.cwd()) if b is not None]
        saved_as: list[str] = []
        results: list[str] = []
        counts = {"written": 0, "already there": 0, "skipped": 0}
        for i, value in enumerate(data.metas[column]):
            if i % 16 == 0:
                cancel.check()
                progress(100.0 * i / max(len(data), 1), f"saving image {i + 1}")
            target, result = "", "written"
            try:
                if not value:
                    raise ImageLoadError("no image path in this row")
                source = resolve_image_path(str(value), bases)
                payload, ext = encode_image(source, s.format, s.size)
                folder = root
                if classes is not None:
                    folder = _subfolder(root, safe_name(classes[i] or NO_CLASS))
                path, fresh = write_new_file(folder, safe_name(source.stem, "image"), ext,
                                             payload)
                target = str(path)
                result = "written" if fresh else "already there"
            except ImageLoadError as exc:
                result = f"skipped: {exc.reason}"
            except OSError as exc:
                result = f"skipped: cannot write ({exc.strerror or exc})"
            counts[result if not result.startswith("skipped") else "skipped"] += 1
            saved_as.append(target)
            results.append(result)
        done = (f"{counts['written']} written, {counts['already there']} already there, "
                f"{counts['skipped']} skipped in {root}")
        progress(100, done)
        progress.info(done)  # what it wrote stays in the node's panel after the run
        if counts["skipped"]:
            first = next(r for r in results if r.startswith("skipped"))
            progress.warn(f"{counts['skipped']} of {len(data)} images were not saved "
                          f"(e.g. {first.removeprefix('skipped: ')}); the Data output "
                          f"says why for each.")
        report = data.with_meta(SAVED_AS, saved_as).with_meta(SAVE_RESULT, results)
        return {"Data": report}
