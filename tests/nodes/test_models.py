from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLR
from sklearn.neighbors import KNeighborsClassifier

from petriflow.analysis.learners import KNNLearner, LogisticRegressionLearner
from petriflow.core.node import NodeError
from petriflow.core.table import Table
from petriflow.core.types import Learner, Model
from petriflow.nodes.knn import KNN
from petriflow.nodes.logistic_regression import LogisticRegression

from .conftest import blobs, run_node


def test_lr_node_outputs(blob_table: Table):
    r = run_node(LogisticRegression, {"Data": blob_table}, C=0.5)
    assert isinstance(r["Learner"], Learner) and isinstance(r["Model"], Model)
    model = r["Model"]
    p = model.predict_proba(blob_table)
    assert p.shape == (60, 3) and np.allclose(p.sum(1), 1)
    assert (model.predict(blob_table) == blob_table.y).all()
    ref = SkLR(C=0.5, max_iter=10000).fit(blob_table.X.astype(float), blob_table.y)
    np.testing.assert_allclose(p, ref.predict_proba(blob_table.X.astype(float)), atol=1e-3)
    coef = r["Coefficients"]
    assert coef.feature_names == ("c0", "c1", "c2")
    assert coef.metas["name"][0] == "intercept" and len(coef) == blob_table.n_features + 1


def test_lr_without_data_gives_learner_only():
    r = run_node(LogisticRegression, {})
    assert isinstance(r["Learner"], Learner) and r["Model"] is None


@pytest.mark.parametrize("penalty", ["l1", "none"])
def test_lr_penalties(blob_table: Table, penalty):
    model = LogisticRegressionLearner(penalty, C=0.05).fit(blob_table)
    assert (model.predict(blob_table) == blob_table.y).mean() > 0.95
    if penalty == "l1":  # strong lasso zeroes some coefficients
        assert (model.estimator.coef_ == 0).any()


def test_lr_binary_coefficients_and_balance():
    t = blobs(k=2)
    r = run_node(LogisticRegression, {"Data": t}, class_weight_balanced=True)
    assert r["Coefficients"].feature_names == ("coef",)
    assert r["Model"].estimator.class_weight == "balanced"


def test_lr_bad_input(blob_table: Table):
    with pytest.raises(NodeError, match="class"):
        run_node(LogisticRegression, {"Data": blob_table.without_class()})
    with pytest.raises(NodeError, match="positive"):
        run_node(LogisticRegression, {}, C=0.0)
    single = blob_table.take(np.flatnonzero(blob_table.y == 1))
    r = run_node(LogisticRegression, {"Data": single})
    assert "single class" in r.warnings[0]
    assert (r["Model"].predict(blob_table) == 1).all()


def test_model_missing_class_in_training_and_nan_features(blob_table: Table):
    train = blob_table.take(np.flatnonzero(blob_table.y != 2))
    X = train.X.copy()
    X[0, 0] = np.nan
    model = LogisticRegressionLearner().fit(train.with_features(X, train.feature_names))
    p = model.predict_proba(blob_table)
    assert p.shape == (60, 3) and (p[:, 2] == 0).all()


def test_model_aligns_features_by_name(blob_table: Table):
    model = KNNLearner(1).fit(blob_table)
    names = list(reversed(blob_table.feature_names))
    shuffled = blob_table.with_features(blob_table.X[:, ::-1], names)
    assert (model.predict(shuffled) == blob_table.y).all()
    with pytest.raises(ValueError, match="lacks"):
        model.predict(blob_table.with_features(blob_table.X[:, :2], ["f0", "zz"]))


@pytest.mark.parametrize("metric", ["euclidean", "cosine", "manhattan"])
def test_knn_matches_sklearn(metric):
    train = blobs(seed=1, spread=3.0)
    noise = np.random.default_rng(5).normal(scale=2.0, size=train.X.shape)
    test = train.with_features(train.X + noise, train.feature_names)
    r = run_node(KNN, {"Data": train}, n_neighbors=3, metric=metric, weights="distance")
    ref = KNeighborsClassifier(3, metric=metric, weights="distance", algorithm="brute")
    ref.fit(train.X, train.y)
    np.testing.assert_allclose(
        r["Model"].predict_proba(test), ref.predict_proba(test.X), atol=1e-6
    )


def test_knn_k_capped_and_bad_settings():
    t = blobs(n_per_class=1)
    model = run_node(KNN, {"Data": t}, n_neighbors=50)["Model"]
    assert model.estimator.n_neighbors == 3
    with pytest.raises(NodeError):
        run_node(KNN, {}, n_neighbors=0)
