"""Random Forest: an ensemble of randomized decision trees (Orange's Random Forest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from petriflow.analysis.learners import RandomForestLearner
from petriflow.core.types import Learner
from petriflow.nodes._learner import LearnerNode
from petriflow.nodes._shared import orange_learner_name

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


class RandomForest(LearnerNode):
    qualified_name = "petriflow.random_forest"
    name = "Random Forest"
    icon = "random-forest"
    description = "Random forest classifier (an ensemble of decision trees)."
    keywords = ("random forest", "trees", "ensemble", "classifier", "model")
    priority = 40
    replaces = (
        "Orange.widgets.model.owrandomforest.OWRandomForest",
        "Orange.widgets.classify.owrandomforest.OWRandomForest",
    )

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Random Forest: each limit is a value plus a "use it" check box."""
        used = {"n_estimators", "max_features", "use_max_features", "random_state",
                "use_random_state", "max_depth", "use_max_depth", "min_samples_split",
                "use_min_samples_split", "class_weight", "learner_name", "index_output"}
        orange_learner_name(s, t)
        n = t.as_int(s.get("n_estimators"))
        if n is not None:
            t.set("n_estimators", "n_estimators", max(1, n))
        for key, our in (("max_features", "max_features"), ("max_depth", "max_depth"),
                         ("min_samples_split", "min_samples_split")):
            use = s.get(f"use_{key}")
            value = t.as_int(s.get(key))
            if use is True and value is not None:
                t.set(key, our, max(2 if key == "min_samples_split" else 1, value))
            elif use is False:
                t.set(f"use_{key}", our, 2 if key == "min_samples_split" else 0)
        seed = t.as_int(s.get("random_state"))
        if s.get("use_random_state") is True and seed is not None:
            t.set("random_state", "random_state", seed)
        elif "use_random_state" in s:
            t.notes.append("Orange's forest was not replicable; Petriflow seeds it with 0")
        if isinstance(s.get("class_weight"), bool):
            t.set("class_weight", "class_weight_balanced", s["class_weight"])
        if "index_output" in s:
            t.ignored.append("index_output")
        return used

    @dataclass
    class Settings:
        learner_name: str = "Random Forest"
        n_estimators: int = field(default=10, metadata={"label": "number of trees"})
        #: features considered at each split (0 = square root of their number)
        max_features: int = field(default=0, metadata={"label": "features per split (0 = √n)"})
        #: 0 = grow trees fully
        max_depth: int = field(default=0, metadata={"label": "depth limit (0 = none)"})
        min_samples_split: int = field(default=5,
                                       metadata={"label": "do not split subsets smaller than"})
        random_state: int = field(default=0, metadata={"label": "random seed"})
        class_weight_balanced: bool = field(default=False,
                                            metadata={"label": "balanced class weights"})

    def make_learner(self, name: str) -> Learner:
        s = self.settings
        return RandomForestLearner(s.n_estimators, s.max_features, s.max_depth,
                                   s.min_samples_split, s.random_state,
                                   s.class_weight_balanced, name=name)
