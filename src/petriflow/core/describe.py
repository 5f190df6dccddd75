"""Settings changes in words, for the undo stack ("Change linkage of Hierarchical
Clustering", "Select 3 rows in Data Table") — never field ids like ``selected_nodes``.

A settings field may carry, in its dataclass field metadata:

* ``label`` — how the field is called in a sentence ("number of folds"); without it
  the field name is read with spaces ("selection mode");
* ``selects`` — the field holds a selection, of what: ``("row", "rows")`` (or just the
  plural, "cells"): changing it reads "Select 3 rows in …" / "Clear the selection in …",
  and the fields changed along with it (a selection mode) are not named.

Headless so that the scripting API and tests can use the same words as the canvas.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

__all__ = ["describe_change", "selection_words", "setting_label", "setting_meta"]


def setting_meta(settings_cls: type, name: str) -> Mapping[str, Any]:
    """The dataclass field metadata of setting ``name`` (empty when there is none)."""
    if dataclasses.is_dataclass(settings_cls):
        for f in dataclasses.fields(settings_cls):
            if f.name == name:
                return f.metadata
    return {}


def setting_label(settings_cls: type, name: str) -> str:
    """How setting ``name`` is called in a sentence: its ``label``, else its name read
    with spaces ("selection_mode" -> "selection mode", "n_components" -> "number of
    components")."""
    label = setting_meta(settings_cls, name).get("label")
    if label:
        return str(label)
    words = name.replace("_", " ").strip()
    # "n_components" -> "number of components": the usual abbreviation, spelled out
    return "number of " + words[2:] if words.startswith("n ") else words


def selection_words(settings_cls: type, name: str, value: Any) -> tuple[int, str] | None:
    """For a ``selects`` field: how many things ``value`` selects and the right noun
    ("3 rows" -> ``(3, "rows")``); None for any other field. The undo stack and the
    report both count selections this way."""
    nouns = setting_meta(settings_cls, name).get("selects")
    if not nouns:
        return None
    one, many = (nouns if isinstance(nouns, tuple)
                 else (str(nouns).removesuffix("s"), str(nouns)))
    try:
        n = len(value)
    except TypeError:
        n = 0 if value is None else 1
    return n, (one if n == 1 else many)


def describe_change(settings_cls: type, title: str, changes: Mapping[str, Any]) -> str:
    """One undo-stack line for setting ``changes`` of the node titled ``title``."""
    for name, value in changes.items():
        counted = selection_words(settings_cls, name, value)
        if counted is not None:
            n, noun = counted
            if not n:
                return f"Clear the selection in {title}"
            return f"Select {n} {noun} in {title}"
    labels = [setting_label(settings_cls, name) for name in changes]
    if not labels:
        return f"Change {title}"
    joined = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    return f"Change {joined} of {title}"
