"""The report of a headless run (``petriflow run --report``), without its pictures.

Why split from the rendering: the words (state, time taken, settings, outputs) need no
Qt, so a report is written even where the views cannot be drawn (no PyQt6); the
pictures are added by :mod:`petriflow.gui.report_render` when Qt is there.
"""

from __future__ import annotations

import os
from pathlib import Path

from petriflow.core.scheduler import NodeState, Scheduler
from petriflow.core.workflow import Workflow
from petriflow.report.model import ReportItem
from petriflow.report.summaries import node_words

__all__ = ["check_writable", "run_items", "run_meta"]


def check_writable(path: Path) -> str | None:
    """Why a report cannot be written at ``path`` (one sentence), or ``None``.

    Checked before the run, so that a typo in the path does not cost a long run.
    """
    if path.is_dir():
        return f"{path} is a folder; give a file name such as {path / 'report.html'}"
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return f"cannot write {path}: the folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write {path}: no permission to write in {folder}"
    if path.exists() and not os.access(path, os.W_OK):
        return f"cannot write {path}: the file is read-only"
    return None


def run_items(workflow: Workflow, scheduler: Scheduler) -> list[ReportItem]:
    """One item per node, in the workflow's order: its state, time taken, message and
    warnings (``details``), settings and summary in words (``report.summaries``)."""
    items = []
    for node in workflow.nodes:
        status = scheduler.status(node.id)
        details = [status.state.value + (f" in {status.elapsed:.2f} s"
                                         if status.elapsed is not None else "")]
        if status.message:
            details.append(status.message)
        details.extend(f"warning: {w}" for w in status.warnings if w != status.message)
        outputs = {} if status.state is NodeState.ERROR else scheduler.outputs(node.id)
        try:
            settings, summary = node_words(node, scheduler.inputs(node.id), outputs)
        except Exception as exc:  # the words of one node must not lose the report
            settings, summary = [], [f"(no summary: {type(exc).__name__}: {exc})"]
        items.append(ReportItem(
            title=node.title, node_type=node.type_name, details=details,
            settings=settings, summary=summary,
        ))
    return items


def run_meta(workflow: Workflow, scheduler: Scheduler, elapsed: float) -> list[str]:
    """Lines under the report's heading: the file, the total time, how many failed."""
    failed = [n.title for n in workflow.nodes
              if scheduler.status(n.id).state is NodeState.ERROR]
    lines = [f"Workflow: {workflow.path}" if workflow.path else "Workflow: (unsaved)",
             f"Run of {len(workflow.nodes)} nodes in {elapsed:.1f} s"]
    lines.append(f"Failed: {', '.join(failed)}" if failed else "Every node ran without error")
    return lines
