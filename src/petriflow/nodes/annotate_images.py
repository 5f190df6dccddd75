"""Annotate Images: label images by eye into classes the user makes (beyond Orange).

Why a node: labelling is the step biologists spend most time on (CellProfiler Analyst
and ilastik are built around it) and Orange has no place for it; here the labels
become a class column that Test and Score and the learners take directly, and each
round can ask a model which images it is least sure of, so the next labels teach it
most (``analysis/uncertainty.py``).

Labels are settings, saved in the workflow and keyed by each image's identity — its
path relative to the workflow's folder when inside it, as ``nodes/_selection.py``
keys selections — never by row position: a re-scanned folder with new files, another
order, or the workflow opened as an untitled copy (absolute paths) keeps every label.
Labels of images that are gone are kept (the folder may come back) and counted in a
note.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from petriflow.analysis.learners import LearnerError
from petriflow.analysis.prediction import feature_mismatch
from petriflow.analysis.uncertainty import (
    UNCERTAINTY_MEASURES,
    UncertaintyMeasure,
    least_sure_order,
    uncertainty,
)
from petriflow.core.node import CancelToken, Input, Node, Output, Progress
from petriflow.core.table import Table
from petriflow.core.types import Learner, Model
from petriflow.nodes._selection import _same_file, row_keys
from petriflow.nodes._shared import check_choice

__all__ = ["AnnotateImages", "class_values_of", "label_of_rows", "matched_keys",
           "model_proba"]

#: the meta column the Unlabelled Data gets when a model ranks it
UNCERTAINTY_COLUMN = "uncertainty"


def matched_keys(table: Table, labels: Mapping[str, str],
                 base: Path | str | None = None) -> list[str]:
    """For each row, the saved key its label is stored under ("" when unlabelled).

    A saved relative key also matches the same file reached by an absolute path (and
    the other way round), so labels made in a saved workflow hold in its untitled copy;
    the view needs the key itself to replace or remove such a label.
    """
    keys = row_keys(table, base)
    out = [k if labels.get(k) else "" for k in keys]
    present = set(keys)
    rest = [k for k in labels if k.startswith("file:") and labels[k] and k not in present]
    if rest and not all(out):
        by_name: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            if not out[i]:
                by_name.setdefault(key.rsplit("/", 1)[-1], []).append(i)
        for key in rest:
            for i in by_name.get(key.rsplit("/", 1)[-1], ()):
                if not out[i] and _same_file(key, keys[i]):
                    out[i] = key
                    break
    return out


def label_of_rows(table: Table, labels: Mapping[str, str],
                  base: Path | str | None = None) -> list[str]:
    """Each row's label ("" when unlabelled), found by the row's identity."""
    return [str(labels[k]) if k else "" for k in matched_keys(table, labels, base)]


def class_values_of(class_names: Sequence[str], labels: Mapping[str, str]) -> list[str]:
    """The classes in the user's order, then any a label names that the list lacks (a
    hand-edited file): a label is never dropped silently."""
    values = [str(c) for c in class_names if str(c)]
    extra = sorted({str(v) for v in labels.values() if v and str(v) not in values})
    return values + extra


def model_proba(model: Model, table: Table) -> tuple[np.ndarray | None, str]:
    """The model's class probabilities for ``table``, or (None, why it cannot rank):
    a model of another embedder is named with its columns, not a scikit-learn error."""
    why = feature_mismatch(model, table)
    if why:
        return None, why
    try:
        return np.asarray(model.predict_proba(table), dtype=np.float64), ""
    except ValueError as exc:
        return None, f"{model.name} cannot be applied to these images: {exc}"


class AnnotateImages(Node):
    qualified_name = "petriflow.annotate_images"
    name = "Annotate Images"
    category = "Images"
    icon = "annotate-images"
    description = ("Label images by eye into classes you make; with a model connected, "
                   "label the images it is least sure of first.")
    keywords = ("annotate", "label", "classes", "active learning", "ground truth", "tag")
    priority = 35
    inputs = (
        Input("Data", Table, default=True, id="data"),
        Input("Model", Model, required=False, id="model"),
        Input("Learner", Learner, required=False, id="learner"),
    )
    outputs = (
        Output("Labelled Data", Table, default=True, id="labelled_data"),
        Output("Unlabelled Data", Table, id="unlabelled_data"),
        Output("Model", Model, id="model"),
    )

    @dataclass
    class Settings:
        #: the classes, in the order of the view's buttons (keys 1–9, 0)
        class_names: list[str] = field(default_factory=list)
        #: image identity (``nodes/_selection.row_keys``) -> class name
        labels: dict[str, str] = field(default_factory=dict)
        #: name of the class column of Labelled Data
        class_column: str = "label"
        #: with a model (or a learner) connected, Unlabelled Data (and the view) least
        #: sure first
        least_sure_first: bool = False
        #: one of ``analysis.uncertainty.UNCERTAINTY_MEASURES``
        uncertainty_measure: UncertaintyMeasure = "least_confident"
        #: thumbnail edge in pixels
        thumbnail_size: int = 100

    view_settings = ("thumbnail_size",)

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table = inputs["Data"]
        model: Model | None = inputs.get("Model")
        s = self.settings
        check_choice(s.uncertainty_measure, UNCERTAINTY_MEASURES, "uncertainty measure")
        labels = label_of_rows(data, s.labels, self.context.workflow_dir)
        cancel.check()
        found = sum(1 for lab in labels if lab)
        gone = sum(1 for v in s.labels.values() if v) - found
        if gone > 0:
            progress.info(f"{gone} labelled image(s) are not in this data; their labels "
                          "are kept.")
        labelled = [i for i, lab in enumerate(labels) if lab]
        unlabelled = [i for i, lab in enumerate(labels) if not lab]
        values = class_values_of(s.class_names, s.labels)
        name = s.class_column or "label"
        out_labelled = None
        if labelled:
            rows = data.take(labelled)
            if rows.has_class and rows.class_name != name:
                rows = rows.with_meta(str(rows.class_name), rows.class_labels())  # kept
            out_labelled = rows.with_class([labels[i] for i in labelled], name, values)
        out_unlabelled = data.take(unlabelled) if unlabelled else None
        trained = self._train(inputs.get("Learner"), out_labelled, progress)
        if model is None:
            model = trained  # the loop without a cycle: label, retrain, rank, label
        if out_unlabelled is not None and model is not None:
            proba, why = model_proba(model, out_unlabelled)
            if proba is None:
                progress.warn(why)
            else:
                measure = s.uncertainty_measure
                out_unlabelled = out_unlabelled.with_meta(
                    UNCERTAINTY_COLUMN, uncertainty(proba, measure))
                if s.least_sure_first:
                    out_unlabelled = out_unlabelled.take(least_sure_order(proba, measure))
        counts = ", ".join(f"{v}: {sum(1 for lab in labels if lab == v)}" for v in values)
        progress(100, f"{found} of {len(data)} images labelled" + (f" ({counts})"
                                                                    if counts else ""))
        return {"Labelled Data": out_labelled, "Unlabelled Data": out_unlabelled,
                "Model": trained}

    @staticmethod
    def _train(learner: Learner | None, labelled: Table | None,
               progress: Progress) -> Model | None:
        """The connected learner fitted on the labelled images, once two classes have
        labels. Why here: a learner's Model fed back into this node would be a cycle,
        which a workflow cannot have; with the Learner input each new label retrains the
        model that ranks the rest."""
        if learner is None:
            return None
        if labelled is None or labelled.y is None or len(set(labelled.y.tolist())) < 2:
            progress.info(f"{learner.name} is trained once images of two classes are "
                          "labelled.")
            return None
        if labelled.n_features == 0:
            progress.warn("The images have no features to learn from: embed them with "
                          "Image Embedder first.")
            return None
        progress(50, f"training {learner.name} on {len(labelled)} labelled images")
        try:
            return learner.fit(labelled)
        except LearnerError as exc:
            progress.warn(f"{learner.name} could not be trained: {exc}")
            return None

