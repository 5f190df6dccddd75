"""Pause freezes propagation; Step delivers one node at a time; resume continues."""

from __future__ import annotations

from PyQt6.QtCore import QPointF

from petriflow.core.scheduler import NodeState
from petriflow.gui import undo as cmd


def test_pause_and_step(window, qtbot) -> None:
    src = window.add_node("tests.source", QPointF(0, 0))
    a = window.add_node("tests.add", QPointF(200, 0))
    b = window.add_node("tests.add", QPointF(400, 0))
    window.scene.try_link(src, a)
    window.scene.try_link(a, b)
    qtbot.waitUntil(lambda: window.scheduler.output(b, "Number") == 3, timeout=5000)

    window.pause_action.trigger()
    assert window.scheduler.paused and window.step_action.isEnabled()
    assert "Paused" in window.run_label.text()
    window.undo_stack.push(cmd.SettingsCommand(window.workflow, src, value=10))
    qtbot.wait(200)
    assert window.scheduler.output(src, "Number") == 1  # frozen: nothing ran
    assert window.scene.node_items[src].status.state == NodeState.QUEUED

    assert window.step() == src
    qtbot.waitUntil(lambda: window.scheduler.output(src, "Number") == 10, timeout=5000)
    qtbot.wait(100)
    assert window.scheduler.output(a, "Number") == 2  # the next node waits for a step
    assert window.step() == a
    qtbot.waitUntil(lambda: window.scheduler.output(a, "Number") == 11, timeout=5000)
    assert window.scheduler.output(b, "Number") == 3

    window.pause_action.trigger()  # resume
    assert not window.scheduler.paused and not window.step_action.isEnabled()
    qtbot.waitUntil(lambda: window.scheduler.output(b, "Number") == 12, timeout=5000)
    qtbot.waitUntil(lambda: window.scene.node_items[b].status.state == NodeState.DONE,
                    timeout=2000)
