"""Annotate Images' labels survive the project being moved: the workflow and its image
folder copied elsewhere (another disk, a colleague's machine), re-opened from there.

Labels are keyed by each image's path relative to the workflow's folder, so the copy
finds them; real files read by Import Images, the .ows saved and loaded.
"""

from __future__ import annotations

import shutil

from PIL import Image

from petriflow.core.ows import load_workflow, save_workflow
from petriflow.core.registry import default_registry
from petriflow.core.workflow import Workflow
from petriflow.nodes._selection import row_keys
from petriflow.nodes.annotate_images import AnnotateImages
from petriflow.nodes.import_images import ImportImages

from .conftest import run_node


def _project(root):
    for cls, shade in (("light", 200), ("dark", 40)):
        (root / "images" / cls).mkdir(parents=True)
        for i in range(3):
            Image.new("L", (16, 16), shade + i).save(root / "images" / cls / f"{cls}{i}.png")


def test_labels_follow_the_project_to_another_folder(tmp_path) -> None:
    first = tmp_path / "lab" / "study"
    _project(first)
    data = run_node(ImportImages, folder="images", workflow_dir=first)["Data"]
    names = [str(n) for n in data.metas["image name"]]
    keys = row_keys(data, first)
    labels = {keys[names.index("light0")]: "bright", keys[names.index("dark2")]: "dim"}
    assert all(not k.startswith("/") and str(first) not in k for k in labels)  # relative
    wf = Workflow(title="study")
    imp = wf.add_node(default_registry().get("petriflow.import_images"), title="Import")
    ann = wf.add_node(AnnotateImages, title="Annotate Images")
    wf.update_settings(imp.id, folder="images")
    wf.update_settings(ann.id, class_names=["bright", "dim"], labels=labels)
    wf.add_link(imp.id, "Data", ann.id, "Data")
    save_workflow(wf, first / "study.ows")

    moved = tmp_path / "elsewhere" / "copy of study"
    shutil.copytree(first, moved)
    shutil.rmtree(first)  # the old place is gone
    loaded = load_workflow(moved / "study.ows", default_registry())
    s = loaded.node(ann.id).settings
    data2 = run_node(ImportImages, folder=loaded.node(imp.id).settings.folder,
                     workflow_dir=moved)["Data"]
    assert all(str(moved) in str(p) for p in data2.image_paths())
    r = run_node(AnnotateImages, {"Data": data2}, workflow_dir=moved,
                 class_names=s.class_names, labels=s.labels)
    got = dict(zip(r["Labelled Data"].metas["image name"],
                   r["Labelled Data"].class_labels(), strict=True))
    assert got == {"light0": "bright", "dark2": "dim"}
    assert len(r["Unlabelled Data"]) == 4
