"""``lineage tree``: draw the evolution tree (SVG, PNG, PDF, DOT, Mermaid or text).

Imported only when the command runs (see ``LAZY_COMMANDS`` in :mod:`lineage.cli`).
The drawing is made by :mod:`lineage.outputs.render`; graphviz is imported only to lay out
svg, png and pdf.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .commands import graph_option, handle_errors
from .console import STAGE_COLOURS, load

if TYPE_CHECKING:
    from ..outputs.render import TreeOptions
    from ..store.index import Index


def _style(text: str, role: str) -> str:
    kind, _, value = role.partition(":")
    if kind == "model":
        return click.style(text, bold=True)
    if kind == "stage":
        return click.style(text, fg=STAGE_COLOURS.get(value))
    if kind == "mark":
        return click.style(text, fg="yellow", bold=True)
    if kind == "dim":
        return click.style(text, dim=True)
    return text


def _tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def _format(output: str | None, fmt: str | None) -> str:
    from ..outputs.render import SUFFIXES

    if fmt is not None:
        return fmt
    if output is None:
        return "text"
    suffix = Path(output).suffix.lower()
    if suffix not in SUFFIXES:
        found = f"'{suffix}'" if suffix else "no suffix"
        known = ", ".join(SUFFIXES)
        msg = (
            f"cannot tell the format of {output!r} ({found}); use a suffix "
            f"({known}) or --format"
        )
        raise click.BadParameter(msg, param_hint="'-o' / '--output'")
    return SUFFIXES[suffix]


@click.command()
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    help="Write to FILE (format from its suffix: .svg .png .pdf .dot .mmd .txt). "
    "Default, or -: print to stdout.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["svg", "png", "pdf", "dot", "mermaid", "text"]),
    help="Output format (default: from the suffix of FILE, else text). svg, png "
    "and pdf are laid out by Graphviz dot; dot, mermaid and text need no binary.",
)
@click.option(
    "--timeline", is_flag=True, help="Rank models by release date along a year axis."
)
@click.option(
    "--highlight",
    metavar="CAPABILITY",
    help="Make stand out where CAPABILITY originated, the models that carried "
    "it and where it was weakened or lost; dim everything else.",
)
@click.option(
    "--focus",
    metavar="MODEL",
    help="Draw only MODEL (or a family's models) with its ancestors and descendants.",
)
@click.option(
    "--capabilities/--no-capabilities",
    default=True,
    show_default=True,
    help="List the capabilities gained and lost at each model.",
)
@click.option(
    "--legend/--no-legend", default=True, show_default=True, help="Draw the legend."
)
@graph_option
@handle_errors
def tree(
    output: str | None,
    fmt: str | None,
    timeline: bool,
    highlight: str | None,
    focus: str | None,
    capabilities: bool,
    legend: bool,
    graph_dirs: tuple[str, ...],
) -> None:
    """Draw the evolution tree: models, derivations by stage, capabilities.

    Models are boxes listing the capabilities gained (+, ▲, ↺) and weakened or
    lost (▼, ✗) there; families are labelled clusters; edges are coloured by
    training stage and drawn dashed or dotted when the derivation is a
    hypothesis or speculative. The same facts always give the same DOT and
    Mermaid text.

    \b
    Example:
        lineage tree
        lineage tree -o tree.svg
        lineage tree -o tree.png --highlight "chain of thought"
        lineage tree --focus text-davinci-002 --format mermaid
        lineage tree --timeline -o timeline.pdf
    """
    from ..outputs.render import GRAPHVIZ_FORMATS, drawn_models, write_atomic

    dash = output == "-"
    if dash:
        output = None
    fmt = _format(output, fmt)
    _check_stdout(fmt, output, dash)
    index = load(graph_dirs)
    options = _options(index, highlight, focus, timeline, capabilities, legend)
    if options.highlight is not None:
        _note_empty_highlight(index, options.highlight)
    models = drawn_models(index, options)
    if fmt in GRAPHVIZ_FORMATS:
        if not _picture(index, options, fmt, output, len(models)):
            return
    else:
        text = _text(index, options, fmt, to_terminal=output is None)
        if output is None:
            click.echo(text, nl=False)
            return
        write_atomic(output, text.encode("utf-8"))
    drawn = set(models)
    edges = sum(d.parent in drawn for m in models for d in index.parents.get(m, ()))
    click.echo(f"wrote {output} ({fmt}, {len(models)} models, {edges} derivations)")


def _check_stdout(fmt: str, output: str | None, dash: bool) -> None:
    """Refuse to print PNG or PDF bytes to a terminal (or with no ``-o`` at all)."""
    if fmt in ("png", "pdf") and output is None and (not dash or _tty()):
        msg = f"--format {fmt} is binary; give a file with -o FILE.{fmt}"
        if dash:
            msg += " (or redirect standard output)"
        raise click.UsageError(msg)


def _options(
    index: Index,
    highlight: str | None,
    focus: str | None,
    timeline: bool,
    capabilities: bool,
    legend: bool,
) -> TreeOptions:
    """The drawing options, with the names asked for resolved to ids."""
    from ..outputs.render import TreeOptions

    cap_id = index.resolve(highlight, ("capability",))[1] if highlight else None
    focus_id = index.resolve(focus, ("model", "family"))[1] if focus else None
    return TreeOptions(
        capabilities=capabilities,
        timeline=timeline,
        highlight=cap_id,
        focus=focus_id,
        legend=legend,
    )


def _note_empty_highlight(index: Index, cap_id: str) -> None:
    from ..outputs.render import highlight_selection

    selection = highlight_selection(index, cap_id)
    if not selection.models:
        where = ", ".join(selection.family_claims)
        note = f" (only family-level claims: {where})" if where else ""
        click.echo(
            f"note: no model has a claim about {cap_id}{note}; nothing is highlighted",
            err=True,
        )


def _picture(
    index: Index, options: TreeOptions, fmt: str, output: str | None, count: int
) -> bool:
    """Lay the tree out with Graphviz into ``output``, or print it (then False)."""
    from ..outputs.render import check_layout_size, layout, render, to_dot

    check_layout_size(count, timeline=options.timeline)
    source = to_dot(index, options)
    if output is not None:
        render(source, output, fmt)
        return True
    picture = layout(source, fmt)
    if fmt == "svg":
        click.echo(picture.decode("utf-8"), nl=False)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(picture)
    return False


def _text(index: Index, options: TreeOptions, fmt: str, *, to_terminal: bool) -> str:
    """DOT, Mermaid, or the indented text (styled and wrapped on a terminal)."""
    from ..outputs.render import to_dot, to_mermaid, to_text

    if fmt == "dot":
        return to_dot(index, options)
    if fmt == "mermaid":
        return to_mermaid(index, options)
    from .terminal import PIPE_PROSE, terminal_width

    columns = terminal_width() if to_terminal else None
    return to_text(
        index,
        options,
        width=columns or PIPE_PROSE,
        style=_style if to_terminal else None,
        fold=columns is not None,
    )
