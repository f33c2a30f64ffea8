"""Emergence at scale: the ``emergence`` records as a table and as a plot.

Each ``emergence`` record is one row of Wei et al. (2022), Table 1: the training
FLOPs and parameter count at which an ability first rises above random. This module
joins those records with the capability and model (or family) they point to
(:func:`emergence_table`) and draws them on a log axis of training FLOPs
(:func:`plot_emergence`). It needs no third-party package except matplotlib, and
only inside :func:`plot_emergence`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

from .._records import frozen_record
from ..errors import LineageError, did_you_mean, plain
from ..facts.model import Emergence, Facts, Setting
from ..store.index import Index

__all__ = [
    "NOT_ENCODED",
    "PLOT_FORMATS",
    "SORT_KEYS",
    "EmergenceRow",
    "emergence_table",
    "format_flops",
    "format_parameters",
    "plot_emergence",
    "row_json",
]

#: Values accepted by ``emergence_table(sort=...)``.
SORT_KEYS = ("flops", "params")
#: File formats :func:`plot_emergence` writes (the suffix of the output path).
PLOT_FORMATS = ("png", "svg", "pdf")
#: The Table 1 row that is deliberately not an ``emergence`` record, and why.
NOT_ENCODED = (
    "Many BIG-Bench tasks (see Appendix E)",
    "its scale, model and reference are all 'Many' (no numeric scale)",
)
#: Source id of Wei et al. (2022) in the shipped graph.
WEI_2022 = "wei-2022"


@frozen_record
class EmergenceRow:
    """One emergence observation joined with the names of what it refers to."""

    id: str
    capability: str
    capability_name: str
    task: str
    setting: str
    model: str
    model_name: str
    family: str | None
    family_name: str | None
    training_flops: float | None
    parameters: float | None
    reference: str | None
    source: str
    locator: str
    note: str | None = None


def format_flops(value: float | None) -> str:
    """Training FLOPs in the short scientific notation of the table.

    Examples
    --------
    >>> format_flops(1.3e23), format_flops(8.9e19), format_flops(None)
    ('1.3e23', '8.9e19', 'unknown')
    """
    if value is None:
        return "unknown"
    return f"{value:.1e}".replace("e+", "e")


def format_parameters(value: float | None) -> str:
    """A parameter count as ``68B``, ``7.1B`` or ``40M``.

    Examples
    --------
    >>> format_parameters(68e9), format_parameters(7.1e9), format_parameters(None)
    ('68B', '7.1B', 'unknown')
    """
    if value is None:
        return "unknown"
    for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:g}"


def emergence_table(
    index: Index, sort: str | None = None, setting: str | Setting | None = None
) -> list[EmergenceRow]:
    """The emergence observations of the graph, joined with display names.

    Parameters
    ----------
    index : Index
        The loaded graph.
    sort : {None, "flops", "params"}
        ``None`` keeps the order of the fact files (for Wei et al. that is the order
        of Table 1); ``"flops"`` and ``"params"`` sort by emergent training FLOPs or
        parameters, smallest first (then by the other one; unknown values last).
    setting : {None, "few-shot", "augmented"}
        Keep only the rows of one prompting setting.

    Returns
    -------
    list of EmergenceRow

    Raises
    ------
    LineageError
        For an unknown ``sort`` or ``setting``.

    Examples
    --------
    >>> from lineage.api import load_graph
    >>> rows = emergence_table(load_graph(["graph"]), sort="flops")
    >>> r = rows[0]
    >>> r.task, format_flops(r.training_flops), format_parameters(r.parameters)
    ('Scratchpad: 8-digit addition (finetuning)', '8.9e19', '40M')
    >>> r.model_name, r.capability_name
    ('LaMDA', 'Program execution with a scratchpad')
    """
    if sort is not None and sort not in SORT_KEYS:
        msg = (
            f"unknown sort key '{sort}'; expected one of {', '.join(SORT_KEYS)}"
            f"{did_you_mean(sort, SORT_KEYS)}"
        )
        raise LineageError(msg)
    wanted = _setting(setting)
    facts = index.facts
    rows = [
        _row(facts, rec)
        for rec in facts.emergence.values()
        if wanted is None or rec.setting is wanted
    ]
    if sort is not None:
        _sort_rows(rows, sort)
    return rows


def _sort_rows(rows: list[EmergenceRow], sort: str) -> None:
    """By FLOPs then parameters (or the other way round), unknown values last."""
    first, second = (
        ("training_flops", "parameters")
        if sort == "flops"
        else ("parameters", "training_flops")
    )

    def key(row: EmergenceRow) -> tuple[bool, float, bool, float]:
        a, b = getattr(row, first), getattr(row, second)
        return (a is None, a or 0.0, b is None, b or 0.0)

    rows.sort(key=key)  # stable: ties keep the order of Table 1


def _setting(setting: str | Setting | None) -> Setting | None:
    """The prompting setting asked for, or None for all."""
    if setting is None:
        return None
    try:
        return Setting(setting)
    except ValueError:
        values = [s.value for s in Setting]
        msg = (
            f"unknown setting '{setting}'; expected one of {', '.join(values)}"
            f"{did_you_mean(str(setting), values)}"
        )
        raise LineageError(msg) from None


def _row(facts: Facts, rec: Emergence) -> EmergenceRow:
    """One emergence fact with the names of its capability, model and family
    (the fact may name a model or a family)."""
    cap = facts.capabilities.get(rec.capability)
    family_id: str | None
    if rec.model in facts.models:
        model = facts.models[rec.model]
        model_name, family_id = model.name, model.family
    else:
        family_id = rec.model
        fam = facts.families.get(rec.model)
        model_name = fam.name if fam else rec.model
    family = facts.families.get(family_id) if family_id else None
    return EmergenceRow(
        id=rec.id,
        capability=rec.capability,
        capability_name=cap.name if cap else rec.capability,
        task=rec.task,
        setting=rec.setting.value,
        model=rec.model,
        model_name=model_name,
        family=family_id,
        family_name=family.name if family else family_id,
        training_flops=rec.training_flops,
        parameters=rec.parameters,
        reference=rec.reference,
        source=rec.source,
        locator=rec.locator,
        note=rec.note,
    )


def row_json(row: EmergenceRow) -> dict[str, Any]:
    """One row of ``lineage emergence --json`` (see ``docs/json.md``)."""

    def number(value: float | None) -> int | float | None:
        if value is None:
            return None
        return (
            int(value)
            if float(value).is_integer() and abs(value) < 2**53
            else float(value)
        )

    return {
        "id": row.id,
        "capability": row.capability,
        "capability_name": row.capability_name,
        "task": row.task,
        "setting": row.setting,
        "model": row.model,
        "model_name": row.model_name,
        "family": row.family,
        "training_flops": number(row.training_flops),
        "parameters": number(row.parameters),
        "reference": row.reference,
        "source": row.source,
        "locator": row.locator,
        "note": row.note,
    }


# --- the plot -----------------------------------------------------------------------

#: matplotlib's tab10 colours; each family also gets its own marker shape, so the
#: plot still reads in grey scale and for colour-blind readers.
_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
)
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "p", "h", "*", "<", ">")
_SETTING_TITLES = {
    "few-shot": "Few-shot prompting",
    "augmented": "Augmented prompting (finetuning, prompting and decoding strategies)",
}


def _plot_format(path: Path, fmt: str | None) -> str:
    suffix = path.suffix.lower().lstrip(".")
    chosen = (fmt or suffix).lower().lstrip(".")
    if chosen not in PLOT_FORMATS:
        what = f"format '{chosen}'" if chosen else f"'{path.name}' (no suffix)"
        msg = (
            f"cannot plot to {what}; expected a .png, .svg or .pdf file"
            f"{did_you_mean(chosen, PLOT_FORMATS) if chosen else ''}"
        )
        raise LineageError(msg)
    return chosen


def plot_emergence(
    rows: Sequence[EmergenceRow],
    path: str | os.PathLike[str],
    fmt: str | None = None,
    title: str | None = None,
    families: Sequence[str] = (),
) -> Path:
    """Draw each ability at its emergent training FLOPs on a log axis.

    One row per ability, one panel per prompting setting, colour = model family,
    each dot labelled with the parameter count. Rows without training FLOPs cannot
    be placed and are listed in the footnote instead. The file is written
    atomically: a failed run leaves an existing file untouched.

    Parameters
    ----------
    rows : sequence of EmergenceRow
        In the order to draw them, top to bottom (see :func:`emergence_table`).
    path : path-like
        The output file.
    fmt : {None, "png", "svg", "pdf"}
        The format; ``None`` takes it from the suffix of ``path``.
    title : str, optional
        Defaults to a title that cites Wei et al. (2022), Table 1 when every row
        comes from it.
    families : sequence of str, optional
        Family ids in colour order, so that a family keeps its colour and marker
        in plots of different subsets; families not listed follow in order of
        first appearance in ``rows``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    LineageError
        For an unsupported format, no rows, a missing directory, or when
        matplotlib is not installed.
    """
    target = Path(path)
    chosen = _plot_format(target, fmt)
    _check_plot(rows, target)
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError:
        msg = "plotting needs matplotlib; install it with pip install 'capability-lineage[plot]'"
        raise LineageError(msg) from None

    with matplotlib.rc_context(_PLOT_RC):
        fig = _draw(rows, title, families)
        FigureCanvasAgg(fig)
        metadata = dict(_PLOT_METADATA[chosen])
        _write_atomically(
            target,
            lambda handle: fig.savefig(
                handle, format=chosen, dpi=150, metadata=metadata
            ),
        )
    return target


#: Text stays text in SVG (searchable, testable); a fixed salt makes its ids
#: reproducible.
_PLOT_RC: dict[Any, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "lineage",
    "font.size": 9,
    "font.family": "DejaVu Sans",
}
#: No software version or date in the file: the same rows give the same bytes.
_PLOT_METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None},
    "pdf": {"CreationDate": None},
}


def _check_plot(rows: Sequence[EmergenceRow], target: Path) -> None:
    if not rows:
        msg = "no emergence rows to plot"
        raise LineageError(msg)
    directory = target.parent
    if not directory.is_dir():
        msg = f"cannot write '{target}': directory '{directory}' does not exist"
        raise LineageError(msg)


def _write_atomically(target: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write through a temporary file beside ``target`` (see :mod:`lineage.outfile`)."""
    from ..outfile import write_atomic

    write_atomic(target, write)


def _drawable(row: EmergenceRow) -> EmergenceRow:
    """The row with control characters out of its drawn names (no glyph exists)."""
    from dataclasses import replace

    return replace(
        row,
        task=plain(row.task),
        model_name=plain(row.model_name),
        family_name=plain(row.family_name) if row.family_name else row.family_name,
    )


def _draw(rows: Sequence[EmergenceRow], title: str | None, order: Sequence[str]) -> Any:
    """The figure: one panel per prompting setting, a legend of families, notes."""
    rows = [_drawable(r) for r in rows]
    groups = [(s.value, [r for r in rows if r.setting == s.value]) for s in Setting]
    groups = [(s, g) for s, g in groups if g]
    families, style = _family_styles(rows, order)
    fig, axes = _figure(rows, groups, families)
    low, high = _flops_range(rows)
    for ax, (setting, group) in zip(axes, groups, strict=True):
        _draw_points(ax, group, style, low)
        _style_panel(ax, setting, group, (low, high))
    axes[-1].set_xlabel(
        "Training FLOPs at which the ability emerges (log scale); "
        "the label of each dot is the parameter count"
    )
    sources = sorted({r.source for r in rows})
    fig.suptitle(title or _default_title(sources), fontsize=11, fontweight="bold")
    _family_legend(axes[0], families, style)
    _footnote(fig, rows, sources, {s for s, _ in groups})
    return fig


def _family_styles(
    rows: Sequence[EmergenceRow], order: Sequence[str]
) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """The families drawn (id -> name) and each one's (colour, marker): those in
    ``order`` first, so a family keeps its style across plots of subsets."""
    families: dict[str, str] = {}
    for r in rows:
        families.setdefault(r.family or r.model, r.family_name or r.model_name)
    ranked = list(dict.fromkeys([*order, *families]))
    style = {
        fam: (_PALETTE[i % len(_PALETTE)], _MARKERS[i % len(_MARKERS)])
        for i, fam in enumerate(ranked)
        if fam in families
    }
    return families, style


def _flops_range(rows: Sequence[EmergenceRow]) -> tuple[float, float]:
    """The x axis in log10 FLOPs: room left of the smallest value and for a label
    right of the largest."""
    flops = [r.training_flops for r in rows if r.training_flops]
    low = math.log10(min(flops)) - 0.3 if flops else 20.0
    high = math.ceil(math.log10(max(flops)) + 0.3) if flops else 25.0
    return low, high


def _figure(
    rows: Sequence[EmergenceRow],
    groups: list[tuple[str, list[EmergenceRow]]],
    families: dict[str, str],
) -> tuple[Any, Any]:
    """A figure sized for the longest task name and the legend, and its panels."""
    from matplotlib.figure import Figure

    longest = max(len(r.task) for r in rows)
    legend_width = 0.075 * max(len(name) for name in families.values()) + 0.8
    fig = Figure(
        figsize=(
            4.6 + 0.066 * longest + legend_width,
            1.9 + 0.3 * len(rows) + 0.4 * len(groups),
        ),
        layout="constrained",
    )
    axes = fig.subplots(
        len(groups),
        1,
        sharex=True,
        squeeze=False,
        gridspec_kw={"height_ratios": [len(g) + 0.6 for _, g in groups]},
    )[:, 0]
    return fig, axes


def _draw_points(
    ax: Any,
    group: list[EmergenceRow],
    style: dict[str, tuple[str, str]],
    low: float,
) -> None:
    """One line per ability: its dot labelled with the parameter count, or a note."""
    for y, r in enumerate(group):
        ax.axhline(y, color="#e6e6e6", lw=0.8, zorder=0)
        if not r.training_flops:
            ax.text(
                10.0 ** (low + 0.1),
                y,
                "no training FLOPs given",
                va="center",
                fontsize=7.5,
                color="#777777",
                style="italic",
            )
            continue
        colour, marker = style[r.family or r.model]
        ax.scatter(
            [r.training_flops],
            [y],
            s=60,
            color=colour,
            marker=marker,
            edgecolors="white",
            linewidths=0.7,
            zorder=3,
        )
        ax.annotate(
            format_parameters(r.parameters),
            (r.training_flops, y),
            xytext=(7, 0),
            textcoords="offset points",
            va="center",
            fontsize=7.5,
            color="#444444",
        )


def _style_panel(
    ax: Any, setting: str, group: list[EmergenceRow], span: tuple[float, float]
) -> None:
    """A panel's task names, title, log x axis (``span`` in log10 FLOPs) with its
    grid, and no frame but the bottom."""
    from matplotlib.ticker import LogLocator, NullFormatter

    ax.set_yticks(list(range(len(group))), [r.task for r in group])
    ax.set_ylim(len(group) - 0.4, -0.6)
    ax.tick_params(axis="y", length=0)
    ax.set_title(
        f"{_SETTING_TITLES.get(setting, setting)}: {len(group)}",
        loc="left",
        fontsize=9.5,
        fontweight="bold",
    )
    ax.set_xscale("log")
    ax.set_xlim(10.0 ** span[0], 10.0 ** span[1])
    ax.xaxis.set_major_locator(LogLocator(base=10, numticks=20))
    ax.xaxis.set_minor_locator(
        LogLocator(base=10, subs=tuple(range(2, 10)), numticks=20)
    )
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.grid(axis="x", which="major", color="#c8c8c8", lw=0.8)
    ax.grid(axis="x", which="minor", color="#f2f2f2", lw=0.5)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def _default_title(sources: list[str]) -> str:
    """A title citing Wei et al. (2022), Table 1 when every row comes from it."""
    cite = (
        "Wei et al. (2022), Emergent Abilities of Large Language Models, Table 1"
        if sources == [WEI_2022]
        else "sources: " + ", ".join(sources)
    )
    return f"Scale at which abilities of language models emerge\n{cite}"


def _family_legend(
    ax: Any, families: dict[str, str], style: dict[str, tuple[str, str]]
) -> None:
    """The family of each colour and marker, right of the top panel."""
    from matplotlib.lines import Line2D

    handles = [
        Line2D(
            [],
            [],
            marker=marker,
            ls="",
            markersize=7,
            color=colour,
            label=families[fam],
        )
        for fam, (colour, marker) in style.items()
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        title="Model family",
        fontsize=8.5,
        title_fontsize=9,
        alignment="left",
        borderaxespad=0,
    )


def _footnote(
    fig: Any, rows: Sequence[EmergenceRow], sources: list[str], settings: set[str]
) -> None:
    """What is not drawn: Table 1's row without a scale, rows without FLOPs."""
    import textwrap

    notes = []
    if WEI_2022 in sources and "few-shot" in settings:
        notes.append(
            f"Not drawn: Table 1's row \u201c{NOT_ENCODED[0]}\u201d, as "
            f"{NOT_ENCODED[1]}."
        )
    unplaced = [r for r in rows if not r.training_flops]
    if unplaced:
        notes.append(f"{len(unplaced)} row(s) without training FLOPs are not placed.")
    if notes:
        fig.supxlabel(
            "\n".join(textwrap.wrap(" ".join(notes), 170)),
            fontsize=7.5,
            color="#666666",
            style="italic",
        )
