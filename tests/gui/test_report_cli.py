"""``petriflow run FILE.ows --report OUT.html`` (issue 18.2): every bundled example's
report names every node with a picture of its view; a view that fails to render is
noted and the rest kept; an unwritable place gives one clear line and exit status 2.

In-process (the command's own ``main``) rather than a subprocess per example: the
QApplication and the imported views are shared, which keeps this quick on 2 cores.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from petriflow.bundled import list_examples
from petriflow.cli import main
from petriflow.core.ows import load_workflow
from petriflow.gui.views import VIEWS
from tests.gui.test_report import parse

EXAMPLES = list_examples()


def run_report(workflow: Path, out: Path, *extra: str) -> int:
    return main(["run", str(workflow), "--report", str(out), "--quiet", *extra])


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.path.stem for e in EXAMPLES])
def test_every_example_reports_every_node_with_a_picture(example, qapp, tmp_path):
    out = tmp_path / "report.html"
    assert run_report(example.path, out) == 0
    text = out.read_text(encoding="utf-8")
    parsed = parse(text)
    titles = [n.title for n in load_workflow(example.path).nodes]
    assert parsed.headings == [f"{i}. {t}" for i, t in enumerate(titles, start=1)]
    # one picture per node, each embedded; nothing else is referred to
    assert len(parsed.images) == len(titles)
    assert all(src.startswith("data:image/png;base64,") for src in parsed.images)
    assert parsed.addresses == parsed.images
    assert "could not be shown" not in text
    assert "Every node ran without error" in text
    # state and time taken per node (image-exploration's Save Images has no folder on
    # purpose, so it ends in a warning that says so)
    assert len(re.findall(r"(?:done|warning) in \d", text)) == len(titles)
    # each node's own summary (report/summaries.py), not only its outputs' shapes
    nodes = load_workflow(example.path).nodes
    kinds = {n.qualified_name for n in nodes}
    if "petriflow.import_images" in kinds:
        assert re.search(r"\d+ images(?: in \d+ class| in \d+ classes|, no class)", text)
    if "petriflow.confusion_matrix" in kinds:
        assert re.search(r"\d+ of \d+ correct \(accuracy \d\.\d{3}\)", text)
    if "petriflow.hierarchical_clustering" in kinds:
        assert "clustered with ward linkage" in text
    if kinds & {"petriflow.mds", "petriflow.umap"}:
        assert re.search(r"\d+ points: ", text)


def test_a_view_that_fails_is_noted_and_the_rest_kept(qapp, tmp_path, monkeypatch):
    example = next(e for e in EXAMPLES if e.path.stem == "image-clustering")

    def broken(ctx):
        raise RuntimeError("the dendrogram broke")

    monkeypatch.setitem(VIEWS, "petriflow.hierarchical_clustering", broken)
    out = tmp_path / "report.html"
    assert run_report(example.path, out) == 0  # the run itself went well
    text = out.read_text(encoding="utf-8")
    parsed = parse(text)
    n = len(load_workflow(example.path).nodes)
    assert len(parsed.headings) == n
    assert len(parsed.images) == n - 1
    assert "The view could not be shown: RuntimeError: the dendrogram broke" in text
    # the broken node keeps its words
    section = text.split("Hierarchical Clustering</h2>")[1].split("</div>")[0]
    assert "linkage: ward" in section and "done in" in section


@pytest.mark.parametrize("where", ["missing-folder", "a-folder"])
def test_unwritable_report_is_one_line_and_exit_2(where, qapp, tmp_path, capsys):
    example = EXAMPLES[0]
    out = tmp_path / "nope" / "r.html" if where == "missing-folder" else tmp_path
    assert run_report(example.path, out) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("petriflow run: --report: ")
    assert str(out) in err[0]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc is Linux's")
def test_a_write_that_fails_after_the_run_is_one_line(qapp, capsys):
    out = Path("/proc/petriflow-report.html")  # a folder that refuses new files, even root
    assert run_report(EXAMPLES[0].path, out) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"petriflow run: --report: cannot write {out}")
