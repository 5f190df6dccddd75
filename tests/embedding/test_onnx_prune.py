"""Stored ONNX models of a model id under other keys (older library versions, other
weights or export format) are deleted when a new one is written; nothing else is."""

from __future__ import annotations

import os

import pytest

from petriflow.analysis.embedding import load_embedder
from petriflow.analysis.embedding.backbones import runtime as rt

from .test_runtime import _spec, needs_ort

HEX_A = "a" * 32
HEX_B = "0123456789abcdef" * 2


@needs_ort
def test_a_new_key_prunes_the_old_files_of_that_model_only(tmp_path, monkeypatch):
    spec = _spec(tmp_path, "rt-prune", "plain")
    loaded = load_embedder(spec, device="cpu")
    assert rt._build(loaded, 1)[1] == "export"
    old = rt._model_path(rt._model_key(loaded))
    folder = old.parent
    assert old.is_file() and old.name.startswith("rt-prune-")
    older = folder / f"rt-prune-{HEX_A}.onnx"  # e.g. stored by an older torch
    older.write_bytes(b"older")
    outside = tmp_path / "elsewhere.onnx"
    outside.write_bytes(b"not ours")
    keep = {
        folder / f"rt-prune-2-{HEX_B}.onnx": b"another model whose id starts alike",
        folder / f"rt-prunex-{HEX_B}.onnx": b"another model",
        folder / f".rt-prune-{HEX_B}.onnx.x1y2.tmp": b"a write in progress",
        folder / f"rt-prune-{HEX_B}.onnx.part": b"not a model file name",
        folder / "notes.txt": b"whatever else",
    }
    for path, data in keep.items():
        path.write_bytes(data)
    link = folder / f"rt-prune-{HEX_B}.onnx"
    link.symlink_to(outside)
    (folder / f"rt-prune-{'c' * 32}.onnx").mkdir()

    monkeypatch.setattr(rt, "EXPORT_FORMAT", rt.EXPORT_FORMAT + 1)  # a new key
    runner, origin = rt._build(loaded, 1)
    assert runner is not None and origin == "export"
    new = rt._model_path(rt._model_key(loaded))
    assert new != old and new.is_file()
    assert not old.exists() and not older.exists()  # the same model's other keys: gone
    for path, data in keep.items():
        assert path.read_bytes() == data, path
    assert link.is_symlink() and outside.read_bytes() == b"not ours"
    assert (folder / f"rt-prune-{'c' * 32}.onnx").is_dir()
    assert rt._build(loaded, 1)[1] == "disk"  # the file of the current key stays in use


def test_pruning_tolerates_files_already_gone_and_never_deletes_its_own(tmp_path,
                                                                        monkeypatch):
    folder = tmp_path / "onnx"
    folder.mkdir()
    mine = folder / f"net-{HEX_A}.onnx"
    mine.write_bytes(b"current")
    gone, other = folder / f"net-{HEX_B}.onnx", folder / f"net-{'d' * 32}.onnx"
    gone.write_bytes(b"old")
    other.write_bytes(b"old too")
    seen = list(os.scandir(folder))  # what a racing process listed
    gone.unlink()  # ... before another process pruned this one
    monkeypatch.setattr(rt.os, "scandir", lambda _path: iter(seen))
    removed = rt.prune_other_keys(mine)
    assert removed == [other] and not other.exists()
    assert mine.read_bytes() == b"current"
    monkeypatch.undo()
    assert rt.prune_other_keys(mine) == [] and mine.is_file()
    assert rt.prune_other_keys(tmp_path / "missing" / f"net-{HEX_A}.onnx") == []


@pytest.mark.parametrize("name", ["x", "x-y"])
def test_model_ids_with_dashes_match_only_themselves(tmp_path, name):
    folder = tmp_path / "onnx"
    folder.mkdir()
    files = {n: folder / f"{n}-{h}.onnx" for n, h in (("x", HEX_A), ("x-y", HEX_B))}
    for f in files.values():
        f.write_bytes(b"m")
    stale = folder / f"{name}-{'e' * 32}.onnx"
    stale.write_bytes(b"stale")
    assert rt.prune_other_keys(files[name]) == [stale]
    assert all(f.is_file() for f in files.values())
