"""The console entry point: answers follow edits; no heavy import on the query path."""

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


def test_answers_follow_edits_and_nothing_but_the_store_is_written(
    tmp_path: Path,
) -> None:
    (tmp_path / "graph").mkdir()
    fact = tmp_path / "graph" / "mini.yaml"
    shutil.copy(MINI, fact)
    cache = tmp_path / "cache"
    first = _run(["why", "cot"], tmp_path, cache)
    second = _run(["why", "cot"], tmp_path, cache)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and "Origin:" in first.stdout
    fact.write_text(
        fact.read_text(encoding="utf-8").replace(
            "code gives cot", "code gives chain of thought"
        ),
        encoding="utf-8",
    )
    third = _run(["why", "cot"], tmp_path, cache)
    assert "code gives chain of thought" in third.stdout
    written = {p.name.split("-")[0] for p in cache.iterdir()}
    assert written == {"store"}, written


def test_cli_module_imports_no_heavy_package() -> None:
    code = (
        "import sys, lineage.cli, lineage._entry, lineage.api, lineage.provenance.query; "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_streamed_export_command_imports_no_rdflib(tmp_path: Path) -> None:
    """``lineage export`` in a streamed format writes from the store alone."""
    code = (
        "import sys; sys.argv = ['lineage', *sys.argv[1:]]\n"
        "from lineage._entry import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('rdflib' in sys.modules)"
    )
    env = {**os.environ, "LINEAGE_CACHE_DIR": str(tmp_path / "cache")}
    graph = str(Path(__file__).parent.parent / "graph")
    for fmt in ("nt", "turtle"):
        out = tmp_path / f"x.{fmt}"
        done = subprocess.run(
            [sys.executable, "-c", code, "export", "--graph", graph, "--format", fmt,
             "-o", str(out)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert (done.returncode, done.stdout) == (0, "False\n"), done.stderr
        assert out.stat().st_size > 100_000
