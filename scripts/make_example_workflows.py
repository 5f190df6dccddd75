"""Rebuild the example workflows in ``workflows/`` with the Python API.

    python scripts/make_example_workflows.py

* ``image-clustering.ows`` — the paper's Fig. 1: Import Images → Image Embedder →
  Distances (cosine) → Hierarchical Clustering (Ward) → Image Viewer; Distances → MDS,
  with the clustering's selection drawn as MDS's data subset.
* ``image-classification.ows`` — the paper's Fig. 3: Import Images → Image Embedder →
  Test and Score ← Logistic Regression → Confusion Matrix → Image Viewer and MDS.
* ``image-prediction.ows`` — train on one labelled folder, predict another: Import
  Images (``data/textures``) → Image Embedder → Logistic Regression, whose Model
  predicts Import Images (``data/textures-new``: the same surfaces zoomed out 2×) →
  Image Embedder (same model) → Predictions → Confusion Matrix, and → Annotate Images
  (least sure first) → Image Viewer, so the least confident predictions come first.
* ``image-exploration.ows`` — look at a collection: Import Images → Image Embedder →
  Image Grid (similar images side by side; six grass images selected) → Save Images,
  and → UMAP and MDS (points drawn as thumbnails), which highlight the selection.
  Save Images has no folder until one is chosen (an example must not write into the
  folder it ships in); ``--set "Save Images.folder=DIR"`` saves the selection headless.

All read the bundled images (``workflows/data/textures``, and ``textures-new`` for the
prediction example; paths relative to the workflow file) so they run offline on a fresh
machine; another folder is one ``--set "Import Images.folder=DIR"`` away (in the
prediction example ``"Labelled Images.folder=DIR"`` and ``"New Images.folder=DIR"``).
"""

from __future__ import annotations

from pathlib import Path

from petriflow.core.node import CancelToken, NodeContext, Progress
from petriflow.core.ows import save_workflow
from petriflow.core.registry import default_registry
from petriflow.core.table import Table
from petriflow.core.workflow import ArrowAnnotation, TextAnnotation, Workflow
from petriflow.nodes._selection import cells_context, rows_context
from petriflow.nodes.import_images import ImportImages

HERE = Path(__file__).resolve().parents[1] / "workflows"
FOLDER = "data/textures"
#: image-prediction's new images: the same surfaces zoomed out 2x (make_example_images --new)
NEW_FOLDER = "data/textures-new"
PRED_MODEL = "squeezenet"


def node(wf: Workflow, qualified_name: str, title: str, x: float, y: float, **settings):
    cls = default_registry().get(qualified_name)
    assert cls is not None, qualified_name
    n = wf.add_node(cls, title=title, position=(x, y))
    if settings:
        wf.update_settings(n.id, **settings)
    return n


def bundled_images() -> Table:
    """The rows the examples see (what a saved selection is tied to: nodes/_selection)."""
    node = ImportImages(ImportImages.Settings(folder=FOLDER), NodeContext(workflow_dir=HERE))
    table = node.run({}, Progress(), CancelToken())["Data"]
    assert table is not None
    return table


def clustering() -> Workflow:
    wf = Workflow(
        title="Image clustering",
        description="Embed images with SqueezeNet, cluster them by cosine distance and "
                    "look at the images of the selected clusters (Godec et al. 2019, Fig. 1).",
    )
    # one row for the main flow, 200 px apart so each link's label fits between the
    # nodes; Data Table and MDS on a row above, so that Distances -> MDS rises clear of
    # Hierarchical Clustering (tests/gui/test_canvas_legibility.py checks all this)
    imp = node(wf, "petriflow.import_images", "Import Images", 0, 220, folder=FOLDER)
    emb = node(wf, "petriflow.image_embedder", "Image Embedder", 200, 220)
    table = node(wf, "petriflow.data_table", "Data Table", 400, 40)
    dist = node(wf, "petriflow.distances", "Distances", 400, 220, metric="cosine")
    hc = node(wf, "petriflow.hierarchical_clustering", "Hierarchical Clustering", 600, 220,
              linkage="ward", selection_mode="top_n", top_n=3)
    viewer = node(wf, "petriflow.image_viewer", "Image Viewer", 800, 220)
    mds = node(wf, "petriflow.mds", "MDS", 800, 40)
    wf.add_link(imp.id, "Data", emb.id, "Images")
    wf.add_link(emb.id, "Embeddings", table.id, "Data")
    wf.add_link(emb.id, "Embeddings", dist.id, "Data")
    wf.add_link(dist.id, "Distances", hc.id, "Distances")
    wf.add_link(hc.id, "Selected Data", viewer.id, "Data")
    wf.add_link(dist.id, "Distances", mds.id, "Distances")
    wf.add_link(hc.id, "Selected Data", mds.id, "Data Subset")
    wf.add_annotation(TextAnnotation(
        "", (470.0, 330.0, 260.0, 60.0),
        "Click a branch of the dendrogram: its images appear in the Image Viewer and "
        "are highlighted in MDS.", "text/plain", {"size": 12}))
    wf.add_annotation(ArrowAnnotation("", (600.0, 328.0), (600.0, 292.0)))
    return wf


def classification() -> Workflow:
    wf = Workflow(
        title="Image classification",
        description="Cross-validate logistic regression on image embeddings and inspect "
                    "the images behind a confusion-matrix cell (Godec et al. 2019, Fig. 3).",
    )
    # Image Embedder feeds MDS over the top row; Test and Score, the Confusion Matrix and
    # the Image Viewer sit on a lower row, so no link passes through a node
    imp = node(wf, "petriflow.import_images", "Import Images", 0, 160, folder=FOLDER)
    # SqueezeNet with its fire2-fire5 modules pooled in: the best 5-fold CA of Logistic
    # Regression over our labelled sets (docs/benchmarks.md, "Issue 15.4")
    emb = node(wf, "petriflow.image_embedder", "Image Embedder", 200, 160,
               model="squeezenet-pooled")
    lr = node(wf, "petriflow.logistic_regression", "Logistic Regression", 200, 420)
    ts = node(wf, "petriflow.test_and_score", "Test and Score", 400, 300,
              resampling="cross_validation", n_folds=5, stratified=True)
    # the saved cell holds on these images only (by class name and the rows evaluated):
    # pointed at another folder, the matrix drops it with a note instead of selecting
    # whatever lands in cell (0, 0) there
    images = bundled_images()
    cm = node(wf, "petriflow.confusion_matrix", "Confusion Matrix", 600, 300,
              selected_cells=[[0, 0]],
              selection_context=cells_context(images, images.class_values, [[0, 0]]))
    viewer = node(wf, "petriflow.image_viewer", "Image Viewer", 800, 300)
    mds = node(wf, "petriflow.mds", "MDS", 800, 140)
    wf.add_link(imp.id, "Data", emb.id, "Images")
    wf.add_link(emb.id, "Embeddings", ts.id, "Data")
    wf.add_link(lr.id, "Learner", ts.id, "Learner")
    wf.add_link(ts.id, "Evaluation Results", cm.id, "Evaluation Results")
    wf.add_link(cm.id, "Selected Data", viewer.id, "Data")
    wf.add_link(emb.id, "Embeddings", mds.id, "Data")
    wf.add_link(cm.id, "Selected Data", mds.id, "Data Subset")
    wf.add_annotation(TextAnnotation(
        "", (470.0, 410.0, 260.0, 60.0),
        "Click a cell of the confusion matrix to see those images and where they lie "
        "in MDS.", "text/plain", {"size": 12}))
    return wf


def prediction() -> Workflow:
    wf = Workflow(
        title="Image prediction",
        description="Train logistic regression on one labelled folder of images, predict "
                    "a new folder taken at another magnification and look at the least "
                    "confident predictions first (the annotate, train, predict, correct "
                    "loop of docs/annotate-train-predict.md).",
    )
    # two folders, two rows: the labelled images train on top, the new ones (the same
    # surfaces zoomed out 2x, scripts/make_example_images.py --new) are predicted below.
    # Each folder has its own Image Embedder with the same model, so each row reads as
    # one path from images to vectors; the model's links are the only ones between rows,
    # and they run forward (Predictions right of Logistic Regression). The Confusion
    # Matrix sits below the new row, so Predictions -> it crosses no Model link
    imp = node(wf, "petriflow.import_images", "Labelled Images", 0, 60, folder=FOLDER)
    emb = node(wf, "petriflow.image_embedder", "Embed Labelled Images", 200, 60,
               model=PRED_MODEL)
    lr = node(wf, "petriflow.logistic_regression", "Logistic Regression", 400, 60)
    new = node(wf, "petriflow.import_images", "New Images", 0, 260, folder=NEW_FOLDER)
    emb_new = node(wf, "petriflow.image_embedder", "Embed New Images", 200, 260,
                   model=PRED_MODEL)
    pred = node(wf, "petriflow.predictions", "Predictions", 600, 260)
    cm = node(wf, "petriflow.confusion_matrix", "Confusion Matrix", 800, 420)
    ann = node(wf, "petriflow.annotate_images", "Annotate Images", 800, 260,
               class_names=["brick", "grass", "gravel"], least_sure_first=True)
    viewer = node(wf, "petriflow.image_viewer", "Image Viewer", 1000, 260,
                  title_column="Logistic Regression")
    wf.add_link(imp.id, "Data", emb.id, "Images")
    wf.add_link(emb.id, "Embeddings", lr.id, "Data")
    wf.add_link(new.id, "Data", emb_new.id, "Images")
    wf.add_link(emb_new.id, "Embeddings", pred.id, "Data")
    wf.add_link(lr.id, "Model", pred.id, "Predictors")
    wf.add_link(pred.id, "Evaluation Results", cm.id, "Evaluation Results")
    wf.add_link(pred.id, "Predictions", ann.id, "Data")
    wf.add_link(lr.id, "Model", ann.id, "Model")
    wf.add_link(ann.id, "Unlabelled Data", viewer.id, "Data")
    wf.add_annotation(TextAnnotation(
        "", (860.0, 110.0, 280.0, 60.0),
        "The new images the model is least sure of come first: label them in "
        "Annotate Images, then train on them too.", "text/plain", {"size": 12}))
    wf.add_annotation(ArrowAnnotation("", (1000.0, 176.0), (1000.0, 222.0)))
    return wf


def exploration() -> Workflow:
    wf = Workflow(
        title="Image exploration",
        description="Embed images, lay them out on a grid with similar images side by "
                    "side, see the selected ones in UMAP and MDS and save them to a folder.",
    )
    # the grid and Save Images on the main row; UMAP above and MDS below take the
    # grid's rows and its selection (their Data Subset), so no link crosses a node
    imp = node(wf, "petriflow.import_images", "Import Images", 0, 220, folder=FOLDER)
    emb = node(wf, "petriflow.image_embedder", "Image Embedder", 200, 220)
    # six grass images selected, tied to these images (nodes/_selection.py): pointed at
    # another folder the grid drops the selection with a note
    images = bundled_images()
    names = [str(v) for v in images.column("image name")]
    picked = [i for i, name in enumerate(names) if name.startswith("grass")][:6]
    grid = node(wf, "petriflow.image_grid", "Image Grid", 400, 220, selected=picked,
                selection_context=rows_context(images, picked, HERE))
    save = node(wf, "petriflow.save_images", "Save Images", 650, 220)
    umap = node(wf, "petriflow.umap", "UMAP", 650, 40)
    mds = node(wf, "petriflow.mds", "MDS", 650, 400, thumbnails=True)
    wf.add_link(imp.id, "Data", emb.id, "Images")
    wf.add_link(emb.id, "Embeddings", grid.id, "Embeddings")
    wf.add_link(grid.id, "Selected Images", save.id, "Data")
    for plot in (umap, mds):  # the grid's Data is the embeddings (plus grid cells)
        wf.add_link(grid.id, "Data", plot.id, "Data")
        wf.add_link(grid.id, "Selected Images", plot.id, "Data Subset")
    wf.add_annotation(TextAnnotation(
        "", (760.0, 180.0, 260.0, 80.0),
        "Select images in the Image Grid: UMAP and MDS highlight them; choose a folder "
        "in Save Images to write them there, one subfolder per class.", "text/plain",
        {"size": 12}))
    return wf


def main() -> None:
    for name, build in (("image-clustering.ows", clustering),
                        ("image-classification.ows", classification),
                        ("image-prediction.ows", prediction),
                        ("image-exploration.ows", exploration)):
        save_workflow(build(), HERE / name, backup=False)  # no .bak among the examples
        print(HERE / name)


if __name__ == "__main__":
    main()
