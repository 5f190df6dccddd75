"""Start-up time: new process → main window shown with an example workflow loaded.

Petriflow: ``python -m petriflow workflows/image-clustering.ows --exit-when-shown``
(hidden flag: prints when the first event-loop turn after ``show()`` runs, then exits).
Orange (when an Orange venv is given with ``--orange-python`` or ``ORANGE_PYTHON``):
``orange_startup_wrapper.py``, which runs ``python -m Orange.canvas --no-welcome
--no-splash FILE`` and reports the same moment (first event-loop turn after Orange has
shown its window and opened FILE). Orange cannot read Petriflow's node names, so it
opens the equivalent Orange workflow (Import Images → Image Embedding → Data Table,
Distances → Hierarchical Clustering → Image Viewer) from the shared reference files.

Wall time is taken by this script from ``Popen`` to the reported line: interpreter
start, imports, window, file loading. Rounds alternate between the two apps; one
warm-up round of each (not counted) puts both in the OS file cache, as after any
earlier launch. Runs offscreen (``QT_QPA_PLATFORM=offscreen``) unless ``--platform``.

usage: python benchmarks/startup.py [-n 5] [--orange-python /tmp/orange-venv/bin/python]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PETRIFLOW_FILE = REPO / "workflows" / "image-clustering.ows"
ORANGE_FILE = REPO.parent / "shared" / "reference" / "ows" / (
    "img_clustering__lecture-notes_image-embedding.ows")
WRAPPER = Path(__file__).resolve().parent / "orange_startup_wrapper.py"


def time_to_marker(cmd: list[str], marker: str, env: dict[str, str],
                   timeout: float = 120.0) -> tuple[float, float]:
    """(wall seconds from Popen to the marker line, seconds the process reported)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=env, cwd=REPO)
    try:
        assert proc.stdout is not None
        deadline = start + timeout
        for line in proc.stdout:
            if line.startswith(marker):
                wall = time.perf_counter() - start
                return wall, float(line.split()[1])
            if time.perf_counter() > deadline:
                break
        raise RuntimeError(f"{cmd[0]} ended without reporting {marker!r}")
    finally:
        proc.kill()
        proc.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--rounds", type=int, default=5)
    parser.add_argument("--orange-python", default=os.environ.get("ORANGE_PYTHON"))
    parser.add_argument("--orange-file", type=Path, default=ORANGE_FILE)
    parser.add_argument("--platform", default="offscreen", help="QT_QPA_PLATFORM")
    args = parser.parse_args()

    env = dict(os.environ, QT_QPA_PLATFORM=args.platform)
    data_dir = tempfile.mkdtemp(prefix="petriflow-bench-")
    ours = [sys.executable, "-m", "petriflow", str(PETRIFLOW_FILE), "--exit-when-shown",
            "--data-dir", data_dir]
    theirs = None
    if args.orange_python:
        if not Path(args.orange_python).exists():
            print(f"Orange python {args.orange_python} not found; measuring Petriflow only")
        elif not args.orange_file.exists():
            print(f"{args.orange_file} not found; measuring Petriflow only")
        else:
            theirs = [args.orange_python, str(WRAPPER), str(args.orange_file)]

    print(f"platform {args.platform}; {args.rounds} rounds (+1 warm-up each), alternating")
    time_to_marker(ours, "petriflow-shown", env)
    if theirs:
        time_to_marker(theirs, "orange-shown", env)
    ours_s: list[float] = []
    theirs_s: list[float] = []
    for i in range(args.rounds):
        wall, inside = time_to_marker(ours, "petriflow-shown", env)
        ours_s.append(wall)
        line = f"round {i + 1}: petriflow {wall:.2f} s (in-process {inside:.2f} s)"
        if theirs:
            wall_o, inside_o = time_to_marker(theirs, "orange-shown", env, timeout=300)
            theirs_s.append(wall_o)
            line += f"   orange {wall_o:.2f} s (in-process {inside_o:.2f} s)"
        print(line, flush=True)
    med = statistics.median(ours_s)
    print(f"petriflow median {med:.2f} s (min {min(ours_s):.2f}, max {max(ours_s):.2f})")
    if theirs_s:
        med_o = statistics.median(theirs_s)
        print(f"orange    median {med_o:.2f} s (min {min(theirs_s):.2f}, "
              f"max {max(theirs_s):.2f})")
        print(f"ratio orange/petriflow {med_o / med:.1f}x")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
