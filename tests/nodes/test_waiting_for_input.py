"""A node with nothing to work on says "Waiting for input" (issue 14.12), also when each
of its inputs is optional on its own (MDS takes Data or Distances)."""

from __future__ import annotations

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
