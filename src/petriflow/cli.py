"""The ``petriflow`` command: open the app, or run/inspect/embed workflows headless."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

#: subcommand modules under petriflow.commands, in help order
SUBCOMMANDS = ("run", "inspect", "embed", "models", "examples", "widgets")
#: options of the ``petriflow`` command itself; any other first word opens the canvas
OWN_OPTIONS = ("-h", "--help", "--version")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="petriflow",
        description="Explore image collections with deep features, on your own machine.",
        epilog="Without a COMMAND, `petriflow [FILE.ows | --example NAME]` opens the canvas "
               "(FILE: a workflow; NAME: one of `petriflow examples`; the file opens as an "
               "untitled copy).",
    )
    from petriflow import __version__

    parser.add_argument("--version", action="version", version=f"petriflow {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"petriflow.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"petriflow.commands.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*SUBCOMMANDS, *OWN_OPTIONS):
        return _open_app(argv)  # FILE.ows, --example NAME, --screenshot DIR, ...
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


def _open_app(argv: list[str]) -> int:
    """``petriflow [FILE.ows | --example NAME] [--screenshot DIR]``: the canvas application."""
    try:
        app = importlib.import_module("petriflow.gui.app")
    except ModuleNotFoundError as exc:
        if exc.name not in ("petriflow.gui.app", "PyQt6"):
            raise
        print(
            "petriflow: the canvas application is not available in this build; "
            "use `petriflow run FILE.ows` to run a workflow headless.",
            file=sys.stderr,
        )
        return 2
    return int(app.main(argv) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
