from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score, roc_auc_score

from petriflow.analysis.evaluation import correct_cells, misclassified_cells
from petriflow.analysis.learners import KNNLearner, LogisticRegressionLearner
from petriflow.core.node import NodeError
from petriflow.core.table import Table
from petriflow.core.types import EvaluationResults
from petriflow.nodes.confusion_matrix import ConfusionMatrix
from petriflow.nodes.test_and_score import TestAndScore

from .conftest import blobs, run_node

SCORES = {"AUC", "CA", "F1", "Precision", "Recall", "MCC", "Specificity", "LogLoss"}


@pytest.fixture
def noisy() -> Table:
    return blobs(n_per_class=25, spread=9.0, seed=3)  # overlapping: scores below 1


def _evaluate(data, learners, **settings):
    return run_node(TestAndScore, {"Data": data, "Learner": learners}, **settings)


def test_cross_validation_scores_and_predictions(noisy: Table):
    learners = [LogisticRegressionLearner(), KNNLearner(1, "cosine", name="1-NN")]
    r = _evaluate(noisy, learners)
    res: EvaluationResults = r["Evaluation Results"]
    assert res.learner_names == ("Logistic Regression", "1-NN")
    assert len(res) == len(noisy) and sorted(res.data.row_ids) == sorted(noisy.row_ids)
    assert set(res.folds) == set(range(5))
    for name in res.learner_names:
        s = res.scores[name]
        assert set(s) == SCORES and 0 < s["CA"] < 1
        i = res.learner_names.index(name)
        assert s["CA"] == pytest.approx((res.predicted[i] == res.actual).mean())
        assert s["F1"] == pytest.approx(
            f1_score(res.actual, res.predicted[i], average="weighted"))
    # stratified: each fold has 5 of each class
    for f in range(5):
        assert np.bincount(res.actual[res.folds == f]).tolist() == [5, 5, 5]
    pred = r["Predictions"]
    assert list(pred.metas["1-NN"][:3]) == [noisy.class_values[c] for c in res.predicted[1, :3]]
    assert "Logistic Regression (c0)" in pred.metas and "Fold" in pred.metas


def test_reproducible(noisy: Table):
    a = _evaluate(noisy, [LogisticRegressionLearner()], resampling="random_sampling",
                  n_repeats=3)["Evaluation Results"]
    b = _evaluate(noisy, [LogisticRegressionLearner()], resampling="random_sampling",
                  n_repeats=3)["Evaluation Results"]
    assert a.data.row_ids.tolist() == b.data.row_ids.tolist()
    np.testing.assert_array_equal(a.probabilities, b.probabilities)
    assert a.scores == b.scores
    assert len(a) == 3 * (len(noisy) - round(0.66 * len(noisy)))
    c = _evaluate(noisy, [LogisticRegressionLearner()], resampling="random_sampling",
                  n_repeats=3, random_seed=7)["Evaluation Results"]
    assert c.data.row_ids.tolist() != a.data.row_ids.tolist()


def test_binary_auc_matches_sklearn():
    t = blobs(k=2, spread=5.0, seed=4)
    res = _evaluate(t, [LogisticRegressionLearner()])["Evaluation Results"]
    assert res.scores["Logistic Regression"]["AUC"] == pytest.approx(
        roc_auc_score(res.actual, res.probabilities[0, :, 1]))


def test_other_methods(noisy: Table):
    lr = [KNNLearner(3)]
    loo = _evaluate(noisy, lr, resampling="leave_one_out")["Evaluation Results"]
    assert len(loo) == len(noisy) and len(set(loo.folds)) == len(noisy)
    train = _evaluate(noisy, lr, resampling="test_on_train")["Evaluation Results"]
    assert train.scores["kNN"]["CA"] >= loo.scores["kNN"]["CA"]
    groups = noisy.with_meta("batch", np.array(["a", "b", "c"] * 25, dtype=object))
    by = _evaluate(groups, lr, resampling="cross_validation_by_feature",
                   fold_column="batch")["Evaluation Results"]
    for f in set(by.folds):
        assert len(set(by.data.metas["batch"][by.folds == f])) == 1
    test = blobs(n_per_class=25, spread=9.0, seed=3)
    r = run_node(TestAndScore, {"Data": noisy, "Test Data": test, "Learner": lr},
                 resampling="test_on_test")
    assert r["Evaluation Results"].data.row_ids.tolist() == test.row_ids.tolist()


def test_bad_input(noisy: Table):
    learners = [LogisticRegressionLearner()]
    with pytest.raises(NodeError, match="categorical class"):
        _evaluate(noisy.without_class(), learners)
    with pytest.raises(NodeError, match="single value"):
        _evaluate(noisy.take(np.flatnonzero(noisy.y == 0)), learners)
    with pytest.raises(NodeError, match="empty"):
        _evaluate(noisy.take([]), learners)
    with pytest.raises(NodeError, match="folds"):
        _evaluate(noisy.take([0, 1, 30, 31]), learners, n_folds=10)
    with pytest.raises(NodeError, match="fold"):
        _evaluate(noisy, learners, resampling="cross_validation_by_feature")
    assert _evaluate(noisy, [])["Evaluation Results"] is None
    r = _evaluate(noisy.take(list(range(0, 75, 3))), learners, n_folds=20)
    assert any("Stratification is ignored" in w for w in r.warnings)


def test_missing_classes_and_nans(noisy: Table):
    y = noisy.y.copy()
    y[:4] = -1
    X = noisy.X.copy()
    X[10, 1] = np.nan
    t = Table(X=X, feature_names=noisy.feature_names, row_ids=noisy.row_ids, y=y,
              class_name="class", class_values=noisy.class_values)
    r = _evaluate(t, [LogisticRegressionLearner()])
    assert len(r["Evaluation Results"]) == len(noisy) - 4
    assert any("4 rows with a missing class" in w for w in r.warnings)


def test_failing_learner_is_reported(noisy: Table):
    class Broken(KNNLearner):
        def fit(self, table):
            raise RuntimeError("boom")

    r = _evaluate(noisy, [Broken(name="broken"), KNNLearner(1)])
    assert r["Evaluation Results"].learner_names == ("kNN",)
    assert any("broken failed: boom" in w for w in r.warnings)


def test_confusion_matrix_selection(noisy: Table):
    res = _evaluate(noisy, [LogisticRegressionLearner(), KNNLearner(1)])["Evaluation Results"]
    m = res.confusion_matrix(1)
    settings = {"learner": 1, "selected_cells": misclassified_cells(3)}
    r = run_node(ConfusionMatrix, {"Evaluation Results": res}, **settings)
    sel = r["Selected Data"]
    assert len(sel) == m.sum() - np.trace(m)
    assert set(sel.row_ids) <= set(noisy.row_ids)
    assert (sel.metas["kNN"] != sel.class_labels()).all()
    assert "p(c0) [kNN]" in sel.metas
    again = run_node(ConfusionMatrix, {"Evaluation Results": res}, **settings)
    assert again["Selected Data"].row_ids.tolist() == sel.row_ids.tolist()
    correct = run_node(ConfusionMatrix, {"Evaluation Results": res}, learner=1,
                       selected_cells=correct_cells(3))["Selected Data"]
    assert len(correct) == np.trace(m)
    cell = run_node(ConfusionMatrix, {"Evaluation Results": res},
                    selected_cells=[[0, 0], [9, 9]])
    assert len(cell["Selected Data"]) == res.confusion_matrix(0)[0, 0]
    assert "outside" in cell.warnings[0]
    ann = cell["Data"]
    assert len(ann) == len(res)
    assert (ann.metas["Selected"] == "Yes").sum() == res.confusion_matrix(0)[0, 0]
    none = run_node(ConfusionMatrix, {"Evaluation Results": res}, learner=5)
    assert none["Selected Data"] is None and "not in the results" in none.warnings[0]
