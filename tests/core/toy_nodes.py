"""Small nodes for engine tests: integers flow instead of tables, runs are recorded."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from petriflow.core.node import Input, Node, NodeError, Output
from petriflow.core.registry import NodeRegistry
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix

RUN_LOG: list[tuple[str, object]] = []
_log_lock = threading.Lock()


def record(title: str, value: object) -> None:
    with _log_lock:
        RUN_LOG.append((title, value))


@dataclass
class SourceSettings:
    value: int = 1
    delay: float = 0.0


class Source(Node):
    qualified_name = "tests.source"
    name = "Source"
    category = "Data"
    outputs = (Output("Number", int),)
    Settings = SourceSettings

    def run(self, inputs, progress, cancel):
        deadline = time.monotonic() + self.settings.delay
        while time.monotonic() < deadline:
            cancel.check()
            time.sleep(0.005)
        record(self.context.title, self.settings.value)
        return {"Number": self.settings.value}


@dataclass
class AddSettings:
    amount: int = 1
    delay: float = 0.0
    fail_on: int | None = None


class AddOne(Node):
    qualified_name = "tests.add"
    name = "Add"
    category = "Data"
    inputs = (Input("Number", int),)
    outputs = (Output("Number", int),)
    Settings = AddSettings

    def run(self, inputs, progress, cancel):
        x = inputs["Number"]
        steps = max(int(self.settings.delay / 0.005), 1)
        for i in range(steps):
            cancel.check()
            progress(100 * i / steps, "adding")
            if self.settings.delay:
                time.sleep(0.005)
        if self.settings.fail_on is not None and x == self.settings.fail_on:
            raise NodeError(f"refusing to add to {x}")
        record(self.context.title, x + self.settings.amount)
        return {"Number": x + self.settings.amount}


@dataclass
class SumSettings:
    labels: list[str] = field(default_factory=list)


class Sum(Node):
    qualified_name = "tests.sum"
    name = "Sum"
    category = "Data"
    inputs = (Input("Numbers", int, multiple=True),)
    outputs = (Output("Number", int),)
    Settings = SumSettings

    def run(self, inputs, progress, cancel):
        total = sum(inputs["Numbers"])
        record(self.context.title, total)
        return {"Number": total}


class Optional(Node):
    """Runs even without input: reports what it got."""

    qualified_name = "tests.optional"
    name = "Optional"
    inputs = (Input("Number", int, required=False),)
    outputs = (Output("Text", str),)

    def run(self, inputs, progress, cancel):
        record(self.context.title, inputs["Number"])
        return {"Text": repr(inputs["Number"])}


class TableSink(Node):
    qualified_name = "tests.table_sink"
    name = "Table Sink"
    inputs = (Input("Data", Table),)

    def run(self, inputs, progress, cancel):
        return {}


class Crash(Node):
    qualified_name = "tests.crash"
    name = "Crash"
    inputs = (Input("Number", int),)
    outputs = (Output("Number", int),)

    def run(self, inputs, progress, cancel):
        raise ZeroDivisionError("division by zero")


def registry() -> NodeRegistry:
    return NodeRegistry([Source, AddOne, Sum, Optional, TableSink, Crash])


@dataclass
class TableSourceSettings:
    n: int = 4
    label: str = "toy"


class TableSource(Node):
    qualified_name = "tests.table_source"
    name = "Table Source"
    outputs = (Output("Data", Table),)
    Settings = TableSourceSettings

    def run(self, inputs, progress, cancel):
        import numpy as np

        n = self.settings.n
        if n < 0:
            raise NodeError("n must not be negative")
        X = np.arange(n * 2, dtype=float).reshape(n, 2)
        return {"Data": Table.from_arrays(
            X, ["a", "b"], classes=["x" if i % 2 else "y" for i in range(n)],
            metas={"label": [f"{self.settings.label}{i}" for i in range(n)]})}


class ToDistances(Node):
    qualified_name = "tests.to_distances"
    name = "To Distances"
    inputs = (Input("Data", Table),)
    outputs = (Output("Distances", DistanceMatrix),)

    def run(self, inputs, progress, cancel):
        import numpy as np

        X = inputs["Data"].X
        D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
        return {"Distances": DistanceMatrix(D, inputs["Data"])}


def full_registry() -> NodeRegistry:
    return NodeRegistry([Source, AddOne, Sum, Optional, TableSink, Crash, TableSource,
                         ToDistances])
