"""The node base: a widget's headless declaration and its ``run``.

A node class declares, as class attributes, what the canvas needs to show it (name,
category, icon, description) and to wire it (``inputs``/``outputs``), plus a settings
dataclass. The scheduler creates a fresh instance per run with a *copy* of the settings,
so a run never sees settings change under its feet and a view can edit settings while a
run is in flight; the edit simply supersedes the run.

Selections (a dendrogram branch, confusion cells) are ordinary settings: a view writes
them, the scheduler re-runs the node, and a saved workflow replays them headless.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, get_type_hints

if TYPE_CHECKING:
    from petriflow.core.memo import RunMemo

__all__ = [
    "CancelToken",
    "Cancelled",
    "Input",
    "Node",
    "NodeContext",
    "NodeError",
    "Output",
    "Progress",
    "RunOptions",
    "default_link",
    "settings_from_dict",
    "settings_to_dict",
]


class NodeError(Exception):
    """A failure with a message meant for the user (shown on the node's badge as is)."""


class Cancelled(Exception):
    """Raised inside ``run`` (by :meth:`CancelToken.check`) when the run is superseded."""


class CancelToken:
    """Cooperative cancellation: long loops call :meth:`check` between chunks of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()


class Progress:
    """What a running node reports: percent done, a status line, warnings, partial outputs.

    The scheduler passes a callback; this object throttles it (at most ~20 updates/s) so
    a tight loop reporting per item cannot flood a GUI thread.
    """

    def __init__(
        self,
        callback: Callable[[float, str | None], None] | None = None,
        partial: Callable[[dict[str, Any]], None] | None = None,
        min_interval: float = 0.05,
    ) -> None:
        self._callback = callback
        self._partial = partial
        self._min_interval = min_interval
        self._last = 0.0
        self.percent = 0.0
        self.message: str | None = None
        self.warnings: list[str] = []
        self.infos: list[str] = []

    def __call__(self, percent: float, message: str | None = None) -> None:
        self.update(percent, message)

    def update(self, percent: float, message: str | None = None, *, force: bool = False) -> None:
        percent = 0.0 if not math.isfinite(percent) else min(max(percent, 0.0), 100.0)
        self.percent = percent
        if message is not None:
            self.message = message
        now = time.monotonic()
        if self._callback and (force or percent >= 100.0 or now - self._last >= self._min_interval):
            self._last = now
            self._callback(percent, self.message)

    def warn(self, message: str) -> None:
        """Record a warning; the node ends in the 'warning' state with these messages."""
        self.warnings.append(message)

    def info(self, message: str) -> None:
        """Record a note that is no problem (a README skipped): shown in the node's view,
        while the node's state and canvas line stay as after a clean run."""
        self.infos.append(message)

    def partial_result(self, outputs: dict[str, Any]) -> None:
        """Publish intermediate outputs (e.g. MDS layouts while it iterates) to views."""
        if self._partial:
            self._partial(outputs)


@dataclass(frozen=True)
class Input:
    """An input channel. ``multiple`` inputs receive a list of values, one per link.

    ``default`` marks the channel a new link goes to when the user does not say
    (Orange's flag); ``explicit`` marks a side channel that is only linked when the user
    picks it in the channel dialog (see :func:`default_link`).
    """

    name: str
    type: type
    multiple: bool = False
    required: bool = True
    default: bool = False
    id: str | None = None
    doc: str = ""
    replaces: tuple[str, ...] = ()
    explicit: bool = False


@dataclass(frozen=True)
class Output:
    """An output channel; ``default`` and ``explicit`` as for :class:`Input`.

    A side output (skipped files, coefficients) is ``explicit`` so that it never
    competes with the main one when two nodes are linked by a drag.
    """

    name: str
    type: type
    default: bool = False
    id: str | None = None
    doc: str = ""
    replaces: tuple[str, ...] = ()
    explicit: bool = False


#: where Image Embedder embeds when its ``cluster`` setting is empty
EmbeddingBackend = Literal["in_process", "worker_process"]


@dataclass(frozen=True)
class RunOptions:
    """How this program runs nodes: the desktop app and the headless runner differ.

    Given to the :class:`~petriflow.core.scheduler.Scheduler`, which hands it to each
    run through :class:`NodeContext`; nothing reads a module flag instead, so two
    schedulers in one process (a test beside the app) can differ.
    """

    #: ``"in_process"`` (``petriflow run``, scripts, tests) or ``"worker_process"``:
    #: the desktop app embeds in one persistent worker process so torch never loads in
    #: the GUI process (``analysis/embedding/isolation.py``). A node's ``cluster``
    #: setting sends the work to a Dask cluster in either case.
    embedding: EmbeddingBackend = "in_process"


@dataclass
class NodeContext:
    """Facts about where a node runs: the workflow's folder resolves relative paths;
    ``options`` says how this program runs nodes; ``memo`` keeps results derived from
    inputs across runs (the scheduler's; None when a node runs on its own)."""

    workflow_dir: Path | None = None
    node_id: str = ""
    title: str = ""
    options: RunOptions = field(default_factory=RunOptions)
    memo: RunMemo | None = None

    def resolve_path(self, path: str | Path) -> Path:
        p = Path(path).expanduser()
        if not p.is_absolute() and self.workflow_dir is not None:
            p = self.workflow_dir / p
        return p


@dataclass
class NoSettings:
    """Settings of a node that has none."""


class Node:
    """Base class of every widget node. Subclasses set the class attributes below."""

    # --- declaration (class attributes) -------------------------------------------------
    qualified_name: ClassVar[str] = ""  # stable id written to .ows files; never rename
    name: ClassVar[str] = ""
    category: ClassVar[str] = "Other"
    icon: ClassVar[str] = ""
    description: ClassVar[str] = ""
    keywords: ClassVar[tuple[str, ...]] = ()
    priority: ClassVar[int] = 1000
    inputs: ClassVar[tuple[Input, ...]] = ()
    outputs: ClassVar[tuple[Output, ...]] = ()
    Settings: ClassVar[type] = NoSettings
    settings_version: ClassVar[int] = 1
    #: Orange qualified names this node stands in for (used when opening Orange files).
    replaces: ClassVar[tuple[str, ...]] = ()
    #: Settings fields only the view reads (sort order, marker shapes, …): saved with the
    #: workflow like the others, but changing them alone does not re-run the node.
    view_settings: ClassVar[tuple[str, ...]] = ()
    #: Optional inputs of which at least one must carry data (MDS: Data or Distances);
    #: without any the node does not run and says "Waiting for input", like a node
    #: whose required input is missing.
    needs_one_of: ClassVar[tuple[str, ...]] = ()

    def __init__(self, settings: Any | None = None, context: NodeContext | None = None) -> None:
        self.settings = settings if settings is not None else self.Settings()
        self.context = context or NodeContext()

    # --- behaviour ----------------------------------------------------------------------
    def run(
        self, inputs: Mapping[str, Any], progress: Progress, cancel: CancelToken
    ) -> dict[str, Any]:
        """Compute outputs from inputs and ``self.settings``.

        ``inputs`` maps input names to values (a list for ``multiple`` inputs). Return a
        dict of output name -> value; outputs left out are sent as ``None``. Raise
        :class:`NodeError` with a human message on bad input. Runs off the GUI thread.
        """
        raise NotImplementedError

    # --- channel lookup -----------------------------------------------------------------
    @classmethod
    def input(cls, name_or_id: str) -> Input | None:
        return _find_channel(cls.inputs, name_or_id)

    @classmethod
    def output(cls, name_or_id: str) -> Output | None:
        return _find_channel(cls.outputs, name_or_id)

    @classmethod
    def migrate_settings(cls, values: dict[str, Any], version: int) -> dict[str, Any]:
        """Upgrade settings saved by an older ``settings_version``; default: unchanged."""
        return values


def default_link(
    source: type[Node], sink: type[Node], pairs: Sequence[tuple[str, str]]
) -> tuple[str, str] | None:
    """The (output, input) pair a drag from ``source`` to ``sink`` links without asking.

    ``pairs`` are the type-compatible pairs (``Workflow.compatible_channels``). Orange's
    rule: pairs with an ``explicit`` channel are left to the user; of the rest, the
    one pair left wins, else the one pair joining two ``default`` channels, else the one
    pair that ranks first by its default flags (the output's counts more). Ties return
    ``None``: that is real ambiguity, and the canvas asks which pair to link.
    """
    candidates: list[tuple[int, tuple[str, str]]] = []
    for out_name, in_name in pairs:
        out, inp = source.output(out_name), sink.input(in_name)
        if out is None or inp is None or out.explicit or inp.explicit:
            continue
        candidates.append((2 * out.default + inp.default, (out_name, in_name)))
    if len(candidates) == 1:
        return candidates[0][1]
    if not candidates:
        return None
    best = max(weight for weight, _ in candidates)
    winners = [pair for weight, pair in candidates if weight == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def _find_channel(channels: tuple[Any, ...], key: str) -> Any:
    for ch in channels:
        if ch.id is not None and ch.id == key:
            return ch
    for ch in channels:
        if ch.name == key or key in ch.replaces:
            return ch
    return None


# ---------------------------------------------------------------------------- settings
_PLAIN = (bool, int, float, str, type(None))


def _plain(value: Any) -> Any:
    """Convert a settings value to plain literals (tuple -> list, numpy -> Python)."""
    if isinstance(value, _PLAIN):
        return value
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        return value.item()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"setting value {value!r} is not a plain literal")


def settings_to_dict(settings: Any) -> dict[str, Any]:
    """A settings dataclass as a dict of plain JSON/Python literals (never pickled)."""
    if not dataclasses.is_dataclass(settings):
        raise TypeError("settings must be a dataclass instance")
    return {f.name: _plain(getattr(settings, f.name)) for f in dataclasses.fields(settings)}


_ATOMS = (int, float, str, bool, type(None))


def copy_value(value: Any) -> Any:
    """A deep copy of a settings value, fast for flat lists of numbers and strings.

    Why: settings are copied on every edit (the workflow's update, the undo step) and a
    selection holds 20,000 positions and as many identity keys; ``copy.deepcopy`` visits
    each item (~20 ms), while a list of immutable items only needs a new list."""
    import copy

    if isinstance(value, list) and all(type(v) in _ATOMS for v in value):
        return list(value)
    if isinstance(value, dict):
        return {k: copy_value(v) for k, v in value.items()}
    return copy.deepcopy(value)


def copy_settings(settings: Any) -> Any:
    """A deep copy of a settings dataclass (:func:`copy_value` per field)."""
    if not dataclasses.is_dataclass(settings) or isinstance(settings, type):
        import copy

        return copy.deepcopy(settings)
    values = {f.name: copy_value(getattr(settings, f.name))
              for f in dataclasses.fields(settings) if f.init}
    return dataclasses.replace(settings, **values)


def coerce_setting(settings_cls: type, name: str, value: Any) -> Any:
    """Check and convert one value for field ``name`` of ``settings_cls``.

    Why: values come from files and the command line (JSON), where a tuple arrives as a
    list and an int may stand for a float. Anything that cannot be made to fit raises
    ``ValueError`` with a message naming the setting and the expected type.
    """
    fields = {f.name: f for f in dataclasses.fields(settings_cls)}
    if name not in fields:
        known = ", ".join(sorted(fields)) or "(none)"
        raise ValueError(f"unknown setting {name!r}; known settings: {known}")
    hints = get_type_hints(settings_cls)
    return _coerce(hints.get(name, Any), value, name)


def _coerce(hint: Any, value: Any, name: str) -> Any:
    import types
    import typing

    if hint is Any:
        return value
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(arg, value, name)
            except ValueError as exc:
                errors.append(str(exc))
        raise ValueError(errors[0] if errors else f"setting {name!r}: bad value {value!r}")
    if origin is typing.Literal:
        if value in args:
            return value
        raise ValueError(f"setting {name!r} must be one of {list(args)}, got {value!r}")
    if origin in (list, tuple, set, frozenset):
        if not isinstance(value, list | tuple | set | frozenset):
            raise ValueError(f"setting {name!r} expects a list, got {value!r}")
        inner = args[0] if args else Any
        if inner in (int, str) and all(type(v) is inner for v in value):
            # a selection of 20,000 rows: the per-item checks below cost ~30 ms
            return tuple(value) if origin is tuple else origin(value)
        items = [_coerce(inner, v, name) for v in value]
        return tuple(items) if origin is tuple else origin(items)
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"setting {name!r} expects a mapping, got {value!r}")
        return dict(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"setting {name!r} expects a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        ):
            raise ValueError(f"setting {name!r} expects an integer, got {value!r}")
        return int(value)
    if hint is bool:
        if not isinstance(value, bool):
            raise ValueError(f"setting {name!r} expects true or false, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ValueError(f"setting {name!r} expects text, got {value!r}")
        return value
    return value


def settings_from_dict(
    settings_cls: type, values: Mapping[str, Any]
) -> tuple[Any, list[str]]:
    """Build a settings object from saved values, tolerating old or damaged files.

    Unknown keys and values of the wrong type are dropped (the default is kept) and
    reported in the returned warnings, so one bad setting never prevents opening a file.
    """
    kwargs: dict[str, Any] = {}
    warnings: list[str] = []
    names = {f.name for f in dataclasses.fields(settings_cls)}
    for key, value in values.items():
        if key.startswith("__"):
            continue
        if key not in names:
            warnings.append(f"ignored unknown setting {key!r}")
            continue
        try:
            kwargs[key] = coerce_setting(settings_cls, key, value)
        except ValueError as exc:
            warnings.append(f"{exc}; using the default")
    return settings_cls(**kwargs), warnings
