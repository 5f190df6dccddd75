"""Save Model: write a fitted model to a file that cannot run code when loaded."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from petriflow.analysis.model_files import (
    MODEL_PATH_METADATA,
    MODEL_SUFFIX,
    ModelFileError,
    save_model,
)
from petriflow.core.node import CancelToken, Input, Node, NodeError, Progress
from petriflow.core.types import Model
from petriflow.nodes._learner import ORANGE_MODEL_CHANNEL
from petriflow.nodes.save_data import unsafe_target

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


def skops_path(path: str) -> str:
    """Orange's ``.pkcls`` (a pickle) becomes the same name with Petriflow's suffix."""
    if path.lower().endswith(MODEL_SUFFIX):
        return path
    if path.lower().endswith(".pkcls"):
        path = path[: -len(".pkcls")]
    return path + MODEL_SUFFIX


class SaveModel(Node):
    qualified_name = "petriflow.save_model"
    name = "Save Model"
    category = "Model"
    icon = "save"
    description = "Save a trained model to a .skops file (loading it runs no code)."
    keywords = ("save model", "export model", "skops", "write")
    priority = 90
    inputs = (Input("Model", Model, default=True, id="model"),)
    outputs = ()
    replaces = ("Orange.widgets.model.owsavemodel.OWSaveModel",)
    orange_channels: ClassVar[dict[str, dict[str, str]]] = {"inputs": ORANGE_MODEL_CHANNEL}

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Save Model: folder + name of a .pkcls pickle; saved as .skops here."""
        used = {"stored_path", "stored_name", "filename", "filter", "auto_save"}
        name = s.get("stored_name") if isinstance(s.get("stored_name"), str) else ""
        base = s.get("stored_path") if isinstance(s.get("stored_path"), str) else ""
        path = posixpath.join(base, name) if name and base else name
        if not path and isinstance(s.get("filename"), str):
            path = s["filename"]
        if path:
            t.set("stored_name" if name else "filename", "path", skops_path(path))
            t.notes.append("Save Model writes skops files, not Orange's pickles "
                           f"(.pkcls): the model goes to {skops_path(path)!r}")
        for key in ("filter", "auto_save"):
            if key in s:
                t.ignored.append(key)
        return used

    @dataclass
    class Settings:
        #: target .skops file; relative paths are relative to the workflow's folder
        path: str = field(default="", metadata=MODEL_PATH_METADATA["save"])

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        model: Model = inputs["Model"]
        typed = self.settings.path.strip()
        if not typed:
            progress.warn("No file chosen; nothing was saved.")
            return {}
        target = self.context.resolve_path(typed)
        problem = unsafe_target(typed, target, self.context.workflow_dir, (MODEL_SUFFIX,),
                                "Save Model writes only skops model files")
        if problem:
            raise NodeError(problem)
        cancel.check()
        try:
            written = save_model(model, target)
        except ModelFileError as exc:
            raise NodeError(exc.sentence()) from None
        except OSError as exc:
            raise NodeError(f"Could not save to {str(target)!r}: {exc}") from None
        progress(100, f"saved {model.name} to {written.name}")
        return {}
