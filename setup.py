"""Build hook: ship the facts and the saved queries inside the wheel.

``graph/`` and ``queries/`` live at the top of the repository (where people edit
them); the wheel carries copies as ``lineage/data/graph`` and
``lineage/data/queries``, which :mod:`lineage.shipped` finds when the package runs
from site-packages. Everything else is declared in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: top-level directory -> the file pattern shipped from it
SHIPPED = {"graph": "*.yaml", "queries": "*.rq"}


class BuildWithData(build_py):
    """``build_py`` that also copies graph/ and queries/ into lineage/data/."""

    def run(self) -> None:
        super().run()
        for name, pattern in SHIPPED.items():
            source = HERE / name
            target = Path(self.build_lib) / "lineage" / "data" / name
            if target.exists():
                shutil.rmtree(target)
            for path in sorted(source.rglob(pattern)):
                dest = target / path.relative_to(source)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)


setup(cmdclass={"build_py": BuildWithData})
