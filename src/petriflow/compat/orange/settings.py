"""Translating an Orange widget's saved settings into our node's settings.

Orange stores settings as its widgets' attribute values: indices into combo boxes
(``metric_id``, ``linkage``, ``n_folds`` is an index into 2/3/5/10/20), values wrapped in
per-domain *contexts*, and ``RecentPath`` records. What each index or key means for one
node is that node's business, so each node class translates its own widget's keys in a
classmethod ``from_orange_settings(settings, version, t)`` (next to its ``Settings``,
``replaces`` and ``migrate_settings``), following the widget's own ``migrate_settings`` for
old versions (e.g. Distances' ``metric_idx`` numbering before settings version 4). This
module only holds what every translator shares: the :class:`Translation` record (for
every key: carried, left out as window/UI state, or not carried and why — the list the
"Opened from Orange" report shows), the keys that are UI state in every widget, and
:func:`translate_settings`, which dispatches to the node.

Input values come from ``ast.literal_eval`` or :mod:`petriflow.compat.orange.unpickler`
(inert records only). Output values are plain literals checked later by
``settings_from_dict`` against the node's ``Settings`` dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from petriflow.compat.orange.unpickler import OrangeContext, OrangeRecentPath

__all__ = ["UI_KEYS", "OrangeTranslatable", "Translation", "translate_settings"]

#: keys that only restore Orange's window or auto-apply state; nothing to carry
UI_KEYS = frozenset({
    "__version__", "savedWidgetGeometry", "controlAreaVisible", "context_settings",
    "auto_commit", "autocommit", "autoCommit", "auto_apply", "_auto_apply", "auto_send",
    "autosend", "auto_save", "zoom_factor", "visual_settings", "graph", "score_table",
    "__session_state_data", "dist_color_RGB", "show_distributions", "show_attribute_labels",
    "color_by_class", "select_rows", "selected_cols", "annotation", "annotation_if_names",
    "annotation_if_enumerate", "annotation_idx", "label_only_subset", "color_by",
    "comparison_criterion", "use_rope", "rope", "axis_labels", "maxp", "refresh_rate",
    "attr_color", "attr_label", "attr_shape", "attr_size", "connected_pairs",
    "titleAttr", "title_attr", "selected_quantity", "last_dir", "last_filter",
    # old MDS/PCA window and remote-computation options
    "symbol_size", "symbol_opacity", "jitter", "legend_anchor", "label_only_selected",
    "output_embedding_role", "auto_update", "batch_size", "address",
})


@dataclass
class Translation:
    """What came of one widget's settings, plus the readers every translator needs.

    The readers are methods so that a node's translator needs only this object (the
    node modules import nothing from this package at run time).
    """

    #: our settings (plain values, keyed by our setting names)
    values: dict[str, Any] = field(default_factory=dict)
    #: Orange key -> what it became ("metric=cosine")
    carried: dict[str, str] = field(default_factory=dict)
    #: Orange key -> why it was not carried
    not_carried: dict[str, str] = field(default_factory=dict)
    #: Orange keys that only restore window/UI state
    ignored: list[str] = field(default_factory=list)
    #: anything else the user should know (an approximation, a changed meaning)
    notes: list[str] = field(default_factory=list)

    def set(self, orange_key: str, our_key: str, value: Any) -> None:
        self.values[our_key] = value
        self.carried[orange_key] = f"{our_key}={value!r}"

    def skip(self, orange_key: str, why: str) -> None:
        self.not_carried[orange_key] = why

    def pick(self, key: str, value: Any, choices: list[Any], our_key: str, what: str) -> None:
        """An index into Orange's combo ``choices``; None entries are options we lack."""
        i = self.as_int(value)
        if i is None or not 0 <= i < len(choices):
            self.skip(key, f"unexpected {what} {value!r}; the default is used")
        elif choices[i] is None:
            self.skip(key, f"this {what} is not available in Petriflow; the default is used")
        else:
            self.set(key, our_key, choices[i])

    @staticmethod
    def as_int(value: Any) -> int | None:
        """``value`` if it is an int (not a bool), else None."""
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @staticmethod
    def as_number(value: Any) -> float | None:
        """``value`` as a float if it is an int or float (not a bool), else None."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return float(value)

    @staticmethod
    def recent_path(value: Any) -> OrangeRecentPath | None:
        """``value`` if it is one of Orange's ``RecentPath`` records, else None."""
        return value if isinstance(value, OrangeRecentPath) else None

    @staticmethod
    def context_values(settings: dict[str, Any]) -> dict[str, Any]:
        """Values of the most recently used context (Orange keeps that one first).

        Context values are stored encoded: ``(value, -2)`` for plain values, ``(name, 101)``
        etc. for variables; the first element is the value or the variable's name.
        """
        contexts = settings.get("context_settings")
        if not isinstance(contexts, list | tuple):
            return {}
        for ctx in contexts:
            if isinstance(ctx, OrangeContext):
                out = {}
                for key, value in ctx.values.items():
                    if (isinstance(value, list | tuple) and len(value) == 2
                            and isinstance(value[1], int) and not isinstance(value[1], bool)
                            and (value[1] < 0 or value[1] >= 100)):
                        value = value[0]
                    out[key] = value
                return out
        return {}


class OrangeTranslatable(Protocol):
    """A node class that reads the settings of the Orange widget(s) it ``replaces``."""

    @classmethod
    def from_orange_settings(cls, s: dict[str, Any], version: int | None,
                             t: Translation) -> set[str]:
        """Fill ``t`` from Orange's settings ``s``; return the Orange keys it handled.

        A handled key that ends up neither carried nor refused is reported as ignored
        (its value needs no setting here); any other key is "no counterpart".
        """
        ...


def translate_settings(node_type: Any, settings: dict[str, Any]) -> Translation:
    """Translate one Orange widget's settings for our node class ``node_type``.

    Every key of ``settings`` ends up in exactly one of ``carried``, ``not_carried`` or
    ``ignored`` (UI state), so the report can account for all of them. A node without
    ``from_orange_settings`` carries nothing.
    """
    t = Translation()
    version = Translation.as_int(settings.get("__version__"))
    handled: set[str] = set()
    translator = getattr(node_type, "from_orange_settings", None)
    if translator is not None:
        try:
            handled = translator(settings, version, t)
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
            # a damaged or unexpected file must not stop the workflow from opening
            t = Translation()
            t.notes.append(f"settings could not be translated ({type(exc).__name__}); "
                           "defaults are used")
            handled = set()
    seen = set(t.carried) | set(t.not_carried) | set(t.ignored)
    for key in settings:
        if key in seen:
            continue
        if key in UI_KEYS or key in handled:
            # handled but neither carried nor refused: its value needs no setting here
            t.ignored.append(key)
        else:
            t.skip(key, "no counterpart in Petriflow")
    t.ignored = sorted(set(t.ignored))
    return t
