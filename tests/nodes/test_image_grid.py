"""Image Grid's layout and node: similar images land in neighbouring cells."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from petriflow.analysis.image_grid import grid_layout, grid_shape
from petriflow.core.node import NodeError
from petriflow.core.table import Table
from petriflow.nodes.image_grid import GRID_COLUMN, GRID_ROW, ImageGrid

from .conftest import run_node


def two_clusters(n_each: int, d: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, d)) * 4
    X = np.concatenate([a + rng.normal(scale=0.3, size=(n_each, d)),
                        b + rng.normal(scale=0.3, size=(n_each, d))])
    labels = np.repeat([0, 1], n_each)
    order = rng.permutation(len(X))  # the input order says nothing about the clusters
    return X[order], labels[order]


def connected(cells: set[tuple[int, int]]) -> bool:
    """Whether the cells form one 4-connected region."""
    todo, seen = [next(iter(cells))], set()
    while todo:
        r, c = todo.pop()
        if (r, c) in seen:
            continue
        seen.add((r, c))
        todo += [n for n in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)) if n in cells]
    return seen == cells


def test_grid_shape_is_near_square_or_follows_the_given_side():
    assert grid_shape(16) == (4, 4)
    assert grid_shape(10) == (3, 4)
    assert grid_shape(10, columns=5) == (2, 5)
    assert grid_shape(10, rows=5) == (5, 2)
    assert grid_shape(10, rows=2, columns=3) == (2, 5)  # too small: more columns
    assert grid_shape(1) == (1, 1)


@pytest.mark.parametrize("exact_limit", [10_000, 0])  # optimal; sorted (large sets)
@pytest.mark.parametrize(("n_each", "rows", "columns"), [(8, 0, 0), (10, 0, 0), (12, 3, 0)])
def test_two_clusters_fill_two_contiguous_regions(n_each, rows, columns, exact_limit):
    X, labels = two_clusters(n_each)
    layout = grid_layout(X, rows, columns, exact_limit=exact_limit)
    cells = list(zip(layout.row.tolist(), layout.column.tolist(), strict=True))
    assert len(set(cells)) == len(X)  # one image per cell
    assert all(0 <= r < layout.rows and 0 <= c < layout.columns for r, c in cells)
    for k in (0, 1):
        mine = {cell for cell, lab in zip(cells, labels, strict=True) if lab == k}
        assert connected(mine), f"cluster {k} is split: {sorted(mine)}"


@pytest.mark.parametrize("exact_limit", [10_000, 0])
def test_neighbours_in_the_grid_are_near_in_the_data(exact_limit):
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(36, 2)) @ rng.normal(size=(2, 10))  # a 2-D sheet in 10-D
    layout = grid_layout(X, exact_limit=exact_limit)
    pos = np.c_[layout.row, layout.column]
    d_grid = np.abs(pos[:, None] - pos[None]).sum(-1)
    d_data = np.linalg.norm(X[:, None] - X[None], axis=-1)
    adjacent = d_grid == 1
    far = d_grid >= 4
    assert d_data[adjacent].mean() < 0.6 * d_data[far].mean()


def images_table(tmp_path: Path, n_each: int = 8) -> Table:
    X, labels = two_clusters(n_each)
    paths = []
    for i, lab in enumerate(labels):
        p = tmp_path / f"im{i}.png"
        Image.new("RGB", (12, 8), (200, 30, 30) if lab else (30, 30, 200)).save(p)
        paths.append(str(p))
    paths[5] = str(tmp_path / "gone.png")
    return Table.from_arrays(X, classes=[f"c{k}" for k in labels],
                             metas={"image": paths}, image_column="image")


def test_node_outputs_grid_positions_selection_and_warnings(tmp_path):
    t = images_table(tmp_path)
    r = run_node(ImageGrid, {"Embeddings": t, "Data Subset": t.take([0, 1])},
                 selected=[2, 4])
    data = r["Data"]
    pos = set(zip(data.metas[GRID_ROW].tolist(), data.metas[GRID_COLUMN].tolist(),
                  strict=True))
    assert len(pos) == len(t) and min(min(p) for p in pos) == 1  # 1-based, one per cell
    assert list(r["Selected Images"].row_ids) == list(t.row_ids[[2, 4]])
    assert any("1 of 16 images were not found" in w for w in r.warnings)
    assert r.progress.message == "4 × 4 grid"


def test_node_bad_input(tmp_path):
    t = images_table(tmp_path)
    with pytest.raises(NodeError, match="numeric features"):
        run_node(ImageGrid, {"Embeddings": t.with_features(np.zeros((16, 0)), [])})
    with pytest.raises(NodeError, match="no image column"):
        run_node(ImageGrid, {"Embeddings": Table.from_arrays(np.eye(3))})
    r = run_node(ImageGrid, {"Embeddings": t}, rows=2, columns=2)
    assert any("cannot hold 16 images" in w for w in r.warnings)
    assert int(r["Data"].metas[GRID_COLUMN].max()) == 8


def test_orange_image_grid_settings_are_carried():
    from petriflow.compat.orange.settings import translate_settings
    from petriflow.compat.orange.widgets import orange_channel

    t = translate_settings(ImageGrid, {"cell_fit": "Crop", "imageSize": 150, "columns": 10,
                                       "rows": 10, "label_selected": True})
    assert t.values == {"fit": "crop", "thumbnail_size": 150}
    assert {"columns", "rows"} <= set(t.ignored)
    # Orange's annotated output "Images" (id "data") is our "Data"
    assert orange_channel(ImageGrid, "data", "Images", output=True) == "Data"
    assert orange_channel(ImageGrid, "selected_data", "Selected Images",
                          output=True) == "Selected Images"
    assert orange_channel(ImageGrid, "data", "Embeddings", output=False) == "Embeddings"
