"""What a node's state says: "Waiting for input" when it has nothing to work on (issue
14.12), also when each of its inputs is optional on its own (MDS takes Data or
Distances); a note that is no problem (``Progress.info``) leaves the state clean."""

from __future__ import annotations

from petriflow.core.node import Node, Output
from petriflow.core.registry import default_registry
from petriflow.core.scheduler import NodeState, Scheduler
from petriflow.core.table import Table
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


class _Picker(Node):
    """Sends what the user picked: nothing yet (None), as a view's selection output."""

    qualified_name = "tests.picker"
    name = "Picker"
    outputs = (Output("Selected Data", Table, default=True),)

    def run(self, inputs, progress, cancel):
        return {"Selected Data": None}


def test_an_empty_selection_upstream_says_nothing_is_selected_there() -> None:
    """A node fed by an empty selection says where to select ("Nothing selected in
    Clusters", the source's title); one whose source has not sent anything yet keeps
    "Waiting for input: Data" (its source, a Data Table, waits itself)."""
    reg = default_registry()
    wf = Workflow()
    picker = wf.add_node(_Picker, title="Clusters")
    viewer = wf.add_node(reg.get("petriflow.image_viewer"))
    table = wf.add_node(reg.get("petriflow.data_table"))
    grid = wf.add_node(reg.get("petriflow.image_viewer"), title="Second Viewer")
    wf.add_link(picker.id, "Selected Data", viewer.id, "Data")
    wf.add_link(table.id, "Selected Data", grid.id, "Data")
    sched = Scheduler(wf)
    try:
        assert sched.wait(30)
        assert sched.status(picker.id).state == NodeState.DONE
        status = sched.status(viewer.id)
        assert (status.state, status.message) == (NodeState.IDLE,
                                                  "Nothing selected in Clusters")
        assert sched.status(table.id).message == "Waiting for input: Data"
        assert sched.status(grid.id).message == "Waiting for input: Data"
    finally:
        sched.close()


def test_petriflow_run_says_which_node_was_skipped_for_an_empty_selection(
        tmp_path, monkeypatch, capsys) -> None:
    from petriflow import cli
    from petriflow.core import registry as registry_module
    from petriflow.core.ows import save_workflow
    from petriflow.core.registry import NodeRegistry
    from petriflow.nodes.image_viewer import ImageViewer

    reg = NodeRegistry()
    reg.register(_Picker)
    reg.register(ImageViewer)
    monkeypatch.setattr(registry_module, "_default", reg)
    wf = Workflow()
    picker = wf.add_node(_Picker, title="Clusters")
    viewer = wf.add_node(ImageViewer)
    wf.add_link(picker.id, "Selected Data", viewer.id, "Data")
    save_workflow(wf, tmp_path / "w.ows")
    assert cli.main(["run", str(tmp_path / "w.ows"), "--quiet"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "skipped: Image Viewer (nothing selected in Clusters)"]
