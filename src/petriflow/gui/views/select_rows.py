"""Select Rows view: a list of conditions (column, operator, value) and how they combine.

Each edit writes the whole ``conditions`` list, so undo restores the filter as it was.
Values are typed as text; for ``in``/``not in``/``between``/``outside`` a comma separates
the values ("wt, mut"; "1, 2.5"). The count of matching rows comes from the node.
"""

from __future__ import annotations

from typing import Any

from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from petriflow.core.scheduler import NodeStatus
from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView
from petriflow.nodes.select_rows import OPERATORS

__all__ = ["SelectRowsView"]

#: operators whose value is a list (typed comma-separated)
LIST_OPS = ("in", "not in", "between", "outside")
#: operators without a value
NO_VALUE_OPS = ("is defined", "is not defined")


def value_text(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else \
        ("" if value is None else str(value))


def parse_value(op: str, text: str) -> Any:
    """What the node's condition holds for ``text`` typed with operator ``op``."""
    if op in NO_VALUE_OPS:
        return None
    if op in LIST_OPS:
        return [t.strip() for t in text.split(",") if t.strip()]
    return text.strip()


class SelectRowsView(NodeView):
    """The conditions of Select Rows, editable."""

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        layout = QVBoxLayout(self)
        self.grid = QGridLayout()
        layout.addLayout(self.grid)
        bar = QHBoxLayout()
        self.add_button = QPushButton("Add condition")
        self.add_button.clicked.connect(self.add_condition)
        bar.addWidget(self.add_button)
        self.match_all = QCheckBox("All conditions must hold")
        self.match_all.toggled.connect(lambda on: self.set_settings(match_all=on))
        bar.addWidget(self.match_all)
        bar.addStretch(1)
        layout.addLayout(bar)
        layout.addStretch(1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.rows: list[tuple[QComboBox, QComboBox, QLineEdit, QPushButton]] = []
        self.counts = ""
        self.resize(560, 300)
        self.show_current()

    def columns(self) -> list[str]:
        data: Table | None = self.inputs().get("Data")
        return data.column_names if data is not None else []

    def on_data(self) -> None:
        self._rebuild()
        data, out = self.inputs().get("Data"), self.outputs()
        if data is None or "Data" not in out or out["Data"] is None:
            self.counts = ""
        else:
            matched = out.get("Matching Data")
            self.counts = f"{0 if matched is None else len(matched)} of {len(data)} rows match"
        self.summary.setText(self.counts)

    def on_settings(self) -> None:
        self.match_all.setChecked(self.settings.match_all)
        self._rebuild()

    def on_status(self, status: NodeStatus) -> None:
        """The count, then what the node says (an unknown column, a value not a number)."""
        self.summary.setText("\n".join(t for t in (self.counts, status.message) if t))

    def _rebuild(self) -> None:
        for widgets in self.rows:
            for w in widgets:
                w.deleteLater()
        self.rows = []
        columns = self.columns()
        for i, cond in enumerate(self.settings.conditions):
            column = QComboBox()
            column.addItems(columns)
            if cond.get("column") not in columns:
                column.addItem(str(cond.get("column", "")))
            column.setCurrentText(str(cond.get("column", "")))
            op = QComboBox()
            op.addItems(OPERATORS)
            op.setCurrentText(str(cond.get("op", "==")))
            value = QLineEdit(value_text(cond.get("value")))
            value.setEnabled(op.currentText() not in NO_VALUE_OPS)
            remove = QPushButton("×")
            remove.setFixedWidth(28)
            remove.setToolTip("Remove this condition")
            column.activated.connect(self._write)
            op.activated.connect(self._write)
            value.editingFinished.connect(self._write)
            remove.clicked.connect(lambda _=False, k=i: self.remove_condition(k))
            cells: tuple[QWidget, ...] = (column, op, value, remove)
            for j, widget in enumerate(cells):
                self.grid.addWidget(widget, i, j)
            self.rows.append((column, op, value, remove))

    def conditions(self) -> list[dict[str, Any]]:
        """The conditions as the widgets show them."""
        return [{"column": c.currentText(), "op": o.currentText(),
                 "value": parse_value(o.currentText(), v.text())}
                for c, o, v, _ in self.rows]

    def _write(self, *_: Any) -> None:
        new = self.conditions()
        if new != self.settings.conditions:
            self.set_settings(conditions=new)

    def add_condition(self) -> None:
        columns = self.columns()
        new = {"column": columns[0] if columns else "", "op": "is defined", "value": None}
        self.set_settings(conditions=[*self.conditions(), new])

    def remove_condition(self, index: int) -> None:
        conds = self.conditions()
        del conds[index]
        self.set_settings(conditions=conds)


@register_view("petriflow.select_rows")
def make_view(node: NodeFacade) -> QWidget:
    return SelectRowsView(node)
