"""The click command group: options, help texts, and the commands that use click.

Each question's body lives in a click-free module (:mod:`.listing`,
:mod:`.questions`, :mod:`.showing`); the commands here parse the options, show
``--help`` and call it. Heavy packages (networkx, rdflib, graphviz, matplotlib,
pyshacl) are imported inside the commands that need them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import IO, Any, TypeVar

import click

from .. import __version__
from . import listing, questions, searching, showing
from .console import ANSWER_LIMIT, LibraryLog, run_guarded

F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """A failed command: ``error: ...`` on stderr, exit 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def graph_option(func: F) -> F:
    return click.option(
        "--graph",
        "graph_dirs",
        multiple=True,
        metavar="DIR",
        help="Fact directory (repeatable: later ones add facts). "
        "Default: ./graph or $LINEAGE_GRAPH.",
    )(func)


def json_option(func: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON (see docs/json.md)."
    )(func)


def limit_options(func: F) -> F:
    """``--limit N`` and ``--all``, passed on as ``limit`` (None: no limit)."""

    @functools.wraps(func)
    def wrapper(*args: Any, limit: int, show_all: bool, **kwargs: Any) -> Any:
        return func(*args, limit=None if show_all else limit, **kwargs)

    wrapper = click.option(
        "--all", "show_all", is_flag=True, help="Show every item of every list."
    )(wrapper)
    wrapper = click.option(
        "--limit",
        type=click.IntRange(min=1),
        default=ANSWER_LIMIT,
        show_default=True,
        metavar="N",
        help="Show at most N items of each long list, and how many were left out.",
    )(wrapper)
    return wrapper  # type: ignore[return-value]


def handle_errors(func: F) -> F:
    """Run a command through :func:`~.console.run_guarded`, collecting what
    rdflib, pyshacl or pyoxigraph log into one warning line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with LibraryLog():
            return run_guarded(func, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def answers_only(func: F) -> F:
    """:func:`handle_errors` for a command that reads the store and nothing else:
    no library log to collect (and no ``logging`` import at start-up)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return run_guarded(func, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


#: Commands defined in other modules, imported only when run (keeps start-up fast).
LAZY_COMMANDS = {
    "tree": "lineage.cli.tree:tree",
    "export": "lineage.cli.rdf:export",
    "sparql": "lineage.cli.rdf:sparql",
    "push": "lineage.cli.rdf:push",
    "emergence": "lineage.cli.emergence:emergence",
    "site": "lineage.cli.site:site",
    "import": "lineage.cli.imports:import_group",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module only when it is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._available()})

    def _available(self) -> list[str]:
        import importlib.util

        return [
            name
            for name, target in LAZY_COMMANDS.items()
            if importlib.util.find_spec(target.partition(":")[0]) is not None
        ]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None or cmd_name not in self._available():
            return command
        import importlib

        module, _, attr = LAZY_COMMANDS[cmd_name].partition(":")
        found = getattr(importlib.import_module(module), attr)
        assert isinstance(found, click.Command)
        return found


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="lineage")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Where did that capability come from?

    Answers provenance questions about language-model capabilities from cited
    facts in graph/*.yaml (Fu, Peng & Khot 2022; Wei et al. 2022).

    \b
    Example:
        lineage why "chain of thought"
        lineage show text-davinci-002
        lineage path davinci chatgpt
    """
    if os.environ.get("NO_COLOR"):  # https://no-color.org: no styles, even on a tty
        ctx.color = False


@cli.command()
@graph_option
@json_option
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option("--fail-fast", is_flag=True, help="Report only the first problem.")
@click.option(
    "--rdf",
    is_flag=True,
    help="Also export RDF and validate it against lineage/outputs/shapes.ttl.",
)
@answers_only
def check(
    graph_dirs: tuple[str, ...], as_json: bool, strict: bool, fail_fast: bool, rdf: bool
) -> None:
    """Validate the facts: every problem, sorted, then a count.

    Exit 0 when there are no errors (warnings too under --strict), 1 otherwise.

    \b
    Example:
        lineage check
        lineage check --graph graph --graph my-facts --strict
    """
    listing.check(graph_dirs, as_json, strict, fail_fast, rdf)


@cli.command()
@graph_option
@json_option
@answers_only
def models(graph_dirs: tuple[str, ...], as_json: bool) -> None:
    """List the models, parents first, with family, release date and parents.

    \b
    Example:
        lineage models
        lineage models --json | jq '.[].id'
    """
    listing.models(graph_dirs, as_json)


@cli.command()
@graph_option
@json_option
@answers_only
def capabilities(graph_dirs: tuple[str, ...], as_json: bool) -> None:
    """List the capabilities (abilities and limitations) with their aliases.

    \b
    Example:
        lineage capabilities
    """
    listing.capabilities(graph_dirs, as_json)


@cli.command()
@graph_option
@json_option
@answers_only
def sources(graph_dirs: tuple[str, ...], as_json: bool) -> None:
    """List the cited sources.

    \b
    Example:
        lineage sources --json
    """
    listing.sources(graph_dirs, as_json)


@cli.command()
@click.argument("capability")
@graph_option
@json_option
@limit_options
@answers_only
def why(
    capability: str, graph_dirs: tuple[str, ...], as_json: bool, limit: int | None
) -> None:
    """Where did CAPABILITY come from? Origin, confidence, evidence, lineage, fate.

    CAPABILITY is an id, name or alias in any case or spelling (CoT, ICL, 思维链).
    A concept of the sources (the alignment tax) prints its definition and the
    claims it links.

    \b
    Example:
        lineage why "chain of thought"
        lineage why ICL --json
        lineage why "alignment tax"
    """
    questions.why(capability, graph_dirs, as_json, limit)


@cli.command()
@click.argument("model")
@graph_option
@json_option
@limit_options
@answers_only
def show(
    model: str, graph_dirs: tuple[str, ...], as_json: bool, limit: int | None
) -> None:
    """Show MODEL (or a family): parents, what it gained, inherited and lost, figures.

    \b
    Example:
        lineage show text-davinci-002
        lineage show GPT-3.5
    """
    showing.show(model, graph_dirs, as_json, limit)


@cli.command()
@click.argument("a")
@click.argument("b")
@graph_option
@json_option
@answers_only
def path(a: str, b: str, graph_dirs: tuple[str, ...], as_json: bool) -> None:
    """The derivation path from model A down to model B, step by step.

    \b
    Example:
        lineage path davinci chatgpt
    """
    questions.path(a, b, graph_dirs, as_json)


@cli.command()
@click.argument("a")
@click.argument("b")
@graph_option
@json_option
@limit_options
@answers_only
def diff(
    a: str, b: str, graph_dirs: tuple[str, ...], as_json: bool, limit: int | None
) -> None:
    """Capabilities that B has and A lacks, and the reverse, with the step responsible.

    \b
    Example:
        lineage diff code-davinci-002 text-davinci-002
    """
    questions.diff(a, b, graph_dirs, as_json, limit)


@cli.command()
@click.argument("stage")
@click.option(
    "--model",
    "-m",
    "model",
    metavar="MODEL",
    help="Only this model (default: every model).",
)
@graph_option
@json_option
@limit_options
@answers_only
def ablate(
    stage: str,
    model: str | None,
    graph_dirs: tuple[str, ...],
    as_json: bool,
    limit: int | None,
) -> None:
    """Counterfactual: which capabilities would be missing without STAGE?

    A capability counts when every claim that supplies it to the model was made
    by STAGE. STAGE is an id, name or alias in any spelling (RLHF, "instruction
    tuning", SFT, 指令微调; see graph/stages.yaml).

    \b
    Example:
        lineage ablate code_training --model chatgpt
        lineage ablate rlhf --json
    """
    questions.ablate(stage, model, graph_dirs, as_json, limit)


@cli.command()
@graph_option
@json_option
@answers_only
def conflicts(graph_dirs: tuple[str, ...], as_json: bool) -> None:
    """Every disagreement the sources hold, once each, grouped by topic.

    Each conflict shows its kind (between sources, within one source, or a
    translation that reads differently from the original) and every side with
    its citation. Records of the `conflicts` section come first; figures that
    disagree and competing explanations are added unless a record covers them.

    \b
    Example:
        lineage conflicts
        lineage conflicts --json
    """
    questions.conflicts(graph_dirs, as_json)


@cli.command()
@click.argument("text", nargs=-1, required=True)
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    help="Only records of this kind: capability, model, family, stage, source, "
    "claim, derivation, figure, emergence, conflict ... (repeatable).",
)
@click.option(
    "--limit",
    "-n",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="At most this many records.",
)
@graph_option
@json_option
@answers_only
def search(
    text: tuple[str, ...],
    kinds: tuple[str, ...],
    limit: int,
    graph_dirs: tuple[str, ...],
    as_json: bool,
) -> None:
    """Search names, aliases, descriptions, claim notes and evidence quotes.

    Every word must occur (in any spelling or inflection; Chinese in order);
    when no record holds them all, records holding some are shown, marked
    "some words". Ranked by BM25, a name weighing more than a quote; one line
    per record with its kind and id, then the matching text.

    \b
    Example:
        lineage search "alignment tax"
        lineage search 3599
        lineage search "absolute positional embedding" --kind derivation
        lineage search RLHF --json --limit 3
    """
    searching.search(text, kinds, limit, graph_dirs, as_json)


def main() -> None:
    """Entry point for ``python -m lineage``."""
    cli(prog_name="lineage")
