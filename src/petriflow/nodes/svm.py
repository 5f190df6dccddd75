"""SVM: a support vector machine classifier (Orange's SVM widget)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from petriflow.analysis.learners import SVMKernel, SVMLearner
from petriflow.core.types import Learner
from petriflow.nodes._learner import LearnerNode
from petriflow.nodes._shared import orange_learner_name

if TYPE_CHECKING:
    from petriflow.compat.orange.settings import Translation

#: Orange's kernel combo order (``kernel_type`` indices)
_ORANGE_KERNELS = ["linear", "poly", "rbf", "sigmoid"]


class SVM(LearnerNode):
    qualified_name = "petriflow.svm"
    name = "SVM"
    icon = "svm"
    description = "Support vector machine classifier with probability estimates."
    keywords = ("svm", "support vector machine", "kernel", "classifier", "model")
    priority = 30
    replaces = (
        "Orange.widgets.model.owsvm.OWSVM",
        "Orange.widgets.classify.owsvmclassification.OWSVMClassification",
    )

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Orange's SVM: C-SVM cost, kernel (combo index) and its parameters."""
        used = {"svm_type", "C", "epsilon", "nu", "nu_C", "kernel_type", "degree", "gamma",
                "coef0", "tol", "max_iter", "limit_iter", "learner_name"}
        orange_learner_name(s, t)
        if t.as_int(s.get("svm_type")) == 1:
            t.skip("svm_type", "ν-SVM is not available; a C-SVM with cost C is used")
        for key in ("C", "gamma", "coef0", "tol"):
            value = t.as_number(s.get(key))
            if value is not None:
                t.set(key, key, value)
        degree = t.as_int(s.get("degree"))
        if degree is not None:
            t.set("degree", "degree", max(1, degree))
        if "kernel_type" in s:
            t.pick("kernel_type", s["kernel_type"], _ORANGE_KERNELS, "kernel", "kernel")
        iters = t.as_int(s.get("max_iter"))
        if s.get("limit_iter") is False:
            t.set("limit_iter", "max_iter", 0)
        elif iters is not None:
            t.set("max_iter", "max_iter", max(1, iters))
        for key in ("epsilon", "nu", "nu_C"):  # regression / ν-SVM only
            if key in s:
                t.ignored.append(key)
        return used

    @dataclass
    class Settings:
        learner_name: str = "SVM"
        #: cost of a misclassified training row (larger = less regularization)
        C: float = field(default=1.0, metadata={"label": "cost (C)"})
        kernel: SVMKernel = "rbf"
        #: kernel coefficient; 0 = 1 / number of features (Orange's "auto")
        gamma: float = field(default=0.0, metadata={"label": "gamma (0 = auto)"})
        degree: int = field(default=3, metadata={"label": "polynomial degree"})
        coef0: float = field(default=1.0, metadata={"label": "kernel constant (coef0)"})
        tol: float = field(default=0.001, metadata={"label": "numerical tolerance"})
        #: iteration limit (0 = none)
        max_iter: int = field(default=100, metadata={"label": "iteration limit (0 = none)"})

    def make_learner(self, name: str) -> Learner:
        s = self.settings
        return SVMLearner(s.C, s.kernel, s.gamma, s.degree, s.coef0, s.tol, s.max_iter,
                          name=name)
