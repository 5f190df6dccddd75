"""The example workflows and widget guides ship with the package (issue 14.4).

``petriflow examples`` lists them, ``petriflow run --example NAME`` runs one from any
folder, an untitled copy resolves its images without the shipped file's folder, and a
wheel built from the checkout carries them (CI also installs that wheel in a fresh
environment and runs every example from another folder).
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from petriflow import bundled, cli, load_workflow
from petriflow.core.scheduler import Scheduler

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["image-classification", "image-clustering", "image-exploration",
         "image-prediction", "morphological-profiling"]


def test_every_example_is_listed_with_a_one_line_description(capsys):
    examples = bundled.list_examples()
    assert [e.name for e in examples] == NAMES
    for example in examples:
        assert example.path.is_file() and example.path.parent == bundled.examples_dir()
        assert example.summary and "\n" not in example.summary
    assert cli.main(["examples"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for example in examples:
        assert f"{example.name}  " in "\n".join(lines)
    assert any(line.startswith("image-clustering ") and "SqueezeNet" in line for line in lines)


def test_summary_is_the_first_sentence_without_cutting_at_et_al():
    ex = bundled.Example("x", Path("x.ows"), "X", "Cluster them (Smith et al. 2019). Then more.")
    assert ex.summary == "Cluster them (Smith et al. 2019)."


def test_find_example_by_name_or_file_name_and_a_clear_error():
    assert bundled.find_example("image-clustering").name == "image-clustering"
    assert bundled.find_example("image-clustering.ows").name == "image-clustering"
    with pytest.raises(bundled.ExampleNotFound, match="examples: image-classification"):
        bundled.find_example("image-clusters")


def test_run_example_from_another_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # nothing relative to the checkout can be found from here
    assert cli.main(["run", "--example", "image-clustering", "--quiet", "--out", "out"]) == 0
    report = json.loads((tmp_path / "out" / "run.json").read_text())
    states = {n["title"]: n["state"] for n in report["nodes"]}
    assert set(states.values()) == {"done"}, states
    assert report["workflow"] == str(bundled.find_example("image-clustering").path)


@pytest.mark.parametrize("argv, says", [
    (["run", "--example", "nope", "--quiet"], "no example named 'nope'"),
    (["run", "--quiet"], "give a workflow FILE or --example NAME"),
    (["run", "x.ows", "--example", "image-clustering"], "give a workflow FILE or --example"),
])
def test_run_needs_exactly_one_workflow(argv, says, capsys):
    assert cli.main(argv) == 2
    assert says in capsys.readouterr().err


def test_widget_guides_and_every_image_they_show_are_shipped_together():
    """help/widgets/*.md link their pictures as ../images/NAME.png: both ship, so the
    guides read the same from the package as in the checkout's docs/."""
    guides = sorted((bundled.help_dir() / "widgets").glob("*.md"))
    assert len(guides) >= 10
    for guide in guides:
        for target in re.findall(r"\]\((\.\./images/[^)]+)\)", guide.read_text()):
            assert (guide.parent / target).is_file(), (guide.name, target)


def test_is_bundled():
    example = bundled.find_example("image-classification")
    assert bundled.is_bundled(example.path)
    assert bundled.is_bundled(example.path.parent / "data" / "textures")
    assert not bundled.is_bundled(ROOT / "README.md")
    assert not bundled.is_bundled(None)


def test_untitled_copy_finds_its_images_from_anywhere(tmp_path, monkeypatch):
    """An example opened as an untitled copy has no folder of its own: the settings that
    name its bundled data become absolute, nothing else changes, and it runs."""
    example = bundled.find_example("image-clustering")
    workflow = load_workflow(example.path)
    before = {n.id: n.settings for n in workflow.nodes}
    changed = bundled.absolutize_relative_paths(workflow, example.path.parent)
    assert changed == ["Import Images.folder"]
    folder = Path(workflow.find_node("Import Images").settings.folder)
    assert folder.is_absolute() and folder == (example.path.parent / "data/textures").resolve()
    for node in workflow.nodes:
        if node.title != "Import Images":
            assert node.settings == before[node.id]
    workflow.path = None
    monkeypatch.chdir(tmp_path)
    scheduler = Scheduler(workflow)
    try:
        assert scheduler.wait(120)
        images = scheduler.outputs(workflow.find_node("Import Images").id)["Data"]
        assert len(images) == 48
    finally:
        scheduler.close()


def test_a_wheel_carries_the_examples_and_the_widget_guides(tmp_path):
    """Build the wheel from a copy of the checkout (no build files in the shared tree)."""
    src = tmp_path / "checkout"
    src.mkdir()
    for name in ("setup.py", "pyproject.toml", "MANIFEST.in", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__",
                                                                          "*.egg-info"))
    for folder in ("workflows", "docs"):
        shutil.copytree(ROOT / folder, src / folder)
    # the environment's own setuptools when it is new enough (no index needed), else
    # pip's isolated build fetches one, as `pip install` itself would
    own_setuptools = ["--no-build-isolation"] if _setuptools_major() >= 77 else []
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *own_setuptools,
         "-w", str(tmp_path / "dist"), str(src)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("petriflow-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in NAMES:
        assert f"petriflow/examples/{name}.ows" in names
    for image in (ROOT / "workflows" / "data").rglob("*"):
        if image.is_file():
            rel = image.relative_to(ROOT / "workflows").as_posix()
            assert f"petriflow/examples/{rel}" in names
    for guide in (ROOT / "docs" / "widgets").glob("*.md"):
        assert f"petriflow/help/widgets/{guide.name}" in names
    for picture in (ROOT / "docs" / "images").glob("*.png"):
        assert f"petriflow/help/images/{picture.name}" in names
    assert "petriflow/help/getting-started.md" in names  # Help > Getting Started
    assert wheel.stat().st_size < 8_000_000  # images are small; keep the wheel small


def _setuptools_major() -> int:
    try:
        return int(importlib.metadata.version("setuptools").split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return 0
