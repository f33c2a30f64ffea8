"""Terminal output: fits the terminal's width, never splits an id, honours NO_COLOR
on a real terminal (a pty), and prints unknown values as words."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.api import load_graph
from lineage.cli import cli
from lineage.cli.terminal import table, wrap_styled

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")
IDS = sorted(load_graph([ROOT / "graph"], cache=False).facts.capabilities)


def _in_terminal(args: list[str], cols: int, **env: str) -> str:
    """Run the real command on a pseudo-terminal ``cols`` wide; its output."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "NO_COLOR")}
    environ.update(env, PYTHONPATH=str(ROOT), TERM="xterm")
    proc = subprocess.Popen(
        [sys.executable, "-m", "lineage", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env=environ,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=60) == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def _shown_lines(text: str) -> list[str]:
    """The lines a terminal shows: styles removed, and of a line rewritten in place
    (a build's progress, then the answer) only what was written last."""
    return [
        line.rsplit("\r", 1)[-1].removeprefix("\x1b[K")
        for line in ANSI.sub("", text).split("\n")
    ]


def _too_wide(text: str, cols: int) -> list[str]:
    """Lines wider than ``cols`` that could have been broken (more than one word)."""
    return [
        line
        for line in _shown_lines(text)
        if len(line) > cols and len(line.split()) > 1
    ]


def _split_ids(text: str) -> list[str]:
    """Capability ids broken across two lines ("hierarchy-" then "encoding")."""
    lines = _shown_lines(text)
    return [
        cap
        for cap in IDS
        if "-" in cap
        for a, b in zip(lines, lines[1:], strict=False)
        for cut in [i for i, ch in enumerate(cap) if ch == "-"]
        if a.rstrip().endswith(cap[: cut + 1]) and b.lstrip().startswith(cap[cut + 1 :])
    ]


@pytest.mark.parametrize("cols", [80, 60])
@pytest.mark.parametrize(
    "args",
    [
        ["capabilities"],
        ["why", "chain of thought"],
        ["why", "in-context learning"],
        ["why", "complex reasoning"],
        ["show", "text-davinci-002"],
        ["show", "text-davinci-003"],
        ["diff", "text-davinci-002", "chatgpt"],
        ["diff", "code-davinci-002", "text-davinci-003"],
        ["tree", "--format", "text"],
        ["emergence"],
        ["models"],
    ],
    ids=lambda a: " ".join(a) if isinstance(a, list) else a,
)
def test_output_fits_columns_and_keeps_ids_whole(args: list[str], cols: int) -> None:
    result = CliRunner().invoke(cli, args, env={"COLUMNS": str(cols)})
    assert result.exit_code == 0, result.stderr
    assert _too_wide(result.stdout, cols) == []
    assert _split_ids(result.stdout) == []


def test_piped_tables_keep_one_record_per_line() -> None:
    result = CliRunner().invoke(cli, ["capabilities"])
    rows = result.stdout.splitlines()
    assert len(rows) == 1 + len(IDS)
    assert max(len(r) for r in rows) > 100  # grep-able rows, as before


def test_a_real_terminal_sets_the_width_and_no_color_is_honoured() -> None:
    narrow = _in_terminal(["show", "text-davinci-002"], 72)
    assert ANSI.search(narrow), "a terminal gets colour"
    assert _too_wide(narrow, 72) == [] and _split_ids(narrow) == []
    wide = _in_terminal(["show", "text-davinci-002"], 160)
    assert max(len(ANSI.sub("", line)) for line in wide.splitlines()) > 100
    # the same width again gives the same answer
    again = _in_terminal(["show", "text-davinci-002"], 72)
    assert _shown_lines(again) == _shown_lines(narrow)
    plain = _in_terminal(["show", "text-davinci-002"], 72, NO_COLOR="1")
    assert not ANSI.search(plain)
    assert plain == "\n".join(_shown_lines(narrow))
    tree = _in_terminal(["tree", "--no-capabilities"], 100, NO_COLOR="1")
    assert not ANSI.search(tree)


UNKNOWN = """\
sources:
  - {id: s, title: "A source", authors: [A], year: 2022, url: "https://example.org/s"}
stages:
  - {id: pretraining, name: Pretraining, definition: d}
capabilities:
  - {id: cot, name: Chain-of-thought, kind: ability, description: d}
models:
  - {id: m, name: M}
"""


def test_unknown_values_are_words(write_facts) -> None:  # type: ignore[no-untyped-def]
    graph = str(write_facts(UNKNOWN))
    show = CliRunner().invoke(cli, ["show", "m", "--graph", graph])
    assert show.exit_code == 0, show.stderr
    head = show.stdout.splitlines()[0]
    assert "organization unknown" in head and "release date unknown" in head
    assert "?" not in head
    models = CliRunner().invoke(cli, ["models", "--graph", graph]).stdout
    assert models.splitlines()[1].split() == [
        "m",
        "unknown",
        "unknown",
        "unknown",
        "none",
        "(a",
        "root)",
    ]


def test_wrap_never_breaks_words_and_keeps_styles() -> None:
    styled = (
        "\x1b[1mhierarchy-encoding\x1b[0m, knowledge-storage, zero-shot-generalization"
    )
    lines = wrap_styled(styled, 24, "  ")
    assert [ANSI.sub("", line) for line in lines] == [
        "  hierarchy-encoding,",
        "  knowledge-storage,",
        "  zero-shot-generalization",
    ]
    assert lines[0].startswith("  \x1b[1m")
    words = "one two three four five six seven eight"
    rows = table([["a", words], ["bb", "nine"]], indent="", width=30)
    assert rows == [  # the last column wraps inside its column
        "a   one two three four five",
        "    six seven eight",
        "bb  nine",
    ]
    rows = table([["a", "x", words], ["bb", "y", "nine"]], indent="", width=12)
    assert rows == [  # no room: what does not fit hangs below its row
        "a   x",
        "    one two",
        "    three",
        "    four",
        "    five six",
        "    seven",
        "    eight",
        "bb  y",
        "    nine",
    ]


def test_a_build_says_what_it_reads_on_a_terminal_only(tmp_path: Path) -> None:
    """A store build (minutes at hub scale) shows one progress line on a terminal's
    stderr, erased when done; a build with nothing to do and a build with stderr
    piped show nothing."""
    graph = tmp_path / "g"
    graph.mkdir()
    mini = ROOT / "tests" / "data" / "mini" / "mini.yaml"
    (graph / "mini.yaml").write_bytes(mini.read_bytes())
    env = {"LINEAGE_CACHE_DIR": str(tmp_path / "cache")}
    first = _in_terminal(["check", "--graph", str(graph)], 300, **env)
    *progress, done = first.split("\r\x1b[K")
    assert len(progress) == 3 and progress[0] == ""
    # the file as messages show it (relative to the working directory when shorter)
    assert progress[1].startswith("building the store: reading ")
    assert progress[1].endswith("/g/mini.yaml")
    assert progress[2] == (
        "building the store: checking references, cycles, aliases and dates"
    )
    assert done.startswith("ok:")
    again = _in_terminal(["check", "--graph", str(graph)], 300, **env)
    assert "building the store" not in again and "ok:" in again
    (graph / "mini.yaml").write_bytes(mini.read_bytes() + b"# edited\n")
    narrow = _in_terminal(["check", "--graph", str(graph)], 40, **env)
    shown = narrow.split("\r\x1b[K")[1]  # a long line keeps its end, the name
    assert len(shown) == 39 and shown.startswith("…") and shown.endswith("/g/mini.yaml")
    (graph / "mini.yaml").write_bytes(mini.read_bytes())
    piped = subprocess.run(
        [sys.executable, "-m", "lineage", "check", "--graph", str(graph)],
        capture_output=True,
        text=True,
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert "building" not in piped.stderr + piped.stdout
