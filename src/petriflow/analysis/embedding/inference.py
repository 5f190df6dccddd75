"""Running decoded batches through the network for the pipeline (``pipeline.py``): batch
sizes, the torch forward pass, and stopping a cancelled run within one image's compute.

Why here: cancel used to be checked between batches only, so a user pressing Cancel during
an Inception v3 run waited a whole batch (~27 s on a busy 2-core machine). Now the ONNX
Runtime runner (one image per session call) calls ``halt`` between images, and a torch
forward pass calls it before each of the network's blocks through forward pre-hooks, so
the batch, and every vector, is what it was; worker threads see a ``threading.Event``
(cheap), and only the caller's thread calls the user's ``cancel``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import numpy as np

from petriflow.analysis.embedding.backbones import EmbedderSpec, LoadedEmbedder
from petriflow.analysis.embedding.decode_procs import _Prepared

__all__ = ["default_batch_size", "infer_torch", "run_batch", "wait_polling"]


def default_batch_size(spec: EmbedderSpec, device: str) -> int:
    if device == "cpu":
        # small batches keep activations in the CPU caches: on 2 cores batch 8 measured
        # ~1.4× faster than 32 for SqueezeNet and ~1.15× faster than 16 for Inception v3
        return 8
    return max(64, spec.default_batch_size * 4)


#: how often the calling thread asks ``cancel`` while it waits for a worker's batch
_POLL_S = 0.05


def wait_polling(fut: Future[Any], check_cancel: Callable[[], None]) -> Any:
    """``fut.result()``, asking ``check_cancel`` every ``_POLL_S`` while it waits (the
    worker threads never call ``cancel``: only the caller's thread does)."""
    while True:
        try:
            return fut.result(timeout=_POLL_S)
        except TimeoutError:
            check_cancel()


_halt_local = threading.local()
_hooks_lock = threading.Lock()


def _halt_hook(module: Any, args: Any) -> None:
    halt = getattr(_halt_local, "halt", None)
    if halt is not None:
        halt()


def _install_halt_hooks(module: Any) -> None:
    """Forward pre-hooks on the network's blocks (4 levels deep: Inception v3's branches,
    ~120 hooks, well under a millisecond per batch) that call the running thread's
    ``halt``: a cancelled torch batch stops at its next block, and the batch itself
    (hence every vector) is the same as without hooks. Installed once per module;
    threads running the same module each see their own ``halt`` (thread-local)."""
    if getattr(module, "_petriflow_halt_hooks", False):
        return
    level = [module]
    for _ in range(4):
        for m in level:
            m.register_forward_pre_hook(_halt_hook)
        level = [c for m in level for c in m.children()]
    module._petriflow_halt_hooks = True


def infer_torch(loaded: LoadedEmbedder, batch: np.ndarray, precision: str = "fp32",
           halt: Callable[[], Any] | None = None) -> np.ndarray:
    import contextlib

    import torch

    if halt is not None:
        with _hooks_lock:
            _install_halt_hooks(loaded.module)
        _halt_local.halt = halt
        try:
            return infer_torch(loaded, batch, precision)
        finally:
            _halt_local.halt = None

    device_type = loaded.device.split(":")[0]
    if precision == "fp32":
        amp: Any = contextlib.nullcontext()
    else:
        dtype = torch.bfloat16 if precision == "bf16" else torch.float16
        amp = torch.autocast(device_type, dtype=dtype)
    with torch.inference_mode(), amp:
        x = torch.from_numpy(batch).permute(0, 3, 1, 2)  # NHWC memory = channels_last
        if device_type != "cpu":
            x = x.to(loaded.device, non_blocking=True)
        out = loaded.module(x)
        return out.float().cpu().numpy().astype(np.float32, copy=False)


def run_batch(
    infer: Callable[[np.ndarray], np.ndarray], items: list[_Prepared], size: int
) -> None:
    """Run the planes of ``items`` through the network as one batch; set ``vector``
    (per-channel items get their channel vectors concatenated)."""
    n_views = sum(len(it.planes or ()) for it in items)
    if not n_views:
        return
    batch = np.empty((n_views, size, size, 3), dtype=np.uint8)
    k = 0
    for it in items:
        for plane in it.planes or ():
            batch[k] = plane if plane.ndim == 3 else plane[:, :, None]
            k += 1
    vecs = infer(batch)
    k = 0
    for it in items:
        m = len(it.planes or ())
        it.vector = vecs[k:k + m].reshape(-1).copy()
        k += m
