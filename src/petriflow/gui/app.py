"""``petriflow [FILE.ows | --example NAME] [--screenshot DIR]``: start the canvas application.

Start-up is kept short on purpose: only Qt and the engine's light modules are imported
here; torch, torchvision, scikit-learn and matplotlib are imported by the nodes that
need them, inside ``run()``, on worker threads, after the window is up (the scheduler
starts propagating on the first event-loop turn after the window is shown).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

_T0 = time.perf_counter()

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="petriflow", description="Open the Petriflow canvas (optionally with FILE).")
    parser.add_argument("file", nargs="?", help="a workflow (.ows) to open")
    parser.add_argument("--example", metavar="NAME",
                        help="open a bundled example as an untitled copy (Save asks where); "
                             "list them with: petriflow examples")
    parser.add_argument(
        "--screenshot", metavar="DIR",
        help="open FILE, wait until propagation has finished, save DIR/canvas.png and one "
             "DIR/<node title>.png per node view, then exit")
    parser.add_argument("--screenshot-timeout", type=float, default=900.0,
                        help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)  # autosave/recent (tests)
    # benchmark hook: print a line and exit as soon as the window is shown
    parser.add_argument("--exit-when-shown", action="store_true", help=argparse.SUPPRESS)
    return parser


def safe_filename(title: str) -> str:
    """A node title usable as a file name on every OS."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", title).strip(" .")
    return name or "node"


def no_display_message(has_display: bool, file: str | None) -> str | None:
    """Why the window cannot open, for a Linux machine without a screen (else None).

    Qt would abort with a message about xcb plugins that sends users reinstalling
    packages; the real answer is the headless runner.
    """
    if has_display or os.environ.get("QT_QPA_PLATFORM") or not sys.platform.startswith("linux"):
        return None
    target = file or "FILE.ows"
    return (
        "petriflow: no display found (DISPLAY is not set), so the canvas cannot open.\n"
        f"Run the workflow headless instead: petriflow run {target} --out results/\n"
        "(or take screenshots with: petriflow FILE.ows --screenshot DIR)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if args.screenshot and not has_display:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    example: Path | None = None
    if args.example is not None:
        from petriflow.commands.examples import workflow_argument

        found = workflow_argument(args.file, args.example, "petriflow")
        if isinstance(found, int):
            return found
        example = found
    target = args.file or (f"--example {args.example}" if args.example else None)
    if no_display_message(has_display, target):
        print(no_display_message(has_display, target), file=sys.stderr)
        return 2
    from petriflow.gui.system_libs import check_desktop_libraries

    missing = check_desktop_libraries()  # instead of Qt's abort on a missing xcb library
    if missing:
        print(missing, file=sys.stderr)
        return 2

    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

    from petriflow.gui.mainwindow import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "petriflow"])
    app.setApplicationName("Petriflow")
    app.setOrganizationName("Petriflow")
    # embeddings run in a worker process: loading torch there never stalls the event loop
    from petriflow.analysis.embedding import isolation
    from petriflow.core.node import RunOptions

    app.aboutToQuit.connect(isolation.shutdown)
    headless = bool(args.screenshot or args.exit_when_shown)
    from petriflow.core.logs import install_excepthooks, setup_logging

    setup_logging()  # tracebacks go to the user log file, never to a dialog
    window = MainWindow(data_dir=Path(args.data_dir) if args.data_dir else None,
                        run_options=RunOptions(embedding="worker_process"))
    # an exception escaping a slot would abort PyQt6: log it, say one line, go on
    install_excepthooks(notify=window.internal_error.emit)
    if headless:  # nobody to click a dialog away
        window.show_error = lambda title, text: print(f"petriflow: {text}", file=sys.stderr)
        window.ask_recover = lambda recovery: False
    if example is not None:
        if not window.open_example(example) and headless:
            return 2
    elif args.file:
        opened = window.open_file(Path(args.file), ask=False, offer_recovery=not headless)
        if not opened and headless:
            return 2
    elif not headless and not window.offer_recovery():
        from petriflow.gui.welcome import should_show_at_start

        if should_show_at_start():  # nothing to open: examples and recent files
            QTimer.singleShot(0, window.show_welcome)
    window.show()

    if args.exit_when_shown:
        def shown() -> None:
            print(f"petriflow-shown {time.perf_counter() - _T0:.3f}", flush=True)
            sys.stdout.flush()
            os._exit(0)  # do not wait for nodes that started in the background

        QTimer.singleShot(0, shown)
    if args.screenshot:
        shooter = Screenshotter(window, Path(args.screenshot), args.screenshot_timeout)
        QTimer.singleShot(0, shooter.start)
        app.exec()
        return shooter.exit_code
    return app.exec()


class Screenshotter:
    """Waits (without blocking the event loop) until propagation settles, then grabs."""

    def __init__(self, window, out_dir: Path, timeout_s: float) -> None:
        from PyQt6.QtCore import QTimer

        self.window, self.out_dir, self.timeout_s = window, out_dir, timeout_s
        self.exit_code = 0
        self._started = time.monotonic()
        self._settled_polls = 0
        self.timer = QTimer()
        self.timer.setInterval(150)
        self.timer.timeout.connect(self._poll)

    def start(self) -> None:
        self.timer.start()

    def _poll(self) -> None:
        scheduler = self.window.scheduler
        ready = scheduler is not None and not scheduler.paused and scheduler.is_settled()
        self._settled_polls = self._settled_polls + 1 if ready else 0
        timed_out = time.monotonic() - self._started > self.timeout_s
        if self._settled_polls >= 2 or timed_out:  # two polls: queued GUI updates landed
            self.timer.stop()
            if timed_out:
                print("petriflow: propagation did not finish in time; screenshots show the "
                      "state so far", file=sys.stderr)
                self.exit_code = 1
            self.take()

    def take(self) -> None:
        from PyQt6.QtWidgets import QApplication

        self.out_dir.mkdir(parents=True, exist_ok=True)
        window = self.window
        window.view.fit_workflow()
        QApplication.processEvents()
        path = self.out_dir / "canvas.png"
        window.grab().save(str(path))
        written = [path]
        used: set[str] = {"canvas"}
        for node in window.workflow.nodes:
            view = window.open_node(node.id)
            _wait_ready(view)
            name = safe_filename(node.title)
            while name in used:
                name += "_"
            used.add(name)
            target = self.out_dir / f"{name}.png"
            view.grab().save(str(target))
            written.append(target)
            view.close()
        for p in written:
            print(p)
        window.close()
        QApplication.quit()


def _wait_ready(view, timeout_s: float = 15.0) -> None:
    """Let a view finish its background work (a dendrogram, visible thumbnails) before
    it is grabbed; views without an ``is_ready()`` get a few event-loop turns."""
    from PyQt6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()
    is_ready = getattr(view, "is_ready", None)
    if is_ready is None:
        return
    deadline = time.monotonic() + timeout_s
    steady = 0  # ready on consecutive checks: a repaint may ask for more thumbnails
    while steady < 3 and time.monotonic() < deadline:
        QApplication.processEvents()
        steady = steady + 1 if is_ready() else 0
        time.sleep(0.01)
    for _ in range(3):
        QApplication.processEvents()


if __name__ == "__main__":
    raise SystemExit(main())
