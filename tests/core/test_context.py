"""What a host chooses is passed in, not set as a module flag: run options and the memo
reach every run through its NodeContext, and a workflow keeps the registry it was read
with."""

from __future__ import annotations

import gc
from dataclasses import dataclass

import numpy as np

from petriflow.core.memo import RunMemo
from petriflow.core.node import NodeContext, Output, RunOptions
from petriflow.core.ows import parse_workflow, workflow_to_bytes
from petriflow.core.registry import NodeRegistry, default_registry
from petriflow.core.scheduler import Scheduler
from petriflow.core.types import DistanceMatrix
from petriflow.core.workflow import Workflow

from . import toy_nodes as toy

SEEN: list[NodeContext] = []


@dataclass
class ProbeSettings:
    label: str = ""


class Probe(toy.Source):
    """Records the context of each run."""

    qualified_name = "tests.probe"
    name = "Probe"
    outputs = (Output("Number", int),)
    Settings = ProbeSettings

    def run(self, inputs, progress, cancel):
        SEEN.append(self.context)
        return {"Number": 1}


def test_each_run_gets_the_schedulers_options_and_memo() -> None:
    SEEN.clear()
    wf = Workflow()
    node = wf.add_node(Probe)
    options = RunOptions(embedding="worker_process")
    with Scheduler(wf, options=options) as sched:
        assert sched.wait(10)
        wf.update_settings(node.id, label="again")
        assert sched.wait(10)
        memo = sched.memo
    assert len(SEEN) == 2
    assert all(c.options is options and c.memo is memo for c in SEEN)
    with Scheduler(wf) as other:  # a second scheduler: its own memo, default options
        assert other.wait(10)
        assert other.memo is not memo
        assert SEEN[-1].options == RunOptions(embedding="in_process")
        assert SEEN[-1].memo is other.memo


def test_memo_computes_once_per_object_and_key_and_forgets_dead_objects() -> None:
    memo = RunMemo()
    calls: list[str] = []
    dm = DistanceMatrix(np.zeros((3, 3), dtype=np.float32))
    twin = DistanceMatrix(np.zeros((3, 3), dtype=np.float32))  # equal values, new object
    for _ in range(3):
        assert memo.get(dm, "ward", lambda: calls.append("ward") or 1) == 1
    assert memo.get(dm, "average", lambda: calls.append("average") or 2) == 2
    assert memo.get(twin, "ward", lambda: calls.append("twin") or 3) == 3
    assert calls == ["ward", "average", "twin"]
    assert len(memo) == 2
    del dm
    gc.collect()
    assert len(memo) == 1
    memo.clear()
    assert len(memo) == 0


def test_workflow_keeps_the_registry_it_was_read_with() -> None:
    assert Workflow().registry is default_registry()
    reg = NodeRegistry([toy.Source, toy.AddOne])
    wf = Workflow(registry=reg)
    a = wf.add_node(toy.Source, title="A")
    b = wf.add_node(toy.AddOne, title="B")
    wf.add_link(a.id, "Number", b.id, "Number")
    loaded = parse_workflow(workflow_to_bytes(wf), registry=reg)
    assert loaded.registry is reg
    assert [n.node_type for n in loaded.nodes] == [toy.Source, toy.AddOne]
    # the built-in registry does not know the toy nodes: they load as placeholders
    builtin = parse_workflow(workflow_to_bytes(wf))
    assert builtin.registry is default_registry()
    assert all(n.is_placeholder for n in builtin.nodes)
