"""One-line summaries of values that flow on links ("37 images", "37×1000").

Kept free of Qt so it could move to core later; it lives here because only the canvas
shows it. Never touches the data beyond shape attributes: it runs on hover.
"""

from __future__ import annotations

from typing import Any

__all__ = ["summarize"]


def summarize(value: Any) -> str:
    """A short human description of a channel value (empty string for None)."""
    if value is None:
        return "no data"
    from petriflow.core.status import counted
    from petriflow.core.table import Table
    from petriflow.core.types import DistanceMatrix, EvaluationResults, Learner, Model

    if isinstance(value, Table):
        n, d = len(value), value.n_features
        noun = "image" if value.image_column is not None else "row"
        text = f"{counted(n, noun)}, {n}×{d}" if d else counted(n, noun)
        if value.has_class:
            text += ", " + counted(len(value.class_values), "class", "classes")
        return text
    if isinstance(value, DistanceMatrix):
        n = len(value)
        return f"{n}×{n} " + ("distance" if n == 1 else "distances")
    if isinstance(value, EvaluationResults):
        learners = ", ".join(value.learner_names)
        return f"results of {learners} on {counted(len(value), 'row')}"
    if isinstance(value, Learner | Model):
        return str(getattr(value, "name", "") or type(value).__name__)
    if isinstance(value, list | tuple):
        return counted(len(value), "value")
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"
