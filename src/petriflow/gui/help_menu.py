"""How the main window and the node views reach the help browser: F1, the Help menu,
a node's context menu, and the "?" of every view.

Why a module of its own: the help touches the window's menus, the canvas and every view
window, but each of those only needs one call into here (:func:`install_help`,
:func:`add_view_help`), so their modules stay about what they show. The keyboard
shortcuts page is generated from the window's QActions at the moment it is shown, so it
cannot go stale when a shortcut changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PyQt6 import sip
from PyQt6.QtCore import QEvent, QObject, Qt
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QApplication, QBoxLayout, QMenu, QToolButton, QWidget

from petriflow.bundled import find_example
from petriflow.gui.help_browser import HelpBrowser, page_url

#: the toolbox items' qualified-name role (gui/toolbox.py ``_QN_ROLE``)
TOOLBOX_NAME_ROLE = Qt.ItemDataRole.UserRole + 1

if TYPE_CHECKING:
    from petriflow.gui.mainwindow import MainWindow

__all__ = ["add_view_help", "help_browser", "install_help", "shortcut_rows",
           "shortcuts_markdown", "show_node_help"]


def _plain(text: str) -> str:
    """A menu text as read: without the ``&`` mnemonic marks or a trailing ellipsis."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(menu, command, keys) of every QAction with a key in ``window``: the menu bar's
    actions first, in menu order, then actions bound elsewhere (the canvas's)."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def keys(act: QAction) -> str:
        return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText)
                         for s in act.shortcuts() if not s.isEmpty())

    def walk(menu: QMenu, path: str) -> None:
        for act in menu.actions():
            sub = act.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{path} › {_plain(act.text())}")
            elif not act.isSeparator() and id(act) not in seen:
                seen.add(id(act))
                if keys(act):
                    rows.append((path, _plain(act.text()), keys(act)))

    bar = window.menuBar() if hasattr(window, "menuBar") else None
    if bar is not None:
        for top in bar.actions():
            sub = top.menu()
            if isinstance(sub, QMenu):
                walk(sub, _plain(top.text()))
    for widget in [window, *window.findChildren(QWidget)]:
        if widget.window() is not window:
            continue  # a node view's or the help browser's own keys
        for act in widget.actions():
            if id(act) not in seen and keys(act) and _plain(act.text()):
                seen.add(id(act))
                rows.append(("Canvas", _plain(act.text()), keys(act)))
    return rows


def shortcuts_markdown(window: QWidget) -> str:
    """The Keyboard shortcuts page, from the window's actions as they are now."""
    lines = ["# Keyboard shortcuts", "",
             "Read from the window's commands when this page is shown.", "",
             "| Menu | Command | Keys |", "|---|---|---|"]
    lines += [f"| {menu} | {text} | {keys} |" for menu, text, keys in shortcut_rows(window)]
    lines += ["", "On the canvas, **Space** (or a right-click on empty canvas) opens the quick "
              "menu; in a node's window, **F1** opens its help and **Esc** closes it."]
    return "\n".join(lines) + "\n"


def help_browser(window: MainWindow) -> HelpBrowser:
    """The window's help browser (one per main window, made on first use)."""
    browser: HelpBrowser | None = getattr(window, "_help_browser", None)
    if browser is None or sip.isdeleted(browser):
        browser = HelpBrowser(window.registry, lambda: shortcuts_markdown(window), window)
        browser.setWindowFlag(Qt.WindowType.Window, True)
        browser.example_requested.connect(lambda name: _open_example(window, name))
        window._help_browser = browser  # type: ignore[attr-defined]
    return browser


def _open_example(window: MainWindow, name: str) -> None:
    try:
        example = find_example(name)
    except LookupError as exc:
        window._show_message(str(exc))
        return
    if window.open_example(example.path):
        window.raise_()
        window.activateWindow()


def show_node_help(window: MainWindow, node_id: str) -> HelpBrowser:
    """The guide of a node on the canvas (by its widget's qualified name)."""
    browser = help_browser(window)
    browser.show_widget(window.workflow.node(node_id).qualified_name)
    return browser


def show_selected_help(window: MainWindow) -> HelpBrowser:
    """F1: the selected node's guide (or the toolbox's current widget's, when the
    toolbox has the focus, or the step's when presentation mode's side panel has it);
    with no single node selected, the docs index."""
    presenter = getattr(window, "presenter", None)
    focus = QApplication.focusWidget()
    if (presenter is not None and presenter.active and presenter.current is not None
            and focus is not None and presenter.side_dock.isAncestorOf(focus)):
        return show_node_help(window, presenter.current)
    tree = window.toolbox.tree
    current = tree.currentItem()
    if tree.hasFocus() and current is not None and current.data(0, TOOLBOX_NAME_ROLE):
        browser = help_browser(window)
        browser.show_widget(current.data(0, TOOLBOX_NAME_ROLE))
        return browser
    selected = window.scene.selected_node_ids()
    if len(selected) == 1:
        return show_node_help(window, selected[0])
    browser = help_browser(window)
    browser.show_url(page_url("index"))
    return browser


def install_help(window: MainWindow) -> None:
    """F1 and the Help menu's pages (Getting started, Examples, Keyboard shortcuts,
    Documentation index), put before About."""
    act = QAction("Help for Selected &Widget", window)
    window.help_action = act  # type: ignore[attr-defined]  # tests and scripts use it
    act.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    if act.shortcut().isEmpty():
        act.setShortcut(QKeySequence("F1"))
    act.setStatusTip("The selected widget's help page (the docs index when none is)")
    act.triggered.connect(lambda *_: show_selected_help(window))
    window.addAction(act)

    def page(name: str) -> Any:
        return lambda *_: help_browser(window).show_url(page_url(name))

    menu: QMenu = window.help_menu
    first = menu.actions()[0] if menu.actions() else None
    items = [
        ("&Getting Started", lambda *_: help_browser(window).show_getting_started()),
        ("&Examples", page("examples")),
        ("&Keyboard Shortcuts", page("shortcuts")),
        ("&Documentation Index", page("index")),
    ]
    for text, slot in items:
        item = QAction(text, window)
        item.triggered.connect(slot)
        menu.insertAction(first, item)
    menu.insertAction(first, act)
    menu.insertSeparator(first)


def bottom_row_layout(view: QWidget) -> QBoxLayout | None:
    """The view's layout when a bottom row of buttons ("?", "Add to report") can join it:
    a vertical box. In a horizontal one the row would become a third column beside the
    body (Test and Score's scores were squeezed so); other views get corner buttons."""
    layout = view.layout()
    vertical = (QBoxLayout.Direction.TopToBottom, QBoxLayout.Direction.BottomToTop)
    return layout if isinstance(layout, QBoxLayout) and layout.direction() in vertical \
        else None


class CornerButton(QObject):
    """Keeps an overlaid button in the view's top-right corner, ``offset`` px from its
    right edge (the "?" at 2, "Add to report" left of it), for views without a bottom row."""

    def __init__(self, view: QWidget, button: QToolButton, offset: int = 2) -> None:
        super().__init__(view)
        self.button, self.offset = button, offset
        view.installEventFilter(self)

    def eventFilter(self, obj: Any, event: Any) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.button.move(obj.width() - self.button.width() - self.offset, 2)
            self.button.raise_()
        return False


def add_view_help(view: QWidget, qualified_name: str, window: MainWindow,
                  key: bool = True) -> QToolButton:
    """A "?" button and F1 in a node's view window, both opening the widget's guide.

    The button goes at the end of the view's vertical box layout (a bottom-right corner,
    as in Orange's widgets); another view gets it overlaid in its top-right corner.
    ``key=False`` for a view inside the main window (presentation mode's side panel):
    a second F1 there would make the key ambiguous, so the window's F1 serves it
    (:func:`show_selected_help` looks where the focus is).
    """
    act = QAction("Help", view)
    act.setIconText("?")
    if key:
        act.setShortcut(QKeySequence("F1"))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    act.setToolTip(f"Help for {view.windowTitle() or 'this widget'} (F1)")
    act.triggered.connect(lambda *_: help_browser(window).show_widget(qualified_name))
    view.addAction(act)
    button = QToolButton(view)
    button.setObjectName("help-button")
    button.setDefaultAction(act)
    button.setAutoRaise(True)
    button.setFixedSize(22, 22)
    layout = bottom_row_layout(view)
    if layout is not None:
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom)
    else:
        CornerButton(view, button)
    view.help_action = act  # type: ignore[attr-defined]
    return button
