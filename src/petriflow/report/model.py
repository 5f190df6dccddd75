"""One report item, as plain data: the window edits a list of these, the command line
builds one per node, and :func:`petriflow.report.html.build_html` writes them."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ReportItem"]


@dataclass
class ReportItem:
    """A node as it was when it was added to the report.

    ``image`` is PNG bytes (``None`` when there is no picture); ``image_error`` says why
    a picture is missing (a view that failed to render is noted, never dropped), so a
    report with one broken view keeps everything else. ``details`` are extra lines the
    command line adds (state, time taken); ``comment`` is the user's own text.
    """

    title: str
    node_type: str = ""
    image: bytes | None = None
    image_error: str = ""
    settings: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    comment: str = ""
