"""Helpers shared by subcommands."""

from __future__ import annotations

import sys
from pathlib import Path

from petriflow.core.ows import WorkflowFormatError, load_workflow
from petriflow.core.workflow import Workflow


def load_or_exit(path: Path, *, show_warnings: bool = True) -> Workflow | int:
    """Load a workflow, or print one clear line and return exit status 2."""
    try:
        workflow = load_workflow(path)
    except WorkflowFormatError as exc:
        print(f"petriflow: {exc}", file=sys.stderr)
        return 2
    if show_warnings:
        for warning in workflow.load_warnings:
            print(f"warning: {warning}", file=sys.stderr)
    return workflow
