"""Train on part of a real image set, predict the rest (skipped without ../shared/data).

As in test_real_data.py the features are pixel statistics computed in the test, not CNN
embeddings, so the bars are modest: a held-out split classified through Predictions,
the results read by Confusion Matrix, and a saved and reloaded model that predicts
exactly as before.
"""

from __future__ import annotations

import numpy as np
import pytest

from petriflow.nodes.confusion_matrix import ConfusionMatrix
from petriflow.nodes.import_images import ImportImages
from petriflow.nodes.load_model import LoadModel
from petriflow.nodes.naive_bayes import NaiveBayes
from petriflow.nodes.neural_network import NeuralNetwork
from petriflow.nodes.predictions import Predictions
from petriflow.nodes.random_forest import RandomForest
from petriflow.nodes.save_model import SaveModel
from petriflow.nodes.svm import SVM
from petriflow.nodes.test_and_score import TestAndScore

from .conftest import pixel_features, run_node, shared_set

pytestmark = pytest.mark.shared_data


def _split(data):
    """Every other row of each class to training, the rest to testing (stratified)."""
    train, test = [], []
    for c in np.unique(data.y):
        rows = np.flatnonzero(data.y == c)
        train.extend(rows[::2])
        test.extend(rows[1::2])
    return data.take(np.sort(train)), data.take(np.sort(test))


@pytest.mark.parametrize("name", ["bone-healing", "dicty-development"])
def test_train_test_split_through_predictions_and_confusion_matrix(name, tmp_path) -> None:
    images = run_node(ImportImages, folder=str(shared_set(name)))["Data"]
    train, test = _split(pixel_features(images))
    models = [run_node(cls, {"Data": train})["Model"]
              for cls in (SVM, RandomForest, NeuralNetwork, NaiveBayes)]
    r = run_node(Predictions, {"Data": test, "Predictors": models})
    out, res = r["Predictions"], r["Evaluation Results"]
    assert len(out) == len(test) and list(out.image_paths()) == list(test.image_paths())
    assert res.learner_names == ("SVM", "Random Forest", "Neural Network", "Naive Bayes")
    majority = np.bincount(test.y).max() / len(test)
    best = max(s["CA"] for s in res.scores.values())
    assert best >= majority  # held-out rows, pixel features: at least the baseline
    for i, model in enumerate(res.learner_names):
        cm = run_node(ConfusionMatrix, {"Evaluation Results": res}, learner=i,
                      selected_cells=[[c, c] for c in range(len(res.class_values))])
        correct = cm["Selected Data"]
        ca = res.scores[model]["CA"]
        assert len(correct or ()) == round(ca * len(test))
        if correct is not None:  # the rows called correct are those whose column agrees
            picked = np.isin(out.row_ids, correct.row_ids)
            assert (out.metas[model][picked] == out.class_labels()[picked]).all()
    # the forest saved and loaded predicts exactly as before
    run_node(SaveModel, {"Model": models[1]}, path="forest.skops", workflow_dir=tmp_path)
    loaded = run_node(LoadModel, path="forest.skops", workflow_dir=tmp_path)["Model"]
    again = run_node(Predictions, {"Data": test, "Predictors": [loaded]})["Predictions"]
    assert list(again.metas["Random Forest"]) == list(out.metas["Random Forest"])


def test_model_comparison_on_real_data() -> None:
    from petriflow.analysis.model_comparison import compare_models

    images = run_node(ImportImages, folder=str(shared_set("bone-healing")))["Data"]
    data = pixel_features(images)
    learners = [run_node(cls)["Learner"] for cls in (SVM, RandomForest, NaiveBayes)]
    res = run_node(TestAndScore, {"Data": data, "Learner": learners},
                   n_folds=5)["Evaluation Results"]
    comp = compare_models(res, "CA", rope=0.05)
    off = ~np.eye(3, dtype=bool)
    assert comp.n_folds == 5
    total = comp.better + comp.better.T + comp.negligible
    assert np.allclose(total[off], 1.0)
