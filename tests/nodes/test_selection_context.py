"""Selections stay with their data (issue 14.13): a saved selection is restored on the
rows it was made on — found by identity, in any order — and on other data it is dropped
with a note and selects nothing. For every node kind that saves a selection, headless.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from petriflow.analysis.learners import LogisticRegressionLearner
from petriflow.core.ows import load_workflow, save_workflow, workflow_to_bytes
from petriflow.core.registry import default_registry
from petriflow.core.scheduler import NodeState, Scheduler
from petriflow.core.table import Table
from petriflow.core.workflow import Workflow
from petriflow.nodes._selection import (
    cells_context,
    clusters_context,
    rows_context,
)
from petriflow.nodes.confusion_matrix import ConfusionMatrix
from petriflow.nodes.data_table import DataTable
from petriflow.nodes.distances import Distances
from petriflow.nodes.hierarchical_clustering import HierarchicalClustering, linkage_tree
from petriflow.nodes.image_viewer import ImageViewer
from petriflow.nodes.mds import MDS
from petriflow.nodes.pca import PCA
from petriflow.nodes.test_and_score import TestAndScore
from petriflow.nodes.tsne import TSNE

from .conftest import run_node


def image_set(folder: Path, n: int = 12, seed: int = 0) -> Table:
    """``n`` real PNG files in two class folders, as Import Images lists them."""
    rng = np.random.default_rng(seed)
    paths, sizes, classes = [], [], []
    for i in range(n):
        cls = "a" if i % 2 else "b"
        path = folder / cls / f"img{i:02d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(path)
        paths.append(str(path))
        sizes.append(path.stat().st_size)
        classes.append(cls)
    X = rng.normal(size=(n, 4)) + np.where(np.array(classes) == "a", 3.0, -3.0)[:, None]
    return Table.from_arrays(X, classes=classes,
                             metas={"image": paths, "size": np.array(sizes, dtype=np.int64)},
                             image_column="image")


@pytest.fixture
def data(tmp_path: Path) -> Table:
    return image_set(tmp_path / "set-a")


@pytest.fixture
def other(tmp_path: Path) -> Table:
    return image_set(tmp_path / "set-b", n=10, seed=1)


def reordered(table: Table) -> Table:
    """The same rows (new row ids, as another load would give) in another order."""
    order = np.arange(len(table))[::-1]
    return Table.from_arrays(table.X[order], classes=table.class_labels()[order],
                             metas={k: np.asarray(v)[order] for k, v in table.metas.items()},
                             image_column=table.image_column)


def paths_of(table: Table | None) -> list[str]:
    return [] if table is None else [str(p) for p in table.metas["image"]]


ROW_NODES = [
    (DataTable, "selected_rows", "Selected Data", {}),
    (ImageViewer, "selected", "Selected Images", {}),
    (PCA, "selected", "Selected Data", {}),
    (MDS, "selected", "Selected Data", {"max_iter": 20}),
    (TSNE, "selected", "Selected Data", {"perplexity": 3.0, "max_iter": 250}),
]


@pytest.mark.parametrize(("node", "field", "output", "extra"), ROW_NODES,
                         ids=[n[0].__name__ for n in ROW_NODES])
def test_row_selection_is_restored_by_identity_and_dropped_on_other_data(
        node, field, output, extra, data, other):
    picked = [1, 4, 7]
    settings = {field: picked, "selection_context": rows_context(data, picked), **extra}
    want = [paths_of(data)[i] for i in picked]

    same = run_node(node, {"Data": data}, **settings)
    assert paths_of(same[output]) == want  # exactly the rows picked
    assert not same.warnings and not same.progress.infos

    moved = run_node(node, {"Data": reordered(data)}, **settings)
    assert sorted(paths_of(moved[output])) == sorted(want)  # found by identity, not place

    foreign = run_node(node, {"Data": other}, **settings)
    assert foreign[output] is None  # nothing the user did not pick
    assert (foreign["Data"].metas["Selected"] == "No").all()
    assert any("other data" in w and "dropped" in w for w in foreign.warnings)

    part = run_node(node, {"Data": data.take(np.arange(6))}, **settings)  # row 7 gone
    assert paths_of(part[output]) == want[:2]
    assert any("1 of the 3" in i for i in part.progress.infos)


def test_selection_without_context_applies_positions(data, other):
    """Set by code (or an Orange file): positions, as before contexts existed."""
    r = run_node(DataTable, {"Data": data}, selected_rows=[0, 2])
    assert paths_of(r["Selected Data"]) == [paths_of(data)[0], paths_of(data)[2]]
    # positions changed by code after a view wrote its context: the context described
    # other positions, so it does not apply; the new positions do
    stale = rows_context(other, [1, 2, 3])
    r = run_node(DataTable, {"Data": data}, selected_rows=[0, 2], selection_context=stale)
    assert paths_of(r["Selected Data"]) == [paths_of(data)[0], paths_of(data)[2]]
    assert not r.warnings


def test_confusion_cells_follow_class_names_on_the_same_rows(data, other):
    def results(table: Table):
        return run_node(TestAndScore, {"Data": table, "Learner": [LogisticRegressionLearner()]},
                        n_folds=3)["Evaluation Results"]

    res = results(data)
    k = list(res.class_values).index("a")
    cells = [[k, k]]
    settings = {"selected_cells": cells,
                "selection_context": cells_context(res.data, res.class_values, cells)}
    assert settings["selection_context"]["cells"] == [["a", "a"]]
    same = run_node(ConfusionMatrix, {"Evaluation Results": res}, **settings)
    want = int(res.confusion_matrix(0)[k, k])
    assert want and len(same["Selected Data"]) == want and not same.warnings
    assert set(same["Selected Data"].class_labels()) == {"a"}

    again = results(reordered(data))  # the same rows, another order and run
    r = run_node(ConfusionMatrix, {"Evaluation Results": again}, **settings)
    assert set(r["Selected Data"].class_labels()) == {"a"} and not r.warnings

    foreign = run_node(ConfusionMatrix, {"Evaluation Results": results(other)}, **settings)
    assert foreign["Selected Data"] is None  # same class names, other images: dropped
    assert (foreign["Data"].metas["Selected"] == "No").all()
    assert any("other data" in w for w in foreign.warnings)


def test_dendrogram_clusters_hold_only_on_their_tree(data, other):
    def dm_of(table: Table):
        return run_node(Distances, {"Data": table}, metric="euclidean")["Distances"]

    dm = dm_of(data)
    Z, _ = linkage_tree(dm, "ward")
    node = int(2 * len(data) - 3)  # the second-to-last merge: one big branch
    context = clusters_context(data, Z, [node])
    settings = {"selection_mode": "manual", "selected_nodes": [node],
                "selection_context": context}
    same = run_node(HierarchicalClustering, {"Distances": dm}, **settings)
    picked = paths_of(same["Selected Data"])
    assert picked and not same.warnings

    again = run_node(HierarchicalClustering, {"Distances": dm_of(data)}, **settings)
    assert paths_of(again["Selected Data"]) == picked  # the same data, computed again

    foreign = run_node(HierarchicalClustering, {"Distances": dm_of(other)}, **settings)
    assert foreign["Selected Data"] is None
    assert (foreign["Data"].metas["Selected"] == "No").all()
    assert any("dropped" in w for w in foreign.warnings)
    # the rule-based modes are settings, not picked rows: they apply anywhere
    top = run_node(HierarchicalClustering, {"Distances": dm_of(other)},
                   **{**settings, "selection_mode": "top_n", "top_n": 2})
    assert len(top["Selected Data"]) == len(other)


def _table_workflow(folder: Path) -> tuple[Workflow, str, str]:
    reg = default_registry()
    wf = Workflow()
    imp = wf.add_node(reg.get("petriflow.import_images"), title="Import Images")
    wf.update_settings(imp.id, folder=str(folder))
    table = wf.add_node(reg.get("petriflow.data_table"), title="Data Table")
    wf.add_link(imp.id, "Data", table.id, "Data")
    return wf, imp.id, table.id


def _run(wf: Workflow) -> Scheduler:
    scheduler = Scheduler(wf)
    assert scheduler.wait(60)
    return scheduler


def test_saved_selection_reopens_exactly_and_not_on_another_folder(data, other, tmp_path):
    folder_a = Path(paths_of(data)[0]).parents[1]
    wf, imp, table = _table_workflow(folder_a)
    with _run(wf) as scheduler:
        rows = scheduler.inputs(table)["Data"]
        picked = [0, 3, 5]
        wf.update_settings(table, selected_rows=picked,
                           selection_context=rows_context(rows, picked))
        assert scheduler.wait(60)
        want = paths_of(scheduler.output(table, "Selected Data"))
    assert len(want) == 3
    path = tmp_path / "w.ows"
    save_workflow(wf, path)

    again = load_workflow(path)  # a new session: new row ids, the same images
    assert workflow_to_bytes(again) == path.read_bytes()  # literals only, round trip
    with _run(again) as scheduler:
        assert paths_of(scheduler.output(table, "Selected Data")) == want
        assert scheduler.status(table).state is NodeState.DONE

        again.update_settings(imp, folder=str(Path(paths_of(other)[0]).parents[1]))
        assert scheduler.wait(60)
        assert scheduler.output(table, "Selected Data") is None
        status = scheduler.status(table)
        assert status.state is NodeState.WARNING and "other data" in status.message


def test_headless_run_restores_the_saved_selection(data, tmp_path):
    from petriflow import cli

    wf, _, table = _table_workflow(Path(paths_of(data)[0]).parents[1])
    with _run(wf) as scheduler:
        rows = scheduler.inputs(table)["Data"]
        wf.update_settings(table, selected_rows=[2, 4],
                           selection_context=rows_context(rows, [2, 4]))
        assert scheduler.wait(60)
        want = len(scheduler.output(table, "Selected Data"))
    save_workflow(wf, tmp_path / "w.ows")
    out = tmp_path / "out"
    assert cli.main(["run", str(tmp_path / "w.ows"), "--quiet", "--out", str(out)]) == 0
    import json

    report = {n["title"]: n for n in json.loads((out / "run.json").read_text())["nodes"]}
    assert report["Data Table"]["state"] == "done"
    assert report["Data Table"]["outputs"]["Selected Data"]["shape"][0] == want == 2


def test_old_files_with_positions_only_are_dropped_with_a_note(data, tmp_path):
    """A version-1 file says nothing about the data its positions were made on."""
    wf, _, table = _table_workflow(Path(paths_of(data)[0]).parents[1])
    wf.update_settings(table, selected_rows=[1, 2])
    text = workflow_to_bytes(wf).decode()
    assert "'__version__': 2" in text
    old = text.replace("'selection_context': {}, ", "").replace("'__version__': 2",
                                                                "'__version__': 1")
    path = tmp_path / "old.ows"
    path.write_text(old)
    loaded = load_workflow(path)
    assert loaded.node(table).settings.selection_context == {"unverified": True}
    with _run(loaded) as scheduler:
        assert scheduler.output(table, "Selected Data") is None
        assert "without a record of the data" in scheduler.status(table).message


SAVED_KINDS = ["petriflow.data_table", "petriflow.pca", "petriflow.mds", "petriflow.tsne",
               "petriflow.hierarchical_clustering"]


def test_every_kind_reopens_exactly_and_drops_on_other_data(tmp_path):
    """Selections made through the views' own functions, saved in an .ows, reloaded into
    a new scheduler: the same rows; then the source changes: nothing, with a note."""
    from petriflow.core.registry import NodeRegistry
    from petriflow.nodes.hierarchical_clustering import item_table
    from tests.core.toy_nodes import TableSource

    reg = NodeRegistry([*default_registry(), TableSource])
    wf = Workflow()
    src = wf.add_node(TableSource, title="Source")
    wf.update_settings(src.id, n=30, label="cell")
    dist = wf.add_node(reg.get("petriflow.distances"), title="Distances")
    wf.add_link(src.id, "Data", dist.id, "Data")
    nodes: dict[str, str] = {}
    for name in SAVED_KINDS:
        n = wf.add_node(reg.get(name), title=name)
        nodes[name] = n.id
        if name == "petriflow.hierarchical_clustering":
            wf.add_link(dist.id, "Distances", n.id, "Distances")
        else:
            wf.add_link(src.id, "Data", n.id, "Data")
    wf.update_settings(nodes["petriflow.tsne"], perplexity=5.0, max_iter=250)
    wf.update_settings(nodes["petriflow.mds"], max_iter=20)

    picked: dict[str, list] = {}
    with _run(wf) as scheduler:
        table = scheduler.output(src.id, "Data")
        for name, nid in nodes.items():
            if name == "petriflow.hierarchical_clustering":
                dm = scheduler.inputs(nid)["Distances"]
                Z, _ = linkage_tree(dm, wf.node(nid).settings.linkage)
                node = int(2 * len(table) - 4)
                wf.update_settings(nid, selection_mode="manual", selected_nodes=[node],
                                   selection_context=clusters_context(item_table(dm), Z,
                                                                      [node]))
            else:
                field = "selected_rows" if name == "petriflow.data_table" else "selected"
                wf.update_settings(nid, **{field: [3, 8, 20],
                                           "selection_context": rows_context(table,
                                                                             [3, 8, 20])})
        assert scheduler.wait(120)
        for name, nid in nodes.items():
            out = scheduler.output(nid, "Selected Data")
            assert out is not None, name
            picked[name] = list(out.metas["label"])
    save_workflow(wf, tmp_path / "kinds.ows")

    again = load_workflow(tmp_path / "kinds.ows", reg)
    with _run(again) as scheduler:
        assert scheduler.wait(120)
        for name, nid in nodes.items():
            assert list(scheduler.output(nid, "Selected Data").metas["label"]) == \
                picked[name], name
            assert scheduler.status(nid).state is NodeState.DONE, name
        again.update_settings(src.id, label="other")  # other rows, same shape
        assert scheduler.wait(120)
        for name, nid in nodes.items():
            assert scheduler.output(nid, "Selected Data") is None, name
            status = scheduler.status(nid)
            assert status.state is NodeState.WARNING and "dropped" in status.message, name
