"""The headless report builder (no Qt): words for settings and outputs, and the HTML
that the report window and ``run --report`` both write."""

from __future__ import annotations

import base64
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix, EvaluationResults
from petriflow.report import ReportItem, build_html, describe_settings, summarize_outputs
from petriflow.report.html import MAX_IMAGE_HEIGHT, MAX_IMAGE_WIDTH, fitted_size, png_size
from petriflow.report.words import MAX_TEXT, describe_value


def tiny_png(width: int, height: int) -> bytes:
    """A valid grey PNG of the given size, made without any imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height,
                                                                8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


@dataclass
class Settings:
    linkage: str = "ward"
    normalize: bool = False
    selected: list[int] = field(default_factory=list,
                                metadata={"selects": ("branch", "branches")})
    selection_context: dict[str, Any] = field(default_factory=dict)
    n_folds: int = field(default=5, metadata={"label": "number of folds"})


def test_settings_in_words_count_selections_and_hide_bookkeeping():
    lines = describe_settings(Settings(selected=[1, 4, 9], selection_context={"x": 1}))
    assert lines == ["linkage: ward", "normalize: no", "selected: 3 branches",
                     "number of folds: 5"]
    assert "selected: nothing" in describe_settings(Settings())
    assert describe_settings(None) == []


def test_outputs_in_words_rows_classes_distances_scores():
    table = Table.from_arrays(np.zeros((5, 3)), classes=["a", "a", "b", "c", None],
                              class_name="kind")
    dm = DistanceMatrix(np.zeros((5, 5), dtype=np.float32), table=table, metric="cosine")
    res = EvaluationResults(
        data=table, learner_names=("kNN",), actual=np.array([0, 0, 1, 2]),
        predicted=np.array([[0, 1, 1, 2]]), probabilities=np.zeros((1, 4, 3)),
        method="3-fold cross-validation",
        scores={"kNN": {"CA": 0.75, "AUC": float("nan")}})
    lines = summarize_outputs({"Data": table, "Distances": dm, "Evaluation Results": res,
                               "Selected Data": None})
    assert lines[0] == ("Data: 5 rows × 3 features, class kind (3 values: a, b, c); "
                        "a: 2, b: 1, c: 1")
    assert lines[1] == "Distances: 5 × 5 distances (cosine)"
    assert lines[2] == "Evaluation Results: 4 rows evaluated (3-fold cross-validation)"
    assert lines[3] == "Evaluation Results: kNN: CA 0.750"  # a NaN score is left out
    assert not any(line.startswith("Selected Data") for line in lines)


def test_html_is_self_contained_escaped_and_notes_missing_pictures():
    png = tiny_png(1000, 50)
    items = [
        ReportItem("Plot <1>", node_type="MDS", image=png, settings=["a: <b>"],
                   summary=["Data: 5 rows"], comment="Look & see\nsecond line"),
        ReportItem("Broken", image_error="RuntimeError: boom", details=["error in 0.10 s"]),
    ]
    text = build_html(items, title="T & T", meta=["Workflow: x.ows"])
    assert "<title>T &amp; T</title>" in text and "<h2>1. Plot &lt;1&gt;</h2>" in text
    src = f"data:image/png;base64,{base64.b64encode(png).decode()}"
    assert src in text
    # wider than a page: scaled in proportion by the attributes QTextDocument reads
    assert f'width="{MAX_IMAGE_WIDTH}" height="{round(50 * MAX_IMAGE_WIDTH / 1000)}"' in text
    assert "Look &amp; see\nsecond line" in text and "a: &lt;b&gt;" in text
    assert "The view could not be shown: RuntimeError: boom" in text
    assert "error in 0.10 s" in text
    assert "http" not in text and "<link" not in text and "<script" not in text
    assert "The report is empty." in build_html([])


def test_png_size_reads_the_header_only():
    assert png_size(tiny_png(7, 3)) == (7, 3)
    assert png_size(b"GIF89a....................") is None


def test_pictures_fit_the_page_and_have_captions():
    tall = tiny_png(300, 3000)
    text = build_html([ReportItem("Tall view", node_type="Image Viewer", image=tall),
                       ReportItem("Data Table", node_type="Data Table",
                                  image=tiny_png(10, 10))])
    w, h = fitted_size(300, 3000)
    assert h == MAX_IMAGE_HEIGHT and w == round(300 * MAX_IMAGE_HEIGHT / 3000)
    assert f'width="{w}" height="{h}"' in text
    assert 'width="10" height="10"' in text  # small pictures are not blown up
    assert ('<p class="caption">Figure 1: Tall view (Image Viewer), as its window shows '
            "it</p>") in text
    assert '<p class="caption">Figure 2: Data Table, as its window shows it</p>' in text


def test_long_values_are_cut_paths_keep_their_end():
    path = "/home/teacher/" + "course/" * 20 + "textures"
    shown = describe_value(path)
    assert len(shown) == MAX_TEXT and shown.startswith("…") and shown.endswith("/textures")
    words = "word " * 40
    shown = describe_value(words)
    assert len(shown) == MAX_TEXT and shown.endswith("…") and shown.startswith("word word")


def test_nothing_in_the_page_fetches_anything():
    """Self-contained: no address other than the embedded pictures, in the markup or
    the style sheet (no url(), no @import, no external fonts)."""
    import re

    text = build_html([ReportItem("A", image=tiny_png(4, 4), settings=["folder: http://x"],
                                  comment="see https://example.org")])
    style = text.split("<style>")[1].split("</style>")[0]
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    attrs = re.findall(r'\b(?:src|href|action|data|poster|srcset)="([^"]*)"', text)
    assert attrs and all(a.startswith("data:image/png;base64,") for a in attrs)
    assert "<link" not in text and "<script" not in text and "<iframe" not in text
    # a user's text that names a web address stays text, never a link
    assert "see https://example.org" in text and "<a " not in text
