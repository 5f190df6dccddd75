"""Which model is better: the correlated Bayesian t-test on per-fold scores.

Why not a plain paired t-test: cross-validation folds share most of their training
rows, so fold scores are correlated and a plain test is overconfident. Corani and
Benavoli's correlated Bayesian t-test (Machine Learning 100, 2015; what Orange's Test
and Score computes through ``baycomp.two_on_single``) corrects the variance with
Nadeau and Bengio's factor ``ρ = n_test / n`` and gives a Student posterior of the
mean score difference. With a region of practical equivalence (ROPE) of half-width
``rope``, the posterior splits into P(first better), P(difference negligible) and
P(second better).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from petriflow.core.types import EvaluationResults

__all__ = ["COMPARISON_COLUMNS", "Comparison", "compare_models", "comparison_rows",
           "correlated_ttest", "fold_scores"]

#: scores where smaller is better (the comparison flips their sign)
LOWER_IS_BETTER = frozenset({"LogLoss"})


def correlated_ttest(x: np.ndarray, y: np.ndarray, rho: float,
                     rope: float = 0.0) -> tuple[float, float, float]:
    """(P(x better), P(negligible difference), P(y better)) from paired fold scores.

    ``rho`` is the correlation between folds (test fraction: 1/k for k-fold CV).
    Without variance the posterior is a point at the mean difference.
    """
    from scipy import stats

    diff = np.asarray(x, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    n = len(diff)
    if n < 2:
        raise ValueError("the comparison needs scores of at least 2 folds")
    if not 0 <= rho < 1:
        raise ValueError("the fold correlation must be in [0, 1)")
    mean, var = float(diff.mean()), float(diff.var(ddof=1))
    if var <= 1e-300:
        return float(mean > rope), float(-rope <= mean <= rope), float(mean < -rope)
    scale = np.sqrt((1.0 / n + rho / (1.0 - rho)) * var)
    posterior = stats.t(df=n - 1, loc=mean, scale=scale)
    below, above = float(posterior.cdf(-rope)), float(posterior.sf(rope))
    negligible = max(0.0, 1.0 - above - below) if rope > 0 else 0.0
    return above, negligible, below


def fold_scores(results: EvaluationResults, score: str) -> np.ndarray:
    """(learners × folds) of one score computed on each fold's predictions."""
    from petriflow.analysis.evaluation import compute_scores

    folds = np.unique(results.folds)
    out = np.full((len(results.learner_names), len(folds)), np.nan)
    for f, fold in enumerate(folds):
        rows = results.folds == fold
        for i in range(len(results.learner_names)):
            out[i, f] = compute_scores(results.actual[rows],
                                       results.probabilities[i, rows])[score]
    return out


@dataclass(frozen=True)
class Comparison:
    """Pairwise probabilities: ``better[i, j]`` = P(model i better than model j)."""

    names: tuple[str, ...]
    score: str
    better: np.ndarray
    negligible: np.ndarray
    n_folds: int


def compare_models(results: EvaluationResults, score: str = "AUC", rope: float = 0.0,
                   rho: float | None = None) -> Comparison:
    """Every pair of models compared on ``score`` per fold (ValueError when unusable).

    Needs several folds (cross-validation or random sampling); folds where the score
    is undefined (e.g. AUC of a fold with one class) are left out. ``rho`` (the test
    fraction) is derived from the folds unless given.
    """
    folds = np.unique(results.folds)
    if len(folds) < 2 or len(results.folds) != len(results.actual):
        raise ValueError("model comparison needs cross-validation or random sampling "
                         "(several folds)")
    if results.method == "leave_one_out":
        raise ValueError("model comparison is not computed for leave-one-out "
                         "(one row per fold has no score variance)")
    scores = fold_scores(results, score)
    if score in LOWER_IS_BETTER:
        scores = -scores
    usable = np.isfinite(scores).all(axis=0)
    if usable.sum() < 2:
        raise ValueError(f"{score} is undefined on too many folds to compare models")
    scores = scores[:, usable]
    if rho is None:
        # test rows per fold / rows in the data; the data's size is the number of
        # distinct rows tested (all of them in CV; nearly all after 10 random samples)
        n_rows = len(np.unique(results.data.row_ids))
        rho = min(0.99, len(results.actual) / len(folds) / max(n_rows, 1))
    m = len(results.learner_names)
    better = np.full((m, m), np.nan)
    negligible = np.full((m, m), np.nan)
    for i in range(m):
        for j in range(m):
            if i != j:
                better[i, j], negligible[i, j], _ = correlated_ttest(
                    scores[i], scores[j], rho, rope)
    return Comparison(tuple(results.learner_names), score, better, negligible,
                      int(usable.sum()))


#: columns of ``comparison_rows`` (``petriflow run --out`` writes them as a CSV)
COMPARISON_COLUMNS = ("model", "compared with", "score", "P(model better)",
                      "P(difference negligible)", "P(compared with better)",
                      "negligible below", "folds")


def comparison_rows(results: EvaluationResults,
                    settings: object = None) -> list[tuple[str, ...]] | str | None:
    """Test and Score's comparison table as rows (header first), one per ordered pair.

    ``settings`` are Test and Score's (``comparison_score``, ``use_rope``, ``rope``: the
    numbers its view shows). None with fewer than two learners (no table), or for the
    results of a node without a comparison (Predictions' settings have no
    ``comparison_score``); the reason as text when the results cannot be compared (one
    fold, leave-one-out).
    """
    from petriflow.analysis.evaluation import SCORE_NAMES

    if len(results.learner_names) < 2 or (
            settings is not None and not hasattr(settings, "comparison_score")):
        return None
    score = getattr(settings, "comparison_score", "AUC")
    score = score if score in SCORE_NAMES else "AUC"
    rope = float(getattr(settings, "rope", 0.0)) if getattr(settings, "use_rope", False) \
        else 0.0
    try:
        comp = compare_models(results, score, rope)
    except ValueError as exc:
        return f"not computed: {exc}"
    rows: list[tuple[str, ...]] = [COMPARISON_COLUMNS]
    for i, name in enumerate(comp.names):
        for j, other in enumerate(comp.names):
            if i != j:
                better, negligible = float(comp.better[i, j]), float(comp.negligible[i, j])
                rows.append((name, other, score, f"{better:.6f}", f"{negligible:.6f}",
                             f"{max(0.0, 1.0 - better - negligible):.6f}", f"{rope:g}",
                             str(comp.n_folds)))
    return rows
