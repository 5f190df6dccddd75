"""Confusion Matrix: actual × predicted counts; select cells to see their rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from petriflow.analysis.evaluation import confusion_values
from petriflow.analysis.selection import SELECTED_META, unique_name
from petriflow.core.node import CancelToken, Input, Node, Output, Progress
from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.core.types import EvaluationResults
from petriflow.nodes._selection import mark_unverified, restore_cells

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


class ConfusionMatrix(Node):
    qualified_name = "petriflow.confusion_matrix"
    name = "Confusion Matrix"
    category = "Evaluate"
    icon = "confusion-matrix"
    description = "Actual vs predicted classes; select cells to inspect misclassified rows."
    keywords = ("confusion matrix", "errors", "misclassified", "evaluation")
    priority = 20
    inputs = (
        Input("Evaluation Results", EvaluationResults, default=True, id="evaluation_results"),
    )
    outputs = (
        Output("Selected Data", Table, default=True, id="selected_data"),
        Output("Data", Table, id="annotated_data"),
    )
    replaces = ("Orange.widgets.evaluate.owconfusionmatrix.OWConfusionMatrix",)

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Confusion Matrix: learner, appended columns and selected cells."""
        used = {"selected_learner", "selection", "append_predictions", "append_probabilities"}
        sel = s.get("selected_learner")
        if isinstance(sel, list | tuple) and sel and t.as_int(sel[0]) is not None:
            t.set("selected_learner", "learner", int(sel[0]))
        for key in ("append_predictions", "append_probabilities"):
            if isinstance(s.get(key), bool):
                t.set(key, key, s[key])
        cells = t.context_values(s).get("selection", s.get("selection"))
        if isinstance(cells, list | tuple | set | frozenset):
            pairs = sorted([int(c[0]), int(c[1])] for c in cells
                           if isinstance(c, list | tuple) and len(c) == 2
                           and all(t.as_int(x) is not None for x in c))
            t.values["selected_cells"] = pairs
            t.carried["selection"] = f"selected_cells={pairs}"
        return used

    @dataclass
    class Settings:
        #: index of the learner in the evaluation results
        learner: int = 0
        #: what the view shows (outputs do not depend on it)
        show: Literal["counts", "proportion_predicted", "proportion_actual"] = "counts"
        #: selected cells as [actual class index, predicted class index] pairs
        selected_cells: list[list[int]] = field(default_factory=list,
                                                metadata={"selects": ("cell", "cells")})
        append_predictions: bool = True
        append_probabilities: bool = True
        #: what the cells were selected on (``nodes/_selection.py``): the evaluated rows
        #: and the cells by class name, so that they are restored only on that data
        selection_context: dict[str, Any] = field(default_factory=dict)

    settings_version = 2

    @classmethod
    def migrate_settings(cls, values: dict[str, Any], version: int) -> dict[str, Any]:
        """Version 1 saved cells as class positions only: not applied to unknown data."""
        return mark_unverified(values, "selected_cells") if version < 2 else values

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        res: EvaluationResults = inputs["Evaluation Results"]
        s = self.settings
        n_learners = len(res.learner_names)
        li = s.learner
        if not 0 <= li < n_learners:
            progress.warn(
                f"Learner {li} is not in the results ({n_learners} learner(s)); "
                f"showing {res.learner_names[0]!r}."
            )
            li = 0
        name = res.learner_names[li]
        k = len(res.class_values)
        restored = restore_cells(res.data, res.class_values, s.selected_cells,
                                 s.selection_context)
        restored.report(progress)
        cells = set()
        bad = 0
        for cell in restored.selection:
            if len(cell) == 2 and all(0 <= int(c) < k for c in cell):
                cells.add((int(cell[0]), int(cell[1])))
            else:
                bad += 1
        if bad:
            progress.warn(f"{bad} selected cell(s) are outside the {k}×{k} matrix; ignored.")
        predicted = res.predicted[li]
        mask = np.zeros(len(res), dtype=bool)
        for a, p in cells:
            mask |= (res.actual == a) & (predicted == p)

        table = res.data
        values = np.array(res.class_values, dtype=object)
        if s.append_predictions:
            table = table.with_meta(name, values[predicted])
        if s.append_probabilities:
            for c, value in enumerate(res.class_values):
                table = table.with_meta(f"p({value}) [{name}]", res.probabilities[li, :, c])
        flags = np.where(mask, "Yes", "No").astype(object)
        annotated = table.with_meta(unique_name(table.metas, SELECTED_META), flags)
        selected = table.take(mask) if mask.any() else None
        m = confusion_values(res, li, "counts")
        ca = float(np.trace(m) / m.sum()) if m.sum() else float("nan")
        progress(100, f"{name}: {counted(int(mask.sum()), 'row')} selected; accuracy {ca:.3f}")
        return {"Selected Data": selected, "Data": annotated}
