"""Naive Bayes: a fast probabilistic classifier (Orange's Naive Bayes widget)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from petriflow.analysis.learners import NaiveBayesLearner
from petriflow.core.types import Learner
from petriflow.nodes._learner import LearnerNode
from petriflow.nodes._shared import orange_learner_name

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation


class NaiveBayes(LearnerNode):
    qualified_name = "petriflow.naive_bayes"
    name = "Naive Bayes"
    icon = "naive-bayes"
    description = "Gaussian naive Bayes classifier (features assumed independent)."
    keywords = ("naive bayes", "bayes", "probabilistic", "classifier", "model")
    priority = 60
    replaces = (
        "Orange.widgets.model.ownaivebayes.OWNaiveBayes",
        "Orange.widgets.classify.ownaivebayes.OWNaiveBayes",
    )

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's Naive Bayes has only its name; it discretizes features, we do not."""
        orange_learner_name(s, t)
        t.notes.append("Petriflow's Naive Bayes models continuous features as Gaussians "
                       "(Orange discretizes them), so probabilities can differ")
        return {"learner_name"}

    @dataclass
    class Settings:
        learner_name: str = "Naive Bayes"

    def make_learner(self, name: str) -> Learner:
        return NaiveBayesLearner(name=name)
