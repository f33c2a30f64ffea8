"""Finding and reading fact files: only regular files, bounded, every entry accounted for.

These run the real command (``python -m lineage``, which goes through the memo key of
``_entry`` and the cache key) in a subprocess, so a hang fails the test through the
subprocess timeout instead of stalling the run, and a traceback shows on stderr.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lineage.facts.files import list_facts, read_fact_file
from lineage.facts.loader import load_facts

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini" / "mini.yaml"


#: root reads files whatever their mode: drop the capabilities that let it
_HONOUR_PERMISSIONS = [
    "setpriv",
    "--inh-caps=-dac_override,-dac_read_search",
    "--bounding-set=-dac_override,-dac_read_search",
]


def lineage(
    cwd: Path, *args: str, permissions: bool = False
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    prefix: list[str] = []
    if permissions and os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permissions do not apply")
        prefix = _HONOUR_PERMISSIONS
    return subprocess.run(
        [*prefix, sys.executable, "-m", "lineage", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,  # a hang fails here instead of blocking the suite
    )


@pytest.fixture
def graph(tmp_path: Path) -> Path:
    """A valid mini graph in tmp_path/graph."""
    directory = tmp_path / "graph"
    directory.mkdir()
    shutil.copy(MINI, directory / "mini.yaml")
    return directory


def assert_clean(result: subprocess.CompletedProcess[str], code: int = 1) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


@pytest.mark.parametrize("command", [["check"], ["why", "cot"]])
def test_fifo_is_not_a_file_and_does_not_hang(graph: Path, command: list[str]) -> None:
    os.mkfifo(graph / "pipe.yaml")
    result = lineage(graph.parent, *command, "--graph", "graph")
    assert_clean(result)
    assert "graph/pipe.yaml: error: not a regular file (a FIFO) [not-a-file]" in (
        result.stderr
    )


@pytest.mark.parametrize("command", [["check"], ["why", "cot"]])
def test_device_symlink_is_not_read(graph: Path, command: list[str]) -> None:
    os.symlink("/dev/zero", graph / "zero.yaml")
    result = lineage(graph.parent, *command, "--graph", "graph")
    assert_clean(result)
    assert (
        "graph/zero.yaml: error: not a regular file (a character device) "
        "[not-a-file]" in result.stderr
    )


def test_size_limit_applies_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as handle:  # sparse: large, but costs no disk
        handle.truncate(10 * 1024 * 1024 * 1024)
    from lineage.errors import FactError

    with pytest.raises(FactError) as caught:
        read_fact_file(big)
    assert caught.value.code == "too-large"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda g: os.symlink(g / "gone.yaml", g / "dangling.yaml"), "broken symbolic"),
        (lambda g: os.symlink(g / "self.yaml", g / "self.yaml"), "symbolic link loop"),
        (lambda g: (g / "b\udcff.yaml").write_text("models: []\n"), "not valid UTF-8"),
    ],
    ids=["dangling", "self-loop", "non-utf8-name"],
)
def test_bad_entries_do_not_crash_why(graph: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    make(graph)
    for command in (["why", "cot"], ["check"], ["check", "--json"]):
        result = lineage(graph.parent, *command, "--graph", "graph")
        assert_clean(result)
        assert message in result.stderr or message in result.stdout


def test_unreadable_file_and_directory_are_reported(graph: Path) -> None:
    secret = graph / "secret.yaml"
    secret.write_text("models: []\n")
    secret.chmod(0)
    (graph / "locked").mkdir()
    (graph / "locked" / "x.yaml").write_text("models: []\n")
    (graph / "locked").chmod(0)
    try:
        for command in (["why", "cot"], ["check"]):
            result = lineage(
                graph.parent, *command, "--graph", "graph", permissions=True
            )
            assert_clean(result)
            assert (
                "graph/secret.yaml: error: cannot read file: Permission denied "
                "[unreadable]" in result.stderr
            )
            assert (
                "graph/locked: error: cannot read directory: Permission denied "
                "[unreadable]" in result.stderr
            )
    finally:
        (graph / "locked").chmod(0o755)


def test_yml_files_are_loaded(graph: Path) -> None:
    (graph / "extra.yml").write_text("models:\n  - {id: extra, name: Extra}\n")
    facts, problems = load_facts([graph])
    assert problems == []
    assert "extra" in facts.models
    assert any(f.endswith("extra.yml") for f in facts.files)


def test_symlinked_subfolder_is_followed_once(graph: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "more.yaml").write_text("models:\n  - {id: linked, name: Linked}\n")
    os.symlink(elsewhere, graph / "linked")
    os.symlink(graph, graph / "loop")  # a link back up must not recurse forever
    facts, problems = load_facts([graph])
    assert "linked" in facts.models
    assert [p.code for p in problems] == ["symlink-loop"]
    assert problems[0].severity.value == "warning"


def test_check_counts_read_and_skipped(graph: Path) -> None:
    (graph / "README.md").write_text("notes\n")
    (graph / ".#mini.yaml").write_text("editor lock file\n")
    (graph / ".git").mkdir()
    result = lineage(graph.parent, "check", "--graph", "graph")
    assert_clean(result, 0)
    assert result.stdout.startswith(
        "ok: 1 files, 3 skipped (.#mini.yaml, .git, README.md), "
    ), result.stdout
    listing = list_facts([graph])
    assert [p.name for p in listing.files] == ["mini.yaml"]
    assert [Path(s).name for s in listing.skipped] == [
        ".#mini.yaml",
        ".git",
        "README.md",
    ]
