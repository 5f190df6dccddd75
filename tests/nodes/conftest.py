"""Fixtures for node tests: a runner, small generated tables, real image sets."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from petriflow.core.memo import RunMemo
from petriflow.core.node import CancelToken, NodeContext, Progress
from petriflow.core.table import Table

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = Path(os.environ.get("PETRIFLOW_SHARED_DATA", REPO.parent / "shared" / "data"))


#: the memo run_node hands to nodes, as one scheduler does to all its runs (entries go
#: with their input objects)
MEMO = RunMemo()


class Run:
    """Outputs of one node run plus what it reported."""

    def __init__(self, outputs: dict[str, Any], progress: Progress, partials: list[dict]):
        self.outputs = outputs
        self.progress = progress
        self.partials = partials

    def __getitem__(self, key: str) -> Any:
        return self.outputs.get(key)

    @property
    def warnings(self) -> list[str]:
        return self.progress.warnings


def run_node(node_cls, inputs: dict[str, Any] | None = None, *, workflow_dir=None,
             cancel: CancelToken | None = None, **settings: Any) -> Run:
    """Run a node headless the way the scheduler does (missing inputs are None)."""
    s = dataclasses.replace(node_cls.Settings(), **settings)
    node = node_cls(s, NodeContext(workflow_dir=workflow_dir, memo=MEMO))
    partials: list[dict] = []
    progress = Progress(partial=partials.append, min_interval=0.0)
    given = dict(inputs or {})
    full = {i.name: given.get(i.name, [] if i.multiple else None) for i in node_cls.inputs}
    for i in node_cls.inputs:
        if i.required and full[i.name] is None:
            raise AssertionError(f"required input {i.name!r} missing in the test")
    outputs = node.run(full, progress, cancel or CancelToken())
    unknown = set(outputs) - {o.name for o in node_cls.outputs}
    assert not unknown, f"node returned undeclared outputs {unknown}"
    return Run(outputs, progress, partials)


def blobs(n_per_class: int = 20, d: int = 8, k: int = 3, seed: int = 0,
          spread: float = 0.5) -> Table:
    """k well-separated Gaussian clusters with class labels c0..c{k-1}."""
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=5.0, size=(k, d))
    X = np.concatenate([c + rng.normal(scale=spread, size=(n_per_class, d)) for c in centers])
    labels = np.repeat([f"c{i}" for i in range(k)], n_per_class)
    return Table.from_arrays(
        X, classes=labels, metas={"image name": [f"img{i}" for i in range(len(X))]},
        name="blobs",
    )


@pytest.fixture
def blob_table() -> Table:
    return blobs()


def shared_set(name: str) -> Path:
    path = SHARED_DATA / name
    if not path.is_dir():
        pytest.skip(f"real image set {path} is not available")
    return path


def pixel_features(table: Table, size: int = 12) -> Table:
    """Simple image features for tests: a downsampled grayscale image plus colour stats.

    Real embeddings come from Image Embedder; these keep node tests independent of it.
    """
    from PIL import Image

    rows = []
    for path in table.image_paths():
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB").resize((64, 64)), dtype=np.float32) / 255.0
        gray = np.asarray(
            Image.fromarray((rgb.mean(axis=2) * 255).astype(np.uint8)).resize((size, size)),
            dtype=np.float32,
        ).ravel() / 255.0
        stats = np.concatenate([rgb.mean(axis=(0, 1)), rgb.std(axis=(0, 1))])
        rows.append(np.concatenate([gray, stats]))
    X = np.asarray(rows)
    names = [f"px{i}" for i in range(X.shape[1])]
    return table.with_features(X, names)
