"""The dendrogram view reuses the linkage its node computed, through the scheduler's
memo (no module-global cache): one linkage per matrix and method for node and view."""

from __future__ import annotations

from petriflow.core.registry import NodeRegistry
from petriflow.nodes import hierarchical_clustering as hc_module
from petriflow.nodes.hierarchical_clustering import HierarchicalClustering
from tests.core.toy_nodes import TableSource, ToDistances


def test_view_and_node_share_one_linkage_per_document(make_window, qtbot, monkeypatch):
    calls: list[str] = []
    real = hc_module.hierarchical_linkage
    monkeypatch.setattr(hc_module, "hierarchical_linkage",
                        lambda D, method: calls.append(method) or real(D, method))
    win = make_window(reg=NodeRegistry([TableSource, ToDistances, HierarchicalClustering]))
    wf = win.workflow
    src = wf.add_node(TableSource, settings=TableSource.Settings(n=12)).id
    dist = wf.add_node(ToDistances).id
    hc = wf.add_node(HierarchicalClustering).id
    wf.add_link(src, "Data", dist, "Data")
    wf.add_link(dist, "Distances", hc, "Distances")
    qtbot.waitUntil(lambda: not win.scheduler.paused and win.scheduler.is_settled()
                    and win.scheduler.outputs(hc).get("Data") is not None, timeout=20_000)
    assert calls == ["ward"]
    view = win.open_node(hc)
    qtbot.waitUntil(lambda: view.tree is not None, timeout=10_000)
    assert calls == ["ward"]  # the view found the node's linkage in the memo
    assert len(win.scheduler.memo) == 1

    scheduler = win.scheduler
    win.document.replace(type(wf)())  # a new document: the old scheduler and memo go
    assert len(scheduler.memo) == 0
    assert len(win.scheduler.memo) == 0
