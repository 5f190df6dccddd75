"""The Image Embedder node and the ``petriflow embed`` command."""

from __future__ import annotations

import csv
import shutil

import numpy as np
import pytest
from PIL import Image

from petriflow.core.node import CancelToken, NodeContext, NodeError, Progress
from petriflow.core.table import Table
from petriflow.nodes.image_embedder import ImageEmbedder

from .conftest import photo_array


@pytest.fixture
def folder(tmp_path):
    """cats/ and dogs/ with two images each, plus a hidden file, a README and a bad png."""
    root = tmp_path / "images"
    for cls, seeds in (("cats", (1, 2)), ("dogs", (3, 4))):
        (root / cls).mkdir(parents=True)
        for s in seeds:
            Image.fromarray(photo_array(48, 40, s)).save(root / cls / f"{cls}{s}.png")
    (root / "README.txt").write_text("about these images")
    (root / "cats" / ".hidden.png").write_bytes(b"x")
    (root / "dogs" / "broken.png").write_text("not an image")
    return root


def _table(paths, classes=None):
    return Table.from_arrays(
        np.zeros((len(paths), 0)), [], classes=classes,
        metas={"image": np.array(paths, dtype=object), "size": np.arange(len(paths))},
        image_column="image",
    )


def test_node_declaration():
    assert ImageEmbedder.qualified_name == "petriflow.image_embedder"
    assert ImageEmbedder.category == "Images"
    assert [o.name for o in ImageEmbedder.outputs] == ["Embeddings", "Skipped Images"]
    assert ImageEmbedder.output("Embeddings").default
    assert ImageEmbedder.replaces == (
        "orangecontrib.imageanalytics.widgets.owimageembedding.OWImageEmbedding",)
    s = ImageEmbedder.Settings()
    assert (s.model, s.image_column, s.per_channel, s.device, s.use_cache) == (
        "squeezenet", "", False, "auto", True)


def test_node_run_keeps_rows_and_reports_skips(folder):
    rel = ["cats/cats1.png", "dogs/broken.png", "dogs/dogs3.png", "", "cats/nope.png"]
    table = _table(rel, classes=["cats", "dogs", "dogs", "cats", "cats"])
    node = ImageEmbedder(context=NodeContext(workflow_dir=folder))
    progress = Progress()
    out = node.run({"Images": table}, progress, CancelToken())
    emb, skipped = out["Embeddings"], out["Skipped Images"]
    assert emb.shape == (2, 1000) and emb.feature_names[0] == "n0"
    assert list(emb.row_ids) == [table.row_ids[0], table.row_ids[2]]
    assert list(emb.class_labels()) == ["cats", "dogs"]
    assert list(emb.metas["size"]) == [0, 2] and emb.image_column == "image"
    assert list(skipped.row_ids) == [table.row_ids[i] for i in (1, 3, 4)]
    reasons = list(skipped.metas["skip reason"])
    assert "not an image" in reasons[0]
    assert reasons[1] == "no image path in this row"
    assert "not found" in reasons[2]
    assert progress.warnings and "3 images skipped" in progress.warnings[0]
    assert progress.percent == 100


def test_node_errors_and_per_channel(folder, tmp_path):
    table = _table([str(folder / "cats" / "cats1.png")])
    node = ImageEmbedder(ImageEmbedder.Settings(image_column="nope"))
    with pytest.raises(NodeError, match="no column 'nope'"):
        node.run({"Images": table}, Progress(), CancelToken())
    no_images = Table.from_arrays(np.zeros((1, 1)), ["a"])
    with pytest.raises(NodeError, match="no image column"):
        ImageEmbedder().run({"Images": no_images}, Progress(), CancelToken())
    with pytest.raises(NodeError, match="unknown embedder"):
        ImageEmbedder(ImageEmbedder.Settings(model="nope")).run(
            {"Images": table}, Progress(), CancelToken())
    assert ImageEmbedder().run({"Images": None}, Progress(), CancelToken()) == {
        "Embeddings": None, "Skipped Images": None}
    out = ImageEmbedder(ImageEmbedder.Settings(per_channel=True, use_cache=False)).run(
        {"Images": table}, Progress(), CancelToken())
    assert out["Embeddings"].feature_names[1000] == "G:n0"
    assert out["Skipped Images"] is None


def test_node_missing_inception_weights_is_node_error(folder):
    table = _table([str(folder / "cats" / "cats1.png")])
    node = ImageEmbedder(ImageEmbedder.Settings(model="inception-v3"))
    with pytest.raises(NodeError, match=r"inception_v3_google-0cc3c7bd\.pth"):
        node.run({"Images": table}, Progress(), CancelToken())


def test_node_registered():
    from petriflow.core.registry import default_registry

    reg = default_registry()
    assert reg.get("petriflow.image_embedder") is ImageEmbedder
    assert reg.get("orangecontrib.imageanalytics.widgets.owimageembedding.OWImageEmbedding") \
        is ImageEmbedder


# ----------------------------------------------------------------------------- CLI
def _cli(*args):
    from petriflow.cli import main

    return main(["embed", *map(str, args), "--quiet"])


def test_cli_folder_to_csv_npy_parquet(folder, tmp_path, capsys):
    import pyarrow.parquet as pq

    out_csv = tmp_path / "e.csv"
    assert _cli(folder, "--out", out_csv) == 0
    err = capsys.readouterr().err
    assert "broken.png" in err and "4 images embedded" in err
    with out_csv.open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["path", "class", "n0"] and len(rows[0]) == 1002
    assert [r[1] for r in rows[1:]] == ["cats", "cats", "dogs", "dogs"]
    assert all("/cats/" in r[0] or "/dogs/" in r[0] for r in rows[1:])

    assert _cli(folder, "--out", tmp_path / "e.npy") == 0
    arr = np.load(tmp_path / "e.npy")
    assert arr.shape == (4, 1000) and arr.dtype == np.float32
    side = (tmp_path / "e.paths.txt").read_text().splitlines()
    assert len(side) == 4 and side[0].endswith("\tcats")
    np.testing.assert_allclose(arr[0], np.array(rows[1][2:], dtype=np.float32), rtol=1e-6)

    assert _cli(folder, "--out", tmp_path / "e.parquet") == 0
    t = pq.read_table(tmp_path / "e.parquet")
    assert t.num_rows == 4 and t.column_names[:3] == ["path", "class", "n0"]
    np.testing.assert_allclose(t.column("n5").to_numpy(), arr[:, 5])
    assert "4 from cache" in capsys.readouterr().err


def test_cli_csv_list_per_channel_and_clear_cache(folder, tmp_path, capsys):
    lst = tmp_path / "list.csv"
    shutil.copy(folder / "cats" / "cats1.png", tmp_path / "x.png")
    lst.write_text("image,class\nx.png,a\n" + f"{folder / 'dogs' / 'dogs3.png'},b\n")
    out = tmp_path / "o.csv"
    assert _cli(lst, "--out", out, "--per-channel") == 0
    with out.open() as fh:
        rows = list(csv.reader(fh))
    assert rows[0][2] == "R:n0" and len(rows[0]) == 2 + 3000
    assert [r[1] for r in rows[1:]] == ["a", "b"]
    capsys.readouterr()
    assert _cli("--clear-cache") == 0
    assert "cleared 2 cached embeddings" in capsys.readouterr().err


def test_cli_errors(tmp_path, capsys):
    assert _cli(tmp_path / "nothing", "--out", tmp_path / "o.csv") == 2
    assert _cli(tmp_path, "--out", tmp_path / "o.xlsx") == 2
    (tmp_path / "a.png").write_text("no")
    assert _cli(tmp_path, "--out", tmp_path / "o.csv", "--model", "inception-v3") == 2
    assert "0cc3c7bd" in capsys.readouterr().err
    assert _cli(tmp_path, "--out", tmp_path / "o.csv") == 1  # nothing embedded
    assert _cli("--list-models") == 0
