"""``petriflow run --out`` writes Test and Score's model comparison table.

The view shows P(row model better than column model); a headless run must keep the same
numbers: ``<node>_Evaluation-Results_model-comparison.csv``, one row per ordered pair,
computed with the node's score and negligible difference (changed here with ``--set``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from petriflow import cli
from petriflow.analysis.model_comparison import COMPARISON_COLUMNS, compare_models
from petriflow.core.ows import save_workflow
from petriflow.core.registry import default_registry
from petriflow.core.workflow import Workflow
from petriflow.nodes.file import File
from petriflow.nodes.knn import KNN
from petriflow.nodes.naive_bayes import NaiveBayes
from petriflow.nodes.test_and_score import TestAndScore

from .conftest import blobs, run_node


def _csv(folder: Path) -> Path:
    """Overlapping classes, so the two models differ fold by fold."""
    t = blobs(n_per_class=40, d=4, k=2, seed=3, spread=9.0)
    rows = ["f0,f1,f2,f3,class"] + [
        ",".join(f"{v:.5f}" for v in x) + f",{c}"
        for x, c in zip(t.X, t.class_labels(), strict=True)]
    path = folder / "blobs.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _workflow(folder: Path, n_learners: int = 2) -> Path:
    reg = default_registry()
    wf = Workflow(title="comparison")
    file = wf.add_node(reg.get("petriflow.file"), title="File")
    wf.update_settings(file.id, path="blobs.csv", target="class")
    ts = wf.add_node(reg.get("petriflow.test_and_score"), title="Test and Score")
    wf.update_settings(ts.id, n_folds=5, comparison_score="CA")
    wf.add_link(file.id, "Data", ts.id, "Data")
    for name, title in (("petriflow.knn", "kNN"),
                        ("petriflow.naive_bayes", "Naive Bayes"))[:n_learners]:
        n = wf.add_node(reg.get(name), title=title)
        wf.add_link(n.id, "Learner", ts.id, "Learner")
    path = folder / "comparison.ows"
    save_workflow(wf, path)
    return path


def _run(folder: Path, *extra: str) -> tuple[dict, Path]:
    out = folder / "out"
    assert cli.main(["run", str(_workflow(folder)), "--quiet", "--out", str(out),
                     *extra]) == 0
    report = json.loads((out / "run.json").read_text())
    (ts,) = [n for n in report["nodes"] if n["title"] == "Test and Score"]
    return ts["outputs"]["Evaluation Results"], out


def _expected(folder: Path, score: str, rope: float):
    """The same evaluation run directly, compared as the view compares it."""
    data = run_node(File, path=str(_csv(folder)), target="class")["Data"]
    learners = [run_node(KNN, {"Data": None})["Learner"],
                run_node(NaiveBayes, {"Data": None})["Learner"]]
    results = run_node(TestAndScore, {"Data": data, "Learner": learners},
                       n_folds=5)["Evaluation Results"]
    return compare_models(results, score, rope)


@pytest.mark.parametrize("extra, score, rope", [
    ((), "CA", 0.0),
    (("--set", "Test and Score.use_rope=true", "--set", "Test and Score.rope=0.05",
      "--set", "Test and Score.comparison_score=AUC"), "AUC", 0.05),
])
def test_run_out_writes_the_model_comparison_table(tmp_path, extra, score, rope):
    _csv(tmp_path)
    record, out = _run(tmp_path, *extra)
    name = record["model_comparison_file"]
    assert name.endswith("_Evaluation-Results_model-comparison.csv")
    with (out / name).open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert tuple(rows[0]) == COMPARISON_COLUMNS
    body = {(r[0], r[1]): r for r in rows[1:]}
    assert set(body) == {("kNN", "Naive Bayes"), ("Naive Bayes", "kNN")}
    comp = _expected(tmp_path, score, rope)
    for (a, b), r in body.items():
        i, j = comp.names.index(a), comp.names.index(b)
        assert r[2] == score and float(r[6]) == rope and int(r[7]) == comp.n_folds == 5
        assert float(r[3]) == pytest.approx(comp.better[i, j], abs=1e-6)
        assert float(r[4]) == pytest.approx(comp.negligible[i, j], abs=1e-6)
        # the pair read the other way round: the probabilities swap
        back = body[(b, a)]
        assert float(r[5]) == pytest.approx(float(back[3]), abs=2e-6)
        assert sum(float(x) for x in r[3:6]) == pytest.approx(1.0, abs=1e-5)
    assert (float(body[("kNN", "Naive Bayes")][4]) > 0) == (rope > 0)
    assert 0 < float(body[("kNN", "Naive Bayes")][3]) < 1


def test_no_table_for_one_learner_and_the_reason_without_folds(tmp_path):
    _csv(tmp_path)
    path = _workflow(tmp_path, n_learners=1)
    out = tmp_path / "one"
    assert cli.main(["run", str(path), "--quiet", "--out", str(out)]) == 0
    assert not list(out.glob("*model-comparison*"))
    out2 = tmp_path / "train"
    _workflow(tmp_path)
    assert cli.main(["run", str(tmp_path / "comparison.ows"), "--quiet", "--out", str(out2),
                     "--set", "Test and Score.resampling=test_on_train"]) == 0
    report = json.loads((out2 / "run.json").read_text())
    (ts,) = [n for n in report["nodes"] if n["title"] == "Test and Score"]
    record = ts["outputs"]["Evaluation Results"]
    assert "model_comparison_file" not in record
    assert record["model_comparison"].startswith("not computed: model comparison needs")
    assert not list(out2.glob("*model-comparison*"))


def test_predictions_results_get_no_comparison(tmp_path):
    """Predictions' evaluation results (one test set, no folds) are not compared: no
    file and no note in its record, only Test and Score's results carry the table."""
    from petriflow.analysis.model_comparison import comparison_rows
    from petriflow.nodes.predictions import Predictions

    data = run_node(File, path=str(_csv(tmp_path)), target="class")["Data"]
    models = [run_node(KNN, {"Data": data})["Model"],
              run_node(NaiveBayes, {"Data": data})["Model"]]
    results = run_node(Predictions, {"Data": data, "Predictors": models})[
        "Evaluation Results"]
    assert results is not None and len(results.learner_names) == 2
    assert comparison_rows(results, Predictions.Settings()) is None
    assert isinstance(comparison_rows(results, TestAndScore.Settings()), str)  # no folds
