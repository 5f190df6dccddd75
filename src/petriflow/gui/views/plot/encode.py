"""Columns to colours, sizes and shapes, for the projection scatter (numpy only).

Why a module of its own: what a bad column looks like (one value, all missing,
10,000 categories, text mixed with numbers) is decided here, once, and testable without
a window. A categorical column shows its :data:`MAX_CATEGORIES` most frequent values and
groups the rest as "other", so 10,000 file names still colour into a legend one can
read; numbers with many distinct values get a continuous colour map with a colour bar.
Per-point colours are *indices* into a small look-up table, so the canvas builds one
brush per colour rather than one per point (50,000 points redraw in a frame).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from petriflow.core.table import Table

__all__ = ["MAX_CATEGORIES", "MISSING_COLOR", "SYMBOLS", "ColorEncoding", "categorize",
           "color_encoding", "column_choices", "column_values", "shape_codes", "shape_columns",
           "size_values"]

#: categories shown in a legend; the rest are grouped as "other"
MAX_CATEGORIES = 9
#: colour of missing values and of the "other" group
MISSING_COLOR = "#b0b0b0"
OTHER_COLOR = "#7f7f7f"
#: the categorical palette (Tableau-10 without its grey, which means "other")
CATEGORICAL = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
               "#8c564b", "#e377c2", "#bcbd22", "#17becf")
#: viridis anchors (perceptually uniform, colour-blind safe), interpolated to LEVELS
_VIRIDIS = ((68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142),
            (31, 158, 137), (53, 183, 121), (110, 206, 88), (181, 222, 43), (253, 231, 37))
LEVELS = 64
#: pyqtgraph marker symbols in the order of a column's values ("shape by")
SYMBOLS = ("o", "s", "t", "d", "t1", "star", "x", "+", "p", "h")
#: point sizes (pixels) when sized by a column
SIZE_RANGE = (5.0, 20.0)


def continuous_lut() -> list[str]:
    """:data:`LEVELS` hex colours along viridis."""
    anchors = np.asarray(_VIRIDIS, dtype=float)
    t = np.linspace(0, len(anchors) - 1, LEVELS)
    lo = np.floor(t).astype(int).clip(0, len(anchors) - 2)
    f = (t - lo)[:, None]
    rgb = anchors[lo] * (1 - f) + anchors[lo + 1] * f
    return ["#" + "".join(f"{round(c):02x}" for c in row) for row in rgb]


def column_choices(table: Table | None) -> list[str]:
    """Every column a point can be coloured, sized or labelled by: the class first."""
    if table is None:
        return []
    names = [table.class_name] if table.has_class and table.class_name else []
    names += [n for n in table.column_names if n not in names]
    return names


def column_values(table: Table, name: str) -> np.ndarray:
    """The column as floats when it is numeric, else as an object array of text
    (the class as its labels, never its codes)."""
    if table.has_class and name == table.class_name:
        codes = np.asarray(table.y)
        labels = np.array([str(v) for v in table.class_values] + [""], dtype=object)
        return labels[np.where(codes >= 0, codes, len(labels) - 1)]
    values = np.asarray(table.column(name))
    if values.dtype.kind in "fiub":
        return values.astype(float)
    try:  # text that is all numbers (a CSV column read as text)
        return np.array([float(v) if v not in (None, "") else np.nan for v in values])
    except (TypeError, ValueError):
        return np.array(["" if v is None else str(v) for v in values], dtype=object)


def _missing(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "f":
        return ~np.isfinite(values)
    return np.array([v == "" or v is None for v in values], dtype=bool)


def categorize(values: np.ndarray, max_categories: int = MAX_CATEGORIES
               ) -> tuple[np.ndarray, list[str]]:
    """Codes (−1 = missing) and labels: the most frequent values (ties by name), and one
    "other" label for the rest when there are more than ``max_categories``."""
    missing = _missing(values)
    text = np.array([_label(v) for v in values], dtype=object)
    uniq, inverse, counts = np.unique(text[~missing].astype(str), return_inverse=True,
                                      return_counts=True)
    order = sorted(range(len(uniq)), key=lambda i: (-counts[i], _sort_key(str(uniq[i]))))
    keep = order[:max_categories] if len(uniq) > max_categories else order
    keep = sorted(keep, key=lambda i: _sort_key(str(uniq[i])))
    rank = np.full(len(uniq), len(keep), dtype=int)  # the "other" code by default
    rank[keep] = np.arange(len(keep))
    codes = np.full(len(values), -1, dtype=int)
    codes[~missing] = rank[inverse] if len(uniq) else []
    labels = [str(uniq[i]) for i in keep]
    if len(uniq) > len(keep):
        labels.append(f"other ({len(uniq) - len(keep)} values)")
    return codes, labels


def _label(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _sort_key(s: str) -> tuple[int, float, str]:
    try:
        return (0, float(s), s)
    except ValueError:
        return (1, 0.0, s)


@dataclass
class ColorEncoding:
    """Per point: ``index`` into ``lut`` (hex colours); ``category`` the legend entry
    (−1: none, e.g. a missing value or a continuous column) for hiding by the legend."""

    index: np.ndarray
    lut: list[str]
    legend: list[tuple[str, str]] = field(default_factory=list)
    category: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    #: a continuous column: (minimum, maximum) of the colour bar
    colorbar: tuple[float, float] | None = None
    note: str = ""


def color_encoding(table: Table, name: str | None) -> ColorEncoding:
    """Colours by ``name`` (None: one colour). Sensible for bad columns: all missing or a
    single value gives one colour and says so; many categories group as "other"."""
    n = len(table)
    if not name or name not in column_choices(table):
        return ColorEncoding(np.zeros(n, dtype=int), [CATEGORICAL[0]],
                             category=np.full(n, -1, dtype=int))
    values = column_values(table, name)
    missing = _missing(values)
    if missing.all():
        return ColorEncoding(np.zeros(n, dtype=int), [MISSING_COLOR],
                             category=np.full(n, -1, dtype=int),
                             note=f"{name}: every value is missing")
    finite = values[~missing]
    if values.dtype.kind == "f" and len(np.unique(finite)) > MAX_CATEGORIES:
        lo, hi = float(finite.min()), float(finite.max())
        t = np.zeros(n)
        t[~missing] = (finite - lo) / (hi - lo)
        index = np.where(missing, LEVELS, np.rint(t * (LEVELS - 1)).astype(int))
        note = f"{int(missing.sum())} missing values in grey" if missing.any() else ""
        return ColorEncoding(index, [*continuous_lut(), MISSING_COLOR],
                             category=np.full(n, -1, dtype=int), colorbar=(lo, hi),
                             note=note)
    codes, labels = categorize(values)
    colors = [CATEGORICAL[i % len(CATEGORICAL)] for i in range(len(labels))]
    if labels and labels[-1].startswith("other ("):
        colors[-1] = OTHER_COLOR
    lut = [*colors, MISSING_COLOR]
    index = np.where(codes >= 0, codes, len(lut) - 1)
    note = f"{name} has one value" if len(labels) == 1 else ""
    if missing.any():
        note = (note + "; " if note else "") + f"{int(missing.sum())} missing in grey"
    return ColorEncoding(index, lut, list(zip(labels, colors, strict=True)), codes,
                         note=note)


def size_values(table: Table, name: str | None, default: float) -> np.ndarray:
    """Point sizes (pixels): numbers scaled to :data:`SIZE_RANGE`, categories by rank;
    missing values and constant columns get ``default``."""
    n = len(table)
    if not name or name not in column_choices(table):
        return np.full(n, default)
    values = column_values(table, name)
    if values.dtype.kind != "f":
        codes, _labels = categorize(values)
        values = np.where(codes >= 0, codes, np.nan).astype(float)
    missing = ~np.isfinite(values)
    if missing.all():
        return np.full(n, default)
    lo, hi = float(np.nanmin(values[~missing])), float(np.nanmax(values[~missing]))
    if hi <= lo:
        return np.full(n, default)
    t = (np.where(missing, lo, values) - lo) / (hi - lo)
    sizes = SIZE_RANGE[0] + t * (SIZE_RANGE[1] - SIZE_RANGE[0])
    return np.where(missing, default, sizes)


def shape_codes(table: Table, name: str | None) -> np.ndarray:
    """Symbol codes (into :data:`SYMBOLS`) by a categorical column's sorted values."""
    n = len(table)
    if not name or name not in column_choices(table):
        return np.zeros(n, dtype=int)
    labels = np.asarray([str(v) for v in table.column(name)])
    values = sorted(set(labels.tolist()))
    lookup = {v: i for i, v in enumerate(values)}
    return np.array([lookup[v] for v in labels], dtype=int)


def shape_columns(table: Table | None, max_values: int) -> list[str]:
    """Categorical columns usable for shapes: the class and text metas with 2 to
    ``max_values`` values (more shapes than that cannot be told apart)."""
    if table is None:
        return []
    names = [table.class_name] if table.has_class and table.class_name else []
    for name, values in table.metas.items():
        arr = np.asarray(values)
        if arr.dtype.kind in "OUSb" and name not in names:
            uniq = {str(v) for v in arr}
            if 1 < len(uniq) <= max_values:
                names.append(name)
    return names
