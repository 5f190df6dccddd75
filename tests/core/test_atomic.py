"""The one atomic-write helper and the one table CSV writer (issue 13.3, issue 14.12)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from petriflow.analysis.table_files import write_table
from petriflow.core.atomic import atomic_save_npy, atomic_write, atomic_write_bytes, current_umask
from petriflow.core.ows import save_workflow
from petriflow.core.run_export import export_value
from petriflow.core.table import Table
from petriflow.core.workflow import Workflow

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask after a test that sets its own."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _table() -> Table:
    X = np.array([[0.1, np.nan], [np.float32(1 / 3), 2.0], [1e-7, -3.5]], dtype=np.float32)
    return Table.from_arrays(
        X, ["u", "v"], classes=["a", None, "b"], class_name="kind",
        metas={"image": np.array(["/x/é.png", "/x/b,c.png", None], dtype=object),
               "size": np.array([1, 2, 3], dtype=np.int64),
               "score": np.array([0.5, np.nan, 2.0])},
        image_column="image")


@posix_only
@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_new_file_follows_the_umask(tmp_path: Path, umask: None, mask: int):
    os.umask(mask)
    assert current_umask() == mask
    path = atomic_write_bytes(tmp_path / "new.bin", b"data")
    assert path.read_bytes() == b"data"
    assert _mode(path) == 0o666 & ~mask


@posix_only
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_replacing_keeps_the_files_permissions(tmp_path: Path, umask: None, mode: int):
    os.umask(0o022)
    path = tmp_path / "old.txt"
    path.write_text("old")
    path.chmod(mode)
    atomic_write(path, lambda tmp: tmp.write_text("new"))
    assert path.read_text() == "new"
    assert _mode(path) == mode


def test_a_failure_mid_write_leaves_the_old_file(tmp_path: Path):
    path = tmp_path / "keep.csv"
    path.write_text("old content")

    def half_then_fail(tmp: Path) -> None:
        tmp.write_text("half a fi")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, half_then_fail)
    assert path.read_text() == "old content"
    assert sorted(os.listdir(tmp_path)) == ["keep.csv"]  # no temp file left behind
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "new.csv", lambda tmp: (_ for _ in ()).throw(KeyboardInterrupt))
    assert sorted(os.listdir(tmp_path)) == ["keep.csv"]


def test_npy_goes_to_the_target_name(tmp_path: Path):
    path = atomic_save_npy(tmp_path / "d.npy", np.arange(6.0).reshape(2, 3))
    assert sorted(os.listdir(tmp_path)) == ["d.npy"]
    assert np.load(path).tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_save_data_and_run_out_write_identical_csv(tmp_path: Path):
    table = _table()
    saved = write_table(table, tmp_path / "save_data.csv")
    (tmp_path / "run").mkdir()
    record = export_value(table, tmp_path / "run", "out")
    exported = tmp_path / "run" / record["file"]
    assert saved.read_bytes() == exported.read_bytes()
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "u,v,kind,image,size,score"
    assert lines[1] == "0.10000000149011612,,a,/x/é.png,1,0.5"  # NaN → empty cell
    assert lines[2].split(",")[2] == ""  # missing class
    assert '"/x/b,c.png"' in lines[2]
    # the TSV differs only by its delimiter
    tsv = write_table(table, tmp_path / "t.tsv").read_text(encoding="utf-8")
    assert tsv.splitlines()[0] == "u\tv\tkind\timage\tsize\tscore"


@posix_only
def test_outputs_of_run_out_save_data_and_ows_follow_the_umask(tmp_path: Path, umask: None):
    os.umask(0o027)
    table = _table()
    written = [write_table(table, tmp_path / "a.csv"), write_table(table, tmp_path / "a.parquet")]
    for i, value in enumerate((table, None)):
        record = export_value(value, tmp_path, f"o{i}")
        if "file" in record:
            written.append(tmp_path / record["file"])
    save_workflow(Workflow(), tmp_path / "w.ows")
    written.append(tmp_path / "w.ows")
    assert len(written) == 4
    assert {p.name: _mode(p) for p in written} == {p.name: 0o640 for p in written}


@posix_only
def test_petriflow_run_out_follows_the_umask(tmp_path: Path, umask: None, monkeypatch):
    """Issue 14.12: `petriflow run --out` wrote CSVs 0600 whatever the umask."""
    from petriflow import cli
    from petriflow.core import registry as registry_module

    from . import toy_nodes as toy

    monkeypatch.setattr(registry_module, "_default", toy.full_registry())
    wf = Workflow(title="umask")
    src = wf.add_node(toy.TableSource, title="Table Source")
    dist = wf.add_node(toy.ToDistances, title="Distances")
    wf.add_link(src.id, "Data", dist.id, "Data")
    save_workflow(wf, tmp_path / "w.ows")
    # new files follow the umask; a rerun into the same folder keeps the files' modes
    for folder, mask, expected in (("a", 0o022, 0o644), ("a", 0o027, 0o644),
                                   ("b", 0o027, 0o640)):
        os.umask(mask)
        out = tmp_path / folder
        assert cli.main(["run", str(tmp_path / "w.ows"), "--quiet", "--out", str(out)]) == 0
        modes = {p.name: _mode(p) for p in out.iterdir()}
        assert {n.rsplit(".", 1)[1] for n in modes} == {"csv", "npy", "json"}
        assert set(modes.values()) == {expected}, (folder, oct(mask))
