"""``lineage emergence``: Wei et al.'s emergent abilities as a table, JSON or a plot.

Imported only when the command runs (see ``LAZY_COMMANDS`` in :mod:`lineage.cli`);
matplotlib is imported only for ``--plot``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .commands import graph_option, handle_errors, json_option
from .console import echo_long, emit_json, load, table

if TYPE_CHECKING:
    from ..provenance.emergence import EmergenceRow


def _plot_path(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> Path | None:
    if value is None:
        return None
    from ..provenance.emergence import PLOT_FORMATS

    path = Path(value)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in PLOT_FORMATS:
        found = f"'.{suffix}'" if suffix else "no suffix"
        msg = f"{value!r} has {found}; expected a .png, .svg or .pdf file name"
        raise click.BadParameter(msg, ctx=ctx, param=param)
    return path


@click.command()
@click.option(
    "--sort",
    type=click.Choice(["flops", "params"]),
    default=None,
    help="Sort by emergent training FLOPs or parameters, smallest first "
    "(default: the order of Table 1).",
)
@click.option(
    "--setting",
    type=click.Choice(["few-shot", "augmented"]),
    default=None,
    help="Only abilities of this prompting setting.",
)
@click.option(
    "--plot",
    "plot_path",
    metavar="FILE",
    callback=_plot_path,
    help="Draw the abilities against training FLOPs into FILE "
    "(.png, .svg or .pdf; needs matplotlib).",
)
@graph_option
@json_option
@handle_errors
def emergence(
    sort: str | None,
    setting: str | None,
    plot_path: Path | None,
    graph_dirs: tuple[str, ...],
    as_json: bool,
) -> None:
    """Abilities that emerge with scale: training FLOPs, parameters and model.

    One row per `emergence` fact (Wei et al. 2022, Table 1), linked to a
    capability and a model family of the graph. Table 1's "Many BIG-Bench tasks"
    row is not a fact: it gives no numeric scale.

    \b
    Example:
        lineage emergence
        lineage emergence --setting augmented --sort flops
        lineage emergence --json | jq '.[] | select(.model == "palm")'
        lineage emergence --plot emergence.png
    """
    from ..provenance.emergence import emergence_table, plot_emergence, row_json

    index = load(graph_dirs)
    rows = emergence_table(index, sort=sort, setting=setting)
    if plot_path is not None:
        # colours follow the whole table, so a family looks the same in every plot
        every = emergence_table(index)
        plot_emergence(rows, plot_path, families=[r.family or r.model for r in every])
    if as_json:
        emit_json([row_json(r) for r in rows])
        return
    if plot_path is not None:
        click.echo(f"wrote {plot_path} ({len(rows)} abilities)")
        return
    if not rows:
        click.echo("No emergence observations recorded.")
        return
    _echo_table(rows)
    _echo_summary(rows)


def _echo_table(rows: list[EmergenceRow]) -> None:
    from ..provenance.emergence import format_flops, format_parameters

    columns: tuple[tuple[str, Callable[[EmergenceRow], str]], ...] = (
        ("ABILITY / TASK", lambda r: click.style(r.task, bold=True)),
        ("SETTING", lambda r: r.setting),
        ("TRAIN. FLOPS", lambda r: format_flops(r.training_flops)),
        ("PARAMS", lambda r: format_parameters(r.parameters)),
        ("MODEL", lambda r: r.model_name),
        ("REFERENCE", lambda r: r.reference or "unknown"),
        ("CAPABILITY", lambda r: r.capability),
    )
    lines = table(
        [
            [head for head, _ in columns],
            *[[cell(r) for _, cell in columns] for r in rows],
        ],
        indent="",
    )
    for line in lines:
        click.echo(line)


def _echo_summary(rows: list[EmergenceRow]) -> None:
    """The count by setting, the sources, and Table 1's row that is not a fact."""
    from ..provenance.emergence import NOT_ENCODED, WEI_2022

    settings = {r.setting for r in rows}
    counts = ", ".join(
        f"{sum(r.setting == s for r in rows)} {s}"
        for s in ("few-shot", "augmented")
        if s in settings
    )
    sources = sorted({r.source for r in rows})
    click.echo("")
    click.echo(
        click.style(
            f"{len(rows)} abilities ({counts}); source: {', '.join(sources)}.", dim=True
        )
    )
    if WEI_2022 in sources and "few-shot" in settings:
        echo_long(
            click.style(
                f"Not a fact: Table 1's few-shot row "
                f"“{NOT_ENCODED[0]}”, as {NOT_ENCODED[1]}.",
                dim=True,
            )
        )
