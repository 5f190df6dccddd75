"""Help inside the app (issue 18.1): F1 on a selected node, the node's context menu, the
"?" and F1 of its view, links between pages with Back and Forward, the generated pages
(index, examples gallery, keyboard shortcuts) and a missing page, all with real events.
"""

from __future__ import annotations

import re

from PyQt6.QtCore import QPoint, QPointF, Qt, QTimer, QUrl
from PyQt6.QtGui import QContextMenuEvent, QKeySequence, QTextCursor, QTextDocument
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QMenu, QToolBar, QToolButton

from petriflow.bundled import help_dir, list_examples
from petriflow.core.registry import default_registry
from petriflow.gui.help_browser import HelpTextBrowser
from petriflow.gui.help_menu import help_browser
from petriflow.help_index import help_page

IMAGE = QTextDocument.ResourceType.ImageResource.value


def _window_with(make_window, qtbot, qualified_name: str, registry=None):
    win = make_window(reg=registry or default_registry())
    win.pause_action.trigger()  # nothing runs: these tests are about the help
    nid = win.add_node(qualified_name, QPointF(0, 0))
    assert nid is not None
    win.document.select_nodes([nid])
    _activate(qtbot, win)
    return win, nid


def _activate(qtbot, widget) -> None:
    """Keys reach a window's shortcuts only while it is the active window."""
    widget.activateWindow()
    widget.raise_()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window(), timeout=3000)


def _shown_file(text: HelpTextBrowser) -> str:
    return text.source().toLocalFile()


def _images_loaded(text: HelpTextBrowser) -> list[str]:
    """The pictures of the page shown, each checked to have loaded (not a broken icon)."""
    sources = re.findall(r'<img src="([^"]+)"', text.toHtml())
    for src in sources:
        image = text.document().resource(IMAGE, QUrl(src))
        assert image is not None and not image.isNull(), f"{src} did not load"
    return sources


def _click_link(qtbot, text: HelpTextBrowser, href_end: str) -> None:
    """A real mouse click on the first link of the page whose target ends so."""
    doc = text.document()
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fragment = it.fragment()
            fmt = fragment.charFormat()
            if fmt.isAnchor() and fmt.anchorHref().endswith(href_end):
                cursor = QTextCursor(doc)
                cursor.setPosition(fragment.position() + max(1, fragment.length() // 2))
                text.setTextCursor(cursor)
                text.ensureCursorVisible()
                where = text.cursorRect(cursor).center() - QPoint(2, 0)
                QTest.mouseClick(text.viewport(), Qt.MouseButton.LeftButton,
                                 Qt.KeyboardModifier.NoModifier, where)
                return
            it += 1
        block = block.next()
    raise AssertionError(f"no link to {href_end} on {text.source().toString()}")


def test_f1_on_selected_node_opens_its_page_with_pictures(make_window, qtbot):
    win, _ = _window_with(make_window, qtbot, "petriflow.import_images")
    QTest.keyClick(win.view, Qt.Key.Key_F1)
    browser = help_browser(win)
    qtbot.waitUntil(browser.isVisible)
    assert _shown_file(browser.text) == str(help_page("petriflow.import_images"))
    assert browser.text.page_title() == "Import Images"
    assert browser.windowTitle() == "Import Images — Petriflow Help"
    assert any(s.endswith("view-import-images.png") for s in _images_loaded(browser.text))


def test_links_between_pages_and_back_forward(make_window, qtbot):
    win, _ = _window_with(make_window, qtbot, "petriflow.image_grid")
    QTest.keyClick(win.view, Qt.Key.Key_F1)
    browser = help_browser(win)
    qtbot.waitUntil(browser.isVisible)
    assert _shown_file(browser.text).endswith("image_grid.md")
    assert not browser.back_action.isEnabled()
    _click_link(qtbot, browser.text, "image_viewer.md")
    qtbot.waitUntil(lambda: _shown_file(browser.text).endswith("image_viewer.md"))
    assert browser.text.page_title() == "Image Viewer"
    assert browser.back_action.isEnabled() and not browser.forward_action.isEnabled()
    tools = browser.findChild(QToolBar, "help-tools")
    back = tools.widgetForAction(browser.back_action)
    QTest.mouseClick(back, Qt.MouseButton.LeftButton)
    assert _shown_file(browser.text).endswith("image_grid.md")
    assert browser.forward_action.isEnabled()
    forward = QKeySequence.keyBindings(QKeySequence.StandardKey.Forward)[0]
    QTest.keySequence(browser.text, forward)
    assert _shown_file(browser.text).endswith("image_viewer.md")


def test_question_mark_and_f1_in_a_view_open_its_page(make_window, qtbot):
    win, nid = _window_with(make_window, qtbot, "petriflow.distances")
    view = win.open_node(nid)
    qtbot.waitExposed(view)
    button = view.findChild(QToolButton, "help-button")
    assert button is not None and button.isVisible() and button.text() == "?"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    browser = help_browser(win)
    qtbot.waitUntil(browser.isVisible)
    assert _shown_file(browser.text) == str(help_page("petriflow.distances"))
    browser.text.setSource(QUrl("petriflow:index"))
    _activate(qtbot, view)
    QTest.keyClick(view, Qt.Key.Key_F1)
    assert browser.text.page_title() == "Distances"


def test_a_settings_panel_has_the_question_mark_too(make_window, qtbot):
    win, nid = _window_with(make_window, qtbot, "petriflow.save_data")
    view = win.open_node(nid)
    button = view.findChild(QToolButton, "help-button")
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert help_browser(win).text.page_title() == "Save Data"


def test_context_menu_help(make_window, qtbot):
    win, nid = _window_with(make_window, qtbot, "petriflow.mds")
    where = win.view.mapFromScene(win.scene.node_items[nid].sceneBoundingRect().center())
    chosen: list[str] = []

    def pick() -> None:
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        for act in menu.actions():
            if act.text() == "Help":
                chosen.append(act.text())
                menu.setActiveAction(act)
                QTest.keyClick(menu, Qt.Key.Key_Return)
                return
        menu.close()

    QTimer.singleShot(200, pick)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, where,
                              win.view.viewport().mapToGlobal(where))
    QApplication.sendEvent(win.view.viewport(), event)
    assert chosen == ["Help"]
    assert help_browser(win).text.page_title() == "MDS"


def test_missing_page_says_so(make_window, qtbot):
    win = make_window()  # the toy registry: its widgets have no guides
    win.pause_action.trigger()
    nid = win.add_node("tests.source", QPointF(0, 0))
    win.document.select_nodes([nid])
    _activate(qtbot, win)
    QTest.keyClick(win.view, Qt.Key.Key_F1)
    text = help_browser(win).text
    assert text.page_title() == "This help page is missing"
    assert "the Source widget" in text.toPlainText()
    # a link to a page that is not there (a guide's link to a doc not shipped) says so too
    missing = help_dir() / "widgets" / "no_such_page.md"
    text.setSource(QUrl.fromLocalFile(str(missing)))
    assert text.page_title() == "This help page is missing"
    assert "no_such_page.md" in text.toPlainText()
    assert text.toPlainText().strip() != ""


def test_f1_without_a_selection_opens_the_index(make_window, qtbot):
    win = make_window(reg=default_registry())
    _activate(qtbot, win)
    QTest.keyClick(win.view, Qt.Key.Key_F1)
    text = help_browser(win).text
    assert text.page_title() == "Petriflow help"
    shown = text.toPlainText()
    for node_type in default_registry():
        assert node_type.name in shown


def test_shortcuts_page_comes_from_the_actions(make_window, qtbot):
    win = make_window()
    win.help_menu.actions()[2].trigger()  # Keyboard Shortcuts
    text = help_browser(win).text
    assert text.page_title() == "Keyboard shortcuts"
    shown = text.toPlainText()
    for act in (win.save_action, win.pause_action, win.step_action, win.rename_action,
                win.help_action):
        key = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert key and key in shown
    win.fit_action.setShortcut(QKeySequence("Ctrl+Shift+F7"))  # it cannot go stale
    win.help_menu.actions()[2].trigger()
    assert "Ctrl+Shift+F7" in text.toPlainText()


def test_getting_started_opens_the_first_example(make_window, qtbot):
    win = make_window(reg=default_registry())
    win.pause_action.trigger()  # the example opens paused: nothing embeds here
    win.help_menu.actions()[0].trigger()  # Getting Started
    text = help_browser(win).text
    assert text.page_title() == "Getting started"
    assert _images_loaded(text)
    _click_link(qtbot, text, "petriflow:example/image-clustering")
    qtbot.waitUntil(lambda: len(win.workflow.nodes) > 0)
    names = {n.qualified_name for n in win.workflow.nodes}
    assert {"petriflow.import_images", "petriflow.image_embedder"} <= names
    assert win.workflow.path is None  # an untitled copy
    assert text.page_title() == "Getting started"  # the link is a command, not a page


def test_examples_gallery_shows_each_example_with_its_picture(make_window, qtbot):
    win = make_window(reg=default_registry())
    win.help_menu.actions()[1].trigger()  # Examples
    text = help_browser(win).text
    assert text.page_title() == "Examples"
    shown = text.toPlainText()
    pictures = _images_loaded(text)
    for example in list_examples():
        assert example.title in shown
        assert " ".join(example.description.split())[:40] in " ".join(shown.split())
        if (help_dir() / "images" / f"canvas-{example.name}.png").is_file():
            assert any(p.endswith(f"canvas-{example.name}.png") for p in pictures)


def test_f1_in_the_toolbox_opens_the_highlighted_widgets_page(make_window, qtbot):
    win = make_window(reg=default_registry())
    _activate(qtbot, win)
    tree = win.toolbox.tree
    tree.setFocus()
    tree.setCurrentItem(win.toolbox.items["petriflow.pca"])
    QTest.keyClick(tree, Qt.Key.Key_F1)
    browser = help_browser(win)
    assert browser.isVisible() and browser.text.page_title() == "PCA"
    _activate(qtbot, browser)
    QTest.keyClick(browser.text, Qt.Key.Key_Escape)  # Esc closes it, as a node's window
    assert not browser.isVisible()


def test_every_node_window_has_its_question_mark(make_window, qtbot):
    """Each registered view, and the settings panel of a node without one, carries a
    visible "?" that opens that widget's own page."""
    from PyQt6 import sip

    from petriflow.gui.views import VIEWS

    win = make_window(reg=default_registry())
    win.pause_action.trigger()  # views open on no data; nothing runs
    browser = help_browser(win)
    for qualified_name in [*VIEWS, "petriflow.save_model"]:
        nid = win.add_node(qualified_name, QPointF(0, 0))
        assert nid is not None, qualified_name
        view = win.open_node(nid)
        qtbot.waitExposed(view)
        button = view.findChild(QToolButton, "help-button")
        assert button is not None and button.isVisible(), qualified_name
        assert view.rect().contains(button.geometry()), qualified_name
        button.click()
        assert _shown_file(browser.text) == str(help_page(qualified_name)), qualified_name
        qtbot.waitUntil(getattr(view, "is_ready", lambda: True), timeout=30_000)
        view.close()
        qtbot.waitUntil(lambda view=view: sip.isdeleted(view), timeout=5_000)


def _click_menu_item(qtbot, menu: QMenu, text: str) -> None:
    """Open ``menu`` and click the item whose text (without its ``&``) is ``text``."""
    menu.popup(QPoint(100, 100))
    qtbot.waitUntil(menu.isVisible)
    (act,) = [a for a in menu.actions() if a.text().replace("&", "") == text]
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     menu.actionGeometry(act).center())
    qtbot.waitUntil(lambda: not menu.isVisible())


def test_each_help_menu_item_clicked_opens_its_page(make_window, qtbot):
    """Real clicks on the Help menu's items; the index's links lead to each widget."""
    win = make_window(reg=default_registry())
    win.pause_action.trigger()
    browser = help_browser(win)
    expected = {"Getting Started": "Getting started", "Examples": "Examples",
                "Keyboard Shortcuts": "Keyboard shortcuts",
                "Documentation Index": "Petriflow help"}
    for item, title in expected.items():
        browser.text.setSource(QUrl.fromLocalFile(str(help_page("petriflow.pca"))))
        _click_menu_item(qtbot, win.help_menu, item)
        assert browser.isVisible() and browser.text.page_title() == title, item
    nid = win.add_node("petriflow.umap", QPointF(0, 0))
    win.document.select_nodes([nid])
    _click_menu_item(qtbot, win.help_menu, "Help for Selected Widget")
    assert browser.text.page_title() == "UMAP"
    _click_menu_item(qtbot, win.help_menu, "Documentation Index")
    _click_link(qtbot, browser.text, "widgets/tsne.md")
    qtbot.waitUntil(lambda: _shown_file(browser.text).endswith("tsne.md"))
    QTest.mouseClick(browser.findChild(QToolBar, "help-tools").widgetForAction(
        browser.back_action), Qt.MouseButton.LeftButton)
    assert browser.text.page_title() == "Petriflow help"
