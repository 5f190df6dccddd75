"""Export actions of the views: every plot saves PNG/SVG, every table copies and saves
CSV of what it shows (not to be confused with Save Data's table files,
:mod:`petriflow.analysis.table_files`, or ``run --out``, :mod:`petriflow.core.run_export`).

Views call :func:`add_export_actions` once; the actions appear in the view's context
menu (right-click anywhere a child does not claim the click) and have shortcuts
(Ctrl+C copies the table, Ctrl+S saves). The functions behind them are plain so that
tests and scripts can call them without a file dialog.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from PyQt6.QtCore import QAbstractItemModel, QRectF, QSize, Qt
from PyQt6.QtGui import QAction, QKeySequence, QPainter
from PyQt6.QtWidgets import QApplication, QFileDialog, QWidget

from petriflow.core.atomic import atomic_write

__all__ = [
    "add_export_actions",
    "copy_table",
    "save_widget_image",
    "table_rows",
    "table_to_csv",
]

IMAGE_FILTER = "PNG image (*.png);;SVG image (*.svg)"
CSV_FILTER = "CSV file (*.csv)"


def save_widget_image(widget: QWidget, path: str | Path) -> Path:
    """Save what ``widget`` shows: SVG if ``path`` ends in .svg, else a PNG (or any
    raster format Qt knows from the suffix)."""
    path = Path(path)
    if path.suffix.lower() == ".svg":
        from PyQt6.QtSvg import QSvgGenerator  # only when needed: QtSvg loads a plugin

        size = widget.size() if not widget.size().isEmpty() else QSize(640, 480)
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(size)
        gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
        gen.setTitle(widget.windowTitle() or "Petriflow view")
        painter = QPainter()
        if not painter.begin(gen):
            raise OSError(f"cannot write {path}")
        try:
            widget.render(painter)
        finally:
            painter.end()
    else:
        if not widget.grab().save(str(path)):
            raise OSError(f"cannot write {path}")
    return path


def table_rows(model: QAbstractItemModel) -> list[list[str]]:
    """Header and rows of a table model as shown (sorted, formatted), as strings.

    The vertical header is the first column when it names rows (not just numbers)."""
    n_rows, n_cols = model.rowCount(), model.columnCount()
    horizontal = Qt.Orientation.Horizontal
    vertical = Qt.Orientation.Vertical
    display = Qt.ItemDataRole.DisplayRole
    row_labels = [model.headerData(r, vertical, display) for r in range(n_rows)]
    # row numbers are not data; names (e.g. the actual classes of a matrix) are
    with_labels = any(v is not None and not str(v).isdigit() for v in row_labels)
    # a header shown on two lines (Predictions' "Model\n(class)") is one name in a file
    header = [str(model.headerData(c, horizontal, display) or "").replace("\n", " ")
              for c in range(n_cols)]
    rows = [["", *header] if with_labels else header]
    for r in range(n_rows):
        row = ["" if (v := model.data(model.index(r, c), display)) is None else str(v)
               for c in range(n_cols)]
        rows.append([str(row_labels[r] or ""), *row] if with_labels else row)
    return rows


def table_to_csv(model: QAbstractItemModel, path: str | Path) -> Path:
    """Write the table as CSV (comma-separated, header first)."""
    rows = table_rows(model)

    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows(rows)

    return atomic_write(path, write)


def copy_table(model: QAbstractItemModel) -> str:
    """Put the table on the clipboard, tab-separated (pastes into a spreadsheet)."""
    buf = io.StringIO()
    csv.writer(buf, delimiter="\t", lineterminator="\n").writerows(table_rows(model))
    text = buf.getvalue()
    QApplication.clipboard().setText(text)
    return text


def add_export_actions(view: QWidget, image: QWidget | None = None,
                       table: QAbstractItemModel | None = None) -> dict[str, QAction]:
    """Add "Save image…" (for ``image``), "Copy" and "Save CSV…" (for ``table``) to
    ``view``'s context menu, with shortcuts; returns the actions by name."""
    actions: dict[str, QAction] = {}
    if image is not None:
        act = QAction("Save image…", view)
        act.setShortcut(QKeySequence.StandardKey.Save)
        act.triggered.connect(lambda *_: _ask_image(view, image))
        actions["image"] = act
    if table is not None:
        act = QAction("Copy", view)
        act.setShortcut(QKeySequence.StandardKey.Copy)
        act.triggered.connect(lambda *_: copy_table(table))
        actions["copy"] = act
        act = QAction("Save CSV…", view)
        if image is None:
            act.setShortcut(QKeySequence.StandardKey.Save)
        act.triggered.connect(lambda *_: _ask_csv(view, table))
        actions["csv"] = act
    for act in actions.values():
        act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        view.addAction(act)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    view.export_actions = actions  # type: ignore[attr-defined]
    view.export_image = image  # type: ignore[attr-defined]  # what "Add to report" pictures
    return actions


def _default_name(view: QWidget, suffix: str) -> str:
    title = (view.windowTitle() or "view").strip().replace("/", "-").replace(" ", "-")
    return f"{title.lower()}{suffix}"


def _ask_image(view: QWidget, image: QWidget) -> None:
    path, chosen = QFileDialog.getSaveFileName(view, "Save image", _default_name(view, ".png"),
                                               IMAGE_FILTER)
    if path:
        if not Path(path).suffix:
            path += ".svg" if "svg" in chosen.lower() else ".png"
        save_widget_image(image, path)


def _ask_csv(view: QWidget, table: QAbstractItemModel) -> None:
    path, _ = QFileDialog.getSaveFileName(view, "Save CSV", _default_name(view, ".csv"),
                                          CSV_FILTER)
    if path:
        table_to_csv(table, path if Path(path).suffix else path + ".csv")
