"""CPU runtimes: which library runs a loaded network on the CPU (torch, or ONNX Runtime).

Why a second runtime: on the 2-core dev box (AMD EPYC, AVX-512) torch runs SqueezeNet fp32
at 8.9 ms of CPU per image with one thread (batch 8), ONNX Runtime's MLAS kernels at
3.5-3.8 ms (batch 1-8), with vectors equal to 4e-6 (cosine > 0.99999); Orange's own
embedder spends ~82 ms per image, so this is most of the 10× target of issue 15.3.
ONNX Runtime (and ``onnx``, which torch's exporter needs) is an *optional* dependency
(``pip install petriflow[fast]``): without it, or when the export of a network fails, or
when its output does not match torch's on a check batch, torch runs as before.

Why it never changes results or the cache: the ONNX graph is exported from the very
torch module that :func:`load_embedder` built (preprocessing included), and the first
call compares both on a fixed random batch (cosine >= 0.9999 per image, the issue's bar)
before any image is embedded with it. The cache key names the model, weights and
preprocessing, never the runtime: a vector computed by either is the same vector.

``runtime``: "auto" (ONNX Runtime when installed, for fp32 on the CPU, from ``ONNX_MIN_IMAGES``
images to compute or once this process has the network exported; else torch),
"torch", or "onnxruntime" (an error when it is not installed). The environment variable
``PETRIFLOW_CPU_RUNTIME`` sets the default for "auto" (e.g. ``torch`` to rule it out).
"""

from __future__ import annotations

import io
import logging
import os
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from petriflow.analysis.embedding.backbones.specs import EmbedderError

if TYPE_CHECKING:
    from petriflow.analysis.embedding.backbones.loading import LoadedEmbedder

__all__ = ["RUNTIMES", "onnx_runner", "onnxruntime_available", "resolve_runtime"]

log = logging.getLogger(__name__)

RUNTIMES = ("auto", "torch", "onnxruntime")
#: the issue's bar for "the same vectors" (per image, against torch fp32)
MIN_COSINE = 0.9999
#: "auto" exports a network for fewer images than this only when it already has: the
#: export and check cost once per process (SqueezeNet ~0.7 s, Inception v3 ~1.8 s here)
#: what torch spends on ~80 and ~60 images, so a handful of images stays in torch
ONNX_MIN_IMAGES = 64

#: (loaded-embedder id, threads) -> runner, or None when this network cannot use it
_runners: dict[tuple[int, int], tuple[Any, Callable[[np.ndarray], np.ndarray] | None]] = {}
_lock = threading.Lock()

Runner = Callable[[np.ndarray], np.ndarray]


def onnxruntime_available() -> bool:
    """Whether ONNX Runtime and ``onnx`` (needed by torch's exporter) can be imported."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except Exception:  # ImportError, or a broken wheel that fails while loading
        return False
    return True


def resolve_runtime(
    runtime: str | None, device: str, precision: str, *, n_images: int | None = None,
    model_id: str = "",
) -> str:
    """The runtime that will run: "torch" or "onnxruntime".

    ONNX Runtime is used only for fp32 on the CPU ("auto"; with ``n_images`` given, only
    from ``ONNX_MIN_IMAGES`` images unless ``model_id`` is exported already); asking for
    it explicitly elsewhere, or when it is not installed, is a clear error rather than a
    silent switch.
    """
    r = (runtime or "auto").strip().lower()
    if r == "auto":
        r = os.environ.get("PETRIFLOW_CPU_RUNTIME", "auto").strip().lower() or "auto"
        if r not in RUNTIMES:
            raise EmbedderError(f"PETRIFLOW_CPU_RUNTIME={r!r} is not one of "
                                f"{', '.join(RUNTIMES)}")
        if r == "auto":
            ok = device == "cpu" and precision == "fp32" and onnxruntime_available()
            if ok and n_images is not None and n_images < ONNX_MIN_IMAGES:
                ok = _exported(model_id)
            return "onnxruntime" if ok else "torch"
    if r == "torch":
        return r
    if r == "onnxruntime":
        if device != "cpu" or precision != "fp32":
            raise EmbedderError("runtime 'onnxruntime' runs fp32 on the CPU only; use "
                                "device 'cpu' and precision 'fp32', or runtime 'torch'")
        if not onnxruntime_available():
            raise EmbedderError("runtime 'onnxruntime' was asked for, but it is not "
                                "installed: pip install 'petriflow[fast]' (onnxruntime, onnx)")
        return r
    raise EmbedderError(f"unknown runtime {runtime!r}; use {', '.join(RUNTIMES)}")


def onnx_runner(loaded: LoadedEmbedder, threads: int = 1) -> Runner | None:
    """A function uint8 NHWC batch → (N, dim) float32 running ``loaded`` in ONNX Runtime
    with ``threads`` intra-op threads, or None when this network cannot be exported or
    does not match torch (then torch runs; the reason is logged once).

    Built once per loaded network and thread count; the session is shared by the
    caller's worker threads (``InferenceSession.run`` is thread-safe and releases the
    GIL; with one intra-op thread each call runs in the calling thread).
    """
    key = (id(loaded), threads)
    with _lock:
        got = _runners.get(key)
        if got is not None and got[0] is loaded:
            return got[1]
        try:
            runner: Runner | None = _build(loaded, threads)
        except Exception as exc:  # an exporter or runtime failure costs speed, not the run
            log.warning("ONNX Runtime not used for %s (torch runs instead): %s: %s",
                        loaded.spec.id, type(exc).__name__, exc)
            runner = None
        _runners[key] = (loaded, runner)
        return runner


def _exported(model_id: str) -> bool:
    """Whether this process already runs ``model_id`` in ONNX Runtime."""
    with _lock:
        return any(lo.spec.id == model_id and run is not None for lo, run in _runners.values())


def _build(loaded: LoadedEmbedder, threads: int) -> Runner | None:
    import onnxruntime as ort
    import torch

    size = loaded.spec.preprocessing.size
    check = np.random.default_rng(12345).integers(0, 256, (2, size, size, 3), dtype=np.uint8)
    module = loaded.module
    if any(isinstance(m, torch.nn.MultiheadAttention) for m in module.modules()):
        # in inference torch runs these through a fused kernel that the exporter cannot
        # export (ViT-B/16: UnsupportedOperatorError, after printing the whole graph to
        # stderr): torch runs such networks, without trying
        log.info("ONNX Runtime not used for %s: attention layers run in torch",
                 loaded.spec.id)
        return None

    class _NHWC(torch.nn.Module):
        """Takes the pipeline's uint8 NHWC batch as is (the transpose runs in ONNX)."""

        def __init__(self) -> None:
            super().__init__()
            self.net = module

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.net(x.permute(0, 3, 1, 2))

    buf = io.BytesIO()
    with torch.inference_mode(False), torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's deprecation and tracer notes
        # the legacy (TorchScript) exporter: no onnxscript needed, and a second or so
        # (a file object works; torch's stubs name paths only)
        torch.onnx.export(_NHWC().eval(), (torch.from_numpy(check),), buf,  # type: ignore[arg-type]
                          input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "n"}, "y": {0: "n"}},
                          opset_version=17, dynamo=False)
    so = ort.SessionOptions()
    so.intra_op_num_threads = max(1, threads)
    so.inter_op_num_threads = 1
    so.log_severity_level = 3  # no per-session chatter on stderr
    sess = ort.InferenceSession(buf.getvalue(), so, providers=["CPUExecutionProvider"])

    def run(batch: np.ndarray) -> np.ndarray:
        # one image per call: the activations of one image stay in the core's caches
        # (SqueezeNet, 1 thread, median of 6: 3.65 ms per image one by one, 3.76 by 2,
        # 3.84 by 4, 3.97 by 8; Inception v3 is flat), and calls cost ~0.05 ms
        x = np.ascontiguousarray(batch, dtype=np.uint8)
        outs = [sess.run(None, {"x": x[k:k + 1]})[0] for k in range(len(x))]
        return np.asarray(np.concatenate(outs) if outs else np.empty((0, 0)),
                          dtype=np.float32)

    with torch.inference_mode():
        ref = module(torch.from_numpy(check).permute(0, 3, 1, 2)).float().numpy()
    got = run(check)
    cos = cosine_rows(ref, got)
    if got.shape != ref.shape or not np.all(cos >= MIN_COSINE):
        log.warning("ONNX Runtime not used for %s: its check batch differs from torch's "
                    "(cosine %s)", loaded.spec.id, np.round(cos, 6).tolist())
        return None
    return run


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of ``a`` with the same row of ``b`` (float64)."""
    a64 = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    b64 = np.asarray(b, dtype=np.float64).reshape(len(b), -1)
    if a64.shape != b64.shape:
        return np.zeros(len(a64))
    num = (a64 * b64).sum(1)
    den = np.linalg.norm(a64, axis=1) * np.linalg.norm(b64, axis=1)
    return np.where(den > 0, num / np.where(den > 0, den, 1), (a64 == b64).all(1) * 1.0)
