"""Orange's numbers for benchmarks/accuracy.py; run by an Orange venv's python, not ours.

It imports Orange (never Petriflow) and does, per labelled folder (one subfolder per
class), what Orange's scripting API does for the same protocol:

* ``orangecontrib.imageanalytics.import_images.ImportImages`` reads the folder;
* ``ImageEmbedder(model="squeezenet")`` embeds locally (no server), with Orange's
  embedding cache redirected to a fresh temporary folder, so the time is a cold run;
* ``Orange.classification.LogisticRegressionLearner()`` with its defaults, tested with
  ``Orange.evaluation.CrossValidation(k=5, stratified=True, random_state=0)``;
* CA for seeds 0..N-1 too (``--seeds``): on 37 images one image is 2.7 points of CA;
* CA, AUC and F1 as Test and Score shows them with "(None, show average over classes)":
  the widget calls every binary scorer with ``average="weighted"`` (see
  ``Orange.widgets.evaluate.utils.scorer_caller``); "F1_macro" uses ``average="macro"``;
* ``Orange.distance.Cosine`` → ``dist_matrix_linkage(..., "ward")`` → ``top_clusters``
  (what Hierarchical Clustering's "Top N" selects) with N = number of classes →
  adjusted Rand index (scikit-learn, which Orange depends on).

A scratch venv outside the repository (Orange is never a Petriflow dependency):

    python3 -m venv /tmp/orange-venv
    /tmp/orange-venv/bin/pip install orange3 orange3-imageanalytics PyQt6
    QT_QPA_PLATFORM=offscreen /tmp/orange-venv/bin/python \\
        benchmarks/orange_accuracy_baseline.py [--json OUT] FOLDER...

Prints (or writes to OUT) JSON: versions and, per folder name, n, class values, scores,
ARI and the embedding wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def measure(folder: Path, seeds: int, dump: Path | None) -> dict:
    import numpy as np
    import Orange
    from Orange.clustering.hierarchical import (
        dist_matrix_linkage,
        leaves,
        top_clusters,
        tree_from_linkage,
    )
    from Orange.preprocess import Remove
    from orangecontrib.imageanalytics.image_embedder import ImageEmbedder
    from orangecontrib.imageanalytics.import_images import ImportImages
    from sklearn.metrics import adjusted_rand_score

    images, n_skipped = ImportImages()(str(folder))
    # Two adjustments so that both programs see the same table (an Orange user gets the
    # raw one): Import Images makes the folder's own files (README.txt) a category "."
    # with no rows -- drop unused class values; it lists files in os.walk order -- sort
    # rows by relative path as Petriflow does, so that seeded folds are the same rows.
    images = Remove(class_flags=Remove.RemoveUnusedValues)(images)
    paths = [str(p) for p in images.get_column("image")]
    images = images[sorted(range(len(paths)), key=lambda i: tuple(paths[i].split("/")))]
    t = time.perf_counter()
    with ImageEmbedder(model="squeezenet") as embedder:
        data, _, n_failed = embedder(images, col="image")
    embed_s = time.perf_counter() - t
    if n_failed:
        raise SystemExit(f"{folder}: Orange skipped {n_failed} images")
    class_values = list(data.domain.class_var.values)

    def cross_validate(seed: int):
        cv = Orange.evaluation.CrossValidation(k=5, stratified=True, random_state=seed)
        res = cv(data, [Orange.classification.LogisticRegressionLearner()])
        if cv.warnings:
            print(f"{folder.name}: {cv.warnings}", file=sys.stderr)
        return res

    results = cross_validate(0)
    weighted = {"average": "weighted"}  # what Test and Score passes for the average
    scores = {
        "CA": float(Orange.evaluation.CA(results)[0]),
        "AUC": float(Orange.evaluation.AUC(results, **weighted)[0]),
        "F1": float(Orange.evaluation.F1(results, **weighted)[0]),
        "F1_macro": float(Orange.evaluation.F1(results, average="macro")[0]),
        "CA_by_seed": [float(Orange.evaluation.CA(cross_validate(s))[0]) for s in range(seeds)],
    }
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)
        np.save(dump / f"{folder.name}.X.npy", data.X)
        (dump / f"{folder.name}.paths.json").write_text(
            json.dumps([str(p) for p in data.get_column("image")]))

    k = len(class_values)
    dist = Orange.distance.Cosine(data)
    root = tree_from_linkage(dist_matrix_linkage(dist, linkage="ward"))
    labels = np.full(len(data), -1)
    for c, node in enumerate(top_clusters(root, k)):
        labels[[leaf.value.index for leaf in leaves(node)]] = c
    ari = float(adjusted_rand_score(data.Y.astype(int), labels))

    return {
        "n": len(data),
        "classes": k,
        "class_values": class_values,
        "n_features": len(data.domain.attributes),
        **scores,
        "ARI": ari,
        "embed_s": embed_s,
        "import_skipped": int(n_skipped),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description="Orange's scores for benchmarks/accuracy.py")
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--json", type=Path, help="write the JSON here instead of stdout")
    ap.add_argument("--seeds", type=int, default=10, help="CA is also given for seeds 0..N-1")
    ap.add_argument("--dump", type=Path, help="save the embeddings here (.npy) to compare")
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as cache:
        # Orange's embedder cache lives under XDG_CACHE_HOME: a fresh one = cold runs
        os.environ["XDG_CACHE_HOME"] = cache
        from importlib.metadata import version

        out = {
            "orange": version("Orange3"),
            "imageanalytics": version("Orange3-ImageAnalytics"),
            "sklearn": version("scikit-learn"),
            "sets": {f.name: measure(f.resolve(), args.seeds, args.dump) for f in args.folders},
        }
    text = json.dumps(out, indent=2)
    if args.json:
        args.json.write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
