"""``petriflow models [list | download ID [--yes] | add ID FILE | remove ID]``.

Why a command: on a fresh machine only SqueezeNet's weights are there; the others are
published files of 20-530 MB that someone must fetch once, on a machine with a network or
through the institution's mirror (``PETRIFLOW_WEIGHTS_MIRROR``), or bring on a stick.
This lists what each embedder needs and where it stands, fetches a file (asking first),
and takes one's own (fine-tuned) weights. Every failure is one line on stderr and exit
status 1 (2 for a wrong command line); never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

__all__ = ["func", "register"]


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "models",
        help="list embedders and their weights; download or add weights",
        description=(
            "Without an action: every embedder with its id, dimensions, input size and the "
            "state of its weights. `download ID` fetches the official file (resumable; its "
            "SHA-256 is checked before it is placed; PETRIFLOW_WEIGHTS_MIRROR = a base URL "
            "serving the same file names). `add ID FILE` takes your own weights file "
            "(loaded strictly; shown as custom). `remove ID` forgets the file you added."
        ),
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="list embedders and the state of their weights")
    d = actions.add_parser("download", help="download a model's official weights")
    d.add_argument("model", metavar="ID")
    d.add_argument("--yes", "-y", action="store_true", help="do not ask before downloading")
    a = actions.add_parser("add", help="use your own weights file for a model")
    a.add_argument("model", metavar="ID")
    a.add_argument("file", metavar="FILE")
    r = actions.add_parser("remove", help="forget the weights file you added for a model")
    r.add_argument("model", metavar="ID")
    p.set_defaults(func=func)


def func(args: argparse.Namespace) -> int:
    from petriflow.analysis.embedding.backbones import EmbedderError, get_embedder

    action = args.action or "list"
    if action == "list":
        return _list()
    try:
        spec = get_embedder(args.model)
    except EmbedderError as exc:
        print(f"petriflow models: {exc}", file=sys.stderr)
        return 2
    try:
        if action == "download":
            return _download(spec, assume_yes=args.yes)
        if action == "add":
            return _add(spec, args.file)
        return _remove(spec)
    except EmbedderError as exc:
        print(f"petriflow models: {exc}", file=sys.stderr)
        return 1


def _list() -> int:
    from petriflow.analysis.embedding.backbones import available_embedders
    from petriflow.analysis.embedding.backbones.status import weights_status

    specs = available_embedders()
    width = max(len(s.id) for s in specs)
    print(f"{'ID':<{width}}  {'DIM':>5}  {'INPUT':>7}  WEIGHTS")
    for spec in specs:
        status = weights_status(spec)
        size = f"{spec.input_size}²"
        print(f"{spec.id:<{width}}  {spec.dim:>5}  {size:>7}  {status.detail}")
    return 0


def _ask(question: str) -> bool:
    """A yes/no question on the terminal; no terminal (a script) means no."""
    if not sys.stdin or not sys.stdin.isatty():
        print(f"{question} [y/N] no (no terminal; pass --yes)", file=sys.stderr)
        return False
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _download(spec: Any, *, assume_yes: bool) -> int:
    from petriflow.analysis.embedding.backbones.download import (
        DownloadProgress,
        download_official,
        source_url,
    )
    from petriflow.analysis.embedding.backbones.status import weights_status

    official = spec.official
    if official is None:
        print(f"{spec.id}: its weights come with a package; nothing to download.")
        return 0
    status = weights_status(spec)
    if status.state == "official":
        print(f"{spec.id}: already on this machine: {status.detail}")
        return 0
    if status.state == "custom":
        print(f"{spec.id}: your own file is used ({status.path}); the official file is "
              f"downloaded too, and used after `petriflow models remove {spec.id}`.")
    if not official.sha256:  # refused before asking: one line saying why
        download_official(spec.id, spec.display_name, official)
    url = source_url(official)
    question = (f"Download the {spec.display_name} weights ({official.filename}, about "
                f"{official.size / 1e6:.0f} MB, licence {official.licence}) from {url}?")
    if not assume_yes and not _ask(question):
        print("Nothing downloaded.", file=sys.stderr)
        return 1
    last = [0.0, 0.0]  # time of the last line, lines shown

    def show(p: DownloadProgress) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and (p.total is None or p.done < p.total):
            return
        last[0], last[1] = now, 1
        print(f"\r{spec.id}: {p.message()}\033[K", end="", file=sys.stderr, flush=True)

    try:
        path = download_official(spec.id, spec.display_name, official, progress=show)
    except KeyboardInterrupt:
        print(f"\n{spec.id}: download stopped; run the same command to resume.",
              file=sys.stderr)
        return 130
    finally:
        if last[1]:
            print("", file=sys.stderr)  # end the progress line
    print(f"{spec.id}: placed {path} (SHA-256 checked: {official.checksum_label})")
    return 0


def _add(spec: Any, file: str) -> int:
    from petriflow.analysis.embedding.backbones.status import add_custom_weights

    status = add_custom_weights(spec, file)
    if status.state == "official":
        print(f"{spec.id}: {file} is the official file; {status.detail}")
    else:
        print(f"{spec.id}: {status.detail}. Embeddings made with it are cached apart from "
              f"the official weights'.")
    return 0


def _remove(spec: Any) -> int:
    from petriflow.analysis.embedding.backbones.status import remove_custom_weights

    if remove_custom_weights(spec.id):
        print(f"{spec.id}: your own file is forgotten; the official weights are used.")
    else:
        print(f"{spec.id}: no file of yours was added.")
    return 0
