"""What every learner node shares: channels, Orange's old channel names, and run().

A learner node outputs a Learner (for Test and Score) and, when Data is connected, the
Model fitted on it (for Predictions and Save Model). Only how the learner is built
from the settings differs between SVM, Random Forest, Neural Network and Naive Bayes,
so that is the one method a subclass writes (:meth:`LearnerNode.make_learner`).
Not a node module: the registry does not list it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from petriflow.analysis.learners import LearnerError
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.core.types import Learner, Model
from petriflow.nodes.logistic_regression import fit_if_data

__all__ = ["ORANGE_MODEL_CHANNEL", "LearnerNode"]

#: Orange's old names for a model channel (learners' outputs, Save/Load Model)
ORANGE_MODEL_CHANNEL = {"Classifier": "Model", "Predictor": "Model"}


class LearnerNode(Node):
    """Base of the learner nodes (no ``qualified_name``: never registered itself)."""

    category = "Model"
    inputs = (Input("Data", Table, default=True, required=False, id="data"),)
    outputs = (
        Output("Learner", Learner, default=True, id="learner"),
        Output("Model", Model, id="model"),
    )
    orange_channels: ClassVar[dict[str, dict[str, str]]] = {"outputs": ORANGE_MODEL_CHANNEL}

    def make_learner(self, name: str) -> Learner:
        """The learner the settings describe (raise LearnerError for bad settings)."""
        raise NotImplementedError

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        name = getattr(self.settings, "learner_name", "") or self.name
        try:
            learner = self.make_learner(name)
        except LearnerError as exc:
            raise NodeError(str(exc)) from None
        return {"Learner": learner, "Model": fit_if_data(learner, inputs.get("Data"), progress)}
