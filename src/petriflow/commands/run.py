"""``petriflow run FILE.ows``: run a workflow headless to completion.

The very same engine as the canvas runs here, without Qt: that is the point of the
layering. ``--set`` overrides settings for this run only (the file is not modified), so
one saved workflow serves many folders: ``--set "Import Images.folder=/data/screen2"``.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import Any, TextIO

from petriflow.analysis.model_comparison import comparison_rows
from petriflow.commands.common import load_or_exit
from petriflow.commands.examples import workflow_argument
from petriflow.compat.orange.bypass import BypassError, bypass_placeholder
from petriflow.core.atomic import atomic_write_bytes
from petriflow.core.run_export import export_value, safe_filename
from petriflow.core.scheduler import NodeState, NodeStatus, Scheduler
from petriflow.core.types import EvaluationResults
from petriflow.core.workflow import Workflow

__all__ = ["apply_override", "parse_override", "register", "run_workflow"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run", help="run a workflow headless",
        description="Run a workflow headless to completion. Exit status 0 when every node "
                    "ends without error, 1 otherwise, 2 when the file cannot be used.",
    )
    p.add_argument("file", type=Path, nargs="?", help="workflow file (.ows)")
    p.add_argument("--example", metavar="NAME",
                   help="run a bundled example instead of FILE (list: petriflow examples)")
    p.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="NODE.SETTING=VALUE",
        help="override a setting for this run; NODE is a node title or id, VALUE is parsed "
             "as JSON, else taken as text (repeatable)",
    )
    p.add_argument(
        "--bypass", action="append", default=[], metavar="NODE",
        help="for this run, wire a placeholder's (a widget Petriflow lacks) data input "
             "straight to the nodes it fed (repeatable)",
    )
    p.add_argument("--out", type=Path, help="write run.json and the outputs into this folder")
    p.add_argument("--report", type=Path, metavar="OUT.html",
                   help="write a report: every node's view (rendered offscreen), settings, "
                        "outputs, state and time taken, in one self-contained HTML file")
    p.add_argument("--timeout", type=float, default=None, help="give up after this many seconds")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument(
        "--cluster", default=None, metavar="local|ADDRESS",
        help="run embedding and illumination correction on a Dask cluster: 'local' (a "
             "LocalCluster, one worker per core) or a scheduler address (tcp://host:8786)",
    )
    p.set_defaults(func=main)


def apply_cluster(workflow: Workflow, cluster: str) -> int:
    """Point every node with a ``cluster`` setting at ``cluster``; returns how many."""
    import dataclasses

    n = 0
    for node in workflow.nodes:
        settings = getattr(node, "settings", None)
        if node.node_type is None or not dataclasses.is_dataclass(settings):
            continue
        if any(f.name == "cluster" for f in dataclasses.fields(settings)):
            workflow.update_settings(node.id, cluster=cluster)
            n += 1
    return n


def parse_override(text: str) -> tuple[str, str, Any]:
    """Split ``NODE.setting=VALUE`` into (node, setting, value)."""
    target, sep, raw = text.partition("=")
    node, dot, setting = target.rpartition(".")
    if not sep or not dot or not node or not setting:
        raise ValueError(f"--set {text!r}: expected NODE.SETTING=VALUE")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return node.strip(), setting.strip(), value


def apply_override(workflow: Workflow, text: str) -> None:
    """Apply one ``--set`` to the workflow (validated against the settings' types)."""
    node_key, setting, value = parse_override(text)
    try:
        node = workflow.find_node(node_key)
    except KeyError as exc:
        raise ValueError(f"--set {text!r}: {exc.args[0]}") from None
    if node.node_type is None:
        raise ValueError(f"--set {text!r}: {node.title!r} is a placeholder without settings")
    try:
        workflow.update_settings(node.id, **{setting: value})
    except (ValueError, TypeError) as exc:
        raise ValueError(f"--set {text!r}: {exc}") from None


class ConsoleReporter:
    """Progress on stderr: redrawn bars on a terminal, one line per state change otherwise."""

    def __init__(self, workflow: Workflow, stream: TextIO) -> None:
        self.workflow = workflow
        self.stream = stream
        self.tty = stream.isatty()
        self._lock = threading.Lock()
        self._running: dict[str, float] = {}
        self._last_line = 0.0

    def __call__(self, node_id: str, status: NodeStatus) -> None:
        try:
            title = self.workflow.node(node_id).title
        except KeyError:
            return
        with self._lock:
            if status.state is NodeState.RUNNING:
                first = node_id not in self._running
                self._running[node_id] = status.progress
                if self.tty:
                    self._draw()
                elif first:
                    self._print(f"{title}: running")
                return
            was_running = self._running.pop(node_id, None) is not None
            if status.state in (NodeState.DONE, NodeState.WARNING, NodeState.ERROR) and (
                was_running or status.state is NodeState.ERROR
            ):
                took = f" in {status.elapsed:.1f} s" if status.elapsed is not None else ""
                text = {NodeState.DONE: f"done{took}",
                        NodeState.WARNING: f"done{took}, warning: {status.message}",
                        NodeState.ERROR: f"error: {status.message}"}[status.state]
                self._print(f"{title}: {text}")

    def _print(self, line: str) -> None:
        if self.tty:
            self.stream.write("\r\033[K")
        self.stream.write(line + "\n")
        if self.tty:
            self._draw()
        self.stream.flush()

    def _draw(self) -> None:
        now = time.monotonic()
        if now - self._last_line < 0.1:
            return
        self._last_line = now
        parts = []
        for nid, pct in self._running.items():
            filled = int(pct / 10)
            title = self.workflow.node(nid).title[:20]
            parts.append(f"{title} [{'#' * filled}{'.' * (10 - filled)}] {pct:3.0f}%")
        self.stream.write("\r\033[K" + "  ".join(parts))
        self.stream.flush()


def run_workflow(
    workflow: Workflow, *, timeout: float | None = None, reporter: Any = None
) -> tuple[Scheduler, bool]:
    """Run to completion; returns the (closed) scheduler and whether it settled in time."""
    scheduler = Scheduler(workflow, paused=True)
    if reporter is not None:
        scheduler.add_status_listener(reporter)
    scheduler.resume()
    settled = scheduler.wait(timeout)
    scheduler.close()
    return scheduler, settled


def blocked_by_placeholders(workflow: Workflow, scheduler: Scheduler) -> dict[str, list[str]]:
    """Nodes that did not run because a placeholder upstream passes no data.

    Why: a workflow opened from Orange keeps widgets we lack as placeholders; the run
    computes everything reachable without them and names what was skipped and why. A
    placeholder feeding a multiple input (a learner into Test and Score) blocks nothing.
    """
    memo: dict[str, set[str]] = {}

    def blockers(node_id: str) -> set[str]:
        if node_id not in memo:
            memo[node_id] = set()
            node = workflow.node(node_id)
            found: set[str] = set()
            for link in workflow.input_links(node_id):
                channel = node.node_type.input(link.sink_channel) if node.node_type else None
                if channel is not None and channel.multiple:
                    continue
                source = workflow.node(link.source_id)
                if source.is_placeholder:
                    found.add(source.title)
                elif scheduler.status(source.id).state is NodeState.IDLE:
                    found |= blockers(source.id)
            memo[node_id] = found
        return memo[node_id]

    out: dict[str, list[str]] = {}
    for node in workflow.nodes:
        if node.is_placeholder or scheduler.status(node.id).state is not NodeState.IDLE:
            continue
        found = blockers(node.id)
        if found:
            out[node.title] = sorted(found)
    return out


def write_report(workflow: Workflow, scheduler: Scheduler, out: Path, elapsed: float) -> dict:
    """Write every output that carries data into ``out`` and describe them in run.json."""
    out.mkdir(parents=True, exist_ok=True)
    nodes = []
    for node in workflow.nodes:
        status = scheduler.status(node.id)
        outputs = {}
        for name, value in scheduler.outputs(node.id).items():
            stem = f"{safe_filename(node.id)}_{safe_filename(node.title)}_{safe_filename(name)}"
            comparison = comparison_rows(value, node.settings) \
                if isinstance(value, EvaluationResults) else None
            outputs[name] = export_value(value, out, stem, comparison)
        nodes.append({
            "id": node.id,
            "title": node.title,
            "type": node.type_name,
            "qualified_name": node.qualified_name,
            "state": status.state.value,
            "message": status.message,
            "warnings": list(status.warnings),
            "elapsed_s": None if status.elapsed is None else round(status.elapsed, 3),
            "outputs": outputs,
        })
    from petriflow import __version__

    report = {
        "petriflow": __version__,
        "workflow": str(workflow.path) if workflow.path else None,
        "ok": all(n["state"] != NodeState.ERROR.value for n in nodes),
        "elapsed_s": round(elapsed, 3),
        "nodes": nodes,
        "skipped_because_of_placeholders": blocked_by_placeholders(workflow, scheduler),
        "opened_from_orange": (workflow.orange_report.to_dict()
                               if workflow.orange_report is not None else None),
    }
    atomic_write_bytes(out / "run.json", (json.dumps(report, indent=2) + "\n").encode("utf-8"))
    return report


def _write_html_report(workflow: Workflow, scheduler: Scheduler, path: Path,
                       elapsed: float) -> bool:
    """``--report``: the views' pictures need Qt (imported only here); without PyQt6 the
    report keeps its words and says why the pictures are missing. False (after one
    line on stderr) when the file could not be written."""
    import importlib.util

    from petriflow.gui.report_render import write_run_report  # Qt only inside, if there

    try:
        write_run_report(workflow, scheduler, path, elapsed,
                         pictures=importlib.util.find_spec("PyQt6") is not None)
    except OSError as exc:
        print(f"petriflow run: --report: cannot write {path}: {exc.strerror or exc}",
              file=sys.stderr)
        return False
    return True


def main(args: argparse.Namespace) -> int:
    from petriflow.core.logs import errors_logged, log_file, setup_logging

    setup_logging()  # full tracebacks of failing nodes go to the user log file
    logged_before = errors_logged()
    path = workflow_argument(args.file, args.example, "petriflow run")
    if isinstance(path, int):
        return path
    workflow = load_or_exit(path)
    if isinstance(workflow, int):
        return workflow
    for text in args.overrides:
        try:
            apply_override(workflow, text)
        except ValueError as exc:
            print(f"petriflow run: {exc}", file=sys.stderr)
            return 2
    for key in args.bypass:
        try:
            for line in bypass_placeholder(workflow, key):
                if not args.quiet:
                    print(f"bypass: {line}", file=sys.stderr)
        except BypassError as exc:
            print(f"petriflow run: {exc}", file=sys.stderr)
            return 2
    if workflow.orange_report is not None:
        report = workflow.orange_report
        print(report.summary() if args.quiet else report.to_text(), file=sys.stderr)
    if args.cluster:
        n = apply_cluster(workflow, args.cluster.strip())
        if not n and not args.quiet:
            print("petriflow run: no node of this workflow can use --cluster", file=sys.stderr)
    if args.report is not None:  # before the run: a typo must not cost a long run
        from petriflow.report.run_items import check_writable

        problem = check_writable(args.report)
        if problem:
            print(f"petriflow run: --report: {problem}", file=sys.stderr)
            return 2
    reporter = None if args.quiet else ConsoleReporter(workflow, sys.stderr)
    t0 = time.monotonic()
    scheduler, settled = run_workflow(workflow, timeout=args.timeout, reporter=reporter)
    elapsed = time.monotonic() - t0
    if args.out is not None:
        write_report(workflow, scheduler, args.out, elapsed)
    if args.report is not None and not _write_html_report(workflow, scheduler, args.report,
                                                          elapsed):
        return 2
    for title, blockers in blocked_by_placeholders(workflow, scheduler).items():
        print(f"skipped: {title} (needs data from placeholder {', '.join(blockers)})",
              file=sys.stderr)
    for node in workflow.nodes:  # a saved empty selection: say why a node did not run
        status = scheduler.status(node.id)
        if status.state is NodeState.IDLE and status.message.startswith("Nothing selected"):
            print(f"skipped: {node.title} ({status.message[0].lower()}{status.message[1:]})",
                  file=sys.stderr)
    failed = [n for n in workflow.nodes if scheduler.status(n.id).state is NodeState.ERROR]
    for node in failed:
        print(f"{node.title}: {scheduler.status(node.id).message}", file=sys.stderr)
    if errors_logged() > logged_before and log_file() is not None:  # not for NodeErrors
        print(f"petriflow run: details (tracebacks) are in {log_file()}", file=sys.stderr)
    if not settled:
        print(f"petriflow run: gave up after {args.timeout} s", file=sys.stderr)
        return 1
    return 1 if failed else 0
