"""Presentation mode (View → Presentation Mode, F11): show a class a workflow step by step.

Why a module of its own: the mode is one feature that touches the canvas (larger text,
thicker links, a halo on the running node), the window (a simpler toolbar, a caption bar,
a side panel for the step's view) and the run control (Step, Auto-advance). Keeping it
here (the canvas side in :mod:`petriflow.gui.presentation_canvas`) leaves
:mod:`petriflow.gui.canvas.scene` and the window shell as they were; the window only
calls :func:`install_presentation`.

Leaving the mode puts back exactly what entering changed: every font and pen it enlarged
(the originals are kept per item), the toolbars and docks it hid, the view's zoom and the
pause state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PyQt6 import sip
from PyQt6.QtCore import QObject, QSettings, Qt, QTimer
from PyQt6.QtGui import QAction, QTransform
from PyQt6.QtWidgets import QDockWidget, QDoubleSpinBox, QLabel, QToolBar, QWidget

from petriflow.core.scheduler import NodeState
from petriflow.core.workflow import WorkflowEvent
from petriflow.gui.presentation_canvas import CanvasEnlarger, StepHalo, nearest_note
from petriflow.gui.settings_panel import SettingsPanel

if TYPE_CHECKING:
    from petriflow.gui.canvas.scene import CanvasScene
    from petriflow.gui.mainwindow import MainWindow

__all__ = ["Presenter", "install_presentation"]

#: seconds between automatic steps, unless the user chose otherwise
DEFAULT_SECONDS = 5.0
SECONDS_KEY = "presentation/auto_advance_seconds"
#: states a stepped node ends in (then the next automatic step may come)
FINISHED = (NodeState.DONE, NodeState.WARNING, NodeState.ERROR, NodeState.IDLE)


class Presenter(QObject):
    """Presentation mode of one window: its actions, its panels and the stepping."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.active = False
        self.enlarger: CanvasEnlarger | None = None
        self.current: str | None = None  # the node of the latest step
        self.steps: list[str] = []  # nodes stepped since the mode was entered, in order
        self.halo: StepHalo | None = None
        self.step_view: QWidget | None = None
        self._saved: dict[str, Any] = {}
        self._unsubscribe: Any = None
        stored = QSettings("Petriflow", "Petriflow").value(SECONDS_KEY, DEFAULT_SECONDS)
        try:
            self.auto_seconds = max(0.5, float(stored))
        except (TypeError, ValueError):
            self.auto_seconds = DEFAULT_SECONDS
        self.auto_timer = QTimer(self)
        self.auto_timer.setSingleShot(True)
        self.auto_timer.timeout.connect(self._auto_step)
        self._make_actions()
        self._make_panels()
        window.document.replaced.connect(self._document_replaced)
        window.document.status_changed.connect(self._status_changed)
        # a new summary may need more room; links restyle when data arrives
        window.document.outputs_changed.connect(lambda *_: self._reapply())

    # ------------------------------------------------------------------ building
    def _make_actions(self) -> None:
        w = self.window
        self.mode_action = QAction("&Presentation Mode", w)
        self.mode_action.setCheckable(True)
        self.mode_action.setShortcut("F11")
        self.mode_action.setStatusTip("Large text, Step (F10) with captions and views, "
                                      "auto-advance: for showing a workflow to a class")
        self.mode_action.toggled.connect(self.set_active)
        w.addAction(self.mode_action)
        self.auto_action = QAction("&Auto-advance", w)
        self.auto_action.setCheckable(True)
        self.auto_action.setStatusTip("Step by itself every few seconds once a step finished")
        self.auto_action.toggled.connect(self.set_auto)
        self.restart_action = QAction("Start &Over", w)
        self.restart_action.setStatusTip("Queue every node again; Step runs them from the "
                                         "first")
        self.restart_action.triggered.connect(lambda *_: self.start_over())
        self.exit_action = QAction("E&xit Presentation", w)
        self.exit_action.triggered.connect(lambda *_: self.mode_action.setChecked(False))
        view, run = self._menu("View"), self._menu("Run")
        if view is not None:
            view.addSeparator()
            view.addAction(self.mode_action)
        if run is not None:  # beside Pause and Step; both enter the mode when needed
            run.addSeparator()
            run.addActions([self.auto_action, self.restart_action])

    def _menu(self, title: str) -> Any:
        bar = self.window.menuBar()
        for act in bar.actions() if bar is not None else []:
            if act.text().replace("&", "") == title and act.menu() is not None:
                return act.menu()
        return None

    def _make_panels(self) -> None:
        w = self.window
        self.toolbar = QToolBar("Presentation", w)
        self.toolbar.setObjectName("presentation")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions([w.step_action, self.auto_action])
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(0.5, 120.0)
        self.seconds.setDecimals(1)
        self.seconds.setSuffix(" s")
        self.seconds.setValue(self.auto_seconds)
        self.seconds.setToolTip("Seconds between automatic steps")
        self.seconds.valueChanged.connect(self._seconds_changed)
        self.toolbar.addWidget(self.seconds)
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.restart_action, self.exit_action])
        big = self.toolbar.font()
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.toolbar.setFont(big)
        w.addToolBar(self.toolbar)
        self.toolbar.hide()
        self.caption = QLabel()
        self.caption.setObjectName("presentation-caption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setMargin(10)
        self.caption.setStyleSheet("QLabel { background: #FFF8E1; color: #212121; "
                                   "border-bottom: 2px solid #FF9800; }")
        cap_font = self.caption.font()
        cap_font.setPointSizeF(cap_font.pointSizeF() * 1.6)
        self.caption.setFont(cap_font)
        self.caption_dock = self._dock("Caption", "presentation-caption-dock", self.caption,
                                       Qt.DockWidgetArea.TopDockWidgetArea)
        self.caption_dock.setTitleBarWidget(QWidget())  # a bar, not a panel with a title
        self.side_dock = self._dock("Step", "presentation-view", QWidget(),
                                    Qt.DockWidgetArea.RightDockWidgetArea)

    def _dock(self, title: str, name: str, widget: QWidget,
              area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.NoDockWidgetFeatures)
        self.window.addDockWidget(area, dock)
        dock.hide()
        return dock

    def _set_caption(self, text: str) -> None:
        """The caption bar as high as its text (a dock keeps its height otherwise)."""
        self.caption.setText(text)
        if self.caption_dock.isVisible():
            width = max(self.caption_dock.width(), 200)
            self.window.resizeDocks([self.caption_dock], [self.caption.heightForWidth(width)],
                                    Qt.Orientation.Vertical)

    def _seconds_changed(self, value: float) -> None:
        self.auto_seconds = float(value)
        QSettings("Petriflow", "Petriflow").setValue(SECONDS_KEY, self.auto_seconds)

    # ------------------------------------------------------------------ the mode
    def set_active(self, on: bool) -> None:
        """Enter or leave the mode (the F11 action calls this)."""
        if on == self.active:
            return
        if on:
            self._enter()
        else:
            self._leave()
        if self.mode_action.isChecked() != on:
            self.mode_action.setChecked(on)

    def _enter(self) -> None:
        w = self.window
        self.active = True
        self.steps = []
        bars = [t for t in w.findChildren(QToolBar) if t is not self.toolbar]
        docks = [d for d in w.findChildren(QDockWidget)
                 if d not in (self.caption_dock, self.side_dock)]
        self._saved = {
            "toolbars": {t: t.isVisible() for t in bars},
            "docks": {d: d.isVisible() for d in docks},
            "transform": QTransform(w.view.transform()),
            "paused": w.pause_action.isChecked(),
        }
        for t in bars:
            t.hide()
        for d in docks:
            d.hide()
        self.toolbar.show()
        self.caption_dock.show()
        self._set_caption("Presentation mode: press F10 (Step) to run the next node, "
                          "or turn on Auto-advance.")
        self.enlarger = CanvasEnlarger(w.scene)
        self.enlarger.apply()
        self._follow(w.scene)
        if not w.pause_action.isChecked():
            w.pause_action.setChecked(True)
            w.toggle_pause()
        QTimer.singleShot(0, w.view.fit_workflow)

    def _leave(self) -> None:
        w = self.window
        self.active = False
        self.auto_action.setChecked(False)
        self.auto_timer.stop()
        self._clear_step()
        if self.enlarger is not None:
            self.enlarger.restore()
            self.enlarger = None
        self._follow(None)
        self.toolbar.hide()
        self.caption_dock.hide()
        self.side_dock.hide()
        saved = self._saved
        for t, visible in saved.get("toolbars", {}).items():
            if not sip.isdeleted(t):
                t.setVisible(visible)
        for d, visible in saved.get("docks", {}).items():
            if not sip.isdeleted(d):
                d.setVisible(visible)
        if "transform" in saved:
            w.view.setTransform(saved["transform"])
        if not saved.get("paused", True) and w.pause_action.isChecked():
            w.pause_action.setChecked(False)
            w.toggle_pause()
        self._saved = {}

    def _follow(self, scene: CanvasScene | None) -> None:
        """Enlarge what is added to ``scene`` while the mode is on; re-thicken links
        after a selection change resets their pens."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if scene is None:
            return
        self._unsubscribe = scene.workflow.subscribe(self._workflow_event)
        self._scene = scene
        scene.selectionChanged.connect(self._rethicken)

    def _workflow_event(self, event: WorkflowEvent) -> None:
        # after the scene made (or reset) the item: enlarge it, put it at its spread place
        QTimer.singleShot(0, self._reapply)

    def _reapply(self) -> None:
        if self.active and self.enlarger is not None:
            self.enlarger.apply()

    def _rethicken(self) -> None:
        if self.active and self.enlarger is not None:
            self.enlarger.rethicken()

    def _document_replaced(self) -> None:
        """Another workflow opened while presenting: the mode goes on with its scene."""
        if not self.active:
            return
        self._clear_step()
        self.steps = []
        self.enlarger = CanvasEnlarger(self.window.scene)
        self.enlarger.apply()
        self._follow(self.window.scene)

    # ------------------------------------------------------------------ stepping
    def start_over(self) -> None:
        """Queue every node again (the sources, and so all that follows them), paused,
        so that Step shows the workflow from its first node."""
        w = self.window
        if w.scheduler is None:
            return
        if not self.active:
            self.set_active(True)
        if not w.pause_action.isChecked():
            w.pause_action.setChecked(True)
            w.toggle_pause()
        self._clear_step()
        self.steps = []
        for node in w.workflow.nodes:
            if not w.workflow.snapshot().parents(node.id):
                w.scheduler.invalidate(node.id)
        self._set_caption("Ready: F10 (Step) runs the first node.")

    def step(self) -> str | None:
        """Run the next ready node, put the halo on it, caption it with its note (or its
        description) and show its view beside the canvas in place of the previous one.
        The first step of a presentation on a workflow that has run starts it over."""
        w = self.window
        if w.scheduler is None:
            return None
        if not w.pause_action.isChecked():
            w.pause_action.setChecked(True)
            w.toggle_pause()
        nid = w.scheduler.step()
        if nid is None and not self.steps and w.scheduler.is_settled():
            # the first F10 on a workflow that has already run: show it from the start
            # (what the class expects) rather than "the end"
            self.start_over()
            nid = w.scheduler.step()
        if nid is None:
            self._at_end()
            return None
        w._show_message(f"Step: running {w.workflow.node(nid).title!r}", 5000)
        self.current = nid
        self.steps.append(nid)
        self._highlight(nid)
        self._caption(nid)
        self._show_view(nid)
        return nid

    def _at_end(self) -> None:
        w = self.window
        busy = w.scheduler is not None and not w.scheduler.is_settled()
        if busy:  # a node still runs; the next one is ready when it finished
            w._show_message("Still running: Step again when it finished", 5000)
            return
        self.auto_action.setChecked(False)
        self._set_caption("The end: every node has run. Start Over runs the workflow "
                          "again from its first node.")
        w._show_message("Nothing is ready to run", 5000)

    def _highlight(self, nid: str) -> None:
        self._remove_halo()
        item = self.window.scene.node_items.get(nid)
        if item is not None:
            self.halo = StepHalo(item)

    def _remove_halo(self) -> None:
        if self.halo is not None and not sip.isdeleted(self.halo):
            scene = self.halo.scene()
            if scene is not None:
                scene.removeItem(self.halo)
        self.halo = None

    def _caption(self, nid: str) -> None:
        node = self.window.workflow.node(nid)
        note = nearest_note(self.window.scene, nid)
        desc = node.node_type.description if node.node_type is not None else ""
        self._set_caption(f"{len(self.steps)}. {node.title}: {note or desc}".rstrip(": "))

    def _show_view(self, nid: str) -> None:
        """The step's view in the side panel; the previous step's view is closed."""
        old = self.step_view
        view = self.window.node_windows.build(nid)
        self._add_buttons(view, nid)
        self.step_view = view
        self.side_dock.setWidget(view)
        self.side_dock.setWindowTitle(self.window.workflow.node(nid).title)
        if old is not None and not sip.isdeleted(old):
            old.close()
            old.deleteLater()
        # as wide as the view asks (a dendrogram with its leaf names), within reason: a
        # third of the window at least, at most two fifths (the canvas keeps its large
        # text for the room)
        width = max(360, self.window.width() // 3,
                    min(view.sizeHint().width(), self.window.width() * 2 // 5))
        if not self.side_dock.isVisible():
            self.side_dock.show()
            self.window.resizeDocks([self.side_dock], [width], Qt.Orientation.Horizontal)
            QTimer.singleShot(0, self.window.view.fit_workflow)
        elif self.side_dock.width() < width:
            self.window.resizeDocks([self.side_dock], [width], Qt.Orientation.Horizontal)
            QTimer.singleShot(0, self.window.view.fit_workflow)

    def _add_buttons(self, view: QWidget, nid: str) -> None:
        """The "?" and "Add to report" every node window has, in the side panel too: a
        teacher answers a question or keeps a step's result without leaving the mode."""
        from petriflow.gui.help_menu import add_view_help

        w = self.window
        add_view_help(view, w.workflow.node(nid).qualified_name, w, key=False)
        if hasattr(w, "report_menu"):
            from petriflow.gui.report_capture import add_view_report

            add_view_report(view, nid, w)

    def _clear_step(self) -> None:
        self._remove_halo()
        self.current = None
        if self.step_view is not None and not sip.isdeleted(self.step_view):
            self.step_view.close()
            self.step_view.deleteLater()
        self.step_view = None
        self.side_dock.setWidget(QWidget())
        self.side_dock.hide()

    # ------------------------------------------------------------------ auto-advance
    def set_auto(self, on: bool) -> None:
        """Step every :attr:`auto_seconds` once the previous step finished, until the
        end; the presenter's hands stay off the keyboard."""
        if not on:
            self.auto_timer.stop()
            return
        if not self.active:
            self.set_active(True)
        if self.current is None or self._finished(self.current):
            self.auto_timer.start(0 if self.current is None else self._interval_ms())

    def _interval_ms(self) -> int:
        return int(self.auto_seconds * 1000)

    def _finished(self, nid: str) -> bool:
        scheduler = self.window.scheduler
        if scheduler is None:
            return True
        try:
            return scheduler.status(nid).state in FINISHED
        except KeyError:
            return True

    def _status_changed(self, node_id: str, status: Any) -> None:
        view = self.step_view
        if (node_id == self.current and isinstance(view, SettingsPanel)
                and not sip.isdeleted(view)):  # registered views follow their node
            view.show_status(self.window.document.describe_status(node_id))
        if (self.active and self.auto_action.isChecked() and node_id == self.current
                and status.state in FINISHED and not self.auto_timer.isActive()):
            self.auto_timer.start(self._interval_ms())

    def _auto_step(self) -> None:
        if not (self.active and self.auto_action.isChecked()):
            return
        if self.step() is None and self.auto_action.isChecked():
            self.auto_timer.start(200)  # something still runs: look again soon


def install_presentation(window: MainWindow) -> Presenter:
    """View → Presentation Mode (F11); while the mode is on, the window's Step (F10)
    goes through the presenter (``MainWindow.step`` asks ``window.presenter``)."""
    presenter = Presenter(window)
    window.presenter = presenter
    return presenter
