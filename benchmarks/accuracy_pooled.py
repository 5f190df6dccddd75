"""Issue 15.4: pooled intermediate SqueezeNet layers against Orange 3.40, one table.

Per labelled set (one subfolder per class: the three in ``../shared/data``, the bundled
``workflows/data/textures`` and any ``--extra`` folders, e.g. the handwritten digits that
``benchmarks/make_digits_set.py`` renders from scikit-learn's copy): Import Images →
Image Embedder → Test and Score with the classification example's first learner,
Logistic Regression (defaults: L2, C=1), 5-fold stratified CV → CA at seed 0 and
averaged over seeds 0..N-1. Columns: Orange 3.40's own SqueezeNet + its default Logistic
Regression (``benchmarks/orange_accuracy_baseline.py`` in the Orange venv, same rows,
same folds), Petriflow's ``squeezenet`` (Orange's vectors), the shipped
``squeezenet-pooled`` and candidate layer choices, registered here only.

Selection on the same data is optimistic, so the run also prints a leave-one-set-out
check: for each set, the variant with the best mean CA over the *other* sets, and its CA
on the held-out set; the mean of those is what choosing by this benchmark is worth on a
set it has not seen.

    python benchmarks/accuracy_pooled.py [--orange-python /tmp/orange-venv/bin/python |
                                          --orange-json SAVED] [--seeds 10] [--json OUT]
                                         [--extra FOLDER ...]

Embeddings go through the normal cache (``PETRIFLOW_CACHE_DIR``), so re-runs are cheap.
Target: mean CA (over seeds) at least 3 points above Orange, no set more than 3 below.
Exit status 1 when the shipped variant misses it.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from accuracy import SETS, SHARED, _run, orange  # noqa: E402

TEXTURES = HERE.parent / "workflows" / "data" / "textures"
SHIPPED = "squeezenet-pooled"
#: candidate layer choices besides the shipped one (fires pooled with conv10)
CANDIDATES: tuple[tuple[str, ...], ...] = (
    ("fire3", "fire4", "fire5", "fire6", "fire7"),
    ("fire4", "fire5", "fire6", "fire7", "fire8", "fire9"),
    ("fire2", "fire3", "fire4", "fire5", "fire6", "fire7", "fire8", "fire9"),
)
MEAN_TARGET, WORST_TARGET = 3.0, -3.0


def register_candidates() -> list[str]:
    """Register each candidate layer choice under its own id; return the model ids."""
    from petriflow.analysis.embedding import get_embedder
    from petriflow.analysis.embedding.backbones.builders import (
        squeezenet_pooled_builder,
        squeezenet_pooled_dim,
    )
    from petriflow.analysis.embedding.backbones.registry import POOLED_FIRES, register_embedder

    shipped = get_embedder(SHIPPED)
    ids = ["squeezenet", SHIPPED]
    for fires in CANDIDATES:
        if fires == POOLED_FIRES:
            continue
        model_id = "squeezenet-pooled-" + "-".join(fires)
        register_embedder(dataclasses.replace(
            shipped, id=model_id, dim=squeezenet_pooled_dim(fires),
            build=squeezenet_pooled_builder(fires)))
        ids.append(model_id)
    return ids


def label(model_id: str) -> str:
    """A column title naming the pooled layers."""
    from petriflow.analysis.embedding.backbones.registry import POOLED_FIRES

    if model_id == "squeezenet":
        return "squeezenet (conv10)"
    fires = POOLED_FIRES if model_id == SHIPPED else model_id.split("-")[2:]
    name = "+".join([*fires, "conv10"])
    return f"{name} (shipped)" if model_id == SHIPPED else name


def scores(folder: Path, models: list[str], seeds: int) -> dict[str, Any]:
    """CA of LR per model on one set (seed 0 and the mean over seeds)."""
    from petriflow.nodes.image_embedder import ImageEmbedder, ImageEmbedderSettings
    from petriflow.nodes.import_images import ImportImages
    from petriflow.nodes.logistic_regression import LogisticRegression
    from petriflow.nodes.test_and_score import TestAndScore

    images = _run(ImportImages(ImportImages.Settings(folder=str(folder))), {})[0]["Data"]
    learner = _run(LogisticRegression(), {})[0]["Learner"]
    out: dict[str, Any] = {"n": len(images), "class_values": list(images.class_values),
                           "models": {}}
    for model in models:
        node = ImageEmbedder(ImageEmbedderSettings(model=model, use_cache=True))
        emb, warnings = _run(node, {"Images": images})
        if emb["Skipped Images"] is not None:
            raise SystemExit(f"{folder.name}: images skipped by {model}: {warnings}")
        data = emb["Embeddings"]
        by_seed = []
        for seed in range(seeds):
            ts = TestAndScore(TestAndScore.Settings(n_folds=5, stratified=True,
                                                    random_seed=seed))
            res = _run(ts, {"Data": data, "Learner": [learner]})[0]["Evaluation Results"]
            by_seed.append(float(res.scores[learner.name]["CA"]))
        out["models"][model] = {"CA": by_seed[0], "CA_by_seed": by_seed,
                                "dim": data.n_features}
        print(f"  {model}: {np.mean(by_seed):.3f}", flush=True)
    return out


def held_out(results: dict[str, Any], models: list[str]) -> list[tuple[str, str, float]]:
    """Leave one set out: the pooled variant best on the others, scored on the one."""
    rows = []
    pooled = [m for m in models if m != "squeezenet"]
    for name in results:
        others = [n for n in results if n != name]

        def mean_others(m: str, others: list[str] = others) -> float:
            return float(np.mean([np.mean(results[n]["models"][m]["CA_by_seed"])
                                  for n in others]))

        best = max(pooled, key=mean_others)
        rows.append((name, best, float(np.mean(results[name]["models"][best]["CA_by_seed"]))))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=SHARED)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--orange-python", default=os.environ.get("ORANGE_PYTHON", ""))
    ap.add_argument("--orange-json", type=Path,
                    help="Orange's numbers saved earlier (this script's --json OUT, or "
                    "orange_accuracy_baseline.py --json OUT --seeds N on the same sets)")
    ap.add_argument("--json", type=Path, help="write all numbers here")
    ap.add_argument("--extra", type=Path, action="append", default=[], metavar="FOLDER",
                    help="another labelled set (one subfolder per class), named by its "
                    "folder; repeatable")
    ap.add_argument("--sets", default="", help="comma-separated set names to score "
                    "(default: all; e.g. digits,textures)")
    ap.add_argument("--models", default="", help="comma-separated model ids to score "
                    "(default: squeezenet, the shipped one and every candidate; the "
                    "leave-one-set-out check needs two pooled ones or more)")
    args = ap.parse_args(argv)

    sets = [(n, args.data / n) for n in SETS] + [("textures", TEXTURES)]
    for folder in args.extra:
        if not folder.is_dir():
            raise SystemExit(f"--extra {folder}: not a folder")
        sets.append((folder.name, folder))
    sets = [(n, f) for n, f in sets if f.is_dir()]
    if args.sets:
        wanted = [n.strip() for n in args.sets.split(",") if n.strip()]
        unknown = set(wanted) - {n for n, _ in sets}
        if unknown:
            raise SystemExit(f"--sets: no such set {sorted(unknown)}")
        sets = [(n, f) for n, f in sets if n in wanted]
    models = register_candidates()
    if args.models:
        chosen = [m.strip() for m in args.models.split(",") if m.strip()]
        if set(chosen) - set(models) or SHIPPED not in chosen:
            raise SystemExit(f"--models: choose among {models}, with {SHIPPED}")
        models = [m for m in models if m in chosen]
    results: dict[str, Any] = {}
    for name, folder in sets:
        print(f"{name} …", flush=True)
        results[name] = scores(folder, models, args.seeds)
    if args.orange_json:
        saved = json.loads(args.orange_json.read_text())
        # this script's --json holds {"petriflow", "orange"}; the baseline script's own
        # --json is the Orange part alone
        baseline = saved["orange"] if "petriflow" in saved else saved
    elif args.orange_python:
        print("orange: running the baseline …", flush=True)
        baseline = orange(args.orange_python, sets, args.seeds)
    else:
        raise SystemExit("give --orange-python or --orange-json (the table is against Orange)")
    for name, _ in sets:
        r = baseline["sets"][name]
        if r["n"] != results[name]["n"] or r["class_values"] != results[name]["class_values"]:
            raise SystemExit(f"{name}: Orange read different data")

    def ca(v: dict[str, Any]) -> float:
        # the same seeds on both sides (a saved Orange run may hold more of them)
        return 100.0 * float(np.mean(v["CA_by_seed"][:args.seeds]))

    head = ["set", "n", "Orange 3.40"] + [label(m) for m in models] + ["Δ shipped pts"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    deltas = []
    for name, _ in sets:
        o = ca(baseline["sets"][name])
        row = results[name]["models"]
        deltas.append(ca(row[SHIPPED]) - o)
        lines.append("| " + " | ".join(
            [name, str(results[name]["n"]), f"{o:.1f}"]
            + [f"{ca(row[m]):.1f}" for m in models] + [f"{deltas[-1]:+.1f}"]) + " |")
    means = [np.mean([ca(baseline["sets"][n]) for n, _ in sets])] + [
        np.mean([ca(results[n]["models"][m]) for n, _ in sets]) for m in models]
    lines.append("| mean | | " + " | ".join(f"{v:.1f}" for v in means)
                 + f" | {np.mean(deltas):+.1f} |")
    ok = np.mean(deltas) >= MEAN_TARGET and min(deltas) >= WORST_TARGET
    print()
    print(f"Orange {baseline['orange']}, Orange3-ImageAnalytics {baseline['imageanalytics']}; "
          f"CA in % of Logistic Regression (L2, C=1), 5-fold stratified CV, mean over seeds "
          f"0..{args.seeds - 1}; dims: " + ", ".join(
              f"{label(m)} {results[sets[0][0]]['models'][m]['dim']}" for m in models))
    print("\n".join(lines))
    print(f"target (shipped: mean ≥ +{MEAN_TARGET:g}, no set below {WORST_TARGET:g}): "
          f"{'PASS' if ok else 'FAIL'} (mean {np.mean(deltas):+.1f}, worst {min(deltas):+.1f})")
    if len(models) < 3 or len(sets) < 2:
        print("leave-one-set-out: not run (needs two pooled variants and two sets)")
        if args.json:
            args.json.write_text(json.dumps({"petriflow": results, "orange": baseline},
                                            indent=2))
        return 0 if ok else 1
    print("leave-one-set-out (variant chosen on the other sets → CA on this one, "
          "Δ to Orange):")
    ho = held_out(results, models)
    for name, best, value in ho:
        print(f"  {name}: {label(best)} → {100 * value:.1f} "
              f"({100 * value - ca(baseline['sets'][name]):+.1f})")
    print(f"  mean Δ to Orange when chosen without the set: "
          f"{np.mean([100 * v - ca(baseline['sets'][n]) for n, _, v in ho]):+.1f}")
    if args.json:
        args.json.write_text(json.dumps({"petriflow": results, "orange": baseline}, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
