"""Predictions: apply fitted models to data (new images) and show what they predict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from petriflow.analysis.prediction import PredictionError, predict
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.core.types import EvaluationResults, Model
from petriflow.nodes._selection import restore_rows
from petriflow.nodes.data_table import DataTable

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


class Predictions(Node):
    qualified_name = "petriflow.predictions"
    name = "Predictions"
    category = "Evaluate"
    icon = "predictions"
    description = "Apply models to data: predicted class and class probabilities per row."
    keywords = ("predictions", "predict", "classify", "apply model", "new images")
    priority = 5
    inputs = (
        Input("Data", Table, default=True, id="data"),
        Input("Predictors", Model, multiple=True, required=False, id="predictors"),
    )
    outputs = (
        Output("Predictions", Table, default=True, id="predictions"),
        Output("Evaluation Results", EvaluationResults, id="evaluation_results"),
        Output("Selected Predictions", Table, id="selected_predictions", explicit=True),
    )
    replaces = ("Orange.widgets.evaluate.owpredictions.OWPredictions",)
    #: Orange's older channel names
    orange_channels: ClassVar[dict[str, dict[str, str]]] = {
        "inputs": {"Predictor": "Predictors", "Classifiers": "Predictors"}}

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Predictions: what it shows is chosen in the view here; the row
        selection is kept by position (Orange keeps no identity for it)."""
        used = {"selection", "show_probabilities", "show_probability_errors",
                "show_reg_errors", "show_scores", "score_table", "shown_probs",
                "target_class", "context_settings"}
        rows = s.get("selection")
        if isinstance(rows, list | tuple) and rows and all(
                t.as_int(r) is not None for r in rows):
            t.set("selection", "selected_rows", sorted({int(r) for r in rows}))
        for key in used - {"selection"}:
            if key in s:
                t.ignored.append(key)
        return used

    @dataclass
    class Settings(DataTable.Settings):
        """The Data Table's: selected rows (positions in the input, which are the
        Predictions rows) with their identity, and the column the view sorts by."""

    view_settings = ("sort_column", "sort_descending")

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        models = [m for m in (inputs.get("Predictors") or []) if m is not None]
        none = {"Predictions": None, "Evaluation Results": None, "Selected Predictions": None}
        if not models:
            progress.warn("Connect a model (e.g. the Model output of a learner) to predict.")
            return none
        progress(10, f"applying {len(models)} model(s) to {len(data)} rows")
        try:
            out = predict(data, models, check=cancel.check)
        except PredictionError as exc:
            raise NodeError(str(exc)) from None
        for _, why in out.skipped:
            progress.warn(why)
        for model in models:
            if data.y is not None and tuple(model.class_values) != tuple(data.class_values):
                progress.info(f"{model.name} predicts {', '.join(model.class_values)}; "
                              f"the data's classes are {', '.join(data.class_values)}.")
        if data.y is not None and out.results is None:
            progress.info("No row has a known class: no evaluation results.")
        s = self.settings
        # the selection names input rows: it survives retrained models (new columns)
        restored = restore_rows(data, s.selected_rows, s.selection_context,
                                base=self.context.workflow_dir)
        restored.report(progress)
        positions = [p for p in restored.selection if 0 <= int(p) < len(out.table)]
        if out.results is not None:
            scores = out.results.scores
            best = max(out.names, key=lambda n: scores[n]["CA"])
            progress(100, f"{counted(len(data), 'row')}; CA of {best}: {scores[best]['CA']:.3f}")
        else:
            progress(100, f"{counted(len(data), 'row')} predicted by "
                          f"{counted(len(out.names), 'model')}")
        return {"Predictions": out.table, "Evaluation Results": out.results,
                "Selected Predictions": out.table.take(positions) if positions else None}
