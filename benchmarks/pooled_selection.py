"""How ``squeezenet-pooled``'s layers and scaling were chosen (issue 15.4), and a nested
check of that choice. Companion of ``benchmarks/accuracy_pooled.py``.

1. Every SqueezeNet 1.1 block is embedded once per image through Petriflow's pipeline
   (``squeezenet``'s input; the fire2..fire9 outputs averaged and max-pooled, conv10
   averaged and max-pooled), on the four labelled sets of ``accuracy_pooled.py``.
2. *Screen*: each configuration (which fire modules with conv10; average, or average and
   max; each block L2-normalised × √length ("l2s") or √-powered first ("sqrt"), × 1 or
   × 3; conv10 alone, raw) is scored with a copy of the Logistic Regression node's
   scikit-learn estimator (L2, C=1, lbfgs, tol 1e-4) on the Test and Score node's folds
   (5-fold stratified, shuffled, seeds 0..N-1): mean CA per set.
3. *Nested*: within each set, each outer fold's training part picks the configuration by
   an inner 5-fold CV, which is then scored on the outer test part; no image scores the
   choice it helped make.

    python benchmarks/pooled_selection.py [--seeds 10] [--nested-seeds 3] [--procs N]
                                          [--configs N]

Roughly 2,000 CPU-seconds (estimated from runs on 16 cores, ~2 min there; the shared
2-core machine: the better part of an hour).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
import warnings
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from accuracy import SETS, SHARED, _run  # noqa: E402
from accuracy_pooled import TEXTURES  # noqa: E402

FIRES = ("fire2", "fire3", "fire4", "fire5", "fire6", "fire7", "fire8", "fire9")
WIDTH = (128, 128, 256, 256, 384, 384, 512, 512)
OFFSET = np.concatenate([[0], np.cumsum(WIDTH)])
Config = tuple[tuple[str, ...], str, str, float]
DATA: dict[str, dict[str, np.ndarray]] = {}


def embed_all_blocks(sets: list[tuple[str, Path]]) -> None:
    """Step 1: every block, pooled both ways, per image (into ``DATA``)."""
    from petriflow.analysis.embedding import embed_paths, get_embedder
    from petriflow.analysis.embedding.backbones.builders import (
        SQUEEZENET_FIRES,
        build_squeezenet,
    )
    from petriflow.nodes.import_images import ImportImages

    taps = {SQUEEZENET_FIRES[f][0] for f in FIRES}

    def build(weights: Any) -> Any:
        import torch
        from torch import nn

        base = build_squeezenet(weights)

        class AllBlocks(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.features, self.conv10 = base.features, base.conv10

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                avg, mx = [], []
                for i, layer in enumerate(self.features):
                    x = layer(x)
                    if i in taps:
                        avg.append(x.mean(dim=(2, 3)))
                        mx.append(x.amax(dim=(2, 3)))
                c = self.conv10(x)
                return torch.cat(avg + mx + [c.mean(dim=(2, 3)), c.amax(dim=(2, 3))], 1)

        return AllBlocks()

    spec = dataclasses.replace(get_embedder("squeezenet"), id="squeezenet-all-blocks",
                               dim=2 * int(OFFSET[-1]) + 2000, build=build)
    for name, folder in sets:
        images = _run(ImportImages(ImportImages.Settings(folder=str(folder))), {})[0]["Data"]
        paths = [str(Path(p).resolve()) for p in images.metas[images.image_column]]
        result = embed_paths(paths, spec, cache=False)
        if len(result.ok_indices) != len(paths):
            raise SystemExit(f"{name}: images skipped")
        DATA[name] = {"X": result.vectors, "y": np.asarray(images.y).astype(int)}


def block(X: np.ndarray, name: str, kind: str) -> np.ndarray:
    if name == "conv10":
        start = 2 * int(OFFSET[-1]) + (0 if kind == "avg" else 1000)
        return X[:, start:start + 1000]
    i = FIRES.index(name)
    base = 0 if kind == "avg" else int(OFFSET[-1])
    return X[:, base + OFFSET[i]:base + OFFSET[i + 1]]


def features(X: np.ndarray, cfg: Config) -> np.ndarray:
    """The vectors of one configuration (``squeezenet-pooled`` is ("fire2".."fire5",
    "conv10"), "avg", "l2s", 1)."""
    blocks, kind, norm, scale = cfg
    parts = []
    for b in blocks:
        kinds = ["avg"] if b == "conv10" else (["avg", "max"] if kind == "both" else [kind])
        for k in kinds:
            v = block(X, b, k).astype(np.float64)
            if norm != "raw":
                if norm == "sqrt":
                    v = np.sign(v) * np.sqrt(np.abs(v))
                v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
                v = v * np.sqrt(v.shape[1]) * scale
            parts.append(v)
    return np.hstack(parts).astype(np.float32)


def configs() -> list[Config]:
    out: list[Config] = [(("conv10",), "avg", "raw", 1.0), (("conv10",), "avg", "l2s", 1.0)]
    mixed = [FIRES[7:], FIRES[6:], FIRES[5:], FIRES[4:], ("fire5", "fire7", "fire9"),
             FIRES[2:], ("fire3", "fire5", "fire7", "fire9")]
    for fires in mixed:
        for kind in ("avg", "both"):
            for norm in ("l2s", "sqrt"):
                for scale in (1.0, 3.0):
                    out.append(((*fires, "conv10"), kind, norm, scale))
    for fires in (FIRES, FIRES[1:], ("fire4", "fire6", "fire8"), FIRES[:4], FIRES[2:4],
                  FIRES[1:6]):
        for scale in (1.0, 3.0):
            out.append(((*fires, "conv10"), "avg", "l2s", scale))
    return list(dict.fromkeys(out))


def _lr() -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=10000, tol=1e-4, random_state=0)


def _folds(y: np.ndarray, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    return list(cv.split(np.arange(len(y)), y))


def _correct(X: np.ndarray, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]]) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return int(sum((_lr().fit(X[a], y[a]).predict(X[b]) == y[b]).sum() for a, b in folds))


def _screen_task(args: tuple[Config, str, int]) -> tuple[tuple[Config, str, int], float]:
    cfg, name, seed = args
    y = DATA[name]["y"]
    return args, _correct(features(DATA[name]["X"], cfg), y, _folds(y, seed)) / len(y)


def _inner_task(args: tuple[str, int, int, int]) -> tuple[tuple[str, int, int, int], float]:
    name, seed, fold, ci = args
    y = DATA[name]["y"]
    train, _ = _folds(y, seed)[fold]
    X = features(DATA[name]["X"], CONFIGS[ci])[train]
    return args, _correct(X, y[train], _folds(y[train], 0)) / len(train)


def _outer_task(args: tuple[str, int, int, int]) -> int:
    name, seed, fold, ci = args
    y = DATA[name]["y"]
    return _correct(features(DATA[name]["X"], CONFIGS[ci]), y, [_folds(y, seed)[fold]])


CONFIGS = configs()


def _label(cfg: Config) -> str:
    return f"{'+'.join(cfg[0])} {cfg[1]} {cfg[2]} ×{cfg[3]:g}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=SHARED)
    ap.add_argument("--seeds", type=int, default=10, help="CV seeds of the screen")
    ap.add_argument("--nested-seeds", type=int, default=3, help="outer CV seeds")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--configs", type=int, default=0,
                    help="only the first N configurations (a quick check of the script)")
    args = ap.parse_args(argv)
    if args.configs:
        del CONFIGS[args.configs:]
    sets = [(n, args.data / n) for n in SETS] + [("textures", TEXTURES)]
    sets = [(n, f) for n, f in sets if f.is_dir()]
    t0 = time.time()
    embed_all_blocks(sets)
    names = [n for n, _ in sets]
    with Pool(args.procs) as pool:  # forked workers see DATA
        screen: dict[Config, dict[str, list[float]]] = {}
        tasks = [(c, n, s) for c in CONFIGS for n in names for s in range(args.seeds)]
        for (cfg, name, _), ca in pool.imap_unordered(_screen_task, tasks):
            screen.setdefault(cfg, {}).setdefault(name, []).append(ca)
        keys = [(n, s, f) for n in names for s in range(args.nested_seeds) for f in range(5)]
        inner: dict[tuple[str, int, int], list[float]] = {k: [0.0] * len(CONFIGS) for k in keys}
        jobs = [(*k, ci) for k in keys for ci in range(len(CONFIGS))]
        for (n, s, f, ci), ca in pool.imap_unordered(_inner_task, jobs):
            inner[(n, s, f)][ci] = ca
        chosen = {k: int(np.argmax(inner[k])) for k in keys}
        nested = pool.map(_outer_task, [(*k, chosen[k]) for k in keys])
        plain = pool.map(_outer_task, [(*k, 0) for k in keys])
    print(f"screen: {len(CONFIGS)} configurations, CA % (mean over seeds 0..{args.seeds - 1})"
          f", sets: {', '.join(names)}")
    rows = sorted(((float(np.mean([np.mean(screen[c][n]) for n in names])), c)
                   for c in CONFIGS), key=lambda r: -r[0])
    for mean, cfg in rows:
        per = " ".join(f"{100 * np.mean(screen[cfg][n]):5.1f}" for n in names)
        print(f"  {_label(cfg):58s} {per}  mean {100 * mean:.2f}")
    print(f"nested (outer 5-fold × seeds 0..{args.nested_seeds - 1}; inner 5-fold picks "
          f"among the {len(CONFIGS)}), CA %:")
    got = dict(zip(keys, nested, strict=True))
    base = dict(zip(keys, plain, strict=True))
    totals = []
    for n in names:
        size = len(DATA[n]["y"])
        ks = [k for k in keys if k[0] == n]
        a = 100 * sum(got[k] for k in ks) / (size * args.nested_seeds)
        b = 100 * sum(base[k] for k in ks) / (size * args.nested_seeds)
        totals.append((a, b))
        print(f"  {n:20s} nested {a:5.1f}   conv10 alone {b:5.1f}")
    print(f"  mean                 nested {np.mean([a for a, _ in totals]):5.1f}   "
          f"conv10 alone {np.mean([b for _, b in totals]):5.1f}")
    print(f"{time.time() - t0:.0f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
