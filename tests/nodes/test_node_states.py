"""What a node's state says: "Waiting for input" when it has nothing to work on (issue
14.12), also when each of its inputs is optional on its own (MDS takes Data or
Distances); a note that is no problem (``Progress.info``) leaves the state clean."""

from __future__ import annotations

from petriflow.core.node import Node, Output
from petriflow.core.registry import default_registry
from petriflow.core.scheduler import NodeState, Scheduler
from petriflow.core.workflow import Workflow


def test_mds_without_data_or_distances_waits_for_input() -> None:
    reg = default_registry()
    wf = Workflow()
    mds = wf.add_node(reg.get("petriflow.mds"))
    table = wf.add_node(reg.get("petriflow.data_table"))
    sched = Scheduler(wf)
    try:
        assert sched.wait(30)
        for nid, missing in ((mds.id, "Data or Distances"), (table.id, "Data")):
            status = sched.status(nid)
            assert status.state == NodeState.IDLE
            assert status.message == f"Waiting for input: {missing}"
            assert status.runs == 0
    finally:
        sched.close()


class _Noting(Node):
    qualified_name = "tests.noting"
    name = "Noting"
    outputs = (Output("Number", int),)

    def run(self, inputs, progress, cancel):
        progress.info("Skipped 1 non-image file: README.txt")
        return {"Number": 1}


def test_an_info_is_no_warning() -> None:
    wf = Workflow()
    node = wf.add_node(_Noting)
    sched = Scheduler(wf)
    try:
        assert sched.wait(30)
        status = sched.status(node.id)
        assert status.state == NodeState.DONE and status.warnings == ()
        assert status.infos == ("Skipped 1 non-image file: README.txt",)
        assert sched.output(node.id, "Number") == 1
    finally:
        sched.close()
