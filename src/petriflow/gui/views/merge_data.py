"""Merge Data view: the key column of each input and the kind of join.

The combos list the columns of the two inputs as they are now, plus "Row index"; a key
saved for a column the input no longer has stays shown (and the node says it is
missing) rather than silently switching to another column.
"""

from __future__ import annotations

from typing import get_args

from PyQt6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from petriflow.core.scheduler import NodeStatus
from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView
from petriflow.nodes.merge_data import ROW_INDEX, MergeHow

__all__ = ["MergeDataView"]

ROW_INDEX_LABEL = "Row index"
HOW_LABELS = {"left": "Append columns to every row of Data (left join)",
              "inner": "Only rows with a match (inner join)",
              "outer": "All rows of both (outer join)"}


class MergeDataView(NodeView):
    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.data_key, self.extra_key, self.how = QComboBox(), QComboBox(), QComboBox()
        for how in get_args(MergeHow):
            self.how.addItem(HOW_LABELS[how], how)
        self.data_key.activated.connect(lambda _i: self._keys_picked())
        self.extra_key.activated.connect(lambda _i: self._keys_picked())
        self.how.activated.connect(lambda i: self.set_settings(how=self.how.itemData(i)))
        form.addRow("Data key", self.data_key)
        form.addRow("Extra Data key", self.extra_key)
        form.addRow("Rows", self.how)
        layout.addLayout(form)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.resize(480, 200)
        self.show_current()

    def on_data(self) -> None:
        self.on_settings()

    def on_settings(self) -> None:
        s = self.settings
        for combo, name, key in ((self.data_key, "Data", s.data_key),
                                 (self.extra_key, "Extra Data", s.extra_key)):
            table: Table | None = self.inputs().get(name)
            names = [ROW_INDEX_LABEL, *(table.column_names if table is not None else [])]
            shown = key or ROW_INDEX_LABEL
            if shown not in names:
                names.append(shown)
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            combo.setCurrentText(shown)
            combo.blockSignals(False)
        self.how.setCurrentIndex(max(self.how.findData(s.how), 0))

    def on_status(self, status: NodeStatus) -> None:
        self.message.setText(status.message)  # warnings (duplicate keys) or the error

    def _keys_picked(self) -> None:
        keys = [ROW_INDEX if c.currentText() == ROW_INDEX_LABEL else c.currentText()
                for c in (self.data_key, self.extra_key)]
        self.set_settings(data_key=keys[0], extra_key=keys[1])


@register_view("petriflow.merge_data")
def make_view(node: NodeFacade) -> QWidget:
    return MergeDataView(node)
