"""What each kind of node's report item says: its summary and its settings in words.

Why per node type: the generic words of :mod:`petriflow.report.words` describe outputs
("Data: 48 rows × 1000 features …"), but a reader of a report wants what the view
shows — the confusion matrix's counts and accuracy, the clusters a dendrogram was cut
into, how many points a projection selected and what colours them. Headless (settings,
inputs and outputs only, no Qt) so that the report window and ``petriflow run
--report`` say the same; a view with more to say than its node overrides
``report_summary()`` (:mod:`petriflow.gui.report_capture`). The settings' words per
node type are in :mod:`petriflow.report.settings_words`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from petriflow.core.status import counted
from petriflow.core.table import Table
from petriflow.core.types import DistanceMatrix, EvaluationResults, Model
from petriflow.report.settings_words import node_settings
from petriflow.report.words import describe_value, method_words, summarize_outputs

__all__ = ["node_settings", "node_summary", "node_words"]

#: most class values or clusters named in one line; the rest are counted
MAX_NAMED = 8

Summary = Callable[[Any, Mapping[str, Any], Mapping[str, Any]], list[str]]
_SUMMARIES: dict[str, Summary] = {}


def _summary(*names: str) -> Callable[[Summary], Summary]:
    def register(fn: Summary) -> Summary:
        for name in names:
            _SUMMARIES[f"petriflow.{name}"] = fn
        return fn
    return register


def node_summary(qualified_name: str, settings: Any, inputs: Mapping[str, Any],
                 outputs: Mapping[str, Any]) -> list[str]:
    """The summary lines of a node of type ``qualified_name`` (the outputs in words
    for a type without its own; nothing while it has neither inputs nor outputs)."""
    fn = _SUMMARIES.get(qualified_name)
    if fn is not None:
        lines = fn(settings, inputs, outputs)
        if lines:
            return lines
    return summarize_outputs(outputs)


def node_words(node: Any, inputs: Mapping[str, Any],
               outputs: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """A workflow node's settings and summary lines (``node``: a
    :class:`~petriflow.core.workflow.WorkflowNode`; a placeholder has no words)."""
    node_type = getattr(node, "node_type", None)
    view_fields = tuple(getattr(node_type, "view_settings", ()) or ())
    name = node.qualified_name
    return (node_settings(name, node.settings, inputs, view_fields),
            node_summary(name, node.settings, inputs, outputs))


# ---------------------------------------------------------------------- words
def _counted(counts: Iterable[tuple[str, int]]) -> str:
    pairs = list(counts)
    shown = ", ".join(f"{name} {n}" for name, n in pairs[:MAX_NAMED])
    if len(pairs) > MAX_NAMED:
        shown += f" and {len(pairs) - MAX_NAMED} more"
    return shown


def class_counts(table: Table) -> list[tuple[str, int]]:
    """Rows per class value, in the class's order (missing classes not counted)."""
    if table.y is None:
        return []
    y = table.y[table.y >= 0].astype(np.int64)
    counts = np.bincount(y, minlength=len(table.class_values))
    return [(v, int(c)) for v, c in zip(table.class_values, counts, strict=False)]


def _noun(table: Table) -> tuple[str, str]:
    return ("image", "images") if table.image_column is not None else ("row", "rows")


def data_words(table: Table, noun: tuple[str, str] | None = None) -> str:
    """"48 images in 3 classes (brick 16, grass 16, gravel 16)"."""
    one, many = noun or _noun(table)
    text = counted(len(table), one, many)
    counts = [(v, n) for v, n in class_counts(table) if n]  # a class nobody has is noise
    if counts:
        text += (f" in {counted(len(counts), 'class', 'classes')} of "
                 f"{table.class_name} ({_counted(counts)})")
        missing = int(np.sum(table.y < 0)) if table.y is not None else 0
        if missing:
            text += f", {missing} without a class"
    else:
        text += ", no class column"
    return text


def columns_words(table: Table) -> str:
    """"1000 features, class category, 5 meta columns"."""
    parts = [counted(table.n_features, "feature") if table.n_features else "no features"]
    if table.class_name:
        parts.append(f"class {table.class_name}")
    if table.metas:
        parts.append(counted(len(table.metas), "meta column"))
    return ", ".join(parts)


def _selected(outputs: Mapping[str, Any], name: str, noun: tuple[str, str]) -> str:
    chosen = outputs.get(name)
    n = len(chosen) if isinstance(chosen, Table) else 0
    return f"selected: {counted(n, *noun)}" if n else "selected: nothing"


def _value_counts(values: Any) -> list[tuple[str, int]]:
    counts = Counter(str(v) for v in values if v is not None and str(v) != "")
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _short(text: str, limit: int = 60) -> str:
    """``text`` cut at a word before ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:(") + "…"


def _table_in(mapping: Mapping[str, Any], *names: str) -> Table | None:
    for name in names:
        value = mapping.get(name)
        if isinstance(value, Table):
            return value
    return None


# ---------------------------------------------------------------------- data
@_summary("import_images", "file")
def _loaded(settings: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    data = _table_in(outputs, "Data")
    if data is None:
        return []
    lines = [data_words(data)]
    if "width" in data.metas and "height" in data.metas and len(data):
        w = np.asarray(data.metas["width"], dtype=float)
        h = np.asarray(data.metas["height"], dtype=float)
        ok = np.isfinite(w) & np.isfinite(h)
        if ok.any():
            lo = (int(w[ok].min()), int(h[ok].min()))
            hi = (int(w[ok].max()), int(h[ok].max()))
            lines.append(f"image size: {lo[0]}×{lo[1]}" if lo == hi else
                         f"image sizes: {lo[0]}×{lo[1]} to {hi[0]}×{hi[1]} pixels")
    lines.append(f"columns: {columns_words(data)}")
    skipped = _table_in(outputs, "Skipped Files")
    if skipped is not None and len(skipped):
        lines.append(f"skipped: {counted(len(skipped), 'file')} that could not be read")
    return lines


@_summary("image_embedder")
def _embedded(settings: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    images = _table_in(inputs, "Images")
    out = _table_in(outputs, "Embeddings")
    if images is None and out is None:
        return []
    model = getattr(settings, "model", "")
    lines = []
    if out is not None:
        per = " per channel" if getattr(settings, "per_channel", False) else ""
        lines.append(f"{counted(len(out), 'image')} embedded by {model}: "
                     f"{out.n_features} features each{per}")
    skipped = _table_in(outputs, "Skipped Images")  # there only when it is linked
    if skipped is not None:
        failed = len(skipped)
    else:
        failed = len(images) - len(out) if images is not None and out is not None else 0
    if failed:
        reasons = (_value_counts(skipped.metas["skip reason"])
                   if skipped is not None and "skip reason" in skipped.metas else [])
        why = "; ".join(f"{_short(r)} ×{n}" for r, n in reasons[:3])
        lines.append(f"failed: {counted(failed, 'image')}" + (f" ({why})" if why else ""))
    elif images is not None:
        lines.append(f"failed: none of {counted(len(images), 'image')}")
    if out is not None and out.class_name:
        lines.append(f"classes: {_counted(class_counts(out))}")
    return lines


@_summary("data_table")
def _data_table(settings: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    data = _table_in(inputs, "Data")
    if data is None:
        return []
    lines = [f"{counted(len(data), 'row')} × {columns_words(data)}", data_words(data)]
    subset = _table_in(inputs, "Data Subset")
    if subset is not None:
        shared = len(np.intersect1d(subset.row_ids, data.row_ids))
        lines.append(f"highlighted: {counted(shared, 'row')} of the Data Subset")
    lines.append(_selected(outputs, "Selected Data", ("row", "rows")))
    return lines


@_summary("select_rows")
def _select_rows(settings: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    data = _table_in(inputs, "Data")
    match = _table_in(outputs, "Matching Data")
    if data is None or match is None:
        return []
    lines = [f"{len(match)} of {counted(len(data), 'row')} match, "
             f"{len(data) - len(match)} do not"]
    if match.class_name:
        lines.append(f"matching: {_counted(class_counts(match))}")
    return lines


@_summary("select_columns", "merge_data")
def _columns(settings: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    data = _table_in(outputs, "Data")
    if data is None:
        return []
    return [f"{counted(len(data), 'row')} × {columns_words(data)}"]


@_summary("aggregate_profiles")
def _profiles(settings: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    data, out = _table_in(inputs, "Data"), _table_in(outputs, "Profiles")
    if out is None:
        return []
    groups = ", ".join(getattr(settings, "group_by", []) or []) or "(nothing)"
    lines = [f"{counted(len(out), 'profile')}"
             + (f" from {counted(len(data), 'row')}" if data is not None else "")
             + f", grouped by {groups}; {counted(out.n_features, 'feature')} each"]
    if out.class_name:
        lines.append(f"classes of {out.class_name}: {_counted(class_counts(out))}")
    return lines


@_summary("illumination_correction")
def _illumination(settings: Any, inputs: Mapping[str, Any],
                  outputs: Mapping[str, Any]) -> list[str]:
    out = _table_in(outputs, "Corrected Images")
    if out is None:
        return []
    plate = getattr(settings, "plate_column", "")
    line = f"{counted(len(out), 'image')} corrected"
    if plate and plate in out.metas:
        line += f" in {counted(len(_value_counts(out.metas[plate])), 'plate')}"
    return [line]


@_summary("distances")
def _distances(settings: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    dm = outputs.get("Distances")
    if not isinstance(dm, DistanceMatrix):
        return []
    n = len(dm)
    axis = getattr(settings, "axis", "rows")
    line = f"{n} × {n} {dm.metric or ''} distances between {axis}".replace("  ", " ")
    values = np.asarray(dm.values, dtype=float)
    off = values[~np.eye(n, dtype=bool)] if n > 1 else np.zeros(0)
    off = off[np.isfinite(off)]
    lines = [line]
    if off.size:
        lines.append(f"from {off.min():.3g} to {off.max():.3g} (median {np.median(off):.3g})")
    return lines


# ---------------------------------------------------------------------- models
def _scores_line(name: str, scores: Mapping[str, Any]) -> str:
    parts = [f"{key} {value:.3f}" for key, value in scores.items()
             if isinstance(value, (int, float)) and np.isfinite(value)]
    return f"{name}: " + (", ".join(parts) if parts else "no scores")


@_summary("test_and_score")
def _test_and_score(settings: Any, inputs: Mapping[str, Any],
                    outputs: Mapping[str, Any]) -> list[str]:
    res = outputs.get("Evaluation Results")
    if not isinstance(res, EvaluationResults):
        return []
    method = method_words(res.method)
    if res.method == "cross_validation":
        method = f"{getattr(settings, 'n_folds', '?')}-fold {method}"
    lines = [f"{counted(len(res), 'row')} evaluated by {method}"]
    data = res.data
    if data.class_name:
        lines.append(f"class {data.class_name}: {_counted(class_counts(data))}")
    lines.append("scores (one line per model):")
    lines.extend(_scores_line(name, res.scores.get(name, {})) for name in res.learner_names)
    lines.extend(_comparison_lines(res, settings))
    return lines


def _comparison_lines(res: EvaluationResults, settings: Any) -> list[str]:
    """The view's model comparison in words: one line per pair of models."""
    if len(res.learner_names) < 2:
        return []
    from petriflow.analysis.model_comparison import comparison_rows

    rows = comparison_rows(res, settings)
    if rows is None:
        return []
    if isinstance(rows, str):
        return [f"model comparison: {rows}"]
    lines = []
    for model, other, score, better, negligible, worse, rope, folds in rows[1:]:
        if model > other:  # each pair once: the other order is the same numbers
            continue
        text = (f"{model} vs {other} on {score}: P({model} better) {float(better):.2f}, "
                f"P({other} better) {float(worse):.2f}")
        if float(negligible) >= 0.005:
            what = f"difference below {rope}" if float(rope) else "no difference"
            text += f", P({what}) {float(negligible):.2f}"
        lines.append(text + f" ({folds} folds)")
    return lines


@_summary("confusion_matrix")
def _confusion(settings: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    res = inputs.get("Evaluation Results")
    if not isinstance(res, EvaluationResults) or not res.learner_names:
        return []
    index = min(max(int(getattr(settings, "learner", 0)), 0), len(res.learner_names) - 1)
    m = res.confusion_matrix(index)
    total, correct = int(m.sum()), int(np.trace(m))
    acc = f" (accuracy {correct / total:.3f})" if total else ""
    lines = [f"{res.learner_names[index]}: {correct} of {total} correct{acc}"]
    values = res.class_values
    if len(values) <= MAX_NAMED:
        for i, actual in enumerate(values):
            row = ", ".join(f"{values[j]} {int(m[i, j])}" for j in range(len(values)))
            lines.append(f"actual {actual} → predicted {row}")
    mistakes = [(int(m[i, j]), values[i], values[j]) for i in range(len(values))
                for j in range(len(values)) if i != j and m[i, j]]
    if mistakes:
        n, actual, predicted = max(mistakes)
        lines.append(f"most confused: {counted(n, 'row')} of {actual} predicted as "
                     f"{predicted}")
    cells = len(getattr(settings, "selected_cells", []) or [])
    chosen = _table_in(outputs, "Selected Data")
    if cells:
        lines.append(f"selected: {counted(cells, 'cell')}, "
                     f"{counted(len(chosen) if chosen is not None else 0, 'row')}")
    else:
        lines.append("selected: nothing")
    return lines


@_summary("predictions")
def _predictions(settings: Any, inputs: Mapping[str, Any],
                 outputs: Mapping[str, Any]) -> list[str]:
    data = _table_in(inputs, "Data")
    out = _table_in(outputs, "Predictions")
    if data is None or out is None:
        return []
    models = [m for m in (inputs.get("Predictors") or []) if isinstance(m, Model)]
    names = [str(m.name) for m in models]
    lines = [f"{counted(len(data), 'row')} predicted by {counted(len(names), 'model')}"
             + (f": {', '.join(names)}" if names else "")]
    res = outputs.get("Evaluation Results")
    scored = isinstance(res, EvaluationResults)
    for i, name in enumerate(names):
        if isinstance(res, EvaluationResults) and i < len(res.learner_names):
            m = res.confusion_matrix(i)
            total, correct = int(m.sum()), int(np.trace(m))
            if total:
                lines.append(f"{name}: accuracy {correct / total:.3f} ({correct} of "
                             f"{total} correct)")
                continue
        if name in out.metas:
            lines.append(f"{name} predicts: {_counted(_value_counts(out.metas[name]))}")
    if not scored:
        lines.append("accuracy: not known (the data has no class)")
    lines.append(_selected(outputs, "Selected Predictions", ("row", "rows")))
    return lines


@_summary("logistic_regression", "knn", "svm", "random_forest", "neural_network",
          "naive_bayes")
def _learner(settings: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    learner = outputs.get("Learner")
    name = getattr(learner, "name", "") or getattr(settings, "learner_name", "")
    lines = [f"learner: {name}" if name else "learner: (none)"]
    data = _table_in(inputs, "Data")
    if isinstance(outputs.get("Model"), Model) and data is not None:
        lines.append(f"model trained on {data_words(data)}")
    else:
        lines.append("model: none (no Data connected to train one)")
    return lines


@_summary("annotate_images")
def _annotate(settings: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    data = _table_in(inputs, "Data")
    if data is None:
        return []
    labelled = _table_in(outputs, "Labelled Data")
    n = len(labelled) if labelled is not None else 0
    lines = [f"labelled: {n} of {counted(len(data), 'image')}"]
    if labelled is not None and labelled.class_name and n:
        lines.append(f"labels: {_counted(class_counts(labelled))}")
    model = inputs.get("Model")
    if isinstance(model, Model):
        order = "least sure first" if getattr(settings, "least_sure_first", False) else \
            "in the data's order"
        lines.append(f"suggestions by {model.name}, {order}")
    return lines


# ---------------------------------------------------------------------- views of rows
@_summary("mds", "tsne", "umap", "pca", "scatter_plot")
def _projection(settings: Any, inputs: Mapping[str, Any],
                outputs: Mapping[str, Any]) -> list[str]:
    data = _table_in(inputs, "Data") or _table_in(outputs, "Data")
    if data is None:
        return []
    lines = [f"{counted(len(data), 'point')}: {data_words(data)}"]
    colour = getattr(settings, "color_column", "") or (
        f"{data.class_name} (the class)" if data.class_name else "")
    lines.append(f"colour: {colour}" if colour else "colour: one colour (no class)")
    for field_name, label in (("shape_column", "shape"), ("size_column", "size"),
                              ("label_column", "labels")):
        value = getattr(settings, field_name, "")
        if value:
            lines.append(f"{label}: {value}")
    hidden = getattr(settings, "hidden_values", []) or []
    if hidden:
        lines.append(f"hidden: {describe_value(hidden)}")
    subset = _table_in(inputs, "Data Subset")
    if subset is not None:
        shared = len(np.intersect1d(subset.row_ids, data.row_ids))
        lines.append(f"highlighted: {counted(shared, 'point')} of the Data Subset")
    lines.append(_selected(outputs, "Selected Data", ("point", "points")))
    return lines


@_summary("hierarchical_clustering")
def _clustering(settings: Any, inputs: Mapping[str, Any],
                outputs: Mapping[str, Any]) -> list[str]:
    dm = inputs.get("Distances")
    if not isinstance(dm, DistanceMatrix):
        return []
    linkage = getattr(settings, "linkage", "")
    metric = f"{dm.metric} " if dm.metric else ""
    lines = [f"{counted(len(dm), 'item')} clustered with {linkage} linkage on "
             f"{metric}distances"]
    mode = getattr(settings, "selection_mode", "manual")
    if mode == "top_n":
        lines.append(f"cut into the top {getattr(settings, 'top_n', 0)} clusters")
    elif mode == "height_ratio":
        lines.append(f"cut at {describe_value(getattr(settings, 'cut_ratio', 0.0))} % "
                     "of the tree's height")
    else:
        n = len(getattr(settings, "selected_nodes", []) or [])
        lines.append(f"selected by hand: {counted(n, 'branch', 'branches')}")
    annotated = _table_in(outputs, "Data")
    if annotated is not None and "Cluster" in annotated.metas:
        clusters = sorted(_value_counts(annotated.metas["Cluster"]))
        lines.append(f"clusters: {_counted(clusters)}")
    chosen = _table_in(outputs, "Selected Data")
    n_chosen = len(chosen) if chosen is not None else 0
    if chosen is not None and n_chosen and "Cluster" in chosen.metas:
        k = len(_value_counts(chosen.metas["Cluster"]))
        lines.append(f"selected: {counted(n_chosen, 'item')} in "
                     f"{counted(k, 'cluster')}")
    else:
        lines.append(f"selected: {counted(n_chosen, 'item')}" if n_chosen else
                     "selected: nothing")
    return lines


@_summary("image_viewer", "image_grid")
def _images(settings: Any, inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> list[str]:
    data = _table_in(inputs, "Data", "Embeddings")
    if data is None:
        return []
    lines = [f"shown: {data_words(data, ('image', 'images'))}"]
    title = getattr(settings, "title_column", "")
    if title:
        lines.append(f"titles: {title}")
    annotated = _table_in(outputs, "Data")
    if annotated is not None and "grid row" in annotated.metas and len(annotated):
        rows = np.asarray(annotated.metas["grid row"], dtype=float)
        cols = np.asarray(annotated.metas["grid column"], dtype=float)
        if np.isfinite(rows).any():
            lines.append(f"grid: {int(np.nanmax(rows)) + 1} rows × "
                         f"{int(np.nanmax(cols)) + 1} columns")
    lines.append(_selected(outputs, "Selected Images", ("image", "images")))
    return lines


# ---------------------------------------------------------------------- settings
