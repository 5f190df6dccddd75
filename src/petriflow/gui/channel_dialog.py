"""The small dialog that asks which channels to link when several pairs fit."""

from __future__ import annotations

from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QVBoxLayout

from petriflow.core.workflow import WorkflowNode

__all__ = ["ChannelDialog", "choose_channels"]


class ChannelDialog(QDialog):
    """Lists the (output → input) pairs that fit; the first is preselected."""

    def __init__(self, source: WorkflowNode, sink: WorkflowNode,
                 pairs: list[tuple[str, str]], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Link channels")
        self.pairs = pairs
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Link <b>{source.title}</b> to <b>{sink.title}</b> through:"))
        self.list = QListWidget()
        for out, inp in pairs:
            self.list.addItem(f"{out} → {inp}")
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(self.accept)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> tuple[str, str] | None:
        row = self.list.currentRow()
        return self.pairs[row] if 0 <= row < len(self.pairs) else None


def choose_channels(source: WorkflowNode, sink: WorkflowNode,
                    pairs: list[tuple[str, str]]) -> tuple[str, str] | None:
    dialog = ChannelDialog(source, sink, pairs)
    return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
