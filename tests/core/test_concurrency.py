"""The workflow and the scheduler under edits from several threads.

The scheduler's worker threads query the graph (topological order, ancestors, input
links) while the GUI thread edits it. Before the workflow took its lock for queries,
one thread querying while another removed and re-added links raised
``RuntimeError: dictionary changed size during iteration`` within a second or two.
Each test runs for a bounded time (a few seconds in all) and fails on the first
unexpected exception of any thread.
"""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest

from petriflow.core.scheduler import NodeState, Scheduler
from petriflow.core.workflow import LinkError, Workflow

from . import toy_nodes as toy
from .toy_nodes import AddOne, Source, Sum

#: what racing edits may legitimately answer (a link already there, already removed,
#: an input already taken, a node removed by the other thread)
EXPECTED = (LinkError, KeyError)


@pytest.fixture(autouse=True)
def _clear_log():
    toy.RUN_LOG.clear()
    yield
    toy.RUN_LOG.clear()


def run_threads(workers: list[Callable[[random.Random], None]], seconds: float) -> None:
    """Run each ``worker(rng)`` in a loop on its own thread for ``seconds``; re-raise
    the first unexpected exception."""
    stop = threading.Event()
    errors: list[BaseException] = []

    def loop(worker: Callable[[random.Random], None], seed: int) -> None:
        rng = random.Random(seed)
        try:
            while not stop.is_set():
                with contextlib.suppress(EXPECTED):
                    worker(rng)
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=loop, args=(w, i), daemon=True)
               for i, w in enumerate(workers)]
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(10)
        assert not t.is_alive(), "a thread did not stop"
    if errors:
        raise errors[0]


def diamond_workflow() -> tuple[Workflow, dict[str, str]]:
    """Two sources, a few Add nodes and a Sum: S0,S1 -> A0 -> A1 -> A2 -> M (and more)."""
    wf = Workflow()
    ids = {
        "S0": wf.add_node(Source, title="S0").id,
        "S1": wf.add_node(Source, title="S1", settings=Source.Settings(value=10)).id,
        "A0": wf.add_node(AddOne, title="A0").id,
        "A1": wf.add_node(AddOne, title="A1").id,
        "A2": wf.add_node(AddOne, title="A2").id,
        "A3": wf.add_node(AddOne, title="A3").id,
        "M": wf.add_node(Sum, title="M").id,
    }
    for a, b in (("S0", "A0"), ("A0", "A1"), ("A1", "A2"), ("A2", "A3"), ("A0", "M"),
                 ("A2", "M"), ("S1", "M")):
        channel = "Numbers" if b == "M" else "Number"
        wf.add_link(ids[a], "Number", ids[b], channel)
    return wf, ids


#: links the editing threads add and remove (some conflict: A0 takes one input)
CANDIDATES = (("S0", "A0"), ("S1", "A0"), ("A0", "A1"), ("S1", "A1"), ("A1", "A2"),
              ("A2", "A3"), ("A0", "M"), ("A2", "M"), ("S1", "M"), ("A3", "M"))


def toggle_link(wf: Workflow, ids: dict[str, str], rng: random.Random) -> None:
    """Remove, re-add, enable or disable one candidate link."""
    a, b = rng.choice(CANDIDATES)
    source, sink = ids[a], ids[b]
    existing = [lk for lk in wf.input_links(sink) if lk.source_id == source]
    if not existing:
        wf.add_link(source, "Number", sink, "Numbers" if b == "M" else "Number",
                    enabled=rng.random() < 0.8)
    elif rng.random() < 0.5:
        wf.remove_link(existing[0].id)
    else:
        wf.set_link_enabled(existing[0].id, not existing[0].enabled)


def change_settings(wf: Workflow, ids: dict[str, str], rng: random.Random) -> None:
    name = rng.choice(sorted(ids))
    if name.startswith("S"):
        wf.update_settings(ids[name], value=rng.randint(0, 50))
    elif name.startswith("A"):
        wf.update_settings(ids[name], amount=rng.randint(-3, 3))


def add_and_remove_node(wf: Workflow, ids: dict[str, str], rng: random.Random) -> None:
    """A short-lived node hanging off a random Add node (removed with its links)."""
    extra = wf.add_node(AddOne, title="extra")
    wf.add_link(ids[rng.choice(("A0", "A1", "A2"))], "Number", extra.id, "Number")
    time.sleep(rng.random() * 0.002)
    wf.remove_node(extra.id)


def check_order(wf: Workflow) -> None:
    """Every link of the (settled) workflow goes forward in the topological order."""
    position = {nid: i for i, nid in enumerate(wf.topological_order())}
    assert set(position) == {n.id for n in wf.nodes}
    for lk in wf.links:
        assert position[lk.source_id] < position[lk.sink_id]


def test_queries_while_two_threads_edit() -> None:
    wf, ids = diamond_workflow()
    queries = [0]

    def edit_links(rng: random.Random) -> None:
        toggle_link(wf, ids, rng)

    def edit_nodes(rng: random.Random) -> None:
        if rng.random() < 0.5:
            add_and_remove_node(wf, ids, rng)
        else:
            change_settings(wf, ids, rng)

    def query(rng: random.Random) -> None:
        nid = rng.choice(list(ids.values()))
        order = wf.topological_order()
        assert set(ids.values()) <= set(order)
        wf.descendants(nid)
        wf.ancestors(nid, enabled_only=False)
        wf.input_links(nid)
        wf.output_links(nid)
        wf.children(nid)
        snap = wf.snapshot()
        assert set(snap.order) == set(snap.nodes)
        queries[0] += 1

    run_threads([edit_links, edit_nodes, query], seconds=2.0)
    assert queries[0] > 100, "the query thread hardly ran"
    check_order(wf)
    assert [n.title for n in wf.nodes].count("extra") == 0


class RecordingExecutor(ThreadPoolExecutor):
    """A pool that keeps what its tasks raised (a plain pool would swallow it)."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers)
        self.errors: list[BaseException] = []

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        def recorded() -> Any:
            try:
                return fn(*args, **kwargs)
            except BaseException as exc:
                self.errors.append(exc)
                raise

        return super().submit(recorded)


def expected_outputs(wf: Workflow) -> dict[str, int | None]:
    """What each node outputs on the final graph, computed here from the rules."""
    out: dict[str, int | None] = {}
    for nid in wf.topological_order():
        node = wf.node(nid)
        values = [out[lk.source_id] for lk in wf.input_links(nid) if lk.enabled]
        if node.node_type is Source:
            out[nid] = node.settings.value
        elif node.node_type is AddOne:
            x = values[0] if values else None
            out[nid] = None if x is None else x + node.settings.amount
        else:  # Sum: the non-None inputs; waits (None) when there is none
            present = [v for v in values if v is not None]
            out[nid] = sum(present) if present else None
    return out


def test_scheduler_settles_after_edits_from_several_threads(caplog) -> None:
    wf, ids = diamond_workflow()
    for name in ("A0", "A1", "A2", "A3"):
        wf.update_settings(ids[name], delay=0.01)  # nodes are running while edits arrive
    caplog.set_level(logging.ERROR)
    pool = RecordingExecutor(max_workers=4)
    with Scheduler(wf, executor=pool) as sched:
        assert sched.wait(30)

        def links(rng: random.Random) -> None:
            toggle_link(wf, ids, rng)
            time.sleep(rng.random() * 0.001)

        def settings(rng: random.Random) -> None:
            change_settings(wf, ids, rng)
            time.sleep(rng.random() * 0.001)

        def nodes(rng: random.Random) -> None:
            add_and_remove_node(wf, ids, rng)
            time.sleep(rng.random() * 0.01)

        run_threads([links, links, settings, nodes], seconds=2.5)
        assert sched.wait(30), "the scheduler did not settle"
        check_order(wf)
        expected = expected_outputs(wf)
        got = {nid: sched.output(nid, "Number") for nid in expected}
        assert got == expected
        for nid in expected:
            assert sched.status(nid).state in (NodeState.DONE, NodeState.IDLE), nid
    pool.shutdown(wait=True)
    assert pool.errors == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
