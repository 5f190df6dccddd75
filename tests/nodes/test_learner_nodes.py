"""SVM, Random Forest, Neural Network and Naive Bayes nodes; Test and Score's model
comparison and Specificity."""

from __future__ import annotations

import numpy as np
import pytest

from petriflow.analysis.evaluation import compute_scores
from petriflow.analysis.learners import NeuralNetworkLearner, SVMLearner
from petriflow.analysis.model_comparison import compare_models, correlated_ttest
from petriflow.compat.orange.settings import Translation
from petriflow.core.node import NodeError
from petriflow.core.registry import default_registry
from petriflow.core.table import Table
from petriflow.nodes.naive_bayes import NaiveBayes
from petriflow.nodes.neural_network import NeuralNetwork
from petriflow.nodes.random_forest import RandomForest
from petriflow.nodes.svm import SVM
from petriflow.nodes.test_and_score import TestAndScore

from .conftest import blobs, run_node

LEARNER_NODES = [SVM, RandomForest, NeuralNetwork, NaiveBayes]


@pytest.mark.parametrize("cls", LEARNER_NODES)
def test_learner_node_fits_and_predicts_held_out_rows(cls) -> None:
    data = blobs(n_per_class=30, seed=3)
    train, test = data.take(np.arange(0, 90, 2)), data.take(np.arange(1, 90, 2))
    r = run_node(cls, {"Data": train})
    model = r["Model"]
    assert r["Learner"].name == cls.name and model.name == cls.name
    assert model.class_values == ("c0", "c1", "c2")
    proba = model.predict_proba(test)
    assert proba.shape == (45, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert (model.predict(test) == test.y).mean() > 0.9
    # no Data: a learner only, for Test and Score
    bare = run_node(cls)
    assert bare["Model"] is None and bare["Learner"] is not None


@pytest.mark.parametrize("cls", LEARNER_NODES)
def test_learner_nodes_are_registered_under_orange_names(cls) -> None:
    reg = default_registry()
    assert reg.get(cls.qualified_name) is cls
    for old in cls.replaces:
        assert reg.get(old) is cls


def test_bad_settings_say_what_is_wrong() -> None:
    with pytest.raises(NodeError, match="cost C must be positive"):
        run_node(SVM, C=0.0)
    with pytest.raises(NodeError, match="hidden layers"):
        run_node(NeuralNetwork, hidden_layers="ten")
    with pytest.raises(NodeError, match="at least one tree"):
        run_node(RandomForest, n_estimators=0)
    with pytest.raises(NodeError, match="class column"):
        run_node(NaiveBayes, {"Data": Table.from_arrays(np.ones((4, 2)), ["a", "b"])})


def test_settings_reach_the_estimator() -> None:
    data = blobs(n_per_class=10)
    svm = run_node(SVM, {"Data": data}, kernel="linear", C=2.0)["Model"].estimator
    base = svm.estimator
    assert base.kernel == "linear" and base.C == 2.0
    rf = run_node(RandomForest, {"Data": data}, n_estimators=7, max_depth=3)["Model"]
    assert len(rf.estimator.estimators_) == 7 and rf.estimator.max_depth == 3
    nn = run_node(NeuralNetwork, {"Data": data}, hidden_layers="20, 5", max_iter=50)["Model"]
    assert nn.estimator.hidden_layer_sizes == (20, 5)
    assert [w.shape for w in nn.estimator.coefs_] == [(8, 20), (20, 5), (5, 3)]


def test_svm_probabilities_with_a_rare_class() -> None:
    """The calibration's inner folds shrink to the rarest class (3 rows: 3 folds)."""
    data = blobs(n_per_class=12, k=2)
    keep = np.r_[np.arange(12), np.arange(12, 15)]
    model = SVMLearner().fit(data.take(keep))
    assert model.estimator.cv == 3
    assert np.allclose(model.predict_proba(data).sum(axis=1), 1.0)


def test_orange_settings_are_translated() -> None:
    t = Translation()
    SVM.from_orange_settings({"C": 3.5, "kernel_type": 0, "gamma": 0.0, "limit_iter": False,
                              "max_iter": 50, "svm_type": 1, "learner_name": "my svm"}, 1, t)
    assert t.values == {"learner_name": "my svm", "C": 3.5, "gamma": 0.0, "kernel": "linear",
                        "max_iter": 0}
    assert "svm_type" in t.not_carried
    t = Translation()
    RandomForest.from_orange_settings({"n_estimators": 25, "use_max_depth": True,
                                       "max_depth": 4, "use_max_features": False,
                                       "max_features": 5, "use_random_state": True,
                                       "random_state": 7}, 1, t)
    assert t.values == {"n_estimators": 25, "max_depth": 4, "max_features": 0,
                        "random_state": 7}
    t = Translation()
    NeuralNetwork.from_orange_settings({"hidden_layers_input": "50,20,", "activation_index": 2,
                                        "solver_index": 0, "alpha_index": 1,
                                        "max_iterations": 300}, 1, t)
    assert t.values == {"hidden_layers": "50, 20", "activation": "tanh", "solver": "lbfgs",
                        "alpha": 0.0001, "max_iter": 300}
    # and the translated settings build a working learner
    learner = NeuralNetworkLearner((50, 20), "tanh", "lbfgs", 0.0001, 300)
    assert learner.fit(blobs(n_per_class=5)).estimator.hidden_layer_sizes == (50, 20)


def test_specificity_is_the_true_negative_rate() -> None:
    actual = np.array([0, 0, 0, 1, 1, 2])
    predicted = np.array([0, 1, 0, 1, 0, 2])
    proba = np.eye(3)[predicted]
    # class 0: negatives rows 3,4,5 -> row 4 taken for 0: 2/3; class 1: negatives
    # rows 0,1,2,5 -> row 1 taken for 1: 3/4; class 2: negatives rows 0-4 -> 5/5
    assert compute_scores(actual, proba, target=0)["Specificity"] == pytest.approx(2 / 3)
    weighted = (3 * 2 / 3 + 2 * 3 / 4 + 1 * 1.0) / 6
    assert compute_scores(actual, proba)["Specificity"] == pytest.approx(weighted)


def test_correlated_ttest_matches_baycomp() -> None:
    """Reference values from baycomp 1.0.3's CorrelatedTTest.probs(x, y, rope, runs=1)
    on these scores (10 folds: rho = 1/10; 5 folds: 1/5)."""
    x = np.array([0.91, 0.88, 0.93, 0.90, 0.86, 0.92, 0.89, 0.94, 0.90, 0.87])
    y = np.array([0.89, 0.87, 0.90, 0.91, 0.84, 0.90, 0.88, 0.91, 0.89, 0.86])
    assert correlated_ttest(x, y, 0.1, 0.01) == pytest.approx(
        (0.8100505776133062, 0.189319481624047, 0.0006299407626467746))
    better, negligible, worse = correlated_ttest(x, y, 0.1)
    assert (better, worse) == pytest.approx((0.9891257628102055, 0.010874237189794522))
    assert negligible == 0.0
    assert correlated_ttest(x[:5], y[:5], 0.2, 0.02) == pytest.approx(
        (0.29352481989352863, 0.6920843405193122, 0.014390839587159143))
    # identical scores: no variance, the difference is exactly 0
    assert correlated_ttest(x, x, 0.1, 0.01) == (0.0, 1.0, 0.0)


def test_test_and_score_results_compare_models() -> None:
    """A forest against a constant-ish learner on separable data: the forest is
    almost surely better; the matrix is complementary without a ROPE."""
    data = blobs(n_per_class=30, seed=5, spread=2.5)
    learners = [run_node(RandomForest, n_estimators=20)["Learner"],
                run_node(NeuralNetwork, hidden_layers="1", max_iter=1,
                         learner_name="tiny net")["Learner"]]
    res = run_node(TestAndScore, {"Data": data, "Learner": learners},
                   n_folds=10)["Evaluation Results"]
    assert set(res.scores["Random Forest"]) >= {"Specificity"}
    comp = compare_models(res, "CA")
    assert comp.n_folds == 10 and comp.names == ("Random Forest", "tiny net")
    assert comp.better[0, 1] > 0.95
    assert comp.better[0, 1] + comp.better[1, 0] == pytest.approx(1.0)
    with_rope = compare_models(res, "CA", rope=0.9)  # CA differences below 0.9 "negligible"
    assert with_rope.negligible[0, 1] > 0.5
    # LogLoss: lower is better, so the forest still wins
    assert compare_models(res, "LogLoss").better[0, 1] > 0.9
    # leave-one-out gives no per-fold variance to compare
    loo = run_node(TestAndScore, {"Data": blobs(n_per_class=4), "Learner": learners},
                   resampling="leave_one_out")["Evaluation Results"]
    with pytest.raises(ValueError, match="leave-one-out"):
        compare_models(loo)


def test_orange_model_comparison_settings() -> None:
    t = Translation()
    TestAndScore.from_orange_settings({"use_rope": True, "rope": 0.05,
                                       "comparison_criterion": 2}, 3, t)
    assert t.values["use_rope"] is True and t.values["rope"] == 0.05
    assert "comparison_criterion" in t.not_carried
