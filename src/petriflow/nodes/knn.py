"""kNN: classify by the majority class of the k nearest training rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from petriflow.analysis.learners import KNNLearner, KNNMetric, KNNWeights, LearnerError
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.core.types import Learner, Model
from petriflow.nodes._shared import orange_learner_name
from petriflow.nodes.logistic_regression import fit_if_data

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


class KNN(Node):
    qualified_name = "petriflow.knn"
    name = "kNN"
    category = "Model"
    icon = "knn"
    description = "k nearest neighbours classifier."
    keywords = ("knn", "k nearest neighbours", "neighbors", "classifier", "model")
    priority = 20
    inputs = (Input("Data", Table, default=True, required=False, id="data"),)
    outputs = (
        Output("Learner", Learner, default=True, id="learner"),
        Output("Model", Model, id="model"),
    )
    replaces = (
        "Orange.widgets.model.owknn.OWKNNLearner",
        "Orange.widgets.classify.owknn.OWKNNLearner",
    )
    #: Orange's old names for a learner's model output
    orange_channels: ClassVar[dict[str, dict[str, str]]] = {
        "outputs": {"Classifier": "Model", "Predictor": "Model"}}

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's kNN: neighbours, and metric and weighting as combo indices."""
        used = {"n_neighbors", "metric_index", "weight_index", "learner_name"}
        orange_learner_name(s, t)
        k = t.as_int(s.get("n_neighbors"))
        if k is not None:
            t.set("n_neighbors", "n_neighbors", max(1, k))
        if "metric_index" in s:
            t.pick("metric_index", s["metric_index"],
                   ["euclidean", "manhattan", "chebyshev", None], "metric", "kNN metric")
        if "weight_index" in s:
            t.pick("weight_index", s["weight_index"], ["uniform", "distance"], "weights",
                   "weighting")
        return used

    @dataclass
    class Settings:
        learner_name: str = "kNN"
        n_neighbors: int = field(default=5, metadata={"label": "number of neighbours"})
        metric: KNNMetric = "euclidean"
        weights: KNNWeights = "uniform"

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        s = self.settings
        try:
            learner = KNNLearner(s.n_neighbors, s.metric, s.weights, name=s.learner_name or "kNN")
        except LearnerError as exc:
            raise NodeError(str(exc)) from None
        return {"Learner": learner, "Model": fit_if_data(learner, inputs.get("Data"), progress)}
