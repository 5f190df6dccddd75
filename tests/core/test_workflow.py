"""Workflow graph editing: link validation with clear messages, events, ids."""

from __future__ import annotations

import pytest

from petriflow.core.workflow import LinkError, Workflow, WorkflowEvent

from .toy_nodes import AddOne, Source, Sum, TableSink


def test_cycle_is_rejected_with_a_clear_message():
    wf = Workflow()
    a = wf.add_node(AddOne, title="A")
    b = wf.add_node(AddOne, title="B")
    c = wf.add_node(AddOne, title="C")
    wf.add_link(a.id, "Number", b.id, "Number")
    wf.add_link(b.id, "Number", c.id, "Number")
    with pytest.raises(LinkError, match="would create a cycle"):
        wf.add_link(c.id, "Number", a.id, "Number")
    with pytest.raises(LinkError, match="to itself"):
        wf.add_link(a.id, "Number", a.id, "Number")
    assert len(wf.links) == 2


def test_type_mismatch_is_rejected():
    wf = Workflow()
    s = wf.add_node(Source, title="S")
    t = wf.add_node(TableSink, title="T")
    with pytest.raises(LinkError, match=r"\(int\).*\(Table\).*do not match"):
        wf.add_link(s.id, "Number", t.id, "Data")
    assert wf.compatible_channels(s.id, t.id) == []


def test_second_link_into_single_input_is_rejected_but_multiple_accepts():
    wf = Workflow()
    s1 = wf.add_node(Source, title="S1")
    s2 = wf.add_node(Source, title="S2")
    a = wf.add_node(AddOne, title="A")
    total = wf.add_node(Sum, title="Sum")
    wf.add_link(s1.id, "Number", a.id, "Number")
    with pytest.raises(LinkError, match="takes one link and is already connected to 'S1'"):
        wf.add_link(s2.id, "Number", a.id, "Number")
    wf.add_link(s1.id, "Number", total.id, "Numbers")
    wf.add_link(s2.id, "Number", total.id, "Numbers")
    with pytest.raises(LinkError, match="already linked"):
        wf.add_link(s2.id, "Number", total.id, "Numbers")


def test_unknown_channel_names_the_alternatives():
    wf = Workflow()
    s = wf.add_node(Source, title="S")
    a = wf.add_node(AddOne, title="A")
    with pytest.raises(LinkError, match=r"has no output 'Data' \(outputs: Number\)"):
        wf.add_link(s.id, "Data", a.id, "Number")
    with pytest.raises(LinkError, match=r"has no input 'Images' \(inputs: Number\)"):
        wf.add_link(s.id, "Number", a.id, "Images")


def test_events_and_node_removal_removes_links_first():
    wf = Workflow()
    events = []
    wf.subscribe(lambda e: events.append(e.kind))
    s = wf.add_node(Source, title="S")
    a = wf.add_node(AddOne, title="A")
    wf.add_link(s.id, "Number", a.id, "Number")
    wf.update_settings(s.id, value=3)
    wf.remove_node(s.id)
    assert events == [
        WorkflowEvent.NODE_ADDED, WorkflowEvent.NODE_ADDED, WorkflowEvent.LINK_ADDED,
        WorkflowEvent.SETTINGS_CHANGED, WorkflowEvent.LINK_REMOVED, WorkflowEvent.NODE_REMOVED,
    ]
    assert wf.links == []


def test_update_settings_validates_and_converts():
    wf = Workflow()
    s = wf.add_node(Source, title="S")
    wf.update_settings(s.id, delay=1)  # int accepted for a float field
    assert wf.node(s.id).settings.delay == 1.0
    with pytest.raises(ValueError, match="unknown setting 'nope'; known settings: delay, value"):
        wf.update_settings(s.id, nope=1)
    with pytest.raises(ValueError, match="expects an integer"):
        wf.update_settings(s.id, value="three")


def test_titles_are_made_unique_and_find_node_by_title_or_id():
    wf = Workflow()
    a = wf.add_node(AddOne)
    b = wf.add_node(AddOne)
    assert (a.title, b.title) == ("Add", "Add (1)")
    assert wf.find_node("Add (1)") is b
    assert wf.find_node(a.id) is a
    with pytest.raises(KeyError, match="no node with id or title"):
        wf.find_node("Missing")


def test_compatible_channels_lists_output_input_pairs():
    wf = Workflow()
    s = wf.add_node(Source, title="S")
    a = wf.add_node(AddOne, title="A")
    total = wf.add_node(Sum, title="Sum")
    assert wf.compatible_channels(s.id, a.id) == [("Number", "Number")]
    assert wf.compatible_channels(s.id, total.id) == [("Number", "Numbers")]
    assert wf.compatible_channels(a.id, s.id) == []  # Source has no inputs
