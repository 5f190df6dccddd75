"""GPU embedding throughput: the network alone vs the whole pipeline (decode → device).

Why both in one run: issue 15 asks whether data loading keeps the GPU busy. The network
alone (random uint8 batches already on the device) is the ceiling; ``embed_paths`` on real
image files (decode and resize in CPU threads, batches fed to the device) is what a user
gets. Their ratio says how much of the GPU the data loading leaves idle.

Inception v3's ImageNet weights cannot be fetched on machines without internet: when they
are missing the script saves *random* weights of the same architecture to a temporary
file. Throughput does not depend on the weight values; the vectors are then meaningless
and the script says so in its output.

Usage (on a machine with CUDA)::

    python benchmarks/gpu_throughput.py --images ../shared/data --min-images 6000 \
        --models squeezenet,inception-v3 --precisions fp32,fp16

``--decode threads|processes`` picks how the pipeline decodes (worker processes are what
``embed_paths`` uses on a GPU from 256 images). The last line per model reads
``MODEL PRECISION [DECODE]: network N img/s, pipeline P img/s (P/N = R)``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}


def find_images(folder: Path) -> list[str]:
    """Every image file below ``folder``, sorted (a plain walk: the folders are ours)."""
    return sorted(
        str(p) for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )


def weights_for(model: str, tmp: Path) -> tuple[str | None, str]:
    """A weights path for ``model`` (None: the model's own) and a note on what they are."""
    from petriflow.analysis.embedding import WeightsNotFoundError, get_embedder

    spec = get_embedder(model)
    try:
        spec.locate(None, False)
        return None, "real weights"
    except WeightsNotFoundError:
        pass
    import torch

    from petriflow.analysis.torchvision_compat import import_torchvision

    tv = import_torchvision()
    builders = {
        "inception-v3": lambda: tv.models.inception_v3(
            weights=None, aux_logits=True, init_weights=False),
        "resnet-50": lambda: tv.models.resnet50(weights=None),
        "vgg16": lambda: tv.models.vgg16(weights=None),
    }
    if model not in builders:
        raise SystemExit(f"{model}: weights missing and no random stand-in known")
    path = tmp / f"{model}-random.pth"
    torch.save(builders[model]().state_dict(), path)
    return str(path), "RANDOM weights (speed only; the weights are not on this machine)"


def network_rate(loaded: object, device: str, size: int, batch: int, precision: str,
                 seconds: float) -> float:
    """Images/s of the network alone on device-resident uint8 batches."""
    import torch

    module = loaded.module  # type: ignore[attr-defined]
    x = torch.randint(0, 256, (batch, 3, size, size), dtype=torch.uint8, device=device)
    x = x.contiguous(memory_format=torch.channels_last)
    dtype = {"fp16": torch.float16, "bf16": torch.bfloat16}.get(precision)

    def sync() -> None:
        if device == "cuda":
            torch.cuda.synchronize()

    with torch.inference_mode(), torch.autocast(device, dtype=dtype or torch.bfloat16,
                                                 enabled=dtype is not None):
        for _ in range(3):
            module(x)
        sync()
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            module(x)
            n += batch
        sync()
        return n / (time.perf_counter() - t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--images", type=Path, required=True)
    ap.add_argument("--min-images", type=int, default=4000,
                    help="repeat the file list up to this many paths (cache is off)")
    ap.add_argument("--models", default="squeezenet,inception-v3")
    ap.add_argument("--precisions", default="fp32,fp16")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--workers", type=int, default=None, help="decode threads (default: auto)")
    ap.add_argument("--decode", choices=("threads", "processes"), default="processes",
                    help="pipeline decoding in CPU threads or worker processes")
    ap.add_argument("--seconds", type=float, default=5.0, help="network-only timing window")
    ap.add_argument("--device", default="cuda", help="cuda (the point); cpu for a smoke run")
    args = ap.parse_args()

    import torch

    from petriflow.analysis.embedding import embed_paths, get_embedder, load_embedder

    dev = args.device
    if dev == "cuda" and not torch.cuda.is_available():
        print("no CUDA device: this benchmark measures a GPU", file=sys.stderr)
        return 2
    files = find_images(args.images)
    if not files:
        print(f"no images under {args.images}", file=sys.stderr)
        return 2
    paths = (files * (args.min_images // len(files) + 1))[: max(args.min_images, len(files))]
    name = torch.cuda.get_device_name(0) if dev == "cuda" else "CPU"
    print(f"device: {name}; torch {torch.__version__}; "
          f"CPU cores: {os.cpu_count()}; {len(files)} distinct files, {len(paths)} paths")
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models.split(","):
            spec = get_embedder(model)
            wpath, note = weights_for(model, Path(tmp))
            loaded = load_embedder(model, device=dev, weights_path=wpath)
            size = spec.input_size
            print(f"{model}: input {size}x{size}, {spec.dim}-d, {note}")
            for precision in args.precisions.split(","):
                net = network_rate(loaded, dev, size, args.batch_size, precision, args.seconds)
                # warm-up of the pipeline (threads, cuDNN autotune) on a slice, then timed
                embed_paths(paths[:512], model, device=dev, cache=False,
                            weights_path=wpath, precision=precision,
                            batch_size=args.batch_size, workers=args.workers,
                            decode=args.decode)
                t0 = time.perf_counter()
                res = embed_paths(paths, model, device=dev, cache=False,
                                  weights_path=wpath, precision=precision,
                                  batch_size=args.batch_size, workers=args.workers,
                                  decode=args.decode)
                dt = time.perf_counter() - t0
                pipe = len(res.vectors) / dt
                print(f"{model} {precision} [{args.decode}]: network {net:,.0f} img/s, pipeline "
                      f"{pipe:,.0f} img/s (P/N = {pipe / net:.2f}; {len(res.vectors)} images "
                      f"in {dt:.1f} s, {len(res.skipped)} skipped)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
