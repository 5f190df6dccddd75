"""Helpers shared by subcommands."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def embed_progress_printer(label: str, quiet: bool) -> Callable[[Any], None]:
    """A progress callback for ``embed_paths``: one self-overwriting stderr line, at
    most twice a second (a line per batch would flood a log), always the last one."""
    last = [0.0]

    def show(p: Any) -> None:
        now = time.monotonic()
        if quiet or (now - last[0] < 0.5 and p.done < p.total):
            return
        last[0] = now
        print(f"\r{label}: {p.message()}\033[K", end="", file=sys.stderr, flush=True)

    return show
