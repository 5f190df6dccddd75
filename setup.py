"""Build hook: ship the example workflows and the widget guides inside the package.

Why here and not in ``pyproject.toml``: they live in the checkout's ``workflows/`` and
``docs/`` (where the scripts that rebuild them, the README and GitHub readers expect
them), outside ``src/petriflow``, and package data can only come from inside a package.
``build_py`` copies them to ``petriflow/examples`` and ``petriflow/help`` in the wheel;
:mod:`petriflow.bundled` finds them there, or in the checkout for an editable install.
Everything else is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: checkout folder -> folder inside the installed ``petriflow`` package
BUNDLED = {
    "workflows": "examples",
    "docs/widgets": "help/widgets",
    "docs/images": "help/images",
    "docs/getting-started.md": "help/getting-started.md",  # the Help menu's first page
}
SKIP = shutil.ignore_patterns("*.bak", "__pycache__", ".*")


class BuildPyWithBundled(build_py):
    """``build_py`` that also copies :data:`BUNDLED` into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        here = Path(__file__).resolve().parent
        for source, target in BUNDLED.items():
            dest = Path(self.build_lib, "petriflow", target)
            if (here / source).is_file():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(here / source, dest)
                continue
            shutil.rmtree(dest, ignore_errors=True)  # no stale files from an older build
            shutil.copytree(here / source, dest, ignore=SKIP)


setup(cmdclass={"build_py": BuildPyWithBundled})
