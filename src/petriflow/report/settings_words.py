"""A node's settings in words for a report, per node type: what does not apply is
left out, what an empty or coded value means is said.

Why beside :func:`petriflow.report.words.describe_settings` (which reads any settings
dataclass from its field metadata): some words need to know the node — the number of
folds means nothing under random sampling, a Confusion Matrix's learner 0 is "Logistic
Regression", Select Rows' conditions read "image name contains -0". Headless, like
the rest of :mod:`petriflow.report`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from petriflow.core.status import counted
from petriflow.core.types import EvaluationResults
from petriflow.report.words import describe_settings, describe_value

__all__ = ["EMPTY_MEANS", "node_settings"]

#: what an empty setting means, by field name, wherever it appears (the nodes'
#: settings say so in their comments): "image column: the data's image column" reads
#: better than "image column: (not set)"
EMPTY_MEANS = {
    "image_column": "the data's image column",
    "title_column": "the image name",
    "cluster": "none (runs in this process)",
    "target_class": "weighted average over classes",
    "data_key": "row index",
    "extra_key": "row index",
}

#: settings that do not apply given the others (e.g. the number of folds when the
#: resampling is random sampling): left out of the report, where they would mislead
_UNUSED: dict[str, Callable[[Any], set[str]]] = {}
#: settings that read better with the inputs' help (a learner's name, not its index)
_WORDED: dict[str, Callable[[Any, Mapping[str, Any]], dict[str, str]]] = {}


def node_settings(qualified_name: str, settings: Any, inputs: Mapping[str, Any],
                  view_fields: Collection[str] = ()) -> list[str]:
    """The settings in words, without those that do not apply and without the view's
    own fields left empty (``view_fields``: the node type's ``view_settings``)."""
    unused = _UNUSED.get(qualified_name)
    worded = _WORDED.get(qualified_name)
    words = {name: meaning for name, meaning in EMPTY_MEANS.items()
             if getattr(settings, name, None) == ""}
    if worded:
        words.update(worded(settings, inputs))
    return describe_settings(
        settings, hidden=unused(settings) if unused else (),
        view_fields=view_fields, worded=words)


def _unused_test_and_score(s: Any) -> set[str]:
    method = getattr(s, "resampling", "")
    unused = {"fold_column"} if method != "cross_validation_by_feature" else set()
    if method not in ("cross_validation",):
        unused |= {"n_folds", "stratified"}
    if method != "random_sampling":
        unused |= {"n_repeats", "train_size"}
    if not getattr(s, "use_rope", False):
        unused.add("rope")
    return unused


def _unused_clustering(s: Any) -> set[str]:
    mode = getattr(s, "selection_mode", "manual")
    return {"manual": {"cut_ratio", "top_n"},
            "height_ratio": {"selected_nodes", "top_n"},
            "top_n": {"selected_nodes", "cut_ratio"}}.get(mode, set())


def _worded_confusion(s: Any, inputs: Mapping[str, Any]) -> dict[str, str]:
    res = inputs.get("Evaluation Results")
    index = int(getattr(s, "learner", 0))
    if isinstance(res, EvaluationResults) and 0 <= index < len(res.learner_names):
        return {"learner": res.learner_names[index]}
    return {}


_OPERATORS = {"==": "is", "!=": "is not", "in": "is one of", "not in": "is none of"}


def _worded_select_rows(s: Any, inputs: Mapping[str, Any]) -> dict[str, str]:
    words = []
    for c in getattr(s, "conditions", []) or []:
        value = c.get("value")
        if isinstance(value, (list, tuple)) and c.get("op") in ("between", "outside"):
            shown = " and ".join(describe_value(v) for v in value)
        else:
            shown = describe_value(value) if value not in (None, "") else ""
        words.append(" ".join(p for p in (str(c.get("column", "?")),
                                          _OPERATORS.get(c.get("op"), c.get("op", "")),
                                          shown) if p))
    joined = "; ".join(words[:4]) if words else "none (every row matches)"
    if len(words) > 4:
        joined += f"; and {len(words) - 4} more"
    return {"conditions": joined}


def _worded_select_columns(s: Any, inputs: Mapping[str, Any]) -> dict[str, str]:
    roles = getattr(s, "roles", {}) or {}
    if not roles:
        return {"roles": "as in the data"}
    named = [f"{column} → {role}" for column, role in list(roles.items())[:4]]
    more = f"; and {len(roles) - 4} more" if len(roles) > 4 else ""
    return {"roles": "; ".join(named) + more}


def _worded_annotate(s: Any, inputs: Mapping[str, Any]) -> dict[str, str]:
    labels = getattr(s, "labels", {}) or {}
    n = sum(1 for v in labels.values() if v)
    return {"labels": f"{counted(n, 'image')} labelled" if n else "none yet"}


def _worded_grid(s: Any, inputs: Mapping[str, Any]) -> dict[str, str]:
    return {name: "automatic" for name in ("rows", "columns") if not getattr(s, name, 0)}


_UNUSED.update({
    "petriflow.test_and_score": _unused_test_and_score,
    "petriflow.hierarchical_clustering": _unused_clustering,
})
_WORDED.update({
    "petriflow.confusion_matrix": _worded_confusion,
    "petriflow.select_rows": _worded_select_rows,
    "petriflow.annotate_images": _worded_annotate,
    "petriflow.image_grid": _worded_grid,
    "petriflow.select_columns": _worded_select_columns,
})
