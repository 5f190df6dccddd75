"""PCA: principal components; a PC1 × PC2 scatter to select from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from petriflow.analysis.projection import pca_projection
from petriflow.core.node import CancelToken, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.nodes._projection import ProjectionNode, ProjectionSettings, projection_outputs
from petriflow.nodes._shared import check_subset, features_or_error

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


class PCA(ProjectionNode):
    qualified_name = "petriflow.pca"
    name = "PCA"
    icon = "pca"
    description = "Principal component analysis: linear projection onto main directions."
    keywords = ("pca", "principal components", "projection", "dimensionality reduction")
    priority = 40
    #: the link a drag (or an insert into a link) makes by default is Transformed Data:
    #: every row, on the components; Selected Data, the other projections' default, is
    #: empty until the user selects, so PCA put between Embedder and Distances (or
    #: linked to them by a drag) would leave Distances waiting
    outputs = (
        Output("Selected Data", Table, id="selected_data"),
        *ProjectionNode.outputs[1:],
        Output("Transformed Data", Table, default=True, id="transformed_data"),
        Output("Components", Table, id="components"),
    )
    replaces = ("Orange.widgets.unsupervised.owpca.OWPCA",)
    #: Orange's old name of the projected output
    orange_channels: ClassVar[dict[str, dict[str, str]]] = {
        "outputs": {"Transformed data": "Transformed Data"}}

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's PCA: components and normalization (variance-based choice is not kept)."""
        used = {"ncomponents", "normalize", "variance_covered"}
        n = t.as_int(s.get("ncomponents"))
        if n is not None and n > 0:
            t.set("ncomponents", "n_components", n)
        elif "ncomponents" in s:
            t.skip("ncomponents", "choosing components by explained variance is not available")
        if isinstance(s.get("normalize"), bool):
            t.set("normalize", "normalize", s["normalize"])
        if "variance_covered" in s:
            t.ignored.append("variance_covered")
        return used

    @dataclass
    class Settings(ProjectionSettings):
        #: components kept (capped by rows and features)
        n_components: int = 10
        #: standardize features first
        normalize: bool = False

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        s = self.settings
        if s.n_components < 1:
            raise NodeError("The number of components must be at least 1.")
        X = features_or_error(data, progress, "PCA", min_rows=2)
        check_subset(data, inputs.get("Data Subset"), progress)
        progress(10, "computing principal components")
        cancel.check()
        res = pca_projection(X, s.n_components, normalize=s.normalize)
        k = res.transformed.shape[1]
        names = [f"PC{i + 1}" for i in range(k)]
        layout = res.transformed[:, :2] if k >= 2 else np.c_[res.transformed, np.zeros(len(X))]
        table = data
        for i in range(2, k):
            table = table.with_meta(names[i], res.transformed[:, i])
        out = projection_outputs(table, layout, ("PC1", "PC2"), s.selected, progress,
                                 s.selection_context, self.context.workflow_dir)
        out["Transformed Data"] = data.with_features(res.transformed, names)
        out["Components"] = Table.from_arrays(
            res.components,
            data.feature_names,
            metas={
                "component": names,
                "variance": np.asarray(res.explained_variance_ratio, dtype=np.float64),
            },
            name="PCA components",
        )
        cum = float(np.sum(res.explained_variance_ratio)) * 100
        progress(100, f"{k} components explain {cum:.1f} % of the variance")
        return out
