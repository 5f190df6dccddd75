"""t-SNE: a 2-D map that keeps similar items close."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from petriflow.analysis.projection import tsne_projection
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.nodes._projection import (
    PROJECTION_VIEW_SETTINGS,
    ProjectionSettings,
    projection_outputs,
)
from petriflow.nodes._shared import check_subset, features_or_error

COORDS = ("t-SNE-x", "t-SNE-y")


class TSNE(Node):
    qualified_name = "petriflow.tsne"
    name = "t-SNE"
    category = "Unsupervised"
    icon = "tsne"
    description = "t-distributed stochastic neighbour embedding: a 2-D map of neighbourhoods."
    keywords = ("tsne", "t-sne", "projection", "embedding", "manifold")
    priority = 50
    inputs = (
        Input("Data", Table, default=True, id="data"),
        Input("Data Subset", Table, required=False, id="data_subset"),
    )
    outputs = (
        Output("Selected Data", Table, default=True, id="selected_data"),
        Output("Data", Table, id="annotated_data"),
    )
    replaces = ("Orange.widgets.unsupervised.owtsne.OWtSNE",)

    @dataclass
    class Settings(ProjectionSettings):
        perplexity: float = 30.0
        early_exaggeration: float = 12.0
        max_iter: int = 1000
        metric: Literal["euclidean", "cosine"] = "euclidean"
        #: reduce to this many principal components first (0 = no PCA)
        pca_components: int = 50
        normalize: bool = False
        random_seed: int = 0

    view_settings = PROJECTION_VIEW_SETTINGS

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        s = self.settings
        if s.perplexity <= 0:
            raise NodeError("Perplexity must be positive.")
        X = features_or_error(data, progress, "t-SNE", min_rows=3)
        check_subset(data, inputs.get("Data Subset"), progress)
        max_perp = max((len(X) - 1) / 3.0, 1.0)
        if s.perplexity > max_perp:
            progress.warn(
                f"Perplexity {s.perplexity:g} is too large for {len(X)} rows; "
                f"used {max_perp:.1f}."
            )
        progress(5, f"t-SNE of {len(X)} rows")
        cancel.check()
        layout = tsne_projection(
            X, perplexity=s.perplexity, early_exaggeration=s.early_exaggeration,
            max_iter=s.max_iter, metric=s.metric, pca_components=s.pca_components,
            normalize=s.normalize, random_state=s.random_seed,
        )
        cancel.check()
        progress(100, "done")
        return projection_outputs(data, layout, COORDS, s.selected, progress)
