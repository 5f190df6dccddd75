"""Learners and models: thin, explicit wrappers around scikit-learn estimators.

A :class:`SklearnLearner` fits on a :class:`Table` with a categorical class and returns
a :class:`SklearnModel` that predicts probabilities over *all* the training table's
class values (columns for classes absent from a training fold are 0), so results from
different folds line up. Missing feature values are filled with the training means.

Named ``learners`` (not ``models``) so it is not mistaken for the CNN backbones that embed
images, :mod:`petriflow.analysis.embedding.backbones`.
"""

from __future__ import annotations

import inspect
import threading
import warnings
from collections.abc import Callable
from typing import Any, Literal, get_args

import numpy as np

from petriflow.core.table import Table
from petriflow.core.types import Learner, Model

__all__ = [
    "ACTIVATIONS",
    "KNN_METRICS",
    "KNN_WEIGHTS",
    "PENALTIES",
    "SOLVERS",
    "SVM_KERNELS",
    "Activation",
    "KNNLearner",
    "KNNMetric",
    "KNNWeights",
    "LearnerError",
    "LogisticRegressionLearner",
    "NaiveBayesLearner",
    "NeuralNetworkLearner",
    "Penalty",
    "RandomForestLearner",
    "SVMKernel",
    "SVMLearner",
    "SklearnLearner",
    "SklearnModel",
    "Solver",
    "align_features",
    "parse_layers",
]

#: the one declaration of each learner's choices (node setting types; runtime tuples)
Penalty = Literal["l2", "l1", "none"]
PENALTIES: tuple[Penalty, ...] = get_args(Penalty)
KNNMetric = Literal["euclidean", "manhattan", "cosine", "chebyshev"]
KNN_METRICS: tuple[KNNMetric, ...] = get_args(KNNMetric)
KNNWeights = Literal["uniform", "distance"]
KNN_WEIGHTS: tuple[KNNWeights, ...] = get_args(KNNWeights)
SVMKernel = Literal["rbf", "linear", "poly", "sigmoid"]
SVM_KERNELS: tuple[SVMKernel, ...] = get_args(SVMKernel)
Activation = Literal["relu", "tanh", "logistic", "identity"]
ACTIVATIONS: tuple[Activation, ...] = get_args(Activation)
Solver = Literal["adam", "lbfgs", "sgd"]
SOLVERS: tuple[Solver, ...] = get_args(Solver)


#: scikit-learn's first import from two threads at once (two learner nodes starting
#: together) can raise ``_DeadlockError`` on its circular imports; estimators are built
#: (and their modules imported) one at a time
_IMPORT_LOCK = threading.Lock()


class LearnerError(ValueError):
    """The data cannot be used by this learner (message meant for the user)."""


def align_features(table: Table, feature_names: tuple[str, ...]) -> np.ndarray:
    """``table.X`` with columns in the order of ``feature_names`` (by name)."""
    if table.feature_names == feature_names:
        return table.X
    index = {name: i for i, name in enumerate(table.feature_names)}
    missing = [f for f in feature_names if f not in index]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise LearnerError(
            f"the data lacks {len(missing)} feature(s) the model was trained on: {shown}"
        )
    return table.X[:, [index[f] for f in feature_names]]


class SklearnModel(Model):
    """A fitted scikit-learn classifier plus what is needed to apply it to a table."""

    def __init__(
        self,
        estimator: Any,
        *,
        name: str,
        feature_names: tuple[str, ...],
        class_values: tuple[str, ...],
        class_name: str,
        fill_values: np.ndarray,
        constant_class: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.name = name
        self.feature_names = feature_names
        self.class_values = class_values
        self.class_name = class_name
        self.fill_values = fill_values
        self.constant_class = constant_class

    def _matrix(self, table: Table) -> np.ndarray:
        X = np.array(align_features(table, self.feature_names), dtype=np.float64)
        bad = ~np.isfinite(X)
        if bad.any():
            X[bad] = self.fill_values[np.nonzero(bad)[1]]
        return X

    def predict_proba(self, table: Table) -> np.ndarray:
        n, k = len(table), len(self.class_values)
        out = np.zeros((n, k))
        if self.constant_class is not None:
            out[:, self.constant_class] = 1.0
            return out
        if n == 0:
            return out
        proba = self.estimator.predict_proba(self._matrix(table))
        out[:, np.asarray(self.estimator.classes_, dtype=np.int64)] = proba
        return out

    def __repr__(self) -> str:
        return f"SklearnModel({self.name!r})"


class SklearnLearner(Learner):
    """Fits a scikit-learn classifier built by ``make_estimator()`` on a table."""

    def __init__(self, name: str, make_estimator: Callable[[int], Any]) -> None:
        self.name = name
        self._make = make_estimator

    def make_estimator(self, y: np.ndarray) -> Any:
        """A fresh estimator for training labels ``y`` (a learner may adapt it to them)."""
        return self._make(len(y))

    def fit(self, table: Table) -> SklearnModel:
        if table.y is None:
            raise LearnerError(f"{self.name} needs data with a categorical class")
        known = table.y >= 0
        if not known.any():
            raise LearnerError(f"{self.name}: no rows have a known class")
        X = np.asarray(table.X[known], dtype=np.float64)
        y = table.y[known]
        if X.shape[1] == 0:
            raise LearnerError(f"{self.name} needs at least one feature")
        with np.errstate(all="ignore"):
            bad = ~np.isfinite(X)
            if bad.any():
                X = X.copy()
                X[bad] = np.nan
                fill = np.nanmean(X, axis=0)
                fill = np.where(np.isfinite(fill), fill, 0.0)
                X[bad] = fill[np.nonzero(bad)[1]]
            else:
                fill = np.zeros(X.shape[1])
        common = dict(
            name=self.name,
            feature_names=table.feature_names,
            class_values=table.class_values,
            class_name=str(table.class_name),
            fill_values=fill,
        )
        classes = np.unique(y)
        if len(classes) == 1:  # nothing to learn: always predict the one class seen
            return SklearnModel(None, constant_class=int(classes[0]), **common)
        with _IMPORT_LOCK:
            estimator = self.make_estimator(y)
        with warnings.catch_warnings():
            # an iteration limit (SVM, MLP) is a setting the user chose, not a fault
            from sklearn.exceptions import ConvergenceWarning

            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X, y)
        return SklearnModel(estimator, **common)


def _lr_kwargs(penalty: str, C: float) -> dict[str, Any]:
    """LogisticRegression arguments across scikit-learn versions (penalty deprecated 1.8)."""
    from sklearn.linear_model import LogisticRegression

    new_api = inspect.signature(LogisticRegression).parameters["penalty"].default == "deprecated"
    if penalty == "none":
        return {"C": np.inf} if new_api else {"penalty": None}
    if penalty == "l1":
        base = {"solver": "saga", "C": C}
        return {**base, "l1_ratio": 1.0} if new_api else {**base, "penalty": "l1"}
    if penalty == "l2":
        return {"C": C} if new_api else {"penalty": "l2", "C": C}
    raise ValueError(f"unknown penalty {penalty!r}")


class LogisticRegressionLearner(SklearnLearner):
    """Multinomial logistic regression (lbfgs; saga for L1), like Orange's defaults."""

    def __init__(
        self,
        penalty: str = "l2",
        C: float = 1.0,
        class_weight_balanced: bool = False,
        name: str = "Logistic Regression",
        max_iter: int = 10000,
    ) -> None:
        if C <= 0:
            raise LearnerError("the regularization strength C must be positive")
        self.penalty, self.C, self.balanced = penalty, C, class_weight_balanced
        kwargs = _lr_kwargs(penalty, C)

        def make(_n: int) -> Any:
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(
                max_iter=max_iter,
                tol=1e-4,
                class_weight="balanced" if class_weight_balanced else None,
                random_state=0,
                **kwargs,
            )

        super().__init__(name, make)

    @staticmethod
    def coefficients(model: SklearnModel) -> tuple[np.ndarray, list[str], list[str]]:
        """(matrix rows=intercept+features × columns, row names, column names)."""
        est = model.estimator
        if est is None:
            raise LearnerError("the model saw a single class and has no coefficients")
        coef = np.atleast_2d(est.coef_)
        intercept = np.atleast_1d(est.intercept_)
        M = np.vstack([intercept[None, :], coef.T])
        if coef.shape[0] == 1:
            cols = ["coef"]
        else:
            cols = [model.class_values[int(c)] for c in est.classes_]
        return M, ["intercept", *model.feature_names], cols


class KNNLearner(SklearnLearner):
    """k nearest neighbours (brute force, so cosine works); k is capped by training size."""

    METRICS = KNN_METRICS

    def __init__(
        self,
        n_neighbors: int = 5,
        metric: str = "euclidean",
        weights: str = "uniform",
        name: str = "kNN",
    ) -> None:
        if metric not in self.METRICS:
            raise LearnerError(f"unknown metric {metric!r}; use one of {', '.join(self.METRICS)}")
        if weights not in KNN_WEIGHTS:
            raise LearnerError(f"unknown weighting {weights!r}")
        if n_neighbors < 1:
            raise LearnerError("the number of neighbours must be at least 1")
        self.n_neighbors, self.metric, self.weights = n_neighbors, metric, weights

        def make(n_train: int) -> Any:
            from sklearn.neighbors import KNeighborsClassifier

            return KNeighborsClassifier(
                n_neighbors=min(n_neighbors, n_train),
                metric=metric,
                weights=weights,
                algorithm="brute",
            )

        super().__init__(name, make)


def _check_positive(value: float, what: str) -> None:
    if not value > 0:
        raise LearnerError(f"{what} must be positive")


class SVMLearner(SklearnLearner):
    """Support vector machine (libsvm's SVC) with probability estimates.

    Probabilities come from Platt scaling, as in Orange's SVM, so that Predictions and
    Test and Score can show them and compute AUC; scikit-learn 1.9 moved that from
    ``SVC(probability=True)`` to a sigmoid-calibrated classifier fitted on internal
    folds (at most as many as the rarest class has rows). ``gamma`` 0 means
    1/(number of features), Orange's "auto".
    """

    def __init__(
        self,
        C: float = 1.0,
        kernel: str = "rbf",
        gamma: float = 0.0,
        degree: int = 3,
        coef0: float = 0.0,
        tol: float = 1e-3,
        max_iter: int = 100,
        name: str = "SVM",
    ) -> None:
        _check_positive(C, "the cost C")
        if kernel not in SVM_KERNELS:
            raise LearnerError(f"unknown kernel {kernel!r}; use one of {', '.join(SVM_KERNELS)}")
        if gamma < 0:
            raise LearnerError("gamma must be 0 (auto) or positive")
        if degree < 1:
            raise LearnerError("the polynomial degree must be at least 1")
        self.C, self.kernel, self.gamma = C, kernel, gamma

        def make(_n: int) -> Any:
            from sklearn.svm import SVC

            return SVC(C=C, kernel=kernel, gamma=gamma if gamma > 0 else "auto",
                       degree=degree, coef0=coef0, tol=tol,
                       max_iter=max_iter if max_iter > 0 else -1, random_state=0)

        super().__init__(name, make)

    def make_estimator(self, y: np.ndarray) -> Any:
        from sklearn.calibration import CalibratedClassifierCV

        counts = np.bincount(y)
        folds = max(2, min(5, int(counts[counts > 0].min())))
        return CalibratedClassifierCV(self._make(len(y)), method="sigmoid", cv=folds,
                                      ensemble=False)


class RandomForestLearner(SklearnLearner):
    """A forest of randomized trees; seeded, so a workflow re-runs to the same model."""

    def __init__(
        self,
        n_estimators: int = 10,
        max_features: int = 0,
        max_depth: int = 0,
        min_samples_split: int = 5,
        random_state: int = 0,
        class_weight_balanced: bool = False,
        name: str = "Random Forest",
    ) -> None:
        if n_estimators < 1:
            raise LearnerError("the forest needs at least one tree")
        if min_samples_split < 2:
            raise LearnerError("a subset must have at least 2 rows to be split")
        if max_features < 0 or max_depth < 0:
            raise LearnerError("attribute count and depth limits cannot be negative")
        self.n_estimators = n_estimators

        def make(_n: int) -> Any:
            from sklearn.ensemble import RandomForestClassifier

            return RandomForestClassifier(
                n_estimators=n_estimators,
                # 0 = no limit of our own: scikit-learn's default, sqrt(features)
                max_features=max_features if max_features > 0 else "sqrt",
                max_depth=max_depth if max_depth > 0 else None,
                min_samples_split=min_samples_split,
                class_weight="balanced" if class_weight_balanced else None,
                random_state=random_state, n_jobs=1,
            )

        super().__init__(name, make)


class NeuralNetworkLearner(SklearnLearner):
    """Multi-layer perceptron (scikit-learn's MLPClassifier), Orange's Neural Network."""

    def __init__(
        self,
        hidden_layers: tuple[int, ...] = (100,),
        activation: str = "relu",
        solver: str = "adam",
        alpha: float = 1e-4,
        max_iter: int = 200,
        random_state: int = 0,
        name: str = "Neural Network",
    ) -> None:
        if not hidden_layers or any(n < 1 for n in hidden_layers):
            raise LearnerError("each hidden layer needs at least one neuron")
        if activation not in ACTIVATIONS:
            raise LearnerError(f"unknown activation {activation!r}")
        if solver not in SOLVERS:
            raise LearnerError(f"unknown solver {solver!r}")
        if alpha < 0:
            raise LearnerError("the regularization alpha cannot be negative")
        if max_iter < 1:
            raise LearnerError("the number of iterations must be at least 1")
        self.hidden_layers = tuple(hidden_layers)

        def make(_n: int) -> Any:
            from sklearn.neural_network import MLPClassifier

            return MLPClassifier(hidden_layer_sizes=tuple(hidden_layers),
                                 activation=activation, solver=solver, alpha=alpha,
                                 max_iter=max_iter, random_state=random_state)

        super().__init__(name, make)


class NaiveBayesLearner(SklearnLearner):
    """Gaussian naive Bayes: features are continuous (embeddings), not discretized."""

    def __init__(self, name: str = "Naive Bayes") -> None:
        def make(_n: int) -> Any:
            from sklearn.naive_bayes import GaussianNB

            return GaussianNB()

        super().__init__(name, make)


def parse_layers(text: str) -> tuple[int, ...]:
    """Orange's "hidden layers" text ("100," or "50, 20") as neuron counts."""
    parts = [p.strip() for p in str(text).replace(";", ",").split(",")]
    try:
        layers = tuple(int(p) for p in parts if p)
    except ValueError:
        raise LearnerError(f"hidden layers {text!r}: write neuron counts such as 100, 50") from None
    if not layers:
        raise LearnerError("give at least one hidden layer (e.g. 100)")
    return layers
