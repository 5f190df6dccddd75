"""The settings-form views (Import Images, Image Embedder, Distances, Logistic
Regression), opened through the canvas: a control writes the node setting through the
undo stack, the node re-runs, and undo puts the control back."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtTest import QTest

from tests.gui.views_helpers import (
    CLASSIFICATION,
    CLUSTERING,
    node_by_title,
    open_example,
    wait_settled,
)


def runs(win, nid: str) -> int:
    return win.scheduler.status(nid).runs


def test_distances_view_metric_normalize_axis(make_window, qtbot) -> None:
    win = open_example(make_window, CLUSTERING)
    nid = node_by_title(win, "Distances")
    wait_settled(qtbot, win)
    view = win.open_node(nid)
    qtbot.waitExposed(view)
    assert view.metric_combo.currentData() == "cosine"
    assert "Cosine" in view.explanation.text()
    before = runs(win, nid)
    view.metric_combo.setCurrentIndex(view.metric_combo.findData("euclidean"))
    assert win.workflow.node(nid).settings.metric == "euclidean"
    qtbot.waitUntil(lambda: getattr(win.scheduler.outputs(nid).get("Distances"), "metric", "")
                    == "euclidean" and runs(win, nid) > before, timeout=30_000)

    QTest.mouseClick(view.normalize_box, Qt.MouseButton.LeftButton)
    assert win.workflow.node(nid).settings.normalize is True
    view.columns_radio.click()
    assert win.workflow.node(nid).settings.axis == "columns"

    win.undo_stack.undo()
    assert view.rows_radio.isChecked()
    win.undo_stack.undo()
    assert not view.normalize_box.isChecked()
    win.undo_stack.undo()
    assert view.metric_combo.currentData() == "cosine"
    assert win.workflow.node(nid).settings.metric == "cosine"
    qtbot.waitUntil(lambda: getattr(win.scheduler.outputs(nid).get("Distances"), "metric", "")
                    == "cosine", timeout=30_000)


def test_logistic_regression_view_penalty_c_balance(make_window, qtbot) -> None:
    win = open_example(make_window, CLASSIFICATION)
    nid = node_by_title(win, "Logistic Regression")
    wait_settled(qtbot, win)
    view = win.open_node(nid)
    qtbot.waitExposed(view)
    s = lambda: win.workflow.node(nid).settings  # noqa: E731
    learner = win.scheduler.outputs(nid)["Learner"]
    before = runs(win, nid)

    view.penalty_combo.setCurrentIndex(view.penalty_combo.findData("l1"))
    assert s().penalty == "l1"
    qtbot.waitUntil(lambda: runs(win, nid) > before
                    and win.scheduler.outputs(nid).get("Learner") is not learner,
                    timeout=30_000)

    view.c_slider.setFocus()
    QTest.keyClick(view.c_slider, Qt.Key.Key_Right)  # one step = ×10^0.25
    assert abs(s().C - 1.778) < 1e-3
    assert abs(view.c_spin.value() - 1.778) < 1e-3

    QTest.mouseClick(view.balance_box, Qt.MouseButton.LeftButton)
    assert s().class_weight_balanced is True

    view.name_edit.selectAll()
    QTest.keyClicks(view.name_edit, "LR strong")
    QTest.keyClick(view.name_edit, Qt.Key.Key_Return)
    assert s().learner_name == "LR strong"
    qtbot.waitUntil(lambda: getattr(win.scheduler.outputs(nid).get("Learner"), "name", "")
                    == "LR strong", timeout=30_000)

    for _ in range(4):
        win.undo_stack.undo()
    assert view.penalty_combo.currentData() == "l2"
    assert view.c_spin.value() == 1.0 and view.c_slider.value() == 12
    assert not view.balance_box.isChecked()
    assert view.name_edit.text() == "Logistic Regression"
    assert s().penalty == "l2" and s().C == 1.0


def _png(path, color) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), color).save(path)


def test_import_images_view_folder_counts_skipped_reload(window, qtbot, tmp_path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for i in range(3):
        _png(first / "cats" / f"c{i}.png", (200, 10 * i, 0))
    for i in range(2):
        _png(first / "dogs" / f"d{i}.png", (0, 10 * i, 200))
    (first / "dogs" / "broken.png").write_bytes(b"not an image")
    _png(second / "x.png", (1, 2, 3))
    nid = window.add_node("petriflow.import_images")
    view = window.open_node(nid)
    qtbot.waitExposed(view)
    s = lambda: window.workflow.node(nid).settings  # noqa: E731
    out = lambda: window.scheduler.outputs(nid).get("Data")  # noqa: E731

    edit = view.folder_combo.lineEdit()
    edit.selectAll()
    QTest.keyClicks(edit, str(first))
    QTest.keyClick(edit, Qt.Key.Key_Return)
    assert s().folder == str(first)
    qtbot.waitUntil(lambda: out() is not None and len(out()) == 5, timeout=10_000)
    qtbot.waitUntil(lambda: view.classes.topLevelItemCount() == 2, timeout=2_000)
    counts = {view.classes.topLevelItem(i).text(0): view.classes.topLevelItem(i).text(1)
              for i in range(2)}
    assert counts == {"cats": "3", "dogs": "2"}
    qtbot.waitUntil(lambda: "1 file skipped" in view.skipped_label.text(), timeout=2_000)
    assert "unreadable" in view.skipped_label.text()
    assert view.progress.value() == 100
    # the list names the file and says why (the node's Skipped Files output)
    assert view.skipped_list.isVisibleTo(view) and view.skipped_list.topLevelItemCount() == 1
    item = view.skipped_list.topLevelItem(0)
    assert item.text(0) == "broken.png" and item.text(1)
    assert item.toolTip(0) == str(first / "dogs" / "broken.png")

    # Reload picks up a new file in the same folder
    _png(first / "dogs" / "d9.png", (9, 9, 9))
    view.reload_button.click()
    qtbot.waitUntil(lambda: out() is not None and len(out()) == 6, timeout=10_000)
    qtbot.waitUntil(lambda: "dogs" in view.classes.topLevelItem(1).text(0)
                    and view.classes.topLevelItem(1).text(1) == "3", timeout=2_000)

    edit.selectAll()
    QTest.keyClicks(edit, str(second))
    QTest.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: out() is not None and len(out()) == 1, timeout=10_000)
    # both folders are in the recent list, the latest first
    items = [view.folder_combo.itemText(i) for i in range(view.folder_combo.count())]
    assert items[:2] == [str(second), str(first)]

    window.undo_stack.undo()
    assert s().folder == str(first)
    assert view.folder_combo.currentText() == str(first)
    qtbot.waitUntil(lambda: out() is not None and len(out()) == 6, timeout=10_000)


def test_image_embedder_view_device_model_cache(make_window, qtbot, tmp_path,
                                                monkeypatch) -> None:
    win = open_example(make_window, CLUSTERING)
    nid = node_by_title(win, "Image Embedder")
    wait_settled(qtbot, win)
    view = win.open_node(nid)
    qtbot.waitExposed(view)
    qtbot.waitUntil(view.is_ready, timeout=30_000)
    s = lambda: win.workflow.node(nid).settings  # noqa: E731
    assert view.model_combo.currentData() == "squeezenet"
    assert "1000 features" in view.model_info.text()
    assert "227×227" in view.model_info.text()
    assert "available offline" in view.model_info.text()
    assert view.device_combo.findText("cpu") >= 0
    assert view.cache_count and view.cache_count >= 48  # the session cache
    before = runs(win, nid)

    # device: the node re-runs (from the cache) and its output is replaced
    out = win.scheduler.outputs(nid)["Embeddings"]
    view.device_combo.setCurrentIndex(view.device_combo.findText("cpu"))
    assert s().device == "cpu"
    qtbot.waitUntil(lambda: runs(win, nid) > before and win.scheduler.is_settled(),
                    timeout=60_000)
    assert view.progress.value() == 100
    assert "embedded" in view.status_label.text()
    assert len(win.scheduler.outputs(nid)["Embeddings"]) == len(out)

    # per-channel and model: written and undone (undo before the slow run finishes)
    QTest.mouseClick(view.per_channel_box, Qt.MouseButton.LeftButton)
    assert s().per_channel is True
    win.undo_stack.undo()
    assert not view.per_channel_box.isChecked() and s().per_channel is False
    view.model_combo.setCurrentIndex(view.model_combo.findData("vgg16"))
    assert s().model == "vgg16"
    assert "4096 features" in view.model_info.text()
    win.undo_stack.undo()
    assert view.model_combo.currentData() == "squeezenet"
    win.undo_stack.undo()
    assert view.device_combo.currentText() == "auto" and s().device == "auto"
    wait_settled(qtbot, win)

    # clear the cache, in a copy so that later tests keep the session cache
    import shutil

    from petriflow.analysis.embedding import default_cache_dir

    copy = tmp_path / "cache-copy"
    shutil.copytree(default_cache_dir(), copy)
    monkeypatch.setenv("PETRIFLOW_CACHE_DIR", str(copy))
    view.refresh_cache_count()
    qtbot.waitUntil(view.is_ready, timeout=10_000)
    n = view.cache_count
    assert n and n >= 48
    view.confirm = lambda text: False
    view.clear_button.click()
    qtbot.waitUntil(view.is_ready, timeout=10_000)
    assert view.cache_count == n
    asked = []
    view.confirm = lambda text: asked.append(text) or True
    view.clear_button.click()
    qtbot.waitUntil(lambda: view.is_ready() and view.cache_count == 0, timeout=10_000)
    assert str(n) in asked[0]
    assert "0 embeddings" in view.cache_label.text()


def test_embedder_cancel_button_stops_the_run(make_window, qtbot, tmp_path,
                                             app_embedding) -> None:
    """Cancel in the Image Embedder view stops the run: idle, 'Cancelled', no output;
    the embedding runs in the worker process, as in the app."""
    from petriflow.core.registry import default_registry
    from petriflow.core.scheduler import NodeState

    window = make_window(reg=default_registry())

    for i in range(400):  # distinct images, cache off: several seconds of work
        _png(tmp_path / "imgs" / f"i{i:03d}.png", (i % 256, (7 * i) % 256, 90))
    imp = window.add_node("petriflow.import_images")
    emb = window.add_node("petriflow.image_embedder")
    window.workflow.update_settings(emb, use_cache=False)
    window.workflow.add_link(imp, "Data", emb, "Images")
    view = window.open_node(emb)
    qtbot.waitExposed(view)
    window.workflow.update_settings(imp, folder=str(tmp_path / "imgs"))
    qtbot.waitUntil(view.cancel_button.isEnabled, timeout=30_000)
    QTest.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.scheduler.status(emb).state is NodeState.IDLE,
                    timeout=30_000)
    assert window.scheduler.status(emb).message == "Cancelled"
    assert window.scheduler.outputs(emb) == {}
    qtbot.waitUntil(lambda: not view.cancel_button.isEnabled(), timeout=5_000)
    assert "Cancelled" in view.status_label.text()
    assert app_embedding.worker_pid() is not None  # it was the worker that stopped
