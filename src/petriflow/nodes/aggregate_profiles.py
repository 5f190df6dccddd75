"""Aggregate Profiles: per-image features → one profile per treatment.

Mean (or median) profiling as in the profiling literature: group rows by columns (e.g.
compound + concentration), optionally normalise features per plate against negative
controls first, and keep the metadata that is constant within each group (e.g. the
MoA, which then becomes the class to predict).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from petriflow.analysis.profiles import (
    Aggregation,
    Normalization,
    ProfileError,
    aggregate_profiles,
)
from petriflow.core.node import CancelToken, Input, Node, NodeError, Output, Progress
from petriflow.core.status import counted
from petriflow.core.table import Table

__all__ = ["AggregateProfiles"]


class AggregateProfiles(Node):
    qualified_name = "petriflow.aggregate_profiles"
    name = "Aggregate Profiles"
    category = "Data"
    icon = "aggregate-profiles"
    description = ("Average features per group (e.g. compound + concentration), with "
                   "optional per-plate normalisation against controls.")
    keywords = ("aggregate", "group by", "profiles", "mean", "median", "treatment")
    priority = 40
    inputs = (Input("Data", Table, doc="rows with features (e.g. image embeddings)"),)
    outputs = (Output("Profiles", Table, default=True, doc="one row per group"),)

    @dataclass
    class Settings:
        group_by: list[str] = field(
            default_factory=lambda: ["compound", "concentration"],
            metadata={"edit": "names", "label": "group by",
                      "placeholder": "columns, separated by commas",
                      "help": "One profile per combination of these columns' values "
                              "(e.g. compound, concentration); comma-separated."})
        method: Aggregation = field(default="mean", metadata={
            "help": "How the features of a group's rows are combined."})
        normalization: Literal["none", Normalization] = field(default="none", metadata={
            "help": "Before aggregating, normalise each feature per plate against that "
                    "plate's control rows (zscore: subtract their mean, divide by their "
                    "standard deviation)."})
        plate_column: str = field(default="plate", metadata={
            "placeholder": "none: all rows are one plate",
            "help": "The column naming each row's plate (normalisation is per plate)."})
        control_column: str = field(default="compound", metadata={
            "help": "The column that marks the control rows."})
        control_value: str = field(default="DMSO", metadata={
            "help": "The value of the control column on control rows (e.g. DMSO)."})
        #: keep the control groups in the output (they are left out by default: they
        #: have no mechanism to predict)
        keep_controls: bool = field(default=False, metadata={
            "help": "Keep the control groups' profiles in the output (left out by "
                    "default: they have no mechanism to predict)."})
        #: make this column the class of the profiles ("" = keep the input's class)
        class_column: str = field(default="moa", metadata={
            "placeholder": "keep the input's class",
            "help": "Make this column the profiles' class (e.g. moa), to predict."})

    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        data: Table | None = inputs.get("Data")
        if data is None:
            return {"Profiles": None}
        s = self.settings
        class_column = s.class_column
        if class_column and class_column not in data.column_names:
            progress.warn(f"No column {class_column!r} for the class; the input's is kept.")
            class_column = ""
        try:
            out = aggregate_profiles(
                data, s.group_by, method=s.method, normalization=s.normalization,
                plate_column=s.plate_column, control_column=s.control_column,
                control_value=s.control_value, keep_controls=s.keep_controls,
                class_column=class_column,
            )
        except ProfileError as exc:
            msg = str(exc)
            raise NodeError(msg[0].upper() + msg[1:] + ".") from None
        progress(100, f"{counted(len(out), 'profile')} from {counted(len(data), 'row')}")
        return {"Profiles": out}
