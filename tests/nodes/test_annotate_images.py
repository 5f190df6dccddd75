"""Annotate Images headless: outputs, labels by image identity (save/load, another
order, absolute paths), and the uncertainty ranking a connected model gives."""

from __future__ import annotations

import numpy as np
import pytest

from petriflow.analysis.uncertainty import least_sure_order, uncertainty
from petriflow.core.ows import load_workflow, save_workflow
from petriflow.core.registry import default_registry
from petriflow.core.table import Table
from petriflow.core.workflow import Workflow
from petriflow.nodes._selection import row_keys
from petriflow.nodes.annotate_images import AnnotateImages
from petriflow.nodes.svm import SVM

from .conftest import blobs, run_node


def images(folder, n_per_class: int = 6) -> Table:
    """Blobs whose rows are image files under ``folder/images`` (the files need not
    exist: labels are keyed by path)."""
    data = blobs(n_per_class=n_per_class, seed=3)
    paths = [str(folder / "images" / f"im{i:02d}.png") for i in range(len(data))]
    return data.with_meta("image", np.array(paths, dtype=object)).with_meta(
        "image name", np.array([f"im{i:02d}" for i in range(len(data))], dtype=object))


def _with_image_column(t: Table) -> Table:
    from dataclasses import replace
    return replace(t, image_column="image")


def test_uncertainty_ranking_puts_the_most_uncertain_first() -> None:
    proba = np.array([[0.9, 0.05, 0.05],   # sure
                      [0.34, 0.33, 0.33],  # unsure of all
                      [0.5, 0.5, 0.0],     # torn between two
                      [0.7, 0.2, 0.1]])
    lc = uncertainty(proba, "least_confident")
    assert np.allclose(lc, [0.1, 0.66, 0.5, 0.3])
    assert least_sure_order(proba) == [1, 2, 3, 0]
    # margin: torn between two classes (margin 0) is the least sure of all
    assert least_sure_order(proba, "margin") == [2, 1, 3, 0]
    assert least_sure_order(proba, rows=[0, 3]) == [3, 0]
    nan_row = np.array([[0.99, 0.01], [np.nan, np.nan]])
    assert least_sure_order(nan_row) == [1, 0]  # a row the model could not score first
    with pytest.raises(ValueError, match="unknown measure"):
        uncertainty(proba, "entropy")  # type: ignore[arg-type]


def test_outputs_labelled_rows_with_a_class_column_and_the_rest(tmp_path) -> None:
    data = _with_image_column(images(tmp_path))
    keys = row_keys(data, tmp_path)
    assert keys[0] == "file:images/im00.png"  # relative to the workflow's folder
    labels = {keys[0]: "mitosis", keys[5]: "interphase", keys[7]: "mitosis"}
    r = run_node(AnnotateImages, {"Data": data}, workflow_dir=tmp_path,
                 class_names=["interphase", "mitosis"], labels=labels)
    lab, rest = r["Labelled Data"], r["Unlabelled Data"]
    assert list(lab.row_ids) == [data.row_ids[i] for i in (0, 5, 7)]
    assert lab.class_name == "label" and lab.class_values == ("interphase", "mitosis")
    assert list(lab.class_labels()) == ["mitosis", "interphase", "mitosis"]
    assert list(lab.metas["class"]) == [data.class_labels()[i] for i in (0, 5, 7)]  # kept
    assert len(rest) == len(data) - 3 and rest.class_name == "class"
    # nothing labelled: no Labelled Data; everything labelled: no Unlabelled Data
    none = run_node(AnnotateImages, {"Data": data}, workflow_dir=tmp_path)
    assert none["Labelled Data"] is None and len(none["Unlabelled Data"]) == len(data)
    every = run_node(AnnotateImages, {"Data": data}, workflow_dir=tmp_path,
                     class_names=["a"], labels={k: "a" for k in keys})
    assert every["Unlabelled Data"] is None and len(every["Labelled Data"]) == len(data)


def test_labels_survive_save_load_a_reordered_input_and_absolute_paths(tmp_path) -> None:
    folder = tmp_path / "study"
    folder.mkdir()
    data = _with_image_column(images(folder))
    keys = row_keys(data, folder)
    labels = {keys[1]: "b", keys[2]: "a", keys[9]: "b"}
    wf = Workflow(title="labels")
    node = wf.add_node(AnnotateImages, title="Annotate Images")
    wf.update_settings(node.id, class_names=["a", "b"], labels=labels)
    path = folder / "labels.ows"
    save_workflow(wf, path)
    loaded = load_workflow(path, default_registry())
    s = loaded.node(node.id).settings
    assert s.labels == labels and s.class_names == ["a", "b"]

    # the folder re-scanned in another order, with a new image: the same images labelled
    order = np.arange(len(data))[::-1]
    shuffled = data.take(order)
    r = run_node(AnnotateImages, {"Data": shuffled}, workflow_dir=folder,
                 class_names=s.class_names, labels=s.labels)
    got = dict(zip(r["Labelled Data"].metas["image name"],
                   r["Labelled Data"].class_labels(), strict=True))
    assert got == {"im01": "b", "im02": "a", "im09": "b"}

    # an untitled copy (no workflow folder: keys are absolute) keeps them too
    r = run_node(AnnotateImages, {"Data": shuffled}, workflow_dir=None,
                 class_names=s.class_names, labels=s.labels)
    assert len(r["Labelled Data"]) == 3

    # labels of images that are gone are kept, with a note
    fewer = data.take(np.arange(0, 5))
    r = run_node(AnnotateImages, {"Data": fewer}, workflow_dir=folder,
                 class_names=s.class_names, labels=s.labels)
    assert len(r["Labelled Data"]) == 2
    assert any("1 labelled image" in note for note in r.progress.infos)


def test_a_model_ranks_the_unlabelled_images_least_sure_first(tmp_path) -> None:
    data = _with_image_column(images(tmp_path, n_per_class=10))
    train = data.take(np.arange(0, len(data), 3))
    model = run_node(SVM, {"Data": train})["Model"]
    keys = row_keys(data, tmp_path)
    labels = {keys[0]: "c0"}
    r = run_node(AnnotateImages, {"Data": data, "Model": model}, workflow_dir=tmp_path,
                 class_names=["c0", "c1", "c2"], labels=labels, least_sure_first=True)
    rest = r["Unlabelled Data"]
    u = np.asarray(rest.metas["uncertainty"], dtype=float)
    assert len(rest) == len(data) - 1
    assert np.all(np.diff(u) <= 1e-12)  # least sure first
    expected = uncertainty(model.predict_proba(data.take(np.arange(1, len(data)))))
    assert np.isclose(u[0], expected.max())
    # without the option: input order, the uncertainty still given
    plain = run_node(AnnotateImages, {"Data": data, "Model": model}, workflow_dir=tmp_path,
                     labels=labels)["Unlabelled Data"]
    assert list(plain.row_ids) == list(data.row_ids[1:])
    assert np.allclose(np.sort(plain.metas["uncertainty"].astype(float)), np.sort(u))
    # a model of other features cannot rank: it says why, the images still go out
    other = Table.from_arrays(np.ones((len(data), 3)), ["x", "y", "z"],
                              metas=dict(data.metas), image_column="image")
    r = run_node(AnnotateImages, {"Data": other, "Model": model}, least_sure_first=True)
    assert r["Unlabelled Data"] is not None and "uncertainty" not in r["Unlabelled Data"].metas
    assert any("features" in w for w in r.warnings)


def test_a_learner_is_trained_on_the_labels_and_ranks_the_rest(tmp_path) -> None:
    """The loop without a cycle: each label retrains the connected learner."""
    from petriflow.nodes.logistic_regression import LogisticRegression

    data = _with_image_column(images(tmp_path, n_per_class=8))
    learner = run_node(LogisticRegression)["Learner"]
    keys = row_keys(data, tmp_path)
    one_class = {keys[0]: "c0", keys[1]: "c0"}
    r = run_node(AnnotateImages, {"Data": data, "Learner": learner}, workflow_dir=tmp_path,
                 class_names=["c0", "c1", "c2"], labels=one_class)
    assert r["Model"] is None and any("two classes" in i for i in r.progress.infos)
    labels = {keys[i]: str(data.class_labels()[i]) for i in (0, 1, 8, 9, 16, 17)}
    r = run_node(AnnotateImages, {"Data": data, "Learner": learner}, workflow_dir=tmp_path,
                 class_names=["c0", "c1", "c2"], labels=labels, least_sure_first=True)
    model = r["Model"]
    assert model is not None and tuple(model.class_values) == ("c0", "c1", "c2")
    rest = r["Unlabelled Data"]
    assert len(rest) == len(data) - 6
    u = rest.metas["uncertainty"].astype(float)
    assert np.all(np.diff(u) <= 1e-12)
    # the model learnt the labels: it predicts the true class of the unlabelled blobs
    predicted = np.asarray(model.class_values)[model.predict_proba(rest).argmax(axis=1)]
    assert np.mean(predicted == rest.class_labels()) > 0.9
    # a connected Model ranks instead of the learner (the learner's model still goes out)
    other = run_node(SVM, {"Data": data.take(np.arange(0, len(data), 2))})["Model"]
    r2 = run_node(AnnotateImages, {"Data": data, "Learner": learner, "Model": other},
                  workflow_dir=tmp_path, labels=labels)
    expected = uncertainty(other.predict_proba(r2["Unlabelled Data"]))
    assert np.allclose(r2["Unlabelled Data"].metas["uncertainty"].astype(float), expected)
    assert r2["Model"] is not None
