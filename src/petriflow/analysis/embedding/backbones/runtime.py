"""CPU runtimes: which library runs a loaded network on the CPU (torch, or ONNX Runtime).

Why a second runtime: on the 2-core dev box (AMD EPYC, AVX-512) torch runs SqueezeNet fp32
at 8.9 ms of CPU per image with one thread (batch 8), ONNX Runtime's MLAS kernels at
3.5-3.8 ms (batch 1-8), with vectors equal to 4e-6 (cosine > 0.99999); Orange's own
embedder spends ~82 ms per image, so this is most of the 10× target of issue 15.3.
ONNX Runtime (and ``onnx``, which torch's exporter needs) is an *optional* dependency
(``pip install petriflow[fast]``): without it, or when the export of a network fails, or
when its output does not match torch's on a check batch, torch runs as before.

Why the choice depends on the installation and the request only: ONNX Runtime's vectors
equal torch's to cosine >= 0.9999, not bit for bit, so a choice that depended on the
number of images or on what the process did before gave a workflow different numbers
in-process, in the app's worker and on Dask workers. "auto" is therefore ONNX Runtime for
every fp32 CPU request when it is installed and the network exports, whatever its size,
and torch otherwise. The export costs ~0.7 s (SqueezeNet) / ~1.8 s (Inception v3) per
process, more than a small run's images, so the exported model is kept on disk (the
``onnx`` folder of the embedding cache folder, keyed by weights SHA-256, model and
preprocessing, torch/onnx/onnxruntime versions and :data:`EXPORT_FORMAT`) and a later
process loads it instead; writing a key's file deletes the same model's files of other
keys (:func:`prune_other_keys`: 87 MB per Inception v3 library upgrade otherwise).
Every process, fresh export or disk, runs the very bytes of that file, one image per
call, so batching and sharding do not change a vector.

Why it never changes the cache: the ONNX graph is exported from the very torch module
that :func:`load_embedder` built (preprocessing included), and its output on a fixed
random batch must match torch's (cosine >= 0.9999 per image, the issue's bar) before any
image is embedded with it; a model from disk is checked the same way against the torch
output stored with it at export time (no torch forward pass needed). The cache key names
the model, weights and preprocessing, never the runtime.

A model file on disk is untrusted input: it is read whole, its header (JSON) and the
SHA-256 of its ONNX bytes must match before ONNX Runtime parses it, and any error, a
mismatch or a failed check means a fresh export (and torch if that fails), never a crash.

``runtime``: "auto" (ONNX Runtime for fp32 on the CPU when installed, else torch),
"torch", or "onnxruntime" (an error when it is not installed). The environment variable
``PETRIFLOW_CPU_RUNTIME`` sets the default for "auto" (e.g. ``torch`` to rule it out).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import re
import struct
import threading
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from petriflow.analysis.embedding.backbones.specs import EmbedderError

if TYPE_CHECKING:
    from petriflow.analysis.embedding.backbones.loading import LoadedEmbedder

__all__ = ["EXPORT_FORMAT", "RUNTIMES", "onnx_model_dir", "onnx_origin", "onnx_runner",
           "onnxruntime_available", "resolve_runtime"]

log = logging.getLogger(__name__)

RUNTIMES = ("auto", "torch", "onnxruntime")
#: the issue's bar for "the same vectors" (per image, against torch fp32)
MIN_COSINE = 0.9999
#: version of what :func:`_export` writes (wrapper, opset, names, file layout): a change
#: here must bump it, so that no process runs a model file of an older export
EXPORT_FORMAT = 1
_MAGIC = b"PETRIFLOW-ONNX\n"
_MAX_HEADER = 1 << 20

#: (loaded-embedder id, threads) -> (loaded, runner or None, "disk" / "export" / "")
_runners: dict[tuple[int, int], tuple[Any, Callable[[np.ndarray], np.ndarray] | None, str]] = {}
_lock = threading.Lock()

#: ``runner(batch, halt=None)``: ``halt`` is called before each image and raises to stop
Runner = Callable[..., np.ndarray]


def onnxruntime_available() -> bool:
    """Whether ONNX Runtime and ``onnx`` (needed by torch's exporter) can be imported."""
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except Exception:  # ImportError, or a broken wheel that fails while loading
        return False
    return True


def resolve_runtime(runtime: str | None, device: str, precision: str) -> str:
    """The runtime asked for: "torch" or "onnxruntime" (which still runs torch for a
    network that cannot be exported or fails its check; see :func:`onnx_runner`).

    A function of the request and the installation only, never of the number of images
    or of what this process ran before. ONNX Runtime is used only for fp32 on the CPU;
    asking for it explicitly elsewhere, or when it is not installed, is a clear error
    rather than a silent switch.
    """
    r = (runtime or "auto").strip().lower()
    if r == "auto":
        r = os.environ.get("PETRIFLOW_CPU_RUNTIME", "auto").strip().lower() or "auto"
        if r not in RUNTIMES:
            raise EmbedderError(f"PETRIFLOW_CPU_RUNTIME={r!r} is not one of "
                                f"{', '.join(RUNTIMES)}")
        if r == "auto":
            ok = device == "cpu" and precision == "fp32" and onnxruntime_available()
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
    does not match torch (then torch runs; the reason is logged once). Its optional
    second argument ``halt`` is called before each image and may raise: a cancelled run
    stops within one image's compute, not one batch's.

    Built once per loaded network and thread count, from the model file on disk when a
    valid one is there, else by exporting (and then stored); the session is shared by
    the caller's worker threads (``InferenceSession.run`` is thread-safe and releases
    the GIL; with one intra-op thread each call runs in the calling thread).
    """
    key = (id(loaded), threads)
    with _lock:
        got = _runners.get(key)
        if got is not None and got[0] is loaded:
            return got[1]
        origin = ""
        try:
            runner, origin = _build(loaded, threads)
        except Exception as exc:  # an exporter or runtime failure costs speed, not the run
            log.warning("ONNX Runtime not used for %s (torch runs instead): %s: %s",
                        loaded.spec.id, type(exc).__name__, exc)
            runner = None
        _runners[key] = (loaded, runner, origin if runner is not None else "")
        return runner


def onnx_origin(loaded: LoadedEmbedder, threads: int = 1) -> str:
    """Where this process's ONNX model for ``loaded`` came from: "disk" (a model file
    stored by an earlier export), "export" (exported here), or "" (none: torch runs, or
    :func:`onnx_runner` was not called yet)."""
    with _lock:
        got = _runners.get((id(loaded), threads))
        return got[2] if got is not None and got[0] is loaded else ""


def onnx_model_dir() -> Path:
    """The folder of exported models: ``onnx`` in the embedding cache folder
    (``PETRIFLOW_CACHE_DIR`` overrides that folder)."""
    from petriflow.analysis.embedding.cache import default_cache_dir

    return default_cache_dir() / "onnx"


def _model_key(loaded: LoadedEmbedder) -> dict[str, Any]:
    """Everything the exported graph depends on; a model file of another key is not used."""
    import onnx
    import onnxruntime
    import torch

    spec = loaded.spec
    return {"format": EXPORT_FORMAT, "model": spec.id, "dim": spec.dim,
            "input_size": spec.input_size, "preprocessing": spec.preprocessing.key(),
            "weights_sha256": loaded.weights.sha256, "torch": torch.__version__,
            "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__}


def _model_path(key: dict[str, Any]) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", str(key["model"]))[:60]
    return onnx_model_dir() / f"{name}-{digest}.onnx"


def _check_batch(size: int) -> np.ndarray:
    return np.random.default_rng(12345).integers(0, 256, (2, size, size, 3), dtype=np.uint8)


def _build(loaded: LoadedEmbedder, threads: int) -> tuple[Runner | None, str]:
    import torch

    module = loaded.module
    if any(isinstance(m, torch.nn.MultiheadAttention) for m in module.modules()):
        # in inference torch runs these through a fused kernel that the exporter cannot
        # export (ViT-B/16: UnsupportedOperatorError, after printing the whole graph to
        # stderr): torch runs such networks, without trying
        log.info("ONNX Runtime not used for %s: attention layers run in torch",
                 loaded.spec.id)
        return None, ""
    check = _check_batch(loaded.spec.preprocessing.size)
    key = _model_key(loaded)
    try:
        path: Path | None = _model_path(key)
    except Exception as exc:  # no cache folder to be had: export, store nothing
        log.info("ONNX models are not stored: %s: %s", type(exc).__name__, exc)
        path = None
    runner = _from_disk(path, key, check, threads, loaded.spec.id) if path else None
    if runner is not None:
        return runner, "disk"
    model, ref = _export(module, check)
    runner = _session_runner(model, threads)
    got = runner(check)
    cos = cosine_rows(ref, got)
    if got.shape != ref.shape or not np.all(cos >= MIN_COSINE):
        log.warning("ONNX Runtime not used for %s: its check batch differs from torch's "
                    "(cosine %s)", loaded.spec.id, np.round(cos, 6).tolist())
        return None, ""
    if path is not None:
        _store(path, key, model, ref)
    return runner, "export"


def _export(module: Any, check: np.ndarray) -> tuple[bytes, np.ndarray]:
    """The ONNX bytes of ``module`` taking uint8 NHWC, and torch's output on ``check``."""
    import torch

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
    with torch.inference_mode():
        ref = module(torch.from_numpy(check).permute(0, 3, 1, 2)).float().numpy()
    return buf.getvalue(), np.ascontiguousarray(ref, dtype=np.float32)


def _session_runner(model: bytes, threads: int) -> Runner:
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = max(1, threads)
    so.inter_op_num_threads = 1
    so.log_severity_level = 3  # no per-session chatter on stderr
    sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])

    def run(batch: np.ndarray, halt: Callable[[], Any] | None = None) -> np.ndarray:
        # one image per call: the activations of one image stay in the core's caches
        # (SqueezeNet, 1 thread, median of 6: 3.65 ms per image one by one, 3.76 by 2,
        # 3.84 by 4, 3.97 by 8; Inception v3 is flat), and calls cost ~0.05 ms; it also
        # makes a vector independent of the batch (and shard) its image came in, and
        # lets ``halt`` (a cancelled run) stop between images
        x = np.ascontiguousarray(batch, dtype=np.uint8)
        outs = []
        for k in range(len(x)):
            if halt is not None:
                halt()
            outs.append(sess.run(None, {"x": x[k:k + 1]})[0])
        return np.asarray(np.concatenate(outs) if outs else np.empty((0, 0)),
                          dtype=np.float32)

    return run


def _store(path: Path, key: dict[str, Any], model: bytes, ref: np.ndarray) -> None:
    """Write the model file (header + ONNX bytes) atomically; a failure only costs the
    next process an export."""
    from petriflow.core.atomic import atomic_write_bytes

    header = json.dumps({"key": key, "onnx_sha256": hashlib.sha256(model).hexdigest(),
                         "ref_shape": list(ref.shape),
                         "ref": base64.b64encode(ref.astype("<f4").tobytes()).decode()},
                        sort_keys=True).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, _MAGIC + struct.pack("<Q", len(header)) + header + model)
    except OSError as exc:
        log.info("ONNX model of %s not stored in %s: %s", key["model"], path.parent, exc)
        return
    prune_other_keys(path)


def prune_other_keys(path: Path) -> list[Path]:
    """Delete the model files of the same model id as ``path`` stored under other keys
    (older library versions, other weights, an older :data:`EXPORT_FORMAT`); returns them.

    Why: each key's file is written once and never read again once the key changed
    (Inception v3: 87 MB per torch/onnx/onnxruntime upgrade or weights file). Only files
    named exactly ``<model>-<32 hex>.onnx`` beside ``path`` are candidates, so another
    model's files (``resnet`` vs ``resnet-50``), temporary files of a write in progress
    and anything outside the folder stay; ``path`` itself, the file every process with
    this key uses, is never deleted. A process that runs an older key read its file
    whole when it started (:func:`_from_disk`), so deleting it costs that process
    nothing now, only an export if it starts again. Races (another process pruning the
    same file) and permission errors are ignored: pruning only saves disk space.
    """
    stem = path.name[:-len("-") - 32 - len(".onnx")]
    pattern = re.compile(re.escape(stem) + r"-[0-9a-f]{32}\.onnx")
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        if entry.name == path.name or not pattern.fullmatch(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            os.unlink(entry.path)
        except OSError:  # already gone (another process pruned it), or not ours to delete
            continue
        removed.append(Path(entry.path))
    if removed:
        log.info("ONNX model files of %s for other versions removed: %s", stem,
                 ", ".join(p.name for p in removed))
    return removed


def _from_disk(path: Path, key: dict[str, Any], check: np.ndarray, threads: int,
               model_id: str) -> Runner | None:
    """The runner of a valid stored model file, or None (missing, damaged, of another
    key, or failing the check against the torch output stored with it)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.info("ONNX model file %s not read (exporting again): %s", path, exc)
        return None
    try:
        runner = _parse_and_check(data, key, check, threads)
    except Exception as exc:  # anything a damaged file may raise: export again
        log.warning("ONNX model file %s not used for %s (exporting again): %s: %s",
                    path, model_id, type(exc).__name__, exc)
        return None
    return runner


def _parse_and_check(data: bytes, key: dict[str, Any], check: np.ndarray,
                     threads: int) -> Runner:
    n = len(_MAGIC)
    if data[:n] != _MAGIC or len(data) < n + 8:
        raise ValueError("not a Petriflow ONNX model file")
    (size,) = struct.unpack("<Q", data[n:n + 8])
    if size > _MAX_HEADER or n + 8 + size > len(data):
        raise ValueError("damaged header")
    header = json.loads(data[n + 8:n + 8 + size].decode("utf-8"))
    model = data[n + 8 + size:]
    if not isinstance(header, dict) or header.get("key") != key:
        raise ValueError("exported for other weights, model or library versions")
    if header.get("onnx_sha256") != hashlib.sha256(model).hexdigest():
        raise ValueError("the ONNX bytes do not match their checksum")
    shape = tuple(int(v) for v in header["ref_shape"])
    ref = np.frombuffer(base64.b64decode(header["ref"], validate=True), dtype="<f4")
    ref = ref.reshape(shape)
    runner = _session_runner(model, threads)
    got = runner(check)
    cos = cosine_rows(ref, got)
    if got.shape != ref.shape or not np.all(cos >= MIN_COSINE):
        raise ValueError(f"its check batch differs from torch's (cosine "
                         f"{np.round(cos, 6).tolist()})")
    return runner


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of ``a`` with the same row of ``b`` (float64)."""
    a64 = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    b64 = np.asarray(b, dtype=np.float64).reshape(len(b), -1)
    if a64.shape != b64.shape:
        return np.zeros(len(a64))
    num = (a64 * b64).sum(1)
    den = np.linalg.norm(a64, axis=1) * np.linalg.norm(b64, axis=1)
    return np.where(den > 0, num / np.where(den > 0, den, 1), (a64 == b64).all(1) * 1.0)
