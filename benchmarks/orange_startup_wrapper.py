"""Run Orange's canvas (``python -m Orange.canvas``) and report when its window is up.

Runs under the Orange venv's python (never imported by Petriflow). It wraps
``QApplication.exec`` so that the first event-loop turn after Orange has created and
shown its main window *and opened the workflow file* prints ``orange-shown SECONDS``
(time since this interpreter started running this file) and exits at once. That is the
same point Petriflow's hidden ``--exit-when-shown`` flag reports.

usage: python orange_startup_wrapper.py FILE.ows
"""

from __future__ import annotations

import os
import sys
import time

T0 = time.perf_counter()


def main() -> None:
    path = sys.argv[1]
    from AnyQt.QtCore import QTimer
    from AnyQt.QtWidgets import QApplication

    original = QApplication.exec

    def exec_and_report(self):  # type: ignore[no-untyped-def]
        def shown() -> None:
            print(f"orange-shown {time.perf_counter() - T0:.3f}", flush=True)
            os._exit(0)

        QTimer.singleShot(0, shown)
        return original(self)

    QApplication.exec = exec_and_report  # type: ignore[method-assign]
    sys.argv = [sys.argv[0], "--no-welcome", "--no-splash", path]
    from Orange.canvas.__main__ import main as orange_main

    orange_main()


if __name__ == "__main__":
    main()
