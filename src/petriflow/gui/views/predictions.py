"""Predictions view: each row's image thumbnail, predicted class and probabilities.

Built on the Data Table view (sorting by any column, selection written as positions
with their identity, once per mouse gesture): the table shown is the node's
Predictions output, whose rows are the input's in the same order, so a position means
the same row in both. What differs: features (hundreds of embedding columns) are not
shown, the image column shows a thumbnail decoded off the GUI thread by the Image
Viewer's :class:`ThumbnailModel`, and the rows are as tall as the thumbnails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PyQt6.QtCore import QModelIndex, QSize, Qt
from PyQt6.QtWidgets import QWidget

from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade
from petriflow.gui.views.data_table import DataTableView, TableModel
from petriflow.gui.views.image_viewer import ThumbnailModel
from petriflow.nodes.image_viewer import resolve_image_path

__all__ = ["THUMBNAIL", "PredictionsModel", "PredictionsView"]

#: thumbnail edge in the table (pixels)
THUMBNAIL = 56


class PredictionsModel(TableModel):
    """The Data Table's model without feature columns, with thumbnails of the images."""

    def __init__(self, parent: Any, thumbs: ThumbnailModel,
                 directory: Path | None = None) -> None:
        super().__init__(parent)
        self.thumbs = thumbs
        self.directory = directory
        self.image_col = -1
        #: the columns Predictions added (shown right after the class and the image)
        self.predicted: set[str] = set()
        thumbs.dataChanged.connect(self._thumbs_changed)

    def set_table(self, table: Table | None) -> None:
        super().set_table(table)
        self.beginResetModel()
        image = table.image_column if table is not None else None

        def rank(column: tuple[str, str, Any]) -> int:
            kind, name, _ = column
            return (0 if kind == "class" else 1 if name == image
                    else 2 if name in self.predicted else 3)

        self.columns = sorted((c for c in self.columns if c[0] != "feature"), key=rank)
        names = [c[1] for c in self.columns]
        self.image_col = names.index(image) if image in names else -1
        paths: list[str] = []
        if table is not None and image is not None and self.image_col >= 0:
            bases = [b for b in (self.directory, Path.cwd()) if b is not None]
            paths = [str(resolve_image_path(str(v), bases)) if v else ""
                     for v in table.metas[image]]
        self.thumbs.set_items(paths, [""] * len(paths))
        self.endResetModel()

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.DecorationRole and index.isValid()
                and index.column() == self.image_col and self.table is not None):
            pos = int(self.order[index.row()])
            if self.thumbs.paths[pos]:
                return self.thumbs.data(self.thumbs.index(pos),
                                        Qt.ItemDataRole.DecorationRole)
            return None
        return super().data(index, role)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A probability column "Model (class)" on two lines, model over class: one
        line was wider than its column ("ogistic Regression (b")."""
        text = super().headerData(section, orientation, role)
        if (orientation == Qt.Orientation.Horizontal and isinstance(text, str)
                and text in self.predicted and text.endswith(")") and " (" in text):
            model, _, value = text.rpartition(" (")
            return f"{model}\n({value}"
        return text

    def _thumbs_changed(self, *_: Any) -> None:
        """Decoded thumbnails arrived: repaint the image column."""
        if self.image_col >= 0 and len(self.order):
            self.dataChanged.emit(self.index(0, self.image_col),
                                  self.index(len(self.order) - 1, self.image_col),
                                  [Qt.ItemDataRole.DecorationRole])


class PredictionsView(DataTableView):
    """The predictions as a sortable table with thumbnails; selected rows go out."""

    model: PredictionsModel

    def make_model(self) -> PredictionsModel:
        self.thumbs = ThumbnailModel(self, self.node.tasks)
        self.thumbs.set_size(THUMBNAIL)
        return PredictionsModel(self, self.thumbs, self.node.directory)

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        self.table.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.table.verticalHeader().setDefaultSectionSize(THUMBNAIL + 6)

    def shown_table(self) -> Table | None:
        table = self.outputs().get("Predictions")
        data = self.inputs().get("Data")
        known = set(data.metas) if data is not None else set()
        self.model.predicted = {n for n in (table.metas if table is not None else ())
                                if n not in known}
        return table

    def is_ready(self) -> bool:
        """Thumbnails on screen are decoded (``--screenshot`` waits for this)."""
        return not self.thumbs.pending

    def identity_table(self) -> Table | None:
        """The input: the node restores the selection on it (same rows, same order)."""
        data = self.inputs().get("Data")
        shown = self.data_table
        return data if shown is not None and data is not None \
            and len(data) == len(shown) else shown

    def on_data(self) -> None:
        super().on_data()
        if self.model.image_col >= 0:
            self.table.setColumnWidth(self.model.image_col, THUMBNAIL + 140)
        # the predicted class and probabilities as wide as their header (model names)
        for col, (_, name, _) in enumerate(self.model.columns):
            if name in self.model.predicted:
                self.table.resizeColumnToContents(col)
        self._fit_width()

    def _fit_width(self) -> None:
        """Before the window is first shown, widen it to the predictions (up to 90 % of
        the screen): the Data Table's 820 px left the last class's probability behind a
        horizontal scroll bar with three classes and two models. A shown window keeps
        the size the user gave it."""
        if self.isVisible() or self.model.columnCount() == 0:
            return
        # the class, the image and every prediction column; other metas may scroll
        shown = [i for i, c in enumerate(self.model.columns) if c[1] in self.model.predicted]
        last = shown[-1] + 1 if shown else self.model.columnCount()
        columns = sum(self.table.columnWidth(c) for c in range(last))
        scroll = self.table.verticalScrollBar().sizeHint().width()
        margins = self.layout().contentsMargins() if self.layout() is not None else None
        frame = 2 * self.table.frameWidth() + (margins.left() + margins.right() if margins else 0)
        want = columns + self.table.verticalHeader().sizeHint().width() + scroll + frame + 4
        screen = self.screen()
        room = int(screen.availableGeometry().width() * 0.9) if screen is not None else 1400
        if want > self.width():
            self.resize(min(want, room), self.height())

    def empty_text(self) -> str:
        """What a blank predictions table means (gui/views/empty_hint.py)."""
        if self.data_table is not None:
            return "The data to predict has no rows."
        why = self.node.status().message
        return ("No predictions yet.\n\nConnect the images' embeddings to Data and a "
                "model (Logistic Regression's Model, or Load Model) to Predictors."
                + (f"\n\n{why}" if why else ""))

    def _show_info(self) -> None:
        t = self.data_table
        if t is None:
            self.info.setText("No predictions (connect Data and a model).")
            return
        n_sel = len(self._selected())
        text = f"{len(t)} rows; {n_sel} selected" if n_sel else f"{len(t)} rows"
        results = self.outputs().get("Evaluation Results")
        if results is not None:  # the data knows its class: how right each model is
            text += "; accuracy (CA) on the rows of known class: " + ", ".join(
                f"{name} {results.scores[name]['CA']:.3f}" for name in results.learner_names)
        self.info.setText(text)


@register_view("petriflow.predictions")
def make_view(node: NodeFacade) -> QWidget:
    return PredictionsView(node)
