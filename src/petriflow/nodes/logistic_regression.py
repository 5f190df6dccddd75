"""Logistic Regression: a linear classifier (learner, fitted model, coefficients)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from petriflow.analysis.learners import (
    LearnerError,
    LogisticRegressionLearner,
    Penalty,
    SklearnModel,
)
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.core.types import Learner, Model
from petriflow.nodes._shared import orange_learner_name

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


def fit_if_data(learner: Learner, data: Table | None, progress: Progress) -> Model | None:
    """Fit ``learner`` on ``data`` when data is connected (shared by learner nodes)."""
    if data is None:
        return None
    if data.y is None:
        raise NodeError(f"{learner.name} needs data with a class column to train a model.")
    if len(data) == 0:
        raise NodeError("The data is empty.")
    if len(np.unique(data.y[data.y >= 0])) < 2:
        progress.warn("The data has a single class; the model always predicts it.")
    progress(10, f"training {learner.name}")
    try:
        return learner.fit(data)
    except LearnerError as exc:
        raise NodeError(str(exc)) from None


class LogisticRegression(Node):
    qualified_name = "petriflow.logistic_regression"
    name = "Logistic Regression"
    category = "Model"
    icon = "logistic-regression"
    description = "Logistic regression classifier with L2 / L1 regularization."
    keywords = ("logistic regression", "classifier", "linear", "model", "lasso", "ridge")
    priority = 10
    inputs = (Input("Data", Table, default=True, required=False, id="data"),)
    outputs = (
        Output("Learner", Learner, default=True, id="learner"),
        Output("Model", Model, id="model"),
        Output("Coefficients", Table, id="coefficients", explicit=True),
    )
    replaces = (
        "Orange.widgets.model.owlogisticregression.OWLogisticRegression",
        "Orange.widgets.classify.owlogisticregression.OWLogisticRegression",
    )
    #: Orange's old names for a learner's model output
    orange_channels: ClassVar[dict[str, dict[str, str]]] = {
        "outputs": {"Classifier": "Model", "Predictor": "Model"}}

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Logistic Regression: penalty and strength are combo indices."""
        used = {"penalty_type", "C_index", "class_weight", "learner_name"}
        orange_learner_name(s, t)
        if "penalty_type" in s:
            t.pick("penalty_type", s["penalty_type"], ["l1", "l2", "none"], "penalty",
                   "penalty")
        if "C_index" in s:
            i = t.as_int(s["C_index"])
            if i is None or not 0 <= i < len(_ORANGE_C):
                t.skip("C_index", f"unexpected strength index {s['C_index']!r}")
            else:
                t.set("C_index", "C", float(_ORANGE_C[i]))
        if isinstance(s.get("class_weight"), bool):
            t.set("class_weight", "class_weight_balanced", s["class_weight"])
        return used

    @dataclass
    class Settings:
        learner_name: str = "Logistic Regression"
        #: "l2" (ridge), "l1" (lasso) or "none"
        penalty: Penalty = "l2"
        #: inverse regularization strength (larger = weaker regularization)
        C: float = field(default=1.0, metadata={"label": "regularization strength (C)"})
        #: weight classes inversely to their frequency
        class_weight_balanced: bool = field(default=False,
                                            metadata={"label": "balanced class weights"})

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        s = self.settings
        try:
            learner = LogisticRegressionLearner(
                s.penalty, s.C, s.class_weight_balanced, name=s.learner_name or self.name
            )
        except (LearnerError, ValueError) as exc:
            raise NodeError(str(exc)) from None
        data = inputs.get("Data")
        model = fit_if_data(learner, data, progress)
        coefficients = None
        # a model fitted on a single class has no estimator, hence no coefficients
        if isinstance(model, SklearnModel) and model.estimator is not None:
            M, rows, cols = LogisticRegressionLearner.coefficients(model)
            coefficients = Table.from_arrays(M, cols, metas={"name": rows}, name="coefficients")
        return {"Learner": learner, "Model": model, "Coefficients": coefficients}


# Orange's C values by ``C_index``, strongest regularization last (its C_s)
_ORANGE_C = (
    list(range(1000, 200, -50)) + list(range(200, 100, -10)) + list(range(100, 20, -5))
    + list(range(20, 0, -1)) + [x / 10 for x in range(9, 2, -1)]
    + [x / 100 for x in range(20, 2, -1)] + [x / 1000 for x in range(20, 0, -1)]
)
