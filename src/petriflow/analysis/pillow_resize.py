"""Pillow's 8-bit resize (Lanczos, bilinear, bicubic), pixel for pixel, about 5× cheaper.

Why: the embedder feeds SqueezeNet exactly what Orange feeds it — the full JPEG decode
resized to 227² with Pillow's Lanczos — and that resize was 1.3 of the ~6 ms of CPU per
image of the whole CPU pipeline (issue 15.3), because Pillow's resampler is scalar C. The
arithmetic is reproduced here exactly: the same filter weights in double precision
(Python's ``math``, the C library Pillow uses), the same rounding to 22-bit integer
coefficients, the same integer sums, rounding and clipping, the same two passes in the
same order with the 8-bit intermediate in between. Only the memory layout differs:
each pass combines whole rows (the horizontal one on a transposed copy), which numba
compiles to vector instructions.

Why it is switched on, not always used: importing numba and loading its compiled
kernels costs ~1 s per process (a first compile more), worth it from a few hundred
images; :func:`activate` is called by the embedding pipeline for such runs. And why
it checks itself: Pillow 13 changed the order of the passes (vertical first when the
height shrinks more than twice what the width does), so :func:`activate` compares
this module with the installed Pillow on cases of both orders, every filter, colour and
gray, before it is used; any difference (a future Pillow change, an odd libm) leaves
Pillow doing the work. Nothing else changes: callers get the same array either way.
``PETRIFLOW_FAST_RESIZE=0`` keeps it off.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import threading
from typing import Any

import numpy as np
from PIL import Image

__all__ = ["activate", "is_active", "resize", "set_active"]

log = logging.getLogger(__name__)

_PRECISION_BITS = 22  # Pillow: 32 bits - 8 for the pixel - 2 for overflow
_state: dict[str, Any] = {"active": False, "checked": None, "kernels": None}
_lock = threading.Lock()


# ------------------------------------------------------------------ filters, weights
def _sinc(x: float) -> float:
    if x == 0.0:
        return 1.0
    x = x * math.pi
    return math.sin(x) / x


def _lanczos(x: float) -> float:
    if -3.0 <= x < 3.0:
        return _sinc(x) * _sinc(x / 3)
    return 0.0


def _bilinear(x: float) -> float:
    x = -x if x < 0.0 else x
    return 1.0 - x if x < 1.0 else 0.0


def _bicubic(x: float) -> float:
    a = -0.5
    x = -x if x < 0.0 else x
    if x < 1.0:
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1
    if x < 2.0:
        return (((x - 5) * x + 8) * x - 4) * a
    return 0.0


#: Pillow's filter ids → (function, support)
_FILTERS = {
    int(Image.Resampling.LANCZOS): (_lanczos, 3.0),
    int(Image.Resampling.BILINEAR): (_bilinear, 1.0),
    int(Image.Resampling.BICUBIC): (_bicubic, 2.0),
}


@functools.lru_cache(maxsize=512)
def _weights(in_size: int, out_size: int, resample: int) -> tuple[np.ndarray, ...]:
    """(first input index, number of taps, int32 taps) per output index, computed in
    the order and precision of Pillow's coefficient set-up for a whole-image box."""
    fn, filter_support = _FILTERS[resample]
    scale = float(in_size) / out_size
    filterscale = max(scale, 1.0)
    support = filter_support * filterscale
    ksize = math.ceil(support) * 2 + 1
    inv = 1.0 / filterscale
    first = np.zeros(out_size, np.int64)
    count = np.zeros(out_size, np.int64)
    taps = np.zeros((out_size, ksize), np.int32)
    one = float(1 << _PRECISION_BITS)
    for xx in range(out_size):
        center = 0.0 + (xx + 0.5) * scale
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), in_size) - lo
        w = [fn((x + lo - center + 0.5) * inv) for x in range(hi)]
        total = 0.0
        for v in w:
            total += v
        for x, v in enumerate(w):
            if total != 0.0:
                v = v / total
            taps[xx, x] = int(-0.5 + v * one) if v < 0 else int(0.5 + v * one)
        first[xx], count[xx] = lo, hi
    return first, count, taps


def _horizontal_first(h: int, w: int, oh: int, ow: int) -> bool:
    """Pillow's choice of the first pass (13: vertical first when the height shrinks by
    more than twice the width's reduction; before 13 always horizontal first)."""
    if _PILLOW_MAJOR < 13:
        return True
    return not (h - oh > 0 and h - oh > (w - ow) * 2)


try:
    _PILLOW_MAJOR = int(Image.__version__.split(".")[0])
except (AttributeError, ValueError):
    _PILLOW_MAJOR = 0


# ------------------------------------------------------------------------- kernels
def _compile() -> Any:
    """The two numba kernels (imported and compiled, or loaded from numba's cache)."""
    import numba

    @numba.njit(nogil=True, cache=True)
    def combine_rows(src: Any, first: Any, count: Any, taps: Any, out: Any) -> None:
        # out[i] = clip8(sum_t taps[i, t] * src[first[i] + t]) with Pillow's rounding
        m = src.shape[1]
        acc = np.empty(m, np.int32)
        for i in range(out.shape[0]):
            acc[:] = 1 << 21
            for t in range(count[i]):
                k = taps[i, t]
                row = src[first[i] + t]
                for j in range(m):
                    acc[j] += np.int32(row[j]) * k
            o = out[i]
            for j in range(m):
                v = acc[j] >> 22
                o[j] = 0 if v < 0 else (255 if v > 255 else v)

    @numba.njit(nogil=True, cache=True)
    def transpose(src: Any, r0: int, r1: int, c: int, out: Any) -> None:
        # rows r0..r1 of src (R, P*c) → out (P, (r1-r0)*c), in 32×32 pixel tiles
        p = src.shape[1] // c
        for rb in range(r0, r1, 32):
            re = min(rb + 32, r1)
            for pb in range(0, p, 32):
                pe = min(pb + 32, p)
                for x in range(pb, pe):
                    o = out[x]
                    for y in range(rb, re):
                        s = src[y]
                        if c == 3:
                            o[(y - r0) * 3] = s[x * 3]
                            o[(y - r0) * 3 + 1] = s[x * 3 + 1]
                            o[(y - r0) * 3 + 2] = s[x * 3 + 2]
                        else:
                            for ch in range(c):
                                o[(y - r0) * c + ch] = s[x * c + ch]

    return combine_rows, transpose


def _horizontal(kernels: Any, src: np.ndarray, r0: int, r1: int, c: int, ow: int,
                resample: int) -> np.ndarray:
    """Rows r0..r1 of ``src`` (R, W*c) resized to ``ow`` pixels: (r1-r0, ow*c)."""
    combine_rows, transpose = kernels
    w = src.shape[1] // c
    first, count, taps = _weights(w, ow, resample)
    n = r1 - r0
    src_t = np.empty((w, n * c), np.uint8)  # one row per input column
    transpose(src, r0, r1, c, src_t)
    out_t = np.empty((ow, n * c), np.uint8)
    combine_rows(src_t, first, count, taps, out_t)
    out = np.empty((n, ow * c), np.uint8)
    transpose(out_t, 0, ow, c, out)  # back to one row per image row
    return out


def _resize_array(kernels: Any, arr: np.ndarray, ow: int, oh: int, resample: int
                  ) -> np.ndarray:
    combine_rows = kernels[0]
    h, w = arr.shape[:2]
    c = 1 if arr.ndim == 2 else arr.shape[2]
    src = np.ascontiguousarray(arr).reshape(h, w * c)
    need_h, need_v = w != ow, h != oh
    if not need_h and not need_v:
        return np.array(arr, copy=True)
    first, count, taps = _weights(h, oh, resample)
    if _horizontal_first(h, w, oh, ow):
        if need_h:  # only the input rows the vertical pass reads
            r0 = int(first[0]) if need_v else 0
            r1 = int(first[-1] + count[-1]) if need_v else h
            src = _horizontal(kernels, src, r0, r1, c, ow, resample)
            first = first - r0
        if need_v:
            out = np.empty((oh, ow * c), np.uint8)
            combine_rows(src, first, count, taps, out)
            src = out
    else:
        if need_v:
            out = np.empty((oh, w * c), np.uint8)
            combine_rows(src, first, count, taps, out)
            src = out
        if need_h:
            src = _horizontal(kernels, src, 0, oh, c, ow, resample)
    return src.reshape((oh, ow) if arr.ndim == 2 else (oh, ow, c))


# ------------------------------------------------------------------------- public
def resize(im: Image.Image | np.ndarray, size: int, resample: int) -> np.ndarray:
    """``np.asarray(im.resize((size, size), resample))`` — computed here when this
    module is active and can (8-bit L or RGB, Lanczos/bilinear/bicubic), else by
    Pillow; the same pixels either way. An image already of that size is returned as
    an array unchanged."""
    kernels = _state["kernels"] if _state["active"] else None
    if isinstance(im, np.ndarray):
        arr: np.ndarray | None = im
        h, w = im.shape[:2]
        ok = im.dtype == np.uint8 and (im.ndim == 2 or (im.ndim == 3 and im.shape[2] == 3))
    else:
        arr = None
        w, h = im.size
        ok = im.mode in ("RGB", "L")
    if (w, h) == (size, size):
        return np.asarray(im)
    if kernels is None or not ok or int(resample) not in _FILTERS:
        pil = im if isinstance(im, Image.Image) else Image.fromarray(np.ascontiguousarray(im))
        return np.asarray(pil.resize((size, size), resample))
    if arr is None:
        arr = np.asarray(im)
    return _resize_array(kernels, arr, size, size, int(resample))


def is_active() -> bool:
    """Whether :func:`resize` computes here (else Pillow does)."""
    return bool(_state["active"])


def set_active(active: bool) -> bool:
    """Switch this module on (after its self-check, see :func:`activate`) or off;
    returns whether it is on."""
    if not active:
        _state["active"] = False
        return False
    return activate()


def activate() -> bool:
    """Load the kernels and check them against the installed Pillow once per process;
    True when :func:`resize` now computes here. Any failure (no numba, a difference)
    is logged once and leaves Pillow doing the work."""
    if os.environ.get("PETRIFLOW_FAST_RESIZE", "1").strip() == "0":
        return False  # the user's switch: Pillow does every resize
    with _lock:
        if _state["checked"] is None:
            try:
                kernels = _compile()
                bad = _self_check(kernels)
            except Exception as exc:  # numba missing or failing: Pillow it is
                log.info("exact fast resize not used: %s: %s", type(exc).__name__, exc)
                _state["checked"] = False
            else:
                if bad:
                    log.warning("exact fast resize not used: it differs from Pillow %s "
                                "on %s", Image.__version__, bad)
                _state["checked"] = not bad
                _state["kernels"] = kernels if not bad else None
        _state["active"] = bool(_state["checked"])
        return bool(_state["active"])


def _self_check(kernels: Any) -> str:
    """'' when every case equals Pillow's result, else the first that does not."""
    rng = np.random.default_rng(7)
    cases = [  # (h, w, out size): both pass orders, up and down, odd shapes
        (231, 312, 227), (299, 299, 227), (120, 40, 227), (9, 300, 50), (300, 9, 50),
        (400, 90, 224), (90, 400, 224), (3, 3, 16), (227, 400, 227), (80, 20, 30),
    ]
    for h, w, size in cases:
        for channels in (3, 1):
            shape = (h, w, 3) if channels == 3 else (h, w)
            noise = rng.integers(0, 256, shape, dtype=np.uint8)
            ramp = np.arange(1, w + 1).reshape((1, w, 1) if channels == 3 else (1, w))
            # noise and its running mean: sharp edges and smooth gradients
            mixed = np.where(rng.random(shape) < 0.5, noise,
                             np.cumsum(noise, axis=1, dtype=np.uint32) // ramp)
            arr = np.ascontiguousarray(mixed.astype(np.uint8))
            for resample in _FILTERS:
                want = np.asarray(Image.fromarray(arr).resize((size, size), resample))
                got = _resize_array(kernels, arr, size, size, resample)
                if got.shape != want.shape or not np.array_equal(got, want):
                    return f"{h}x{w}x{channels} -> {size}, filter {resample}"
    return ""
