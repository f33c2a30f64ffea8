"""Docs stay true: help text, README mentions, README commands and examples."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from lineage.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = cli.list_commands(click.Context(cli))


def test_readme_opens_with_install_and_test_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README, re.S)[:2]
    assert blocks[0] == 'pip install -e . && lineage why "chain of thought"'
    assert blocks[1] == "pip install -e '.[test]' && python -m pytest"
    assert (
        "pip install -e '.[test]' && python -m pytest"
        in (ROOT / ".ci" / "run").read_text()
    )


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_example(name: str) -> None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None and command.help
    assert "Example:" in command.help, name
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "Example:" in result.stdout


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_in_the_readme(name: str) -> None:
    assert f"lineage {name}" in README or f"`{name}`" in README, name


def test_readme_library_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    block = re.search(r"```python\n(.*?)```", README, re.S)
    assert block is not None
    code = block.group(1)
    expected = [line[2:] for line in code.splitlines() if line.startswith("# ")]
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})  # noqa: S102 - our own README
    assert out.getvalue().splitlines() == expected


def test_json_contract_documents_every_json_command() -> None:
    doc = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        assert command is not None
        if any(p.name == "as_json" for p in command.params):
            assert (
                f"lineage {name}" in doc
                or f"`{name}`" in doc
                or f"|{name}" in doc
                or f"{name}|" in doc
            ), name


def _console_examples() -> list[tuple[str, str]]:
    """(command, output) pairs of README's console blocks, untrimmed ones only."""
    pairs = []
    for block in re.findall(r"```console\n(.*?)```", README, re.S):
        command, lines = None, []
        for line in [*block.splitlines(), "$ "]:
            if line.startswith("$ "):
                if command and "..." not in lines and not command.endswith("--plot"):
                    pairs.append((command, "\n".join(lines)))
                command, lines = line[2:], []
            else:
                lines.append(line)
    return [
        (c, o)
        for c, o in pairs
        if c.startswith("lineage ") and " -o " not in c and "--plot" not in c
    ]


@pytest.mark.parametrize(
    ("command", "output"),
    _console_examples(),
    ids=lambda x: x if x.startswith("lineage") else "",
)
def test_readme_console_output_is_current(
    command: str, output: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shlex

    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, shlex.split(command)[1:])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.rstrip("\n") == output.rstrip("\n"), (
        f"README output of `{command}` is stale; paste the new output"
    )


def _leaf_commands() -> dict[str, click.Command]:
    """Every command by its full name (``import hf`` for a group's subcommand)."""
    ctx = click.Context(cli)
    found: dict[str, click.Command] = {}
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            for sub in command.list_commands(ctx):
                leaf = command.get_command(ctx, sub)
                assert leaf is not None
                found[f"{name} {sub}"] = leaf
        else:
            found[name] = command
    return found


def test_readme_says_exactly_which_commands_take_graph_and_json() -> None:
    start = README.index(
        "Every command (for `import`, each importer) takes `--graph DIR`"
    )
    para = README[start : README.index("Exit codes", start)]
    json_part = para[para.index("take `--json`") : para.index("The others")]
    listed = set(re.findall(r"`([a-z][a-z -]*)`", " ".join(json_part.split())))
    leaves = _leaf_commands()
    takes_json = {
        n for n, c in leaves.items() if any(p.name == "as_json" for p in c.params)
    }
    assert listed == takes_json
    for name, command in leaves.items():
        options = {o for p in command.params for o in p.opts}
        assert "--graph" in options, f"lineage {name} has no --graph"
        graph = next(p for p in command.params if "--graph" in p.opts)
        assert graph.metavar == "DIR", (
            f"lineage {name}: --graph is not a fact directory"
        )
