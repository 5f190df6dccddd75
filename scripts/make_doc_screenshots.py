"""Screenshots made by the app itself: the two example canvases (for docs/canvas.md)
and the widget guides the examples do not cover (PCA, t-SNE, UMAP, Image Grid, kNN,
Save Data), for
which a workflow on the bundled textures is built with the API. Each comes from
``petriflow FILE --screenshot DIR``, which waits until propagation has finished.

    python scripts/make_doc_screenshots.py   # docs/images/canvas-<example>.png, view-<node>.png
    python scripts/make_doc_screenshots.py --predictions   # view-predictions.png only
    python scripts/make_doc_screenshots.py --canvas image-prediction   # that example's
        # canvas-<example>.png (and the pictures of its views made with it) only
    python scripts/make_doc_screenshots.py --annotate   # view-annotate-images.png only
    python scripts/make_doc_screenshots.py --projections   # view-pca/tsne/umap/mds/
        # scatter-plot/save-images/image-grid.png only
    python scripts/make_doc_screenshots.py --tsne-distances   # view-tsne-distances.png only
    python scripts/make_doc_screenshots.py --exploration   # canvas-image-exploration.png,
        # view-data-table.png, view-hierarchical-clustering-pruned.png only
    python scripts/make_doc_screenshots.py --data   # view-file/merge-data/select-columns/
        # select-rows.png, view-test-and-score.png (model comparison),
        # settings-{save-model,load-model,svm,naive-bayes,random-forest,
        # neural-network}.png, view-logistic-regression.png only
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from petriflow.core.ows import save_workflow
from petriflow.core.registry import default_registry
from petriflow.core.workflow import Workflow

ROOT = Path(__file__).resolve().parents[1]
TEXTURES = ROOT / "workflows" / "data" / "textures"
IMAGES = ROOT / "docs" / "images"
#: title in the workflow -> file in docs/images
WANTED = {"PCA": "view-pca.png", "t-SNE": "view-tsne.png", "kNN": "view-knn.png",
          "Save Data": "view-save-data.png", "UMAP": "view-umap.png",
          "Image Grid": "view-image-grid.png", "MDS": "view-mds.png",
          "Scatter Plot": "view-scatter-plot.png", "Save Images": "view-save-images.png"}
#: the plot views only (``--projections``)
PROJECTIONS = ("PCA", "t-SNE", "UMAP", "MDS", "Scatter Plot", "Save Images", "Image Grid")
#: example workflows whose canvas is shown in docs/canvas.md
CANVASES = ("image-clustering", "image-classification", "image-prediction",
            "image-exploration")
#: views of the clustering example shown in the widget guides: title -> file
CLUSTERING_VIEWS = {"Hierarchical Clustering": "view-hierarchical-clustering.png",
                    "Image Viewer": "view-image-viewer.png"}


def groups_selection(folder: Path, workflow_dir: Path) -> dict[str, object]:
    """PCA's ``selected`` and its context: two selection groups, the grass images (G1)
    and the gravel images (G2), as a user's Shift+Ctrl lassos make them."""
    from petriflow.core.node import CancelToken, NodeContext, Progress
    from petriflow.nodes._selection import rows_context
    from petriflow.nodes.import_images import ImportImages

    table = ImportImages(ImportImages.Settings(folder=str(folder)),
                         NodeContext(workflow_dir=workflow_dir)).run(
        {}, Progress(), CancelToken())["Data"]
    names = [str(v) for v in table.metas["image name"]]
    rows = [i for i, n in enumerate(names) if n.startswith(("grass", "gravel"))]
    groups = [1 if names[i].startswith("grass") else 2 for i in rows]
    return {"selected": rows,
            "selection_context": rows_context(table, rows, workflow_dir, groups)}


def build(folder: Path, out_csv: Path) -> Workflow:
    """The plot views on the textures; PCA with two selection groups, whose Selected
    Data Save Images writes (a subfolder per class, rescaled) beside the workflow."""
    reg = default_registry()
    wf = Workflow(title="Projections and kNN on the textures")

    def add(qualified_name: str, title: str, x: float, y: float, **settings):
        n = wf.add_node(reg.get(qualified_name), title=title, position=(x, y))
        if settings:
            wf.update_settings(n.id, **settings)
        return n.id

    imp = add("petriflow.import_images", "Import Images", 60, 150, folder=str(folder))
    emb = add("petriflow.image_embedder", "Image Embedder", 200, 150)
    pca = add("petriflow.pca", "PCA", 360, 40, shape_column="category",
              **groups_selection(folder, out_csv.parent))
    tsne = add("petriflow.tsne", "t-SNE", 360, 150)
    knn = add("petriflow.knn", "kNN", 360, 260, n_neighbors=1, metric="cosine")
    ts = add("petriflow.test_and_score", "Test and Score", 520, 220)
    save = add("petriflow.save_data", "Save Data", 520, 80, path=str(out_csv))
    umap = add("petriflow.umap", "UMAP", 360, 370, shape_column="category")
    mds = add("petriflow.mds", "MDS", 520, 480, thumbnails=True)
    grid = add("petriflow.image_grid", "Image Grid", 520, 370, title_column="category",
               thumbnail_size=56)
    wf.add_link(imp, "Data", emb, "Images")
    wf.add_link(emb, "Embeddings", grid, "Embeddings")
    for sink in (pca, tsne, ts, umap, mds):
        wf.add_link(emb, "Embeddings", sink, "Data")
    scatter = add("petriflow.scatter_plot", "Scatter Plot", 680, 40, attr_x="PC1",
                  attr_y="PC3", shape_column="category")
    (out_csv.parent / "selected images").mkdir(exist_ok=True)
    images = add("petriflow.save_images", "Save Images", 680, 150,
                 folder="selected images", size=128)
    wf.add_link(knn, "Learner", ts, "Learner")
    wf.add_link(pca, "Data", save, "Data")
    wf.add_link(pca, "Data", scatter, "Data")
    wf.add_link(pca, "Selected Data", images, "Data")
    return wf


def screenshot(workflow: Path, shots: Path) -> int:
    """``petriflow WORKFLOW --screenshot SHOTS`` offscreen; its exit status."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run([sys.executable, "-m", "petriflow", str(workflow),
                           "--screenshot", str(shots)], env=env).returncode


def canvases(names: tuple[str, ...] = CANVASES) -> int:
    """The example canvases after propagation, as a new user first sees them."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            shots = Path(tmp) / name
            code = screenshot(ROOT / "workflows" / f"{name}.ows", shots)
            if code != 0:
                return code
            target = IMAGES / f"canvas-{name}.png"
            shutil.copyfile(shots / "canvas.png", target)
            print(target)
            if name == "image-prediction":  # the least confident predictions first
                shutil.copyfile(shots / "Image Viewer.png",
                                IMAGES / "image-prediction-viewer.png")
                # the new images' confusion matrix (Predictions' Evaluation Results)
                shutil.copyfile(shots / "Confusion Matrix.png",
                                IMAGES / "image-prediction-confusion.png")
            if name == "image-clustering":
                for title, file in CLUSTERING_VIEWS.items():
                    shutil.copyfile(shots / f"{title}.png", IMAGES / file)
                    print(IMAGES / file)
    return 0


def predictions_workflow(folder: Path) -> Workflow:
    """SVM and Naive Bayes trained on the textures' embeddings and applied by Predictions.

    The bundled set is small, so the models predict the images they were trained on:
    the picture shows the view (thumbnails, predicted class, probabilities), not an
    accuracy (docs/widgets/predictions.md says so in its caption).
    """
    reg = default_registry()
    wf = Workflow(title="Predictions on the textures")
    ids = {}
    for name, title, x, y in (("petriflow.import_images", "Import Images", 60, 150),
                              ("petriflow.image_embedder", "Image Embedder", 200, 150),
                              ("petriflow.svm", "SVM", 360, 60),
                              ("petriflow.naive_bayes", "Naive Bayes", 360, 240),
                              ("petriflow.predictions", "Predictions", 520, 150)):
        ids[title] = wf.add_node(reg.get(name), title=title, position=(x, y)).id
    wf.update_settings(ids["Import Images"], folder=str(folder))
    wf.update_settings(ids["Predictions"], sort_column="SVM (gravel)", sort_descending=True)
    wf.add_link(ids["Import Images"], "Data", ids["Image Embedder"], "Images")
    for learner in ("SVM", "Naive Bayes"):
        wf.add_link(ids["Image Embedder"], "Embeddings", ids[learner], "Data")
        wf.add_link(ids[learner], "Model", ids["Predictions"], "Predictors")
    wf.add_link(ids["Image Embedder"], "Embeddings", ids["Predictions"], "Data")
    return wf


def predictions_view() -> int:
    """docs/images/view-predictions.png only (``--predictions``)."""
    with tempfile.TemporaryDirectory() as tmp:
        wf_path = Path(tmp) / "predictions.ows"
        save_workflow(predictions_workflow(TEXTURES), wf_path)
        code = screenshot(wf_path, Path(tmp) / "shots")
        if code == 0:
            shutil.copyfile(Path(tmp) / "shots" / "Predictions.png",
                            IMAGES / "view-predictions.png")
            print(IMAGES / "view-predictions.png")
    return code


def tsne_distances_view() -> int:
    """docs/images/view-tsne-distances.png only (``--tsne-distances``): t-SNE fed by
    Distances (cosine, of the textures' embeddings), its metric, PCA and normalise
    controls disabled because the matrix is laid out as given."""
    reg = default_registry()
    wf = Workflow(title="t-SNE of a distance matrix")
    ids = {}
    for title, name, x, settings in (
            ("Import Images", "petriflow.import_images", 60, {"folder": str(TEXTURES)}),
            ("Image Embedder", "petriflow.image_embedder", 200, {}),
            ("Distances", "petriflow.distances", 340, {"metric": "cosine"}),
            ("t-SNE", "petriflow.tsne", 480, {"shape_column": "category"})):
        ids[title] = wf.add_node(reg.get(name), title=title, position=(x, 150)).id
        if settings:
            wf.update_settings(ids[title], **settings)
    wf.add_link(ids["Import Images"], "Data", ids["Image Embedder"], "Images")
    wf.add_link(ids["Image Embedder"], "Embeddings", ids["Distances"], "Data")
    wf.add_link(ids["Distances"], "Distances", ids["t-SNE"], "Distances")
    with tempfile.TemporaryDirectory() as tmp:
        wf_path = Path(tmp) / "tsne-distances.ows"
        save_workflow(wf, wf_path)
        code = screenshot(wf_path, Path(tmp) / "shots")
        if code == 0:
            target = IMAGES / "view-tsne-distances.png"
            shutil.copyfile(Path(tmp) / "shots" / "t-SNE.png", target)
            print(target)
    return code


def annotate_workflow(folder: Path, workflow_dir: Path) -> Workflow:
    """The loop of docs/annotate-train-predict.md mid-way through a round: three
    classes, four images of each labelled, Logistic Regression's Learner trained on
    them by Annotate Images and ranking the rest least sure first; Test and Score
    checks the labelled images, Predictions applies the model to the rest."""
    from petriflow.core.node import CancelToken, NodeContext, Progress
    from petriflow.nodes._selection import row_keys
    from petriflow.nodes.import_images import ImportImages

    table = ImportImages(ImportImages.Settings(folder=str(folder)),
                         NodeContext(workflow_dir=workflow_dir)).run(
        {}, Progress(), CancelToken())["Data"]
    keys = row_keys(table, workflow_dir)
    names = [str(v) for v in table.metas["image name"]]
    labels = {keys[i]: names[i].split("-")[0] for i in range(len(names))
              if names[i].endswith(("-11", "-12", "-13", "-14"))}
    reg = default_registry()
    wf = Workflow(title="Annotate, train, predict, correct")
    ids = {}
    for name, title, x, y in (("petriflow.import_images", "Import Images", 0, 220),
                              ("petriflow.image_embedder", "Image Embedder", 200, 220),
                              ("petriflow.logistic_regression", "Logistic Regression",
                               200, 40),
                              ("petriflow.annotate_images", "Annotate Images", 400, 220),
                              ("petriflow.test_and_score", "Test and Score", 600, 40),
                              ("petriflow.predictions", "Predictions", 600, 220),
                              ("petriflow.image_viewer", "Image Viewer", 800, 220)):
        ids[title] = wf.add_node(reg.get(name), title=title, position=(x, y)).id
    wf.update_settings(ids["Import Images"], folder=str(folder))
    wf.update_settings(ids["Annotate Images"], class_names=["brick", "grass", "gravel"],
                       labels=labels, least_sure_first=True, thumbnail_size=88)
    wf.update_settings(ids["Test and Score"], n_folds=3)
    wf.update_settings(ids["Image Viewer"], title_column="Logistic Regression")
    link = wf.add_link
    link(ids["Import Images"], "Data", ids["Image Embedder"], "Images")
    link(ids["Image Embedder"], "Embeddings", ids["Annotate Images"], "Data")
    link(ids["Logistic Regression"], "Learner", ids["Annotate Images"], "Learner")
    link(ids["Logistic Regression"], "Learner", ids["Test and Score"], "Learner")
    link(ids["Annotate Images"], "Labelled Data", ids["Test and Score"], "Data")
    link(ids["Annotate Images"], "Model", ids["Predictions"], "Predictors")
    link(ids["Annotate Images"], "Unlabelled Data", ids["Predictions"], "Data")
    link(ids["Predictions"], "Predictions", ids["Image Viewer"], "Data")
    return wf


def annotate_view() -> int:
    """docs/images/view-annotate-images.png and the loop's canvas,
    docs/images/canvas-annotate-loop.png (``--annotate``)."""
    with tempfile.TemporaryDirectory() as tmp:
        wf_path = Path(tmp) / "annotate.ows"
        save_workflow(annotate_workflow(TEXTURES, Path(tmp)), wf_path)
        code = screenshot(wf_path, Path(tmp) / "shots")
        if code == 0:
            for shot, target in (("Annotate Images.png", "view-annotate-images.png"),
                                 ("canvas.png", "canvas-annotate-loop.png")):
                shutil.copyfile(Path(tmp) / "shots" / shot, IMAGES / target)
                print(IMAGES / target)
    return code


def tables_workflow(folder: Path) -> Workflow:
    """Data Table with thumbnails and five brick images as its Data Subset, and a
    dendrogram pruned to depth 4 with thumbnails at its leaves (the widget guides of
    Data Table and Hierarchical Clustering)."""
    reg = default_registry()
    wf = Workflow(title="Data Table and dendrogram on the textures")
    ids = {}
    for qualified_name, title, x, y, settings in (
            ("petriflow.import_images", "Import Images", 60, 150, {"folder": str(folder)}),
            ("petriflow.image_embedder", "Image Embedder", 220, 150, {}),
            ("petriflow.select_rows", "Select Rows", 380, 40,
             # every third brick image: subset rows between plain ones on screen
             {"conditions": [{"column": "image name", "op": "in",
                              "value": [f"brick-{i:02d}" for i in range(1, 16, 3)]}]}),
            ("petriflow.data_table", "Data Table", 540, 40, {}),
            ("petriflow.distances", "Distances", 380, 220, {"metric": "cosine"}),
            ("petriflow.hierarchical_clustering", "Hierarchical Clustering", 540, 220,
             {"max_depth": 4, "selection_mode": "top_n", "top_n": 2,
              "leaf_thumbnails": True})):
        n = wf.add_node(reg.get(qualified_name), title=title, position=(x, y))
        if settings:
            wf.update_settings(n.id, **settings)
        ids[title] = n.id
    for src, out, dst, inp in (("Import Images", "Data", "Image Embedder", "Images"),
                               ("Import Images", "Data", "Select Rows", "Data"),
                               ("Import Images", "Data", "Data Table", "Data"),
                               ("Select Rows", "Matching Data", "Data Table", "Data Subset"),
                               ("Image Embedder", "Embeddings", "Distances", "Data"),
                               ("Distances", "Distances", "Hierarchical Clustering",
                                "Distances")):
        wf.add_link(ids[src], out, ids[dst], inp)
    return wf


def exploration() -> int:
    """The image-exploration example's canvas, and the Data Table and pruned dendrogram
    views (``--exploration``)."""
    with tempfile.TemporaryDirectory() as tmp:
        shots = Path(tmp) / "canvas"
        code = screenshot(ROOT / "workflows" / "image-exploration.ows", shots)
        if code != 0:
            return code
        shutil.copyfile(shots / "canvas.png", IMAGES / "canvas-image-exploration.png")
        print(IMAGES / "canvas-image-exploration.png")
        wf_path = Path(tmp) / "tables.ows"
        save_workflow(tables_workflow(TEXTURES), wf_path)
        code = screenshot(wf_path, Path(tmp) / "views")
        if code == 0:
            for shot, target in (("Data Table.png", "view-data-table.png"),
                                 ("Hierarchical Clustering.png",
                                  "view-hierarchical-clustering-pruned.png")):
                shutil.copyfile(Path(tmp) / "views" / shot, IMAGES / target)
                print(IMAGES / target)
    return code


#: the data widgets' workflow: title in the workflow -> file in docs/images
DATA_VIEWS = {"File": "view-file.png", "Merge Data": "view-merge-data.png",
              "Select Rows": "view-select-rows.png",
              "Select Columns": "view-select-columns.png",
              "Test and Score": "view-test-and-score.png",
              "Save Model": "settings-save-model.png", "SVM": "settings-svm.png",
              "Naive Bayes": "settings-naive-bayes.png",
              "Logistic Regression": "view-logistic-regression.png"}
#: the second run (a saved model loaded, two more learners' forms): title -> file
LOAD_VIEWS = {"Load Model": "settings-load-model.png",
              "Random Forest": "settings-random-forest.png",
              "Neural Network": "settings-neural-network.png"}


def write_metadata_csv(folder: Path, path: Path) -> None:
    """A metadata table for the textures, as a study keeps one beside its images: the
    microscope, magnification and batch of each image, keyed by image name; one image
    listed twice (Merge Data says how it resolved the duplicate)."""
    names = sorted(p.stem for p in folder.rglob("*.jpg"))
    lines = ["image name,microscope,magnification,batch"]
    for i, name in enumerate(names):
        lines.append(f"{name},{'ABC'[i % 3]},{(10, 20, 40, 40)[i % 4]},{1 + i // 16}")
    lines.append(f"{names[0]},A,20,9")  # the duplicate key
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def data_widgets_workflow(folder: Path, workflow_dir: Path) -> Workflow:
    """Images joined with their metadata before embedding (File, Merge Data, Select Rows,
    Select Columns), then three learners scored and compared by Test and Score; SVM's
    model saved by Save Model to a file inside the workflow's folder."""
    write_metadata_csv(folder, workflow_dir / "metadata.csv")
    reg = default_registry()
    wf = Workflow(title="Images with a metadata table")
    ids = {}
    for name, title, x, y, settings in (
            ("petriflow.import_images", "Import Images", 0, 60, {"folder": str(folder)}),
            ("petriflow.file", "File", 0, 220, {"path": "metadata.csv",
                                                "metas": ["batch"]}),
            ("petriflow.merge_data", "Merge Data", 160, 140,
             {"data_key": "image name", "extra_key": "image name", "how": "left"}),
            ("petriflow.select_rows", "Select Rows", 320, 140, {"conditions": [
                {"column": "microscope", "op": "in", "value": ["A", "B"]},
                {"column": "magnification", "op": ">=", "value": "20"}]}),
            ("petriflow.select_columns", "Select Columns", 480, 140,
             {"roles": {"magnification": "meta", "batch": "skip"}}),
            ("petriflow.image_embedder", "Image Embedder", 640, 140, {}),
            ("petriflow.logistic_regression", "Logistic Regression", 640, 0, {}),
            ("petriflow.svm", "SVM", 640, 300, {}),
            ("petriflow.naive_bayes", "Naive Bayes", 800, 0, {}),
            ("petriflow.test_and_score", "Test and Score", 800, 140,
             {"comparison_score": "LogLoss", "use_rope": True, "rope": 0.05}),
            ("petriflow.save_model", "Save Model", 800, 300,
             {"path": "models/svm.skops"})):
        n = wf.add_node(reg.get(name), title=title, position=(x, y))
        if settings:
            wf.update_settings(n.id, **settings)
        ids[title] = n.id
    for src, out, dst, inp in (("Import Images", "Data", "Merge Data", "Data"),
                               ("File", "Data", "Merge Data", "Extra Data"),
                               ("Merge Data", "Data", "Select Rows", "Data"),
                               ("Select Rows", "Matching Data", "Select Columns", "Data"),
                               ("Select Columns", "Data", "Image Embedder", "Images"),
                               ("Image Embedder", "Embeddings", "Test and Score", "Data"),
                               ("Image Embedder", "Embeddings", "SVM", "Data"),
                               ("SVM", "Model", "Save Model", "Model")):
        wf.add_link(ids[src], out, ids[dst], inp)
    for learner in ("Logistic Regression", "SVM", "Naive Bayes"):
        wf.add_link(ids[learner], "Learner", ids["Test and Score"], "Learner")
    return wf


def load_model_workflow() -> Workflow:
    """Load Model reading the file Save Model wrote in the first run, and the settings
    forms of the two learners the first run does not use."""
    reg = default_registry()
    wf = Workflow(title="Load a saved model")
    n = wf.add_node(reg.get("petriflow.load_model"), title="Load Model", position=(0, 0))
    wf.update_settings(n.id, path="models/svm.skops")
    wf.add_node(reg.get("petriflow.random_forest"), title="Random Forest", position=(0, 150))
    wf.add_node(reg.get("petriflow.neural_network"), title="Neural Network",
                position=(0, 300))
    return wf


def data_widgets() -> int:
    """The data widgets' views, Test and Score with its model comparison, and the
    settings forms of Save Model and Load Model (``--data``)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "models").mkdir()
        wf_path = folder / "data-widgets.ows"
        save_workflow(data_widgets_workflow(TEXTURES, folder), wf_path)
        code = screenshot(wf_path, folder / "shots")
        if code != 0:
            return code
        for title, target in DATA_VIEWS.items():
            shutil.copyfile(folder / "shots" / f"{title}.png", IMAGES / target)
            print(IMAGES / target)
        load_path = folder / "load-model.ows"
        save_workflow(load_model_workflow(), load_path)
        code = screenshot(load_path, folder / "load")
        if code == 0:
            for title, target in LOAD_VIEWS.items():
                shutil.copyfile(folder / "load" / f"{title}.png", IMAGES / target)
                print(IMAGES / target)
    return code


def main() -> int:
    if "--data" in sys.argv[1:]:
        return data_widgets()
    if "--exploration" in sys.argv[1:]:
        return exploration()
    if "--predictions" in sys.argv[1:]:
        return predictions_view()
    if "--tsne-distances" in sys.argv[1:]:
        return tsne_distances_view()
    if "--annotate" in sys.argv[1:]:
        return annotate_view()
    if "--canvas" in sys.argv[1:]:  # one example's pictures, the others untouched
        return canvases((sys.argv[sys.argv.index("--canvas") + 1],))
    only = PROJECTIONS if "--projections" in sys.argv[1:] else None
    code = canvases() if only is None else 0
    if code != 0:
        return code
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        wf_path = tmp_path / "screens.ows"
        save_workflow(build(TEXTURES, tmp_path / "pca.csv"), wf_path)
        shots = tmp_path / "shots"
        code = screenshot(wf_path, shots)
        if code != 0:
            return code
        for title, name in WANTED.items():
            if only is not None and title not in only:
                continue
            src = shots / f"{title}.png"
            if not src.is_file():
                print(f"no screenshot of {title}: {sorted(p.name for p in shots.iterdir())}")
                return 1
            shutil.copyfile(src, IMAGES / name)
            print(IMAGES / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
