"""MDS: a 2-D layout whose distances approximate the given ones (SMACOF)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from petriflow.analysis.distances import MemoryLimitError, pairwise_distances
from petriflow.analysis.projection import MDSInit, mds_smacof, point_stress
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

COORDS = ("mds-x", "mds-y")
#: each point's share of the squared Kruskal stress; over all rows they sum to stress²
STRESS_META = "mds-stress"
#: Kruskal's rule of thumb: stress above this is a poor fit
POOR_STRESS = 0.2


def layout_stress(table: Table | None) -> float | None:
    """The Kruskal stress the node reported for the layout in its ``Data`` output.

    Why from the output: the node measured the stress against the distances it used
    (the given matrix, or Euclidean distances between rows), and its output carries each
    point's share (:data:`STRESS_META`), which sum to the squared stress. A view reads
    the node's figure here instead of recomputing distances and guessing the metric.
    Give it the whole layout (``Data``, not ``Selected Data``); None without the column.
    """
    if table is None or STRESS_META not in table.metas:
        return None
    shares = np.asarray(table.metas[STRESS_META], dtype=np.float64)
    return float(np.sqrt(shares.sum())) if np.isfinite(shares).all() else None


class MDS(ProjectionNode):
    qualified_name = "petriflow.mds"
    name = "MDS"
    icon = "mds"
    description = "Multidimensional scaling: place items in 2-D to preserve their distances."
    keywords = ("mds", "multidimensional scaling", "projection", "embedding", "smacof")
    priority = 30
    inputs = (
        Input("Data", Table, default=True, required=False, id="data"),
        Input("Distances", DistanceMatrix, required=False, id="distances"),
        Input("Data Subset", Table, required=False, id="data_subset"),
    )
    replaces = ("Orange.widgets.unsupervised.owmds.OWMDS",)

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's MDS: iterations, initialization (combo index) and the selection."""
        used = {"max_iter", "initialization", "selection", "selection_indices"}
        it = t.as_int(s.get("max_iter"))
        if it is not None:
            t.set("max_iter", "max_iter", max(1, it))
        if "initialization" in s:
            t.pick("initialization", s["initialization"], ["pca", "random"], "init",
                   "initialization")
        orange_selection(s, t)
        return used

    @dataclass
    class Settings(ProjectionSettings):
        #: starting layout: "pca" (Torgerson scaling) or "random" (seeded)
        init: MDSInit = "pca"
        max_iter: int = field(default=300, metadata={"label": "maximum iterations"})
        #: publish the layout every this many iterations (0 = only at the end)
        refresh_every: int = field(default=25, metadata={"label": "refresh interval"})
        random_seed: int = 0

    needs_one_of = ("Data", "Distances")

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table | None = inputs.get("Data")
        dm: DistanceMatrix | None = inputs.get("Distances")
        s = self.settings
        if data is None and dm is None:
            return {"Selected Data": None, "Data": None}
        if s.max_iter < 1:
            raise NodeError("Max iterations must be at least 1.")
        if dm is not None:
            table, D = distance_rows(data, dm, "MDS")
        else:
            assert data is not None
            table = data
            X = features_or_error(data, progress, "MDS")
            progress(0, "Euclidean distances")
            try:
                D = pairwise_distances(X, "euclidean", check=cancel.check).astype(np.float64)
            except MemoryLimitError as exc:
                raise NodeError(str(exc)) from None
        check_subset(table, inputs.get("Data Subset"), progress)

        def publish(it: int, layout: np.ndarray, stress: float) -> None:
            progress(100.0 * it / s.max_iter, f"iteration {it}, Kruskal stress {stress:.4f}")
            progress.partial_result({"Data": with_coordinates(table, layout, COORDS)})

        result = memo_layout(self, dm if dm is not None else table, lambda: mds_smacof(
            D, init=s.init, max_iter=s.max_iter, random_state=s.random_seed,
            callback=publish, callback_every=max(s.refresh_every, 0), check=cancel.check,
        ))
        state = "converged" if result.converged else "stopped at max iterations"
        progress(
            100,
            f"Kruskal stress {result.stress:.4f} after {result.n_iter} iterations ({state})",
        )
        if result.stress > POOR_STRESS:
            progress.warn(
                f"Kruskal stress is {result.stress:.3f} (above {POOR_STRESS}): distances "
                "are poorly preserved in 2-D; read the layout with care."
            )
        with_stress = table.with_meta(STRESS_META, point_stress(D, result.embedding))
        return projection_outputs(with_stress, result.embedding, COORDS, s.selected,
                                  progress, s.selection_context, self.context.workflow_dir)
