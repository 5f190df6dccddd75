"""Model files that cannot run code: skops' format with an explicit list of trusted types.

Why not pickle (Orange's ``.pkcls``): unpickling a file runs whatever the file says,
and model files are passed around by e-mail and downloads. skops stores an estimator as
JSON plus NumPy arrays in a zip and rebuilds only types it is told to trust: scikit-
learn's own (which skops trusts by default) and the few listed in :data:`TRUSTED`.
Nothing here calls ``pickle.load``; a pickle file is recognised by its first bytes and
refused before any parsing.

A file is a zip holding skops' members plus ``petriflow.json`` (format version, the
Petriflow version that wrote it, the model's name): read first, so a file from a newer
Petriflow is reported as such rather than as a list of unknown types.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from petriflow.analysis.learners import SklearnModel
from petriflow.core.atomic import atomic_write_bytes
from petriflow.core.types import Model

__all__ = ["FORMAT_VERSION", "MODEL_PATH_METADATA", "MODEL_SUFFIX", "TRUSTED",
           "ModelFileError", "load_model", "model_bytes", "save_model"]

#: the version of this layout; a file with a larger one comes from a newer Petriflow
FORMAT_VERSION = 1
MODEL_SUFFIX = ".skops"
#: Save/Load Model's ``path`` field metadata: the settings form's "…" opens a save / an
#: open file dialog showing model files (gui/settings_panel.py reads it)
MODEL_PATH_METADATA = {
    mode: {"browse": mode, "filter": f"Petriflow models (*{MODEL_SUFFIX});;All files (*)",
           "suffix": MODEL_SUFFIX}
    for mode in ("open", "save")}
_HEADER = "petriflow.json"
#: types skops does not trust by default that Petriflow's learners produce (checked
#: against every learner in tests/nodes/test_model_files.py); never ``trusted=True``
TRUSTED = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
    "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    "sklearn.tree._tree.Tree",
)


class ModelFileError(ValueError):
    """The file cannot be used as a model (message meant for the user)."""

    def sentence(self) -> str:
        """The message as the node shows it: capitalised, with a full stop."""
        text = str(self)
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def model_bytes(model: Model) -> bytes:
    """The file's bytes for ``model`` (a scikit-learn model of Petriflow's learners)."""
    import skops.io as sio

    from petriflow import __version__

    if not isinstance(model, SklearnModel):
        raise ModelFileError(f"{model.name} is not a scikit-learn model; only those can be "
                             "saved")
    payload = {
        "estimator": model.estimator,
        "name": model.name,
        "feature_names": list(model.feature_names),
        "class_values": list(model.class_values),
        "class_name": model.class_name,
        "fill_values": np.asarray(model.fill_values, dtype=np.float64),
        "constant_class": -1 if model.constant_class is None else int(model.constant_class),
    }
    buffer = io.BytesIO(sio.dumps(payload))
    with zipfile.ZipFile(buffer, "a") as zf:
        zf.writestr(_HEADER, json.dumps({"format": "petriflow-model",
                                         "format_version": FORMAT_VERSION,
                                         "petriflow_version": __version__,
                                         "name": model.name}))
    return buffer.getvalue()


def save_model(model: Model, path: str | Path) -> Path:
    """Write ``model`` to ``path`` atomically (a failed save leaves the old file)."""
    return atomic_write_bytes(path, model_bytes(model))


def _looks_like_pickle(head: bytes) -> bool:
    """Pickle protocol 2+ starts with PROTO (0x80); 0 and 1 with an opcode such as
    ``(`` or ``c``. Orange's .pkcls files are pickles."""
    return head[:1] == b"\x80" or head[:1] in (b"(", b"c", b"]", b"}", b"I", b"N")


def _header(zf: zipfile.ZipFile, name: str) -> dict[str, Any]:
    try:
        header = json.loads(zf.read(_HEADER))
    except KeyError:
        raise ModelFileError(f"{name} is a zip file but not a Petriflow model "
                             "(no petriflow.json inside)") from None
    except (ValueError, zipfile.BadZipFile, OSError) as exc:
        raise ModelFileError(f"{name} is damaged ({exc})") from None
    if not isinstance(header, dict) or header.get("format") != "petriflow-model":
        raise ModelFileError(f"{name} is not a Petriflow model file")
    version = header.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ModelFileError(f"{name} has no valid format version")
    if version > FORMAT_VERSION:
        raise ModelFileError(
            f"{name} was saved by a newer Petriflow ({header.get('petriflow_version', '?')}, "
            f"model format {version}); this one reads format {FORMAT_VERSION}. "
            "Update Petriflow to load it.")
    return header


def load_model(path: str | Path) -> SklearnModel:
    """The model in ``path``; :class:`ModelFileError` with one sentence otherwise.

    Order of checks: readable, not a pickle, a zip with our header of a known
    version, only trusted types; only then are objects rebuilt.
    """
    import skops.io as sio

    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read {name}: {exc.strerror or exc}") from None
    if _looks_like_pickle(raw[:1]):
        raise ModelFileError(
            f"{name} is a pickle file (such as Orange's .pkcls); loading a pickle can run "
            "any code in it, so Petriflow does not open it. Save the model again with "
            "Petriflow's Save Model")
    if not raw.startswith(b"PK"):
        raise ModelFileError(f"{name} is not a Petriflow model file")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            _header(zf, name)
    except zipfile.BadZipFile:
        raise ModelFileError(f"{name} is damaged or truncated (not a complete zip)") from None
    try:
        untrusted = [t for t in sio.get_untrusted_types(data=raw) if t not in TRUSTED]
    except Exception as exc:  # skops' own parse errors: a damaged schema
        raise ModelFileError(f"{name} is damaged ({type(exc).__name__})") from None
    if untrusted:
        raise ModelFileError(
            f"{name} contains types Petriflow does not trust ({', '.join(untrusted[:4])}); "
            "it was not loaded")
    try:
        payload = sio.loads(raw, trusted=list(TRUSTED))
        model = SklearnModel(
            payload["estimator"], name=str(payload["name"]),
            feature_names=tuple(str(f) for f in payload["feature_names"]),
            class_values=tuple(str(c) for c in payload["class_values"]),
            class_name=str(payload["class_name"]),
            fill_values=np.asarray(payload["fill_values"], dtype=np.float64),
            constant_class=None if int(payload["constant_class"]) < 0
            else int(payload["constant_class"]),
        )
    except Exception as exc:
        raise ModelFileError(f"{name} is damaged ({type(exc).__name__}: {exc})") from None
    return model
