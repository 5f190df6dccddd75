"""Which Orange widget becomes which Petriflow node, and how their channels line up.

One table, so that a reviewer can check the whole mapping in one place and a test can
check it against every reference ``.ows`` file. Orange renames widgets over the years and
keeps the old qualified names in each widget's ``replaces`` list (read from Orange 3.40
and Orange3-ImageAnalytics 0.13); all of them are listed here. Widgets not in the table
open as placeholders (see ``core/ows.py``).

Channel names mostly agree already (the nodes were modelled on Orange's widgets, with the
same channel ids); :data:`CHANNEL_RENAMES` holds the differences, including Orange's own
old channel names (``Classifier``/``Predictor`` for a learner's model, ``Transformed
data``). Lookup order for a link end: Orange's channel id, this table, then our names.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CHANNEL_RENAMES",
    "ORANGE_WIDGETS",
    "orange_channel",
    "our_qualified_name",
]

#: Orange qualified name (current and every old name in ``replaces``) -> our node.
ORANGE_WIDGETS: dict[str, str] = {
    # Orange3-ImageAnalytics
    "orangecontrib.imageanalytics.widgets.owimageimport.OWImportImages": "petriflow.import_images",
    "orangecontrib.imageanalytics.widgets.owimageembedding.OWImageEmbedding":
        "petriflow.image_embedder",
    "orangecontrib.imageanalytics.widgets.owimageviewer.OWImageViewer": "petriflow.image_viewer",
    "Orange.widgets.data.owimageviewer.OWImageViewer": "petriflow.image_viewer",
    # Data
    "Orange.widgets.data.owtable.OWTable": "petriflow.data_table",
    "Orange.widgets.data.owtable.OWDataTable": "petriflow.data_table",
    "Orange.widgets.obsolete.owtable.OWDataTable": "petriflow.data_table",
    "Orange.widgets.data.owdatatable.OWDataTable": "petriflow.data_table",
    "Orange.widgets.data.owsave.OWSave": "petriflow.save_data",
    # Unsupervised
    "Orange.widgets.unsupervised.owdistances.OWDistances": "petriflow.distances",
    "Orange.widgets.unsupervised.owhierarchicalclustering.OWHierarchicalClustering":
        "petriflow.hierarchical_clustering",
    "Orange.widgets.unsupervised.owhierarchicalclustering.OWHierarchicalClustering2":
        "petriflow.hierarchical_clustering",
    "Orange.widgets.unsupervised.owmds.OWMDS": "petriflow.mds",
    "Orange.widgets.unsupervised.owtsne.OWtSNE": "petriflow.tsne",
    "Orange.widgets.unsupervised.owpca.OWPCA": "petriflow.pca",
    # Model
    "Orange.widgets.model.owlogisticregression.OWLogisticRegression":
        "petriflow.logistic_regression",
    "Orange.widgets.classify.owlogisticregression.OWLogisticRegression":
        "petriflow.logistic_regression",
    "Orange.widgets.model.owknn.OWKNNLearner": "petriflow.knn",
    "Orange.widgets.classify.owknn.OWKNNLearner": "petriflow.knn",
    # Evaluate
    "Orange.widgets.evaluate.owtestandscore.OWTestAndScore": "petriflow.test_and_score",
    "Orange.widgets.evaluate.owtestlearners.OWTestLearners": "petriflow.test_and_score",
    "Orange.widgets.evaluate.owconfusionmatrix.OWConfusionMatrix": "petriflow.confusion_matrix",
}

_LEARNER_OUT = {"Classifier": "Model", "Predictor": "Model"}

#: our node -> {"inputs"|"outputs": {Orange channel name or id: our channel name}}
CHANNEL_RENAMES: dict[str, dict[str, dict[str, str]]] = {
    "petriflow.logistic_regression": {"outputs": _LEARNER_OUT},
    "petriflow.knn": {"outputs": _LEARNER_OUT},
    "petriflow.pca": {"outputs": {"Transformed data": "Transformed Data"}},
    "petriflow.image_embedder": {"inputs": {"images": "Images"},
                                 "outputs": {"embeddings": "Embeddings",
                                             "skipped_images": "Skipped Images"}},
    # Orange's Image Viewer calls its annotated output "Data" with the id "data"
    "petriflow.image_viewer": {"outputs": {"data": "Data"}},
}


def our_qualified_name(orange_name: str) -> str | None:
    """Our node's qualified name for an Orange widget, or None when we have none."""
    return ORANGE_WIDGETS.get(orange_name)


def orange_channel(node_type: Any, channel_id: str | None, name: str, *, output: bool
                   ) -> str | None:
    """Our channel name for one end of an Orange link, or None when there is none.

    Tries Orange's channel id, then the rename table, then our own names and ids.
    """
    find = node_type.output if output else node_type.input
    renames = CHANNEL_RENAMES.get(node_type.qualified_name, {}).get(
        "outputs" if output else "inputs", {})
    for key in (channel_id, name):
        if not key:
            continue
        if key in renames and find(renames[key]) is not None:
            return find(renames[key]).name
        ch = find(key)
        if ch is not None:
            return ch.name
    return None
