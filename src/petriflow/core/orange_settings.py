"""Translating an Orange widget's saved settings into our node's settings.

Orange stores settings as its widgets' attribute values: indices into combo boxes
(``metric_id``, ``linkage``, ``n_folds`` is an index into 2/3/5/10/20), values wrapped in
per-domain *contexts*, and ``RecentPath`` records. Each translator below reads one widget's
keys, following that widget's own ``migrate_settings`` for old versions (e.g. Distances'
``metric_idx`` numbering before settings version 4), and says for every key whether it was
carried, left out as window/UI state, or not carried (and why) — that list is what the
"Opened from Orange" report shows.

Input values come from ``ast.literal_eval`` or :mod:`petriflow.core.orange_pickle`
(inert records only). Output values are plain literals checked later by
``settings_from_dict`` against the node's ``Settings`` dataclass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from petriflow.core.orange_pickle import OrangeContext, OrangeRecentPath

__all__ = ["Translation", "translate_settings"]

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
    """What came of one widget's settings."""

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


Translator = Callable[[dict[str, Any], int | None, Translation], set[str]]


# ------------------------------------------------------------------------ helpers
def _context_values(settings: dict[str, Any]) -> dict[str, Any]:
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


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _pick(t: Translation, key: str, value: Any, choices: list[Any], our_key: str,
          what: str) -> None:
    """An index into Orange's combo ``choices``; None entries are options we lack."""
    i = _int(value)
    if i is None or not 0 <= i < len(choices):
        t.skip(key, f"unexpected {what} {value!r}; the default is used")
    elif choices[i] is None:
        t.skip(key, f"this {what} is not available in Petriflow; the default is used")
    else:
        t.set(key, our_key, choices[i])


# ------------------------------------------------------------------------ widgets
# Orange's Distances metric ids (settings v4): Euclidean, Euclidean (normalized),
# Manhattan, Manhattan (normalized), Mahalanobis, Hamming, Cosine, Pearson,
# Pearson (absolute), Spearman, Spearman (absolute), Jaccard.
_DIST_V4: list[tuple[str, str, bool] | None] = [
    ("Euclidean", "euclidean", False), ("Euclidean (normalized)", "euclidean", True),
    ("Manhattan", "manhattan", False), ("Manhattan (normalized)", "manhattan", True),
    None, None,  # Mahalanobis, Hamming
    ("Cosine", "cosine", False), ("Pearson", "pearson", False),
    ("Pearson (absolute)", "pearson", False), ("Spearman", "spearman", False),
    ("Spearman (absolute)", "spearman", False), ("Jaccard", "jaccard", False),
]
_DIST_NAMES_V4 = ["Euclidean", "Euclidean (normalized)", "Manhattan", "Manhattan (normalized)",
                  "Mahalanobis", "Hamming", "Cosine", "Pearson", "Pearson (absolute)",
                  "Spearman", "Spearman (absolute)", "Jaccard"]
# settings v3 ``metric_idx`` -> v4 id (Orange's own migrate_settings)
_DIST_V3_TO_V4 = [0, 2, 6, 11, 9, 10, 7, 8, 5, 4, 0]


def _distances(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"metric_id", "metric_idx", "normalized_dist", "axis"}
    metric_id: int | None = None
    key = "metric_id"
    if "metric_id" in s:
        metric_id = _int(s["metric_id"])
    elif "metric_idx" in s:
        key = "metric_idx"
        idx = _int(s["metric_idx"])
        # files without a version predate normalization (Orange forces it off)
        normalized = version is not None and bool(s.get("normalized_dist", False))
        if idx is not None and (version is None or version < 3):
            # Mahalanobis moved from index 2 to 9 in settings version 3
            idx = 9 if idx == 2 else idx - 1 if 2 < idx <= 9 else idx
        if idx is not None and 0 <= idx < len(_DIST_V3_TO_V4):
            metric_id = _DIST_V3_TO_V4[idx]
            if normalized and metric_id in (0, 2):
                metric_id += 1
    if key in s:
        entry = _DIST_V4[metric_id] if metric_id is not None and 0 <= metric_id < 12 else None
        if metric_id is None or not 0 <= metric_id < 12:
            t.skip(key, f"unexpected metric {s[key]!r}; the default (Cosine) is used")
        elif entry is None:
            t.skip(key, f"{_DIST_NAMES_V4[metric_id]} distance is not available in Petriflow; "
                        "the default (Cosine) is used")
        else:
            label, metric, normalize = entry
            t.values.update(metric=metric, normalize=normalize)
            t.carried[key] = f"{label} -> metric={metric!r}, normalize={normalize}"
            if "absolute" in label:
                t.notes.append(f"Distances: Orange's {label} has no exact counterpart; "
                               f"plain {metric.title()} is used")
            if normalize:
                t.notes.append("Distances: Orange normalizes each feature by its spread, "
                               "Petriflow standardizes it; distances may differ by a scale")
        if "normalized_dist" in s:
            t.carried["normalized_dist"] = "folded into the metric"
    axis = s.get("axis")
    if axis is not None:
        _pick(t, "axis", axis, ["rows", "columns"], "axis", "axis")
    return used


_LINKAGES = ["single", "average", "weighted", "complete", "ward"]
_HC_MODES = ["manual", "height_ratio", "top_n"]


def _hierarchical(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"linkage", "selection_method", "cut_ratio", "top_n", "pruning", "max_depth"}
    if "linkage" in s:
        _pick(t, "linkage", s["linkage"], _LINKAGES, "linkage", "linkage")
    if "selection_method" in s:
        _pick(t, "selection_method", s["selection_method"], _HC_MODES, "selection_mode",
              "selection mode")
    ratio = _number(s.get("cut_ratio"))
    if ratio is not None:
        t.set("cut_ratio", "cut_ratio", min(max(ratio, 0.0), 100.0))
    top_n = _int(s.get("top_n"))
    if top_n is not None:
        t.set("top_n", "top_n", max(1, top_n))
    if _int(s.get("pruning")):
        t.skip("pruning", "pruning the displayed dendrogram is not available; the whole "
                          "tree is shown")
    if "max_depth" in s and not _int(s.get("pruning")):
        t.ignored.append("max_depth")
    elif "max_depth" in s:
        t.skip("max_depth", "belongs to pruning, which is not available")
    for old in ("append_clusters", "cluster_name", "cluster_role"):
        if old in s:
            used.add(old)
            t.skip(old, "Petriflow always appends a 'Cluster' meta column")
    session = s.get("__session_state_data")
    if isinstance(session, dict) and session.get("selection_state"):
        nodes = _hc_nodes_from_orange(session["selection_state"])
        if nodes is None:
            t.skip("__session_state_data", "the saved manual selection could not be read")
        else:
            t.values["selected_nodes"] = nodes
            t.carried["__session_state_data"] = f"manual selection -> selected_nodes={nodes}"
            t.notes.append(
                "Hierarchical Clustering: the manual selection is carried as dendrogram "
                "branches of Orange's saved tree; it picks the same items only when the "
                "distances give the same tree (Orange itself drops it otherwise)"
            )
    return used


def _hc_nodes_from_orange(state: Any) -> list[int] | None:
    """Orange's ``(clusters as leaf-index tuples, linkage rows)`` -> scipy node ids.

    Leaves are 0..n-1; the merge in row i of the linkage matrix is node n+i, as in our
    Hierarchical Clustering node's ``selected_nodes``.
    """
    try:
        selected, linkage = state
        rows = [(int(a), int(b)) for a, b, *_ in linkage]
    except (TypeError, ValueError):
        return None
    n = len(rows) + 1
    members: dict[int, frozenset[int]] = {i: frozenset((i,)) for i in range(n)}
    for i, (a, b) in enumerate(rows):
        if a not in members or b not in members:
            return None
        members[n + i] = members[a] | members[b]
    by_set = {v: k for k, v in members.items()}
    out = []
    for cluster in selected:
        try:
            node = by_set.get(frozenset(int(x) for x in cluster))
        except (TypeError, ValueError):
            return None
        if node is None:
            return None
        out.append(node)
    return out


_MDS_INIT = ["pca", "random"]


def _mds(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"max_iter", "initialization", "selection", "selection_indices"}
    it = _int(s.get("max_iter"))
    if it is not None:
        t.set("max_iter", "max_iter", max(1, it))
    if "initialization" in s:
        _pick(t, "initialization", s["initialization"], _MDS_INIT, "init", "initialization")
    _projection_selection(s, t)
    return used


def _projection_selection(s: dict[str, Any], t: Translation) -> None:
    """Orange projections save ``selection`` as (row, group) pairs or a group per row."""
    sel = s.get("selection", s.get("selection_indices"))
    key = "selection" if "selection" in s else "selection_indices"
    if sel is None:
        return
    rows: list[int] = []
    if isinstance(sel, list | tuple):
        for item in sel:
            if isinstance(item, list | tuple) and item and _int(item[0]) is not None:
                rows.append(int(item[0]))
            elif _int(item) is not None:
                rows.append(int(item))
    if rows:
        t.set(key, "selected", sorted(set(rows)))
        if any(isinstance(i, list | tuple) and len(i) > 1 and i[1] not in (0, 1) for i in sel):
            t.notes.append("selection groups are merged into one selection")
    else:
        t.skip(key, "this selection format is not read")


def _pca(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"ncomponents", "normalize", "variance_covered"}
    n = _int(s.get("ncomponents"))
    if n is not None and n > 0:
        t.set("ncomponents", "n_components", n)
    elif "ncomponents" in s:
        t.skip("ncomponents", "choosing components by explained variance is not available")
    if isinstance(s.get("normalize"), bool):
        t.set("normalize", "normalize", s["normalize"])
    if "variance_covered" in s:
        t.ignored.append("variance_covered")
    return used


_TSNE_METRICS = ["euclidean", None, "cosine"]  # Orange: Euclidean, Manhattan, Cosine


def _tsne(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    s = {**_context_values(s), **s}  # v4 keeps most settings in contexts
    used = {"perplexity", "exaggeration", "normalize", "use_pca_preprocessing",
            "pca_components", "distance_metric_idx", "initialization_method_idx",
            "multiscale", "selection", "selection_indices", "max_iter"}
    p = _number(s.get("perplexity"))
    if p is not None:
        t.set("perplexity", "perplexity", p)
    if "exaggeration" in s:
        if _number(s["exaggeration"]) == 1.0:
            t.ignored.append("exaggeration")
        else:
            t.skip("exaggeration", "Orange's late exaggeration is not available")
    if isinstance(s.get("normalize"), bool):
        t.set("normalize", "normalize", s["normalize"])
    if s.get("use_pca_preprocessing") is False:
        t.set("use_pca_preprocessing", "pca_components", 0)
    elif _int(s.get("pca_components")) is not None:
        t.set("pca_components", "pca_components", int(s["pca_components"]))
    if "distance_metric_idx" in s:
        _pick(t, "distance_metric_idx", s["distance_metric_idx"], _TSNE_METRICS, "metric",
              "t-SNE metric")
    if _int(s.get("initialization_method_idx")):
        t.skip("initialization_method_idx", "spectral initialization is not available; PCA "
                                            "initialization is used")
    if s.get("multiscale"):
        t.skip("multiscale", "multiscale t-SNE is not available")
    if "max_iter" in s:
        t.ignored.append("max_iter")  # Orange drops it since settings version 4
    _projection_selection(s, t)
    return used


# Logistic regression's C values, strongest regularization last (Orange's C_s)
_LR_C = (
    list(range(1000, 200, -50)) + list(range(200, 100, -10)) + list(range(100, 20, -5))
    + list(range(20, 0, -1)) + [x / 10 for x in range(9, 2, -1)]
    + [x / 100 for x in range(20, 2, -1)] + [x / 1000 for x in range(20, 0, -1)]
)


def _learner_name(s: dict[str, Any], t: Translation) -> None:
    name = s.get("learner_name")
    if isinstance(name, str) and name.strip():
        t.set("learner_name", "learner_name", name)
    elif "learner_name" in s:
        t.ignored.append("learner_name")  # empty: Orange shows its default name too


def _logistic(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"penalty_type", "C_index", "class_weight", "learner_name"}
    _learner_name(s, t)
    if "penalty_type" in s:
        _pick(t, "penalty_type", s["penalty_type"], ["l1", "l2", "none"], "penalty", "penalty")
    if "C_index" in s:
        i = _int(s["C_index"])
        if i is None or not 0 <= i < len(_LR_C):
            t.skip("C_index", f"unexpected strength index {s['C_index']!r}")
        else:
            t.set("C_index", "C", float(_LR_C[i]))
    if isinstance(s.get("class_weight"), bool):
        t.set("class_weight", "class_weight_balanced", s["class_weight"])
    return used


def _knn(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"n_neighbors", "metric_index", "weight_index", "learner_name"}
    _learner_name(s, t)
    k = _int(s.get("n_neighbors"))
    if k is not None:
        t.set("n_neighbors", "n_neighbors", max(1, k))
    if "metric_index" in s:
        _pick(t, "metric_index", s["metric_index"],
              ["euclidean", "manhattan", "chebyshev", None], "metric", "kNN metric")
    if "weight_index" in s:
        _pick(t, "weight_index", s["weight_index"], ["uniform", "distance"], "weights",
              "weighting")
    return used


_RESAMPLING = ["cross_validation", "cross_validation_by_feature", "random_sampling",
               "leave_one_out", "test_on_train", "test_on_test"]
_N_FOLDS = [2, 3, 5, 10, 20]
_N_REPEATS = [2, 3, 5, 10, 20, 50, 100]
_SAMPLE_SIZES = [5, 10, 20, 25, 30, 33, 40, 50, 60, 66, 70, 75, 80, 90, 95]


def _test_and_score(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"resampling", "n_folds", "cv_stratified", "n_repeats", "sample_size",
            "shuffle_stratified", "fold_feature", "fold_feature_selected", "class_selection"}
    mode = _int(s.get("resampling"))
    if mode is not None and (version is None or version < 2) and mode > 0:
        mode += 1  # "cross validation by feature" was inserted at 1 in settings v2
    if "resampling" in s:
        _pick(t, "resampling", mode, _RESAMPLING, "resampling", "sampling method")
    chosen = t.values.get("resampling", "cross_validation")
    if "n_folds" in s:
        _pick(t, "n_folds", s["n_folds"], _N_FOLDS, "n_folds", "number of folds")
    if "n_repeats" in s:
        _pick(t, "n_repeats", s["n_repeats"], _N_REPEATS, "n_repeats", "number of repeats")
    if "sample_size" in s:
        i = _int(s["sample_size"])
        if i is not None and 0 <= i < len(_SAMPLE_SIZES):
            t.set("sample_size", "train_size", float(_SAMPLE_SIZES[i]))
        else:
            t.skip("sample_size", f"unexpected training set size {s['sample_size']!r}")
    # one "stratified" in Petriflow; take the one of the chosen method
    strat_key = "shuffle_stratified" if chosen == "random_sampling" else "cv_stratified"
    if isinstance(s.get(strat_key), bool):
        t.set(strat_key, "stratified", s[strat_key])
    other = "cv_stratified" if strat_key == "shuffle_stratified" else "shuffle_stratified"
    if other in s:
        t.ignored.append(other)
    ctx = _context_values(s)
    feature = ctx.get("fold_feature")
    if isinstance(feature, str) and feature:
        t.set("fold_feature", "fold_column", feature)
    target = ctx.get("class_selection")
    if isinstance(target, str) and target and not target.startswith("("):
        t.set("class_selection", "target_class", target)
    return used


def _confusion(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"selected_learner", "selection", "append_predictions", "append_probabilities"}
    sel = s.get("selected_learner")
    if isinstance(sel, list | tuple) and sel and _int(sel[0]) is not None:
        t.set("selected_learner", "learner", int(sel[0]))
    for key in ("append_predictions", "append_probabilities"):
        if isinstance(s.get(key), bool):
            t.set(key, key, s[key])
    cells = _context_values(s).get("selection", s.get("selection"))
    if isinstance(cells, list | tuple | set | frozenset):
        pairs = sorted([int(c[0]), int(c[1])] for c in cells
                       if isinstance(c, list | tuple) and len(c) == 2
                       and all(_int(x) is not None for x in c))
        t.values["selected_cells"] = pairs
        t.carried["selection"] = f"selected_cells={pairs}"
    return used


def _image_viewer(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"imageSize", "image_attr", "imageAttr", "selected_items"}
    size = _int(s.get("imageSize"))
    if size is not None:
        t.set("imageSize", "thumbnail_size", min(max(size, 32), 1024))
    ctx = _context_values(s)
    attr = ctx.get("image_attr")
    if isinstance(attr, str) and attr:
        t.set("image_attr", "image_column", attr)
    if ctx.get("selected_items"):
        t.skip("selected_items", "Orange saves the selection as image paths; Petriflow saves "
                                 "row positions, so it is not carried")
    if isinstance(ctx.get("imageAttr"), int) and ctx["imageAttr"] != 0:
        t.skip("imageAttr", "saved as a position in Orange's column list; the table's image "
                            "column is used")
    return used


# Orange3-ImageAnalytics embedders in combo order ("order" in its MODELS table)
_EMBEDDERS: list[tuple[str, str | None]] = [
    ("Inception v3", "inception-v3"), ("SqueezeNet (local)", "squeezenet"),
    ("VGG-16", "vgg16"), ("VGG-19", None), ("Painters", None), ("DeepLoc", None),
    ("openface", None),
]


def _image_embedding(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"cb_embedder_current_id", "cb_image_attr_current_id", "embedder"}
    i = _int(s.get("cb_embedder_current_id"))
    if "cb_embedder_current_id" in s:
        if i is None or not 0 <= i < len(_EMBEDDERS):
            t.skip("cb_embedder_current_id", f"unexpected embedder {s['cb_embedder_current_id']!r}")
        elif _EMBEDDERS[i][1] is None:
            t.skip("cb_embedder_current_id",
                   f"the {_EMBEDDERS[i][0]} embedder (Orange's server) is not available in "
                   "Petriflow; the default (SqueezeNet) is used")
        else:
            label, model = _EMBEDDERS[i]
            t.values["model"] = model
            t.carried["cb_embedder_current_id"] = f"{label} -> model={model!r}"
            if model == "squeezenet":
                t.notes.append("Image Embedding: Orange's local SqueezeNet is reproduced "
                               "exactly by the default 'squeezenet' model")
            else:
                t.notes.append(
                    f"Image Embedding: Orange computed {label} on its server; Petriflow "
                    f"computes it locally and needs the model's weights file (see "
                    f"`petriflow embed --list-models`); else choose 'squeezenet'"
                )
    attr = _int(s.get("cb_image_attr_current_id"))
    if attr not in (None, 0):
        t.skip("cb_image_attr_current_id", "saved as a position in Orange's column list; the "
                                           "table's image column is used")
    return used


def _import_images(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"recent_paths", "currentPath"}
    paths = s.get("recent_paths")
    recent = paths[0] if isinstance(paths, list | tuple) and paths else None
    if isinstance(recent, OrangeRecentPath):
        if recent.prefix == "basedir" and recent.relpath:
            folder = recent.relpath
            how = "relative to the workflow's folder, as Orange saved it"
        else:
            folder = recent.abspath
            how = "absolute path"
        if folder:
            t.values["folder"] = folder
            t.carried["recent_paths"] = f"folder={folder!r} ({how})"
            if recent.abspath and folder != recent.abspath:
                t.notes.append(f"Import Images: Orange last used {recent.abspath!r}")
        else:
            t.skip("recent_paths", "the saved folder is empty")
    elif isinstance(s.get("currentPath"), str) and s["currentPath"]:
        t.set("currentPath", "folder", s["currentPath"])
    elif paths:
        t.skip("recent_paths", "the saved folder could not be read")
    return used


def _data_table(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"selected_rows", "stored_selection"}
    rows = s.get("selected_rows")
    stored = s.get("stored_selection")
    if rows is None and isinstance(stored, dict):  # Orange >= 3.34 keeps {"rows", "columns"}
        rows = stored.get("rows")
        if isinstance(rows, list | tuple) and rows and all(_int(r) is not None for r in rows):
            t.set("stored_selection", "selected_rows", sorted({int(r) for r in rows}))
            return used
        return used
    if isinstance(rows, list | tuple) and all(_int(r) is not None for r in rows):
        if rows:
            t.set("selected_rows", "selected_rows", sorted({int(r) for r in rows}))
        else:
            t.ignored.append("selected_rows")
    elif rows is not None:
        t.skip("selected_rows", "this selection format is not read")
    return used


def _save_data(s: dict[str, Any], version: int | None, t: Translation) -> set[str]:
    used = {"stored_path", "stored_name", "filename", "filter", "add_type_annotations"}
    import posixpath

    path = ""
    if isinstance(s.get("stored_name"), str) and s["stored_name"]:
        base = s.get("stored_path") if isinstance(s.get("stored_path"), str) else ""
        path = posixpath.join(base, s["stored_name"]) if base else s["stored_name"]
        key = "stored_name"
    elif isinstance(s.get("filename"), str) and s["filename"]:
        path, key = s["filename"], "filename"
    if path:
        t.set(key, "path", path)
        lower = path.lower()
        if not lower.endswith((".csv", ".tsv", ".tab", ".parquet", ".pq")):
            t.notes.append(f"Save Data: Petriflow writes CSV, TSV or Parquet; {path!r} will "
                           "be written by its extension's rules or refused")
    if "add_type_annotations" in s:
        t.ignored.append("add_type_annotations")
    if "filter" in s:
        t.ignored.append("filter")  # the extension decides the format
    return used


_TRANSLATORS: dict[str, Translator] = {
    "petriflow.distances": _distances,
    "petriflow.hierarchical_clustering": _hierarchical,
    "petriflow.mds": _mds,
    "petriflow.pca": _pca,
    "petriflow.tsne": _tsne,
    "petriflow.logistic_regression": _logistic,
    "petriflow.knn": _knn,
    "petriflow.test_and_score": _test_and_score,
    "petriflow.confusion_matrix": _confusion,
    "petriflow.image_viewer": _image_viewer,
    "petriflow.image_embedder": _image_embedding,
    "petriflow.import_images": _import_images,
    "petriflow.data_table": _data_table,
    "petriflow.save_data": _save_data,
}


def translate_settings(our_name: str, settings: dict[str, Any]) -> Translation:
    """Translate one Orange widget's settings for our node ``our_name``.

    Every key of ``settings`` ends up in exactly one of ``carried``, ``not_carried`` or
    ``ignored`` (UI state), so the report can account for all of them.
    """
    t = Translation()
    version = _int(settings.get("__version__"))
    translator = _TRANSLATORS.get(our_name)
    handled: set[str] = set()
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

