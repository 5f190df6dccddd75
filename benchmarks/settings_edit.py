"""How long a settings edit takes on the caller's (GUI) thread, on 20 and 200 nodes.

Why: an edit runs ``Workflow.set_settings`` and the scheduler's reaction to it (mark the
node and its descendants dirty, then one pump that decides what may start) on the
thread that made the edit, which in the app is the GUI thread. Before the adjacency
index every graph query scanned every link and the pump asked for each dirty node's
ancestors, so the cost grew with the cube of the workflow's size (issue 13: 1.1 ms on
20 nodes, 260 ms on 200).

The workflows are chains and binary trees of toy nodes (a source and "add" nodes that
return at once) with a running :class:`Scheduler`, as in the app, and a status listener
that does what the Qt bridge does on the caller's thread (take the status, queue it).
Each edit changes a setting of one node, is timed until ``update_settings`` returns,
and the scheduler is left to settle (untimed) before the next one. Two targets:

* ``root``: the source, so every node becomes dirty (the cost is then linear in the
  number of nodes at best: each node's status changes to queued and is reported);
* ``leaf``: a node without descendants (the graph's size should hardly matter).

Run: ``python benchmarks/settings_edit.py [--edits N]``. Say the machine's load
(``uptime``) with the figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from petriflow.core.node import CancelToken, Input, Node, Output, Progress
from petriflow.core.scheduler import NodeStatus, Scheduler
from petriflow.core.workflow import Workflow


@dataclass
class SourceSettings:
    value: int = 1


class Source(Node):
    qualified_name = "bench.source"
    name = "Source"
    outputs = (Output("Number", int),)
    Settings = SourceSettings

    def run(self, inputs: Mapping[str, Any], progress: Progress,
            cancel: CancelToken) -> dict[str, Any]:
        return {"Number": self.settings.value}


@dataclass
class AddSettings:
    amount: int = 1


class Add(Node):
    qualified_name = "bench.add"
    name = "Add"
    inputs = (Input("Number", int),)
    outputs = (Output("Number", int),)
    Settings = AddSettings

    def run(self, inputs: Mapping[str, Any], progress: Progress,
            cancel: CancelToken) -> dict[str, Any]:
        return {"Number": inputs["Number"] + self.settings.amount}


def chain(n: int) -> tuple[Workflow, str, str]:
    """Source → Add → Add … (n nodes); returns (workflow, root id, leaf id)."""
    wf = Workflow()
    ids = [wf.add_node(Source).id]
    for _ in range(n - 1):
        ids.append(wf.add_node(Add).id)
        wf.add_link(ids[-2], "Number", ids[-1], "Number")
    return wf, ids[0], ids[-1]


def tree(n: int) -> tuple[Workflow, str, str]:
    """A binary tree of n nodes under one source (node i feeds 2i+1 and 2i+2)."""
    wf = Workflow()
    ids = [wf.add_node(Source).id]
    for i in range(1, n):
        ids.append(wf.add_node(Add).id)
        wf.add_link(ids[(i - 1) // 2], "Number", ids[i], "Number")
    return wf, ids[0], ids[-1]


def time_edits(build: Callable[[int], tuple[Workflow, str, str]], n: int, target: str,
               edits: int) -> float:
    """Median seconds of ``update_settings`` on ``target`` ("root" or "leaf")."""
    wf, root, leaf = build(n)
    queued: list[tuple[str, NodeStatus]] = []
    with Scheduler(wf, max_workers=2) as sched:
        sched.add_status_listener(lambda nid, st: queued.append((nid, st)))
        if not sched.wait(60):
            raise RuntimeError("the workflow did not settle")
        nid = root if target == "root" else leaf
        field = "value" if nid == root else "amount"
        times = []
        for k in range(edits):
            t0 = time.perf_counter()
            wf.update_settings(nid, **{field: k + 2})
            times.append(time.perf_counter() - t0)
            if not sched.wait(60):
                raise RuntimeError("the workflow did not settle after an edit")
            queued.clear()
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=15, help="edits per case (median)")
    parser.add_argument("--sizes", type=int, nargs=2, default=(20, 200))
    args = parser.parse_args(argv)
    small, large = args.sizes
    print(f"settings edit, median of {args.edits} edits, ms on the caller's thread")
    print(f"{'shape':6} {'target':6} {small:>9} {large:>9}  ratio")
    worst = 0.0
    for name, build in (("chain", chain), ("tree", tree)):
        for target in ("leaf", "root"):
            a = time_edits(build, small, target, args.edits)
            b = time_edits(build, large, target, args.edits)
            worst = max(worst, b / a)
            print(f"{name:6} {target:6} {a * 1e3:9.3f} {b * 1e3:9.3f}  {b / a:5.1f}x",
                  flush=True)
    print(f"worst ratio {large} vs {small} nodes: {worst:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
