"""Classification and clustering quality (issue 4): Petriflow next to Orange, one run.

On each labelled set in ``../shared/data`` (one subfolder per class): Import Images →
Image Embedder (SqueezeNet, local) → Test and Score with Logistic Regression (defaults:
L2, C=1), 5-fold stratified cross-validation, seed 0 → CA, AUC, F1; and Distances
(cosine) → Hierarchical Clustering (Ward) cut at k = number of classes → adjusted Rand
index of the clusters against the classes. Everything goes through the real nodes, run
directly with ``Node(settings).run(...)``.

Scores, as Orange's Test and Score shows them with the default target "(Average over
classes)": CA; AUC = one-vs-rest AUC averaged over classes weighted by class size (plain
AUC for two classes); F1 = per-class F1 averaged weighted by class size (sklearn's
``average="weighted"``, also for two classes). "F1m" is the unweighted (macro) mean,
printed as extra information only.

The embedding cache cannot change results: the embedder runs with the cache off (that
run is the one timed and scored) and again through a fresh temporary cache, twice (fill,
then read); the benchmark fails if the vectors differ by one bit.

The Orange baseline (Orange 3.40 + Orange3-ImageAnalytics, in a scratch venv, never a
dependency of Petriflow) runs in a subprocess in the same run when its interpreter is
given; see ``benchmarks/orange_accuracy_baseline.py`` for how to create that venv.

    python benchmarks/accuracy.py [--orange-python /tmp/orange-venv/bin/python]
                                  [--data DIR] [--sets a,b] [--json OUT]

``ORANGE_PYTHON`` in the environment does the same as ``--orange-python``. Target: no
set more than 2 points of CA below Orange. Exit status 1 when a set misses the target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
SETS = ("bone-healing", "dicty-development", "yeast-yplp")
TARGET_POINTS = 2.0


def _run(node: Any, inputs: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    from petriflow.core.node import CancelToken, Progress

    progress = Progress()
    out = node.run(inputs, progress, CancelToken())
    return out, progress.warnings


def embed(images: Any, use_cache: bool) -> tuple[Any, float]:
    from petriflow.nodes.image_embedder import ImageEmbedder, ImageEmbedderSettings

    node = ImageEmbedder(ImageEmbedderSettings(model="squeezenet", use_cache=use_cache))
    t = time.perf_counter()
    out, warnings = _run(node, {"Images": images})
    elapsed = time.perf_counter() - t
    if out["Skipped Images"] is not None:
        raise SystemExit(f"images were skipped: {warnings}")
    return out["Embeddings"], elapsed


def pair_weighted_auc(actual: np.ndarray, proba: np.ndarray) -> float:
    """Orange's multi-class AUC: one-vs-rest AUCs weighted by c·(N−c) (positive-negative
    pairs of each class), where Petriflow's Test and Score weights them by c."""
    from sklearn.metrics import roc_auc_score

    if proba.shape[1] == 2:
        return float(roc_auc_score(actual, proba[:, 1]))
    n = len(actual)
    classes = np.unique(actual)
    w = np.array([(actual == c).sum() * (n - (actual == c).sum()) for c in classes], float)
    aucs = [roc_auc_score(actual == c, proba[:, c]) for c in classes]
    return float(np.dot(w / w.sum(), aucs))


def score(data: Any, seeds: int) -> dict[str, Any]:
    """Test and Score (LR defaults, 5-fold stratified) and Ward clusters of one table."""
    from sklearn.metrics import adjusted_rand_score, f1_score

    from petriflow.nodes.distances import Distances
    from petriflow.nodes.hierarchical_clustering import HierarchicalClustering
    from petriflow.nodes.logistic_regression import LogisticRegression
    from petriflow.nodes.test_and_score import TestAndScore

    learner = _run(LogisticRegression(), {})[0]["Learner"]

    def cross_validate(seed: int) -> Any:
        node = TestAndScore(TestAndScore.Settings(n_folds=5, stratified=True, random_seed=seed))
        return _run(node, {"Data": data, "Learner": [learner]})[0]["Evaluation Results"]

    results = cross_validate(0)
    by_seed = [cross_validate(s).scores[learner.name]["CA"] for s in range(seeds)]
    scores = results.scores[results.learner_names[0]]
    f1_macro = f1_score(results.actual, results.predicted[0], average="macro")
    auc_pairs = pair_weighted_auc(results.actual, results.probabilities[0])

    k = len(data.class_values)
    dist = _run(Distances(Distances.Settings(metric="cosine")), {"Data": data})[0]["Distances"]
    hc = HierarchicalClustering(
        HierarchicalClustering.Settings(linkage="ward", selection_mode="top_n", top_n=k)
    )
    annotated = _run(hc, {"Distances": dist})[0]["Data"]
    clusters = np.asarray(annotated.metas["Cluster"]).astype(str)
    assert annotated.y is not None
    return {
        "n": len(data),
        "classes": k,
        "class_values": list(data.class_values),
        "n_features": data.n_features,
        "CA": scores["CA"],
        "AUC": scores["AUC"],
        "F1": scores["F1"],
        "F1_macro": float(f1_macro),
        "AUC_pair_weighted": auc_pairs,
        "CA_by_seed": by_seed,
        "ARI": float(adjusted_rand_score(annotated.y, clusters)),
        "n_clusters": len(set(clusters)),
    }


def as_trained_input(images: Any) -> Any:
    """The images embedded with ``squeezenet-bgr``: the channel order the network was
    trained with (BGR), JPEGs decoded at reduced scale, bilinear resize -- the
    alternative to the default (Orange 3.40's input: RGB order, Lanczos, full decode)."""
    from petriflow.analysis.embedding import embed_paths

    paths = [str(Path(p).resolve()) for p in images.metas[images.image_column]]
    result = embed_paths(paths, "squeezenet-bgr", cache=False)
    if len(result.ok_indices) != len(images):
        raise SystemExit("images were skipped in the squeezenet-bgr run")
    return images.with_features(result.vectors, result.feature_names)


def ours(folder: Path, seeds: int, diagnose: bool) -> dict[str, Any]:
    """Petriflow's pipeline on one class-per-subfolder set."""
    from petriflow.nodes.import_images import ImportImages

    images = _run(ImportImages(ImportImages.Settings(folder=str(folder))), {})[0]["Data"]

    # the cache must not change anything: cache off (timed), then a fresh cache twice
    data, seconds = embed(images, use_cache=False)
    old = os.environ.get("PETRIFLOW_CACHE_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PETRIFLOW_CACHE_DIR"] = tmp
        try:
            filled, _ = embed(images, use_cache=True)
            cached, _ = embed(images, use_cache=True)
        finally:
            if old is None:
                del os.environ["PETRIFLOW_CACHE_DIR"]
            else:
                os.environ["PETRIFLOW_CACHE_DIR"] = old
    same = all(
        np.array_equal(data.X, t.X) and np.array_equal(data.row_ids, t.row_ids)
        for t in (filled, cached)
    )
    if not same:
        raise SystemExit(f"{folder.name}: embeddings differ with and without the cache")
    out = score(data, seeds)
    out.update(embed_s=seconds, cache_identical=same)
    if diagnose:
        out["bgr_input"] = score(as_trained_input(images), seeds)
    return out


def orange(python: str, sets: list[tuple[str, Path]], seeds: int) -> dict[str, Any]:
    """Run the Orange baseline script with the Orange venv's interpreter."""
    script = HERE / "orange_accuracy_baseline.py"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONPATH", None)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "orange.json"
        cmd = [python, "-W", "ignore", str(script), "--json", str(out), "--seeds", str(seeds)]
        cmd += [str(p) for _, p in sets]
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
            raise SystemExit(f"the Orange baseline failed (exit {proc.returncode})")
        return json.loads(out.read_text())


def _fmt(v: Any, spec: str = ".3f") -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and not np.isfinite(v):
        return "nan"
    return format(v, spec)


def _mean(r: dict[str, Any]) -> float | None:
    return float(np.mean(r["CA_by_seed"])) if r["CA_by_seed"] else None


def table(rows: list[tuple[str, dict[str, Any], dict[str, Any] | None]]) -> tuple[str, bool]:
    head = ["set", "n", "classes", "CA", "CA 10 seeds", "AUC", "F1", "ARI", "embed s",
            "Orange CA", "CA 10 seeds", "AUC", "F1", "ARI", "embed s", "ΔCA pts",
            "ΔCA 10 seeds", "target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    ok = True
    for name, o, r in rows:
        cells = [name, str(o["n"]), str(o["classes"]), _fmt(o["CA"]), _fmt(_mean(o)),
                 _fmt(o["AUC"]), _fmt(o["F1"]), _fmt(o["ARI"]), _fmt(o["embed_s"], ".1f")]
        if r is None:
            cells += ["—"] * 8 + ["no baseline"]
        else:
            delta = 100.0 * (o["CA"] - r["CA"])
            passed = delta >= -TARGET_POINTS
            ok &= passed
            d_mean = (f"{100.0 * (_mean(o) - _mean(r)):+.1f}"
                      if o["CA_by_seed"] and r["CA_by_seed"] else "—")
            cells += [_fmt(r["CA"]), _fmt(_mean(r)), _fmt(r["AUC"]), _fmt(r["F1"]),
                      _fmt(r["ARI"]), _fmt(r["embed_s"], ".1f"), f"{delta:+.1f}", d_mean,
                      "PASS" if passed else "FAIL"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=SHARED, help="folder holding the sets")
    ap.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    ap.add_argument("--orange-python", default=os.environ.get("ORANGE_PYTHON", ""),
                    help="python of a venv with orange3 + orange3-imageanalytics")
    ap.add_argument("--seeds", type=int, default=10,
                    help="also CA averaged over CV seeds 0..N-1 (one image is 2.7 points "
                    "of CA on bone-healing: seed 0 alone is noisy)")
    ap.add_argument("--no-diagnosis", action="store_true",
                    help="skip the second table (model squeezenet-bgr)")
    ap.add_argument("--json", type=Path, help="also write all numbers here")
    args = ap.parse_args(argv)

    import petriflow

    present: list[tuple[str, Path]] = []
    for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        folder = args.data / name
        if folder.is_dir():
            present.append((name, folder))
        else:
            print(f"skipped {name}: {folder} is absent")
    if not present:
        print("no labelled set found; nothing to measure")
        return 0

    results: dict[str, dict[str, Any]] = {}
    for name, folder in present:
        print(f"petriflow: {name} …", flush=True)
        results[name] = ours(folder, args.seeds, not args.no_diagnosis)
    baseline: dict[str, Any] = {}
    if args.orange_python:
        print("orange: running the baseline …", flush=True)
        baseline = orange(args.orange_python, present, args.seeds)
        for name, _ in present:
            o, r = results[name], baseline["sets"].get(name)
            if r is not None and (r["n"] != o["n"] or r["class_values"] != o["class_values"]):
                raise SystemExit(f"{name}: Orange read different data ({r['n']} rows, "
                                 f"classes {r['class_values']})")
    else:
        print("no --orange-python / ORANGE_PYTHON: Petriflow's numbers only")

    text, ok = table([(n, results[n], baseline.get("sets", {}).get(n)) for n, _ in present])
    print()
    print(f"petriflow {petriflow.__version__}, python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs; embedding cache: results identical "
          "with and without it")
    if baseline:
        print(f"Orange {baseline['orange']}, Orange3-ImageAnalytics "
              f"{baseline['imageanalytics']}, scikit-learn {baseline['sklearn']}")
    print("LR defaults (L2, C=1), 5-fold stratified CV, seed 0 (\"CA 10 seeds\": mean CA over "
          f"seeds 0..{args.seeds - 1}); F1 = class-size-weighted mean over classes (what "
          "Orange's Test and Score shows); ARI of Ward on cosine distances cut at k = number "
          "of classes; embed s = SqueezeNet wall time, decode included, no cache")
    print(text)
    print(f"target (seed-0 CA no more than {TARGET_POINTS:g} points below Orange): "
          + ("PASS" if ok and baseline else "FAIL" if baseline else "not checked"))
    multi = [n for n, _ in present if results[n]["classes"] > 2]
    if multi:
        print("AUC with more than two classes: Petriflow weights one-vs-rest AUCs by class "
              "size c, Orange by c·(N−c); ours with Orange's weights: " + ", ".join(
                  f"{n} {results[n]['AUC_pair_weighted']:.3f}" for n in multi))
    diag = [(n, results[n]["bgr_input"], baseline.get("sets", {}).get(n))
            for n, _ in present if "bgr_input" in results[n]]
    if diag:
        for _, d, _ in diag:
            d["embed_s"] = None
        print()
        print("Model squeezenet-bgr: the same Petriflow nodes on embeddings made from the "
              "input the network was trained with (BGR channel order; JPEG draft decode, "
              "bilinear resize):")
        print(table(diag)[0])
    if args.json:
        args.json.write_text(json.dumps({"petriflow": results, "orange": baseline}, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
