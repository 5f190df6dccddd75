"""Run the real Import Images → Image Embedder workflow over the hostile corpus and say,
per case, what happened. Used by the tests (which compare it with each case's
expectation) and by ``python -m tests.robustness.corpus`` (which prints the table kept in
docs/reliability.md).

Why through the scheduler and not the analysis functions: "none crashes a node" is a
statement about node states, and the run's summary is what the node reports.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from petriflow.core.scheduler import NodeState, Scheduler
from petriflow.core.workflow import Workflow
from petriflow.nodes.image_embedder import ImageEmbedder
from petriflow.nodes.import_images import ImportImages
from tests.robustness.corpus import Case, build

#: a hung decoder or a walk that never ends fails the run instead of the CI job
RUN_TIMEOUT_S = 120.0


@dataclass
class Outcome:
    """What happened to one case."""

    result: str  # "embedded" | "skipped" | "not listed"
    reason: str = ""
    size: tuple[int, int] | None = None  # (width, height) from Import Images
    channels: int | None = None  # channels in per-channel mode


@dataclass
class CorpusRun:
    cases: list[Case]
    outcomes: dict[str, Outcome]
    states: dict[str, NodeState]  # node title -> final state
    messages: dict[str, str]
    warnings: dict[str, tuple[str, ...]]
    n_rows: int = 0  # rows Import Images output
    n_scan_skipped: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def _rel(folder: Path, path: str) -> str:
    try:
        return str(Path(os.path.abspath(path)).relative_to(folder))
    except ValueError:
        return path


def run_corpus(folder: Path, *, per_channel: bool = False) -> CorpusRun:
    """Build the corpus in ``folder`` (empty) and run the workflow over it."""
    from petriflow.analysis.image_import import scan_folder

    cases = build(folder)
    wf = Workflow()
    imp = wf.add_node(ImportImages, title="Import Images").id
    wf.update_settings(imp, folder=str(folder))
    emb = wf.add_node(ImageEmbedder, title="Image Embedder").id
    wf.update_settings(emb, per_channel=per_channel, use_cache=False, device="cpu")
    wf.add_link(imp, "Data", emb, "Images")
    sched = Scheduler(wf, paused=True)
    try:
        sched.resume()
        if not sched.wait(RUN_TIMEOUT_S):
            raise AssertionError(f"the workflow did not finish in {RUN_TIMEOUT_S} s (a hang)")
        table = sched.output(imp, "Data")
        embedded = sched.output(emb, "Embeddings")
        skipped = sched.output(emb, "Skipped Images")
        states = {wf.node(n).title: sched.status(n).state for n in (imp, emb)}
        messages = {wf.node(n).title: sched.status(n).message for n in (imp, emb)}
        warnings = {wf.node(n).title: tuple(sched.status(n).warnings) for n in (imp, emb)}
    finally:
        sched.close()
    # the per-file reasons of files Import Images passed over (the node's warning
    # counts them; the scan keeps each reason)
    scan = scan_folder(folder)
    outcomes: dict[str, Outcome] = {}
    for path, reason in scan.skipped:
        outcomes[_rel(folder, path)] = Outcome("skipped", reason)
    if table is not None:
        sizes = {
            _rel(folder, p): (int(w), int(h))
            for p, w, h in zip(table.metas["image"], table.metas["width"],
                               table.metas["height"], strict=True)
        }
        if embedded is not None:
            dim = embedded.X.shape[1]
            for p in embedded.metas["image"]:
                key = _rel(folder, p)
                channels = dim // 1000 if per_channel else None
                outcomes[key] = Outcome("embedded", "", sizes.get(key), channels)
            assert np.isfinite(embedded.X).all(), "non-finite embedding values"
        if skipped is not None:
            for p, reason in zip(skipped.metas["image"], skipped.metas["skip reason"],
                                 strict=True):
                key = _rel(folder, p)
                outcomes[key] = Outcome("skipped", str(reason), sizes.get(key))
    for case in cases:
        outcomes.setdefault(case.name, Outcome("not listed"))
    return CorpusRun(
        cases, outcomes, states, messages, warnings,
        n_rows=0 if table is None else len(table), n_scan_skipped=len(scan.skipped),
        extra={"scan": scan, "embedded": embedded, "skipped": skipped},
    )


def markdown_table() -> str:
    """The per-case table of docs/reliability.md, from a real run (RGB mode)."""
    with tempfile.TemporaryDirectory() as tmp:
        run = run_corpus(Path(tmp))
    lines = ["| file | case | outcome | reason shown to the user |", "|---|---|---|---|"]
    for case in run.cases:
        o = run.outcomes[case.name]
        shown = case.name if case.name.isprintable() and len(case.name) < 40 else (
            ascii(case.name)[1:30] + "…")
        reason = o.reason.replace("|", "/")
        lines.append(f"| `{shown}` | {case.what} | {o.result} | {reason} |")
    summary = "; ".join(f"{t}: {s.value} — {run.messages[t]}" + (
        f" (warnings: {' '.join(run.warnings[t])})" if run.warnings[t] else "")
        for t, s in run.states.items())
    return "\n".join(lines) + f"\n\nNode states after the run: {summary}\n"
