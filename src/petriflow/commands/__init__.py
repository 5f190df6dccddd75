"""Command-line subcommands. Each module has ``register(subparsers)`` that adds its parser
and sets ``func=<callable(args) -> int>`` as the default; :mod:`petriflow.cli` wires them."""
