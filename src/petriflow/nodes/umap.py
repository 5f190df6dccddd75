"""UMAP: a 2-D map of neighbourhoods (uniform manifold approximation and projection)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from petriflow.analysis.umap_layout import UMAPMetric, umap_projection
from petriflow.core.node import CancelToken, NodeError, Progress
from petriflow.core.table import Table
from petriflow.nodes._projection import (
    ProjectionNode,
    ProjectionSettings,
    memo_layout,
    projection_outputs,
)
from petriflow.nodes._shared import check_subset, features_or_error

COORDS = ("UMAP-x", "UMAP-y")


class UMAP(ProjectionNode):
    """Same channels and view as t-SNE; Orange has no UMAP widget to map from."""

    qualified_name = "petriflow.umap"
    name = "UMAP"
    icon = "umap"
    description = "Uniform manifold approximation and projection: a 2-D map of neighbourhoods."
    keywords = ("umap", "projection", "embedding", "manifold", "neighbours")
    priority = 55

    @dataclass
    class Settings(ProjectionSettings):
        #: how many neighbours make a neighbourhood (small: local detail; large: global)
        n_neighbors: int = field(default=15, metadata={"label": "neighbours"})
        #: how tightly points may pack in the map (0–1)
        min_dist: float = field(default=0.1, metadata={"label": "minimum distance"})
        #: cosine by default: image embeddings are compared by direction, not length
        metric: UMAPMetric = "cosine"
        random_seed: int = 0

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        s = self.settings
        if s.n_neighbors < 2:
            raise NodeError("UMAP needs at least 2 neighbours.")
        if not 0.0 <= s.min_dist <= 1.0:
            raise NodeError("The minimum distance must be between 0 and 1.")
        X = features_or_error(data, progress, "UMAP", min_rows=3)
        check_subset(data, inputs.get("Data Subset"), progress)
        if s.n_neighbors > len(X) - 1:
            progress.warn(f"{s.n_neighbors} neighbours is too many for {len(X)} rows; "
                          f"used {len(X) - 1}.")
        progress(5, f"UMAP of {len(X)} rows")
        cancel.check()
        layout = memo_layout(self, data, lambda: umap_projection(
            X, n_neighbors=s.n_neighbors, min_dist=s.min_dist, metric=s.metric,
            random_state=s.random_seed))
        cancel.check()
        progress(100, "done")
        return projection_outputs(data, layout, COORDS, s.selected, progress,
                                  s.selection_context, self.context.workflow_dir)
