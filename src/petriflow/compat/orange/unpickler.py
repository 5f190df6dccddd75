"""Reading Orange's ``format="pickle"`` widget settings without ever running their code.

Why this exists: Orange stores any widget settings that are not plain literals (contexts,
recent paths, sets, numpy scalars) as a base64 pickle inside the ``.ows`` file. A stock
``pickle.loads`` on such text would import and call whatever the file names (``os.system``,
``builtins.eval``, ``subprocess.Popen`` ...), and a workflow file may come by e-mail.

So :class:`RestrictedUnpickler` resolves *no* real module: ``find_class`` answers from a
short, explicit table (:data:`ALLOWED`) of the handful of names real Orange files use, and
each answer is a class or function defined *here* that only stores what it is given
(an "inert record"). Everything else is refused with :class:`OrangePickleRefused` before
anything is called. Numpy scalars are decoded from their raw bytes by ``struct``, never by
numpy's own unpickling hooks.

No Qt, no Orange, no numpy import: this module is part of the headless ``compat`` package.
"""

from __future__ import annotations

import base64
import binascii
import io
import pickle
import re
import struct
from typing import Any

__all__ = [
    "ALLOWED",
    "MAX_PICKLE_BYTES",
    "OpaqueQtValue",
    "OrangeArray",
    "OrangeContext",
    "OrangeDtype",
    "OrangePickleError",
    "OrangePickleRefused",
    "OrangeRecentPath",
    "OrangeVariableType",
    "RestrictedUnpickler",
    "decode_pickle_text",
    "loads_orange_pickle",
    "to_plain",
]

#: Refuse pickles larger than this (real widget settings are a few kB; HC's stored
#: linkage for 10,000 images is well under 1 MB).
MAX_PICKLE_BYTES = 8 * 1024 * 1024
_HEX_RE = re.compile(r"(?:[0-9a-fA-F]{2})+")


class OrangePickleError(ValueError):
    """The pickled settings could not be read; the message says why, for a user."""


class OrangePickleRefused(OrangePickleError):
    """The pickle names something outside the allowed list; nothing was run."""


# ------------------------------------------------------------------ inert records
class _Record:
    """Base of the stand-ins: stores what the pickle hands it and nothing else.

    ``__setstate__`` is defined so that pickle's BUILD never falls back to setting
    arbitrary attributes (which could otherwise assign ``__class__``).
    """

    kind = "record"

    def __init__(self) -> None:
        self.state: dict[str, Any] = {}

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple) and len(state) == 2 and state[0] is None:
            state = state[1]  # (dict state, slot state) form
        if not isinstance(state, dict):
            raise OrangePickleError(f"unexpected state for {self.kind}: {type(state).__name__}")
        self.state = {str(k): v for k, v in state.items()}

    def __repr__(self) -> str:
        return f"<Orange {self.kind} {self.state!r}>"


class OrangeContext(_Record):
    """``orangewidget.settings.Context``: a widget's settings for one data domain.

    ``values`` holds the context settings, e.g. ``{'selection': {(0, 1)}}``; the other
    keys (``attributes``, ``metas``, ``time`` ...) describe the domain it was saved for.
    """

    kind = "Context"

    @property
    def values(self) -> dict[str, Any]:
        v = self.state.get("values")
        return v if isinstance(v, dict) else {}


class OrangeRecentPath(_Record):
    """``orangewidget.utils.filedialogs.RecentPath``: a file or folder a widget used."""

    kind = "RecentPath"

    def _text(self, key: str) -> str:
        value = self.state.get(key)
        return value if isinstance(value, str) else ""

    @property
    def abspath(self) -> str:
        return self._text("abspath")

    @property
    def prefix(self) -> str:
        return self._text("prefix")

    @property
    def relpath(self) -> str:
        return self._text("relpath")


class OrangeVariableType:
    """Stands for a class reference such as ``Orange.data.variable.DiscreteVariable``.

    Context values store the variable's *type* this way; we only need its name.
    Instances are never created (``__init__`` refuses arguments).
    """

    kind = "Variable"
    type_name = "Variable"

    def __init__(self) -> None:  # pragma: no cover - pickles never instantiate these
        raise OrangePickleError("Orange variable types are references only")


def _variable_type(name: str) -> type[OrangeVariableType]:
    return type(name, (OrangeVariableType,), {"type_name": name, "__module__": __name__})


_VARIABLE_TYPES = {
    name: _variable_type(name)
    for name in ("ContinuousVariable", "DiscreteVariable", "StringVariable", "TimeVariable",
                 "Variable")
}

#: numpy dtype codes we decode, with their ``struct`` format (native size, no padding).
_SCALAR_CODES = {
    "f2": "e", "f4": "f", "f8": "d",
    "i1": "b", "i2": "h", "i4": "i", "i8": "q",
    "u1": "B", "u2": "H", "u4": "I", "u8": "Q",
    "b1": "?",
}


class OrangeDtype(_Record):
    """``numpy.dtype('f8', False, True)`` as pickled: the type code and byte order."""

    kind = "dtype"

    def __init__(self, code: Any = "", align: Any = False, copy: Any = True) -> None:
        super().__init__()
        if not isinstance(code, str):
            raise OrangePickleError("a dtype code must be text")
        self.code = code
        self.byteorder = "<"

    def __setstate__(self, state: Any) -> None:
        # numpy writes (version, byteorder, subdescr, names, fields, elsize, alignment, flags)
        if isinstance(state, tuple) and len(state) >= 2 and isinstance(state[1], str):
            self.byteorder = state[1]
        else:
            raise OrangePickleError("unexpected numpy dtype state")

    def __repr__(self) -> str:
        return f"<Orange dtype {self.byteorder}{self.code}>"


def _scalar(dtype: Any, raw: Any = b"") -> float | int | bool:
    """``numpy.core.multiarray.scalar(dtype, bytes)`` decoded with ``struct``."""
    if not isinstance(dtype, OrangeDtype) or not isinstance(raw, bytes):
        raise OrangePickleError("unexpected numpy scalar")
    fmt = _SCALAR_CODES.get(dtype.code)
    if fmt is None:
        raise OrangePickleError(f"numpy scalars of type {dtype.code!r} are not read")
    order = ">" if dtype.byteorder == ">" else "<"
    try:
        (value,) = struct.unpack(order + fmt, raw)
    except struct.error as exc:
        raise OrangePickleError(f"damaged numpy scalar ({exc})") from None
    return value


class OrangeArray(_Record):
    """A pickled numpy array, kept as its raw pickled state (shape, dtype, bytes).

    Never turned into a real array: no setting we translate needs one; the raw state
    is there for ``petriflow inspect``.
    """

    kind = "ndarray"

    def __setstate__(self, state: Any) -> None:
        self.state = {"pickled_state": state}


def _reconstruct_array(cls: Any, shape: Any = (), dtype_code: Any = b"") -> OrangeArray:
    """``numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')``."""
    if cls is not OrangeArray:
        raise OrangePickleRefused("numpy _reconstruct is only allowed for ndarray")
    return OrangeArray()


def _copyreg_reconstructor(cls: Any, base: Any, state: Any = None) -> Any:
    """``copyreg._reconstructor`` restricted to plain containers built from plain values."""
    if cls is not base or base not in (list, dict, set, frozenset, tuple):
        raise OrangePickleRefused("copyreg._reconstructor is only allowed for plain containers")
    return base() if state is None else base(state)


class OpaqueQtValue(_Record):
    """A Qt value in very old (PyQt4) files: ``sip._unpickle_type(module, name, args)``.

    Orange itself cannot read these any more (orange3 #2939); only window geometry is
    stored this way. We keep the bytes and never interpret them.
    """

    kind = "Qt value"

    def __init__(self, module: Any = "", name: Any = "", args: Any = ()) -> None:
        super().__init__()
        self.state = {"module": str(module), "name": str(name), "args": args}


def _sip_unpickle_type(module: Any, name: Any, args: Any) -> OpaqueQtValue:
    return OpaqueQtValue(module, name, args)


#: (module, name) -> what the unpickler hands back. The only names ever resolved.
ALLOWED: dict[tuple[str, str], Any] = {
    ("orangewidget.settings", "Context"): OrangeContext,
    ("Orange.widgets.settings", "Context"): OrangeContext,
    ("orangewidget.utils.filedialogs", "RecentPath"): OrangeRecentPath,
    ("Orange.widgets.utils.filedialogs", "RecentPath"): OrangeRecentPath,
    **{("Orange.data.variable", n): cls for n, cls in _VARIABLE_TYPES.items()},
    **{("Orange.data", n): cls for n, cls in _VARIABLE_TYPES.items()},
    ("builtins", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("builtins", "list"): list,
    ("builtins", "dict"): dict,
    ("builtins", "tuple"): tuple,
    ("__builtin__", "set"): set,
    ("__builtin__", "frozenset"): frozenset,
    ("__builtin__", "list"): list,
    ("collections", "OrderedDict"): dict,
    ("copyreg", "_reconstructor"): _copyreg_reconstructor,
    ("copy_reg", "_reconstructor"): _copyreg_reconstructor,
    ("numpy", "dtype"): OrangeDtype,
    ("numpy", "ndarray"): OrangeArray,
    ("numpy.core.multiarray", "scalar"): _scalar,
    ("numpy._core.multiarray", "scalar"): _scalar,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct_array,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct_array,
    ("sip", "_unpickle_type"): _sip_unpickle_type,
    ("PyQt5.sip", "_unpickle_type"): _sip_unpickle_type,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the names in :data:`ALLOWED` (to inert stand-ins)."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return ALLOWED[(module, name)]
        except (KeyError, TypeError):
            raise OrangePickleRefused(
                f"refused: the settings name {module}.{name}, which Petriflow never loads "
                "(only Orange's plain settings records are read)"
            ) from None

    def persistent_load(self, pid: Any) -> Any:
        raise OrangePickleRefused("refused: persistent references are never loaded")


def decode_pickle_text(text: str) -> bytes:
    """The pickle bytes of a ``format="pickle"`` property (base64, as Orange writes it;
    hex is accepted too)."""
    compact = "".join(text.split())
    if len(compact) > MAX_PICKLE_BYTES * 2:
        raise OrangePickleError("the pickled settings are too large to read")
    if compact.startswith("80") and _HEX_RE.fullmatch(compact):
        # hex: a pickle starts with the PROTO opcode 0x80 (base64 of it starts with "g")
        return bytes.fromhex(compact)
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise OrangePickleError("the pickled settings are not base64 text") from None


def loads_orange_pickle(data: bytes | str) -> Any:
    """Unpickle Orange settings through :class:`RestrictedUnpickler`.

    ``data`` is the raw pickle or the property text. Raises :class:`OrangePickleRefused`
    when the pickle names anything not allowed, :class:`OrangePickleError` when it is
    damaged; never anything else, and never runs code from the file.
    """
    raw = decode_pickle_text(data) if isinstance(data, str) else data
    if len(raw) > MAX_PICKLE_BYTES:
        raise OrangePickleError("the pickled settings are too large to read")
    try:
        return RestrictedUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except OrangePickleError:
        raise
    except RecursionError:
        raise OrangePickleError("the pickled settings are nested too deeply") from None
    except MemoryError:
        raise OrangePickleError("the pickled settings are too large to read") from None
    except Exception as exc:  # damaged data: pickle raises many kinds of errors
        raise OrangePickleError(
            f"the pickled settings are damaged ({type(exc).__name__}: {exc})"[:300]
        ) from None


def to_plain(value: Any, _depth: int = 0) -> Any:
    """Records and containers as JSON-friendly values (for ``petriflow inspect``)."""
    if _depth > 50:
        return "…"
    if isinstance(value, _Record):
        return {"__orange__": value.kind, **to_plain(value.state, _depth + 1)}
    if isinstance(value, type) and issubclass(value, OrangeVariableType):
        return {"__orange__": "Variable type", "name": value.type_name}
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, str) else k: to_plain(v, _depth + 1)
                for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v, _depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        items = [to_plain(v, _depth + 1) for v in value]
        try:
            return sorted(items)
        except TypeError:
            return items
    if isinstance(value, bytes | bytearray):
        return f"<{len(value)} bytes>"
    if isinstance(value, float) and value != value:
        return None
    return value
