"""Which channel pair a drag links without a dialog (issue 14.7): side outputs such as
Skipped Files and Coefficients never compete with the main channel; ties still ask."""

from __future__ import annotations

from petriflow.core.node import Input, Node, Output, default_link
from petriflow.core.registry import default_registry
from petriflow.core.workflow import Workflow


def pairs_and_choice(source: str, sink: str) -> tuple[list[tuple[str, str]],
                                                       tuple[str, str] | None]:
    reg = default_registry()
    wf = Workflow()
    a = wf.add_node(reg.get(source))
    b = wf.add_node(reg.get(sink))
    pairs = wf.compatible_channels(a.id, b.id)
    return pairs, default_link(reg.get(source), reg.get(sink), pairs)


def test_import_images_to_embedder_links_data_to_images() -> None:
    pairs, choice = pairs_and_choice("petriflow.import_images", "petriflow.image_embedder")
    assert ("Skipped Files", "Images") in pairs  # the side output does fit the type …
    assert choice == ("Data", "Images")  # … but never competes with the main one


def test_logistic_regression_to_test_and_score_links_the_learner() -> None:
    pairs, choice = pairs_and_choice("petriflow.logistic_regression",
                                     "petriflow.test_and_score")
    assert ("Coefficients", "Test Data") in pairs
    assert choice == ("Learner", "Learner")


def test_embedder_to_test_and_score_links_training_data() -> None:
    pairs, choice = pairs_and_choice("petriflow.image_embedder", "petriflow.test_and_score")
    assert ("Embeddings", "Test Data") in pairs
    assert choice == ("Embeddings", "Data")


class _Two(Node):
    name = "Two"
    outputs = (Output("A", int, default=True), Output("B", int))


class _TwoIn(Node):
    name = "Two in"
    inputs = (Input("X", int), Input("Y", int))


class _Side(Node):
    name = "Side"
    outputs = (Output("Side", int, explicit=True),)


def test_real_ambiguity_is_left_to_the_user() -> None:
    # a default output and two plain inputs: (A, X) and (A, Y) rank equal -> ask
    pairs = [("A", "X"), ("A", "Y"), ("B", "X"), ("B", "Y")]
    assert default_link(_Two, _TwoIn, pairs) is None
    # no defaults at all and two pairs: ask
    assert default_link(_TwoIn, _TwoIn, [("X", "X"), ("Y", "Y")]) is None


def test_an_explicit_channel_is_never_linked_without_asking() -> None:
    assert default_link(_Side, _TwoIn, [("Side", "X")]) is None
    # a single plain pair needs no dialog
    assert default_link(_Two, _TwoIn, [("B", "Y")]) == ("B", "Y")


def test_bundled_nodes_real_ambiguity_asks() -> None:
    # Logistic Regression's only table is its (side) Coefficients, which could go to
    # MDS's Data or Data Subset: the user must say which
    pairs, choice = pairs_and_choice("petriflow.logistic_regression", "petriflow.mds")
    assert sorted(pairs) == [("Coefficients", "Data"), ("Coefficients", "Data Subset")]
    assert choice is None


def test_one_default_to_default_pair_among_many() -> None:
    pairs, choice = pairs_and_choice("petriflow.confusion_matrix", "petriflow.mds")
    assert len(pairs) == 4
    assert choice == ("Selected Data", "Data")


def test_pca_links_its_transformed_data_by_default() -> None:
    """PCA's Selected Data is empty until the user selects: a drag from PCA to Distances
    (or to another projection) links Transformed Data, every row on the components."""
    pairs, choice = pairs_and_choice("petriflow.pca", "petriflow.distances")
    assert ("Selected Data", "Data") in pairs
    assert choice == ("Transformed Data", "Data")
    assert pairs_and_choice("petriflow.pca", "petriflow.tsne")[1] == ("Transformed Data",
                                                                      "Data")
    # into PCA nothing changed: the embeddings go to its Data
    assert pairs_and_choice("petriflow.image_embedder", "petriflow.pca")[1] == (
        "Embeddings", "Data")
    # the other projections keep Orange's default, their selection
    assert pairs_and_choice("petriflow.tsne", "petriflow.distances")[1] == ("Selected Data",
                                                                            "Data")
