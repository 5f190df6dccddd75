"""Every widget's "?" (issue 18.1), one test per widget of the registry: in its own
window and in presentation mode's side panel (the view shown beside the canvas), the
"?" and "Add to report" are visible, uncovered and whole, and a real click on the "?"
opens that widget's own page (never the missing-page message)."""

from __future__ import annotations

import pytest
from PyQt6 import sip
from PyQt6.QtCore import QPoint, QPointF, QRect, Qt, QUrl
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QToolButton, QWidget

from petriflow.core.registry import default_registry
from petriflow.gui.help_menu import help_browser
from petriflow.help_index import help_page

NAMES = sorted(n.qualified_name for n in default_registry())


def _rect_in(view: QWidget, button: QToolButton) -> QRect:
    return button.rect().translated(button.mapTo(view, QPoint(0, 0)))


def _readable(view: QWidget, button: QToolButton, name: str) -> None:
    """Shown, inside the view, nothing drawn over its middle, its text not cut."""
    assert button.isVisible(), name
    assert view.rect().contains(_rect_in(view, button)), name
    centre = button.mapTo(view, button.rect().center())
    assert view.childAt(centre) in (button, *button.findChildren(QWidget)), name
    assert button.fontMetrics().horizontalAdvance(button.text()) < button.width(), name


def _buttons(view: QWidget, name: str) -> QToolButton:
    help_button = view.findChild(QToolButton, "help-button")
    report_button = view.findChild(QToolButton, "report-button")
    assert help_button is not None and report_button is not None, name
    for button in (help_button, report_button):
        _readable(view, button, name)
    assert not _rect_in(view, help_button).intersects(_rect_in(view, report_button)), name
    return help_button


def _click_opens_page(qtbot, window, button: QToolButton, name: str) -> None:
    browser = help_browser(window)
    browser.text.setSource(QUrl("petriflow:index"))  # so the click must change the page
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(browser.isVisible)
    assert browser.text.source().toLocalFile() == str(help_page(name)), name
    assert browser.text.page_title() != "This help page is missing", name


@pytest.mark.parametrize("name", NAMES)
def test_question_mark_of_every_widget_in_its_window_and_beside_the_canvas(
        make_window, qtbot, name: str) -> None:
    window = make_window(reg=default_registry())
    window.pause_action.trigger()  # views open on no data; nothing runs
    nid = window.add_node(name, QPointF(0, 0))
    assert nid is not None
    view = window.open_node(nid)
    qtbot.waitExposed(view)
    _click_opens_page(qtbot, window, _buttons(view, name), name)
    qtbot.waitUntil(getattr(view, "is_ready", lambda: True), timeout=30_000)
    view.close()
    qtbot.waitUntil(lambda: sip.isdeleted(view), timeout=5_000)

    presenter = window.presenter  # side by side: the view in the panel beside the canvas
    presenter.set_active(True)
    presenter._show_view(nid)
    panel = presenter.side_dock.widget()
    qtbot.waitUntil(panel.isVisible)
    assert panel.window() is window
    _click_opens_page(qtbot, window, _buttons(panel, name), name)
    qtbot.waitUntil(getattr(panel, "is_ready", lambda: True), timeout=30_000)
    presenter.set_active(False)
