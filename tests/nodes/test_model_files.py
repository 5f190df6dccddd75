"""Save Model / Load Model: skops files with trusted types only; pickles never run."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from petriflow.analysis.learners import (
    KNNLearner,
    LogisticRegressionLearner,
    NaiveBayesLearner,
    NeuralNetworkLearner,
    RandomForestLearner,
    SVMLearner,
)
from petriflow.analysis.model_files import TRUSTED, model_bytes
from petriflow.core.node import NodeError
from petriflow.nodes.load_model import LoadModel
from petriflow.nodes.save_model import SaveModel, skops_path

from .conftest import blobs, run_node

LEARNERS = [SVMLearner(), SVMLearner(kernel="poly"), RandomForestLearner(),
            NeuralNetworkLearner(max_iter=50), NeuralNetworkLearner(solver="sgd", max_iter=20),
            NeuralNetworkLearner(solver="lbfgs", max_iter=20), NaiveBayesLearner(),
            LogisticRegressionLearner(), LogisticRegressionLearner(penalty="l1"),
            KNNLearner(metric="cosine")]


@pytest.mark.parametrize("learner", LEARNERS, ids=repr)
def test_every_learner_round_trips(tmp_path: Path, learner) -> None:
    data = blobs(n_per_class=12)
    model = learner.fit(data)
    run_node(SaveModel, {"Model": model}, path="m.skops", workflow_dir=tmp_path)
    loaded = run_node(LoadModel, path="m.skops", workflow_dir=tmp_path)["Model"]
    assert loaded.name == model.name and loaded.class_values == model.class_values
    assert loaded.feature_names == model.feature_names
    assert np.allclose(loaded.predict_proba(data), model.predict_proba(data))


def test_single_class_model_round_trips(tmp_path: Path) -> None:
    data = blobs(n_per_class=5, k=1)
    model = SVMLearner().fit(data)
    run_node(SaveModel, {"Model": model}, path=str(tmp_path / "one.skops"))
    loaded = run_node(LoadModel, path=str(tmp_path / "one.skops"))["Model"]
    assert loaded.constant_class == 0 and (loaded.predict(data) == 0).all()


class _Payload:
    """Unpickling this creates a marker file (what a hostile model file would do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.makedirs, (str(self.marker),))


def test_pickle_payload_is_refused_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    bad = tmp_path / "model.pkcls"
    bad.write_bytes(pickle.dumps(_Payload(marker)))
    # the payload is real: a stock unpickler would run it
    probe = tmp_path / "probe"
    pickle.loads(pickle.dumps(_Payload(probe)))
    assert probe.exists()
    for name in ("model.pkcls", "renamed.skops"):
        target = tmp_path / name
        if not target.exists():
            target.write_bytes(bad.read_bytes())
        with pytest.raises(NodeError, match=r"pickle.*does not open it"):
            run_node(LoadModel, path=str(target))
    assert not marker.exists()
    # protocol 0 (text) pickles too
    (tmp_path / "old.skops").write_bytes(pickle.dumps(_Payload(marker), protocol=0))
    with pytest.raises(NodeError, match="pickle"):
        run_node(LoadModel, path=str(tmp_path / "old.skops"))
    assert not marker.exists()


def _rewrite(raw: bytes, header: dict | None = None, drop: str = "") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            if item.filename == drop:
                continue
            data = src.read(item.filename)
            if item.filename == "petriflow.json" and header is not None:
                data = json.dumps(header).encode()
            dst.writestr(item, data)
    return out.getvalue()


def test_newer_damaged_and_foreign_files_say_so(tmp_path: Path) -> None:
    raw = model_bytes(NaiveBayesLearner().fit(blobs(n_per_class=5)))
    cases = {
        "newer.skops": (_rewrite(raw, {"format": "petriflow-model", "format_version": 99,
                                       "petriflow_version": "9.0"}),
                        "newer Petriflow \\(9.0, model format 99\\)"),
        "truncated.skops": (raw[: len(raw) // 2], "damaged or truncated"),
        "noheader.skops": (_rewrite(raw, drop="petriflow.json"), "not a Petriflow model"),
        "noschema.skops": (_rewrite(raw, drop="schema.json"), "damaged"),
        "text.skops": (b"hello, not a model", "not a Petriflow model file"),
        "empty.skops": (b"", "not a Petriflow model file"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(NodeError, match=message):
            run_node(LoadModel, path=str(tmp_path / name))
    with pytest.raises(NodeError, match=r"Cannot read missing\.skops"):
        run_node(LoadModel, path=str(tmp_path / "missing.skops"))


def test_untrusted_type_is_refused(tmp_path: Path) -> None:
    """A skops file naming a type outside the list (here a function that would run
    on load in a careless loader) is refused before any object is built."""
    import skops.io as sio

    raw = model_bytes(NaiveBayesLearner().fit(blobs(n_per_class=5)))
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        schema = json.loads(zf.read("schema.json"))
    schema["content"]["name"] = {
        "__class__": "system", "__module__": "os", "__loader__": "TypeNode",
        "__id__": 999999}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            dst.writestr(item, json.dumps(schema) if item.filename == "schema.json" else data)
    path = tmp_path / "evil.skops"
    path.write_bytes(out.getvalue())
    assert "os.system" in sio.get_untrusted_types(data=out.getvalue())
    with pytest.raises(NodeError, match=r"does not trust.*os\.system"):
        run_node(LoadModel, path=str(path))


def test_save_model_refuses_other_suffixes_and_paths_outside(tmp_path: Path) -> None:
    model = NaiveBayesLearner().fit(blobs(n_per_class=5))
    with pytest.raises(NodeError, match="only skops model files"):
        run_node(SaveModel, {"Model": model}, path="x.py", workflow_dir=tmp_path)
    with pytest.raises(NodeError, match="outside the workflow's folder"):
        run_node(SaveModel, {"Model": model}, path="../x.skops", workflow_dir=tmp_path)
    assert run_node(SaveModel, {"Model": model}).warnings  # no path: nothing saved
    assert TRUSTED and all("." in t for t in TRUSTED)


def test_orange_paths_are_mapped() -> None:
    from petriflow.compat.orange.settings import Translation

    assert skops_path("/data/m.pkcls") == "/data/m.skops"
    assert skops_path("m.skops") == "m.skops"
    t = Translation()
    SaveModel.from_orange_settings({"stored_path": "/data", "stored_name": "svm.pkcls"}, 1, t)
    assert t.values == {"path": "/data/svm.skops"} and t.notes
