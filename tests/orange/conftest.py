"""Shared paths for the Orange-compatibility tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reference" / "ows"
SHARED_DATA = Path(os.environ.get("PETRIFLOW_SHARED_DATA", SHARED / "data"))
FIXTURES = Path(__file__).with_name("fixtures")

reference_files = sorted(REFERENCE.glob("*.ows")) if REFERENCE.is_dir() else []
needs_reference = pytest.mark.skipif(not reference_files, reason="../shared/reference absent")


def orange_pickles() -> dict[str, str]:
    """Settings pickled by Orange's own classes (see fixtures/make_orange_pickles.py)."""
    return json.loads((FIXTURES / "orange_pickles.json").read_text())
