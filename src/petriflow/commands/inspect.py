"""``petriflow inspect FILE.ows``: describe a workflow as JSON without running it.

Reads the file exactly as the app would (nothing executed; Orange's pickled settings only
through the restricted unpickler) and prints nodes, links, settings, the warnings a user
would see on opening it and, for a file made by Orange, the "Opened from Orange" report:
which widgets mapped to which nodes, which settings were carried and which were not.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path
from typing import Any

from petriflow.commands.common import load_or_exit
from petriflow.compat.orange.unpickler import OrangePickleError, loads_orange_pickle, to_plain
from petriflow.core.node import settings_to_dict
from petriflow.core.workflow import TextAnnotation, Workflow


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "inspect", help="describe a workflow as JSON",
        description="Print a workflow's nodes, links, settings and load warnings as JSON.",
    )
    p.add_argument("file", type=Path, help="workflow file (.ows)")
    p.set_defaults(func=main)


def _unknown_settings(fmt: str | None, text: str | None) -> Any:
    if text is None:
        return None
    if fmt == "literal":
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return {"unreadable": True}
    if fmt == "json":
        try:
            return json.loads(text)
        except ValueError:
            return {"unreadable": True}
    if fmt == "pickle":
        # shown for information only; the placeholder keeps (and writes back) the raw text
        try:
            return to_plain(loads_orange_pickle(text))
        except OrangePickleError as exc:
            return {"not_read": str(exc)}
    return {"not_read": f"{fmt} properties are never loaded"}


def describe(workflow: Workflow) -> dict[str, Any]:
    nodes = []
    for node in workflow.nodes:
        known = node.node_type is not None
        if known:
            settings = settings_to_dict(node.settings)
        else:
            info = node.unknown
            assert info is not None  # a node of an unknown type keeps what the file said
            settings = _unknown_settings(info.properties_format, info.properties_text)
        nodes.append({
            "id": node.id,
            "title": node.title,
            "type": node.type_name,
            "qualified_name": node.qualified_name,
            "known": known,
            "position": list(node.position),
            "settings": settings,
        })
    links = [{
        "id": lk.id, "source": lk.source_id, "source_channel": lk.source_channel,
        "sink": lk.sink_id, "sink_channel": lk.sink_channel, "enabled": lk.enabled,
    } for lk in workflow.links]
    annotations = [
        {"id": a.id, "kind": "text", "text": a.text} if isinstance(a, TextAnnotation)
        else {"id": a.id, "kind": "arrow"}
        for a in workflow.annotations
    ]
    return {
        "file": str(workflow.path) if workflow.path else None,
        "title": workflow.title,
        "description": workflow.description,
        "nodes": nodes,
        "links": links,
        "annotations": annotations,
        "warnings": list(workflow.load_warnings),
        "opened_from_orange": (workflow.orange_report.to_dict()
                               if workflow.orange_report is not None else None),
    }


def _json_default(obj: Any) -> Any:
    if isinstance(obj, bytes):
        return f"<{len(obj)} bytes>"
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    return repr(obj)


def main(args: argparse.Namespace) -> int:
    workflow = load_or_exit(args.file, show_warnings=False)
    if isinstance(workflow, int):
        return workflow
    json.dump(describe(workflow), sys.stdout, indent=2, default=_json_default,
              ensure_ascii=False)
    sys.stdout.write("\n")
    if workflow.orange_report is not None:
        print(workflow.orange_report.summary(), file=sys.stderr)
    return 0
