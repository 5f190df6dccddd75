"""The fluent canvas (issue 18.3) driven with real events: a link dropped on empty canvas,
a widget dropped onto a link, Ctrl+D, align, tidy, zoom keys, the picture export and the
welcome dialog. Each edit must be one undo step."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

from PyQt6.QtCore import QPointF, QSettings, Qt
from PyQt6.QtGui import QImage
from PyQt6.QtTest import QTest

from petriflow.bundled import list_examples
from petriflow.core.workflow import ArrowAnnotation, TextAnnotation, Workflow
from petriflow.gui import undo as cmd
from petriflow.gui.canvas import layout
from petriflow.gui.canvas.export_image import save_scene_image
from petriflow.gui.canvas.link_item import label_variants

from .conftest import drag, vp
from .test_canvas import _drop


def _links(window) -> list[tuple[str, str, str, str]]:
    return sorted((lk.source_id, lk.source_channel, lk.sink_id, lk.sink_channel)
                  for lk in window.workflow.links)


def _link_mid(window) -> QPointF:
    (item,) = window.scene.link_items.values()
    return item.path().pointAtPercent(0.5)


def test_link_dropped_on_empty_canvas_offers_what_fits_and_links_in_one_step(window):
    src = window.add_node("tests.source", QPointF(0, 0))
    steps = window.undo_stack.count()
    drag(window, window.scene.node_items[src].anchor_pos("output"), QPointF(300, 20))
    menu = window._quick_menu
    assert menu.isVisible()
    offered = set(menu.offered())
    # everything that takes an int, nothing that does not
    assert {"tests.add", "tests.sum", "tests.optional", "tests.crash", "tests.pair"} <= offered
    assert not offered & {"tests.table_sink", "tests.source", "tests.table_source",
                          "tests.to_distances", "petriflow.distances"}
    QTest.keyClicks(menu.search, "sum")
    QTest.keyClick(menu.search, Qt.Key.Key_Return)
    sum_node = window.workflow.find_node("Sum")
    assert sum_node.position == (300.0, 20.0)
    assert _links(window) == [(src, "Number", sum_node.id, "Numbers")]
    assert window.undo_stack.count() == steps + 1
    assert window.scene.selected_node_ids() == [sum_node.id]
    window.undo_stack.undo()
    assert [n.id for n in window.workflow.nodes] == [src] and window.workflow.links == []


def test_link_dragged_from_an_input_offers_widgets_that_provide_it(window):
    sink = window.add_node("tests.table_sink", QPointF(300, 0))
    drag(window, window.scene.node_items[sink].anchor_pos("input"), QPointF(0, 0))
    offered = set(window._quick_menu.offered())
    assert "tests.table_source" in offered
    assert not offered & {"tests.source", "tests.add", "tests.table_sink"}
    QTest.keyClicks(window._quick_menu.search, "table sou")
    QTest.keyClick(window._quick_menu.search, Qt.Key.Key_Return)
    source = window.workflow.find_node("Table Source")
    assert _links(window) == [(source.id, "Data", sink, "Data")]


def test_a_click_on_an_anchor_opens_no_menu(window):
    src = window.add_node("tests.source", QPointF(0, 0))
    window._quick_menu = None
    anchor = window.scene.node_items[src].anchor_pos("output")
    QTest.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, vp(window, anchor))
    assert window._quick_menu is None


def _linked_pair(window) -> tuple[str, str]:
    src = window.add_node("tests.source", QPointF(0, 0))
    add = window.add_node("tests.add", QPointF(400, 0))
    assert window.scene.try_link(src, add)
    return src, add


def test_toolbox_widget_dropped_onto_a_link_goes_in_between(window):
    src, add = _linked_pair(window)
    steps = window.undo_stack.count()
    _drop(window, window.toolbox.mime_for("tests.crash"), _link_mid(window))
    crash = window.workflow.find_node("Crash").id
    assert _links(window) == sorted([(src, "Number", crash, "Number"),
                                     (crash, "Number", add, "Number")])
    assert window.undo_stack.count() == steps + 1
    window.undo_stack.undo()
    assert _links(window) == [(src, "Number", add, "Number")]
    assert len(window.workflow.nodes) == 2


def _labels_whole(window) -> dict[tuple[str, str], bool]:
    """Each link's label written out in full on one line on its curve (its first, most
    readable variant: not broken over two lines, not hidden until hovered)."""
    window.scene.layout_text()
    return {(it.link.source_id, it.link.sink_id):
            it.label_fits and it.label.isVisible()
            and it.label.lines == label_variants(it.link.source_channel, it.link.sink_channel)[0]
            for it in window.scene.link_items.values()}


def test_insert_into_a_short_link_makes_room_downstream_in_the_same_step(window):
    """Issue 18.3 follow-up: three nodes crowded where two were close cut their labels;
    the new node and everything downstream move right to the pitch Tidy Up uses, notes
    about them move along, nothing upstream moves, and one undo puts all back."""
    up = window.add_node("tests.source", QPointF(-300, 0))
    src = window.add_node("tests.add", QPointF(0, 0))
    add = window.add_node("tests.add", QPointF(150, 0))
    tail = window.add_node("tests.sum", QPointF(400, 0))
    for a, b in ((up, src), (src, add), (add, tail)):
        assert window.scene.try_link(a, b)
    window.undo_stack.push(cmd.AddAnnotationCommand(
        window.workflow, TextAnnotation("about-sum", (370, 100, 120, 30), "Sums them")))
    before = {n.id: n.position for n in window.workflow.nodes}
    note_before = window.workflow.annotations[0].rect
    steps = window.undo_stack.count()
    link = next(it for it in window.scene.link_items.values() if it.link.sink_id == add)
    _drop(window, window.toolbox.mime_for("tests.crash"), link.path().pointAtPercent(0.5))
    crash = window.workflow.find_node("Crash").id
    assert window.undo_stack.count() == steps + 1
    pos = {n.id: n.position for n in window.workflow.nodes}
    assert pos[up] == before[up] and pos[src] == before[src]  # upstream stays
    assert pos[crash][0] - pos[src][0] == layout.COLUMN_PITCH
    assert pos[add][0] - pos[crash][0] == layout.COLUMN_PITCH
    shift = pos[add][0] - before[add][0]
    assert pos[tail] == (before[tail][0] + shift, before[tail][1])  # downstream follows
    assert window.workflow.annotations[0].rect == (note_before[0] + shift,
                                                   *note_before[1:])
    for item in (window.scene.node_items[add], window.scene.node_items[tail]):
        assert (item.pos().x(), item.pos().y()) == pos[item.node_id]  # on screen too
    assert all(_labels_whole(window).values()), _labels_whole(window)
    window.undo_stack.undo()
    assert {n.id: n.position for n in window.workflow.nodes} == before
    assert window.workflow.annotations[0].rect == note_before


def test_insert_made_room_for_lands_clear_of_a_sibling_branch(window):
    """The new node goes a column right of the source; a node of another branch there
    (not downstream, so it stays) sends it to the nearest free row instead of onto it."""
    src = window.add_node("tests.source", QPointF(0, 0))
    add = window.add_node("tests.add", QPointF(120, 0))
    sib = window.add_node("tests.optional", QPointF(200, 30))
    assert window.scene.try_link(src, add) and window.scene.try_link(src, sib)
    before = {n.id: n.position for n in window.workflow.nodes}
    link = next(it for it in window.scene.link_items.values() if it.link.sink_id == add)
    _drop(window, window.toolbox.mime_for("tests.crash"), link.path().pointAtPercent(0.5))
    crash = window.workflow.find_node("Crash").position
    assert window.workflow.node(sib).position == before[sib]
    assert crash[0] == before[src][0] + layout.COLUMN_PITCH
    assert abs(crash[1] - before[sib][1]) >= layout.ROW_PITCH  # clear of the sibling
    assert window.workflow.node(add).position[0] == crash[0] + layout.COLUMN_PITCH
    window.undo_stack.undo()
    assert {n.id: n.position for n in window.workflow.nodes} == before


def test_insert_made_room_for_lands_clear_of_a_note(window):
    """A note (about the source, so it stays) where the new node would go: the node
    goes to a free row instead of under it."""
    src = window.add_node("tests.source", QPointF(0, 0))
    add = window.add_node("tests.add", QPointF(120, 0))
    assert window.scene.try_link(src, add)
    window.undo_stack.push(cmd.AddAnnotationCommand(
        window.workflow, TextAnnotation("there", (170, -10, 80, 30), "a note")))
    window.undo_stack.push(cmd.AddAnnotationCommand(  # about the source: it stays
        window.workflow, ArrowAnnotation("to-src", (175, 0), (30, 0))))
    _drop(window, window.toolbox.mime_for("tests.crash"), _link_mid(window))
    crash = window.scene.node_items[window.workflow.find_node("Crash").id]
    note = window.scene.annotation_items["there"].sceneBoundingRect()
    assert crash.pos().x() == window.workflow.node(src).position[0] + layout.COLUMN_PITCH
    assert not any(r.intersects(note) for r in crash.footprint())


def test_insert_with_room_to_spare_moves_nothing(window):
    src = window.add_node("tests.source", QPointF(0, 0))
    add = window.add_node("tests.add", QPointF(600, 0))
    assert window.scene.try_link(src, add)
    mid = _link_mid(window)
    _drop(window, window.toolbox.mime_for("tests.crash"), mid)
    assert window.workflow.node(add).position == (600.0, 0.0)
    assert window.workflow.find_node("Crash").position == (round(mid.x(), 1),
                                                           round(mid.y(), 1))


def test_widget_that_does_not_fit_leaves_the_link_and_says_why(window):
    src, add = _linked_pair(window)
    _drop(window, window.toolbox.mime_for("tests.table_sink"), _link_mid(window))
    assert _links(window) == [(src, "Number", add, "Number")]
    assert "Cannot insert 'Table Sink'" in window.statusBar().currentMessage()


def test_dragging_an_unlinked_node_onto_a_link_inserts_it(window):
    src, add = _linked_pair(window)
    lonely = window.add_node("tests.crash", QPointF(200, 220))
    steps = window.undo_stack.count()
    window.scene.clearSelection()
    drag(window, QPointF(200, 220), _link_mid(window))
    assert _links(window) == sorted([(src, "Number", lonely, "Number"),
                                     (lonely, "Number", add, "Number")])
    assert window.undo_stack.count() == steps + 1  # the move and the relinking
    window.undo_stack.undo()
    assert _links(window) == [(src, "Number", add, "Number")]
    assert window.workflow.node(lonely).position == (200.0, 220.0)


def test_dragging_a_node_that_does_not_fit_just_moves_it(window):
    src, add = _linked_pair(window)
    sink = window.add_node("tests.table_sink", QPointF(200, 220))
    window.scene.clearSelection()
    drag(window, QPointF(200, 220), _link_mid(window))
    assert _links(window) == [(src, "Number", add, "Number")]
    assert window.workflow.node(sink).position != (200.0, 220.0)
    assert "Cannot insert" in window.statusBar().currentMessage()


def test_ctrl_d_duplicates_with_settings_and_links_in_one_step(window, qtbot):
    src, add = _linked_pair(window)
    window.workflow.set_settings(src, replace(window.workflow.node(src).settings, value=7))
    window.document.select_nodes([src, add])
    steps = window.undo_stack.count()
    window.activateWindow()
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert len(window.workflow.nodes) == 4
    copies = window.scene.selected_node_ids()
    assert len(copies) == 2 and not {src, add} & set(copies)
    copy_src = next(n for n in copies if window.workflow.node(n).qualified_name == "tests.source")
    copy_add = next(n for n in copies if n != copy_src)
    assert window.workflow.node(copy_src).settings.value == 7
    assert window.workflow.node(copy_src).settings is not window.workflow.node(src).settings
    assert (copy_src, "Number", copy_add, "Number") in _links(window)
    assert window.undo_stack.count() == steps + 1
    window.undo_stack.undo()
    assert {n.id for n in window.workflow.nodes} == {src, add}


def test_select_all_and_align(window):
    ids = [window.add_node("tests.source", QPointF(x, y))
           for x, y in ((0, 0), (60, 300), (-40, 150))]
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert sorted(window.scene.selected_node_ids()) == sorted(ids)
    steps = window.undo_stack.count()
    assert window.align_selected("left")
    assert {window.workflow.node(n).position[0] for n in ids} == {-40.0}
    assert window.undo_stack.count() == steps + 1
    assert window.align_selected("top")  # one row: spaced out, never on top of each other
    xs = sorted(window.workflow.node(n).position[0] for n in ids)
    assert {window.workflow.node(n).position[1] for n in ids} == {0.0}
    assert all(b - a >= layout.COLUMN_PITCH - 0.5 for a, b in itertools.pairwise(xs))


def _random_dag(n: int, seed: int = 3) -> tuple[dict[str, tuple[float, float]], list]:
    rng = random.Random(seed)
    positions = {f"n{i}": (rng.uniform(0, 900), rng.uniform(0, 900)) for i in range(n)}
    links = [(f"n{rng.randrange(i)}", f"n{i}") for i in range(1, n) if rng.random() < 0.9]
    links += [(f"n{a}", f"n{b}") for a, b in
              (sorted(rng.sample(range(n), 2)) for _ in range(n // 3))]
    return positions, links


def _check_tidy(positions, links, out) -> None:
    assert set(out) == set(positions)
    spots = list(out.values())
    assert len(set(spots)) == len(spots)
    for i, (x1, y1) in enumerate(spots):  # no two discs (with their text) overlap
        for x2, y2 in spots[i + 1:]:
            assert (abs(x1 - x2) >= layout.COLUMN_PITCH - 0.5
                    or abs(y1 - y2) >= layout.ROW_PITCH - 0.5)
    for a, b in links:  # data flows left to right
        assert out[a][0] < out[b][0]


def test_tidy_lays_out_200_nodes_left_to_right_without_overlap():
    positions, links = _random_dag(200)
    out = layout.tidy(positions, links)
    _check_tidy(positions, links, out)
    assert layout.tidy(positions, links) == out  # deterministic
    assert layout.tidy(out, links) == out  # a tidy layout stays as it is


def test_tidy_200_node_workflow_in_the_window_then_export(window, tmp_path):
    positions, links = _random_dag(200, seed=5)
    wf = Workflow(registry=window.registry)
    ids = {}
    for key, pos in positions.items():
        nt = window.registry.get("tests.sum" if key != "n0" else "tests.source")
        ids[key] = wf.add_node(nt, position=pos).id
    for a, b in links:
        if not any(lk.source_id == ids[a] and lk.sink_id == ids[b] for lk in wf.links):
            wf.add_link(ids[a], "Number", ids[b], "Numbers")
    window.document.replace(wf)
    steps = window.undo_stack.count()
    assert window.tidy_up()
    assert window.undo_stack.count() == steps + 1
    tidy = {n.id: n.position for n in window.workflow.nodes}
    _check_tidy(tidy, [(lk.source_id, lk.sink_id) for lk in window.workflow.links], tidy)
    assert all(window.scene.node_items[n].pos() == QPointF(*p) for n, p in tidy.items())
    svg = window.save_image(tmp_path / "big.svg")
    png = window.save_image(tmp_path / "big.png")
    assert svg is not None and png is not None
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    import xml.etree.ElementTree as ET

    assert ET.fromstring(text).tag.endswith("svg")  # well-formed, however big
    assert text.count(">Sum") == 199  # every Sum node's title is in the picture
    image = QImage(str(png))
    assert not image.isNull() and min(image.width(), image.height()) > 500
    window.undo_stack.undo()
    assert {n.id: n.position for n in window.workflow.nodes} != tidy


def test_export_to_a_missing_folder_says_so(window, tmp_path):
    window.add_node("tests.source", QPointF(0, 0))
    assert window.save_image(tmp_path / "nowhere" / "x.png") is None
    assert "does not exist" in window.statusBar().currentMessage()


def test_small_png_shows_the_node(window, tmp_path):
    window.add_node("tests.source", QPointF(0, 0))
    path = save_scene_image(window.scene, tmp_path / "one")
    assert path.suffix == ".png"
    image = QImage(str(path))
    colours = {image.pixel(x, y) for x in range(0, image.width(), 4)
               for y in range(0, image.height(), 4)}
    assert len(colours) > 10  # a drawn disc and text, not a blank page


def test_zoom_keys_and_menu(window):
    window.view.setFocus()
    viewport = window.view.viewport()
    ctrl = Qt.KeyboardModifier.ControlModifier
    QTest.keyClick(viewport, Qt.Key.Key_Plus, ctrl)
    assert window.view.zoom() > 1.2
    QTest.keyClick(viewport, Qt.Key.Key_0, ctrl)
    assert window.view.zoom() == 1.0
    QTest.keyClick(viewport, Qt.Key.Key_Minus, ctrl)
    assert window.view.zoom() < 0.9
    for _ in range(40):
        window.zoom_out_action.trigger()
    assert window.view.zoom() >= 0.1  # bounded
    texts = [a.text() for a in window.menuBar().actions()]
    view_menu = window.menuBar().actions()[texts.index("&View")].menu()
    assert {"Zoom &In", "Zoom &Out", "&Reset Zoom"} <= {a.text() for a in view_menu.actions()}


def test_welcome_dialog_lists_examples_and_recent_and_remembers_show_at_start(
        window, tmp_path):
    from petriflow.gui.welcome import should_show_at_start, stored_choice

    saved = tmp_path / "mine.ows"
    window.add_node("tests.source", QPointF(0, 0))
    assert window.save_as(saved)
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    dialog = window.show_welcome(settings)
    assert dialog.examples.count() == len(list_examples()) > 0
    assert dialog.recent.count() == 1 and saved.name in dialog.recent.item(0).text()
    assert dialog.show_at_start.isChecked() and stored_choice(settings)
    dialog.show_at_start.setChecked(False)
    again = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    assert not stored_choice(again)
    assert not should_show_at_start(settings)  # and never under pytest at all
    assert dialog.open_item(dialog.examples.item(0))
    assert not dialog.isVisible()
    assert window.document.example and len(window.workflow.nodes) > 0


def test_ctrl_wheel_zooms_and_a_plain_wheel_does_not(window):
    from PyQt6.QtCore import QPoint
    from PyQt6.QtGui import QWheelEvent
    from PyQt6.QtWidgets import QApplication

    viewport = window.view.viewport()
    centre = QPointF(viewport.rect().center())

    def wheel(mods) -> None:
        event = QWheelEvent(centre, QPointF(viewport.mapToGlobal(centre.toPoint())),
                            QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton, mods,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(viewport, event)

    wheel(Qt.KeyboardModifier.NoModifier)
    assert window.view.zoom() == 1.0
    wheel(Qt.KeyboardModifier.ControlModifier)
    assert window.view.zoom() > 1.1
