"""Channel types: the kinds of value that travel along links.

A link is allowed when the source output's type is a subclass of the sink input's type,
so these classes double as the type system of the canvas. They hold data, not behaviour
that needs Qt; learners and models wrap scikit-learn estimators in ``analysis/``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from petriflow.core.table import Table

__all__ = [
    "DistanceMatrix",
    "EvaluationResults",
    "Learner",
    "Model",
    "Table",
    "describe_value",
]


@dataclass(frozen=True, eq=False)
class DistanceMatrix:
    """A symmetric n × n float32 distance matrix and the items it refers to.

    ``table`` is the row table (axis 0) the distances were computed from; for column
    distances (axis 1) ``labels`` names the columns and ``table`` is the source table.
    """

    values: np.ndarray
    table: Table | None = None
    axis: int = 0
    labels: tuple[str, ...] = ()
    metric: str = ""

    def __post_init__(self) -> None:
        values = np.asarray(self.values, dtype=np.float32)
        if values.ndim != 2 or values.shape[0] != values.shape[1]:
            raise ValueError(f"a distance matrix must be square, got shape {values.shape}")
        object.__setattr__(self, "values", values)
        if self.axis == 0 and self.table is not None and len(self.table) != values.shape[0]:
            raise ValueError("distance matrix size does not match its table")
        object.__setattr__(self, "labels", tuple(str(s) for s in self.labels))

    def __len__(self) -> int:
        return int(self.values.shape[0])

    @property
    def shape(self) -> tuple[int, int]:
        rows, cols = self.values.shape
        return int(rows), int(cols)

    def row_table(self) -> Table | None:
        """The table whose rows the matrix's items are (None for column distances)."""
        return self.table if self.axis == 0 else None

    def __repr__(self) -> str:
        return f"DistanceMatrix({len(self)}×{len(self)}, metric={self.metric!r})"


class Model(ABC):
    """A fitted predictor. ``predict_proba`` returns (n, k) over ``class_values``."""

    name: str = "model"
    class_values: tuple[str, ...] = ()

    @abstractmethod
    def predict_proba(self, table: Table) -> np.ndarray: ...

    def predict(self, table: Table) -> np.ndarray:
        """Predicted class codes (argmax of probabilities)."""
        return np.asarray(self.predict_proba(table)).argmax(axis=1)


class Learner(ABC):
    """Something that turns a labelled table into a :class:`Model`."""

    name: str = "learner"

    @abstractmethod
    def fit(self, table: Table) -> Model: ...

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


@dataclass(frozen=True, eq=False)
class EvaluationResults:
    """Predictions of one or more learners on held-out rows (e.g. cross-validation).

    ``data`` holds the evaluated rows in the order of ``actual``/``predicted`` so that a
    confusion-matrix cell maps straight back to table rows (and their images).
    """

    data: Table
    learner_names: tuple[str, ...]
    actual: np.ndarray  # (n,) class codes
    predicted: np.ndarray  # (n_learners, n) class codes
    probabilities: np.ndarray  # (n_learners, n, k)
    folds: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    class_values: tuple[str, ...] = ()
    method: str = ""
    scores: dict[str, dict[str, float]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.actual)

    def confusion_matrix(self, learner: int = 0) -> np.ndarray:
        """Counts: rows = actual class, columns = predicted class."""
        k = len(self.class_values)
        m = np.zeros((k, k), dtype=np.int64)
        np.add.at(m, (self.actual, self.predicted[learner]), 1)
        return m

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "class_values": list(self.class_values),
            "n_rows": len(self),
            "learners": [
                {
                    "name": name,
                    "scores": self.scores.get(name, {}),
                    "confusion_matrix": self.confusion_matrix(i).tolist(),
                }
                for i, name in enumerate(self.learner_names)
            ],
        }


def describe_value(value: Any) -> tuple[str, tuple[int, ...] | None, str]:
    """(kind, shape, human summary) of a channel value, for run reports and link tooltips."""
    if value is None:
        return "none", None, "no data"
    if isinstance(value, Table):
        return "table", value.shape, value.summary()
    if isinstance(value, DistanceMatrix):
        n = len(value)
        return "distances", (n, n), f"{n}×{n} distances"
    if isinstance(value, EvaluationResults):
        n_learners = len(value.learner_names)
        return "evaluation", (n_learners, len(value)), (
            f"{len(value)} predictions × {n_learners} learners"
        )
    if isinstance(value, Learner):
        return "learner", None, f"learner {value.name}"
    if isinstance(value, Model):
        return "model", None, f"model {value.name}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "list", (len(value),), f"{len(value)} items"
    return type(value).__name__.lower(), None, type(value).__name__
