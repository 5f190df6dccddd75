"""A loopback HTTP server that serves weights files, and a tiny registered model.

Why: downloads are tested against a real HTTP server on 127.0.0.1 (http.server in a
thread), never the network. The server can misbehave on purpose: drop the connection
midway through the first answer, send half a file without a length, ignore ``Range``,
answer 404 or a web page. The tiny model is a real network (a strided convolution,
averaged) with a real strict loader, so "placed and used" means embedded with the
downloaded weights.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TINY_ID = "tiny-test"


@dataclass
class Served:
    """What the server holds and how it behaves; ``requests`` logs (path, Range)."""

    files: dict[str, bytes] = field(default_factory=dict)
    drop_first: set[str] = field(default_factory=set)  # names cut midway on first GET
    cut: set[str] = field(default_factory=set)  # half the file, no length, then closed
    html: set[str] = field(default_factory=set)  # names answered with a web page
    slow: dict[str, float] = field(default_factory=dict)  # name -> seconds per chunk
    ignore_range: bool = False  # answer every GET with the whole file (200)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    base: str = ""


def _handler(served: Served) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            name = self.path.rsplit("/", 1)[-1]
            rng = self.headers.get("Range")
            served.requests.append((self.path, rng))
            if name in served.html:
                body = b"<!DOCTYPE html><html><body>Please log in</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            data = served.files.get(name)
            if data is None:
                self.send_error(404, "Not Found")
                return
            start = 0
            if rng and rng.startswith("bytes=") and not served.ignore_range:
                start = int(rng[6:].split("-")[0])
                if start >= len(data):
                    self.send_error(416, "Range Not Satisfiable")
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            if name in served.cut:  # a truncated answer the client cannot tell by length
                self.end_headers()
                self.wfile.write(data[start:start + (len(data) - start) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            if name in served.drop_first:
                served.drop_first.discard(name)
                self.wfile.write(data[start:start + (len(data) - start) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            delay = served.slow.get(name)
            if delay:
                import time

                for i in range(start, len(data), 4096):
                    self.wfile.write(data[i:i + 4096])
                    self.wfile.flush()
                    time.sleep(delay)
                return
            self.wfile.write(data[start:])

    return Handler


@contextmanager
def weights_server() -> Iterator[Served]:
    """A server on 127.0.0.1 (a free port) for the duration of the block."""
    served = Served()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(served))
    served.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


#: floats in the tiny network's unused ``extra`` tensor: makes its file ~256 KB, enough
#: for a drop midway and for progress lines
EXTRA = 65536


def tiny_state(seed: int = 0, channels: int = 4) -> dict[str, Any]:
    import torch

    g = torch.Generator().manual_seed(seed)
    return {"conv.weight": torch.randn(channels, 3, 4, 4, generator=g),
            "conv.bias": torch.randn(channels, generator=g),
            "extra": torch.randn(EXTRA, generator=g)}


def tiny_file_bytes(seed: int = 0, channels: int = 4) -> bytes:
    """A torch state dict file of the tiny network (``channels`` != 4: another
    architecture, every key present but of another shape)."""
    import torch

    state = tiny_state(seed, channels)
    buf = io.BytesIO()
    torch.save(state, buf)
    return buf.getvalue()


def build_tiny(weights: Any) -> Any:
    """A 4-d embedder: a 4×4 convolution of stride 4, averaged over space."""
    import torch
    from torch import nn

    from petriflow.analysis.embedding.backbones.builders import load_strict
    from petriflow.analysis.embedding.backbones.weights import read_state_dict

    class Tiny(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 4, stride=4)
            self.extra = nn.Parameter(torch.zeros(EXTRA))  # unused: size only

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.conv(x).mean(dim=(2, 3))

    net = Tiny()
    load_strict(net, read_state_dict(weights.path), weights.path)
    return net


def tiny_spec(url: str, data: bytes) -> Any:
    """The tiny model's spec, its official file being ``data`` served at ``url``."""
    from petriflow.analysis.embedding.backbones.specs import (
        EmbedderSpec,
        OfficialWeights,
        Preprocessing,
    )
    from petriflow.analysis.embedding.backbones.weights import make_locator

    digest = hashlib.sha256(data).hexdigest()
    official = OfficialWeights(filename=url.rsplit("/", 1)[-1], url=url, sha256=digest,
                               size=len(data), licence="test licence", source="loopback")
    return EmbedderSpec(
        id=TINY_ID, display_name="Tiny test net", input_size=32, dim=4,
        preprocessing=Preprocessing(size=32, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5),
                                    scale=1 / 255),
        description="a test network", locate=make_locator(TINY_ID, "Tiny test net", official),
        build=build_tiny, default_batch_size=4, official=official)


def weights_folder() -> Path:
    from petriflow.analysis.embedding.backbones.weights import weights_dir

    return weights_dir()
