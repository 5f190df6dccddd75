"""The data widgets and Annotate Images on a real image set (skipped without
../shared/data): a metadata table written as a lab keeps it (a categorical quality
flag per image), read by File, joined by Merge Data, filtered by Select Rows on the
categorical column, roled by Select Columns, embedded (SqueezeNet), then three images
per class labelled in Annotate Images, whose learner ranks the rest and whose model is
applied by Predictions to the images nobody labelled.
"""

from __future__ import annotations

import numpy as np
import pytest

from petriflow.nodes._selection import row_keys
from petriflow.nodes.annotate_images import AnnotateImages
from petriflow.nodes.file import File
from petriflow.nodes.image_embedder import ImageEmbedder
from petriflow.nodes.import_images import ImportImages
from petriflow.nodes.logistic_regression import LogisticRegression
from petriflow.nodes.merge_data import MergeData
from petriflow.nodes.predictions import Predictions
from petriflow.nodes.select_columns import SelectColumns
from petriflow.nodes.select_rows import SelectRows

from .conftest import run_node, shared_set

pytestmark = pytest.mark.shared_data


def test_metadata_join_filter_annotate_and_predict(tmp_path) -> None:
    folder = shared_set("bone-healing")
    images = run_node(ImportImages, folder=str(folder))["Data"]
    classes = sorted(set(images.class_labels()))
    names = [str(n) for n in images.metas["image name"]]
    truth = dict(zip(names, images.class_labels(), strict=True))
    # the lab's table: one row per image name; every sixth image flagged as blurred
    lines = ["image name,quality,replicate"] + [
        f"{n},{'blurred' if i % 6 == 5 else 'ok'},{i % 3 + 1}" for i, n in enumerate(names)]
    (tmp_path / "lab.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = run_node(File, path="lab.csv", workflow_dir=tmp_path)["Data"]
    assert len(table) == len(images) and "quality" in table.metas
    merged = run_node(MergeData, {"Data": images, "Extra Data": table},
                      data_key="image name", extra_key="image name", how="left")["Data"]
    assert len(merged) == len(images) and "quality" in merged.column_names

    kept = run_node(SelectRows, {"Data": merged}, conditions=[
        {"column": "quality", "op": "in", "value": ["ok"]}])["Matching Data"]
    assert len(kept) == sum(1 for i in range(len(names)) if i % 6 != 5)
    assert set(kept.metas["quality"]) == {"ok"}
    roled = run_node(SelectColumns, {"Data": kept},
                     roles={"replicate": "meta", "quality": "skip"})["Data"]
    assert "quality" not in roled.column_names and "replicate" in roled.metas
    embedded = run_node(ImageEmbedder, {"Images": roled}, model="squeezenet")["Embeddings"]
    assert len(embedded) == len(kept) and embedded.n_features > 100

    data = embedded.without_class()
    keys = row_keys(data, folder)
    labels_of = [truth[str(n)] for n in data.metas["image name"]]
    labelled = {}
    for c in classes:  # the first three images of each class, labelled by eye
        for i in [i for i, lab in enumerate(labels_of) if lab == c][:3]:
            labelled[keys[i]] = c
    learner = run_node(LogisticRegression)["Learner"]
    r = run_node(AnnotateImages, {"Data": data, "Learner": learner}, workflow_dir=folder,
                 class_names=classes, labels=labelled, least_sure_first=True)
    lab, rest, model = r["Labelled Data"], r["Unlabelled Data"], r["Model"]
    assert len(lab) == 3 * len(classes) and sorted(set(lab.class_labels())) == classes
    assert len(rest) == len(data) - len(lab)
    u = rest.metas["uncertainty"].astype(float)
    assert np.all(np.diff(u) <= 1e-12) and u[0] > u[-1]
    assert model is not None and list(model.class_values) == classes

    out = run_node(Predictions, {"Data": rest, "Predictors": [model]})["Predictions"]
    predicted = np.asarray(out.metas[model.name], dtype=object)
    actual = np.array([truth[str(n)] for n in out.metas["image name"]], dtype=object)
    total = sum(out.metas[f"{model.name} ({c})"].astype(float) for c in classes)
    assert np.allclose(total, 1.0)  # a probability column per class
    # balanced accuracy on the images nobody labelled, from six labels: well above the
    # 0.5 of chance (0.75 when this test was written)
    recall = [np.mean(predicted[actual == c] == c) for c in classes]
    print(f"balanced accuracy from {len(lab)} labels: {np.mean(recall):.3f} {recall}")
    assert np.mean(recall) >= 0.65
