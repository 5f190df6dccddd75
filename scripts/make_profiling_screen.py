"""Regenerate workflows/data/screen: the tiny multi-channel screen of the profiling example.

2 plates × 18 wells (4 MoAs × 2 compounds × 2 concentrations + 2 DMSO wells) × 1 field,
three 64 × 64 16-bit stains per field (~0.9 MB). Seeded: the same files every time.
Usage: python scripts/make_profiling_screen.py [OUT]   (default workflows/data/screen)
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from petriflow.analysis.synthetic_screen import generate_screen

TINY = {"n_plates": 2, "fields_per_well": 1, "concentrations": (0.3, 3.0),
        "compounds_per_moa": 2, "control_wells": 2, "size": 64, "seed": 9}


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else \
        Path(__file__).resolve().parents[1] / "workflows" / "data" / "screen"
    if out.exists():
        shutil.rmtree(out)
    screen = generate_screen(out, **TINY)
    print(f"{screen.n_fields} fields × {len(screen.channels)} channels → {screen.metadata}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
