"""``lineage import hf|ecosystem-graphs|epoch``: lineage datasets in, as overlay facts.

Imported only when the command runs (see ``LAZY_COMMANDS`` in :mod:`lineage.cli`);
the work is done by :mod:`lineage.imports`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .commands import graph_option, handle_errors
from .console import report_problems

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _snapshot(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    if value is not None and not _DATE.match(value):
        msg = f"'{value}' is not a date YYYY-MM-DD"
        raise click.BadParameter(msg)
    return value


def _options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option(
        "-o",
        "--output",
        metavar="DIR",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Overlay directory; the dataset's facts go to DIR/<dataset>/ (replaced "
        "on re-import). Load it with --graph graph --graph DIR.",
    )(func)
    func = click.option(
        "--snapshot",
        metavar="YYYY-MM-DD",
        callback=_snapshot,
        help="When the input was taken (default: its newest date).",
    )(func)
    func = click.option(
        "--json", "as_json", is_flag=True, help="Print the report as JSON."
    )(func)
    return graph_option(func)


def _progress() -> Callable[[int, int | None], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int | None) -> None:
        of = f" of {total:,}" if total else ""
        click.echo(f"\r  read {done:,}{of} records", err=True, nl=False)

    return show


def _finish(report: Any, as_json: bool) -> None:
    if sys.stderr.isatty():
        click.echo("\r" + " " * 40 + "\r", err=True, nl=False)
    report_problems(report.warnings)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "dataset": report.dataset,
                    "output": report.output,
                    "read": report.read,
                    "written": report.counts,
                    "attached": report.attached,
                    "warnings": len(report.warnings),
                    "files": report.files,
                },
                indent=2,
                sort_keys=True,
            )
        )
        return
    written = ", ".join(_count(n, k) for k, n in sorted(report.counts.items()))
    click.echo(
        f"{report.dataset}: read {_count(report.read, 'records')}; "
        f"wrote {written or 'nothing'} to {report.output}"
    )
    for name, rid in sorted(report.attached.items()):
        click.echo(f"  attached '{name}' to the existing model '{rid}'")


def _count(n: int, plural: str) -> str:
    """``1 model``, ``2 models`` (section names are plurals)."""
    return f"{n:,} {plural[:-1] if n == 1 else plural}"


def _crosswalk(graph_dirs: tuple[str, ...]) -> Any:
    from ..imports.overlay import Crosswalk
    from ..shipped import default_graph

    return Crosswalk.from_graph(list(graph_dirs) or list(default_graph()))


def _run(func: Callable[[], Any], as_json: bool) -> None:
    from ..imports.overlay import ImportFailed

    try:
        report = func()
    except ImportFailed as exc:
        report_problems(exc.problems)
        click.echo(f"error: {exc}", err=True)
        raise click.exceptions.Exit(1) from None
    _finish(report, as_json)


@click.group(name="import")
def import_group() -> None:
    """Import lineage datasets as overlay fact files.

    Each subcommand reads one dataset and writes fact YAML into DIR/<dataset>/,
    with every record's position in the original input kept, so `lineage check`
    reports the dataset's own problems (dangling references, children dated before
    their parents, empty fields) where they are. Models the shipped graph already
    knows (by the identifiers in its external_ids) are attached, not duplicated.

    \b
    Example:
        lineage import hf cards/ hub.jsonl -o overlay
        lineage check --graph graph --graph overlay
        lineage why "instruction following" --graph graph --graph overlay
    """


@import_group.command(name="hf")
@click.argument(
    "inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@_options
@handle_errors
def hf(
    inputs: tuple[Path, ...],
    output: Path,
    snapshot: str | None,
    as_json: bool,
    graph_dirs: tuple[str, ...],
) -> None:
    """Import Hugging Face model-card metadata (the Hub's model tree).

    INPUTS are folders of model cards laid out as <org>/<name>/README.md and
    JSONL files of hub model metadata (one huggingface_hub ModelInfo per line).
    base_model gives the parents (a list is a merge), base_model_relation the
    stage: finetune -> fine_tuning, adapter -> adapter_training, quantized ->
    quantization, merge -> merging; none given -> unspecified.

    \b
    Example:
        lineage import hf hub-models.jsonl -o overlay
    """
    from ..imports.hf import import_hf

    walk = _crosswalk(graph_dirs)
    _run(
        lambda: import_hf(
            list(inputs),
            output,
            crosswalk=walk,
            snapshot=snapshot,
            progress=_progress(),
        ),
        as_json,
    )


@import_group.command(name="ecosystem-graphs")
@click.argument("assets", type=click.Path(exists=True, path_type=Path))
@_options
@handle_errors
def ecosystem_graphs(
    assets: Path,
    output: Path,
    snapshot: str | None,
    as_json: bool,
    graph_dirs: tuple[str, ...],
) -> None:
    """Import Stanford CRFM Ecosystem Graphs assets (a checkout or its assets/ folder).

    Models become models, datasets and applications assets; a model's dependency
    on a model becomes a derivation of stage `unspecified` (the dataset does not
    say how), on a dataset `trained_on`.

    \b
    Example:
        lineage import ecosystem-graphs ecosystem-graphs/assets -o overlay
    """
    from ..imports.ecosystem_graphs import import_ecosystem_graphs

    walk = _crosswalk(graph_dirs)
    _run(
        lambda: import_ecosystem_graphs(
            assets, output, crosswalk=walk, snapshot=snapshot, progress=_progress()
        ),
        as_json,
    )


@import_group.command(name="epoch")
@click.argument("table", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_options
@handle_errors
def epoch(
    table: Path,
    output: Path,
    snapshot: str | None,
    as_json: bool,
    graph_dirs: tuple[str, ...],
) -> None:
    """Import Epoch AI's notable-models CSV (CC BY 4.0: the attribution is kept).

    Models with organisation and publication date; parameters and training compute
    as cited figures (a disagreement with another source shows in `lineage
    conflicts`); the Base model column as derivations of stage `unspecified`.

    \b
    Example:
        lineage import epoch notable_ai_models.csv -o overlay
    """
    from ..imports.epoch import import_epoch

    walk = _crosswalk(graph_dirs)
    _run(
        lambda: import_epoch(
            table, output, crosswalk=walk, snapshot=snapshot, progress=_progress()
        ),
        as_json,
    )
