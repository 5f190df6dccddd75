"""Reports: what a user shows or hands in — each item a view's picture, the node's
settings in words and a summary of its outputs, with the user's comment.

Headless (no Qt) so that ``petriflow run --report`` and the report window build the
very same HTML: the window passes pictures it grabbed, the command line pictures it
rendered offscreen, both as PNG bytes.
"""

from __future__ import annotations

from petriflow.report.html import build_html
from petriflow.report.model import ReportItem
from petriflow.report.words import describe_settings, summarize_outputs

__all__ = ["ReportItem", "build_html", "describe_settings", "summarize_outputs"]
