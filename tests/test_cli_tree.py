"""``lineage tree`` through click's runner, real dot, and the README figure."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import cli
from lineage.outputs.render import MAX_LAYOUT_MODELS, TreeOptions, to_dot

ROOT = Path(__file__).resolve().parent.parent
MINI = str(Path(__file__).parent / "data" / "mini")
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz dot")


def run(runner: CliRunner, *args: str, code: int = 0):  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, ["tree", *args, "--graph", MINI])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def test_text_tree_by_default(runner: CliRunner) -> None:
    out = run(runner).stdout
    assert out.startswith("Root  (Family One, 2020-05)\n")
    assert "(code training, hypothesis) → Coder" in out and "Unrelated" in out


@pytest.mark.parametrize(
    ("name", "start"),
    [
        ("t.dot", "digraph lineage {"),
        ("t.gv", "digraph lineage {"),
        ("t.mmd", "flowchart TB"),
        ("t.txt", "Root"),
    ],
)
def test_format_from_suffix(
    runner: CliRunner, tmp_path: Path, name: str, start: str
) -> None:
    out = tmp_path / name
    result = run(runner, "-o", str(out))
    assert out.read_text(encoding="utf-8").startswith(start)
    assert result.stdout.startswith(f"wrote {out} (")
    assert "6 models, 4 derivations" in result.stdout


def test_format_option_wins_and_prints_to_stdout(runner: CliRunner) -> None:
    assert run(runner, "--format", "mermaid").stdout.startswith("flowchart TB")
    assert run(runner, "--format", "dot").stdout.startswith("digraph lineage {")


def test_usage_errors(runner: CliRunner, tmp_path: Path) -> None:
    bad = run(runner, "-o", str(tmp_path / "t.jpeg"), code=2)
    assert "cannot tell the format" in bad.stderr and ".svg" in bad.stderr
    binary = run(runner, "--format", "png", code=2)
    assert "-o FILE.png" in binary.stderr


def test_unknown_names_fail_cleanly(runner: CliRunner) -> None:
    result = run(runner, "--highlight", "telepathy", code=1)
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert "error: " in run(runner, "--focus", "nobody", code=1).stderr


def test_missing_directory_leaves_nothing(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "-o", str(tmp_path / "no" / "t.dot"), code=1)
    assert "does not exist" in result.stderr


def test_focus_and_highlight(runner: CliRunner) -> None:
    out = run(runner, "--focus", "chatty", "--highlight", "CoT", "--format", "dot")
    text = out.stdout
    assert '"chatty"' in text and '"rl"' not in text and '"other"' not in text
    assert "★ origin" in text


def test_highlight_of_family_only_capability_says_so(
    runner: CliRunner, write_facts
) -> None:
    graph = write_facts(
        "sources: [{id: s, title: S, authors: [A], year: 2022, url: https://e.org}]\n"
        "capabilities: [{id: c, name: C, kind: ability, description: d}]\n"
        "families: [{id: f, name: F}]\n"
        "models: [{id: m, name: M, family: f}]\n"
        "claims: [{id: k, model: f, capability: c, effect: gained, stage: "
        "pretraining, confidence: likely, evidence: [{source: s, locator: l, "
        "note: n}]}]\n"
    )
    result = runner.invoke(cli, ["tree", "--graph", str(graph), "--highlight", "c"])
    assert result.exit_code == 0
    assert "only family-level claims: f" in result.stderr


@needs_dot
@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_real_dot_formats(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"tree.{fmt}"
    run(runner, "-o", str(out), "--timeline", "--highlight", "icl")
    assert out.stat().st_size > 1000


@needs_dot
def test_svg_to_stdout_parses(runner: CliRunner) -> None:
    svg = run(runner, "--format", "svg").stdout
    titles = {
        t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}title")
    }
    assert {"root", "coder", "tuned", "chatty", "rl", "other"} <= titles


def test_missing_dot_says_how_to_install(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path), "LINEAGE_CACHE_DIR": str(tmp_path)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lineage",
            "tree",
            "--graph",
            MINI,
            "-o",
            str(tmp_path / "t.svg"),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("error: --format svg needs the Graphviz 'dot'")
    assert "apt-get install graphviz" in done.stderr
    assert "--format dot, mermaid or text" in done.stderr
    assert not (tmp_path / "t.svg").exists()


def test_large_graph_is_refused_with_focus_hint(
    runner: CliRunner, write_facts, tmp_path: Path
) -> None:
    n = MAX_LAYOUT_MODELS + 1
    lines = ["models:"] + [f"  - {{id: m{i}, name: M{i}}}" for i in range(n)]
    graph = write_facts("\n".join(lines) + "\n")
    out = tmp_path / "big.svg"
    result = runner.invoke(cli, ["tree", "--graph", str(graph), "-o", str(out)])
    assert result.exit_code == 1 and "--focus MODEL" in result.stderr
    assert not out.exists()
    focused = runner.invoke(
        cli, ["tree", "--graph", str(graph), "--focus", "m7", "--format", "dot"]
    )
    assert focused.exit_code == 0 and focused.stdout.count("[id=") == 1


def test_readme_figure_is_up_to_date(shipped_index) -> None:  # type: ignore[no-untyped-def]
    expected = to_dot(shipped_index, TreeOptions())
    committed = (ROOT / "docs" / "tree.dot").read_text(encoding="utf-8")
    assert committed == expected, (
        "docs/tree.svg is stale; regenerate it with: "
        "lineage tree -o docs/tree.dot && lineage tree -o docs/tree.svg"
    )
    svg = (ROOT / "docs" / "tree.svg").read_bytes()
    titles = {
        t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}title")
    }
    assert set(shipped_index.facts.models) <= titles
