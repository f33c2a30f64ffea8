"""The console entry point: memoized answers are identical and never stale."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

MINI = Path(__file__).parent / "data" / "mini" / "mini.yaml"
HEAVY = ("networkx", "rdflib", "graphviz", "matplotlib", "pyshacl", "pyoxigraph")


def _run(args: list[str], cwd: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LINEAGE_CACHE_DIR": str(cache)}
    env.pop("LINEAGE_GRAPH", None)
    return subprocess.run(
        [sys.executable, "-m", "lineage", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_memoized_answer_is_identical_and_follows_edits(tmp_path: Path) -> None:
    (tmp_path / "graph").mkdir()
    fact = tmp_path / "graph" / "mini.yaml"
    shutil.copy(MINI, fact)
    cache = tmp_path / "cache"
    first = _run(["why", "cot"], tmp_path, cache)
    second = _run(["why", "cot"], tmp_path, cache)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and "Origin:" in first.stdout
    assert any(p.name.startswith("answer-") for p in cache.iterdir())
    fact.write_text(
        fact.read_text(encoding="utf-8").replace(
            "code gives cot", "code gives chain of thought"
        ),
        encoding="utf-8",
    )
    third = _run(["why", "cot"], tmp_path, cache)
    assert "code gives chain of thought" in third.stdout


def test_errors_are_not_memoized(tmp_path: Path) -> None:
    (tmp_path / "graph").mkdir()
    shutil.copy(MINI, tmp_path / "graph" / "mini.yaml")
    cache = tmp_path / "cache"
    for _ in range(2):
        result = _run(["why", "nonsense-capability"], tmp_path, cache)
        assert result.returncode == 1
        assert result.stderr.startswith("error: unknown capability")
    assert not [p for p in cache.iterdir() if p.name.startswith("answer-")]


def test_cli_module_imports_no_heavy_package() -> None:
    code = (
        "import sys, lineage.cli, lineage._entry, lineage.api, lineage.provenance.query; "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_memo_hit_imports_neither_click_nor_yaml(tmp_path: Path) -> None:
    (tmp_path / "graph").mkdir()
    shutil.copy(MINI, tmp_path / "graph" / "mini.yaml")
    cache = tmp_path / "cache"
    assert _run(["show", "root"], tmp_path, cache).returncode == 0
    code = (
        "import sys; sys.argv = ['lineage', 'show', 'root']; "
        "from lineage._entry import main; main(); "
        "print([m for m in ('click', 'yaml', 'lineage.cli') if m in sys.modules],"
        " file=sys.stderr)"
    )
    env = {**os.environ, "LINEAGE_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stderr.strip() == "[]"
    assert done.stdout.startswith("Root")
