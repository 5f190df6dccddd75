"""The "Add to report" row joins only a vertical view layout: in a side-by-side
(horizontal) one it would become a third column and squeeze the body (seen in Test and
Score before its layout changed), so there it floats in the corner instead."""

from __future__ import annotations

from PyQt6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from petriflow.gui.help_menu import add_view_help
from petriflow.gui.report_capture import add_view_report


def _view(layout_type: type) -> QWidget:
    view = QWidget()
    layout = layout_type(view)
    layout.addWidget(QLabel("settings"))
    layout.addWidget(QLabel("body"))
    return view


def test_report_button_joins_a_vertical_layout_as_a_bottom_row(qtbot) -> None:
    view = _view(QVBoxLayout)
    qtbot.addWidget(view)
    button = add_view_report(view, "n1", window=None)  # type: ignore[arg-type]
    assert view.layout().count() == 3  # two widgets + the bottom row
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    assert button.geometry().top() > view.height() // 2


def test_report_button_stays_out_of_a_horizontal_layout(qtbot) -> None:
    view = _view(QHBoxLayout)
    qtbot.addWidget(view)
    button = add_view_report(view, "n1", window=None)  # type: ignore[arg-type]
    assert view.layout().count() == 2  # no third column
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    assert button.isVisible()
    assert view.rect().contains(button.geometry())


def test_help_and_report_buttons_stay_out_of_a_horizontal_layout(qtbot) -> None:
    """The "?" follows the same rule (gui/help_menu.bottom_row_layout): no third column."""
    view = _view(QHBoxLayout)
    qtbot.addWidget(view)
    help_button = add_view_help(view, "petriflow.data_table", window=None)  # type: ignore[arg-type]
    report = add_view_report(view, "n1", window=None)  # type: ignore[arg-type]
    assert view.layout().count() == 2
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    for button in (help_button, report):
        assert view.rect().contains(button.geometry())
    assert not help_button.geometry().intersects(report.geometry())
