"""Weights management against a loopback HTTP server: `petriflow models` list, download
(checksum before placing, resume with Range, mirror, bad answers, read-only folder) and
add (strict load, custom checksum in the cache key). Nothing touches the network."""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from petriflow.analysis.embedding import embed_paths, load_embedder
from petriflow.analysis.embedding.backbones import EMBEDDERS
from petriflow.analysis.embedding.backbones.download import download_official
from petriflow.analysis.embedding.backbones.specs import WeightsDownloadError
from petriflow.analysis.embedding.backbones.weights import make_locator
from petriflow.cli import main
from tests.embedding.weights_server import (
    TINY_ID,
    tiny_file_bytes,
    tiny_spec,
    tiny_state,
    weights_folder,
    weights_server,
)

OFFICIAL = "tiny-net-1234abcd.pt"


@pytest.fixture(autouse=True)
def _no_proxy_no_mirror(monkeypatch):
    """urllib honours proxy variables: a proxy of the test machine must not see loopback."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY", "PETRIFLOW_WEIGHTS_MIRROR"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def server():
    with weights_server() as served:
        yield served


@pytest.fixture
def tiny(server, monkeypatch):
    """The tiny model registered, its official file served by the loopback server."""
    data = tiny_file_bytes()
    server.files[OFFICIAL] = data
    spec = tiny_spec(f"{server.base}/models/{OFFICIAL}", data)
    monkeypatch.setitem(EMBEDDERS, TINY_ID, spec)
    return spec, data


def _lines(err: str) -> list[str]:
    """The message lines of stderr (progress lines start with a carriage return)."""
    return [x for x in err.split("\n") if x.strip() and not x.startswith("\r")]


def _folder_files() -> list[str]:
    folder = weights_folder()
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _image(tmp_path: Path) -> Path:
    path = tmp_path / "img.png"
    rng = np.random.default_rng(1)
    Image.fromarray(rng.integers(0, 255, (40, 50, 3), dtype=np.uint8)).save(path)
    return path


def test_correct_file_is_placed_and_used(tiny, tmp_path, capsys):
    _spec, data = tiny
    assert main(["models", "download", TINY_ID, "--yes"]) == 0
    out = capsys.readouterr()
    assert "placed" in out.out and "SHA-256" in out.out
    target = weights_folder() / OFFICIAL
    assert target.read_bytes() == data
    assert _folder_files() == [OFFICIAL]  # no .part, no temp file left
    # listed as on this machine, verified
    assert main(["models"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(TINY_ID))
    assert "on this machine" in line and "verified" in line and str(target) in line
    # used: the embedding is the network with the downloaded weights
    img = _image(tmp_path)
    result = embed_paths([img], TINY_ID, device="cpu", cache=False)
    emb = load_embedder(TINY_ID, device="cpu")
    assert emb.weights.path == target
    torch.testing.assert_close(emb.module[1].conv.weight, tiny_state()["conv.weight"])
    pixels = np.asarray(Image.open(img).convert("RGB").resize((32, 32), Image.BILINEAR))
    x = torch.from_numpy(pixels.copy())[None].permute(0, 3, 1, 2)
    with torch.inference_mode():
        expected = emb.module(x)[0].numpy()
    np.testing.assert_allclose(result.vectors[0], expected, rtol=1e-4, atol=1e-5)
    # a second download finds it and fetches nothing
    assert main(["models", "download", TINY_ID, "--yes"]) == 0
    assert "already on this machine" in capsys.readouterr().out


def test_wrong_file_is_refused_and_nothing_placed(tiny, server, capsys):
    server.files[OFFICIAL] = tiny_file_bytes(seed=7)  # another file under the right name
    assert main(["models", "download", TINY_ID, "--yes"]) == 1
    err = capsys.readouterr().err
    assert "not the official" in err and "nothing was placed" in err
    assert "Traceback" not in err and len(_lines(err)) == 1
    assert _folder_files() == []  # neither the file nor its .part


def test_interrupted_download_resumes_with_range(tiny, server, capsys):
    _spec, data = tiny
    server.drop_first.add(OFFICIAL)
    assert main(["models", "download", TINY_ID, "--yes"]) == 1
    err = capsys.readouterr().err
    assert "run it again to resume" in err and "Traceback" not in err
    part = weights_folder() / f"{OFFICIAL}.part"
    assert _folder_files() == [part.name]  # only the partial file, never the target
    have = part.stat().st_size
    assert 0 < have < len(data)
    assert main(["models", "download", TINY_ID, "--yes"]) == 0
    assert server.requests[-1][1] == f"bytes={have}-"  # resumed, not restarted
    assert (weights_folder() / OFFICIAL).read_bytes() == data
    assert _folder_files() == [OFFICIAL]


def test_server_ignoring_range_restarts_the_part(tiny, server, capsys):
    _spec, data = tiny
    server.drop_first.add(OFFICIAL)
    assert main(["models", "download", TINY_ID, "--yes"]) == 1
    assert (weights_folder() / f"{OFFICIAL}.part").stat().st_size < len(data)
    server.ignore_range = True  # answers 200 with the whole file to the Range request
    assert main(["models", "download", TINY_ID, "--yes"]) == 0
    assert server.requests[-1][1] is not None  # a resume was asked for...
    assert (weights_folder() / OFFICIAL).read_bytes() == data  # ...and not appended
    assert _folder_files() == [OFFICIAL]


def test_mirror_serves_the_official_name_and_is_checked(tiny, server, monkeypatch, capsys):
    _spec, data = tiny
    monkeypatch.setenv("PETRIFLOW_WEIGHTS_MIRROR", f"{server.base}/mirror/")
    assert main(["models", "download", TINY_ID, "--yes"]) == 0
    assert server.requests[-1][0] == f"/mirror/{OFFICIAL}"
    assert (weights_folder() / OFFICIAL).read_bytes() == data


def test_mirror_answering_404_or_html(tiny, server, monkeypatch, capsys):
    server.files.pop(OFFICIAL)
    monkeypatch.setenv("PETRIFLOW_WEIGHTS_MIRROR", f"{server.base}/mirror")
    assert main(["models", "download", TINY_ID, "--yes"]) == 1
    err = capsys.readouterr().err
    assert "404" in err and "PETRIFLOW_WEIGHTS_MIRROR" in err and "Traceback" not in err
    assert _folder_files() == []
    server.html.add(OFFICIAL)
    assert main(["models", "download", TINY_ID, "--yes"]) == 1
    err = capsys.readouterr().err
    assert "web page" in err and len(_lines(err)) == 1
    assert _folder_files() == []


def test_html_without_content_type_is_refused(tiny, server):
    spec, _data = tiny
    server.files[OFFICIAL] = b"<!DOCTYPE html>\n<html><body>mirror index</body></html>"
    with pytest.raises(WeightsDownloadError, match="web page"):
        download_official(TINY_ID, "Tiny", spec.official)
    assert _folder_files() == []


def test_no_network_is_one_line(tiny, monkeypatch, capsys):
    with contextlib.closing(__import__("socket").socket()) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    monkeypatch.setenv("PETRIFLOW_WEIGHTS_MIRROR", f"http://127.0.0.1:{port}")
    assert main(["models", "download", TINY_ID, "--yes"]) == 1
    err = capsys.readouterr().err
    assert "cannot reach" in err and len(_lines(err)) == 1
    assert _folder_files() == []


def test_unresolvable_host_is_one_line(server, monkeypatch, capsys):
    """No network at all: the host name does not resolve (``.invalid`` never does, RFC
    6761), no proxy. One line saying what to do, nothing in the weights folder."""
    data = tiny_file_bytes()
    spec = tiny_spec(f"http://weights.invalid/models/{OFFICIAL}", data)
    monkeypatch.setitem(EMBEDDERS, TINY_ID, spec)
    assert main(["models", "download", TINY_ID, "--yes"]) == 1
    err = capsys.readouterr().err
    assert "cannot reach http://weights.invalid/" in err and "No network here?" in err
    assert "PETRIFLOW_WEIGHTS_MIRROR" in err and "petriflow models add" in err
    assert "Traceback" not in err and len(_lines(err)) == 1
    assert _folder_files() == []


def test_truncated_answer_without_length_is_refused_by_the_checksum(tiny, server, capsys):
    """A server that sends half the file and closes, with no Content-Length to compare:
    the SHA-256 refuses it, the part is deleted, nothing is placed, one line."""
    server.cut.add(OFFICIAL)
    assert main(["models", "download", TINY_ID, "--yes"]) == 1
    err = capsys.readouterr().err
    assert "not the official" in err and "nothing was placed" in err
    assert "Traceback" not in err and len(_lines(err)) == 1
    assert _folder_files() == []


def test_truncated_file_brought_by_hand(tiny, tmp_path, capsys):
    """A truncated copy of the official file: `add` refuses it (not a readable file);
    under the official name in the weights folder it is reported damaged, never used,
    and a download replaces it with the verified file."""
    _spec, data = tiny
    cut = tmp_path / OFFICIAL
    cut.write_bytes(data[: len(data) // 2])
    assert main(["models", "add", TINY_ID, str(cut)]) == 1
    err = capsys.readouterr().err
    assert "not a readable PyTorch weights file" in err and len(_lines(err)) == 1
    assert "cut short" in err and "miniz" not in err
    assert _folder_files() == []
    weights_folder().mkdir(parents=True, exist_ok=True)
    (weights_folder() / OFFICIAL).write_bytes(data[: len(data) // 2])
    assert main(["models"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(TINY_ID))
    assert "damaged or not the expected file" in line
    with pytest.raises(Exception, match="damaged or not the expected file"):
        load_embedder(TINY_ID, device="cpu")
    assert main(["models", "download", TINY_ID, "--yes"]) == 0
    assert (weights_folder() / OFFICIAL).read_bytes() == data
    assert _folder_files() == [OFFICIAL]


def test_timeout_is_one_line(tiny, monkeypatch, capsys):
    """A server that accepts the connection and never answers: a timeout, one line."""
    import socket

    from petriflow.analysis.embedding.backbones import download

    monkeypatch.setattr(download, "TIMEOUT_S", 0.5)
    with contextlib.closing(socket.socket()) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # connections wait in the backlog, unanswered
        port = silent.getsockname()[1]
        monkeypatch.setenv("PETRIFLOW_WEIGHTS_MIRROR", f"http://127.0.0.1:{port}")
        assert main(["models", "download", TINY_ID, "--yes"]) == 1
    err = capsys.readouterr().err
    assert "no answer within 0.5 s" in err and len(_lines(err)) == 1
    assert _folder_files() == []


def test_proxy_from_the_environment_is_used(server, monkeypatch):
    """http_proxy names the loopback server; the official host does not even resolve, so
    the file can only have come through the proxy (which sees the absolute URL)."""
    data = tiny_file_bytes()
    server.files[OFFICIAL] = data
    spec = tiny_spec(f"http://weights.invalid/models/{OFFICIAL}", data)
    monkeypatch.setitem(EMBEDDERS, TINY_ID, spec)
    monkeypatch.setenv("http_proxy", server.base)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    path = download_official(TINY_ID, "Tiny", spec.official)
    assert path.read_bytes() == data
    assert server.requests[-1][0] == f"http://weights.invalid/models/{OFFICIAL}"


def test_good_weights_are_never_replaced(tiny, server, capsys):
    _spec, data = tiny
    assert main(["models", "download", TINY_ID, "--yes"]) == 0
    server.files[OFFICIAL] = tiny_file_bytes(seed=3)
    target = weights_folder() / OFFICIAL
    target.with_name(OFFICIAL + ".part").write_bytes(b"junk")  # a stale part, too
    assert main(["models", "download", TINY_ID, "--yes"]) == 0  # already there
    assert target.read_bytes() == data


@contextlib.contextmanager
def _read_only(folder: Path):
    """``folder`` read-only for this process: a read-only tmpfs mounted on it when we
    run as root (root writes through permission bits), else the permission bits."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(folder)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("running as root and cannot mount a read-only folder here")
    try:
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_read_only_weights_folder(tiny, capsys, tmp_path):
    with _read_only(weights_folder()):
        assert main(["models", "download", TINY_ID, "--yes"]) == 1
        err = capsys.readouterr().err
        assert "not writable" in err and "PETRIFLOW_WEIGHTS_DIR" in err
        assert "Traceback" not in err and _folder_files() == []
        own = tmp_path / "own.pt"
        own.write_bytes(tiny_file_bytes(seed=5))
        assert main(["models", "add", TINY_ID, str(own)]) == 1
        assert "PETRIFLOW_WEIGHTS_DIR" in capsys.readouterr().err


def test_cancel_leaves_only_the_part(tiny, server):
    spec, _data = tiny
    server.slow[OFFICIAL] = 0.002
    seen: list[int] = []

    def progress(p):
        seen.append(p.done)

    with pytest.raises(WeightsDownloadError, match="cancelled"):
        download_official(TINY_ID, "Tiny", spec.official, progress=progress,
                          cancel=lambda: bool(seen))
    assert _folder_files() == [f"{OFFICIAL}.part"]


# ----------------------------------------------------------------------------- add
def test_add_own_file_is_custom_and_in_the_cache_key(tiny, tmp_path, capsys):
    _spec, data = tiny
    own = tmp_path / "finetuned.pt"
    own.write_bytes(tiny_file_bytes(seed=11))
    assert main(["models", "add", TINY_ID, str(own)]) == 0
    assert "custom file" in capsys.readouterr().out
    assert main(["models"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(TINY_ID))
    assert "custom" in line
    emb = load_embedder(TINY_ID, device="cpu")
    assert emb.weights.source == "custom file"
    assert emb.weights_checksum == hashlib.sha256(own.read_bytes()).hexdigest()
    torch.testing.assert_close(emb.module[1].conv.weight, tiny_state(11)["conv.weight"])
    # the cache keeps the two apart: same image, other weights, other vector
    from petriflow.analysis.embedding import EmbeddingCache

    img = _image(tmp_path)
    with EmbeddingCache(tmp_path / "cache") as cache:
        mine = embed_paths([img], TINY_ID, device="cpu", cache=cache).vectors[0]
        assert main(["models", "remove", TINY_ID]) == 0
        (weights_folder() / OFFICIAL).write_bytes(data)
        official = embed_paths([img], TINY_ID, device="cpu", cache=cache)
    assert official.from_cache == 0 and not np.allclose(mine, official.vectors[0])


def test_add_the_official_file_is_not_custom(tiny, tmp_path, capsys):
    _spec, data = tiny
    own = tmp_path / "copy.pt"
    own.write_bytes(data)
    assert main(["models", "add", TINY_ID, str(own)]) == 0
    assert "official file" in capsys.readouterr().out
    assert (weights_folder() / OFFICIAL).read_bytes() == data
    assert not (weights_folder() / "custom" / f"{TINY_ID}.json").exists()


def test_add_refuses_other_architecture_and_non_state_dicts(tiny, tmp_path, capsys):
    other = tmp_path / "other.pt"
    other.write_bytes(tiny_file_bytes(channels=8))  # same keys, other shapes
    assert main(["models", "add", TINY_ID, str(other)]) == 1
    err = capsys.readouterr().err
    assert "does not fit this model" in err and "another shape" in err
    keys = tmp_path / "keys.pt"
    torch.save({"fc.weight": torch.zeros(2, 2)}, keys)
    assert main(["models", "add", TINY_ID, str(keys)]) == 1
    assert "does not fit this model" in capsys.readouterr().err
    notdict = tmp_path / "list.pt"
    torch.save([torch.zeros(2)], notdict)
    assert main(["models", "add", TINY_ID, str(notdict)]) == 1
    assert "does not hold a state dict" in capsys.readouterr().err
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"PK\x03\x04 not really")
    assert main(["models", "add", TINY_ID, str(junk)]) == 1
    err = capsys.readouterr().err
    assert "not a readable PyTorch weights file" in err and "Traceback" not in err
    assert len(_lines(err)) == 1 and "weights_only=False" not in err  # never that advice
    text = tmp_path / "text.pth"
    text.write_text("not weights\n")
    assert main(["models", "add", TINY_ID, str(text)]) == 1
    err = capsys.readouterr().err
    assert "not a readable PyTorch weights file" in err and "never code" in err
    assert len(_lines(err)) == 1 and "weights_only" not in err
    assert _folder_files() == []  # nothing stored for any of them


def test_previous_custom_file_survives_a_refused_one(tiny, tmp_path, capsys):
    good = tmp_path / "good.pt"
    good.write_bytes(tiny_file_bytes(seed=2))
    assert main(["models", "add", TINY_ID, str(good)]) == 0
    bad = tmp_path / "bad.pt"
    bad.write_bytes(tiny_file_bytes(channels=3))
    assert main(["models", "add", TINY_ID, str(bad)]) == 1
    emb = load_embedder(TINY_ID, device="cpu")
    assert emb.weights_checksum == hashlib.sha256(good.read_bytes()).hexdigest()


def test_list_shows_every_embedder(capsys):
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for spec_id in ("squeezenet", "inception-v3", "efficientnet-b0", "convnext-tiny",
                    "vit-b16", "dino-vits16"):
        line = next(x for x in lines if x.startswith(spec_id + " "))
        assert ("on this machine" in line) == spec_id.startswith("squeezenet")
    inc = next(x for x in lines if x.startswith("inception-v3 "))
    assert "2048" in inc and "299" in inc and "MB" in inc and "licence" in inc


def test_download_without_consent_fetches_nothing(tiny, server, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", None)  # a script: no terminal to ask on
    assert main(["models", "download", TINY_ID]) == 1
    assert server.requests == [] and _folder_files() == []


def test_ctrl_c_leaves_only_the_part(server, tmp_path):
    """A real Ctrl-C (SIGINT) to `petriflow models download` in its own process: exit
    status 130, one line saying how to resume, and only NAME.part in the weights folder."""
    import signal
    import sys
    import time

    data = tiny_file_bytes()
    server.files[OFFICIAL] = data
    server.slow[OFFICIAL] = 0.05  # ~3 s for the whole file: time to interrupt it
    wdir = tmp_path / "w"
    script = (
        "import sys\n"
        "from petriflow.analysis.embedding.backbones import EMBEDDERS\n"
        "from petriflow.cli import main\n"
        "from tests.embedding.weights_server import TINY_ID, tiny_file_bytes, tiny_spec\n"
        f"EMBEDDERS[TINY_ID] = tiny_spec({server.base + '/' + OFFICIAL!r}, tiny_file_bytes())\n"
        "sys.exit(main(['models', 'download', TINY_ID, '--yes']))\n"
    )
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env.update(PETRIFLOW_WEIGHTS_DIR=str(wdir), PYTHONPATH=str(Path(__file__).parents[2]))
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    part = wdir / f"{OFFICIAL}.part"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (part.is_file() and part.stat().st_size):
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "run the same command to resume" in err and "Traceback" not in err
    assert sorted(p.name for p in wdir.iterdir()) == [part.name]
    assert 0 < part.stat().st_size < len(data)


def test_a_published_prefix_is_said_to_be_a_prefix(server, monkeypatch, capsys):
    """torchvision publishes 8 hex digits of the SHA-256: a file matching them is listed
    as verified against that prefix (not as if the whole digest had been checked), and a
    file that differs in those digits is refused as before."""
    import dataclasses

    data = tiny_file_bytes()
    server.files[OFFICIAL] = data
    spec = tiny_spec(f"{server.base}/{OFFICIAL}", data)
    prefix = dataclasses.replace(spec.official, sha256=spec.official.sha256[:8])
    monkeypatch.setitem(EMBEDDERS, TINY_ID, dataclasses.replace(
        spec, official=prefix, locate=make_locator(TINY_ID, "Tiny test net", prefix)))
    assert main(["models", "download", TINY_ID, "--yes"]) == 0
    assert "starting" in capsys.readouterr().out  # the placed line names the prefix
    assert main(["models"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(TINY_ID))
    assert "verified (the publisher's 8-digit prefix)" in line
    (weights_folder() / OFFICIAL).write_bytes(tiny_file_bytes(seed=4))
    assert main(["models"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(TINY_ID))
    assert "damaged or not the expected file" in line
