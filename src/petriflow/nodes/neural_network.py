"""Neural Network: scikit-learn's multi-layer perceptron (Orange's Neural Network)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any

from petriflow.analysis.learners import Activation, NeuralNetworkLearner, Solver, parse_layers
from petriflow.core.types import Learner
from petriflow.nodes._learner import LearnerNode
from petriflow.nodes._shared import orange_learner_name

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

#: Orange's combo orders (``activation_index``, ``solver_index``, ``alpha_index``)
_ORANGE_ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]
_ORANGE_SOLVERS = ["lbfgs", "sgd", "adam"]
_ORANGE_ALPHAS = list(chain(
    [0.0], [x / 10000 for x in range(1, 10)], [x / 1000 for x in range(1, 10)],
    [x / 100 for x in range(1, 10)], [x / 10 for x in range(1, 10)], range(1, 10),
    range(10, 100, 5), range(100, 200, 10), range(100, 1001, 50)))


class NeuralNetwork(LearnerNode):
    qualified_name = "petriflow.neural_network"
    name = "Neural Network"
    icon = "neural-network"
    description = "Multi-layer perceptron classifier (scikit-learn's MLP)."
    keywords = ("neural network", "mlp", "perceptron", "deep", "classifier", "model")
    priority = 50
    replaces = (
        "Orange.widgets.model.owneuralnetwork.OWNNLearner",
        "Orange.widgets.classify.owneuralnetwork.OWNNLearner",
    )

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Neural Network: layers as text, the rest as combo indices."""
        used = {"hidden_layers_input", "activation_index", "solver_index", "alpha_index",
                "alpha_value", "max_iterations", "replicable", "learner_name"}
        orange_learner_name(s, t)
        layers = s.get("hidden_layers_input")
        if isinstance(layers, str):
            try:
                t.set("hidden_layers_input", "hidden_layers",
                      ", ".join(str(n) for n in parse_layers(layers)))
            except ValueError as exc:
                t.skip("hidden_layers_input", str(exc))
        if "activation_index" in s:
            t.pick("activation_index", s["activation_index"], _ORANGE_ACTIVATIONS,
                   "activation", "activation")
        if "solver_index" in s:
            t.pick("solver_index", s["solver_index"], _ORANGE_SOLVERS, "solver", "solver")
        if "alpha_index" in s:
            t.pick("alpha_index", s["alpha_index"], [float(a) for a in _ORANGE_ALPHAS],
                   "alpha", "regularization")
        elif t.as_number(s.get("alpha_value")) is not None:  # Orange before 3.21
            t.set("alpha_value", "alpha", float(s["alpha_value"]))
        iters = t.as_int(s.get("max_iterations"))
        if iters is not None:
            t.set("max_iterations", "max_iter", max(1, iters))
        if s.get("replicable") is False:
            t.notes.append("Orange's network was not replicable; Petriflow seeds it with 0")
        elif "replicable" in s:
            t.ignored.append("replicable")
        return used

    @dataclass
    class Settings:
        learner_name: str = "Neural Network"
        #: neurons per hidden layer, comma separated ("100" or "50, 20")
        hidden_layers: str = field(default="100", metadata={"label": "neurons per hidden layer"})
        activation: Activation = "relu"
        solver: Solver = "adam"
        #: L2 regularization strength
        alpha: float = field(default=0.0001, metadata={"label": "regularization (alpha)"})
        max_iter: int = field(default=200, metadata={"label": "maximal number of iterations"})
        random_state: int = field(default=0, metadata={"label": "random seed"})

    def make_learner(self, name: str) -> Learner:
        s = self.settings
        return NeuralNetworkLearner(parse_layers(s.hidden_layers), s.activation, s.solver,
                                    s.alpha, s.max_iter, s.random_state, name=name)
