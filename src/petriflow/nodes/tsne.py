"""t-SNE: a 2-D map that keeps similar items close.

Of the rows of Data (features, optional PCA first) or of a Distances matrix (as
Orange's t-SNE; the rows are then Data if connected, else the table the distances came
from, so its image column still gives thumbnails). The layout is published every
:data:`LIVE_EVERY` iterations while the optimisation runs (the view redraws it) and the
run stops between iterations on cancel; neither changes the result for a seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from petriflow.analysis.projection import TSNEMetric, tsne_projection
from petriflow.core.node import CancelToken, Input, NodeError, Progress
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix
from petriflow.nodes._projection import (
    ProjectionNode,
    ProjectionSettings,
    distance_rows,
    memo_layout,
    orange_selection,
    projection_outputs,
    with_coordinates,
)
from petriflow.nodes._shared import check_subset, features_or_error

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

COORDS = ("t-SNE-x", "t-SNE-y")
#: iterations between the layouts published to the view while t-SNE runs
LIVE_EVERY = 25


class TSNE(ProjectionNode):
    qualified_name = "petriflow.tsne"
    name = "t-SNE"
    icon = "tsne"
    description = "t-distributed stochastic neighbour embedding: a 2-D map of neighbourhoods."
    keywords = ("tsne", "t-sne", "projection", "embedding", "manifold")
    priority = 50
    inputs = (
        Input("Data", Table, default=True, required=False, id="data"),
        Input("Distances", DistanceMatrix, required=False, id="distances"),
        Input("Data Subset", Table, required=False, id="data_subset"),
    )
    needs_one_of = ("Data", "Distances")
    replaces = ("Orange.widgets.unsupervised.owtsne.OWtSNE",)

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's t-SNE (settings v4 keeps most values in contexts)."""
        s = {**t.context_values(s), **s}
        used = {"perplexity", "exaggeration", "normalize", "use_pca_preprocessing",
                "pca_components", "distance_metric_idx", "initialization_method_idx",
                "multiscale", "selection", "selection_indices", "max_iter"}
        p = t.as_number(s.get("perplexity"))
        if p is not None:
            t.set("perplexity", "perplexity", p)
        if "exaggeration" in s:
            if t.as_number(s["exaggeration"]) == 1.0:
                t.ignored.append("exaggeration")
            else:
                t.skip("exaggeration", "Orange's late exaggeration is not available")
        if isinstance(s.get("normalize"), bool):
            t.set("normalize", "normalize", s["normalize"])
        if s.get("use_pca_preprocessing") is False:
            t.set("use_pca_preprocessing", "pca_components", 0)
        elif t.as_int(s.get("pca_components")) is not None:
            t.set("pca_components", "pca_components", int(s["pca_components"]))
        if "distance_metric_idx" in s:
            # Orange: Euclidean, Manhattan, Cosine
            t.pick("distance_metric_idx", s["distance_metric_idx"],
                   ["euclidean", None, "cosine"], "metric", "t-SNE metric")
        if t.as_int(s.get("initialization_method_idx")):
            t.skip("initialization_method_idx", "spectral initialization is not available; "
                                                "PCA initialization is used")
        if s.get("multiscale"):
            t.skip("multiscale", "multiscale t-SNE is not available")
        if "max_iter" in s:
            t.ignored.append("max_iter")  # Orange drops it since settings version 4
        orange_selection(s, t)
        return used

    @dataclass
    class Settings(ProjectionSettings):
        perplexity: float = 30.0
        early_exaggeration: float = 12.0
        max_iter: int = field(default=1000, metadata={"label": "maximum iterations"})
        metric: TSNEMetric = "euclidean"
        #: reduce to this many principal components first (0 = no PCA)
        pca_components: int = field(default=50, metadata={"label": "PCA components"})
        normalize: bool = False
        random_seed: int = 0

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table | None = inputs.get("Data")
        dm: DistanceMatrix | None = inputs.get("Distances")
        s = self.settings
        if data is None and dm is None:
            return {"Selected Data": None, "Data": None}
        if s.perplexity <= 0:
            raise NodeError("Perplexity must be positive.")
        X: np.ndarray | None = None
        D: np.ndarray | None = None
        if dm is not None:
            table, D = distance_rows(data, dm, "t-SNE")
            if len(table) < 3:
                raise NodeError("t-SNE needs at least 3 rows.")
            if (D < 0).any():
                raise NodeError("The distance matrix has negative values.")
            n = len(table)
            what = f"t-SNE of the {n}×{n} distances (metric and PCA do not apply)"
        else:
            assert data is not None
            table = data
            X = features_or_error(data, progress, "t-SNE", min_rows=3)
            n = len(X)
            what = f"t-SNE of {n} rows"
        check_subset(table, inputs.get("Data Subset"), progress)
        max_perp = max((n - 1) / 3.0, 1.0)
        if s.perplexity > max_perp:
            progress.warn(
                f"Perplexity {s.perplexity:g} is too large for {n} rows; "
                f"used {max_perp:.1f}."
            )
        progress(5, what)
        cancel.check()
        total = max(250, int(s.max_iter))

        def publish(it: int, layout: np.ndarray) -> None:
            progress(5 + 95.0 * it / total, f"{what}: iteration {it}")
            progress.partial_result({"Data": with_coordinates(table, layout, COORDS)})

        layout = memo_layout(self, dm if dm is not None else table, lambda: tsne_projection(
            X, distances=D, perplexity=s.perplexity,
            early_exaggeration=s.early_exaggeration, max_iter=s.max_iter,
            metric=s.metric, pca_components=s.pca_components, normalize=s.normalize,
            random_state=s.random_seed, callback=publish, callback_every=LIVE_EVERY,
            check=cancel.check,
        ))
        cancel.check()
        progress(100, "done")
        return projection_outputs(table, layout, COORDS, s.selected, progress,
                                  s.selection_context, self.context.workflow_dir)
