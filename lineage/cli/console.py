"""What the commands print, without click: styles, echo, errors, shared rows.

The questions (``why``, ``show``, ``path``, ...) format their answers with these
helpers, so they run the same under click (:mod:`lineage.cli.commands`) and under
the quick dispatcher (:mod:`lineage.cli.quick`), which answers the common questions
without importing click at all. :func:`style` writes the same ANSI codes as
``click.style``, and :func:`echo` strips them, as ``click.echo`` does, when the
stream is not a terminal, ``$NO_COLOR`` is set, or a click context says so.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import (
    FactError,
    FactsInvalid,
    LineageError,
    Problem,
    Severity,
    UnknownNameError,
    shown,
)
from ..shipped import default_graph
from .terminal import table, terminal_width, unstyle, wrap, wrap_styled

__all__ = ["echo", "style", "unstyle", "table", "wrap", "wrap_styled", "terminal_width"]

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

#: default number of items each long list of an answer shows (``--limit``)
ANSWER_LIMIT = 25


#: the ANSI colour numbers of ``click.style``
_COLOURS = {
    "black": 30,
    "red": 31,
    "green": 32,
    "yellow": 33,
    "blue": 34,
    "magenta": 35,
    "cyan": 36,
    "white": 37,
    "reset": 39,
}


def style(
    text: str,
    fg: str | None = None,
    bold: bool | None = None,
    dim: bool | None = None,
    underline: bool | None = None,
) -> str:
    """``text`` with ANSI styles: the bytes ``click.style`` writes for the same call."""
    codes = "" if fg is None else f"\033[{_COLOURS[fg]}m"
    for on, yes, no in ((bold, 1, 22), (dim, 2, 22), (underline, 4, 24)):
        if on is not None:
            codes += f"\033[{yes if on else no}m"
    return f"{codes}{text}\033[0m"


def _coloured(stream: Any) -> bool:
    """Keep styles on ``stream``? A click context decides when one is active (its
    ``color``), then ``$NO_COLOR``, then whether the stream is a terminal."""
    click = sys.modules.get("click")
    if click is not None:
        ctx = click.get_current_context(silent=True)
        if ctx is not None and ctx.color is not None:
            return bool(ctx.color)
    if os.environ.get("NO_COLOR"):
        return False
    return _is_terminal(stream)


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def echo(message: str = "", err: bool = False) -> None:
    """One line on stdout (or stderr), styles kept only for a terminal, flushed
    (so a closed pipe is noticed at once, as with ``click.echo``)."""
    stream = sys.stderr if err else sys.stdout
    line = message + "\n"
    stream.write(line if _coloured(stream) else unstyle(line))
    stream.flush()


#: the command that answers about a record of each kind (for "try ..." hints)
KIND_COMMANDS = {
    "capability": "lineage why {}",
    "model": "lineage show {}",
    "family": "lineage show {}",
    "stage": "lineage ablate {}",
    "source": "lineage sources",
}


def echo_omitted(data: dict[str, Any], answer: str) -> None:
    from ..report import omitted_lines

    for line in omitted_lines(data, answer):
        echo(style(line, dim=True))


def report_problems(problems: Iterable[Problem]) -> None:
    for problem in problems:
        colour = "red" if problem.severity is Severity.ERROR else "yellow"
        text = str(problem)
        marker = f": {problem.severity.value}:"
        head, _, tail = text.partition(marker)
        echo(head + style(marker, fg=colour, bold=True) + tail, err=True)


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
            echo(self.summary(), err=True)

    def summary(self) -> str:
        first = self.records[0]
        text = first.getMessage()
        if first.exc_info and first.exc_info[1] is not None:
            text += f" ({first.exc_info[1]})"
        more = len(self.records) - 1
        tail = f" (and {more} more message{'s' * (more != 1)})" if more else ""
        return f"warning: {first.name.partition('.')[0]}: {shown(text, 300)}{tail}"


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
        echo(f'taking "{text}" as {what}', err=True)
    return match.kind, match.id


def load(graph_dirs: tuple[str, ...]) -> Any:
    from ..api import load_graph

    with BuildProgress() as progress:
        return load_graph(graph_dirs or default_graph(), progress=progress.callback)


class BuildProgress:
    """One line on a terminal's stderr saying what a store build is doing (each
    file it parses, then the cross-record rules), erased when the build is done;
    nothing when stderr is not a terminal (scripts and pipes see no progress)."""

    def __init__(self) -> None:
        self.files = 0
        self.shown = False
        self.callback = self._show if _is_terminal(sys.stderr) else None

    def _show(self, what: str) -> None:
        from ..facts.files import FACT_SUFFIXES

        if what.endswith(FACT_SUFFIXES):
            self.files += 1
            what = f"reading {what}"
        count = f" ({self.files:,} files read)" if self.files > 1 else ""
        line = f"building the store: {what}{count}"
        width = max(20, (terminal_width() or 80) - 1)
        if len(line) > width:  # keep the end: the file's name and the count
            line = "…" + line[len(line) - width + 1 :]
        sys.stderr.write(f"\r\033[K{line}")
        sys.stderr.flush()
        self.shown = True

    def __enter__(self) -> BuildProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def emit_json(data: Any) -> None:
    echo(json.dumps(data, ensure_ascii=False, indent=2))


def style_stage(stage: str | None) -> str:
    if stage is None:
        return style("(no stage)", dim=True)
    return style(stage, fg=STAGE_COLOURS.get(stage), bold=True)


def style_confidence(conf: str) -> str:
    return style(f"[{conf}]", fg=CONFIDENCE_COLOURS.get(conf))


def style_effect(effect: str) -> str:
    """The effect in words ('has the limitation' for 'has'), coloured."""
    from ..facts.model import Effect

    words = Effect(effect).words if effect in Effect.__members__.values() else effect
    return style(words, fg=EFFECT_COLOURS.get(effect))


def echo_long(text: str, subsequent: str = "    ") -> None:
    """One line, wrapped at the terminal's width (piped: as it is)."""
    for line in wrap_styled(text, terminal_width(), "", subsequent):
        echo(line)


def echo_evidence(evidence: list[dict[str, str]], indent: str = "    ") -> None:
    for ev in evidence:
        echo_long(
            f"{indent}- {style(ev['source'], bold=True)}, {ev['locator']}",
            indent + "  ",
        )
        for line in wrap(f"“{ev['note']}”", indent + "  "):
            echo(style(line, dim=True))


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
        style(lead, bold=True),
        style_effect(claim["effect"]) + (" (partly)" if claim.get("partial") else ""),
        style_stage(claim["stage"]),
        style_confidence(claim["confidence"]),
        f"{first['source']}, {first['locator']}",
    ]


def chain_text(steps: list[dict[str, Any]], start: str) -> str:
    text = style(start, bold=True)
    for step in steps:
        label = f"{step['stage']}, {step['confidence']}"
        text += (
            " ─("
            + style(label, fg=STAGE_COLOURS.get(step["stage"]))
            + ")→ "
            + style(step["to"], bold=True)
        )
    return text


def run_guarded(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a command body: library errors become clean messages and exit codes.

    A closed pipe on stdout ends quietly with status 141, an output error (full
    disk, closed stdout) is one ``error:`` line and status 1, bad facts are every
    problem and a count (status 1), any other :class:`LineageError` one ``error:``
    line (status 1). Never a traceback.
    """
    from .streams import end_on_output_error

    try:
        return func(*args, **kwargs)
    except OSError as exc:  # BrokenPipeError too
        end_on_output_error(exc)
    except FactsInvalid as exc:
        report_problems(exc.problems)
        files = exc.files or len({p.path for p in exc.problems})
        echo(count_line(exc.problems, files), err=True)
        raise SystemExit(1) from None
    except FactError as exc:
        report_problems([exc.problem])
        raise SystemExit(1) from None
    except UnknownNameError as exc:
        _fail(unknown_name_text(exc))
    except LineageError as exc:
        _fail(str(exc))


def _fail(message: str) -> None:
    echo(f"error: {message}", err=True)
    raise SystemExit(1) from None
