"""The canvas reads well (issue 14.6): link labels never under nodes or across other
labels, status lines never run into a neighbour's, and the bundled examples are laid out
so that no link crosses a node — at their own spacing and spread out by half again.

Every node gets the longest summary the examples show, so the check is a worst case.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest
from PyQt6.QtCore import QRectF
from PyQt6.QtGui import QUndoStack

from petriflow.core.ows import load_workflow
from petriflow.core.registry import default_registry
from petriflow.core.workflow import ArrowAnnotation, TextAnnotation, Workflow
from petriflow.gui.canvas.annotation_items import TextAnnotationItem
from petriflow.gui.canvas.node_item import NodeItem
from petriflow.gui.canvas.scene import CanvasScene

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
LONGEST = "48 images, 48×1000, 3 classes"


def scene_of(wf: Workflow, summary: str = LONGEST) -> CanvasScene:
    scene = CanvasScene(wf, QUndoStack())
    for item in scene.node_items.values():
        item.set_output_summary(summary)
    scene.layout_text()
    return scene


def text_rects(item: NodeItem) -> list[QRectF]:
    """Scene rectangles of a node's title text and status line (what must not meet)."""
    return item.footprint()[1:]


def spread(wf: Workflow, factor: float) -> Workflow:
    """The workflow with nodes and notes ``factor`` times as far apart (as a user who
    spreads the nodes out would leave it); sizes stay."""
    for node in wf.nodes:
        x, y = node.position
        wf.set_position(node.id, (x * factor, y * factor))
    for ann in wf.annotations:
        if isinstance(ann, TextAnnotation):
            x, y, w, h = ann.rect
            ann.rect = (x * factor, y * factor, w, h)
        elif isinstance(ann, ArrowAnnotation):
            ann.start = (ann.start[0] * factor, ann.start[1] * factor)
            ann.end = (ann.end[0] * factor, ann.end[1] * factor)
    return wf


def crossings(scene: CanvasScene) -> list[str]:
    """Links whose curve passes through a node other than its own two ends."""
    found = []
    for link in scene.link_items.values():
        path = link.path()
        for nid, node in scene.node_items.items():
            if nid in (link.link.source_id, link.link.sink_id):
                continue
            boxes = node.footprint()
            if any(box.contains(path.pointAtPercent(i / 200))
                   for box in boxes for i in range(201)):
                found.append(f"{link.label.text()} crosses {node.title}")
    return found


def problems(scene: CanvasScene) -> list[str]:
    out = crossings(scene)
    nodes = list(scene.node_items.values())
    labels = [lk for lk in scene.link_items.values()]
    for lk in labels:
        if not lk.label_fits or not lk.label.isVisible():
            out.append(f"label {lk.label.text()!r} has no free spot")
            continue
        rect = lk.label.sceneBoundingRect()
        for node in nodes:
            if any(rect.intersects(box) for box in node.footprint()):
                out.append(f"label {lk.label.text()!r} covers {node.title}")
        for other in labels:
            if other is not lk and other.label.isVisible() and \
                    rect.intersects(other.label.sceneBoundingRect()):
                out.append(f"labels {lk.label.text()!r} and {other.label.text()!r} meet")
        for ann in scene.annotation_items.values():
            if isinstance(ann, TextAnnotationItem) and rect.intersects(ann.sceneBoundingRect()):
                out.append(f"label {lk.label.text()!r} under a note")
    for i, a in enumerate(nodes):
        for b in nodes[i + 1:]:
            if any(ra.intersects(rb) for ra in text_rects(a) for rb in text_rects(b)):
                out.append(f"text of {a.title} and {b.title} meet")
    return out


@pytest.mark.parametrize("name", ["image-clustering", "image-classification",
                                  "image-prediction", "image-exploration",
                                  "morphological-profiling"])
@pytest.mark.parametrize("spacing", [1.0, 1.5])
def test_bundled_examples_read_well(qapp, name: str, spacing: float) -> None:
    wf = spread(load_workflow(WORKFLOWS / f"{name}.ows"), spacing)
    scene = scene_of(wf)
    assert problems(scene) == []
    # each status line is whole (wrapped, not elided) at the examples' spacing
    for item in scene.node_items.values():
        assert " ".join(item.message_item.lines) == LONGEST


def test_crowded_neighbours_elide_their_status_with_a_tooltip(qapp) -> None:
    reg = default_registry()
    wf = Workflow()
    a = wf.add_node(reg.get("petriflow.image_embedder"), position=(0.0, 0.0))
    b = wf.add_node(reg.get("petriflow.distances"), position=(90.0, 10.0))
    long = "1234 images, 1234×2048, 12 classes, embedded with Inception v3"
    scene = scene_of(wf, long)
    ia, ib = scene.node_items[a.id], scene.node_items[b.id]
    assert not any(ra.intersects(rb) for ra in text_rects(ia) for rb in text_rects(ib))
    assert ia.message_item.toolTip() == long  # the whole line is one hover away
    assert len(ia.message_item.lines) <= 2 and ia.message_item.lines[-1].endswith("…")
    # moved apart, the line has room again
    wf.set_position(b.id, (400.0, 10.0))
    scene.layout_text()
    assert ib.message_item.toolTip() == "" or len(long) > 60


def test_label_without_room_shows_on_hover_or_selection(qapp) -> None:
    reg = default_registry()
    wf = Workflow()
    hc = wf.add_node(reg.get("petriflow.hierarchical_clustering"), position=(0.0, 0.0))
    mds = wf.add_node(reg.get("petriflow.mds"), position=(95.0, 0.0))
    link = wf.add_link(hc.id, "Selected Data", mds.id, "Data Subset")
    scene = scene_of(wf)
    item = scene.link_items[link.id]
    assert not item.label_fits and not item.label.isVisible()
    item.setSelected(True)
    assert item.label.isVisible()
    assert item.label.zValue() > max(n.zValue() for n in scene.node_items.values())
    item.setSelected(False)
    assert not item.label.isVisible()
    # with room, the label is shown on the link, clear of both nodes
    wf.set_position(mds.id, (400.0, 0.0))
    scene.layout_text()
    assert item.label_fits and item.label.isVisible()
    rect = item.label.sceneBoundingRect()
    assert not any(rect.intersects(box) for n in scene.node_items.values()
                   for box in n.footprint())


def test_same_channel_names_are_written_once(qapp) -> None:
    reg = default_registry()
    wf = Workflow()
    d = wf.add_node(reg.get("petriflow.distances"), position=(0.0, 0.0))
    hc = wf.add_node(reg.get("petriflow.hierarchical_clustering"), position=(300.0, 0.0))
    link = wf.add_link(d.id, "Distances", hc.id, "Distances")
    item = scene_of(wf).link_items[link.id]
    assert item.label.lines == ["Distances"]
    assert item.label.text() == "Distances → Distances"  # full names in the tooltip


def test_a_warning_keeps_the_count_on_the_canvas(qapp) -> None:
    """Issue 14.10: the amber badge carries the warning; the line keeps the count."""
    from petriflow.core.scheduler import NodeState, NodeStatus

    reg = default_registry()
    wf = Workflow()
    imp = wf.add_node(reg.get("petriflow.import_images"), position=(0.0, 0.0))
    item = scene_of(wf, "37 images, 2 classes").node_items[imp.id]
    warning = "Skipped 1 unreadable image(s) (broken.png)."
    item.set_status(NodeStatus(NodeState.WARNING, 100.0, warning, (warning,)))
    assert item.message_item.text() == "37 images, 2 classes"
    assert item.warning_badge.isVisible() and item.warning_badge.toolTip() == warning
    item.set_status(NodeStatus(NodeState.IDLE, 0.0, "Waiting for input: Data"))
    assert item.message_item.text() == "Waiting for input: Data"


def test_settings_panel_line_says_waiting_for_input(make_window, qtbot) -> None:
    window = make_window(reg=default_registry())
    mds = window.add_node("petriflow.mds")
    qtbot.waitUntil(lambda: "Waiting for input" in window.describe_status(mds),
                    timeout=5_000)
    assert window.describe_status(mds) == "Waiting for input: Data or Distances"
    item = window.scene.node_items[mds]
    qtbot.waitUntil(lambda: " ".join(item.message_item.lines)
                    == "Waiting for input: Data or Distances", timeout=2_000)


def test_status_lines_never_meet_wherever_nodes_are(qapp) -> None:
    """Random layouts (nodes at least a disc apart): no two status lines intersect."""
    import random

    reg = default_registry()
    kinds = ["petriflow.image_embedder", "petriflow.distances", "petriflow.mds",
             "petriflow.hierarchical_clustering", "petriflow.data_table"]
    rng = random.Random(14)
    for _ in range(40):
        wf = Workflow()
        spots: list[tuple[float, float]] = []
        while len(spots) < 6:
            x, y = rng.uniform(0, 380), rng.uniform(0, 220)
            if all(abs(x - a) > 70 or abs(y - b) > 70 for a, b in spots):
                spots.append((x, y))
        for kind, spot in zip(rng.choices(kinds, k=6), spots, strict=True):
            wf.add_node(reg.get(kind), position=spot)
        scene = scene_of(wf)
        items = list(scene.node_items.values())
        for i, a in enumerate(items):
            for b in items[i + 1:]:
                ra = a.message_item.sceneBoundingRect()
                rb = b.message_item.sceneBoundingRect()
                assert not ra.intersects(rb), (a.pos(), b.pos(), a.message_item.lines,
                                               b.message_item.lines)
