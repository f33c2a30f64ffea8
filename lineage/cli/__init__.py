"""The ``lineage`` command line: parse arguments, call the library, print.

Heavy packages (networkx, rdflib, graphviz, matplotlib, pyshacl) are imported inside
the commands that need them, so ``lineage why`` starts fast.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterable
from typing import IO, Any, TypeVar

import click

from .. import __version__
from ..errors import (
    FactError,
    FactsInvalid,
    LineageError,
    Problem,
    Severity,
    UnknownNameError,
    shown,
)

F = TypeVar("F", bound=Callable[..., Any])

STAGE_COLOURS = {
    "pretraining": "blue",
    "code_training": "green",
    "instruction_tuning": "yellow",
    "rlhf": "magenta",
    "continued_pretraining": "cyan",
    "fine_tuning": "yellow",
    "adapter_training": "green",
    "preference_tuning": "magenta",
    "distillation": "cyan",
    "quantization": "white",
    "merging": "red",
    "unspecified": "white",
}
EFFECT_COLOURS = {
    "gained": "green",
    "strengthened": "green",
    "recovered": "cyan",
    "weakened": "yellow",
    "lost": "red",
    "has": "magenta",
    "lacks": "green",
}
CONFIDENCE_COLOURS = {
    "established": "green",
    "likely": "cyan",
    "hypothesis": "yellow",
    "speculative": "red",
}


class Failure(click.ClickException):
    """A failed command: ``error: ...`` on stderr, exit 1."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


from ..shipped import choose_graph, default_graph  # noqa: E402
from .terminal import table as table  # noqa: E402 - re-exported for the command modules
from .terminal import terminal_width, wrap, wrap_styled  # noqa: E402


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


#: default number of items each long list of an answer shows (``--limit``)
ANSWER_LIMIT = 25


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


def echo_omitted(data: dict[str, Any], answer: str) -> None:
    from ..report import omitted_lines

    for line in omitted_lines(data, answer):
        click.echo(click.style(line, dim=True))


def report_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        colour = "red" if problem.severity is Severity.ERROR else "yellow"
        text = str(problem)
        marker = f": {problem.severity.value}:"
        head, _, tail = text.partition(marker)
        click.echo(head + click.style(marker, fg=colour, bold=True) + tail, err=True)


def count_line(problems: list[Problem], files: int) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    return (
        f"{errors} error{'s' * (errors != 1)}, {warnings} "
        f"warning{'s' * (warnings != 1)} in {files} file{'s' * (files != 1)}"
    )


def skipped_note(skipped: tuple[str, ...], shown: int = 5) -> str:
    """``"3 skipped (a, b, c), "``: the entries of the graph directories not read."""
    if not skipped:
        return ""
    names = [os.path.basename(s) for s in skipped[:shown]]
    more = ", ..." if len(skipped) > shown else ""
    return f"{len(skipped)} skipped ({', '.join(names)}{more}), "


class LibraryLog:
    """Collects what rdflib and friends log, for one warning line at the end.

    Their records carry tracebacks (rdflib logs one for every literal it cannot
    convert); a user needs to know that something was odd, not the stack.
    ``logging`` is imported on entering, so commands that use none of these
    libraries (the questions) do not pay for it.
    """

    LOGGERS = ("rdflib", "pyoxigraph", "pyshacl", "owlrl")

    def __init__(self) -> None:
        self.records: list[Any] = []
        self._saved: list[tuple[Any, bool]] = []
        self._handler: Any = None

    def __enter__(self) -> LibraryLog:
        import logging

        records = self.records

        class _Collect(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                records.append(record)

        self._handler = _Collect(logging.WARNING)
        for name in self.LOGGERS:
            logger = logging.getLogger(name)
            self._saved.append((logger, logger.propagate))
            logger.addHandler(self._handler)
            logger.propagate = False
        return self

    def __exit__(self, *exc: object) -> None:
        for logger, propagate in self._saved:
            logger.removeHandler(self._handler)
            logger.propagate = propagate
        if self.records:
            click.echo(self.summary(), err=True)

    def summary(self) -> str:
        first = self.records[0]
        text = first.getMessage()
        if first.exc_info and first.exc_info[1] is not None:
            text += f" ({first.exc_info[1]})"
        more = len(self.records) - 1
        tail = f" (and {more} more message{'s' * (more != 1)})" if more else ""
        return f"warning: {first.name.partition('.')[0]}: {shown(text, 300)}{tail}"


def handle_errors(func: F) -> F:
    """Turn library errors into clean messages and exit codes (never a traceback).

    Also: a closed pipe on stdout ends quietly with status 141, an output error
    (full disk, closed stdout) is one ``error:`` line, and library log records
    become one warning line (see :func:`answers_only` for commands that use no
    library that logs).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with LibraryLog():
            return _run_guarded(func, args, kwargs)

    return wrapper  # type: ignore[return-value]


def answers_only(func: F) -> F:
    """:func:`handle_errors` for a command that reads the store and nothing else:
    no rdflib, pyshacl or pyoxigraph, so no library log to collect (and no
    ``logging`` import at start-up)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return _run_guarded(func, args, kwargs)

    return wrapper  # type: ignore[return-value]


#: the command that answers about a record of each kind (for "try ..." hints)
KIND_COMMANDS = {
    "capability": "lineage why {}",
    "model": "lineage show {}",
    "family": "lineage show {}",
    "stage": "lineage ablate {}",
    "source": "lineage sources",
}


def unknown_name_text(exc: UnknownNameError) -> str:
    """The error for a name that leads nowhere: closest records, ranked, then hints."""
    import shlex

    lines = [str(exc)]
    if len(exc.suggestions) > 1:
        lines.append("closest, best first (score: see docs/json.md, Suggestions):")
        rows = [
            [
                m.id,
                m.kind,
                f"{m.score:.2f}",
                f"via '{m.label}'" if m.label != m.id else "",
            ]
            for m in exc.suggestions
        ]
        lines.extend(table(rows))
    if exc.kind == "stage":
        from ..facts.model import Stage

        lines.append("stages: " + ", ".join(s.value for s in Stage))
    if exc.elsewhere is not None:
        hit = exc.elsewhere
        lines.append(
            f"'{exc.name}' is the {hit.kind} {hit.id}: try "
            + KIND_COMMANDS[hit.kind].format(hit.id)
        )
    lines.append(
        f"to search names, descriptions and evidence: lineage search {shlex.quote(exc.name)}"
    )
    return "\n".join(lines)


def resolve_name(index: Any, text: str, kinds: tuple[str, ...]) -> tuple[str, str]:
    """``(kind, id)`` of the record ``text`` names; says on stderr what it took."""
    from ..facts.fold import normalize

    match = index.words.resolve(text, kinds)
    if normalize(text) != normalize(match.id):
        what = f"{match.kind} {match.id}" if len(kinds) > 1 else match.id
        click.echo(f'taking "{text}" as {what}', err=True)
    return match.kind, match.id


def _run_guarded(func: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    from .._entry import EXIT_CLOSED_PIPE, OUTPUT_ERRNOS, silence_stdout

    try:
        return func(*args, **kwargs)
    except BrokenPipeError:
        silence_stdout()
        raise click.exceptions.Exit(EXIT_CLOSED_PIPE) from None
    except OSError as exc:
        if exc.errno not in OUTPUT_ERRNOS:
            raise
        msg = f"cannot write to standard output: {exc.strerror or exc}"
        raise Failure(msg) from None
    except FactsInvalid as exc:
        report_problems(exc.problems)
        files = exc.files or len({p.path for p in exc.problems})
        click.echo(count_line(exc.problems, files), err=True)
        raise click.exceptions.Exit(1) from None
    except FactError as exc:
        report_problems([exc.problem])
        raise click.exceptions.Exit(1) from None
    except UnknownNameError as exc:
        raise Failure(unknown_name_text(exc)) from None
    except LineageError as exc:
        raise Failure(str(exc)) from None


def load(graph_dirs: tuple[str, ...]) -> Any:
    from ..api import load_graph

    return load_graph(graph_dirs or default_graph())


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def style_stage(stage: str | None) -> str:
    if stage is None:
        return click.style("(no stage)", dim=True)
    return click.style(stage, fg=STAGE_COLOURS.get(stage), bold=True)


def style_confidence(conf: str) -> str:
    return click.style(f"[{conf}]", fg=CONFIDENCE_COLOURS.get(conf))


def style_effect(effect: str) -> str:
    """The effect in words ('has the limitation' for 'has'), coloured."""
    from ..facts.model import Effect

    words = Effect(effect).words if effect in Effect.__members__.values() else effect
    return click.style(words, fg=EFFECT_COLOURS.get(effect))


def echo_long(text: str, subsequent: str = "    ") -> None:
    """One line, wrapped at the terminal's width (piped: as it is)."""
    for line in wrap_styled(text, terminal_width(), "", subsequent):
        click.echo(line)


def echo_evidence(evidence: list[dict[str, str]], indent: str = "    ") -> None:
    for ev in evidence:
        echo_long(
            f"{indent}- {click.style(ev['source'], bold=True)}, {ev['locator']}",
            indent + "  ",
        )
        for line in wrap(f"“{ev['note']}”", indent + "  "):
            click.echo(click.style(line, dim=True))


def claim_note(claim: dict[str, Any]) -> str | None:
    """``recovered (partly; still below code-davinci-002) — cause: ...`` or None."""
    from ..facts.model import change_note

    return change_note(
        claim["effect"],
        bool(claim.get("partial")),
        claim.get("still_below"),
        claim.get("cause"),
    )


def claim_row(claim: dict[str, Any], lead: str) -> list[str]:
    """A table row: LEAD, effect, stage, confidence, first evidence."""
    first = claim["evidence"][0]
    return [
        click.style(lead, bold=True),
        style_effect(claim["effect"]) + (" (partly)" if claim.get("partial") else ""),
        style_stage(claim["stage"]),
        style_confidence(claim["confidence"]),
        f"{first['source']}, {first['locator']}",
    ]


def chain_text(steps: list[dict[str, Any]], start: str) -> str:
    text = click.style(start, bold=True)
    for step in steps:
        label = f"{step['stage']}, {step['confidence']}"
        text += (
            " ─("
            + click.style(label, fg=STAGE_COLOURS.get(step["stage"]))
            + ")→ "
            + click.style(step["to"], bold=True)
        )
    return text


#: Commands defined in other modules, imported only when run (keeps start-up fast).
LAZY_COMMANDS = {
    "tree": "lineage.cli.tree:tree",
    "export": "lineage.cli.rdf:export",
    "sparql": "lineage.cli.rdf:sparql",
    "push": "lineage.cli.rdf:push",
    "emergence": "lineage.cli.emergence:emergence",
    "site": "lineage.cli.site:site",
    "import": "lineage.cli.imports:import_group",
    "search": "lineage.cli.search:search",
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


# --- facts --------------------------------------------------------------------------


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
    from ..api import check_facts

    chosen = choose_graph(graph_dirs)
    index, problems = check_facts(chosen.directories)
    if fail_fast:
        problems = problems[:1]
    failing = [p for p in problems if p.severity is Severity.ERROR or strict]
    shapes_report: list[str] = []
    shacl_nodes: int | None = None
    shapes = 0
    if rdf and not failing:
        with LibraryLog():  # rdflib and pyshacl log; the rest of check uses neither
            conforms, shapes_report, shacl_nodes, shapes = _shacl(index)
        if not conforms:
            failed = Problem(
                "<rdf>",
                0,
                0,
                Severity.ERROR,
                f"the RDF export does not conform to shapes "
                f"({shacl_nodes} nodes checked against {shapes} shapes)",
                "shacl",
            )
            failing.append(failed)
            problems = [*problems, failed]  # printed and counted like any other
    files = len(index.facts.files)
    if as_json:
        emit_json(
            {
                "ok": not failing,
                "files": files,
                "skipped": list(index.facts.skipped),
                "counts": index.facts.counts(),
                "problems": [
                    {
                        "path": p.path,
                        "line": p.line,
                        "column": p.column,
                        "severity": p.severity.value,
                        "message": p.message,
                        "code": p.code,
                    }
                    for p in problems
                ],
                "shacl": shapes_report,
                "shacl_nodes": shacl_nodes,
                "graph": {
                    "directories": list(chosen.directories),
                    "source": chosen.source,
                },
            }
        )
    else:
        report_problems(problems)
        for line in shapes_report:
            click.echo(line, err=True)
        if problems or failing:
            click.echo(count_line(problems, files), err=True)
        if not failing:
            counts = index.facts.counts()
            summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
            click.echo(
                f"ok: {files} files, {skipped_note(index.facts.skipped)}{summary}"
            )
            if shacl_nodes is not None:
                click.echo(
                    f"ok: SHACL validated {shacl_nodes} nodes of the RDF export "
                    f"against {shapes} shapes (lineage/outputs/shapes.ttl): conforms"
                )
            click.echo(f"graph: {chosen.describe()}")
    if failing:
        raise click.exceptions.Exit(1)


def _shacl(index: Any) -> tuple[bool, list[str], int, int]:
    """Validate the RDF export: (conforms, report lines, nodes checked, shapes)."""
    from ..outputs.rdf import DEFAULT_BASE, to_rdf
    from ..outputs.shacl import count_targets, validate_graph

    data = to_rdf(index, DEFAULT_BASE)
    conforms, lines = validate_graph(data)
    nodes, shapes = count_targets(data)
    return conforms, lines, nodes, shapes


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
    index = load(graph_dirs)
    rows = []
    data = []
    for mid in index.topo(set(index.facts.models)):
        m = index.facts.models[mid]
        parents = [d.parent for d in index.parents.get(mid, ())]
        data.append(
            {
                "id": m.id,
                "name": m.name,
                "family": m.family,
                "organization": m.organization,
                "released": m.released,
                "paper_date": m.paper_date,
                "parents": parents,
                "aliases": list(m.aliases),
            }
        )
        rows.append(
            [
                click.style(m.id, bold=True),
                m.family or "unknown",
                m.date_label if m.date else "unknown",
                m.organization or "unknown",
                ", ".join(parents) or "none (a root)",
            ]
        )
    if as_json:
        emit_json(data)
        return
    for line in table(
        [["MODEL", "FAMILY", "RELEASED", "ORGANIZATION", "PARENTS"], *rows], indent=""
    ):
        click.echo(line)


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
    index = load(graph_dirs)
    caps = index.facts.capabilities.values()
    if as_json:
        emit_json(
            [
                {
                    "id": c.id,
                    "name": c.name,
                    "kind": c.kind.value,
                    "aliases": list(c.aliases),
                    "broader": list(c.broader),
                    "description": c.description,
                }
                for c in caps
            ]
        )
        return
    rows = [["CAPABILITY", "KIND", "BROADER", "ALIASES"]]
    for c in sorted(caps, key=lambda c: (c.kind.value, c.id)):
        rows.append(
            [
                click.style(c.id, bold=True),
                c.kind.value,
                ", ".join(c.broader) or "none",
                ", ".join(c.aliases),
            ]
        )
    for line in table(rows, indent=""):
        click.echo(line)


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
    index = load(graph_dirs)
    srcs = index.facts.sources.values()
    if as_json:
        from ..report import source_json

        emit_json([source_json(s) for s in srcs])
        return
    for s in srcs:
        authors = ", ".join(s.authors[:3]) + (" et al." if len(s.authors) > 3 else "")
        click.echo(f"{click.style(s.id, bold=True)}  {authors} ({s.year}). {s.title}")
        click.echo(click.style(f"    {s.url}", dim=True))
        if s.translation:
            for line in wrap(f"note: {s.translation}", "    "):
                click.echo(click.style(line, fg="yellow"))


# --- provenance ---------------------------------------------------------------------


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
    from ..provenance.query import find_origins
    from ..report import limit_answer, why_json

    index = load(graph_dirs)
    words = index.words
    if not words.lookup(capability, ("capability",)) and words.lookup(
        capability, ("concept",)
    ):  # a concept's name, and no capability's: the concept
        _why_concept(
            index, resolve_name(index, capability, ("concept",))[1], as_json, limit
        )
        return
    _, cap_id = resolve_name(index, capability, ("capability",))
    data = limit_answer(why_json(find_origins(index, cap_id, limit)), "why", limit)
    if as_json:
        emit_json(data)
        return
    cap = data["capability"]
    click.echo(
        click.style(cap["name"], bold=True) + click.style(f"  ({cap['id']})", dim=True)
    )
    if cap["aliases"]:
        echo_long(click.style("  also: " + ", ".join(cap["aliases"]), dim=True))
    for line in wrap(cap["description"], "  "):
        click.echo(line)
    if data["broader"] or data["narrower"]:
        echo_long(
            click.style(
                f"  broader: {', '.join(data['broader']) or 'none'}   "
                f"narrower: {', '.join(data['narrower']) or 'none'}",
                dim=True,
            )
        )
    limitation = cap["kind"] == "limitation"
    if not data["origins"]:
        what = (
            "model is recorded to have this limitation"
            if limitation
            else ("origin is recorded for this capability")
        )
        click.echo(f"\nNo {what}.")
        if data["narrower"]:
            click.echo(f"Try a narrower one: {', '.join(data['narrower'])}")
    if limitation:
        _echo_limitation_holders(index, data["origins"])
    for origin in [] if limitation else data["origins"]:
        _echo_origin(origin, cap["kind"])
    for title, key in (
        ("Also observed in (models outside this lineage):", "also_observed_in"),
        ("Supporting evidence from:", "supporting_evidence"),
    ):
        if data[key]:
            click.echo("")
            click.echo(click.style(title, bold=True))
            rows = [claim_row(c, c["model"]) for c in data[key]]
            notes = [
                " — ".join(
                    x
                    for x in (
                        f"supports {c['supports']}" if c.get("supports") else None,
                        claim_note(c),
                    )
                    if x
                )
                or None
                for c in data[key]
            ]
            for line in table(rows, notes=notes):
                click.echo(line)
    shown = {
        o["claim"]
        for key in ("origins", "also_observed_in", "supporting_evidence")
        for o in data[key]
    }
    later = [h for h in data["history"] if h["claim"] not in shown]
    if later:
        click.echo("")
        click.echo(
            click.style(
                "Elsewhere in the lineage:" if limitation else "What happened next:",
                bold=True,
            )
        )
        rows = [claim_row(h, h["model"]) for h in later]
        for line in table(rows, notes=[claim_note(h) for h in later]):
            click.echo(line)
    if data["emergence"]:
        click.echo("")
        click.echo(click.style("Emerges with scale (Wei et al. 2022):", bold=True))
        from ..provenance.emergence import format_flops, format_parameters

        rows = [
            [
                row["task"],
                row["setting"],
                row["model"],
                "FLOPs unknown"
                if row["training_flops"] is None
                else format_flops(row["training_flops"]) + " FLOPs",
                format_parameters(row["parameters"]),
                row["locator"],
            ]
            for row in data["emergence"]
        ]
        for line in table(rows):
            click.echo(line)
    echo_omitted(data, "why")


def _why_concept(index: Any, concept: str, as_json: bool, limit: int | None) -> None:
    """``why`` for a concept: its definition, cited, and the claims it links."""
    from ..provenance.query import explain_concept
    from ..report import concept_json, limit_answer

    data = limit_answer(concept_json(explain_concept(index, concept)), "concept", limit)
    if as_json:
        emit_json(data)
        return
    c = data["concept"]
    click.echo(
        click.style(c["name"], bold=True)
        + click.style(f"  (concept {c['id']})", dim=True)
    )
    if c["aliases"]:
        echo_long(click.style("  also: " + ", ".join(c["aliases"]), dim=True))
    for line in wrap(c["definition"], "  "):
        click.echo(line)
    if c["note"]:
        for line in wrap(c["note"], "  "):
            click.echo(click.style(line, dim=True))
    click.echo("  defined in the sources:")
    echo_evidence(c["evidence"])
    click.echo("")
    if not data["examples"]:
        click.echo("No claim is linked to this concept.")
    else:
        click.echo(click.style("Claims it links:", bold=True))
        rows = [
            [
                click.style(x["model"], bold=True),
                x["capability"],
                style_effect(x["effect"]) + (" (partly)" if x["partial"] else ""),
                style_stage(x["stage"]),
                style_confidence(x["confidence"]),
            ]
            for x in data["examples"]
        ]
        for line in table(rows, notes=[claim_note(x) for x in data["examples"]]):
            click.echo(line)
    echo_omitted(data, "concept")


def _echo_origin(origin: dict[str, Any], kind: str) -> None:
    """One ``Origin:`` block of ``why``: the claim, its cause, lineage, evidence."""
    from ..facts.model import effect_label

    stage = origin["stage"] or "?"
    effect = effect_label(
        origin["effect"], bool(origin["partial"]), origin["still_below"]
    )
    said = effect  # a limitation's holders are shown by _echo_limitation_holders
    click.echo("")
    echo_long(
        f"{click.style('Origin:', bold=True)} {said} by "
        f"{style_stage(stage)} at {click.style(origin['model'], bold=True)} "
        f"{style_confidence(origin['confidence'])}"
        + (click.style("  contested", fg="red") if origin["contested"] else "")
    )
    if origin["mechanism"]:
        click.echo(f"  mechanism: {origin['mechanism']}")
    if origin["cause"]:
        for line in wrap(f"cause: {origin['cause']}", "  "):
            click.echo(line)
    if origin["note"]:
        for line in wrap(origin["note"], "  "):
            click.echo(line)
    echo_long("  lineage: " + chain_text(origin["steps"], origin["lineage"][0]))
    click.echo("  evidence:")
    echo_evidence(origin["evidence"])
    for alt in origin["alternatives"]:
        echo_long(
            f"  {click.style('alternative:', fg='yellow')} "
            f"{alt['effect']} by {style_stage(alt['stage'])} at "
            f"{alt['model']} {style_confidence(alt['confidence'])}"
        )
        if alt["cause"]:
            for line in wrap(f"cause: {alt['cause']}", "    "):
                click.echo(line)
        if alt["note"]:
            for line in wrap(alt["note"], "    "):
                click.echo(line)
        echo_evidence(alt["evidence"], "    ")


def _echo_limitation_holders(index: Any, origins: list[dict[str, Any]]) -> None:
    """``why`` for a limitation: who has it, one block per family statement.

    A limitation has no origin like an ability: the sources observe it at a model
    or state it for a whole family, so the claims stated for one family are shown
    together (members listed, notes and evidence each once).
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    last = len(index.order)
    for origin in sorted(origins, key=lambda o: index.order.get(o["model"], last)):
        groups.setdefault(origin["stated_for"] or origin["claim"], []).append(origin)
    for claims in groups.values():
        head = claims[0]
        family = head["stated_for"]
        confidences = list(dict.fromkeys(c["confidence"] for c in claims))
        click.echo("")
        if family:
            fam = index.facts.families.get(family)
            name = fam.name if fam else family
            echo_long(
                f"{click.style('Has the limitation:', bold=True)} every member of "
                f"the family {click.style(name, bold=True)} (the source states it "
                "for the whole family) "
                + " ".join(style_confidence(c) for c in confidences)
            )
            echo_long(
                "  members: "
                + ", ".join(click.style(c["model"], bold=True) for c in claims)
            )
        else:
            stage = f" (by {style_stage(head['stage'])})" if head["stage"] else ""
            echo_long(
                f"{click.style('Has the limitation:', bold=True)} "
                f"{click.style(head['model'], bold=True)}{stage} "
                f"{style_confidence(head['confidence'])}"
                + (click.style("  contested", fg="red") if head["contested"] else "")
            )
        for cause in dict.fromkeys(c["cause"] for c in claims if c.get("cause")):
            for line in wrap(f"cause: {cause}", "  "):
                click.echo(line)
        notes = list(dict.fromkeys(c["note"] for c in claims if c["note"]))
        for note in notes:
            at = [c["model"] for c in claims if c["note"] == note]
            prefix = f"at {', '.join(at)}: " if family and len(notes) > 1 else ""
            for line in wrap(prefix + note, "  "):
                click.echo(line)
        if not family:
            echo_long("  lineage: " + chain_text(head["steps"], head["lineage"][0]))
        click.echo("  evidence:")
        seen: dict[tuple[str, str, str], dict[str, str]] = {}
        for c in claims:
            for ev in c["evidence"]:
                seen.setdefault((ev["source"], ev["locator"], ev["note"]), ev)
        echo_evidence(list(seen.values()))


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
    from ..provenance.query import show_family, show_model
    from ..report import family_json, limit_answer, model_json

    index = load(graph_dirs)
    kind, rid = resolve_name(index, model, ("model", "family"))
    if kind == "family":
        fam = limit_answer(family_json(show_family(index, rid)), "family", limit)
        if as_json:
            emit_json(fam)
            return
        f = fam["family"]
        click.echo(
            click.style(f["name"], bold=True) + f"  (family {f['id']}, "
            f"{f['organization'] or 'unknown organization'})"
        )
        if f["description"]:
            for line in wrap(f["description"], "  "):
                click.echo(line)
        echo_long("  members: " + (", ".join(fam["members"]) or "none recorded"))
        _echo_stated(index, fam["stated_for_family"])
        _echo_figures(fam["figures"])
        echo_omitted(fam, "family")
        return
    data = limit_answer(model_json(show_model(index, rid)), "show", limit)
    if as_json:
        emit_json(data)
        return
    m = data["model"]
    echo_long(
        click.style(m["name"], bold=True)
        + click.style(
            f"  ({m['id']}; {m['family'] or 'no family'}; {m['organization'] or 'organization unknown'}; "
            f"{_released(m)})",
            dim=True,
        )
    )
    if m["description"]:
        for line in wrap(m["description"], "  "):
            click.echo(line)
    for label, key in (
        ("Papers", "papers"),
        ("Open-source approximations", "approximations"),
    ):
        if m[key]:
            named = ", ".join(_short_name(index.facts, rid) for rid in m[key])
            echo_long(f"  {label}: {named}")
    for ident in data["identifiers"]:
        cited = ident["evidence"][0] if ident["evidence"] else None
        where = f" ({cited['source']}, {cited['locator']})" if cited else ""
        echo_long(f"  also known as: {ident['scheme']} '{ident['value']}'{where}")
    click.echo("")
    if data["parents"]:
        for p in data["parents"]:
            echo_long(
                f"{click.style('Parent:', bold=True)} {p['model']} by "
                f"{style_stage(p['stage'])} {style_confidence(p['confidence'])}"
            )
            if p["note"]:
                for line in wrap(p["note"], "  "):
                    click.echo(click.style(line, dim=True))
    else:
        click.echo(click.style("Root model", bold=True) + " (no recorded parent)")
    for title, key, effects in (
        ("Gained here", "gained", ("gained", "strengthened", "recovered")),
        ("Weakened here", "weakened", ("weakened",)),
        ("Lost here", "lost", ("lost",)),
    ):
        if not data[key]:
            continue
        click.echo(click.style(f"{title}:", bold=True))
        listed = [
            c
            for c in data["claims"]
            if c["effect"] in effects
            and c["capability"] in data[key]
            and c["alternative_to"] is None
        ]
        rows = [claim_row(c, c["capability"]) for c in listed]
        for line in table(rows, notes=[claim_note(c) for c in listed]):
            click.echo(line)
    if data["inherited"]:
        click.echo(click.style("Inherited:", bold=True))
        for line in wrap(", ".join(data["inherited"]), "  "):
            click.echo(line)
    _echo_limitations(index, data)
    if data["children"]:
        echo_long(
            click.style("Children:", bold=True)
            + " "
            + ", ".join(f"{c['model']} ({c['stage']})" for c in data["children"]),
            "  ",
        )
    _echo_figures(data["figures"])
    _echo_conflicts(data["conflicts"])
    echo_omitted(data, "show")


def _echo_conflicts(conflicts: list[dict[str, Any]]) -> None:
    """``show``'s recorded and derived disagreements about the model, sides cited."""
    if not conflicts:
        return
    click.echo(click.style("Conflicts:", bold=True) + "  (lineage conflicts: all)")
    for c in conflicts:
        for line in wrap_styled(
            f"{c['topic']}  " + click.style(f"({c['kind']}; {c['id']})", dim=True),
            terminal_width(),
            "  ",
            "      ",
        ):
            click.echo(line)
        for side in c["sides"]:
            cited = side["evidence"][0] if side["evidence"] else None
            where = f" — {cited['source']}, {cited['locator']}" if cited else ""
            said = ("translation: " if side["translation"] else "") + side["says"]
            for line in wrap_styled(
                f"· {said}" + click.style(where, dim=True),
                min(terminal_width() or 88, 100),
                "    ",
                "      ",
            ):
                click.echo(line)


def _echo_stated(index: Any, claims: list[dict[str, Any]]) -> None:
    """``show FAMILY``: what the sources state of every member."""
    from ..facts.model import Kind, limitation_text

    if not claims:
        return
    click.echo(click.style("Stated for every member:", bold=True))
    rows = []
    for c in claims:
        cap = index.facts.capabilities.get(c["capability"])
        name = cap.name if cap else c["capability"]
        limited = cap is not None and cap.kind is Kind.LIMITATION
        rows.append(
            [
                click.style(c["capability"], bold=True),
                style_effect(c["effect"])
                + ": "
                + (limitation_text(name) if limited else name),
                style_confidence(c["confidence"]),
                f"{c['evidence'][0]['source']}, {c['evidence'][0]['locator']}",
            ]
        )
    for line in table(rows):
        click.echo(line)


def _echo_limitations(index: Any, data: dict[str, Any]) -> None:
    """``show``'s limitations: had here (cited), inherited, no longer had."""
    from ..facts.model import limitation_text

    caps = index.facts.capabilities

    def says(cap: str) -> str:
        return limitation_text(caps[cap].name) if cap in caps else cap

    for title, effect in (
        ("Has the limitations", "has"),
        ("No longer has the limitations", "lacks"),
    ):
        rows = []
        for c in data["claims"]:
            if c["effect"] != effect or c["alternative_to"] is not None:
                continue
            fam = index.facts.families.get(c["stated_for"] or "")
            rows.append(
                [
                    click.style(c["capability"], bold=True),
                    says(c["capability"]),
                    style_confidence(c["confidence"]),
                    f"stated for all of {fam.name}" if fam else "at this model",
                    f"{c['evidence'][0]['source']}, {c['evidence'][0]['locator']}",
                ]
            )
        if rows:
            click.echo(click.style(f"{title}:", bold=True))
            for line in table(rows):
                click.echo(line)
    inherited = [c for c in data["limitations"] if c not in data["has_limitations"]]
    if inherited:
        click.echo(click.style("Has the limitations (inherited):", bold=True))
        for line in wrap(", ".join(f"{c} ({says(c)})" for c in inherited), "  "):
            click.echo(line)


def _echo_figures(figures: list[dict[str, Any]]) -> None:
    if not figures:
        return
    click.echo(click.style("Figures:", bold=True))
    rows = []
    for f in figures:
        what = f["property"] + (f" ({f['qualifier']})" if f["qualifier"] else "")
        value = f["value"]
        shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        rows.append([what, f"{shown} {f['unit']}", f"{f['source']}, {f['locator']}"])
    for line in table(rows):
        click.echo(line)


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
    from ..provenance.query import path_between
    from ..report import path_json

    index = load(graph_dirs)
    a_id, b_id = _two_models(index, a, b)
    data = path_json(path_between(index, a_id, b_id))
    if as_json:
        emit_json(data)
        return
    rows = [
        [
            click.style(s["from"], bold=True),
            "→",
            click.style(s["to"], bold=True),
            style_stage(s["stage"]),
            style_confidence(s["confidence"]),
        ]
        for s in data["steps"]
    ]
    if not rows:
        click.echo(f"{a_id} is {b_id}: an empty path")
    for line in table(rows, indent=""):
        click.echo(line)


MODEL_OR_FAMILY = ("model", "family")


def _model(index: Any, name: str) -> tuple[str, str]:
    """The model ``name`` names; a family stands for its root model."""
    kind, rid = resolve_name(index, name, MODEL_OR_FAMILY)
    return ("model", _root(index, rid)) if kind == "family" else (kind, rid)


def _root(index: Any, family: str, other: str | None = None) -> str:
    """The root model of ``family``; ``other`` (the far end of a path) picks
    among several roots. Several left: an error listing them."""
    from ..store.names import family_roots

    roots = family_roots(index, family)
    if len(roots) > 1 and other is not None:
        linked = index.ancestors(other) | index.descendants(other)
        roots = [r for r in roots if r in linked] or roots
    if len(roots) == 1:
        click.echo(f"taking the family {family} as its root model {roots[0]}", err=True)
        return str(roots[0])
    if roots:
        msg = (
            f"the family {family} has {len(roots)} root models: "
            f"{', '.join(roots)}; name one of them"
        )
    else:
        msg = f"the family {family} has no models; name a model"
    raise LineageError(msg)


def _two_models(index: Any, a: str, b: str) -> tuple[str, str]:
    """Models for ``path``/``diff`` arguments; families become their roots."""
    a_kind, a_id = resolve_name(index, a, MODEL_OR_FAMILY)
    b_kind, b_id = resolve_name(index, b, MODEL_OR_FAMILY)
    if a_kind == "family":
        a_id = _root(index, a_id, b_id if b_kind == "model" else None)
    if b_kind == "family":
        b_id = _root(index, b_id, a_id)
    return a_id, b_id


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
    from ..provenance.query import diff_models
    from ..report import diff_json, limit_answer

    index = load(graph_dirs)
    a_id, b_id = _two_models(index, a, b)
    data = limit_answer(diff_json(diff_models(index, a_id, b_id)), "diff", limit)
    if as_json:
        emit_json(data)
        return
    for title, key in (
        (f"Only in {b_id}:", "only_in_b"),
        (f"Only in {a_id}:", "only_in_a"),
    ):
        click.echo(click.style(title, bold=True) + ("" if data[key] else " nothing"))
        listed = [s for s in data["steps"] if s["capability"] in data[key]]
        for line in _diff_table(listed):
            click.echo(line)
    for title, key in (
        (f"Limitations only {b_id} has:", "limitations_only_in_b"),
        (f"Limitations only {a_id} has:", "limitations_only_in_a"),
    ):
        if data[key]:
            click.echo(click.style(title, bold=True))
            for line in table(_limitation_rows(index, data, key)):
                click.echo(line)
    for key, who in (("weakened_in_a", a_id), ("weakened_in_b", b_id)):
        if data[key]:
            echo_long(
                click.style(f"Weakened in {who}:", bold=True)
                + " "
                + ", ".join(data[key])
            )
    if data["strength_steps"]:
        click.echo(click.style("Changed in strength on the way:", bold=True))
        for line in _diff_table(data["strength_steps"]):
            click.echo(line)
    echo_omitted(data, "diff")


def _diff_table(steps: list[dict[str, Any]]) -> list[str]:
    rows = [
        [
            click.style(s["capability"], bold=True),
            style_effect(s["effect"]) + (" (partly)" if s["partial"] else ""),
            "at " + s["model"],
            style_stage(s["stage"]),
        ]
        for s in steps
    ]
    return table(rows, notes=[claim_note(s) for s in steps])


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
    from ..facts.model import Stage
    from ..provenance.query import ablate as run_ablation
    from ..report import ablation_json, limit_answer

    index = load(graph_dirs)
    stage = resolve_name(index, stage, ("stage",))[1]
    model_id = _model(index, model)[1] if model else None
    data = ablation_json(run_ablation(index, Stage(stage), model_id))
    data = limit_answer(data, "ablate", limit)
    if as_json:
        emit_json(data)
        return
    click.echo(f"Without {style_stage(stage)}:")
    if not any(data["models"].values()):
        click.echo("  nothing would be missing")
    rows = [
        [
            click.style(m, bold=True),
            ", ".join(_removed(m, cap, data["removed"][m].get(cap, [])) for cap in caps)
            or "nothing missing",
        ]
        for m, caps in data["models"].items()
        if caps or model_id
    ]
    for line in table(rows):
        click.echo(line)
    echo_omitted(data, "ablate")


def _removed(model: str, cap: str, claims: list[dict[str, str]]) -> str:
    """``dialogue [likely]``: a capability ablate removes, with the confidence of
    each claim removed with it (and where, when a claim is at another model:
    ``chain-of-thought [hypothesis at code-davinci-002]``)."""
    if len(claims) == 1 and claims[0]["model"] == model:
        return f"{cap} {style_confidence(claims[0]['confidence'])}"
    by_confidence: dict[str, list[str]] = {}
    for c in claims:
        by_confidence.setdefault(c["confidence"], []).append(c["model"])
    shown = "; ".join(
        click.style(f"{conf} at {', '.join(models)}", fg=CONFIDENCE_COLOURS.get(conf))
        for conf, models in by_confidence.items()
    )
    return f"{cap} [{shown}]" if claims else cap


def _limitation_rows(index: Any, data: dict[str, Any], key: str) -> list[list[str]]:
    """``diff``: one row per limitation, naming the models whose claims give it."""
    from ..facts.model import limitation_text

    facts = index.facts
    rows = []
    for cap in data[key]:
        steps = [s for s in data["steps"] if s["capability"] == cap]
        claims = [facts.claims[s["claim"]] for s in steps if s["claim"] in facts.claims]
        families = {c.stated_for for c in claims if c.stated_for}
        fam = facts.families.get(next(iter(families))) if len(families) == 1 else None
        name = facts.capabilities[cap].name if cap in facts.capabilities else cap
        effect = steps[0]["effect"] if steps else "has"
        rows.append(
            [
                click.style(cap, bold=True),
                style_effect(effect) + ": " + limitation_text(name),
                "at "
                + ", ".join(
                    sorted(
                        {s["model"] for s in steps},
                        key=lambda m: index.order.get(m, len(index.order)),
                    )
                ),
                f"stated for all of {fam.name}" if fam else "",
            ]
        )
    return rows


def _short_name(facts: Any, rid: str) -> str:
    """'Glaese et al. 2022 (glaese-2022)' for a source; a model's or family's name."""
    source = facts.sources.get(rid)
    if source is not None:
        surname = source.authors[0].split()[-1]
        more = " et al." if len(source.authors) > 1 else ""
        return f"{surname}{more} {source.year} ({rid})"
    record = facts.models.get(rid) or facts.families.get(rid)
    return record.name if record is not None else rid


def _released(model: dict[str, Any]) -> str:
    """'released 2022-11', 'paper 2021-07' or 'release date unknown' for ``show``."""
    if model["released"]:
        return f"released {model['date_label']}"
    return model["date_label"] if model["paper_date"] else "release date unknown"


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
    from ..provenance.query import find_conflicts
    from ..report import conflicts_json

    index = load(graph_dirs)
    data = conflicts_json(find_conflicts(index))
    if as_json:
        emit_json(data)
        return
    if not data:
        click.echo("No conflicts recorded.")
        return
    for topic in data:
        click.echo(click.style(topic["topic"], bold=True))
        for conflict in topic["conflicts"]:
            _echo_conflict(conflict)
    click.echo(_conflict_summary(data))


_CONFLICT_KIND_LABEL = {
    "between-sources": "between sources",
    "within-source": "within one source",
    "translation": "translation vs original",
}


def _echo_conflict(conflict: dict[str, Any]) -> None:
    label = _CONFLICT_KIND_LABEL[conflict["kind"]]
    click.echo("  " + click.style(f"[{label}]", fg="yellow") + f" {conflict['id']}")
    if conflict["note"]:
        for line in wrap(conflict["note"], "    "):
            click.echo(line)
    for side in conflict["sides"]:
        who = "the translation reads: " if side["translation"] else ""
        click.echo(f"    - {who}{side['says']}")
        for ev in side["evidence"]:
            click.echo(click.style(f"      {ev['source']}, {ev['locator']}", dim=True))
            if ev["note"]:
                for line in wrap(f"“{ev['note']}”", "      "):
                    click.echo(click.style(line, dim=True))


def _conflict_summary(data: list[dict[str, Any]]) -> str:
    kinds = [c["kind"] for t in data for c in t["conflicts"]]
    parts = [
        f"{kinds.count(kind)} {label}"
        for kind, label in _CONFLICT_KIND_LABEL.items()
        if kind in kinds
    ]
    return (
        f"{len(kinds)} conflict{'s' * (len(kinds) != 1)} on {len(data)} "
        f"topic{'s' * (len(data) != 1)}: {', '.join(parts)}"
    )


def main() -> None:
    """Entry point for ``python -m lineage``."""
    cli(prog_name="lineage")


if __name__ == "__main__":  # pragma: no cover
    main()
