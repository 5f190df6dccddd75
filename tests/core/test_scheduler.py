"""Propagation semantics of the scheduler, on toy integer nodes."""

from __future__ import annotations

import threading
import time

import pytest

from petriflow.core.scheduler import NodeState, Scheduler
from petriflow.core.workflow import Workflow

from . import toy_nodes as toy
from .toy_nodes import AddOne, Crash, Optional, Source, Sum


@pytest.fixture(autouse=True)
def _clear_log():
    toy.RUN_LOG.clear()
    yield
    toy.RUN_LOG.clear()


def chain(n_add: int = 2, value: int = 1):
    wf = Workflow()
    src = wf.add_node(Source, title="S", settings=Source.Settings(value=value))
    prev = src
    nodes = [src]
    for i in range(n_add):
        node = wf.add_node(AddOne, title=f"A{i}")
        wf.add_link(prev.id, "Number", node.id, "Number")
        nodes.append(node)
        prev = node
    return wf, nodes


def test_runs_in_topological_order_and_each_node_once():
    wf, (s, a0, a1) = chain()
    with Scheduler(wf) as sch:
        assert sch.wait(10)
        assert toy.RUN_LOG == [("S", 1), ("A0", 2), ("A1", 3)]
        assert sch.output(a1.id, "Number") == 3
        assert all(sch.status(n.id).state is NodeState.DONE for n in (s, a0, a1))
        assert [sch.status(n.id).runs for n in (s, a0, a1)] == [1, 1, 1]


def test_setting_change_reruns_node_and_descendants_only():
    wf = Workflow()
    s1 = wf.add_node(Source, title="S1", settings=Source.Settings(value=1))
    s2 = wf.add_node(Source, title="S2", settings=Source.Settings(value=10))
    a = wf.add_node(AddOne, title="A")
    b = wf.add_node(AddOne, title="B")
    wf.add_link(s1.id, "Number", a.id, "Number")
    wf.add_link(s2.id, "Number", b.id, "Number")
    with Scheduler(wf) as sch:
        assert sch.wait(10)
        toy.RUN_LOG.clear()
        wf.update_settings(s1.id, value=5)
        assert sch.wait(10)
        assert sorted(toy.RUN_LOG) == [("A", 6), ("S1", 5)]
        assert sch.output(b.id, "Number") == 11


def test_diamond_waits_for_all_inputs_to_settle():
    wf = Workflow()
    s = wf.add_node(Source, title="S", settings=Source.Settings(value=1))
    fast = wf.add_node(AddOne, title="fast")
    slow = wf.add_node(AddOne, title="slow", settings=AddOne.Settings(delay=0.2))
    total = wf.add_node(Sum, title="sum")
    wf.add_link(s.id, "Number", fast.id, "Number")
    wf.add_link(s.id, "Number", slow.id, "Number")
    wf.add_link(fast.id, "Number", total.id, "Numbers")
    wf.add_link(slow.id, "Number", total.id, "Numbers")
    with Scheduler(wf) as sch:
        assert sch.wait(10)
        # the sum ran exactly once, after both branches, with both values
        assert [v for t, v in toy.RUN_LOG if t == "sum"] == [4]
        assert sch.status(total.id).runs == 1


def test_independent_branches_run_concurrently():
    # Each run waits at a two-party barrier: both pass only if the two branches are
    # running at the same time (run one after the other, the first would time out).
    # How much faster than serial they finish is benchmarks/scheduler_timing.py's job.
    meet = threading.Barrier(2)

    class Meet(Source):
        def run(self, inputs, progress, cancel):
            meet.wait(timeout=10)
            return super().run(inputs, progress, cancel)

    wf = Workflow()
    nodes = [wf.add_node(Meet, title=f"S{i}", settings=Source.Settings(value=i))
             for i in range(2)]
    with Scheduler(wf, max_workers=2) as sch:
        assert sch.wait(20)
        assert [sch.output(n.id, "Number") for n in nodes] == [0, 1]
    assert not meet.broken


def test_work_runs_off_the_callers_thread():
    threads = []

    class Probe(Source):
        def run(self, inputs, progress, cancel):
            threads.append(threading.current_thread().name)
            return super().run(inputs, progress, cancel)

    wf = Workflow()
    wf.add_node(Probe, title="probe")
    with Scheduler(wf) as sch:
        assert sch.wait(10)
    assert threads and threads[0].startswith("petriflow-node")
    assert threads[0] != threading.current_thread().name


def test_superseded_run_is_cancelled_and_its_result_discarded():
    wf = Workflow()
    s = wf.add_node(Source, title="S", settings=Source.Settings(value=1))
    # a run far longer than the waits below: they only succeed if it was cancelled
    slow = wf.add_node(AddOne, title="slow", settings=AddOne.Settings(delay=60.0))
    wf.add_link(s.id, "Number", slow.id, "Number")
    outputs = []
    with Scheduler(wf) as sch:
        sch.add_output_listener(lambda nid, outs: outputs.append((nid, outs.get("Number"))))
        deadline = time.monotonic() + 5
        while sch.status(slow.id).state is not NodeState.RUNNING:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        wf.update_settings(slow.id, delay=0.0, amount=100)
        assert sch.wait(10)  # the 60 s run was cancelled, not awaited
    # the first run never produced output; only the superseding run's value came out
    assert [v for nid, v in outputs if nid == slow.id] == [101]
    assert ("slow", 2) not in toy.RUN_LOG


def test_removing_a_link_delivers_none():
    wf, (_s, a0, a1) = chain(2)
    with Scheduler(wf) as sch:
        assert sch.wait(10)
        link = wf.input_links(a0.id)[0]
        wf.remove_link(link.id)
        assert sch.wait(10)
        assert sch.inputs(a0.id)["Number"] is None
        assert sch.outputs(a0.id) == {}
        assert sch.outputs(a1.id) == {}  # None propagates down the chain
        assert sch.status(a0.id).state is NodeState.IDLE
        assert "Waiting for input: Number" in sch.status(a0.id).message


def test_disabling_a_link_delivers_none_and_enabling_restores():
    wf, (_s, a0) = chain(1)
    link = wf.links[0]
    with Scheduler(wf) as sch:
        assert sch.wait(10)
        wf.set_link_enabled(link.id, False)
        assert sch.wait(10)
        assert sch.output(a0.id, "Number") is None
        wf.set_link_enabled(link.id, True)
        assert sch.wait(10)
        assert sch.output(a0.id, "Number") == 2


def test_optional_input_runs_with_none():
    wf = Workflow()
    opt = wf.add_node(Optional, title="opt")
    with Scheduler(wf) as sch:
        assert sch.wait(10)
        assert sch.output(opt.id, "Text") == "None"


def test_multiple_inputs_in_link_order_and_removal():
    wf = Workflow()
    srcs = [wf.add_node(Source, title=f"S{i}", settings=Source.Settings(value=v))
            for i, v in enumerate((1, 10, 100))]
    total = wf.add_node(Sum, title="sum")
    links = [wf.add_link(s.id, "Number", total.id, "Numbers") for s in srcs]
    with Scheduler(wf) as sch:
        assert sch.wait(10)
        assert sch.inputs(total.id)["Numbers"] == [1, 10, 100]
        assert sch.output(total.id, "Number") == 111
        wf.remove_link(links[1].id)
        assert sch.wait(10)
        assert sch.inputs(total.id)["Numbers"] == [1, 100]
        assert sch.output(total.id, "Number") == 101


def test_pause_resume_and_step():
    wf, (s, a0, _a1) = chain(2)
    with Scheduler(wf, paused=True) as sch:
        assert sch.wait(2)
        assert toy.RUN_LOG == []
        assert sch.step() == s.id
        assert sch.wait(5)
        assert toy.RUN_LOG == [("S", 1)]
        assert sch.step() == a0.id
        assert sch.wait(5)
        assert toy.RUN_LOG == [("S", 1), ("A0", 2)]
        sch.resume()
        assert sch.wait(5)
        assert toy.RUN_LOG[-1] == ("A1", 3)
        assert not sch.paused


def test_node_error_is_reported_and_the_rest_goes_on():
    wf = Workflow()
    s = wf.add_node(Source, title="S", settings=Source.Settings(value=3))
    bad = wf.add_node(AddOne, title="bad", settings=AddOne.Settings(fail_on=3))
    after = wf.add_node(AddOne, title="after")
    crash = wf.add_node(Crash, title="crash")
    other = wf.add_node(AddOne, title="other")
    wf.add_link(s.id, "Number", bad.id, "Number")
    wf.add_link(bad.id, "Number", after.id, "Number")
    wf.add_link(s.id, "Number", crash.id, "Number")
    wf.add_link(s.id, "Number", other.id, "Number")
    with Scheduler(wf) as sch:
        assert sch.wait(10)
        assert sch.status(bad.id).state is NodeState.ERROR
        assert sch.status(bad.id).message == "refusing to add to 3"
        assert sch.status(crash.id).state is NodeState.ERROR
        assert "ZeroDivisionError" in sch.status(crash.id).message
        assert sch.status(after.id).state is NodeState.IDLE
        assert sch.output(other.id, "Number") == 4
        # fixing the input recovers the failed branch
        wf.update_settings(s.id, value=4)
        assert sch.wait(10)
        assert sch.output(after.id, "Number") == 6


def test_progress_is_reported_while_running():
    wf = Workflow()
    s = wf.add_node(Source, title="S")
    a = wf.add_node(AddOne, title="A", settings=AddOne.Settings(delay=0.3))
    wf.add_link(s.id, "Number", a.id, "Number")
    states = []
    with Scheduler(wf) as sch:
        sch.add_status_listener(lambda nid, st: states.append((nid, st.state, st.progress)))
        assert sch.wait(10)
    running = [p for nid, st, p in states if nid == a.id and st is NodeState.RUNNING]
    assert len(running) >= 2 and max(running) > 0


def test_removing_a_running_node_is_safe():
    wf = Workflow()
    s = wf.add_node(Source, title="S", settings=Source.Settings(delay=1.0))
    a = wf.add_node(AddOne, title="A")
    wf.add_link(s.id, "Number", a.id, "Number")
    with Scheduler(wf) as sch:
        time.sleep(0.1)
        wf.remove_node(s.id)
        assert sch.wait(5)
        assert sch.status(a.id).state is NodeState.IDLE


def test_new_node_and_link_after_start_propagate():
    wf, (s,) = chain(0)
    with Scheduler(wf) as sch:
        assert sch.wait(5)
        a = wf.add_node(AddOne, title="late")
        assert sch.wait(5)
        assert sch.status(a.id).state is NodeState.IDLE
        wf.add_link(s.id, "Number", a.id, "Number")
        assert sch.wait(5)
        assert sch.output(a.id, "Number") == 2


def test_user_cancel_stops_the_run_without_restarting_it():
    wf = Workflow()
    s = wf.add_node(Source, title="S", settings=Source.Settings(value=1))
    slow = wf.add_node(AddOne, title="slow", settings=AddOne.Settings(delay=60.0))
    after = wf.add_node(AddOne, title="after")
    wf.add_link(s.id, "Number", slow.id, "Number")
    wf.add_link(slow.id, "Number", after.id, "Number")
    with Scheduler(wf) as sch:
        deadline = time.monotonic() + 5
        while sch.status(slow.id).state is not NodeState.RUNNING:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert not sch.cancel(s.id)  # not running: nothing to cancel
        assert sch.cancel(slow.id)
        assert sch.wait(5)  # the 60 s run stopped; its latency: benchmarks/scheduler_timing.py
        status = sch.status(slow.id)
        assert (status.state, status.message) == (NodeState.IDLE, "Cancelled")
        assert sch.outputs(slow.id) == {}
        assert sch.status(after.id).state is NodeState.IDLE  # got None downstream
        assert ("slow", 2) not in toy.RUN_LOG
        # a later change runs it again normally
        wf.update_settings(slow.id, delay=0.0)
        assert sch.wait(5)
        assert sch.output(after.id, "Number") == 3
