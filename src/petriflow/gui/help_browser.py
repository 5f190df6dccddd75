"""The help browser: the widget guides, the docs index, the examples gallery and the
keyboard shortcuts, inside the app and offline.

Why a QTextBrowser and not a web view: the guides are Markdown with pictures beside them
(``docs/widgets/*.md``, ``docs/images/``, shipped as ``petriflow/help``), which Qt renders
itself, relative image paths and links included, without a browser engine or network.
Every page is a URL in one history, so Back and Forward work across guides and generated
pages alike: guides are ``file:`` URLs; the generated pages are ``petriflow:index``,
``petriflow:examples``, ``petriflow:shortcuts`` and ``petriflow:widget/QUALIFIED_NAME``
(:mod:`petriflow.help_index` writes them); ``petriflow:example/NAME`` is a command, not a
page: it asks the main window to open that example.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PyQt6.QtCore import Qt, QUrl, pyqtSignal
from PyQt6.QtGui import (
    QAction,
    QDesktopServices,
    QImage,
    QKeySequence,
    QShortcut,
    QTextDocument,
)
from PyQt6.QtWidgets import QMainWindow, QTextBrowser, QToolBar, QWidget

from petriflow.bundled import help_dir
from petriflow.help_index import (
    HELP_SCHEME,
    examples_markdown,
    help_page,
    index_markdown,
    missing_page_markdown,
    widget_entries,
)

__all__ = ["HelpBrowser", "HelpTextBrowser", "page_url", "widget_url"]

Markdown = QTextDocument.ResourceType.MarkdownResource
#: what ``loadResource`` is asked for when a page (not a picture) is loaded
_DOCUMENT_KINDS = {QTextDocument.ResourceType.UnknownResource.value,
                   QTextDocument.ResourceType.HtmlResource.value, Markdown.value}


def page_url(name: str) -> QUrl:
    """A generated page's URL: ``index``, ``examples``, ``shortcuts``."""
    return QUrl(f"{HELP_SCHEME}:{name}")


def widget_url(qualified_name: str) -> QUrl:
    """The widget's guide (a file URL), or the page saying it is missing."""
    page = help_page(qualified_name)
    if page is not None:
        return QUrl.fromLocalFile(str(page))
    return QUrl(f"{HELP_SCHEME}:widget/{qualified_name}")


class HelpTextBrowser(QTextBrowser):
    """A QTextBrowser that serves the generated pages, says so for a missing page,
    scales pictures to its width and hands ``petriflow:example/NAME`` on."""

    #: a link to an example was followed: open it (its name, e.g. ``image-clustering``)
    example_requested = pyqtSignal(str)

    def __init__(self, registry: Any = None, shortcuts: Callable[[], str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self._shortcuts = shortcuts
        self.setOpenLinks(True)
        self.setOpenExternalLinks(False)
        folder = help_dir()
        if folder is not None:
            self.setSearchPaths([str(folder), str(folder / "widgets")])
        doc = self.document()
        assert doc is not None
        doc.setDefaultStyleSheet("img { margin: 6px; }")
        doc.setDocumentMargin(14)

    # ------------------------------------------------------------------ navigation
    def doSetSource(self, url: QUrl, kind: QTextDocument.ResourceType =
                    QTextDocument.ResourceType.UnknownResource) -> None:
        """Follow a link: commands and the web leave the page as it is."""
        if url.scheme() == HELP_SCHEME and url.path().startswith("example/"):
            self.example_requested.emit(url.path().removeprefix("example/"))
            return
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)  # the system's browser, if any; we stay offline
            return
        if url.scheme() == HELP_SCHEME or (url.isLocalFile() and
                                           not Path(url.toLocalFile()).is_file()):
            kind = Markdown  # generated, or the missing-page notice
        elif url.isLocalFile() and url.toLocalFile().endswith(".md"):
            kind = Markdown
        super().doSetSource(url, kind)

    def loadResource(self, kind: int, url: QUrl) -> Any:
        """The generated pages and the missing-page notice; pictures scaled to fit."""
        kind = int(getattr(kind, "value", kind))
        if kind in _DOCUMENT_KINDS:
            if url.scheme() == HELP_SCHEME:
                return self.generated(url.path())
            if url.isLocalFile() and not Path(url.toLocalFile()).is_file():
                path = Path(url.toLocalFile())
                return missing_page_markdown(path.name, str(path))
        if kind == QTextDocument.ResourceType.ImageResource.value:
            image = super().loadResource(kind, url)
            return self._fit(image)
        return super().loadResource(kind, url)

    def _fit(self, image: Any) -> Any:
        """A picture wider than the page is shown at the page's width (guides' screenshots
        are as wide as a view window)."""
        if isinstance(image, (bytes, bytearray)) or hasattr(image, "data"):
            loaded = QImage()
            loaded.loadFromData(bytes(image))
            image = loaded
        if isinstance(image, QImage) and not image.isNull():
            # the page's margins (14 px) and the picture's (6 px) on both sides, and slack
            viewport = self.viewport()
            width = viewport.width() if viewport is not None else 860
            room = max(320, width - 64)
            if image.width() > room:
                return image.scaledToWidth(room)
        return image

    def generated(self, name: str) -> str:
        """The Markdown of a generated page (``index``, ``examples``, ``shortcuts``,
        ``widget/QUALIFIED_NAME``)."""
        if name == "index":
            return index_markdown(widget_entries(self.registry))
        if name == "examples":
            return examples_markdown()
        if name == "shortcuts" and self._shortcuts is not None:
            return self._shortcuts()
        if name.startswith("widget/"):
            qualified_name = name.removeprefix("widget/")
            node_type = self.registry.get(qualified_name) if self.registry else None
            what = f"the {node_type.name} widget" if node_type else qualified_name
            return missing_page_markdown(what, None)
        return missing_page_markdown(f"{HELP_SCHEME}:{name}")

    def page_title(self) -> str:
        """The first heading of the page shown (tests and the window title use it)."""
        doc = self.document()
        if doc is None:
            return ""
        block = doc.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0 and block.text().strip():
                return block.text().strip()
            block = block.next()
        return ""


class HelpBrowser(QMainWindow):
    """The help window: Back, Forward, Index, Getting started, Examples, Shortcuts."""

    def __init__(self, registry: Any = None, shortcuts: Callable[[], str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Petriflow Help")
        self.setObjectName("help-browser")
        self.text = HelpTextBrowser(registry, shortcuts, self)
        self.example_requested = self.text.example_requested
        self.setCentralWidget(self.text)
        K = QKeySequence.StandardKey
        self.back_action = self._add("Back", self.text.backward, K.Back)
        self.forward_action = self._add("Forward", self.text.forward, K.Forward)
        self.back_action.setEnabled(False)
        self.forward_action.setEnabled(False)
        self.text.backwardAvailable.connect(self.back_action.setEnabled)
        self.text.forwardAvailable.connect(self.forward_action.setEnabled)
        self.index_action = self._add("Index", lambda: self.show_url(page_url("index")))
        self.getting_started_action = self._add("Getting started", self.show_getting_started)
        self.examples_action = self._add("Examples", lambda: self.show_url(page_url("examples")))
        self.shortcuts_action = self._add("Shortcuts",
                                          lambda: self.show_url(page_url("shortcuts")))
        tools = QToolBar("Help", self)
        self.addToolBar(tools)
        tools.setObjectName("help-tools")
        tools.setMovable(False)
        tools.addActions([self.back_action, self.forward_action])
        tools.addSeparator()
        tools.addActions([self.index_action, self.getting_started_action,
                          self.examples_action, self.shortcuts_action])
        self.text.sourceChanged.connect(self._retitle)
        close = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)  # as a node's window
        close.activated.connect(self.close)
        self.resize(860, 760)

    def _add(self, text: str, slot: Callable[[], Any], key: Any = None) -> QAction:
        act = QAction(text, self)
        if key is not None:
            act.setShortcuts(QKeySequence.keyBindings(key))
        act.triggered.connect(lambda *_: slot())
        self.addAction(act)
        return act

    def _retitle(self, *_: Any) -> None:
        title = self.text.page_title()
        self.setWindowTitle(f"{title} — Petriflow Help" if title else "Petriflow Help")

    def show_url(self, url: QUrl) -> None:
        """Show a page (adds it to the history) and bring the window up."""
        if self.text.source() == url:
            self.text.reload()
        else:
            self.text.setSource(url)
        self.show()
        self.raise_()
        self.activateWindow()

    def show_widget(self, qualified_name: str) -> None:
        """The guide of a widget, or the page saying it has none."""
        self.show_url(widget_url(qualified_name))

    def show_getting_started(self) -> None:
        folder = help_dir()
        page = folder / "getting-started.md" if folder else Path("getting-started.md")
        self.show_url(QUrl.fromLocalFile(str(page)))
