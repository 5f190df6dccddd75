"""Report items → one self-contained HTML file.

Why self-contained: a report is mailed, uploaded to a course site or opened years later
on another machine. Pictures are embedded as ``data:`` URIs, the style sheet is inline,
and nothing links outside the file, so it shows the same offline and nothing is fetched
when it is opened. The same HTML feeds the PDF (Qt's ``QTextDocument``), which reads
only a subset of CSS: the layout keeps to plain blocks, tables and ``width`` attributes.
"""

from __future__ import annotations

import base64
import html
import struct
from collections.abc import Sequence
from datetime import datetime, timezone

from petriflow.report.model import ReportItem

__all__ = ["build_html", "fitted_size", "png_size"]

#: widest picture (px): fits an A4 page with 15 mm margins as QTextDocument prints it
MAX_IMAGE_WIDTH = 620
#: tallest picture (px): a tall window still leaves room on its page for its words
MAX_IMAGE_HEIGHT = 760

STYLE = """
body { font-family: sans-serif; font-size: 10pt; color: #222; margin: 1.5em; }
h1 { font-size: 16pt; margin-bottom: 0.2em; }
h2 { font-size: 13pt; margin-top: 1.4em; margin-bottom: 0.3em; color: #1f4e79; }
p.meta { color: #666; margin-top: 0; }
div.item { margin-bottom: 1.2em; }
p.kind { color: #666; margin-top: 0; }
p.comment { background: #fff8dc; padding: 6px; white-space: pre-wrap; }
p.failed { color: #b00020; }
p.picture { margin-bottom: 0; }
p.caption { color: #555; font-style: italic; margin-top: 2px; }
table.words { border-collapse: collapse; margin: 0.4em 0; }
table.words td { padding: 1px 8px 1px 0; vertical-align: top; }
td.head { color: #666; font-weight: bold; }
img { max-width: 100%; border: 1px solid #ddd; }
"""


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of PNG ``data`` (from its header), ``None`` if it is no PNG."""
    if len(data) < 24 or data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _lines(head: str, lines: Sequence[str]) -> str:
    if not lines:
        return ""
    rows = "".join(
        f"<tr><td class=\"head\">{html.escape(head) if i == 0 else ''}</td>"
        f"<td>{html.escape(line)}</td></tr>" for i, line in enumerate(lines))
    return f"<table class=\"words\">{rows}</table>\n"


def fitted_size(width: int, height: int) -> tuple[int, int]:
    """A picture's size on the page: scaled down in proportion to fit
    :data:`MAX_IMAGE_WIDTH` × :data:`MAX_IMAGE_HEIGHT`, never up."""
    scale = min(1.0, MAX_IMAGE_WIDTH / max(1, width), MAX_IMAGE_HEIGHT / max(1, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _image(index: int, item: ReportItem) -> str:
    if item.image is not None:
        size = png_size(item.image)
        attrs = ""
        if size is not None:  # QTextDocument ignores max-width: give the size
            w, h = fitted_size(*size)
            attrs = f" width=\"{w}\" height=\"{h}\""
        data = base64.b64encode(item.image).decode("ascii")
        alt = html.escape(f"{item.title} as shown", quote=True)
        kind = f" ({item.node_type})" if item.node_type and item.node_type != item.title \
            else ""
        caption = html.escape(f"Figure {index}: {item.title}{kind}, as its window shows it")
        return (f"<p class=\"picture\"><img src=\"data:image/png;base64,{data}\" "
                f"alt=\"{alt}\"{attrs}></p>\n<p class=\"caption\">{caption}</p>\n")
    if item.image_error:
        return (f"<p class=\"failed\">The view could not be shown: "
                f"{html.escape(item.image_error)}</p>\n")
    return ""


def _item(index: int, item: ReportItem) -> str:
    parts = [f"<div class=\"item\" id=\"item-{index}\">\n",
             f"<h2>{index}. {html.escape(item.title)}</h2>\n"]
    if item.node_type and item.node_type != item.title:
        parts.append(f"<p class=\"kind\">{html.escape(item.node_type)}</p>\n")
    if item.comment.strip():
        parts.append(f"<p class=\"comment\">{html.escape(item.comment.strip())}</p>\n")
    parts.append(_image(index, item))
    parts.append(_lines("Run", item.details))
    parts.append(_lines("Settings", item.settings))
    parts.append(_lines("Summary", item.summary))
    parts.append("</div>\n")
    return "".join(parts)


def build_html(items: Sequence[ReportItem], title: str = "Petriflow report",
               meta: Sequence[str] = (), created: datetime | None = None) -> str:
    """The whole report as one HTML document (UTF-8 text, nothing external).

    ``meta``: lines under the heading (the workflow file, the run's total time);
    ``created`` defaults to now (UTC), passed in by tests that compare documents.
    """
    when = (created or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    head_lines = [f"Made with Petriflow, {when}", *meta]
    body = "".join(_item(i, item) for i, item in enumerate(items, start=1))
    if not items:
        body = "<p>The report is empty.</p>\n"
    meta_html = "<br>".join(html.escape(line) for line in head_lines)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n<p class=\"meta\">{meta_html}</p>\n"
        f"{body}</body>\n</html>\n"
    )
