"""Distances: pairwise distances between rows (or columns) of a table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from petriflow.analysis.distances import METRICS, MemoryLimitError, pairwise_distances
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix
from petriflow.nodes._shared import features_or_error


class Distances(Node):
    qualified_name = "petriflow.distances"
    name = "Distances"
    category = "Unsupervised"
    icon = "distances"
    description = "Compute pairwise distances between rows or columns."
    keywords = ("distance", "similarity", "cosine", "euclidean", "matrix")
    priority = 10
    inputs = (Input("Data", Table, default=True, id="data"),)
    outputs = (Output("Distances", DistanceMatrix, default=True, id="distances"),)
    replaces = ("Orange.widgets.unsupervised.owdistances.OWDistances",)

    @dataclass
    class Settings:
        metric: Literal["cosine", "euclidean", "manhattan", "pearson", "spearman", "jaccard"] = (
            "cosine"
        )
        #: compare rows (images) or columns (features)
        axis: Literal["rows", "columns"] = "rows"
        #: standardize each feature (zero mean, unit variance) first
        normalize: bool = False

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        s = self.settings
        if s.metric not in METRICS:
            raise NodeError(f"Unknown metric {s.metric!r}; choose one of {', '.join(METRICS)}.")
        X = features_or_error(data, progress, "Distances")
        M = X if s.axis == "rows" else X.T
        if s.metric == "jaccard" and not np.isin(M, (0.0, 1.0)).all():
            progress.warn("Jaccard distance treats every nonzero value as 1 (present).")
        what = "rows" if s.axis == "rows" else "columns"
        progress(0, f"{METRICS[s.metric]} distances between {len(M)} {what}")
        try:
            values = pairwise_distances(
                M, s.metric, normalize=s.normalize,
                progress=lambda f: progress(100.0 * f), check=cancel.check,
            )
        except MemoryLimitError as exc:
            raise NodeError(str(exc)) from None
        labels: tuple[str, ...] = ()
        if s.axis == "columns":
            labels = data.feature_names
        elif "image name" in data.metas:
            labels = tuple(str(v) for v in data.metas["image name"])
        return {
            "Distances": DistanceMatrix(
                values, table=data, axis=0 if s.axis == "rows" else 1,
                labels=labels, metric=s.metric,
            )
        }
