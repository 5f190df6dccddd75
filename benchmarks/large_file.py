"""File on a 1,000,000-row CSV, side by side with a plain parser reading the same file.

Why: issue 17 asks that "a File with 1 M rows loads or explains". The File widget does
more than parse: type inference per column, target and meta roles, an image column
found and its relative paths resolved, mixed-type columns turned into text with a note.
This measures what that costs over the plain parser it is built on, on the kind of table
an image study has (one row per image: path, name, plate, well, dose, area, strain,
class), so the figure in docs/benchmarks.md comes from a script and not from a one-off.

The baseline is ``pandas.read_csv`` when pandas is installed; it is not a dependency of
Petriflow, and without it the baseline is ``pyarrow.csv.read_csv`` with default options
(the parser File itself is built on, and pandas' ``engine="pyarrow"``): the printout
names the one used. The CSV is generated (seeded) in a temporary folder; one untimed
baseline read warms the OS file cache; then File (the node, run as the scheduler runs
it) and the baseline alternate ``--repeats`` times and the medians are printed with
their ratio. Say the machine's load (``uptime``) with the figures; it is printed too.

Run: ``python benchmarks/large_file.py [--rows 1000000] [--repeats 3]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np


def write_csv(path: Path, rows: int, seed: int = 0) -> None:
    """An image study's metadata table: 8 columns, one row per image."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    strains = np.array(["wt", "mut1", "mut2", "ko"])
    classes = np.array(["normal", "abnormal", "unclear"])
    plate = rng.integers(1, 40, size=rows)
    well = rng.integers(0, 384, size=rows)
    table = pa.table({
        "image": [f"images/p{p:02d}/w{w:03d}_{i}.png"
                  for i, (p, w) in enumerate(zip(plate.tolist(), well.tolist(),
                                                 strict=True))],
        "image name": [f"img{i}" for i in range(rows)],
        "plate": plate,
        "well": well,
        "dose": np.round(rng.uniform(0, 10, size=rows), 3),
        "area": np.round(rng.normal(500, 80, size=rows), 2),
        "strain": strains[rng.integers(0, len(strains), size=rows)],
        "class": classes[rng.integers(0, len(classes), size=rows)],
    })
    pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def time_file_node(path: Path) -> tuple[float, str]:
    """Seconds for the File node to produce its table, and the table's summary."""
    from petriflow.core.node import CancelToken, NodeContext, Progress
    from petriflow.nodes.file import File

    node = File(File.Settings(path=str(path)), NodeContext(workflow_dir=path.parent))
    start = time.perf_counter()
    table = node.run({}, Progress(), CancelToken())["Data"]
    elapsed = time.perf_counter() - start
    return elapsed, f"{table.summary()}; features {list(table.feature_names)}"


def baseline() -> tuple[str, Callable[[Path], int]]:
    """(name, reader returning the number of rows): pandas if installed, else pyarrow."""
    try:
        import pandas as pd
    except ImportError:
        import pyarrow.csv as pacsv

        return "pyarrow.csv.read_csv", lambda p: pacsv.read_csv(p).num_rows
    return "pandas.read_csv", lambda p: len(pd.read_csv(p))


def time_baseline(read: Callable[[Path], int], path: Path) -> float:
    start = time.perf_counter()
    n = read(path)
    elapsed = time.perf_counter() - start
    assert n > 0
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "study.csv"
        start = time.perf_counter()
        write_csv(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(f"generated {args.rows:,} rows × 8 columns, {size_mb:.1f} MB "
              f"in {time.perf_counter() - start:.1f} s")
        name, read = baseline()
        time_baseline(read, path)  # warm the OS file cache (untimed)
        ours, theirs, summary = [], [], ""
        for _ in range(args.repeats):
            seconds, summary = time_file_node(path)
            ours.append(seconds)
            theirs.append(time_baseline(read, path))
        file_s, pandas_s = statistics.median(ours), statistics.median(theirs)
        print(f"{'File node':<21} median {file_s:6.2f} s  (runs: "
              + ", ".join(f"{s:.2f}" for s in ours) + ")")
        print(f"{name:<21} median {pandas_s:6.2f} s  (runs: "
              + ", ".join(f"{s:.2f}" for s in theirs) + ")")
        print(f"ratio File / {name}: {file_s / pandas_s:.2f}x; "
              f"File: {args.rows / file_s:,.0f} rows/s")
        print(f"File's table: {summary}")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on "
          f"{os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
