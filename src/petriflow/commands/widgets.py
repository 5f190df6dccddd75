"""``petriflow widgets [--json]``: every widget, its channels and its help page.

Why a command: a teacher preparing a course, a packager checking that every guide
shipped, or a script generating a cheat sheet needs the same list the toolbox shows,
without opening the app. The list is :func:`petriflow.help_index.widget_entries`, which
the toolbox and the help browser use too.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from petriflow.help_index import widget_entries


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "widgets", help="list every widget with its channels and help page",
        description="List every widget (qualified name, name, category, inputs, outputs "
                    "and the path of its help page in the installed package).",
    )
    p.add_argument("--json", action="store_true", help="print a JSON list instead of text")
    p.set_defaults(func=main)


def _channels(channels: list[dict[str, Any]]) -> str:
    return ", ".join(f"{c['name']} ({c['type']})" for c in channels) or "-"


def main(args: argparse.Namespace) -> int:
    entries = widget_entries()
    if args.json:
        print(json.dumps([e.as_dict() for e in entries], indent=2))
        return 0
    category = None
    for entry in entries:
        if entry.category != category:
            category = entry.category
            print(f"\n{category}" if entry is not entries[0] else category)
        print(f"  {entry.name}  [{entry.qualified_name}]")
        print(f"      in:   {_channels(entry.inputs)}")
        print(f"      out:  {_channels(entry.outputs)}")
        print(f"      help: {entry.help or '(missing)'}")
    return 0
