"""Predictions: new rows through trained models, evaluation, mismatched inputs."""

from __future__ import annotations

import numpy as np
import pytest

from petriflow.core.node import NodeError
from petriflow.core.table import Table
from petriflow.nodes._selection import rows_context
from petriflow.nodes.confusion_matrix import ConfusionMatrix
from petriflow.nodes.knn import KNN
from petriflow.nodes.naive_bayes import NaiveBayes
from petriflow.nodes.predictions import Predictions
from petriflow.nodes.svm import SVM

from .conftest import blobs, run_node


def _split(data: Table) -> tuple[Table, Table]:
    n = len(data)
    return data.take(np.arange(0, n, 2)), data.take(np.arange(1, n, 2))


def test_predictions_columns_and_evaluation_feed_confusion_matrix() -> None:
    train, test = _split(blobs(n_per_class=20, seed=2))
    svm = run_node(SVM, {"Data": train})["Model"]
    nb = run_node(NaiveBayes, {"Data": train})["Model"]
    r = run_node(Predictions, {"Data": test, "Predictors": [svm, nb]})
    out = r["Predictions"]
    assert list(out.row_ids) == list(test.row_ids)  # same rows, same order
    assert [c for c in out.metas if c.startswith("SVM")] == [
        "SVM", "SVM (c0)", "SVM (c1)", "SVM (c2)"]
    assert set(out.metas["Naive Bayes"]) <= {"c0", "c1", "c2"}
    p = np.column_stack([out.metas[f"SVM (c{i})"] for i in range(3)]).astype(float)
    assert np.allclose(p.sum(axis=1), 1.0)
    assert list(out.metas["SVM"]) == [f"c{i}" for i in p.argmax(axis=1)]
    res = r["Evaluation Results"]
    assert res.learner_names == ("SVM", "Naive Bayes") and len(res) == len(test)
    assert res.scores["SVM"]["CA"] > 0.9
    cm = run_node(ConfusionMatrix, {"Evaluation Results": res}, learner=0,
                  selected_cells=[[0, 0]])
    assert len(cm["Selected Data"]) == int(((res.actual == 0) & (res.predicted[0] == 0)).sum())
    assert r["Selected Predictions"] is None


def test_same_model_twice_gets_distinct_columns_and_selection_goes_out() -> None:
    train, test = _split(blobs(n_per_class=10))
    m = run_node(KNN, {"Data": train})["Model"]
    picked = [1, 4]
    r = run_node(Predictions, {"Data": test, "Predictors": [m, m]}, selected_rows=picked,
                 selection_context=rows_context(test, picked))
    assert "kNN" in r["Predictions"].metas and "kNN (2)" in r["Predictions"].metas
    assert list(r["Selected Predictions"].row_ids) == [test.row_ids[1], test.row_ids[4]]


def test_data_without_class_gives_predictions_only() -> None:
    train, test = _split(blobs(n_per_class=10))
    model = run_node(SVM, {"Data": train})["Model"]
    bare = Table.from_arrays(test.X, test.feature_names, metas=dict(test.metas))
    r = run_node(Predictions, {"Data": bare, "Predictors": [model]})
    assert r["Evaluation Results"] is None and len(r["Predictions"]) == len(bare)


def test_columns_that_do_not_match_are_named() -> None:
    """A model of 8 features 'f0..f7' on data from another embedder (other names and
    dimension): the message says what is missing and what is extra."""
    train, _ = _split(blobs(n_per_class=10, d=8))
    model = run_node(SVM, {"Data": train})["Model"]
    other = Table.from_arrays(np.zeros((5, 3)), ["n0", "n1", "n2"])
    with pytest.raises(NodeError) as err:
        run_node(Predictions, {"Data": other, "Predictors": [model]})
    text = str(err.value)
    assert "trained on 8 features" in text and "the data has 3" in text
    assert "lacks 8 of them" in text and "n0, n1, n2" in text
    assert "same embedder" in text
    # a second model that fits is applied; the other one is reported, not fatal
    good = run_node(NaiveBayes, {"Data": Table.from_arrays(
        np.random.default_rng(0).normal(size=(6, 3)), ["n0", "n1", "n2"],
        classes=["a", "b"] * 3)})["Model"]
    r = run_node(Predictions, {"Data": other, "Predictors": [model, good]})
    assert "Naive Bayes" in r["Predictions"].metas and "SVM" not in r["Predictions"].metas
    assert any("trained on 8 features" in w for w in r.warnings)


def test_a_model_of_other_classes_shows_its_own_class_names() -> None:
    data = blobs(n_per_class=10, k=3)
    train, test = _split(data)
    renamed = train.with_class(["dog" if c == "c0" else "cat" if c == "c1" else "c2"
                                for c in train.class_labels()], "animal")
    model = run_node(SVM, {"Data": renamed})["Model"]
    r = run_node(Predictions, {"Data": test, "Predictors": [model]})
    out = r["Predictions"]
    assert set(out.metas["SVM"]) <= {"dog", "cat", "c2"}
    assert {"SVM (dog)", "SVM (cat)", "SVM (c2)"} <= set(out.metas)
    res = r["Evaluation Results"]
    # the data's classes first, then the model's others: c0..c2, cat, dog
    assert res.class_values[:3] == ("c0", "c1", "c2") and set(res.class_values[3:]) == {
        "cat", "dog"}
    m = res.confusion_matrix(0)
    c0, dog = 0, res.class_values.index("dog")
    assert m[c0, dog] == (test.y == 0).sum()  # every true c0 went to "dog"
    assert any("predicts" in i for i in r.progress.infos)


def test_no_model_waits_with_a_warning() -> None:
    r = run_node(Predictions, {"Data": blobs()})
    assert r["Predictions"] is None and r.warnings


def test_a_longer_embedding_of_the_same_naming_is_not_read_in_part() -> None:
    """A model of embeddings n0..n3 on data with n0..n7 (another embedder's dimension)
    would read the first four columns; it is refused. Unrelated extra columns are fine."""
    train, _ = _split(blobs(n_per_class=10, d=4))
    train = train.with_features(train.X, ["n0", "n1", "n2", "n3"])
    model = run_node(NaiveBayes, {"Data": train})["Model"]
    wider = Table.from_arrays(np.zeros((3, 8)), [f"n{i}" for i in range(8)])
    with pytest.raises(NodeError, match=r"trained on 4 features.*has 4 others \(n4, n5"):
        run_node(Predictions, {"Data": wider, "Predictors": [model]})
    extra = Table.from_arrays(np.zeros((3, 5)), ["n0", "n1", "n2", "n3", "area"])
    assert len(run_node(Predictions, {"Data": extra, "Predictors": [model]})["Predictions"]) == 3
