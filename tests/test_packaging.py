"""The built wheel works on its own: facts, queries, shapes and site assets ship
inside it, and the installed command answers from a directory without a checkout.

The wheel is built once per session with pip (build isolation fetches setuptools
like any install) and unpacked with ``pip install --no-deps --target``: the
dependencies come from the running environment, the ``lineage`` package only from
the wheel (the test checks where it was imported from).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from lineage.shipped import DISTRIBUTION, choose_graph

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _pip(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Build from a copy, so that the checkout gets no build/ or *.egg-info.
    src = tmp_path_factory.mktemp("src") / "repo"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", "artifacts"
        ),
    )
    result = _pip("wheel", "--no-deps", "-w", str(out), ".", cwd=src)
    if result.returncode != 0:
        pytest.skip(f"pip could not build the wheel here: {result.stderr[-500:]}")
    (found,) = out.glob("*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site-packages")
    result = _pip(
        "install",
        "--no-deps",
        "--no-index",
        "--target",
        str(target),
        str(wheel),
        cwd=target,
    )
    assert result.returncode == 0, result.stderr
    return target


def _run(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("LINEAGE_GRAPH", "PYTHONPATH", "COLUMNS", "NO_COLOR")
    }
    env["PYTHONPATH"] = str(installed)
    script = installed / "bin" / "lineage"
    return subprocess.run(
        [str(script), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_distribution_name_is_ours_and_hints_use_it(wheel: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == DISTRIBUTION == "capability-lineage"
    assert wheel.name.startswith("capability_lineage-")
    # No install hint anywhere names PyPI's unrelated `lineage`.
    hint = re.compile(r"pip install ['\"]?lineage\b")
    files = [
        ROOT / "README.md",
        *ROOT.glob("docs/*.md"),
        *ROOT.rglob("lineage/**/*.py"),
    ]
    for path in files:
        assert not hint.search(path.read_text(encoding="utf-8")), path


def test_wheel_ships_facts_queries_vocab_shapes_schema_and_site(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        *(f"lineage/data/graph/{p.name}" for p in (ROOT / "graph").glob("*.yaml")),
        *(f"lineage/data/queries/{p.name}" for p in (ROOT / "queries").glob("*.rq")),
        "lineage/outputs/vocab.ttl",
        "lineage/outputs/shapes.ttl",
        "lineage/facts/schema.json",
        "lineage/py.typed",
        *(
            f"lineage/outputs/site/{p.name}"
            for p in (ROOT / "lineage/outputs/site").iterdir()
        ),
    }
    assert expected - names == set()


def test_installed_command_answers_from_any_directory(
    installed: Path, tmp_path: Path
) -> None:
    where = _run(installed, tmp_path, "--version")
    assert where.returncode == 0, where.stderr
    imported = subprocess.run(
        [sys.executable, "-c", "import lineage; print(lineage.__file__)"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.startswith(str(installed))

    why = _run(installed, tmp_path, "why", "chain of thought")
    assert why.returncode == 0, why.stderr
    assert "Origin:" in why.stdout and "code-davinci-002" in why.stdout

    check = _run(installed, tmp_path, "check")
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines()[1] == (
        f"graph: {installed / 'lineage' / 'data' / 'graph'} "
        f"(the graph shipped with {DISTRIBUTION})"
    )
    queries = _run(installed, tmp_path, "sparql", "--list")
    assert queries.returncode == 0 and "origin" in queries.stdout, queries.stderr
    rows = _run(
        installed, tmp_path, "sparql", "origin", "-p", "capability=chain-of-thought"
    )
    assert rows.returncode == 0 and "code-davinci-002" in rows.stdout, rows.stderr
    site = _run(installed, tmp_path, "site", "-o", "site")
    assert site.returncode == 0, site.stderr
    assert (tmp_path / "site" / "assets" / "site.js").is_file()


def test_working_directory_graph_and_environment_take_precedence(
    installed: Path, tmp_path: Path
) -> None:
    mine = tmp_path / "graph"
    mine.mkdir()
    shutil.copy(ROOT / "graph" / "stages.yaml", mine / "stages.yaml")
    local = _run(installed, tmp_path, "check")
    assert (
        local.stdout.splitlines()[1]
        == "graph: graph (./graph in the working directory)"
    )
    assert local.stdout.startswith("ok: 1 files, ")
    env = os.environ.copy()
    env["LINEAGE_GRAPH"] = str(mine)
    env["PYTHONPATH"] = str(installed)
    other = tmp_path / "elsewhere"
    other.mkdir()
    chosen = subprocess.run(
        [str(installed / "bin" / "lineage"), "check"],
        cwd=other,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert chosen.stdout.splitlines()[1] == f"graph: {mine} (from $LINEAGE_GRAPH)"


def test_choose_graph_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert choose_graph(("a", "b")).source == "option"
    assert choose_graph().source == "checkout"  # this test runs from the checkout
    (tmp_path / "graph").mkdir()
    assert choose_graph() == (("graph",), "working-directory")
    monkeypatch.setenv("LINEAGE_GRAPH", f"x{os.pathsep}y")
    assert choose_graph() == (("x", "y"), "environment")
