"""Drawing the evolution tree: DOT, Mermaid and an indented text tree, all pure.

:func:`to_dot`, :func:`to_mermaid` and :func:`to_text` turn an
:class:`~lineage.store.index.Index` into text; the same facts and options always give the
same bytes. :func:`render` is the only function that runs anything: it hands DOT
to Graphviz ``dot`` once and writes the picture atomically. The selection helpers
(:func:`focus_models`, :func:`highlight_selection`) decide what is drawn and what
stands out; the command line (:mod:`lineage.cli.tree`) only wires them together.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import LineageError
from ..facts.model import (
    Claim,
    Confidence,
    Derivation,
    Effect,
    Kind,
    Stage,
    change_note,
    date_bounds,
    date_sort_key,
    limitation_text,
)
from ..store.index import Index
from .wrapping import fold_words

__all__ = [
    "FORMATS",
    "GRAPHVIZ_FORMATS",
    "MAX_LAYOUT_MODELS",
    "MAX_TIMELINE_MODELS",
    "SUFFIXES",
    "Change",
    "GraphvizMissingError",
    "Highlight",
    "RenderError",
    "TooLargeError",
    "TreeOptions",
    "check_layout_size",
    "drawn_models",
    "escape_dot",
    "escape_html",
    "escape_mermaid",
    "focus_models",
    "highlight_selection",
    "layout",
    "model_changes",
    "render",
    "time_levels",
    "to_dot",
    "to_mermaid",
    "to_text",
    "write_atomic",
]

#: Formats drawn by Graphviz ``dot`` (need the binary).
GRAPHVIZ_FORMATS = ("svg", "png", "pdf")
#: Every format of ``lineage tree``.
FORMATS = (*GRAPHVIZ_FORMATS, "dot", "mermaid", "text")
#: File suffix -> format.
SUFFIXES = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
    ".txt": "text",
}
#: Most models handed to ``dot``, so that the layout takes seconds. Measured with
#: dot 2.43 on benchmarks/synth.py hub graphs with capability labels: 400 models
#: 0.1 s, 1,000 0.9 s, 1,600 1.2 s, 3,200 32 s (crossing minimisation grows fast).
MAX_LAYOUT_MODELS = 1000
#: The same for --timeline, whose rank constraints cost much more: 100 models
#: 0.4 s, 200 2.4 s, 300 20 s.
MAX_TIMELINE_MODELS = 200

STAGE_COLOURS = {  # cli.STAGE_COLOURS' hues, readable on white
    Stage.PRETRAINING: "#2563eb",  # blue
    Stage.CODE_TRAINING: "#16a34a",  # green
    Stage.INSTRUCTION_TUNING: "#d97706",  # amber
    Stage.RLHF: "#c026d3",  # magenta
    Stage.CONTINUED_PRETRAINING: "#0891b2",  # cyan
    Stage.FINE_TUNING: "#ea580c",  # orange
    Stage.ADAPTER_TRAINING: "#65a30d",  # lime
    Stage.PREFERENCE_TUNING: "#9333ea",  # purple
    Stage.DISTILLATION: "#0d9488",  # teal
    Stage.QUANTIZATION: "#64748b",  # slate
    Stage.MERGING: "#be123c",  # rose
    Stage.UNSPECIFIED: "#78716c",  # stone
}
STAGE_TINTS = {
    Stage.PRETRAINING: "#dbeafe",
    Stage.CODE_TRAINING: "#dcfce7",
    Stage.INSTRUCTION_TUNING: "#fef3c7",
    Stage.RLHF: "#fae8ff",
    Stage.CONTINUED_PRETRAINING: "#cffafe",
    Stage.FINE_TUNING: "#ffedd5",
    Stage.ADAPTER_TRAINING: "#ecfccb",
    Stage.PREFERENCE_TUNING: "#f3e8ff",
    Stage.DISTILLATION: "#ccfbf1",
    Stage.QUANTIZATION: "#f1f5f9",
    Stage.MERGING: "#ffe4e6",
    Stage.UNSPECIFIED: "#f5f5f4",
}
STAGE_LABELS = {
    Stage.PRETRAINING: "pretraining",
    Stage.CODE_TRAINING: "code training",
    Stage.INSTRUCTION_TUNING: "instruction tuning",
    Stage.RLHF: "RLHF",
    Stage.CONTINUED_PRETRAINING: "continued pre-training",
    Stage.FINE_TUNING: "fine-tuning",
    Stage.ADAPTER_TRAINING: "adapter",
    Stage.PREFERENCE_TUNING: "preference tuning",
    Stage.DISTILLATION: "distillation",
    Stage.QUANTIZATION: "quantization",
    Stage.MERGING: "merge",
    Stage.UNSPECIFIED: "unspecified",
}
#: Confidence of a derivation -> (DOT style, pen width, Mermaid arrow).
LINE_STYLES = {
    Confidence.ESTABLISHED: ("solid", "2.6", "==>"),
    Confidence.LIKELY: ("solid", "1.4", "-->"),
    Confidence.HYPOTHESIS: ("dashed", "1.6", "-.->"),
    Confidence.SPECULATIVE: ("dotted", "2.0", "-.->"),
}
EFFECT_MARKS = {
    Effect.GAINED: "+",
    Effect.STRENGTHENED: "▲",
    Effect.RECOVERED: "↺",
    Effect.WEAKENED: "▼",
    Effect.LOST: "✗",
    Effect.HAS: "⚠",
    Effect.LACKS: "✓",
}
EFFECT_COLOURS = {
    Effect.GAINED: "#15803d",
    Effect.STRENGTHENED: "#15803d",
    Effect.RECOVERED: "#0e7490",
    Effect.WEAKENED: "#c2410c",
    Effect.LOST: "#dc2626",
    Effect.HAS: "#a16207",
    Effect.LACKS: "#15803d",
}
EFFECT_ORDER = list(Effect)
TEXT = "#111827"
MUTED = "#6b7280"
LIMITATION = "#57534e"
DIM = "#c4c8cf"
DIM_FILL = "#f9fafb"
HIGHLIGHT = "#111827"
MARKER_FILL = "#fde047"  # the highlighter pen on the capability asked for
CLUSTER_FILL = "#f3f4f6"
CLUSTER_LINE = "#d1d5db"
FONT = "Helvetica"
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


class RenderError(LineageError):
    """Graphviz could not draw the tree, or the file could not be written."""


class GraphvizMissingError(RenderError):
    """The Graphviz ``dot`` binary is not installed."""

    def __init__(self, fmt: str) -> None:
        super().__init__(
            f"--format {fmt} needs the Graphviz 'dot' program, which is not on PATH. "
            "Install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; "
            "macOS: brew install graphviz; conda: conda install -c conda-forge "
            "graphviz; Windows: winget install graphviz), or use a format that needs "
            "no binary: --format dot, mermaid or text"
        )


class TooLargeError(LineageError):
    """The drawing has more models than ``dot`` lays out in a few seconds."""


@dataclass(frozen=True, slots=True)
class TreeOptions:
    """What to draw.

    ``focus`` and ``highlight`` are ids (resolve names first with
    :meth:`Index.resolve`); ``focus`` may be a model or a family.
    """

    capabilities: bool = True
    timeline: bool = False
    highlight: str | None = None
    focus: str | None = None
    legend: bool = True


@dataclass(frozen=True, slots=True)
class Change:
    """One capability change at a model, as a node lists it."""

    capability: str
    name: str
    effect: Effect
    limitation: bool
    tentative: bool
    contested: bool
    partial: bool = False
    still_below: str | None = None
    cause: str | None = None

    @property
    def mark(self) -> str:
        return EFFECT_MARKS[self.effect]

    @property
    def label(self) -> str:
        """The name, or for a limitation what the model has: ``has the
        limitation: cannot do formal reasoning``."""
        if self.effect in (Effect.HAS, Effect.LACKS):
            return f"{self.effect.words}: {limitation_text(self.name)}"
        return self.name

    def text(self) -> str:
        """``+ Code generation`` (with ``?`` when tentative, ``(partly)``)."""
        return (
            f"{self.mark} {self.label}"
            + ("?" if self.tentative else "")
            + (" (contested)" if self.contested else "")
            + (" (partly)" if self.partial else "")
        )

    @property
    def noted(self) -> bool:
        """Whether the change has more to say than :meth:`text` (a cause, a bound)."""
        return bool(self.cause or self.still_below)

    def long_text(self) -> str:
        """``↺ In-context learning: recovered (partly; still below X) — cause: ...``."""
        note = change_note(
            self.effect.value, self.partial, self.still_below, self.cause
        )
        head = self.text().removesuffix(" (partly)")
        if self.effect in (Effect.HAS, Effect.LACKS):  # the head already says it
            return f"{head} — cause: {self.cause}" if self.cause else head
        return f"{head}: {note}" if note else head


@dataclass(frozen=True, slots=True)
class Highlight:
    """Where a capability originated, which models carried it, where it faded."""

    capability: str
    origins: tuple[str, ...]
    carriers: tuple[str, ...]
    weakened: tuple[str, ...]
    lost: tuple[str, ...]
    edges: tuple[str, ...]
    family_claims: tuple[str, ...] = ()
    strengthened: tuple[str, ...] = ()
    recovered: tuple[str, ...] = ()
    #: for a limitation: models with a claim that they have it / no longer have it
    has: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()

    @property
    def models(self) -> frozenset[str]:
        """Every model that stands out."""
        return frozenset(
            (
                *self.origins,
                *self.carriers,
                *self.weakened,
                *self.lost,
                *self.strengthened,
                *self.recovered,
                *self.has,
                *self.lacks,
            )
        )

    def role(self, model: str) -> str | None:
        """``origin``, ``lost``, ``lacks``, ``weakened``, ``recovered``,
        ``strengthened``, ``has``, ``carrier`` or None (dimmed)."""
        for role, models in (
            ("origin", self.origins),
            ("lost", self.lost),
            ("lacks", self.lacks),
            ("weakened", self.weakened),
            ("recovered", self.recovered),
            ("strengthened", self.strengthened),
            ("has", self.has),
            ("carrier", self.carriers),
        ):
            if model in models:
                return role
        return None


# --- selection ----------------------------------------------------------------------


def focus_models(index: Index, focus: str) -> set[str]:
    """A model (or a family's members) with every ancestor and descendant.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> from lineage.store.index import build_index
    >>> focus_models(build_index(Facts()), "nothing")
    {'nothing'}
    """
    seeds = index.members.get(focus) or [focus]
    out: set[str] = set(seeds)
    for seed in seeds:
        out |= index.ancestors(seed) | index.descendants(seed)
    return out


def drawn_models(index: Index, options: TreeOptions) -> list[str]:
    """The models a drawing holds, parents first."""
    if options.focus is None:
        return index.topo(set(index.facts.models))
    return index.topo(focus_models(index, options.focus) & set(index.facts.models))


def check_layout_size(count: int, *, timeline: bool = False) -> None:
    """Refuse to hand ``dot`` more models than it lays out in seconds.

    The limits are :data:`MAX_LAYOUT_MODELS` and, with a timeline,
    :data:`MAX_TIMELINE_MODELS`.

    Raises
    ------
    TooLargeError
        When ``count`` exceeds ``limit``; the message names ``--focus``.

    Examples
    --------
    >>> check_layout_size(12)
    """
    limit = MAX_TIMELINE_MODELS if timeline else MAX_LAYOUT_MODELS
    if count > limit:
        what = "a timeline of" if timeline else "a tree of"
        msg = (
            f"the drawing has {count:,} models; Graphviz lays out {what} at most "
            f"{limit:,} in a few seconds. Draw one lineage with --focus MODEL (its ancestors and "
            "descendants), or write --format dot, mermaid or text, which need no "
            "layout"
        )
        raise TooLargeError(msg)


def highlight_selection(index: Index, capability: str) -> Highlight:
    """The models and derivations that carried ``capability`` from its origin on.

    Origins are the models of :func:`lineage.provenance.query.find_origins`'s
    origins (gains in the lineage asked for, not those only observed in other
    lineages or supporting a hypothesis); carriers have it
    (gained, inherited, strengthened or recovered); weakened and lost models are
    where a claim says it faded. Path edges join a model that has it to a child
    that has it or lost it. Competing explanations (``alternative_to``) do not
    change the path, as in :func:`lineage.provenance.query.capability_states`.
    """
    from ..provenance.query import capability_states, find_origins

    models = set(index.facts.models)
    states = capability_states(index, models, capability)
    # only the origins `why` gives: a gain in another lineage (OPT next to davinci)
    # or one that only supports a hypothesis (PaLM) just carries it
    primary = {o.claim.model for o in find_origins(index, capability).origins}
    roles: dict[str, list[str]] = {role: [] for role in ROLE_TAGS}
    for mid in index.topo(models):
        effects = {
            c.effect
            for c in index.claims_by_model.get(mid, ())
            if c.capability == capability and c.alternative_to is None
        }
        for role in _claimed_roles(effects, mid in primary):
            roles[role].append(mid)
        state = states.get(mid, {}).get(capability)
        if state is not None and state.present:
            roles["carrier"].append(mid)
    have = set(roles["carrier"])
    ends = have | set(roles["lost"]) | set(roles["lacks"])
    edges = [
        der.id
        for mid in index.topo(models)
        for der in index.parents.get(mid, ())
        if der.parent in have and der.child in ends
    ]
    family_claims = sorted(
        {
            c.model
            for c in index.claims_by_capability.get(capability, ())
            if c.model in index.facts.families
        }
    )
    return Highlight(
        capability,
        origins=tuple(roles["origin"]),
        carriers=tuple(roles["carrier"]),
        weakened=tuple(roles["weakened"]),
        lost=tuple(roles["lost"]),
        edges=tuple(edges),
        family_claims=tuple(family_claims),
        strengthened=tuple(roles["strengthened"]),
        recovered=tuple(roles["recovered"]),
        has=tuple(roles["has"]),
        lacks=tuple(roles["lacks"]),
    )


#: The roles a model's own claims give it, the first that applies of each group:
#: how it came to have the capability, and how it faded.
_GAIN_ROLES = (
    (Effect.RECOVERED, "recovered"),
    (Effect.STRENGTHENED, "strengthened"),
    (Effect.HAS, "has"),
)
_FADE_ROLES = (
    (Effect.LOST, "lost"),
    (Effect.LACKS, "lacks"),
    (Effect.WEAKENED, "weakened"),
)


def _claimed_roles(effects: set[Effect], primary: bool) -> list[str]:
    """A model's highlight roles from the effects of its claims (an origin only
    where ``why`` gives it as one)."""
    gain = (
        ["origin"]
        if Effect.GAINED in effects and primary
        else [role for effect, role in _GAIN_ROLES if effect in effects][:1]
    )
    fade = [role for effect, role in _FADE_ROLES if effect in effects][:1]
    return gain + fade


def model_changes(index: Index, model: str) -> list[Change]:
    """The capability changes a node lists: gains first, then losses.

    One line per capability and effect, from the model's own claims (competing
    explanations are left out; their primary claim is shown). Tentative means
    the best claim is a hypothesis or speculative.
    """
    best: dict[tuple[str, Effect], Claim] = {}
    for claim in index.claims_by_model.get(model, ()):
        if claim.alternative_to is not None:
            continue
        key = (claim.capability, claim.effect)
        seen = best.get(key)
        if seen is None or claim.confidence.rank < seen.confidence.rank:
            best[key] = claim
    changes = []
    for (cap_id, effect), claim in best.items():
        cap = index.facts.capabilities.get(cap_id)
        changes.append(
            Change(
                cap_id,
                cap.name if cap else cap_id,
                effect,
                cap is not None and cap.kind is Kind.LIMITATION,
                claim.confidence.rank >= Confidence.HYPOTHESIS.rank,
                claim.contested,
                claim.partial,
                claim.still_below,
                claim.cause,
            )
        )
    changes.sort(
        key=lambda c: (
            c.limitation,
            EFFECT_ORDER.index(c.effect),
            c.name.casefold(),
            c.capability,
        )
    )
    return changes


def _made_by(index: Index, model: str, drawn: set[str]) -> Stage:
    """The stage that made a model: its most confident incoming derivation."""
    ders = index.parents.get(model, ())
    if not ders:
        return Stage.PRETRAINING
    best = min(
        ders,
        key=lambda d: (d.parent not in drawn, d.confidence.rank, index.order[d.parent]),
    )
    return best.stage


def _edges(index: Index, models: list[str]) -> list[Derivation]:
    drawn = set(models)
    return [
        der
        for mid in models
        for der in sorted(
            index.parents.get(mid, ()), key=lambda d: (index.order[d.parent], d.id)
        )
        if der.parent in drawn
    ]


def _axis_parts(date: str) -> tuple[str, str]:
    """The year and month text of a timeline band: ('2022', 'Apr–Jul') for a range."""
    (year, month, _), (end_year, end_month, _) = date_bounds(date)
    if date.count("-") == 0 and "/" not in date:
        return str(year), ""
    text = MONTHS[month - 1]
    if "/" in date and (end_year, end_month) != (year, month):
        end = MONTHS[end_month - 1] + (f" {end_year}" if end_year != year else "")
        text += f"–{end}"
    return str(year), text


def time_levels(
    index: Index, models: list[str]
) -> tuple[dict[str, int], list[tuple[int, str]]]:
    """Rank dated models by release date: ``(level of each model, axis labels)``.

    Every distinct release date gets its own band of levels, later dates below
    earlier ones; inside a band, a child sits below its parent. Undated models
    get no level (the layout places them by their derivations).

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> from lineage.store.index import build_index
    >>> time_levels(build_index(Facts()), [])
    ({}, [])
    """
    by_date: dict[str, list[str]] = {}
    for mid in models:
        date = index.facts.models[mid].date
        if date:
            by_date.setdefault(date, []).append(mid)
    levels: dict[str, int] = {}
    axis: list[tuple[int, str]] = []
    start = 0
    for date in sorted(by_date, key=date_sort_key):
        group = by_date[date]
        members = set(group)
        sub: dict[str, int] = {}
        for mid in group:  # already parents first
            sub[mid] = max(
                (
                    sub[d.parent] + 1
                    for d in index.parents.get(mid, ())
                    if d.parent in members
                ),
                default=0,
            )
            levels[mid] = start + sub[mid]
        axis.append((start, date))
        start += max(sub.values()) + 1
    return levels, axis


# --- escaping -----------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
#: Graphviz expands \N, \G, \E, \H, \T and \L (node name, graph name...) even
#: inside HTML labels and after an escaped backslash; a word joiner (invisible)
#: after each backslash keeps the facts' text as written.
_WORD_JOINER = "\u2060"


def _clean(text: str) -> str:
    return _CONTROL.sub(" ", text)


def _guard(text: str) -> str:
    return text.replace("\\", "\\" + _WORD_JOINER)


#: Graphviz refuses any quoted or HTML string over 16,384 bytes (and then draws
#: nothing), so drawn texts are clipped well below it; the facts keep every word.
LABEL_CHARS = 120
TOOLTIP_CHARS = 1000
#: the bytes of capability rows one model's label may hold before "N more"
_LABEL_BYTES = 12_000


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending in "…" when it was cut.

    Examples
    --------
    >>> clip("chain-of-thought", 6)
    'chain…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape_html(text: str) -> str:
    """Text for a Graphviz HTML-like label (an XML text node), clipped to
    :data:`LABEL_CHARS` characters.

    Examples
    --------
    >>> escape_html('<b>R&D "x"</b>')
    '&lt;b&gt;R&amp;D &quot;x&quot;&lt;/b&gt;'
    """
    return (
        _guard(_clean(clip(text, LABEL_CHARS)))
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("]", "&#93;")
    )


def escape_dot(text: str) -> str:
    """A DOT double-quoted string (for ids and escString attributes), quotes included.

    Backslashes are doubled (and guarded) so that ``\\N`` or ``\\l`` in the facts
    are shown, not interpreted; line breaks become ``\\n``.

    Examples
    --------
    >>> print(escape_dot('say "hi"'))
    "say \\"hi\\""
    """
    body = _guard(text).replace("\\", "\\\\").replace('"', '\\"')
    body = re.sub(r"\r\n|\r|\n|\u2028|\u2029", r"\\n", body)
    return f'"{_clean(body)}"'


_MERMAID = {
    '"': "#quot;",
    "#": "#35;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "|": "#124;",
    "\\": "#92;",
}


def escape_mermaid(text: str) -> str:
    """Text for a quoted Mermaid label: specials become ``#code;`` entities.

    Examples
    --------
    >>> escape_mermaid('a "b" <c> #1')
    'a #quot;b#quot; #lt;c#gt; #35;1'
    """
    return "".join(_MERMAID.get(ch, ch) for ch in _clean(text))


# --- DOT ----------------------------------------------------------------------------


def _font(text: str, colour: str | None = None, size: int | None = None) -> str:
    attrs = (f' COLOR="{colour}"' if colour else "") + (
        f' POINT-SIZE="{size}"' if size else ""
    )
    return f"<FONT{attrs}>{text}</FONT>" if attrs else text


def _change_row(change: Change, *, dim: bool, marked: bool) -> str:
    mark_colour = DIM if dim else EFFECT_COLOURS[change.effect]
    text_colour = DIM if dim else (LIMITATION if change.limitation else TEXT)
    name = escape_html(change.label) + ("?" if change.tentative else "")
    if change.contested:
        name += " (contested)"
    if change.partial:
        name += " (partly)"
    if change.tentative or change.limitation:
        name = f"<I>{name}</I>"
    if marked:
        name = f"<B>{name}</B>"
    bg = f' BGCOLOR="{MARKER_FILL}"' if marked else ""
    return (
        f'<TR><TD ALIGN="LEFT"{bg} CELLPADDING="1">&#160;{_font(change.mark, mark_colour)} '
        f"{_font(name, text_colour)}&#160;</TD></TR>"
    )


def _change_rows(index: Index, mid: str, options: TreeOptions, dim: bool) -> list[str]:
    """One row per capability change, as many as fit Graphviz's label limit."""
    rows: list[str] = []
    size = 0
    changes = model_changes(index, mid)
    for count, change in enumerate(changes):
        marked = (
            options.highlight is not None and change.capability == options.highlight
        )
        row = _change_row(change, dim=dim, marked=marked)
        size += len(row.encode())
        if size > _LABEL_BYTES:
            more = f"&#160;… and {len(changes) - count} more capabilities&#160;"
            rows.append(f"<TR><TD>{_font('<I>' + more + '</I>', MUTED, 9)}</TD></TR>")
            break
        rows.append(row)
    return rows


ROLE_TAGS = {
    "origin": ("★ origin", HIGHLIGHT),
    "carrier": ("carries it", HIGHLIGHT),
    "strengthened": ("▲ strengthened here", HIGHLIGHT),
    "recovered": ("↺ recovered here", HIGHLIGHT),
    "weakened": ("▼ weakened here", EFFECT_COLOURS[Effect.WEAKENED]),
    "lost": ("✗ lost here", EFFECT_COLOURS[Effect.LOST]),
    "has": ("⚠ has the limitation", EFFECT_COLOURS[Effect.HAS]),
    "lacks": ("✓ no longer has the limitation", EFFECT_COLOURS[Effect.LACKS]),
}


def _node_label(
    index: Index,
    mid: str,
    options: TreeOptions,
    *,
    stage: Stage,
    dim: bool,
    role: str | None,
    show_family: bool,
) -> str:
    model = index.facts.models[mid]
    rows = []
    tint = DIM_FILL if dim else STAGE_TINTS[stage]
    title_colour = DIM if dim else TEXT
    rows.append(
        f'<TR><TD BGCOLOR="{tint}" CELLPADDING="5">'
        f"{_font('<B>' + escape_html(model.name) + '</B>', title_colour, 13)}</TD></TR>"
    )
    sub = [model.date_label]
    if show_family and model.family:
        family = index.facts.families.get(model.family)
        sub.insert(0, family.name if family else model.family)
    # Non-breaking spaces keep a subtitle wider than its title clear of the outline.
    subtitle = f"&#160;{escape_html(' · '.join(sub))}&#160;"
    rows.append(f"<TR><TD>{_font(subtitle, DIM if dim else MUTED, 9)}</TD></TR>")
    if role is not None:
        tag, colour = ROLE_TAGS[role]
        rows.append(f"<TR><TD>{_font('<B>' + tag + '</B>', colour, 10)}</TD></TR>")
    if options.capabilities:
        rows += _change_rows(index, mid, options, dim)
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
        + "".join(rows)
        + "</TABLE>>"
    )


def _legend_line(style: str, colour: str, width: int) -> str:
    """A legend cell showing a line of this style, colour and pen width."""
    return (
        f'<TD WIDTH="34" HEIGHT="8" FIXEDSIZE="TRUE" SIDES="B" BORDER="{width}" '
        f'COLOR="{colour}" STYLE="{style}"></TD>'
    )


def _legend_cell(text: str) -> str:
    return f'<TD ALIGN="LEFT">{text}</TD>'


def _legend_row(sample: str, text: str) -> str:
    """One legend row: a sample cell and what it means."""
    return "<TR>" + sample + _legend_cell(text) + "</TR>"


def _legend_head(text: str) -> str:
    return f'<TR><TD ALIGN="LEFT" COLSPAN="2"><B>{text}</B></TD></TR>'


#: How the legend shows each confidence: (what it means, pen width of the sample)
CONFIDENCE_LEGEND = {
    Confidence.ESTABLISHED: ("established (stated or measured)", 3),
    Confidence.LIKELY: ("likely", 1),
    Confidence.HYPOTHESIS: ("hypothesis", 2),
    Confidence.SPECULATIVE: ("speculative (e.g. an unknown base model)", 2),
}


def _stage_legend(index: Index) -> list[str]:
    """Only the stages this graph uses: the vocabulary has a dozen."""
    used = {d.stage for d in index.facts.derivations.values()} | {
        c.stage for c in index.facts.claims.values() if c.stage is not None
    }
    note = _font("box colour: the stage that made the model", MUTED, 9)
    return [
        _legend_head("Edge colour: training stage"),
        *(
            _legend_row(_legend_line("solid", STAGE_COLOURS[s], 3), STAGE_LABELS[s])
            for s in Stage
            if s in used
        ),
        f'<TR><TD COLSPAN="2" ALIGN="LEFT">{note}</TD></TR>',
    ]


def _confidence_legend() -> list[str]:
    return [
        _legend_head("Line: confidence of the derivation"),
        *(
            _legend_row(_legend_line(LINE_STYLES[c][0], MUTED, width), text)
            for c, (text, width) in CONFIDENCE_LEGEND.items()
        ),
    ]


def _effect_legend() -> list[str]:
    def mark(text: str, colour: str) -> str:
        return f'<TD ALIGN="CENTER">{_font(text, colour)}</TD>'

    return [
        _legend_head("Capabilities changed at the model"),
        *(
            _legend_row(
                mark(EFFECT_MARKS[e], EFFECT_COLOURS[e]),
                f"{e.words} (grey italic)"
                if e in (Effect.HAS, Effect.LACKS)
                else f"{e.value} at this step",
            )
            for e in Effect
        ),
        _legend_row(
            mark("<I>x?</I>", TEXT),
            "<I>italic with ?</I>: a hypothesis or speculation",
        ),
    ]


def _highlight_legend(hl: Highlight, index: Index) -> list[str]:
    cap = index.facts.capabilities.get(hl.capability)
    name = escape_html(cap.name if cap else hl.capability)
    limited = cap is not None and cap.kind is Kind.LIMITATION
    star = _font("<B>⚠</B>" if limited else "<B>★</B>", HIGHLIGHT)
    outlines = (
        (HIGHLIGHT, "carries it"),
        (EFFECT_COLOURS[Effect.WEAKENED], "weakened here"),
        (EFFECT_COLOURS[Effect.LOST], "lost here"),
        (DIM, _font("other models", MUTED)),
    )
    return [
        _legend_head("Highlight: " + name),
        _legend_row(
            f"<TD>{star}</TD>",
            "has the limitation (thick outline)"
            if limited
            else "origin (thick outline)",
        ),
        *(
            _legend_row(_legend_line("solid", colour, 2), text)
            for colour, text in outlines
        ),
    ]


def _legend(options: TreeOptions, hl: Highlight | None, index: Index) -> str:
    columns = [_stage_legend(index), _confidence_legend()]
    if options.capabilities:
        columns.append(_effect_legend())
    if hl is not None:
        columns.append(_highlight_legend(hl, index))
    inner = "".join(
        '<TD VALIGN="TOP"><TABLE BORDER="0" CELLSPACING="1" CELLPADDING="1">'
        + "".join(rows)
        + "</TABLE></TD>"
        for rows in columns
    )
    return (
        '<<TABLE BORDER="1" COLOR="#d1d5db" CELLBORDER="0" CELLSPACING="6" '
        f'CELLPADDING="2"><TR>{inner}</TR></TABLE>>'
    )


def _selection(
    index: Index, options: TreeOptions
) -> tuple[list[str], set[str], list[Derivation], Highlight | None]:
    """What both drawings need: the models, their edges and the highlight, if any."""
    models = drawn_models(index, options)
    hl = (
        highlight_selection(index, options.highlight)
        if options.highlight is not None
        else None
    )
    return models, set(models), _edges(index, models), hl


#: Outline of a highlighted model by its role: (colour, pen width).
ROLE_OUTLINES = {
    "origin": (HIGHLIGHT, "4"),
    "carrier": (HIGHLIGHT, "2.4"),
    "strengthened": (HIGHLIGHT, "2.4"),
    "recovered": (HIGHLIGHT, "2.4"),
    "weakened": (EFFECT_COLOURS[Effect.WEAKENED], "3"),
    "lost": (EFFECT_COLOURS[Effect.LOST], "3"),
    "has": (HIGHLIGHT, "4"),
    "lacks": (EFFECT_COLOURS[Effect.LACKS], "3"),
}
#: The attribute lines every drawing starts with.
DOT_HEADER = (
    f'  graph [rankdir=TB, newrank=true, fontname="{FONT}", nodesep=0.3, '
    'ranksep=0.55, pad=0.3, bgcolor="white", labelloc=b, labeljust=l, '
    "compound=true, outputorder=edgesfirst];",
    f'  node [shape=box, style="rounded,filled", fillcolor="white", '
    f'fontname="{FONT}", fontsize=11, fontcolor="{TEXT}", margin="0.03,0.03", '
    "penwidth=1.2];",
    f'  edge [fontname="{FONT}", fontsize=10, arrowsize=0.8];',
)
#: The axis row of --timeline that holds every model of unknown release date.
UNDATED_AXIS = "axis:undated"


@dataclass(frozen=True, slots=True)
class _Drawing:
    """What the DOT helpers share: the selection and how models are grouped."""

    index: Index
    options: TreeOptions
    models: list[str]
    drawn: set[str]
    edges: list[Derivation]
    hl: Highlight | None
    clusters: dict[str, list[str]]
    loose: list[str]


def _drawing(index: Index, options: TreeOptions) -> _Drawing:
    """Select the models and group them: families of two or more drawn models
    become clusters; models with no drawn derivation and no cluster are loose."""
    models, drawn, edges, hl = _selection(index, options)
    by_family: dict[str, list[str]] = {}
    for mid in models:
        fam = index.facts.models[mid].family
        if fam:
            by_family.setdefault(fam, []).append(mid)
    clusters = {f: ms for f, ms in by_family.items() if len(ms) >= 2}
    linked = {d.parent for d in edges} | {d.child for d in edges}
    loose = [
        m
        for m in models
        if m not in linked and index.facts.models[m].family not in clusters
    ]
    return _Drawing(index, options, models, drawn, edges, hl, clusters, loose)


def _axis_label(date: str | None, previous_year: str | None) -> str:
    """``<B>2022</B><BR/>Apr`` for the first row of a year, ``Apr`` after it."""
    if date is None:
        return " "
    year, month = _axis_parts(date)
    text = f"<B>{year}</B>" if year != previous_year else ""
    if month:
        text += ("<BR/>" if text else "") + month
    return text or " "


def _timeline_lines(d: _Drawing) -> list[str]:
    """The year axis of --timeline and the rank of every model on it.

    Dated models sit on the row of their release date; models of unknown date
    share one row below the axis, labelled "date unknown", never a dated row.
    """
    levels, axis = time_levels(d.index, d.models)
    undated = [m for m in d.models if m not in levels]
    if not axis:
        return []
    out = []
    labels = dict(axis)
    last = max(levels.values())
    previous_year = None
    for level in range(last + 1):
        date = labels.get(level)
        out.append(
            f'  "axis:{level}" [label=<{_axis_label(date, previous_year)}>, '
            f'shape=plaintext, style="", fontsize=12, fontcolor="{MUTED}", '
            "margin=0, group=axis];"
        )
        if date is not None:
            previous_year = _axis_parts(date)[0]
    for level in range(last):
        arrow = "normal" if level == last - 1 else "none"
        out.append(
            f'  "axis:{level}" -> "axis:{level + 1}" '
            f'[color="{CLUSTER_LINE}", penwidth=2, arrowhead={arrow}, weight=100];'
        )
    ranks: dict[int, list[str]] = {}
    for mid in d.models:
        if mid in levels:
            ranks.setdefault(levels[mid], []).append(mid)
    for level in sorted(ranks):
        names = "; ".join(escape_dot(m) for m in ranks[level])
        out.append(f'  {{rank=same; "axis:{level}"; {names};}}')
    if undated:
        out.append(
            f'  "{UNDATED_AXIS}" [label=<<I>date<BR/>unknown</I>>, shape=plaintext, '
            f'style="", fontsize=12, fontcolor="{MUTED}", margin=0, group=axis];'
        )
        out.append(
            f'  "axis:{last}" -> "{UNDATED_AXIS}" [style=invis, weight=100, minlen=2];'
        )
        names = "; ".join(escape_dot(m) for m in undated)
        out.append(f'  {{rank=max; "{UNDATED_AXIS}"; {names};}}')
    return out


def _node_line(d: _Drawing, mid: str, indent: str) -> str:
    """One model as a DOT node: an HTML table label, outlined by stage or role."""
    hl = d.hl
    role = hl.role(mid) if hl else None
    dim = hl is not None and role is None
    stage = _made_by(d.index, mid, d.drawn)
    model = d.index.facts.models[mid]
    label = _node_label(
        d.index,
        mid,
        d.options,
        stage=stage,
        dim=dim,
        role=role,
        show_family=model.family not in d.clusters,
    )
    colour, width = ROLE_OUTLINES.get(
        role or "", (DIM if dim else STAGE_COLOURS[stage], "1.2")
    )
    attrs = [
        f"id={escape_dot('model-' + mid)}",
        f"label={label}",
        f'color="{colour}"',
        f"penwidth={width}",
    ]
    if dim:
        attrs.append(f'fillcolor="{DIM_FILL}"')
    tooltip = clip(model.description or model.name, TOOLTIP_CHARS)
    attrs.append(f"tooltip={escape_dot(tooltip)}")
    return f"{indent}{escape_dot(mid)} [{', '.join(attrs)}];"


def _cluster_lines(d: _Drawing) -> tuple[list[str], set[str]]:
    """Family clusters, then (outside --timeline) a grid of the loose models."""
    out: list[str] = []
    placed: set[str] = set()
    order = d.index.order
    for fam in sorted(d.clusters, key=lambda f: order[d.clusters[f][0]]):
        family = d.index.facts.families.get(fam)
        name = family.name if family else fam
        out.append(f"  subgraph {escape_dot('cluster_' + fam)} {{")
        out.append(
            f"    label=<<B>{escape_html(name)}</B>>; labeljust=l; labelloc=t; "
            f'fontsize=12; fontcolor="{MUTED if d.hl else TEXT}"; '
            f'style="rounded,filled"; fillcolor="{CLUSTER_FILL}"; '
            f'color="{CLUSTER_LINE}"; margin=10;'
        )
        out.extend(_node_line(d, mid, "    ") for mid in d.clusters[fam])
        placed.update(d.clusters[fam])
        out.append("  }")
    loose = d.loose
    if len(loose) > 1 and not d.options.timeline:
        out.append('  subgraph "cluster_unlinked" {')
        out.append(
            "    label=<<B>Models without a recorded derivation</B>>; labeljust=l; "
            f'labelloc=t; fontsize=12; fontcolor="{MUTED}"; style="rounded,dashed"; '
            f'color="{CLUSTER_LINE}"; margin=10;'
        )
        out.extend(_node_line(d, mid, "    ") for mid in loose)
        placed.update(loose)
        per_row = max(1, round(len(loose) ** 0.5 * 1.3))
        for i in range(per_row, len(loose)):  # a grid: columns of invisible chains
            out.append(
                f"    {escape_dot(loose[i - per_row])} -> {escape_dot(loose[i])} "
                "[style=invis];"
            )
        out.append("  }")
    return out, placed


def _edge_label(der: Derivation, colour: str) -> str:
    """The stage (and, below it, the confidence unless established), padded so
    that the edge beside it never runs through the first letter."""
    text = STAGE_LABELS[der.stage]
    if der.confidence is not Confidence.ESTABLISHED:
        text += f"<BR/>{_font('<I>' + der.confidence.value + '</I>', size=9)}"
    return (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0">'
        f'<TR><TD WIDTH="10"></TD><TD>{_font(text, colour)}</TD></TR></TABLE>>'
    )


def _edge_line(d: _Drawing, der: Derivation) -> str:
    """One derivation: coloured by stage, styled by confidence, bold on the path."""
    on_path = d.hl is not None and der.id in d.hl.edges
    dim = d.hl is not None and not on_path
    style, width, _ = LINE_STYLES[der.confidence]
    colour = DIM if dim else STAGE_COLOURS[der.stage]
    if on_path:
        width = str(float(width) + 2.2)
    attrs = [
        f"id={escape_dot('derivation-' + der.id)}",
        f"label={_edge_label(der, colour)}",
        f'color="{colour}"',
        f"style={style}",
        f"penwidth={width}",
        f"tooltip={escape_dot(clip(der.note or der.id, TOOLTIP_CHARS))}",
    ]
    return (
        f"  {escape_dot(der.parent)} -> {escape_dot(der.child)} [{', '.join(attrs)}];"
    )


def to_dot(index: Index, options: TreeOptions | None = None) -> str:
    """The evolution tree as Graphviz DOT source (deterministic).

    Models are nodes listing the capabilities gained (and lost) there; families
    with two or more drawn models are labelled clusters; derivations are edges
    coloured and labelled by stage, their line style showing the confidence.

    Parameters
    ----------
    index
        The compiled facts (:func:`lineage.api.load_graph`).
    options
        What to draw; see :class:`TreeOptions`.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> from lineage.store.index import build_index
    >>> to_dot(build_index(Facts())).splitlines()[0]
    'digraph lineage {'
    """
    d = _drawing(index, options or TreeOptions())
    out = ["digraph lineage {", *DOT_HEADER]
    if d.options.legend:
        out.append(f"  label={_legend(d.options, d.hl, index)};")
    if d.options.timeline:
        out.extend(_timeline_lines(d))
    clustered, placed = _cluster_lines(d)
    out.extend(clustered)
    out.extend(_node_line(d, mid, "  ") for mid in d.models if mid not in placed)
    out.extend(_edge_line(d, der) for der in d.edges)
    out.append("}")
    return "\n".join(out) + "\n"


# --- Mermaid ------------------------------------------------------------------------


def _mermaid_ids(models: Iterable[str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    used: set[str] = set()
    for mid in models:
        base = "m_" + re.sub(r"[^A-Za-z0-9]", "_", mid)
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base}_{n}"
        used.add(name)
        ids[mid] = name
    return ids


def to_mermaid(index: Index, options: TreeOptions | None = None) -> str:
    """The evolution tree as a Mermaid flowchart (deterministic).

    Families become subgraphs (with ``timeline``, release years do); stages
    colour the links, uncertain derivations are dotted.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> from lineage.store.index import build_index
    >>> to_mermaid(build_index(Facts())).splitlines()[0]
    'flowchart TB'
    """
    options = options or TreeOptions()
    models, drawn, edges, hl = _selection(index, options)
    ids = _mermaid_ids(models)
    out = ["flowchart TB"]
    order, groups, titles = _mermaid_groups(index, options, models)
    for n, key in enumerate(order):
        members = [_mermaid_node(index, options, hl, ids, m) for m in groups[key]]
        if not key or (not options.timeline and len(members) < 2):
            out.extend(f"  {node}" for node in members)
            continue
        out.append(f'  subgraph g{n}["{escape_mermaid(titles[key])}"]')
        out.extend(f"    {node}" for node in members)
        out.append("  end")
    out += _mermaid_links(edges, ids, hl)
    out += _MERMAID_CLASS_DEFS
    classes: dict[str, list[str]] = {}
    for mid in models:
        classes.setdefault(_made_by(index, mid, drawn).value, []).append(ids[mid])
        if hl is not None:
            classes.setdefault(hl.role(mid) or "dim", []).append(ids[mid])
    for name in _MERMAID_CLASS_ORDER:
        if name in classes:
            out.append(f"  class {','.join(classes[name])} {name}")
    return "\n".join(out) + "\n"


def _mermaid_node(
    index: Index,
    options: TreeOptions,
    hl: Highlight | None,
    ids: dict[str, str],
    mid: str,
) -> str:
    """``m_x["<b>Name</b><br/><small>date</small><br/>changes ..."]``."""
    model = index.facts.models[mid]
    parts = [f"<b>{escape_mermaid(model.name)}</b>"]
    parts.append(f"<small>{escape_mermaid(model.date_label)}</small>")
    if hl is not None and hl.role(mid):
        parts.append(f"<i>{escape_mermaid(ROLE_TAGS[hl.role(mid) or ''][0])}</i>")
    if options.capabilities:
        parts.extend(escape_mermaid(c.text()) for c in model_changes(index, mid))
    return f'{ids[mid]}["{"<br/>".join(parts)}"]'


def _mermaid_groups(
    index: Index, options: TreeOptions, models: list[str]
) -> tuple[list[str], dict[str, list[str]], dict[str, str]]:
    """The subgraphs in drawing order, their members and titles: families, or
    with ``timeline`` release years (``undated`` last); key ``""`` is no group."""
    groups: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for mid in models:
        model = index.facts.models[mid]
        if options.timeline:
            key = (model.released or "").split("-")[0] or "undated"
            titles[key] = "date unknown" if key == "undated" else key
        else:
            key = model.family or ""
            fam = index.facts.families.get(key)
            titles[key] = fam.name if fam else key
        groups.setdefault(key, []).append(mid)
    order = (
        sorted(groups, key=lambda k: (k == "undated", k))
        if options.timeline
        else list(groups)
    )
    return order, groups, titles


def _mermaid_links(
    edges: list[Derivation], ids: dict[str, str], hl: Highlight | None
) -> list[str]:
    """One link per derivation, then one ``linkStyle`` per link."""
    out = []
    for der in edges:
        label = STAGE_LABELS[der.stage]
        if der.confidence is not Confidence.ESTABLISHED:
            label += f" ({der.confidence.value})"
        arrow = LINE_STYLES[der.confidence][2]
        out.append(
            f'  {ids[der.parent]} {arrow}|"{escape_mermaid(label)}"| {ids[der.child]}'
        )
    path_edges = set(hl.edges) if hl else set()
    for i, der in enumerate(edges):
        dim = hl is not None and der.id not in path_edges
        colour = DIM if dim else STAGE_COLOURS[der.stage]
        width = LINE_STYLES[der.confidence][1]
        if der.id in path_edges:
            width = str(float(width) + 2.2)
        dash = (
            ",stroke-dasharray:2 4" if der.confidence is Confidence.SPECULATIVE else ""
        )
        out.append(f"  linkStyle {i} stroke:{colour},stroke-width:{width}px{dash}")
    return out


#: Outline of a highlighted model by its role in Mermaid: (colour, pen width).
_MERMAID_ROLE_OUTLINES = {
    "origin": (HIGHLIGHT, 4),
    "carrier": (HIGHLIGHT, 2),
    "strengthened": (HIGHLIGHT, 2),
    "recovered": (HIGHLIGHT, 2),
    "weakened": (EFFECT_COLOURS[Effect.WEAKENED], 3),
    "lost": (EFFECT_COLOURS[Effect.LOST], 3),
    "has": (HIGHLIGHT, 4),
    "lacks": (EFFECT_COLOURS[Effect.LACKS], 3),
}
_MERMAID_CLASS_DEFS = [
    *(
        f"  classDef {stage.value} fill:{STAGE_TINTS[stage]},"
        f"stroke:{STAGE_COLOURS[stage]},color:{TEXT}"
        for stage in Stage
    ),
    f"  classDef dim fill:{DIM_FILL},stroke:{DIM},color:{DIM}",
    *(
        f"  classDef {role} stroke:{colour},stroke-width:{width}px"
        for role, (colour, width) in _MERMAID_ROLE_OUTLINES.items()
    ),
]
#: The order of the ``class`` lines (stages, then the highlight's roles).
_MERMAID_CLASS_ORDER = (
    *(s.value for s in Stage),
    "dim",
    "carrier",
    "strengthened",
    "recovered",
    "weakened",
    "lost",
    "lacks",
    "has",
    "origin",
)


# --- text ---------------------------------------------------------------------------


Style = Callable[[str, str], str]


def _plain(text: str, role: str) -> str:
    return text


def _fold(text: str, width: int | None, first: str, rest: str) -> list[str]:
    """Word wrap that measures only visible characters (styles are ANSI codes)."""
    if width is None:
        return [first + text]
    return fold_words(text, width, first, rest, _visible)


def _visible(text: str) -> int:
    return len(_unstyle(text))


def to_text(
    index: Index,
    options: TreeOptions | None = None,
    *,
    width: int = 88,
    style: Style | None = None,
    fold: bool = False,
) -> str:
    """The evolution tree as indented text for the terminal.

    Capability lists wrap at ``width``; with ``fold``, model and edge lines do too
    (on a terminal; piped output keeps one model per line for ``grep``).

    Each model appears once in full, under its most confident parent; other
    parents point to it. ``style(text, role)`` may colour pieces (roles: ``model``,
    ``stage:<id>``, ``effect:<id>``, ``dim``, ``mark``); the default adds nothing.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> from lineage.store.index import build_index
    >>> to_text(build_index(Facts()))
    '(no models)\\n'
    """
    options = options or TreeOptions()
    models = drawn_models(index, options)
    if not models:
        return "(no models)\n"
    tree = _TextTree(
        index,
        options,
        width,
        style or _plain,
        width if fold else None,
        models,
        _edges(index, models),
    )
    if options.timeline:
        tree.timeline()
    else:
        tree.forest()
    return "\n".join(line.rstrip() for line in tree.lines) + "\n"


def _confidence_suffix(der: Derivation) -> str:
    """``, hypothesis`` after a stage label, nothing for an established derivation."""
    if der.confidence is Confidence.ESTABLISHED:
        return ""
    return f", {der.confidence.value}"


class _TextTree:
    """The lines of :func:`to_text`, drawn as a forest or along the time axis."""

    def __init__(
        self,
        index: Index,
        options: TreeOptions,
        width: int,
        style: Style,
        fold_at: int | None,
        models: list[str],
        edges: list[Derivation],
    ) -> None:
        self.index = index
        self.options = options
        self.width = width
        self.style = style
        self.fold_at = fold_at
        self.models = models
        self.edges = edges
        self.hl = (
            highlight_selection(index, options.highlight)
            if options.highlight is not None
            else None
        )
        self.home: dict[str, str] = {}  # model -> parent it is drawn under in full
        for mid in models:
            ders = [d for d in edges if d.child == mid]
            if ders:
                best = min(
                    ders, key=lambda d: (d.confidence.rank, index.order[d.parent])
                )
                self.home[mid] = best.parent
        self.kids: dict[str, list[Derivation]] = {}
        for der in edges:
            self.kids.setdefault(der.parent, []).append(der)
        self.lines: list[str] = []

    def name(self, mid: str | None) -> str:
        models = self.index.facts.models
        return models[mid].name if mid in models else "?"

    def title(self, mid: str) -> str:
        """``GPT-3  (GPT-3, 2020-05)`` with the highlight's mark, or dimmed."""
        model = self.index.facts.models[mid]
        bits = []
        if model.family:
            fam = self.index.facts.families.get(model.family)
            bits.append(fam.name if fam else model.family)
        bits.append(model.date_label)
        text = self.style(model.name, "model") + f"  ({', '.join(bits)})"
        role = self.hl.role(mid) if self.hl else None
        if role is not None:
            text += "  " + self.style("◀ " + ROLE_TAGS[role][0], "mark")
        elif self.hl is not None:
            text = self.style(_unstyle(text), "dim")
        return text

    def caps(self, mid: str, prefix: str) -> None:
        """The capability changes at ``mid``, wrapped under ``prefix``."""
        if not self.options.capabilities:
            return
        items = model_changes(self.index, mid)
        if not items:
            return
        room = max(30, self.width - len(prefix))

        def glued(text: str) -> str:  # kept on one line, unless it cannot fit
            return text.replace(" ", "\xa0") if len(text) < room else text

        text = ", ".join(glued(c.text()) for c in items if not c.noted)
        for row in textwrap.wrap(
            text, width=room, break_on_hyphens=False, break_long_words=False
        ):
            self.lines.append(prefix + row.replace("\xa0", " "))
        for change in (c for c in items if c.noted):  # a cause reads as a sentence
            for row in textwrap.wrap(
                change.long_text(),
                width=room,
                subsequent_indent="  ",
                break_on_hyphens=False,
                break_long_words=False,
            ):
                self.lines.append(prefix + row)

    def fold(self, text: str, first: str, rest: str) -> None:
        self.lines.extend(_fold(text, self.fold_at, first, rest))

    def forest(self) -> None:
        """Each root with its descendants below it."""
        for mid in self.models:
            if mid not in self.home:
                self.fold(self.title(mid), "", "    ")
                self.walk(mid, "")

    def walk(self, mid: str, prefix: str) -> None:
        children = self.kids.get(mid, [])
        self.caps(mid, prefix + ("│   " if children else "    "))
        for i, der in enumerate(children):
            last = i == len(children) - 1
            branch = prefix + ("└── " if last else "├── ")
            below = prefix + ("    " if last else "│   ")
            label = STAGE_LABELS[der.stage] + _confidence_suffix(der)
            edge = self.style(f"({label})", f"stage:{der.stage.value}") + " → "
            if self.home.get(der.child) == mid:
                self.fold(edge + self.title(der.child), branch, below)
                self.walk(der.child, below)
            else:
                pointer = (
                    self.style(self.index.facts.models[der.child].name, "model")
                    + f"  (drawn under {self.name(self.home.get(der.child))})"
                )
                self.fold(edge + pointer, branch, below)

    def timeline(self) -> None:
        """The models under their release dates, each with where it came from."""
        axis = time_levels(self.index, self.models)[1]
        dated = {date for _, date in axis}
        for date in [d for _, d in axis] + ["date unknown"]:
            group = [
                m
                for m in self.models
                if (self.index.facts.models[m].date or "date unknown") == date
            ]
            if date == "date unknown" and not group:
                continue
            if date != "date unknown" and date not in dated:
                continue
            self.lines.append(self.style(date.replace("/", " to "), "mark"))
            for mid in group:
                src = "; ".join(
                    f"from {d.parent} ({STAGE_LABELS[d.stage]}{_confidence_suffix(d)})"
                    for d in self.edges
                    if d.child == mid
                )
                self.fold(self.title(mid) + (f"  {src}" if src else ""), "  ", "      ")
                self.caps(mid, "      ")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _unstyle(text: str) -> str:
    """Remove ANSI colour codes (click is not imported by the library)."""
    return _ANSI.sub("", text)


# --- output -------------------------------------------------------------------------


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :mod:`lineage.outfile`).

    A failed write leaves an existing file as it was.

    Raises
    ------
    RenderError
        If the target is not a regular file, or cannot be written.
    """
    from ..outfile import write_atomic as write

    write(path, data, error=RenderError)


def _pdf_date(data: bytes) -> bytes:
    """Cairo's ``/CreationDate`` set from ``SOURCE_DATE_EPOCH`` when it is set.

    The date keeps its length, so the PDF's byte offsets stay valid.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.isdigit():
        return data
    import time

    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(int(epoch))).encode()
    return re.sub(
        rb"/CreationDate \(D:\d{14}", b"/CreationDate (D:" + stamp, data, count=1
    )


def layout(dot_source: str, fmt: str) -> bytes:
    """Lay out ``dot_source`` with one run of Graphviz ``dot``; return the picture.

    Raises
    ------
    GraphvizMissingError
        If ``dot`` is not installed (the message says how to install it).
    RenderError
        If ``dot`` fails.
    """
    if fmt not in GRAPHVIZ_FORMATS:
        msg = f"unknown Graphviz format {fmt!r}; expected one of {', '.join(GRAPHVIZ_FORMATS)}"
        raise RenderError(msg)
    import graphviz  # type: ignore[import-untyped,unused-ignore]

    try:
        data = graphviz.Source(dot_source).pipe(format=fmt, quiet=True)
    except graphviz.ExecutableNotFound:
        raise GraphvizMissingError(fmt) from None
    except graphviz.CalledProcessError as exc:
        err = exc.stderr
        text = (
            err.decode(errors="replace") if isinstance(err, bytes) else str(err or "")
        )
        msg = f"Graphviz dot failed: {text.strip() or exc}"
        raise RenderError(msg) from None
    assert isinstance(data, bytes)
    return _pdf_date(data) if fmt == "pdf" else data


def render(dot_source: str, path: str | os.PathLike[str], fmt: str) -> None:
    """Draw ``dot_source`` into ``path`` with one ``dot`` run, written atomically.

    Parameters
    ----------
    dot_source
        DOT text, e.g. from :func:`to_dot`.
    path
        The file to write; an existing one is replaced only on success.
    fmt
        ``svg``, ``png`` or ``pdf``.

    Raises
    ------
    GraphvizMissingError
        If ``dot`` is not installed (the message says how to install it).
    RenderError
        If ``dot`` fails or the file cannot be written.
    """
    write_atomic(path, layout(dot_source, fmt))
