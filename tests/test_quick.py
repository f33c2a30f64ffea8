"""The quick path (lineage.cli.quick): the same output as click, without click."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest

from lineage.cli import console, quick

MINI = Path(__file__).parent / "data" / "mini" / "mini.yaml"
BAD = Path(__file__).parent / "data" / "bad"

#: the console entry point, as installed: quick path first, then click
QUICK = "from lineage._entry import main; main()"
#: the same entry point with the quick path switched off: click parses everything
CLICK = (
    "import lineage.cli.quick as q; q.dispatch = lambda argv: False; "
    "from lineage._entry import main; main()"
)

#: argument lists the quick path answers (each compared with click's answer)
ANSWERED = [
    ["why", "chain of thought"],
    ["why", "cot", "--json"],
    ["why", "--limit", "1", "chain-of-thought"],
    ["why", "chain-of-thought", "--limit=2", "--all"],
    ["why", "alignment tax"],
    ["why", "frobnicate the gizmo"],
    ["why", ""],
    ["show", "code-davinci-002"],
    ["show", "GPT-3.5", "--json"],
    ["show", "text-davinci-002", "--limit", "3", "--limit", "1"],
    ["show", "nosuch"],
    ["path", "davinci", "chatgpt"],
    ["path", "chatgpt", "davinci"],
    ["path", "--json", "davinci", "text-davinci-003"],
    ["diff", "code-davinci-002", "text-davinci-002"],
    ["diff", "code-davinci-002", "text-davinci-002", "--json", "--limit", "1"],
    ["ablate", "rlhf"],
    ["ablate", "code training", "--model", "chatgpt"],
    ["ablate", "code_training", "-m", "chatgpt", "--json"],
    ["ablate", "rlhf", "--model=text-davinci-003"],
    ["conflicts"],
    ["conflicts", "--json"],
    ["check"],
    ["check", "--json", "--strict"],
    ["check", "--fail-fast", "--graph", "graph"],
    ["models", "--graph=graph"],
    ["capabilities", "--json"],
    ["sources"],
    ["search", "alignment", "tax"],
    ["search", "RLHF", "--json", "-n", "2"],
    ["search", "--limit=3", "思维链"],
    ["search", "frobnicatory", "gizmo"],
]
#: argument lists left to click (help, usage errors, options the quick path lacks)
DECLINED = [
    [],
    ["--help"],
    ["--version"],
    ["why"],
    ["why", "-h"],
    ["why", "a", "b"],
    ["why", "cot", "--limit", "0"],
    ["why", "cot", "--limit", "x"],
    ["why", "cot", "--limit", "٣"],
    ["why", "cot", "--limit"],
    ["why", "cot", "--graph"],
    ["why", "cot", "--graph", "--json"],
    ["why", "cot", "--jsn"],
    ["why", "--", "cot"],
    ["why", "-"],
    ["path", "davinci"],
    ["path", "davinci", "chatgpt", "--limit", "2"],
    ["ablate", "rlhf", "-mchatgpt"],
    ["ablate", "rlhf", "-m=chatgpt"],
    ["check", "--rdf"],
    ["models", "--all"],
    ["tree"],
    ["export", "--format", "xml"],
    ["export", "-o", "out.rdf"],
    ["export", "--format", "bogus", "-o", "out.nt"],
    ["export", "--format", "NT"],
    ["export", "-o", "out.unknown"],
    ["export", "-o", "-"],
    ["export", "-oout.nt"],
    ["export", "--json"],
    ["export", "--limit", "1"],
    ["export", "extra"],
    ["export", "--help"],
    ["search"],
    ["search", "rlhf", "--kind", "model"],
    ["search", "rlhf", "--all"],
    ["search", "rlhf", "-n0"],
]


#: exports the quick path writes (streamed formats), each compared with click's:
#: stdout, stderr, status and the file written
EXPORTS = [
    ["export", "--format", "nt", "-o", "out.nt"],
    ["export", "-o", "out.ttl"],
    ["export", "--output=out.trig", "--base", "https://example.org/id/"],
    ["export", "--format", "jsonld", "-o", "out.json", "--graph", "graph"],
    ["export", "--format", "nanopub", "-o", "claims.trig"],
    ["export", "-o", "out.nt", "--format", "nt", "--format", "turtle"],
    ["export", "--format", "nt"],
    ["export", "--format=trig", "--base=https://example.org/x#"],
    ["export", "--output=-", "--format", "nanopub"],
    ["export", "--format", "nt", "-o", "missing/out.nt"],
    ["export", "--format", "nt", "-o", "graph"],
    ["export", "--format", "nt", "--graph", "nosuch"],
    ["export", "--format", "nt", "--base", "not an iri"],
]
#: exports left to click, whose errors must read the same whichever path runs
EXPORT_ERRORS = [
    ["export", "--format", "bogus", "-o", "out.nt"],
    ["export", "-o", "out.unknown"],
    ["export", "--format", "nt", "--json"],
]


def _run(code: str, args: list[str], cwd: Path, **env: str) -> tuple[int, str, str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's graph/ in a directory of its own, with a cache of its own."""
    here = tmp_path_factory.mktemp("quick")
    shutil.copytree(Path(__file__).parent.parent / "graph", here / "graph")
    past = time.time() - 60  # not just written: the store may trust what it parsed
    for path in (here / "graph").iterdir():
        os.utime(path, (past, past))
    return here


def _env(workdir: Path) -> dict[str, str]:
    return {"LINEAGE_CACHE_DIR": str(workdir / "cache"), "COLUMNS": "100"}


@pytest.mark.parametrize("args", ANSWERED, ids=" ".join)
def test_quick_path_answers_as_click_does(workdir: Path, args: list[str]) -> None:
    assert quick.parse(args) is not None
    env = _env(workdir)
    assert _run(QUICK, args, workdir, **env) == _run(CLICK, args, workdir, **env)


def _export(
    code: str, args: list[str], cwd: Path, **env: str
) -> tuple[tuple[int, str, str], dict[str, bytes]]:
    """What an export prints, and the files it left (read, then removed)."""
    before = {p.name for p in cwd.iterdir() if p.is_file()}
    printed = _run(code, args, cwd, **env)
    written = {}
    for name in sorted({p.name for p in cwd.iterdir() if p.is_file()} - before):
        written[name] = (cwd / name).read_bytes()
        (cwd / name).unlink()
    return printed, written


@pytest.mark.parametrize("args", EXPORTS + EXPORT_ERRORS, ids=" ".join)
def test_quick_exports_as_click_does(workdir: Path, args: list[str]) -> None:
    answered = args in EXPORTS
    assert (quick.parse(args) is not None) is answered
    env = _env(workdir)
    quick_run = _export(QUICK, args, workdir, **env)
    assert quick_run == _export(CLICK, args, workdir, **env)
    (status, out, err), written = quick_run
    if status == 0:  # the export, in a file or on stdout
        assert (written or out) and "error" not in err
    else:  # one message, no file left behind
        assert not written and err and not out


def test_an_export_does_not_import_click(workdir: Path) -> None:
    code = (
        "import sys; sys.argv = ['lineage', *sys.argv[1:]]\n"
        "from lineage._entry import main\n"
        "main()\n"
        "gone = ('click', 'rdflib', 'logging', 'secrets', 'hmac', 'yaml')\n"
        "print(sorted(m for m in gone if m in sys.modules))"
    )
    args = ["export", "--format", "nt", "-o", "out.nt"]
    status, out, err = _run(code, args, workdir, **_env(workdir))
    (workdir / "out.nt").unlink()
    assert (status, out) == (0, "[]\n"), err


@pytest.mark.parametrize("args", DECLINED, ids=" ".join)
def test_quick_path_leaves_the_rest_to_click(args: list[str]) -> None:
    assert quick.parse(args) is None


def test_usage_errors_still_read_as_click_writes_them(workdir: Path) -> None:
    code, out, err = _run(QUICK, ["why", "cot", "--limit", "0"], workdir)
    assert code == 2 and out == ""
    assert "Invalid value for '--limit': 0 is not in the range x>=1." in err


def test_bad_facts_through_the_quick_path(tmp_path: Path) -> None:
    (tmp_path / "graph").mkdir()
    shutil.copy(BAD / "dangling-model.yaml", tmp_path / "graph" / "bad.yaml")
    env = {"LINEAGE_CACHE_DIR": str(tmp_path / "cache")}
    for args in (["check"], ["show", "davinci"], ["check", "--json"]):
        quick_run = _run(QUICK, args, tmp_path, **env)
        assert quick_run == _run(CLICK, args, tmp_path, **env)
        assert quick_run[0] == 1


def test_a_question_does_not_import_click(workdir: Path) -> None:
    code = (
        "import sys, io, contextlib; sys.argv = ['lineage', *sys.argv[1:]]\n"
        "from lineage._entry import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main()\n"
        "print(sorted(m for m in ('click', 'yaml', 'logging') if m in sys.modules))"
    )
    _run(QUICK, ["check"], workdir, **_env(workdir))  # the store, built
    for args in (
        ["show", "davinci"],
        ["path", "davinci", "chatgpt"],
        ["check"],
        ["search", "cot"],
    ):
        status, out, err = _run(code, args, workdir, **_env(workdir))
        assert (status, out) == (0, "[]\n"), err


def test_style_writes_the_bytes_click_writes() -> None:
    for fg in (None, *console.STAGE_COLOURS.values(), *console.EFFECT_COLOURS.values()):
        for bold in (None, True, False):
            for dim, underline in ((None, None), (True, None), (None, True)):
                styles = {"fg": fg, "bold": bold, "dim": dim, "underline": underline}
                assert console.style("x y", **styles) == click.style("x y", **styles)
    styled = click.style("a", fg="red") + " b " + click.style("c", bold=True)
    assert console.unstyle(styled) == click.unstyle(styled) == "a b c"


def _on_a_terminal(code: str, args: list[str], workdir: Path, **env: str) -> bytes:
    """What a command writes to a terminal (a pseudo-terminal on stdout)."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=workdir,
        env={**os.environ, **_env(workdir), **env},
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait()
    os.close(leader)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "args", [["show", "text-davinci-002"], ["search", "alignment tax"]], ids=" ".join
)
def test_styles_on_a_terminal_as_click_writes_them(
    workdir: Path, args: list[str]
) -> None:
    coloured = _on_a_terminal(QUICK, args, workdir)
    assert b"\x1b[1m" in coloured
    assert coloured == _on_a_terminal(CLICK, args, workdir)
    plain = _on_a_terminal(QUICK, args, workdir, NO_COLOR="1")
    assert b"\x1b[" not in plain
    assert plain == _on_a_terminal(CLICK, args, workdir, NO_COLOR="1")
