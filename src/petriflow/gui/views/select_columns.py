"""Select Columns view: one row per input column with a combo for its role.

Why a table and not Orange's four lists with arrows: an image table has a handful of
columns, and a combo per column is one click for each change. The full mapping is
written (every column's role), so what the user saw is what a saved workflow replays.
"""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from petriflow.core.table import Table
from petriflow.gui.views import register_view
from petriflow.gui.views._common import NodeFacade, NodeView
from petriflow.nodes.select_columns import ROLES, current_roles

__all__ = ["SelectColumnsView"]


class SelectColumnsView(NodeView):
    """Columns of the input and their roles (feature / target / meta / skip)."""

    def __init__(self, node: NodeFacade) -> None:
        super().__init__(node)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Column", "Role"])
        header = self.table.horizontalHeader()
        if header is not None:
            header.setStretchLastSection(True)
        self.table.setColumnWidth(0, 240)
        layout.addWidget(self.table, 1)
        self.ignore_new = QCheckBox("Leave out columns not listed here (new columns)")
        self.ignore_new.toggled.connect(lambda on: self.set_settings(ignore_new=on))
        layout.addWidget(self.ignore_new)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.combos: dict[str, QComboBox] = {}
        self.resize(460, 420)
        self.show_current()

    def roles(self) -> dict[str, str]:
        """The roles shown: the input's, overridden by the settings."""
        data: Table | None = self.inputs().get("Data")
        start = current_roles(data) if data is not None else {}
        return {c: self.settings.roles.get(c, r) for c, r in start.items()}

    def on_data(self) -> None:
        roles = self.roles()
        self.table.setRowCount(len(roles))
        self.combos = {}
        for i, (col, role) in enumerate(roles.items()):
            self.table.setItem(i, 0, QTableWidgetItem(col))
            combo = QComboBox()
            combo.addItems(ROLES)
            combo.setCurrentText(role)
            combo.currentTextChanged.connect(lambda r, c=col: self.set_role(c, r))
            self.table.setCellWidget(i, 1, combo)
            self.combos[col] = combo
        out = self.outputs().get("Data")
        self.message.setText(out.summary() if out is not None else "No data on the input."
                             if not roles else "")

    def on_settings(self) -> None:
        self.ignore_new.setChecked(self.settings.ignore_new)
        for col, role in self.roles().items():
            combo = self.combos.get(col)
            if combo is not None and combo.currentText() != role:
                combo.blockSignals(True)
                combo.setCurrentText(role)
                combo.blockSignals(False)

    def set_role(self, column: str, role: str) -> None:
        """Give ``column`` ``role`` (another target becomes a meta: one target only)."""
        roles = self.roles()
        if role == "target":
            roles = {c: ("meta" if r == "target" else r) for c, r in roles.items()}
        roles[column] = role
        self.set_settings(f"{column} → {role} in {self.node.title}", roles=roles)


@register_view("petriflow.select_columns")
def make_view(node: NodeFacade) -> QWidget:
    return SelectColumnsView(node)
