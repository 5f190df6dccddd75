"""The two image workflows of Orange's lecture notes run headless on real image sets.

Orange saved them with Inception v3 (its server model) and folders on the author's laptop;
``--set`` points Import Images at ../shared/data and picks ``squeezenet`` (Inception
weights cannot be had offline here). The classification workflow also has Orange widgets
that were missing before issue 17 (File, Merge Data, Select Columns, SVM, Predictions);
all are mapped now, and with a metadata CSV for File it evaluates the learners.
"""

from __future__ import annotations

import json

import pytest

from petriflow import cli

from .conftest import REFERENCE, SHARED_DATA

pytestmark = pytest.mark.shared_data

CLUSTERING = REFERENCE / "img_clustering__lecture-notes_image-embedding.ows"
CLASSIFICATION = REFERENCE / "img_classification__lecture-notes_image-analytics.ows"


@pytest.fixture(autouse=True)
def _needs_files(tmp_path, monkeypatch):
    if not (CLUSTERING.exists() and (SHARED_DATA / "bone-healing").is_dir()):
        pytest.skip("../shared/reference or ../shared/data absent")
    monkeypatch.setenv("PETRIFLOW_CACHE_DIR", str(tmp_path / "cache"))


def _states(out):
    report = json.loads((out / "run.json").read_text())
    return report, {n["title"]: n for n in report["nodes"]}


def test_image_clustering_workflow_runs_on_shared_data(tmp_path, capsys):
    out = tmp_path / "out"
    rc = cli.main(["run", str(CLUSTERING), "--quiet", "--out", str(out),
                   "--set", f"Import Images.folder={SHARED_DATA / 'domestic-animals'}",
                   "--set", "Image Embedding.model=squeezenet"])
    assert rc == 0, capsys.readouterr().err
    report, nodes = _states(out)
    assert all(n["state"] in ("done", "warning") for n in nodes.values())
    emb = (out / nodes["Image Embedding"]["outputs"]["Embeddings"]["file"]).read_text()
    assert emb.splitlines()[0].startswith("n0,n1")  # 1000 SqueezeNet features per image
    assert len(emb.splitlines()) == 1 + 19
    # Orange's settings were used: cosine distances, Ward, the saved manual selection
    assert report["opened_from_orange"]["summary"].startswith("Opened from Orange: 6 of 6")
    hc = nodes["Hierarchical Clustering"]["outputs"]
    assert hc["Selected Data"] is not None and hc["Data"] is not None
    assert "Opened from Orange" in capsys.readouterr().err


def test_image_classification_workflow_runs_end_to_end_with_a_metadata_csv(
        tmp_path, capsys):
    """All 15 widgets are mapped (File, Merge Data, Select Columns: issue 17.3): File's
    saved path is on the author's laptop, so File says so and the branch without it still
    runs; pointed at a metadata CSV of the images it runs end to end, no --bypass."""
    common = ["--set", f"Import Images.folder={SHARED_DATA / 'bone-healing'}",
              "--set", f"Import Images (1).folder={SHARED_DATA / 'domestic-animals'}",
              "--set", "Image Embedding.model=squeezenet",
              "--set", "Image Embedding (1).model=squeezenet", "--quiet"]
    out = tmp_path / "partial"
    assert cli.main(["run", str(CLASSIFICATION), "--out", str(out), *common]) == 1
    report, nodes = _states(out)
    assert nodes["File"]["state"] == "error"
    assert nodes["Test and Score"]["state"] == "idle"
    assert nodes["Image Embedding (1)"]["state"] == "done"  # the branch without File
    assert "amphorae.csv" in capsys.readouterr().err

    from petriflow.analysis.images import IMAGE_EXTENSIONS

    names = sorted(p.stem for p in (SHARED_DATA / "bone-healing").rglob("*")
                   if p.suffix.lower() in IMAGE_EXTENSIONS)
    meta = tmp_path / "bone-healing.csv"  # one row per image name, as a lab records it
    meta.write_text("image name,Fabric,Type\n"
                    + "".join(f"{n},f{i % 3},t{i}\n" for i, n in enumerate(names)))
    out = tmp_path / "full"
    assert cli.main(["run", str(CLASSIFICATION), "--out", str(out), *common,
                     "--set", f"File.path={meta}"]) == 0
    report, nodes = _states(out)
    merged = (out / nodes["Merge Data"]["outputs"]["Data"]["file"]).read_text()
    assert "Fabric" in merged.splitlines()[0]
    report, nodes = _states(out)
    assert report["skipped_because_of_placeholders"] == {}
    ts = nodes["Test and Score"]
    assert ts["state"] == "done"
    results = json.loads((out / ts["outputs"]["Evaluation Results"]["file"]).read_text())
    learners = {lr["name"]: lr for lr in results["learners"]}
    assert set(learners) == {"kNN", "Logistic Regression", "SVM"}  # SVM mapped (issue 17.2)
    # the model comparison table, as the view shows it, is written beside the results
    table = (out / ts["outputs"]["Evaluation Results"]["model_comparison_file"]).read_text()
    pairs = {tuple(line.split(",")[:2]) for line in table.splitlines()[1:]}
    assert len(pairs) == 6 and ("SVM", "kNN") in pairs
    assert results["n_rows"] == 37
    # bone healing D7 vs D14: far better than chance with SqueezeNet features
    assert learners["Logistic Regression"]["scores"]["CA"] > 0.75
    assert nodes["Confusion Matrix"]["state"] == "done"
    assert nodes["Image Viewer"]["state"] == "done"
