"""Load Model: read a model saved by Save Model; a file that could run code is refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from petriflow.analysis.model_files import MODEL_PATH_METADATA, ModelFileError, load_model
from petriflow.core.node import CancelToken, Node, NodeError, Output, Progress
from petriflow.core.status import counted
from petriflow.core.types import Model
from petriflow.nodes._learner import ORANGE_MODEL_CHANNEL

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


class LoadModel(Node):
    qualified_name = "petriflow.load_model"
    name = "Load Model"
    category = "Model"
    icon = "load-model"
    description = "Load a model saved with Save Model (skops format; no pickles)."
    keywords = ("load model", "open model", "import model", "skops")
    priority = 95
    inputs = ()
    outputs = (Output("Model", Model, default=True, id="model"),)
    replaces = ("Orange.widgets.model.owloadmodel.OWLoadModel",)
    orange_channels: ClassVar[dict[str, dict[str, str]]] = {"outputs": ORANGE_MODEL_CHANNEL}

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Load Model: the most recent file (a .pkcls pickle, which is kept as
        the path but will be refused when loaded, with the reason)."""
        recent = s.get("recent_paths")
        if isinstance(recent, list | tuple) and recent:
            first = t.recent_path(recent[0])
            path = getattr(first, "abspath", "") if first is not None else ""
            if path:
                t.set("recent_paths", "path", str(path))
                if str(path).lower().endswith(".pkcls"):
                    t.notes.append("Load Model: Orange's .pkcls files are pickles, which "
                                   "Petriflow refuses to open; save the model again with "
                                   "Petriflow")
        return {"recent_paths"}

    @dataclass
    class Settings:
        #: the .skops file; relative paths are relative to the workflow's folder
        path: str = field(default="", metadata=MODEL_PATH_METADATA["open"])

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        typed = self.settings.path.strip()
        if not typed:
            progress.warn("Choose a model file (saved with Save Model).")
            return {"Model": None}
        path = self.context.resolve_path(typed)
        progress(10, f"reading {path.name}")
        try:
            model = load_model(path)
        except ModelFileError as exc:
            raise NodeError(exc.sentence()) from None
        progress(100, f"{model.name}: {counted(len(model.class_values), 'class', 'classes')}, "
                      f"{counted(len(model.feature_names), 'feature')}")
        return {"Model": model}
