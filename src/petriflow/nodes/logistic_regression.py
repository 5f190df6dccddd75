"""Logistic Regression: a linear classifier (learner, fitted model, coefficients)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from petriflow.analysis.models import LearnerError, LogisticRegressionLearner
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.core.types import Learner, Model


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

    @dataclass
    class Settings:
        learner_name: str = "Logistic Regression"
        #: "l2" (ridge), "l1" (lasso) or "none"
        penalty: Literal["l2", "l1", "none"] = "l2"
        #: inverse regularization strength (larger = weaker regularization)
        C: float = 1.0
        #: weight classes inversely to their frequency
        class_weight_balanced: bool = False

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
        if model is not None and getattr(model, "estimator", None) is not None:
            M, rows, cols = LogisticRegressionLearner.coefficients(model)
            coefficients = Table.from_arrays(M, cols, metas={"name": rows}, name="coefficients")
        return {"Learner": learner, "Model": model, "Coefficients": coefficients}
