"""Image Embedder: turn each image of a table into a CNN feature vector.

Why a thin node: all the work (decode, cache, batching, devices) lives in
:mod:`petriflow.analysis.embedding` so that the CLI, scripts and tests share it; this node
only maps table rows to file paths and back. Rows keep their ids (selections made
downstream still find their images) and rows that fail go to "Skipped Images" with a
reason per file instead of failing the whole run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

__all__ = ["ImageEmbedder"]


@dataclass
class ImageEmbedderSettings:
    """Settings: the embedder id, the path column ("" = the table's image column),
    per-channel (microscopy) mode, the device and whether to use the disk cache."""

    model: str = "squeezenet"
    image_column: str = ""
    per_channel: bool = False
    device: str = "auto"
    use_cache: bool = True
    #: "" = in-process; "local" = a Dask LocalCluster; else a scheduler address
    #: (tcp://host:8786) whose workers see the image files under the same paths
    cluster: str = ""


class ImageEmbedder(Node):
    qualified_name = "petriflow.image_embedder"
    name = "Image Embedder"
    category = "Images"
    icon = "icons/image-embedder.svg"
    description = "Describe each image by deep-network features (computed locally)."
    keywords = ("embedding", "cnn", "deep", "features", "squeezenet", "inception")
    priority = 20
    inputs = (Input("Images", Table, default=True,
                    doc="a table with a column of image paths"),)
    outputs = (
        Output("Embeddings", Table, default=True, doc="input rows with image features"),
        Output("Skipped Images", Table, explicit=True,
               doc="rows whose image could not be used, with why"),
    )
    Settings = ImageEmbedderSettings
    replaces = ("orangecontrib.imageanalytics.widgets.owimageembedding.OWImageEmbedding",)
    #: Orange3-ImageAnalytics' channel ids
    orange_channels: ClassVar[dict[str, dict[str, str]]] = {
        "inputs": {"images": "Images"},
        "outputs": {"embeddings": "Embeddings", "skipped_images": "Skipped Images"},
    }

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Image Embedding: the embedder (combo index); server models we lack."""
        used = {"cb_embedder_current_id", "cb_image_attr_current_id", "embedder"}
        i = t.as_int(s.get("cb_embedder_current_id"))
        if "cb_embedder_current_id" in s:
            if i is None or not 0 <= i < len(_ORANGE_EMBEDDERS):
                t.skip("cb_embedder_current_id",
                       f"unexpected embedder {s['cb_embedder_current_id']!r}")
            elif _ORANGE_EMBEDDERS[i][1] is None:
                t.skip("cb_embedder_current_id",
                       f"the {_ORANGE_EMBEDDERS[i][0]} embedder (Orange's server) is not "
                       "available in Petriflow; the default (SqueezeNet) is used")
            else:
                label, model = _ORANGE_EMBEDDERS[i]
                t.values["model"] = model
                t.carried["cb_embedder_current_id"] = f"{label} -> model={model!r}"
                if model == "squeezenet":
                    t.notes.append("Image Embedding: Orange's local SqueezeNet is reproduced "
                                   "exactly by the default 'squeezenet' model")
                else:
                    t.notes.append(
                        f"Image Embedding: Orange computed {label} on its server; Petriflow "
                        f"computes it locally and needs the model's weights file (open the "
                        f"node to download it, or `petriflow models download {model}`); "
                        f"else choose 'squeezenet'"
                    )
        attr = t.as_int(s.get("cb_image_attr_current_id"))
        if attr not in (None, 0):
            t.skip("cb_image_attr_current_id", "saved as a position in Orange's column list; "
                                               "the table's image column is used")
        return used

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        from petriflow.analysis.embedding import (
            EmbedderError,
            EmbeddingCancelled,
            EmbeddingResult,
            embed_paths,
            get_embedder,
        )
        from petriflow.core.node import Cancelled

        table: Table | None = inputs.get("Images")
        if table is None:
            return {"Embeddings": None, "Skipped Images": None}
        s = self.settings
        column = s.image_column or table.image_column
        if not column:
            raise NodeError(
                "The input has no image column; connect Import Images or choose the "
                "column with image paths."
            )
        if column not in table.metas:
            raise NodeError(f"The input has no column {column!r} with image paths.")
        try:
            spec = get_embedder(s.model)
        except EmbedderError as exc:
            raise NodeError(str(exc)) from None
        from petriflow.analysis.embedding.backbones.status import missing_weights_message

        missing = None if s.cluster.strip() else missing_weights_message(spec)
        if missing:  # the badge says so; the view offers the download
            raise NodeError(missing)
        # image sets (one file per stain) and cluster runs: see nodes/_channels.py
        from petriflow.analysis.image_sets import channel_columns
        from petriflow.nodes._channels import embed_table, embedder_outputs, image_paths

        channels = channel_columns(table) if s.per_channel and not s.image_column else []
        if channels or s.cluster.strip():
            return embed_table(table, channels or [column], s, self.context, progress, cancel)
        paths = image_paths(table, column, self.context)

        def on_progress(p: Any) -> None:
            progress(p.percent, f"{spec.display_name}: {p.message()}")

        embed: Callable[..., EmbeddingResult] = embed_paths
        if self.context.options.embedding == "worker_process":  # the desktop app
            from petriflow.analysis.embedding.isolation import run_embedding

            embed = run_embedding

        progress(0, f"{spec.display_name}: starting")
        try:
            result = embed(
                paths,
                spec,
                per_channel=s.per_channel,
                device=s.device,
                cache=bool(s.use_cache),
                progress=on_progress,
                cancel=cancel.check,
            )
        except (EmbeddingCancelled, Cancelled):
            raise Cancelled() from None
        except EmbedderError as exc:
            raise NodeError(str(exc)) from None
        outputs = embedder_outputs(
            table, result.vectors, result.ok_indices, result.feature_names,
            {i: reason for i, _, reason in result.skipped}, [[p] for p in paths], progress)
        n_embedded = len(outputs["Embeddings"] or ())
        if result.from_cache:
            progress(100, f"{n_embedded} embedded ({result.from_cache} from cache)")
        else:
            progress(100, f"{n_embedded} embedded")
        return outputs


# Orange3-ImageAnalytics embedders in combo order ("order" in its MODELS table)
_ORANGE_EMBEDDERS: list[tuple[str, str | None]] = [
    ("Inception v3", "inception-v3"), ("SqueezeNet (local)", "squeezenet"),
    ("VGG-16", "vgg16"), ("VGG-19", None), ("Painters", None), ("DeepLoc", None),
    ("openface", None),
]
