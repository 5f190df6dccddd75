"""Image Embedder builds its outputs on one path (issue 13.3): plain images and image
sets (one file per stain) give the same skip reasons and warnings."""

from __future__ import annotations

import numpy as np
from PIL import Image

from petriflow.core.node import CancelToken, NodeContext, Progress
from petriflow.core.table import Table
from petriflow.nodes.image_embedder import ImageEmbedder

from .conftest import photo_array


def _run(table: Table, folder, **settings) -> tuple[dict, Progress]:
    node = ImageEmbedder(ImageEmbedder.Settings(use_cache=False, **settings),
                         context=NodeContext(workflow_dir=folder))
    progress = Progress()
    return node.run({"Images": table}, progress, CancelToken()), progress


def test_plain_and_image_set_rows_share_the_output_assembly(tmp_path):
    for name, seed in (("a_dna.png", 1), ("a_actin.png", 2), ("b_dna.png", 3)):
        Image.fromarray(photo_array(40, 32, seed)[:, :, 0]).save(tmp_path / name)
    # plain: row 1 names no file at all; image set: row 1's actin file is missing
    plain = Table.from_arrays(np.zeros((3, 0)), [],
                              metas={"image": np.array(["a_dna.png", "", "b_dna.png"],
                                                       dtype=object)},
                              image_column="image")
    image_set = Table.from_arrays(
        np.zeros((3, 0)), [],
        metas={"DNA": np.array(["a_dna.png", "b_dna.png", "c_dna.png"], dtype=object),
               "Actin": np.array(["a_actin.png", "gone.png", "a_actin.png"], dtype=object)},
        image_column="DNA")
    out_plain, prog_plain = _run(plain, tmp_path)
    out_set, prog_set = _run(image_set, tmp_path, per_channel=True)

    assert len(out_plain["Embeddings"]) == 2 and len(out_set["Embeddings"]) == 1
    assert out_set["Embeddings"].feature_names[0].startswith("DNA:")
    assert list(out_plain["Skipped Images"].metas["skip reason"]) == [
        "no image path in this row"]
    set_reasons = list(out_set["Skipped Images"].metas["skip reason"])
    assert set_reasons[0].startswith("Actin: ") and set_reasons[1].startswith("DNA: ")
    assert prog_plain.warnings == ["1 image skipped (see Skipped Images)"]
    assert prog_set.warnings == ["2 images skipped (see Skipped Images)"]

    # nothing embeds: both paths say so the same way
    empty = [""] * 3
    none_plain = plain.with_meta("image", np.array(empty, dtype=object))
    none_set = image_set.with_meta("DNA", np.array(["x.png"] * 3, dtype=object)).with_meta(
        "Actin", np.array(["y.png"] * 3, dtype=object))
    for table, settings in ((none_plain, {}), (none_set, {"per_channel": True})):
        out, progress = _run(table, tmp_path, **settings)
        assert len(out["Embeddings"]) == 0
        assert progress.warnings[-1] == ("No image could be embedded; see Skipped Images "
                                         "for the reasons.")
