"""Devices and precisions: where and in which float format a network runs.

Why a module of its own: the choice is checked up front (asking for a GPU that is not
there is a clear error, not a slow run), and fp32 stays the default so that embeddings do
not depend on whose machine computed them.
"""

from __future__ import annotations

from petriflow.analysis.embedding.backbones.specs import EmbedderError

__all__ = ["cpu_has_native_bf16", "resolve_device", "resolve_precision"]


def resolve_device(device: str = "auto") -> str:
    """'auto' → 'cuda' when present, else 'mps' (Apple), else 'cpu'. Explicit names are
    checked, so asking for a GPU that is not there is a clear error, not a slow run."""
    import torch

    d = (device or "auto").strip().lower()
    if d == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    if d.startswith("cuda"):
        if not torch.cuda.is_available():
            raise EmbedderError("device 'cuda' was asked for, but no CUDA GPU is available")
        return d
    if d == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise EmbedderError("device 'mps' was asked for, but it is not available")
        return d
    if d == "cpu":
        return d
    raise EmbedderError(f"unknown device {device!r}; use auto, cpu, cuda or mps")


def resolve_precision(precision: str, device: str | None) -> str:
    """Check a precision for a device: "fp32" (default: exact and the same on every
    machine), "bf16" (CPUs with native bfloat16 such as AVX512-BF16/AMX, or CUDA: ~1.6×
    faster on such CPUs, embeddings within ~1e-4 cosine of fp32) or "fp16" (GPUs).

    Why fp32 stays the default: embeddings of a shared data set should not depend on
    whose machine computed them; reduced precision is an explicit choice. With
    ``device=None`` only the name is checked (no torch import: warm cache runs)."""
    p = (precision or "fp32").strip().lower()
    if p in ("fp32", "float32"):
        return "fp32"
    if p in ("bf16", "bfloat16"):
        return "bf16"
    if p in ("fp16", "float16", "half"):
        if device is not None and device == "cpu":
            raise EmbedderError("precision fp16 needs a GPU; use bf16 or fp32 on the CPU")
        return "fp16"
    raise EmbedderError(f"unknown precision {precision!r}; use fp32, bf16 or fp16")


def cpu_has_native_bf16() -> bool:
    """Whether oneDNN can run bfloat16 convolutions natively on this CPU."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:
        return False
