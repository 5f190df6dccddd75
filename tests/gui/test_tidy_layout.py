"""Tidy Up on the bundled examples, as drawn on the canvas: no link passes through a node
it does not join (a link skipping a column used to run through the middle node's status
line: Distances → MDS under Hierarchical Clustering), labels and text stay legible, and
the notes move with the node they are about."""

from __future__ import annotations

from pathlib import Path

import pytest

from petriflow.core.ows import load_workflow
from petriflow.gui.canvas import layout
from tests.gui.test_canvas_legibility import crossings, problems, scene_of

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"


@pytest.mark.parametrize("name", sorted(p.stem for p in WORKFLOWS.glob("*.ows")))
def test_tidy_examples_have_no_link_through_a_node(qapp, name: str) -> None:
    wf = load_workflow(WORKFLOWS / f"{name}.ows")
    links = [(lk.source_id, lk.sink_id) for lk in wf.links]
    tidy = layout.tidy({n.id: n.position for n in wf.nodes}, links)
    assert layout.tidy(tidy, links) == tidy  # Tidy Up twice changes nothing
    for nid, pos in tidy.items():
        wf.set_position(nid, pos)
    for ann in list(wf.annotations):  # the notes move in the window (test below)
        wf.remove_annotation(ann.id)
    scene = scene_of(wf)
    assert crossings(scene) == []
    assert problems(scene) == []


@pytest.mark.parametrize("name", sorted(p.stem for p in WORKFLOWS.glob("*.ows")))
def test_tidy_up_in_the_window_moves_notes_with_their_node(make_window, qtbot, name):
    """Tidy Up from the Edit menu (a real click): every note about a node moves with it
    and its arrow still points at it; no note sits on a node; one undo puts all back."""
    import math

    from PyQt6.QtCore import QPointF, QRectF

    from petriflow.bundled import find_example
    from petriflow.core.registry import default_registry
    from petriflow.core.workflow import ArrowAnnotation, TextAnnotation
    from petriflow.gui.presentation_canvas import note_owners
    from tests.gui.test_fluent_canvas_menus import _click, _menu

    window = make_window(reg=default_registry())
    window.pause_action.trigger()
    assert window.open_example(find_example(name).path)
    wf = window.workflow
    before_nodes = {n.id: n.position for n in wf.nodes}
    before_notes = {a.id: a for a in wf.annotations}
    owners = note_owners(wf)
    arrows_at = {a.id: min((math.dist(a.end, p), nid) for nid, p in before_nodes.items())
                 for a in wf.annotations if isinstance(a, ArrowAnnotation)}
    steps = window.undo_stack.count()
    _click(qtbot, _menu(window, "Edit"), "Tidy Up")
    after = {n.id: n.position for n in wf.nodes}
    assert note_owners(wf) == owners  # each note is still about the same node
    for ann in wf.annotations:
        if isinstance(ann, TextAnnotation) and ann.id in owners:
            nid = owners[ann.id]
            old = before_notes[ann.id].rect
            assert ann.rect[0] - old[0] == pytest.approx(after[nid][0] - before_nodes[nid][0])
        if isinstance(ann, ArrowAnnotation) and arrows_at[ann.id][0] <= 90:
            reach, nid = arrows_at[ann.id]  # it still points at its node from as near
            assert math.dist(ann.end, after[nid]) == pytest.approx(reach)
            link_paths = [lk.path() for lk in window.scene.link_items.values()]
            for k in range(1, 20):  # and crosses no link on the way
                at = QPointF(ann.start[0] + (ann.end[0] - ann.start[0]) * k / 20,
                             ann.start[1] + (ann.end[1] - ann.start[1]) * k / 20)
                assert not any(p.intersects(QRectF(at.x() - 1, at.y() - 1, 2, 2))
                               for p in link_paths), ann
    scene = window.scene
    for item in scene.annotation_items.values():
        if isinstance(item.annotation, TextAnnotation):
            rect = item.sceneBoundingRect()
            for node in scene.node_items.values():
                assert not any(rect.intersects(r) for r in node.footprint()), node.title
            if item.annotation.id in owners:  # a note that moved lies on no link
                for link in scene.link_items.values():
                    path = link.path()
                    assert not any(rect.contains(path.pointAtPercent(i / 100))
                                   for i in range(101)), link.label.text()
    if after == before_nodes:  # drawn tidy already: Tidy Up leaves it as it is
        assert window.undo_stack.count() == steps
        assert "nothing to move" in window.statusBar().currentMessage()
        return
    assert window.undo_stack.count() == steps + 1
    window.undo_stack.undo()
    assert {n.id: n.position for n in wf.nodes} == before_nodes
    assert {a.id: a for a in wf.annotations} == before_notes
