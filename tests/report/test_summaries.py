"""Each node type's report words (report/summaries.py) on real runs of the bundled
examples: the numbers in the words are checked against the data they describe
(counted here from the node's own inputs and outputs), not against copied text."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from petriflow.bundled import list_examples
from petriflow.commands.run import run_workflow
from petriflow.core.ows import load_workflow
from petriflow.core.registry import default_registry
from petriflow.core.scheduler import Scheduler
from petriflow.core.types import EvaluationResults
from petriflow.core.workflow import Workflow
from petriflow.report.run_items import run_items
from petriflow.report.summaries import node_settings, node_words

EXAMPLES = {e.path.stem: e.path for e in list_examples()}
TEXTURES = Path(__file__).resolve().parents[2] / "workflows" / "data" / "textures"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("PETRIFLOW_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


_RUNS: dict[str, tuple[Workflow, Scheduler]] = {}


def ran(name: str) -> tuple[Workflow, Scheduler]:
    """The example run once per test session (they are deterministic)."""
    if name not in _RUNS:
        workflow = load_workflow(EXAMPLES[name])
        scheduler, settled = run_workflow(workflow, timeout=300)
        assert settled
        _RUNS[name] = (workflow, scheduler)
    return _RUNS[name]


def words(name: str, title: str) -> tuple[list[str], list[str], dict, dict]:
    workflow, scheduler = ran(name)
    node = workflow.find_node(title)
    inputs, outputs = scheduler.inputs(node.id), scheduler.outputs(node.id)
    settings, summary = node_words(node, inputs, outputs)
    return settings, summary, inputs, outputs


def counted(labels) -> str:
    """"brick 16, grass 16, gravel 16" counted here from the labels themselves."""
    c = Counter(str(v) for v in labels if str(v))
    return ", ".join(f"{k} {c[k]}" for k in sorted(c))


def test_import_images_counts_images_per_class_and_their_size():
    _, summary, _, outputs = words("image-classification", "Import Images")
    data = outputs["Data"]
    labels = data.class_labels()
    assert summary[0] == (f"{len(data)} images in {len(set(labels))} classes of "
                          f"{data.class_name} ({counted(labels)})")
    w, h = data.metas["width"], data.metas["height"]
    assert summary[1] == (f"image size: {int(w[0])}×{int(h[0])}" if len(set(w)) == 1
                          and len(set(h)) == 1 else summary[1])
    assert summary[2].startswith("columns: no features, class category")


def test_embedder_names_its_model_and_counts_features_and_failures():
    settings, summary, inputs, outputs = words("image-classification", "Image Embedder")
    out = outputs["Embeddings"]
    model = next(s for s in settings if s.startswith("model: ")).removeprefix("model: ")
    assert summary[0] == f"{len(out)} images embedded by {model}: {out.n_features} features each"
    assert summary[1] == f"failed: none of {len(inputs['Images'])} images"
    assert "image column: the data's image column" in settings
    assert "cluster: none (runs in this process)" in settings


def test_embedder_failure_is_counted_with_its_reason(tmp_path):
    folder = tmp_path / "images"
    shutil.copytree(TEXTURES, folder)
    victim = sorted((folder / "brick").iterdir())[0]
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 3])  # the header reads; the pixels do not
    reg = default_registry()
    wf = Workflow(registry=reg)
    imp = wf.add_node(reg.get("petriflow.import_images")).id
    emb = wf.add_node(reg.get("petriflow.image_embedder"), position=(200, 0)).id
    wf.update_settings(imp, folder=str(folder))
    wf.update_settings(emb, model="squeezenet")
    wf.add_link(imp, "Data", emb, "Images")
    scheduler, settled = run_workflow(wf, timeout=300)
    assert settled
    inputs, outputs = scheduler.inputs(emb), scheduler.outputs(emb)
    n_in, n_out = len(inputs["Images"]), len(outputs["Embeddings"])
    assert n_out == n_in - 1  # the damaged file was read by the import, not embedded
    _, summary = node_words(wf.node(emb), inputs, outputs)
    assert summary[0].startswith(f"{n_out} images embedded by squeezenet: ")
    failed = [line for line in summary if line.startswith("failed: ")]
    reason = str(outputs["Skipped Images"].metas["skip reason"][0])
    assert "truncated" in reason
    assert len(failed) == 1 and failed[0].endswith(" ×1)")
    words_of_reason = failed[0].removeprefix("failed: 1 image (").removesuffix(" ×1)")
    assert reason.startswith(words_of_reason.removesuffix("…"))
    assert len(words_of_reason) <= 60
    # without the skipped rows, the count still shows (images in minus embeddings out)
    _, summary = node_words(wf.node(emb), inputs, {"Embeddings": outputs["Embeddings"]})
    assert "failed: 1 image" in summary


def test_test_and_score_states_the_method_and_each_models_scores():
    settings, summary, _, outputs = words("image-classification", "Test and Score")
    res: EvaluationResults = outputs["Evaluation Results"]
    folds = next(s for s in settings if s.startswith("number of folds: "))
    k = folds.split(": ")[1]
    assert summary[0] == f"{len(res)} rows evaluated by {k}-fold cross-validation"
    for name in res.learner_names:
        line = next(s for s in summary if s.startswith(f"{name}: "))
        assert f"CA {res.scores[name]['CA']:.3f}" in line
        assert f"AUC {res.scores[name]['AUC']:.3f}" in line
    # cross-validation: repeats, training size and fold column do not apply
    assert not any(s.startswith(("number of repeats", "training set size", "fold column"))
                   for s in settings)
    assert "resampling: cross-validation" in settings
    assert "target class: weighted average over classes" in settings  # "" says what it does


def test_confusion_matrix_counts_accuracy_and_mistakes_from_the_results():
    settings, summary, inputs, _ = words("morphological-profiling", "Confusion Matrix")
    res: EvaluationResults = inputs["Evaluation Results"]
    actual, predicted = res.actual, res.predicted[0]
    correct = int(np.sum(actual == predicted))
    assert correct < len(actual)  # this example makes mistakes: the words must show them
    assert summary[0] == (f"{res.learner_names[0]}: {correct} of {len(actual)} correct "
                          f"(accuracy {correct / len(actual):.3f})")
    for i, name in enumerate(res.class_values):
        row = next(s for s in summary if s.startswith(f"actual {name} → "))
        for j, other in enumerate(res.class_values):
            n = int(np.sum((actual == i) & (predicted == j)))
            assert f"{other} {n}" in row.split(" → predicted ")[1].split(", ")
    pairs = Counter((res.class_values[a], res.class_values[p])
                    for a, p in zip(actual, predicted, strict=True) if a != p)
    (a, p), n = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
    assert f"most confused: {n} rows of {a} predicted as {p}" in summary
    assert f"learner: {res.learner_names[0]}" in settings  # named, not "learner: 0"


def test_confusion_matrix_selection_counts_cells_and_rows():
    _, summary, _, outputs = words("image-classification", "Confusion Matrix")
    assert summary[-1] == f"selected: 1 cell, {len(outputs['Selected Data'])} rows"


def test_hierarchical_clustering_says_linkage_cut_clusters_and_selection():
    settings, summary, inputs, outputs = words("image-clustering", "Hierarchical Clustering")
    dm = inputs["Distances"]
    assert summary[0] == f"{len(dm)} items clustered with ward linkage on cosine distances"
    top = next(s for s in settings if s.startswith("number of clusters: "))
    k = int(top.split(": ")[1])
    assert summary[1] == f"cut into the top {k} clusters"
    clusters = Counter(str(c) for c in outputs["Data"].metas["Cluster"])
    assert len(clusters) == k
    assert summary[2] == "clusters: " + ", ".join(f"{c} {clusters[c]}" for c in sorted(clusters))
    chosen = outputs["Selected Data"]
    assert summary[3] == (f"selected: {len(chosen)} items in "
                          f"{len(set(chosen.metas['Cluster']))} clusters")
    # top clusters: the cut height and a hand selection do not apply
    assert not any(s.startswith(("cut height", "selected")) for s in settings)
    assert "selection method: top clusters" in settings


def test_projection_counts_points_colour_subset_and_selection():
    settings, summary, inputs, _ = words("image-classification", "MDS")
    data, subset = inputs["Data"], inputs["Data Subset"]
    assert summary[0].startswith(f"{len(data)} points: {len(data)} images in ")
    assert summary[1] == f"colour: {data.class_name} (the class)"
    assert f"highlighted: {len(subset)} points of the Data Subset" in summary
    assert summary[-1] == "selected: nothing"
    # the plot's unset options (shape, size, labels, hover, hidden) are left out
    assert not any(s.startswith(("shape column", "hover columns", "hidden values"))
                   for s in settings)


def test_image_viewer_and_grid_count_images_grid_and_selection():
    _, summary, inputs, outputs = words("image-exploration", "Image Grid")
    data = inputs["Embeddings"]
    grid = outputs["Data"]
    rows, cols = int(max(grid.metas["grid row"])) + 1, int(max(grid.metas["grid column"])) + 1
    assert summary[0].startswith(f"shown: {len(data)} images in ")
    assert f"grid: {rows} rows × {cols} columns" in summary
    assert summary[-1] == f"selected: {len(outputs['Selected Images'])} images"
    _, summary, inputs, _ = words("image-classification", "Image Viewer")
    shown = inputs["Data"]
    present = len(set(shown.class_labels()))
    assert summary[0] == (f"shown: {len(shown)} images in {present} "
                          f"class{'es' if present != 1 else ''} of {shown.class_name} "
                          f"({counted(shown.class_labels())})")  # classes with no image left out


def test_predictions_accuracy_per_model():
    _, summary, inputs, outputs = words("image-prediction", "Predictions")
    res: EvaluationResults = outputs["Evaluation Results"]
    for i, name in enumerate(res.learner_names):
        correct = int(np.sum(res.actual == res.predicted[i]))
        assert (f"{name}: accuracy {correct / len(res):.3f} ({correct} of {len(res)} "
                "correct)") in summary
    assert summary[0].startswith(f"{len(inputs['Data'])} rows predicted by 1 model: ")


def test_select_rows_and_data_table_words():
    # no example has a Select Rows since image-prediction reads two folders: the
    # textures split by name, as that example used to
    workflow = Workflow()
    reg = default_registry()
    imp = workflow.add_node(reg.get("petriflow.import_images")).id
    workflow.update_settings(imp, folder=str(TEXTURES))
    sr = workflow.add_node(reg.get("petriflow.select_rows")).id
    workflow.update_settings(sr, conditions=[
        {"column": "image name", "op": "contains", "value": "-0"}])
    workflow.add_link(imp, "Data", sr, "Data")
    scheduler, settled = run_workflow(workflow, timeout=300)
    assert settled
    inputs, outputs = scheduler.inputs(sr), scheduler.outputs(sr)
    settings, summary = node_words(workflow.node(sr), inputs, outputs)
    n, m = len(inputs["Data"]), len(outputs["Matching Data"])
    assert 0 < m < n
    assert summary[0] == f"{m} of {n} rows match, {n - m} do not"
    cond = workflow.node(sr).settings.conditions[0]
    assert f"conditions: {cond['column']} {cond['op']} {cond['value']}" in settings
    _, summary, inputs, _ = words("image-clustering", "Data Table")
    data = inputs["Data"]
    assert summary[0] == (f"{len(data)} rows × {data.n_features} features, class "
                          f"{data.class_name}, {len(data.metas)} meta columns")


def test_every_node_of_every_example_has_words_and_no_field_ids():
    """Settings in words for every bundled node: no field ids (underscores), no Python
    reprs, nothing over a line long; every node that ran has a summary."""
    for name in EXAMPLES:
        workflow, scheduler = ran(name)
        for node, item in zip(workflow.nodes, run_items(workflow, scheduler), strict=True):
            for line in item.settings:
                label, _, value = line.partition(": ")
                assert value, line
                assert "_" not in label, line
                assert not value.startswith(("{", "[", "(")) or value == "(not set)", line
                assert len(line) <= 120, line
            has_outputs = any(v is not None for v in scheduler.outputs(node.id).values())
            assert item.summary or not has_outputs, (name, node.title)
            assert not any(s.startswith("(no summary") for s in item.summary)


def test_settings_of_every_node_type_read_as_words():
    for types in default_registry().by_category().values():
        for nt in types:
            lines = node_settings(nt.qualified_name, nt.Settings(), {},
                                  getattr(nt, "view_settings", ()))
            for line in lines:
                label, _, value = line.partition(": ")
                assert "_" not in label and "_" not in value, (nt.qualified_name, line)
                assert not label.startswith("n "), line  # "number of …"


def test_projection_selection_and_a_height_cut_read_from_changed_settings():
    """Settings changed as a user would (a selection of points, a colour column, the
    clustering cut at a height): the words follow, counted from the outputs."""
    workflow = load_workflow(EXAMPLES["image-clustering"])
    mds, hc = workflow.find_node("MDS").id, workflow.find_node("Hierarchical Clustering").id
    workflow.update_settings(mds, selected=[0, 1, 2], color_column="image name")
    workflow.update_settings(hc, selection_mode="height_ratio", cut_ratio=50.0)
    scheduler, settled = run_workflow(workflow, timeout=300)
    assert settled
    settings, summary = node_words(workflow.node(mds), scheduler.inputs(mds),
                                   scheduler.outputs(mds))
    chosen = scheduler.outputs(mds)["Selected Data"]
    assert len(chosen) == 3 and summary[-1] == "selected: 3 points"
    assert "colour: image name" in summary and "color column: image name" in settings
    settings, summary = node_words(workflow.node(hc), scheduler.inputs(hc),
                                   scheduler.outputs(hc))
    assert summary[1] == "cut at 50 % of the tree's height"
    clusters = Counter(str(c) for c in scheduler.outputs(hc)["Data"].metas["Cluster"])
    assert summary[2] == "clusters: " + ", ".join(f"{c} {clusters[c]}" for c in sorted(clusters))
    assert "selection method: cut at a height" in settings and "cut height: 50" in settings
    assert not any(s.startswith(("number of clusters", "selected")) for s in settings)


def test_test_and_score_compares_two_models_as_its_view_does():
    from petriflow.analysis.model_comparison import compare_models

    workflow = load_workflow(EXAMPLES["morphological-profiling"])
    reg = default_registry()
    ts = workflow.find_node("Test and Score").id
    other = workflow.add_node(reg.get("petriflow.knn")).id  # quick to train, unlike LR
    workflow.update_settings(other, learner_name="3-NN", n_neighbors=3)
    workflow.add_link(other, "Learner", ts, "Learner")
    # folds by compound hold one class each: AUC is undefined there, accuracy is not
    workflow.update_settings(ts, comparison_score="CA")
    scheduler, settled = run_workflow(workflow, timeout=300)
    assert settled
    res = scheduler.outputs(ts)["Evaluation Results"]
    assert len(res.learner_names) == 2
    _, summary = node_words(workflow.node(ts), scheduler.inputs(ts), scheduler.outputs(ts))
    comp = compare_models(res, "CA")
    a, b = sorted(comp.names)
    i, j = comp.names.index(a), comp.names.index(b)
    line = next(s for s in summary if s.startswith(f"{a} vs {b} on CA: "))
    assert f"P({a} better) {comp.better[i, j]:.2f}" in line
    assert f"P({b} better) {comp.better[j, i]:.2f}" in line
    assert line.endswith(f"({comp.n_folds} folds)")
    assert not any(s.startswith(f"{b} vs {a}") for s in summary)  # each pair once
    # on AUC the same folds cannot be compared: the summary says why
    workflow.update_settings(ts, comparison_score="AUC")
    _, summary = node_words(workflow.node(ts), scheduler.inputs(ts), scheduler.outputs(ts))
    assert any(s.startswith("model comparison: not computed: AUC is undefined")
               for s in summary)


def test_long_settings_stay_short_lines():
    reg = default_registry()
    rows = reg.get("petriflow.select_rows")
    conditions = [{"column": f"c{i}", "op": ">", "value": i} for i in range(10)]
    lines = node_settings(rows.qualified_name, rows.Settings(conditions=conditions), {})
    assert lines[0] == "conditions: c0 > 0; c1 > 1; c2 > 2; c3 > 3; and 6 more"
    between = [{"column": "size", "op": "between", "value": [10, 20]}]
    lines = node_settings(rows.qualified_name, rows.Settings(conditions=between), {})
    assert lines[0] == "conditions: size between 10 and 20"
    cols = reg.get("petriflow.select_columns")
    roles = {f"col{i}": "skip" for i in range(6)} | {"category": "target"}
    lines = node_settings(cols.qualified_name, cols.Settings(roles=roles), {})
    assert lines[0] == "roles: col0 → skip; col1 → skip; col2 → skip; col3 → skip; and 3 more"
    assert node_settings(cols.qualified_name, cols.Settings(), {})[0] == "roles: as in the data"
