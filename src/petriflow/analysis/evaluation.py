"""Resampling (cross-validation and friends), scores, and confusion-matrix helpers.

Every split is drawn from a seeded generator, so the same data, settings and seed
give the same folds, predictions and scores on every run.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Literal, get_args

import numpy as np

from petriflow.core.node import Cancelled
from petriflow.core.table import Table
from petriflow.core.types import EvaluationResults, Learner

__all__ = [
    "METHODS",
    "SCORE_NAMES",
    "EvaluationError",
    "Resampling",
    "compute_scores",
    "confusion_values",
    "correct_cells",
    "evaluate",
    "misclassified_cells",
    "splits",
]

#: the resampling methods: the one declaration (node setting type and runtime tuple)
Resampling = Literal[
    "cross_validation",
    "cross_validation_by_feature",
    "random_sampling",
    "leave_one_out",
    "test_on_train",
    "test_on_test",
]
METHODS: tuple[Resampling, ...] = get_args(Resampling)
SCORE_NAMES = ("AUC", "CA", "F1", "Precision", "Recall", "MCC", "Specificity", "LogLoss")


class EvaluationError(ValueError):
    """Data or settings that cannot be evaluated (message meant for the user)."""


# ------------------------------------------------------------------------------ splits
def splits(
    y: np.ndarray,
    method: str,
    *,
    n_folds: int = 5,
    stratified: bool = True,
    n_repeats: int = 10,
    train_size: float = 0.66,
    groups: np.ndarray | None = None,
    random_state: int = 0,
    warn: Callable[[str], None] | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(train positions, test positions) for the resampling ``method`` on labels ``y``."""
    from sklearn.model_selection import (
        KFold,
        LeaveOneGroupOut,
        LeaveOneOut,
        ShuffleSplit,
        StratifiedKFold,
        StratifiedShuffleSplit,
    )

    n = len(y)
    positions = np.arange(n)
    counts = np.bincount(y) if n else np.zeros(0, dtype=np.int64)
    min_count = int(counts[counts > 0].min()) if n else 0
    if method == "cross_validation":
        if n_folds < 2:
            raise EvaluationError("cross-validation needs at least 2 folds")
        if n_folds > n:
            raise EvaluationError(f"cannot make {n_folds} folds from {n} rows")
        if stratified and min_count < n_folds:
            if warn:
                warn(
                    f"Stratification is ignored: the least common class has {min_count} "
                    f"rows, fewer than {n_folds} folds."
                )
            stratified = False
        cv = (StratifiedKFold if stratified else KFold)(
            n_splits=n_folds, shuffle=True, random_state=random_state
        )
        yield from cv.split(positions, y)
    elif method == "random_sampling":
        if not 0 < train_size < 1:
            raise EvaluationError("the training set size must be between 0 and 100 %")
        n_train = round(train_size * n)
        if n_train < 1 or n - n_train < 1:
            raise EvaluationError(f"cannot split {n} rows into training and test sets")
        if stratified and (min_count < 2 or n_train < len(counts[counts > 0])
                           or n - n_train < len(counts[counts > 0])):
            if warn:
                warn("Stratification is ignored: some classes have too few rows.")
            stratified = False
        cv = (StratifiedShuffleSplit if stratified else ShuffleSplit)(
            n_splits=n_repeats, train_size=n_train, test_size=n - n_train,
            random_state=random_state,
        )
        yield from cv.split(positions, y)
    elif method == "leave_one_out":
        if n < 2:
            raise EvaluationError("leave-one-out needs at least 2 rows")
        yield from LeaveOneOut().split(positions)
    elif method == "cross_validation_by_feature":
        if groups is None:
            raise EvaluationError("choose the column whose values define the folds")
        if len(np.unique(groups)) < 2:
            raise EvaluationError("the fold column needs at least 2 different values")
        yield from LeaveOneGroupOut().split(positions, y, groups)
    elif method == "test_on_train":
        yield positions, positions
    else:
        raise EvaluationError(f"unknown resampling method {method!r}")


# ------------------------------------------------------------------------------ scores
def compute_scores(
    actual: np.ndarray, proba: np.ndarray, target: int | None = None
) -> dict[str, float]:
    """CA, AUC, F1, Precision, Recall, MCC, Specificity, LogLoss of one learner's predictions.

    With ``target`` None, F1/Precision/Recall are averaged over classes weighted by class
    size and AUC is the class-size-weighted one-vs-rest AUC (Orange's defaults); with a
    target class index they are computed for that class. Undefined scores are NaN.
    """
    from sklearn.metrics import (
        accuracy_score,
        log_loss,
        matthews_corrcoef,
        precision_recall_fscore_support,
        roc_auc_score,
    )

    k = proba.shape[1]
    labels = np.arange(k)
    predicted = proba.argmax(axis=1)
    scores: dict[str, float] = {"CA": float(accuracy_score(actual, predicted))}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if target is None:
            p, r, f, _ = precision_recall_fscore_support(
                actual, predicted, labels=labels, average="weighted", zero_division=0
            )
        else:
            p, r, f, _ = precision_recall_fscore_support(
                actual, predicted, labels=[target], average="macro", zero_division=0
            )
        scores.update(F1=float(f), Precision=float(p), Recall=float(r))
        scores["MCC"] = float(matthews_corrcoef(actual, predicted))
        scores["Specificity"] = _specificity(actual, predicted, target)
        present = np.unique(actual)
        try:
            if target is not None:
                scores["AUC"] = float(roc_auc_score(actual == target, proba[:, target]))
            elif len(present) < 2:
                scores["AUC"] = float("nan")
            elif k == 2:
                scores["AUC"] = float(roc_auc_score(actual, proba[:, 1]))
            else:
                scores["AUC"] = _weighted_ovr_auc(actual, proba, present)
        except ValueError:
            scores["AUC"] = float("nan")
        clipped = np.clip(proba, 1e-15, 1.0)
        clipped = clipped / clipped.sum(axis=1, keepdims=True)
        scores["LogLoss"] = float(log_loss(actual, clipped, labels=labels))
    return {name: scores[name] for name in SCORE_NAMES}


def _specificity(actual: np.ndarray, predicted: np.ndarray,
                 target: int | None) -> float:
    """TN / (TN + FP) of the target class, or averaged over classes weighted by their
    size (Orange's Specificity): how rarely other rows are taken for the class."""
    classes = [target] if target is not None else list(np.unique(actual))
    total, weight = 0.0, 0
    for c in classes:
        negative = actual != c
        if not negative.any():
            continue
        w = int((actual == c).sum()) if target is None else 1
        total += w * float(np.mean(predicted[negative] != c))
        weight += w
    return total / weight if weight else float("nan")


def _weighted_ovr_auc(actual: np.ndarray, proba: np.ndarray, present: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    total, weight = 0.0, 0
    for c in present:
        pos = actual == c
        if pos.all():
            continue
        w = int(pos.sum())
        total += w * roc_auc_score(pos, proba[:, c])
        weight += w
    return total / weight if weight else float("nan")


# ------------------------------------------------------------------------------ evaluate
def evaluate(
    data: Table,
    learners: Sequence[Learner],
    *,
    method: str = "cross_validation",
    test_data: Table | None = None,
    n_folds: int = 5,
    stratified: bool = True,
    n_repeats: int = 10,
    train_size: float = 0.66,
    fold_column: str = "",
    target: int | None = None,
    random_state: int = 0,
    progress: Callable[[float], None] | None = None,
    check: Callable[[], None] | None = None,
    warn: Callable[[str], None] | None = None,
) -> EvaluationResults:
    """Fit and test every learner with the chosen resampling; returns all predictions.

    Rows with a missing class are left out (with a warning). Learners that fail are
    reported through ``warn`` and dropped; if all fail, :class:`EvaluationError`.
    """
    if data.y is None:
        raise EvaluationError("the data has no class (target) column to predict")
    if not learners:
        raise EvaluationError("no learners to evaluate")
    data = _with_known_class(data, "", warn)
    assert data.y is not None  # take() keeps the class column
    present = np.unique(data.y)
    if len(present) < 2:
        only = data.class_values[int(present[0])]
        raise EvaluationError(
            f"the class has a single value ({only!r}) in the data; at least two are needed"
        )
    k = len(data.class_values)

    # (train rows of data, predicted rows): the predicted rows index the test table when
    # testing on test data, else data.
    folds_list: list[tuple[np.ndarray, np.ndarray]]
    if method == "test_on_test":
        if test_data is None:
            raise EvaluationError("connect Test Data to test on separate data")
        test = _conform_test_data(data, test_data, warn)
        folds_list = [(np.arange(len(data)), np.arange(len(test)))]
    else:
        groups = None
        if method == "cross_validation_by_feature":
            if not fold_column:
                raise EvaluationError("choose the column whose values define the folds")
            try:
                groups = np.asarray(data.column(fold_column)).astype(str)
            except KeyError:
                raise EvaluationError(f"no column named {fold_column!r} for folds") from None
        folds_list = list(
            splits(
                data.y, method, n_folds=n_folds, stratified=stratified,
                n_repeats=n_repeats, train_size=train_size, groups=groups,
                random_state=random_state, warn=warn,
            )
        )
        test = None

    names = _unique_names([lr.name for lr in learners])
    n_steps = len(folds_list) * len(learners)
    test_rows: list[np.ndarray] = []
    fold_ids: list[np.ndarray] = []
    for f, (_, test_pos) in enumerate(folds_list):
        test_rows.append(test_pos)
        fold_ids.append(np.full(len(test_pos), f, dtype=np.int64))
    rows_all = np.concatenate(test_rows)
    proba = np.zeros((len(learners), len(rows_all), k))
    failed: list[int] = []
    step = 0
    for li, learner in enumerate(learners):
        offset = 0
        try:
            for (train_pos, test_pos), rows in zip(folds_list, test_rows, strict=True):
                if check is not None:
                    check()
                model = learner.fit(data.take(train_pos))
                target_table = test if test is not None else data.take(test_pos)
                p = np.asarray(model.predict_proba(target_table), dtype=np.float64)
                proba[li, offset : offset + len(rows)] = p
                offset += len(rows)
                step += 1
                if progress is not None:
                    progress(step / n_steps)
        except Cancelled:
            raise
        except Exception as exc:
            failed.append(li)
            step = (li + 1) * len(folds_list)
            if warn:
                warn(f"{names[li]} failed: {exc}")
    keep = [i for i in range(len(learners)) if i not in failed]
    if not keep:
        raise EvaluationError("all learners failed; see the warnings")
    proba = proba[keep]
    names = [names[i] for i in keep]
    source = test if test is not None else data
    evaluated = source.take(rows_all)
    actual = evaluated.y
    assert actual is not None
    scores = {nm: compute_scores(actual, proba[i], target) for i, nm in enumerate(names)}
    return EvaluationResults(
        data=evaluated,
        learner_names=tuple(names),
        actual=actual.copy(),
        predicted=proba.argmax(axis=2),
        probabilities=proba,
        folds=np.concatenate(fold_ids),
        class_values=data.class_values,
        method=method,
        scores=scores,
    )


def _unique_names(names: Sequence[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        base, i = name or "learner", 1
        cand = base
        while cand in out:
            cand = f"{base} ({i})"
            i += 1
        out.append(cand)
    return out


def _conform_test_data(
    data: Table, test: Table, warn: Callable[[str], None] | None
) -> Table:
    """Test data with the training class values (mapped by label) and known classes."""
    if test.y is None:
        raise EvaluationError("the test data has no class column")
    if test.class_values != data.class_values:
        labels = test.class_labels()
        unknown = sorted({lab for lab in labels if lab and lab not in data.class_values})
        if unknown:
            raise EvaluationError(
                "the test data has class values the training data lacks: " + ", ".join(unknown)
            )
        test = test.with_class(labels, str(data.class_name), data.class_values)
    test = _with_known_class(test, "test ", warn)
    missing = [f for f in data.feature_names if f not in set(test.feature_names)]
    if missing:
        raise EvaluationError(
            f"the test data lacks {len(missing)} of the training features "
            f"(e.g. {missing[0]!r}); embed both with the same model"
        )
    return test


# ------------------------------------------------------------------------------ confusion
def _with_known_class(table: Table, which: str,
                      warn: Callable[[str], None] | None) -> Table:
    """``table`` without its rows of unknown class (said through ``warn``); an
    :class:`EvaluationError` when none is left. ``which`` is "" or "test "."""
    assert table.y is not None
    known = table.y >= 0
    if not known.all():
        if warn:
            warn(f"{int((~known).sum())} {which}rows with a missing class were left out.")
        table = table.take(known)
    if len(table) == 0:
        raise EvaluationError(f"the {which}data has no rows with a known class")
    return table


def confusion_values(results: EvaluationResults, learner: int = 0, show: str = "counts"):
    """The matrix a view shows: counts, or proportions of actual (rows) / predicted."""
    m = results.confusion_matrix(learner).astype(np.float64)
    if show == "counts":
        return m
    if show == "proportion_actual":
        s = m.sum(axis=1, keepdims=True)
    elif show == "proportion_predicted":
        s = m.sum(axis=0, keepdims=True)
    else:
        raise ValueError(f"unknown view {show!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(s > 0, m / np.where(s == 0, 1, s), 0.0)


def correct_cells(n_classes: int) -> list[list[int]]:
    """Cells of the diagonal ([actual, predicted] pairs): the 'Select Correct' helper."""
    return [[i, i] for i in range(n_classes)]


def misclassified_cells(n_classes: int) -> list[list[int]]:
    """Off-diagonal cells: the 'Select Misclassified' helper."""
    return [[i, j] for i in range(n_classes) for j in range(n_classes) if i != j]
