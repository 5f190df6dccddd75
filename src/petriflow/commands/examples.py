"""``petriflow examples``: list the example workflows that ship with Petriflow.

They are package data, so they are there in any install, not only in a checkout; run one
with ``petriflow run --example NAME --out DIR`` or open it with ``petriflow --example
NAME`` (an untitled copy: saving never overwrites the shipped file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from petriflow.bundled import ExampleNotFound, examples_dir, find_example, list_examples


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "examples", help="list the bundled example workflows",
        description="List the example workflows that ship with Petriflow (name and what "
                    "it does).",
    )
    p.add_argument("--folder", action="store_true",
                   help="print the folder that holds them (and their images) instead")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    examples = list_examples()
    if not examples:
        print("petriflow: no example workflows are installed", file=sys.stderr)
        return 1
    if args.folder:
        print(examples_dir())
        return 0
    width = max(len(e.name) for e in examples)
    for example in examples:
        print(f"{example.name:<{width}}  {example.summary}")
    print("\nrun one headless:  petriflow run --example NAME --out results/\n"
          "open one:          petriflow --example NAME")
    return 0


def workflow_argument(file: Path | None, example: str | None, prog: str) -> Path | int:
    """The workflow a command was given: FILE, or the bundled example ``--example NAME``.

    Exactly one of the two; otherwise one line on stderr and exit status 2.
    """
    if (file is None) == (example is None):
        print(f"{prog}: give a workflow FILE or --example NAME (list: petriflow examples)",
              file=sys.stderr)
        return 2
    if example is None:
        assert file is not None
        return file
    try:
        return find_example(example).path
    except ExampleNotFound as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
