"""``lineage tree``: draw the evolution tree (SVG, PNG, PDF, DOT, Mermaid or text).

Imported only when the command runs (see ``LAZY_COMMANDS`` in :mod:`lineage.cli`).
The drawing is made by :mod:`lineage.outputs.render`; graphviz is imported only to lay out
svg, png and pdf.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .commands import graph_option, handle_errors
from .console import STAGE_COLOURS, load


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
    from ..outputs.render import (
        GRAPHVIZ_FORMATS,
        TreeOptions,
        check_layout_size,
        drawn_models,
        highlight_selection,
        layout,
        render,
        to_dot,
        to_mermaid,
        to_text,
        write_atomic,
    )

    dash = output == "-"
    if dash:
        output = None
    fmt = _format(output, fmt)
    if fmt in ("png", "pdf") and output is None and (not dash or _tty()):
        msg = f"--format {fmt} is binary; give a file with -o FILE.{fmt}"
        if dash:
            msg += " (or redirect standard output)"
        raise click.UsageError(msg)
    index = load(graph_dirs)
    cap_id = index.resolve(highlight, ("capability",))[1] if highlight else None
    focus_id = index.resolve(focus, ("model", "family"))[1] if focus else None
    options = TreeOptions(
        capabilities=capabilities,
        timeline=timeline,
        highlight=cap_id,
        focus=focus_id,
        legend=legend,
    )
    if cap_id is not None:
        selection = highlight_selection(index, cap_id)
        if not selection.models:
            where = ", ".join(selection.family_claims)
            note = f" (only family-level claims: {where})" if where else ""
            click.echo(
                f"note: no model has a claim about {cap_id}{note}; "
                "nothing is highlighted",
                err=True,
            )
    models = drawn_models(index, options)
    if fmt in GRAPHVIZ_FORMATS:
        check_layout_size(len(models), timeline=timeline)
        source = to_dot(index, options)
        if output is None:
            picture = layout(source, fmt)
            if fmt == "svg":
                click.echo(picture.decode("utf-8"), nl=False)
            else:
                sys.stdout.flush()
                sys.stdout.buffer.write(picture)
            return
        render(source, output, fmt)
    else:
        if fmt == "dot":
            text = to_dot(index, options)
        elif fmt == "mermaid":
            text = to_mermaid(index, options)
        else:
            from .terminal import PIPE_PROSE, terminal_width

            columns = terminal_width() if output is None else None
            text = to_text(
                index,
                options,
                width=columns or PIPE_PROSE,
                style=_style if output is None else None,
                fold=columns is not None,
            )
        if output is None:
            click.echo(text, nl=False)
            return
        write_atomic(output, text.encode("utf-8"))
    drawn = set(models)
    edges = sum(d.parent in drawn for m in models for d in index.parents.get(m, ()))
    click.echo(f"wrote {output} ({fmt}, {len(models)} models, {edges} derivations)")
