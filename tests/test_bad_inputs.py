"""The bad-input corpus: each tests/data/bad/<case>.yaml gives exactly <case>.expected.

The error format is part of the product, so these compare text. To add a case,
write the YAML, run `lineage check --graph graph` on a folder holding only it, check
the message by eye, and save stderr as the .expected file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import cli

BAD = Path(__file__).parent / "data" / "bad"
CASES = sorted(p.stem for p in BAD.glob("*.yaml"))


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert all((BAD / f"{case}.expected").exists() for case in CASES)


@pytest.mark.parametrize("case", CASES)
def test_bad_case_reports_expected_lines(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = tmp_path / "graph"
    graph.mkdir()
    shutil.copy(BAD / f"{case}.yaml", graph / f"{case}.yaml")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--graph", "graph"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    expected = (BAD / f"{case}.expected").read_text(encoding="utf-8")
    assert result.stderr == expected


def test_missing_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--graph", "nowhere"])
    assert result.exit_code == 1
    assert result.stderr == (
        "nowhere: error: graph directory 'nowhere' does not exist; name the fact "
        "directory with --graph DIR or $LINEAGE_GRAPH [no-graph]\n"
    )


def test_directory_without_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not facts")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["why", "cot", "--graph", "empty"])
    assert result.exit_code == 1
    assert (
        result.stderr
        == "empty: error: no fact files (*.yaml, *.yml) in 'empty' [no-facts]\n"
    )


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = tmp_path / "graph"
    graph.mkdir()
    os.symlink(tmp_path / "gone.yaml", graph / "dangling.yaml")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--graph", "graph"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "graph/dangling.yaml: error: broken symbolic link (it points to "
    )
    assert result.stderr.splitlines()[0].endswith("[unreadable]")


@pytest.mark.parametrize("case", ["unknown-stage", "huge-number", "tagged-bad-values"])
@pytest.mark.parametrize("command", [["why", "cot"], ["emergence"]])
def test_bad_facts_stop_queries_with_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str, command: list[str]
) -> None:
    graph = tmp_path / "graph"
    graph.mkdir()
    shutil.copy(BAD / f"{case}.yaml", graph / f"{case}.yaml")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*command, "--graph", "graph"])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr == (BAD / f"{case}.expected").read_text()
