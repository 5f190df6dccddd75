"""Test and Score: cross-validate learners and report classification scores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from petriflow.analysis.evaluation import EvaluationError, Resampling, evaluate
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.table import Table
from petriflow.core.types import EvaluationResults, Learner

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

FOLD_META = "Fold"


def predictions_table(results: EvaluationResults, probabilities: bool = True) -> Table:
    """Evaluated rows with each learner's predicted class (and probabilities) as metas."""
    table = results.data
    values = np.array(results.class_values, dtype=object)
    for i, name in enumerate(results.learner_names):
        table = table.with_meta(name, values[results.predicted[i]])
        if probabilities:
            for c, value in enumerate(results.class_values):
                table = table.with_meta(f"{name} ({value})", results.probabilities[i, :, c])
    if len(results.folds) == len(table):
        table = table.with_meta(FOLD_META, results.folds + 1)
    return table


class TestAndScore(Node):
    __test__ = False  # not a pytest test class

    qualified_name = "petriflow.test_and_score"
    name = "Test and Score"
    category = "Evaluate"
    icon = "test-and-score"
    description = "Cross-validation and other ways to test learners; classification scores."
    keywords = ("test", "score", "cross validation", "evaluation", "accuracy", "auc")
    priority = 10
    inputs = (
        Input("Data", Table, default=True, id="train_data"),
        Input("Test Data", Table, required=False, id="test_data"),
        Input("Learner", Learner, multiple=True, required=False, id="learner"),
    )
    outputs = (
        Output("Evaluation Results", EvaluationResults, default=True, id="evaluations_results"),
        Output("Predictions", Table, id="predictions"),
    )
    replaces = (
        "Orange.widgets.evaluate.owtestandscore.OWTestAndScore",
        "Orange.widgets.evaluate.owtestlearners.OWTestLearners",
    )

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Test and Score: sampling method and its parameters (combo indices)."""
        used = {"resampling", "n_folds", "cv_stratified", "n_repeats", "sample_size",
                "shuffle_stratified", "fold_feature", "fold_feature_selected",
                "class_selection"}
        mode = t.as_int(s.get("resampling"))
        if mode is not None and (version is None or version < 2) and mode > 0:
            mode += 1  # "cross validation by feature" was inserted at 1 in settings v2
        if "resampling" in s:
            t.pick("resampling", mode, _ORANGE_RESAMPLING, "resampling", "sampling method")
        chosen = t.values.get("resampling", "cross_validation")
        if "n_folds" in s:
            t.pick("n_folds", s["n_folds"], [2, 3, 5, 10, 20], "n_folds", "number of folds")
        if "n_repeats" in s:
            t.pick("n_repeats", s["n_repeats"], [2, 3, 5, 10, 20, 50, 100], "n_repeats",
                   "number of repeats")
        if "sample_size" in s:
            i = t.as_int(s["sample_size"])
            if i is not None and 0 <= i < len(_ORANGE_SAMPLE_SIZES):
                t.set("sample_size", "train_size", float(_ORANGE_SAMPLE_SIZES[i]))
            else:
                t.skip("sample_size", f"unexpected training set size {s['sample_size']!r}")
        # one "stratified" in Petriflow; take the one of the chosen method
        strat_key = "shuffle_stratified" if chosen == "random_sampling" else "cv_stratified"
        if isinstance(s.get(strat_key), bool):
            t.set(strat_key, "stratified", s[strat_key])
        other = "cv_stratified" if strat_key == "shuffle_stratified" else "shuffle_stratified"
        if other in s:
            t.ignored.append(other)
        ctx = t.context_values(s)
        feature = ctx.get("fold_feature")
        if isinstance(feature, str) and feature:
            t.set("fold_feature", "fold_column", feature)
        target = ctx.get("class_selection")
        if isinstance(target, str) and target and not target.startswith("("):
            t.set("class_selection", "target_class", target)
        _orange_comparison(s, t)
        return used | {"use_rope", "rope", "comparison_criterion"}

    @dataclass
    class Settings:
        resampling: Resampling = "cross_validation"
        n_folds: int = field(default=5, metadata={"label": "number of folds"})
        stratified: bool = field(default=True, metadata={"label": "stratification"})
        #: random sampling: number of repeats and training set size in %
        n_repeats: int = field(default=10, metadata={"label": "number of repeats"})
        train_size: float = field(default=66.0, metadata={"label": "training set size"})
        #: cross-validation by feature: the column whose values define the folds
        fold_column: str = ""
        #: class value for F1/precision/recall/AUC ("" = weighted average over classes)
        target_class: str = ""
        random_seed: int = 0
        #: model comparison (shown by the view): the score compared fold by fold, and
        #: the half-width of the negligible difference (ROPE) when ``use_rope`` is on
        comparison_score: str = field(default="AUC", metadata={"label": "compare models by"})
        use_rope: bool = field(default=False, metadata={"label": "negligible difference"})
        rope: float = field(default=0.1, metadata={"label": "negligible difference below"})

    #: the comparison is computed from the results: changing it re-runs nothing
    view_settings = ("comparison_score", "use_rope", "rope")

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        learners = [lr for lr in (inputs.get("Learner") or []) if lr is not None]
        s = self.settings
        if not learners:
            progress.warn("Connect at least one learner.")
            return {"Evaluation Results": None, "Predictions": None}
        if data.y is None:
            raise NodeError(
                "Test and Score needs data with a categorical class (e.g. Import Images "
                "from a folder with one subfolder per class)."
            )
        if len(data) == 0:
            raise NodeError("The data is empty.")
        if data.n_features == 0:
            raise NodeError("The data has no features; embed the images first.")
        target = None
        if s.target_class:
            if s.target_class not in data.class_values:
                raise NodeError(
                    f"Target class {s.target_class!r} is not a class value "
                    f"({', '.join(data.class_values)})."
                )
            target = data.class_values.index(s.target_class)
        test_data = inputs.get("Test Data")
        if s.resampling == "test_on_test" and test_data is None:
            progress.warn("Connect Test Data to test on separate data.")
            return {"Evaluation Results": None, "Predictions": None}
        progress(0, f"{s.resampling.replace('_', ' ')} of {len(learners)} learner(s)")
        try:
            results = evaluate(
                data, learners, method=s.resampling, test_data=test_data,
                n_folds=s.n_folds, stratified=s.stratified, n_repeats=s.n_repeats,
                train_size=s.train_size / 100.0, fold_column=s.fold_column, target=target,
                random_state=s.random_seed, progress=lambda f: progress(100.0 * f),
                check=cancel.check, warn=progress.warn,
            )
        except EvaluationError as exc:
            msg = str(exc)
            raise NodeError(msg[0].upper() + msg[1:] + ".") from None
        best = max(results.learner_names, key=lambda nm: results.scores[nm]["CA"])
        progress(100, f"best CA: {best} {results.scores[best]['CA']:.3f}")
        return {"Evaluation Results": results, "Predictions": predictions_table(results)}


def _orange_comparison(s: dict[str, Any], t: Translation) -> None:
    """Orange's model comparison: the ROPE check box and width; the score is an index
    into Orange's list of installed scorers, which a file does not describe."""
    if isinstance(s.get("use_rope"), bool):
        t.set("use_rope", "use_rope", s["use_rope"])
    rope = t.as_number(s.get("rope"))
    if rope is not None and rope >= 0:
        t.set("rope", "rope", rope)
    if "comparison_criterion" in s:
        t.skip("comparison_criterion", "Orange stores the score as a position in its list "
               "of installed scorers; models are compared by AUC")


# Orange's combo orders (indices saved in its files)
_ORANGE_RESAMPLING = ["cross_validation", "cross_validation_by_feature", "random_sampling",
                      "leave_one_out", "test_on_train", "test_on_test"]
_ORANGE_SAMPLE_SIZES = [5, 10, 20, 25, 30, 33, 40, 50, 60, 66, 70, 75, 80, 90, 95]
