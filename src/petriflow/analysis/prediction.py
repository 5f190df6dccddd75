"""Apply fitted models to new rows: predicted classes, probabilities, evaluation.

Kept apart from the Predictions node so scripts and tests can predict without a
workflow. Two things scikit-learn would get wrong or explain badly are handled here:

* a model is only applied to data with the features it was trained on; otherwise
  :func:`feature_mismatch` says which columns differ (another embedder, another
  dimension) instead of scikit-learn's "X has 512 features, but … is expecting 1000";
* a model trained on other classes keeps its own class names in its columns, and in
  the evaluation its classes are added after the data's, so a confusion matrix shows
  where rows of each true class went.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from petriflow.core.table import Table
from petriflow.core.types import EvaluationResults, Model

__all__ = ["Predicted", "PredictionError", "feature_mismatch", "predict", "unique_names"]


class PredictionError(ValueError):
    """No model could be applied (message meant for the user)."""


def _shown(names: Sequence[str], limit: int = 4) -> str:
    head = ", ".join(names[:limit])
    return head + (f" … ({len(names)} in all)" if len(names) > limit else "")


def _stem(name: str) -> str:
    """A feature name without its trailing number: embedders name theirs n0, n1, …"""
    return name.rstrip("0123456789")


def feature_mismatch(model: Model, table: Table) -> str:
    """Why ``model`` cannot be applied to ``table`` ("" when its features are there).

    Extra columns are fine (a table may carry measurements besides the embedding)
    unless they continue the model's own numbered series: a 1000-feature model on
    2048-feature embeddings has all of n0…n999, and would silently read the first half.
    """
    wanted = getattr(model, "feature_names", None)
    if wanted is None:
        return ""
    have = set(table.feature_names)
    missing = [f for f in wanted if f not in have]
    known = set(wanted)
    other = [f for f in table.feature_names if f not in known]
    stems = {_stem(f) for f in wanted if _stem(f) != f}
    if not missing and not any(_stem(f) in stems for f in other):
        return ""
    text = (f"{model.name} was trained on {len(wanted)} features ({_shown(list(wanted))}); "
            f"the data has {table.n_features}")
    if missing:
        text += f", lacks {len(missing)} of them ({_shown(missing)})"
    if other:
        text += f" and has {len(other)} others ({_shown(other)})"
    return text + ". Embed these images with the same embedder as the training data."


def unique_names(names: Sequence[str], taken: Sequence[str] = ()) -> list[str]:
    """Column names for models: ``SVM``, ``SVM (2)``… never one of ``taken``."""
    out: list[str] = []
    used = set(taken)
    for name in names:
        base, cand, i = name or "model", name or "model", 2
        while cand in used:
            cand = f"{base} ({i})"
            i += 1
        used.add(cand)
        out.append(cand)
    return out


@dataclass(frozen=True)
class Predicted:
    """The rows with predictions; evaluation when the data knows the true class."""

    table: Table
    results: EvaluationResults | None
    #: (name shown, message) of each model that could not be applied
    skipped: tuple[tuple[str, str], ...]
    #: names of the models applied, in column order
    names: tuple[str, ...]


def predict(data: Table, models: Sequence[Model],
            check: Callable[[], None] | None = None) -> Predicted:
    """Each model's predicted class and class probabilities as metas of ``data``.

    Columns: ``NAME`` (the predicted class, from the model's own class names) and
    ``NAME (CLASS)`` per class of that model. Models whose features the data lacks are
    skipped (their reason in ``skipped``); if none is left, :class:`PredictionError`.
    """
    from petriflow.analysis.evaluation import compute_scores

    names = unique_names([m.name for m in models], taken=list(data.metas))
    table = data
    applied: list[tuple[str, Model, np.ndarray]] = []
    skipped: list[tuple[str, str]] = []
    for name, model in zip(names, models, strict=True):
        if check is not None:
            check()
        why = feature_mismatch(model, data)
        if not why:
            try:
                proba = np.asarray(model.predict_proba(data), dtype=np.float64)
            except ValueError as exc:  # e.g. a model without feature names, wrong size
                why = f"{name} cannot be applied to this data: {exc}"
        if why:
            skipped.append((name, why))
            continue
        values = np.array(model.class_values, dtype=object)
        table = table.with_meta(name, values[proba.argmax(axis=1)] if len(data) else values[:0])
        for c, value in enumerate(model.class_values):
            table = table.with_meta(f"{name} ({value})", proba[:, c])
        applied.append((name, model, proba))
    if not applied:
        raise PredictionError(" ".join(why for _, why in skipped) or "no models to apply")
    results = None
    if data.y is not None and (data.y >= 0).any():
        known = data.y >= 0
        classes = list(data.class_values)
        for _, model, _ in applied:  # another model's classes go after the data's
            classes += [v for v in model.class_values if v not in classes]
        index = {v: i for i, v in enumerate(classes)}
        proba_all = np.zeros((len(applied), int(known.sum()), len(classes)))
        for i, (_, model, proba) in enumerate(applied):
            cols = [index[v] for v in model.class_values]
            proba_all[i][:, cols] = proba[known]
        actual = data.y[known].copy()
        scores = {name: compute_scores(actual, proba_all[i])
                  for i, (name, _, _) in enumerate(applied)}
        results = EvaluationResults(
            data=data.take(known), learner_names=tuple(n for n, _, _ in applied),
            actual=actual, predicted=proba_all.argmax(axis=2), probabilities=proba_all,
            folds=np.zeros(len(actual), dtype=np.int64), class_values=tuple(classes),
            method="predictions", scores=scores,
        )
    return Predicted(table, results, tuple(skipped), tuple(n for n, _, _ in applied))
