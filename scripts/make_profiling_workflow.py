"""Rebuild ``workflows/morphological-profiling.ows`` with the Python API (issue 9).

    python scripts/make_profiling_workflow.py

Import Images (a CSV of multi-channel fields) → Illumination Correction → Image Embedder
(per-channel: each stain in grayscale, concatenated) → Aggregate Profiles (mean per
compound + concentration, z-scored per plate against DMSO, class = MoA) → Test and
Score (leave-one-compound-out) ← kNN (1-NN, cosine) → Confusion Matrix: the NSC protocol
of Pawlowski et al. 2016 / Ljosa et al. 2013. It reads the tiny generated screen in
``workflows/data/screen`` (``scripts/make_profiling_screen.py``).
"""

from __future__ import annotations

from pathlib import Path

from make_example_workflows import node  # the same helper (this folder is on sys.path)

from petriflow.core.ows import save_workflow
from petriflow.core.workflow import TextAnnotation, Workflow

HERE = Path(__file__).resolve().parents[1] / "workflows"


def profiling() -> Workflow:
    wf = Workflow(
        title="Morphological profiling",
        description="Profile a multi-channel screen with deep features and classify "
                    "treatments by mechanism of action with 1-NN, leave-one-compound-out "
                    "(Pawlowski et al. 2016).",
    )
    imp = node(wf, "petriflow.import_images", "Import Images", 0, 200,
               folder="data/screen/metadata.csv")
    ill = node(wf, "petriflow.illumination_correction", "Illumination Correction", 200, 200,
               plate_column="plate", smoothing="median")
    emb = node(wf, "petriflow.image_embedder", "Image Embedder", 400, 200, per_channel=True)
    agg = node(wf, "petriflow.aggregate_profiles", "Aggregate Profiles", 600, 200,
               group_by=["compound", "concentration"], method="mean",
               normalization="zscore", class_column="moa")
    knn = node(wf, "petriflow.knn", "kNN", 600, 380, n_neighbors=1, metric="cosine",
               learner_name="1-NN cosine")
    ts = node(wf, "petriflow.test_and_score", "Test and Score", 800, 290,
              resampling="cross_validation_by_feature", fold_column="compound")
    cm = node(wf, "petriflow.confusion_matrix", "Confusion Matrix", 1000, 290)
    table = node(wf, "petriflow.data_table", "Profiles", 800, 80)
    # 200 px between neighbours: every link's label fits beside the nodes
    # (tests/gui/test_canvas_legibility.py)
    wf.add_link(imp.id, "Data", ill.id, "Images")
    wf.add_link(ill.id, "Corrected Images", emb.id, "Images")
    wf.add_link(emb.id, "Embeddings", agg.id, "Data")
    wf.add_link(agg.id, "Profiles", ts.id, "Data")
    wf.add_link(agg.id, "Profiles", table.id, "Data")
    wf.add_link(knn.id, "Learner", ts.id, "Learner")
    wf.add_link(ts.id, "Evaluation Results", cm.id, "Evaluation Results")
    wf.add_annotation(TextAnnotation(
        "", (40.0, 20.0, 420.0, 60.0),
        "Run it on a cluster without changing anything: petriflow run "
        "morphological-profiling.ows --cluster local (or tcp://scheduler:8786).",
        "text/plain", {"size": 12}))
    return wf


def main() -> None:
    save_workflow(profiling(), HERE / "morphological-profiling.ows", backup=False)
    print(HERE / "morphological-profiling.ows")


if __name__ == "__main__":
    main()
