"""End to end: the bundled example workflows run headless with the real nodes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from petriflow import cli, load_workflow
from petriflow.core.ows import workflow_to_bytes

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / "workflows"
SHARED = ROOT.parent / "shared"
REFERENCE = sorted((SHARED / "reference" / "ows").glob("*.ows"))


def run(tmp_path: Path, name: str, *extra: str) -> dict:
    out = tmp_path / "out"
    code = cli.main(["run", str(WORKFLOWS / name), "--quiet", "--out", str(out), *extra])
    report = json.loads((out / "run.json").read_text())
    assert code == 0, report
    report["dir"] = out
    return report


def by_title(report: dict) -> dict:
    return {n["title"]: n for n in report["nodes"]}


@pytest.mark.parametrize("name", ["image-clustering.ows", "image-classification.ows",
                                  "image-prediction.ows", "image-exploration.ows"])
def test_examples_are_saved_by_the_current_code(name):
    """The shipped files load without warnings and re-save to the same bytes."""
    path = WORKFLOWS / name
    wf = load_workflow(path)
    assert wf.load_warnings == []
    assert all(not n.is_placeholder for n in wf.nodes)
    assert workflow_to_bytes(wf) == path.read_bytes()


def test_image_clustering_example(tmp_path):
    nodes = by_title(run(tmp_path, "image-clustering.ows"))
    assert all(n["state"] == "done" for n in nodes.values()), nodes
    emb = nodes["Image Embedder"]["outputs"]["Embeddings"]
    assert emb["shape"] == [48, 1000]
    dist = np.load(tmp_path / "out" / nodes["Distances"]["outputs"]["Distances"]["file"])
    assert dist.shape == (48, 48)
    np.testing.assert_allclose(np.diag(dist), 0, atol=1e-5)
    # Ward on cosine distances, top 3 clusters: the three texture classes come apart
    csv_path = tmp_path / "out" / nodes["Hierarchical Clustering"]["outputs"]["Data"]["file"]
    header, *rows = [line.split(",") for line in csv_path.read_text().splitlines()]
    cls, cluster = header.index("category"), header.index("Cluster")
    pairs = {(r[cls], r[cluster]) for r in rows}
    assert len(pairs) == 3 and len({c for _, c in pairs}) == 3


def test_image_classification_example(tmp_path):
    report = run(tmp_path, "image-classification.ows")
    nodes = by_title(report)
    assert all(n["state"] == "done" for n in nodes.values()), nodes
    ev_file = nodes["Test and Score"]["outputs"]["Evaluation Results"]["file"]
    results = json.loads((tmp_path / "out" / ev_file).read_text())
    scores = results["learners"][0]["scores"]
    assert set(scores) >= {"CA", "AUC", "F1", "Precision", "Recall", "MCC"}
    assert scores["CA"] >= 0.9
    assert np.sum(results["learners"][0]["confusion_matrix"]) == 48
    # the confusion-matrix selection (brick predicted as brick) reaches the viewer
    assert nodes["Image Viewer"]["outputs"]["Data"]["shape"][0] == (
        results["learners"][0]["confusion_matrix"][0][0])


def test_image_prediction_example(tmp_path):
    """Train on the labelled folder (textures), predict a new folder (textures-new: the
    same surfaces zoomed out 2x), and hand the predictions to the Image Viewer least
    confident first (issue 17.6)."""
    report = run(tmp_path, "image-prediction.ows")
    nodes = by_title(report)
    assert all(n["state"] == "done" for n in nodes.values()), nodes
    assert nodes["Labelled Images"]["outputs"]["Data"]["shape"][0] == 48
    assert nodes["New Images"]["outputs"]["Data"]["shape"][0] == 12
    ev = json.loads((tmp_path / "out" / nodes["Predictions"]["outputs"]
                     ["Evaluation Results"]["file"]).read_text())
    assert np.sum(ev["learners"][0]["confusion_matrix"]) == 12  # the new images only
    assert ev["learners"][0]["scores"]["CA"] >= 0.8  # new images, not the training ones
    viewer = tmp_path / "out" / nodes["Image Viewer"]["outputs"]["Data"]["file"]
    header, *rows = [line.split(",") for line in viewer.read_text().splitlines()]
    assert len(rows) == 12
    names = [r[header.index("image name")] for r in rows]
    trained = tmp_path / "out" / nodes["Labelled Images"]["outputs"]["Data"]["file"]
    t_header, *t_rows = [line.split(",") for line in trained.read_text().splitlines()]
    assert not set(names) & {r[t_header.index("image name")] for r in t_rows}
    u = np.array([float(r[header.index("uncertainty")]) for r in rows])
    assert np.all(np.diff(u) <= 1e-9)  # the least confident prediction first
    assert "Logistic Regression" in header  # the predicted class, the viewer's titles


def test_new_images_are_not_copies_of_training_tiles():
    """textures-new must be new to the model: three classes in subfolders (so Predictions
    knows the true class), small enough to ship, and no new image is a training tile
    (a copy differs by JPEG noise, ~1 grey level; these by > 10 from every tile)."""
    from PIL import Image

    data = WORKFLOWS / "data"
    new = sorted((data / "textures-new").rglob("*.jpg"))
    assert len(new) == 12 and {p.parent.name for p in new} == {"brick", "grass", "gravel"}
    tiles = [np.asarray(Image.open(p).convert("L"), dtype=float)
             for p in sorted((data / "textures").rglob("*.jpg"))]
    for path in new:
        image = Image.open(path).convert("L")
        assert image.size == (128, 128)
        pixels = np.asarray(image, dtype=float)
        assert min(np.abs(pixels - tile).mean() for tile in tiles) > 10, path
    assert sum(p.stat().st_size for p in new) < 150_000  # small enough to ship


def test_image_exploration_example(tmp_path):
    """Image Grid's six selected grass images reach UMAP and MDS as their subset and Save
    Images, which writes them into the folder given with --set, by class (issue 16.8);
    without a folder (as shipped) it says so and writes nothing."""
    report = run(tmp_path, "image-exploration.ows")
    nodes = by_title(report)
    assert all(n["state"] in ("done", "warning") for n in nodes.values()), nodes
    assert nodes["Save Images"]["warnings"] == ["No folder chosen; nothing was saved."]
    folder = tmp_path / "saved"
    folder.mkdir()
    report = run(tmp_path, "image-exploration.ows", "--set",
                 f"Save Images.folder={folder}")
    nodes = by_title(report)
    assert all(n["state"] == "done" for n in nodes.values()), nodes
    selected = tmp_path / "out" / nodes["Image Grid"]["outputs"]["Selected Images"]["file"]
    header, *rows = [line.split(",") for line in selected.read_text().splitlines()]
    names = sorted(r[header.index("image name")] for r in rows)
    assert len(names) == 6 and all(n.startswith("grass") for n in names)
    assert sorted(p.stem for p in (folder / "grass").iterdir()) == names
    assert [p.name for p in folder.iterdir()] == ["grass"]
    for title in ("UMAP", "MDS"):
        assert nodes[title]["outputs"]["Data"]["shape"][0] == 48


@pytest.mark.skipif(not (SHARED / "data" / "bone-healing").is_dir(),
                    reason="../shared/data absent")
def test_classification_on_another_folder_via_set(tmp_path):
    folder = SHARED / "data" / "bone-healing"
    report = run(tmp_path, "image-classification.ows", "--set",
                 f"Import Images.folder={folder}")
    nodes = by_title(report)
    # the example embeds with squeezenet-pooled (issue 15.4): its documented width
    from petriflow.analysis.embedding import get_embedder

    dim = get_embedder("squeezenet-pooled").dim
    assert nodes["Image Embedder"]["outputs"]["Embeddings"]["shape"] == [37, dim]
    ev = json.loads((tmp_path / "out" / nodes["Test and Score"]["outputs"]
                     ["Evaluation Results"]["file"]).read_text())
    assert ev["class_values"] == ["D14", "D7"]
    assert ev["learners"][0]["scores"]["CA"] > 0.6


@pytest.mark.skipif(not REFERENCE, reason="../shared/reference absent")
@pytest.mark.parametrize("path", REFERENCE, ids=lambda p: p.name)
def test_inspect_every_reference_file(path, capsys):
    assert cli.main(["inspect", str(path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["nodes"]) >= 2


@pytest.mark.skipif(not (SHARED / "data" / "bone-healing").is_dir(),
                    reason="../shared/data absent")
def test_saved_cell_is_not_applied_to_another_image_set(tmp_path):
    """The example's saved confusion-matrix cell was made on the bundled textures: on
    another image set (whose class 0 is another class) it is dropped with a note and
    selects nothing, instead of the rows that land in cell (0, 0) there (issue 14.13)."""
    folder = SHARED / "data" / "bone-healing"
    nodes = by_title(run(tmp_path, "image-classification.ows", "--set",
                         f"Import Images.folder={folder}"))
    cm = nodes["Confusion Matrix"]
    assert cm["state"] == "warning"
    assert any("other data" in w for w in cm["warnings"]), cm
    assert "Selected Data" not in cm["outputs"]  # None: not written
    assert nodes["Image Viewer"]["state"] == "idle"  # waiting for input: nothing picked
