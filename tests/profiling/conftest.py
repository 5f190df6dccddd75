"""Fixtures for the profiling tests: private cache folders and a generated screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from petriflow.analysis.synthetic_screen import Screen, generate_screen

#: small enough for CI (36 fields × 3 stains of 64 px), big enough for 4 MoAs × 2 compounds
TINY = {"n_plates": 2, "fields_per_well": 1, "concentrations": (0.3, 3.0),
        "compounds_per_moa": 2, "control_wells": 2, "size": 64, "seed": 9}


@pytest.fixture(autouse=True)
def _private_dirs(tmp_path_factory, monkeypatch):
    """Never touch the user's cache or weights folders from tests."""
    base = tmp_path_factory.mktemp("dirs")
    monkeypatch.setenv("PETRIFLOW_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("PETRIFLOW_WEIGHTS_DIR", str(base / "weights"))


@pytest.fixture(scope="session")
def screen(tmp_path_factory) -> Screen:
    return generate_screen(tmp_path_factory.mktemp("screen") / "screen", **TINY)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
