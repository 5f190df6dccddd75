"""A generated high-content screen: multi-channel 16-bit fields with known MoA (seeded).

Why generated: BBBC021 is 40 GB and cannot ship with tests; the profiling workflow,
distributed runs and benchmarks need a screen of any size whose structure is known.
Each field of view is three 16-bit TIFFs (DNA, Tubulin, Actin); a mechanism of action
(MoA) changes the morphology every stain shows (nuclear size and count, microtubule
texture, actin rings), each compound of an MoA has its own small twist, the dose scales
the effect, and every plate and channel gets its own vignetting field (the bias that
illumination correction removes). ``metadata.csv`` lists one row per field with the
channel files and plate, well, field, compound, concentration and moa.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["CHANNELS", "DEFAULT_MOAS", "Screen", "generate_screen", "vignetting"]

CHANNELS = ("DNA", "Tubulin", "Actin")

#: MoA -> (nuclei per field, nucleus sigma px, tubulin texture period px, actin ring gain)
DEFAULT_MOAS: dict[str, tuple[float, float, float, float]] = {
    "Microtubule destabilizers": (7, 4.5, 3.0, 0.4),
    "DNA damage": (11, 2.2, 9.0, 1.0),
    "Actin disruptors": (14, 3.0, 6.0, 2.6),
    "Kinase inhibitors": (20, 2.0, 12.0, 0.8),
}
CONTROL = ("DMSO", "DMSO")
_CONTROL_PHENOTYPE: tuple[float, float, float, float] = (14, 3.0, 8.0, 1.0)


@dataclass(frozen=True)
class Screen:
    """Where a generated screen lies and what it holds."""

    folder: Path
    metadata: Path
    n_fields: int
    channels: tuple[str, ...]
    plates: tuple[str, ...]


def vignetting(shape: tuple[int, int], plate: int, channel: int, strength: float = 0.6
               ) -> np.ndarray:
    """A smooth multiplicative illumination field (1 at its brightest point).

    The centre shifts with plate and channel so every (plate, channel) pair has its own
    field, as on a real microscope where lamps and filters differ.
    """
    h, w = shape
    rng = np.random.default_rng(1000 + 31 * plate + channel)
    cy, cx = h * rng.uniform(0.35, 0.65), w * rng.uniform(0.35, 0.65)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r2 = ((yy - cy) / h) ** 2 + ((xx - cx) / w) ** 2
    return (1.0 - strength * np.clip(r2 / 0.5, 0, 1)).astype(np.float32)


def _field(rng: np.random.Generator, size: int, phenotype: tuple[float, float, float, float],
           twist: float) -> list[np.ndarray]:
    """The three stains (float32, 0..~1) of one field with the given phenotype."""
    from scipy import ndimage

    n_nuc, sigma, period, ring = phenotype
    n = max(1, int(rng.poisson(n_nuc * (size / 96) ** 2)))
    ys = rng.uniform(0, size, n).astype(int)
    xs = rng.uniform(0, size, n).astype(int)
    points = np.zeros((size, size), np.float32)
    np.add.at(points, (ys, xs), rng.uniform(0.7, 1.3, n).astype(np.float32))
    s = sigma * (1 + 0.15 * twist)
    dna = ndimage.gaussian_filter(points, s) * (2 * np.pi * s * s)
    cell = ndimage.gaussian_filter(points, 2.6 * s) * (2 * np.pi * (2.6 * s) ** 2)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    theta = rng.uniform(0, np.pi)
    wave = 0.5 + 0.5 * np.sin(2 * np.pi * (xx * np.cos(theta) + yy * np.sin(theta))
                              / (period * (1 + 0.1 * twist)))
    tubulin = np.clip(cell, 0, 1.5) * (0.3 + 0.7 * wave)
    actin = np.clip(cell - ring * 0.5 * dna, 0, None) * (0.5 + 0.5 * ring)
    return [dna, tubulin, actin]


def generate_screen(
    out_dir: str | os.PathLike[str],
    *,
    n_plates: int = 2,
    fields_per_well: int = 2,
    concentrations: tuple[float, ...] = (0.3, 1.0, 3.0),
    compounds_per_moa: int = 3,
    control_wells: int = 4,
    size: int = 96,
    moas: dict[str, tuple[float, float, float, float]] | None = None,
    vignetting_strength: float = 0.6,
    seed: int = 0,
) -> Screen:
    """Write a screen into ``out_dir`` (TIFFs per channel + metadata.csv) and describe it.

    Every plate holds every compound at every concentration (one well each) plus
    ``control_wells`` DMSO wells; every well has ``fields_per_well`` fields. Same
    arguments, same files (seeded), so tests and benchmarks can regenerate it.
    """
    import tifffile

    moas = moas or DEFAULT_MOAS
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    treatments: list[tuple[str, float, str, tuple[float, float, float, float], float]] = []
    for moa, pheno in moas.items():
        for c in range(compounds_per_moa):
            name = f"{moa.split()[0].lower()}-{c + 1}"
            twist = (c - (compounds_per_moa - 1) / 2) / max(1, compounds_per_moa)
            for conc in concentrations:
                treatments.append((name, conc, moa, pheno, twist))
    rows: list[dict[str, object]] = []
    plates = tuple(f"P{p + 1:02d}" for p in range(n_plates))
    for p, plate in enumerate(plates):
        vig = [vignetting((size, size), p, c, vignetting_strength) for c in range(len(CHANNELS))]
        wells = [(CONTROL[0], 0.0, CONTROL[1], _CONTROL_PHENOTYPE, 0.0)] * control_wells
        wells = wells + treatments
        for w, (compound, conc, moa, pheno, twist) in enumerate(wells):
            well = f"{chr(ord('A') + w // 24)}{w % 24 + 1:02d}"
            dose = 1.0 if compound == "DMSO" else min(1.0, 0.45 + 0.25 * np.log10(1 + 3 * conc))
            n_nuc, sigma, period, ring = (
                dose * a + (1 - dose) * b
                for a, b in zip(pheno, _CONTROL_PHENOTYPE, strict=True)
            )
            mixed = (n_nuc, sigma, period, ring)
            for f in range(fields_per_well):
                stains = _field(rng, size, mixed, twist)
                row: dict[str, object] = {
                    "plate": plate, "well": well, "field": f + 1, "compound": compound,
                    "concentration": conc, "moa": moa,
                }
                for c, (ch, img) in enumerate(zip(CHANNELS, stains, strict=True)):
                    signal = 200 + 9000 * img * vig[c]
                    noisy = rng.poisson(np.clip(signal, 0, None)).astype(np.float32)
                    arr = np.clip(noisy, 0, 65535).astype(np.uint16)
                    rel = Path(plate) / f"{plate}_{well}_f{f + 1}_{ch}.tif"
                    (out / rel).parent.mkdir(parents=True, exist_ok=True)
                    tifffile.imwrite(out / rel, arr)
                    row[ch] = rel.as_posix()
                rows.append(row)
    meta = out / "metadata.csv"
    header = ["plate", "well", "field", "compound", "concentration", "moa", *CHANNELS]
    with meta.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return Screen(out, meta, len(rows), CHANNELS, plates)


def main(argv: list[str] | None = None) -> int:
    """``python -m petriflow.analysis.synthetic_screen OUT [--plates N] ...``"""
    import argparse

    ap = argparse.ArgumentParser(description="Generate a synthetic multi-channel screen.")
    ap.add_argument("out", type=Path)
    ap.add_argument("--plates", type=int, default=2)
    ap.add_argument("--fields-per-well", type=int, default=2)
    ap.add_argument("--size", type=int, default=96)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    screen = generate_screen(a.out, n_plates=a.plates, fields_per_well=a.fields_per_well,
                             size=a.size, seed=a.seed)
    print(f"{screen.n_fields} fields x {len(screen.channels)} channels -> {screen.metadata}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
