"""The data model: frozen records that the loader builds from ``graph/*.yaml``.

Everything downstream (validation, the query functions, the renderers, the RDF
export) works on these classes; none of them knows about YAML or the command line.
"""

from __future__ import annotations

import re
import struct
from dataclasses import field
from enum import StrEnum
from typing import Any

from .._records import frozen_record, mutable_record

__all__ = [
    "Capability",
    "Claim",
    "Confidence",
    "Concept",
    "Conflict",
    "ConflictKind",
    "Derivation",
    "Effect",
    "Emergence",
    "Evidence",
    "Facts",
    "Family",
    "Figure",
    "Kind",
    "LIMITATION_EFFECTS",
    "ABILITY_EFFECTS",
    "Mechanism",
    "Model",
    "Setting",
    "Side",
    "Source",
    "SourceLocation",
    "Stage",
    "StageDef",
    "Asset",
    "AssetKind",
    "IdScheme",
    "Identifier",
    "Mapping",
    "date_bounds",
    "date_label",
    "date_sort_key",
    "change_note",
    "effect_label",
    "limitation_text",
]


class Stage(StrEnum):
    """The closed vocabulary of training stages (extend here first, then in data)."""

    PRETRAINING = "pretraining"
    CODE_TRAINING = "code_training"
    INSTRUCTION_TUNING = "instruction_tuning"
    RLHF = "rlhf"
    # Stages the lineage datasets record (Hugging Face base_model_relation, Ecosystem
    # Graphs, Epoch AI); see graph/stages.yaml for definitions and mappings.
    CONTINUED_PRETRAINING = "continued_pretraining"
    FINE_TUNING = "fine_tuning"
    ADAPTER_TRAINING = "adapter_training"
    PREFERENCE_TUNING = "preference_tuning"
    DISTILLATION = "distillation"
    QUANTIZATION = "quantization"
    MERGING = "merging"
    #: a dataset records that one model depends on another, but not how
    UNSPECIFIED = "unspecified"


class IdScheme(StrEnum):
    """Datasets and registries whose identifiers a model can carry (the crosswalk)."""

    HUGGINGFACE = "huggingface"
    WIKIDATA = "wikidata"
    EPOCH = "epoch"
    ECOSYSTEM_GRAPHS = "ecosystem_graphs"
    HELM = "helm"


class AssetKind(StrEnum):
    """What a non-model asset is (Ecosystem Graphs' asset types)."""

    DATASET = "dataset"
    APPLICATION = "application"


class Effect(StrEnum):
    """What a claim says happened to a capability at a model.

    The first five are for abilities; a limitation is not gained or lost like an
    ability: a model ``has`` it (observed at the model, or stated for its whole
    family) or ``lacks`` it (no longer has it, though an ancestor had it).
    """

    GAINED = "gained"
    STRENGTHENED = "strengthened"
    WEAKENED = "weakened"
    LOST = "lost"
    RECOVERED = "recovered"
    HAS = "has"
    LACKS = "lacks"

    @property
    def words(self) -> str:
        """How every view says it: 'gained', 'has the limitation' ...

        Examples
        --------
        >>> Effect.HAS.words, Effect.LACKS.words, Effect.LOST.words
        ('has the limitation', 'no longer has the limitation', 'lost')
        """
        return _EFFECT_WORDS.get(self, self.value)


_EFFECT_VALUES = frozenset(e.value for e in Effect)
_EFFECT_WORDS = {
    Effect.HAS: "has the limitation",
    Effect.LACKS: "no longer has the limitation",
}


class Confidence(StrEnum):
    """How firmly the source states a claim, strongest first."""

    ESTABLISHED = "established"
    LIKELY = "likely"
    HYPOTHESIS = "hypothesis"
    SPECULATIVE = "speculative"

    @property
    def rank(self) -> int:
        """0 for the strongest confidence, 3 for the weakest."""
        return _CONFIDENCE_RANK[self]


_CONFIDENCE_RANK = {c: i for i, c in enumerate(Confidence)}


class Mechanism(StrEnum):
    """Whether a stage exposed a latent ability or put a new one there."""

    UNLOCKED = "unlocked"
    INJECTED = "injected"
    UNKNOWN = "unknown"


class Kind(StrEnum):
    """A capability is an ability or a limitation."""

    ABILITY = "ability"
    LIMITATION = "limitation"


class Setting(StrEnum):
    """The prompting setting of an emergence observation (Wei et al. Table 1)."""

    FEW_SHOT = "few-shot"
    AUGMENTED = "augmented"


class ConflictKind(StrEnum):
    """Where a disagreement lies."""

    BETWEEN_SOURCES = "between-sources"
    WITHIN_SOURCE = "within-source"
    TRANSLATION = "translation"


#: Effects after which a model has the capability (or the limitation).
PRESENT_EFFECTS = frozenset(
    {Effect.GAINED, Effect.STRENGTHENED, Effect.RECOVERED, Effect.HAS}
)
#: The effects a claim about a limitation may have; the others are for abilities.
LIMITATION_EFFECTS = frozenset({Effect.HAS, Effect.LACKS})
ABILITY_EFFECTS = frozenset(Effect) - LIMITATION_EFFECTS


def limitation_text(name: str) -> str:
    """A limitation's name inside a sentence: 'Cannot do X' -> 'cannot do X'.

    Examples
    --------
    >>> limitation_text("Cannot do formal reasoning")
    'cannot do formal reasoning'
    >>> limitation_text("GPT-3.5 bias")
    'GPT-3.5 bias'
    """
    head = name.split(" ", 1)[0]
    if head[:1].isupper() and head[1:].islower():
        return name[:1].lower() + name[1:]
    return name


#: One date of the fact files: 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'.
DATE_PART = r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?"  # ASCII digits only
#: A date or a range 'START/END' (ISO 8601 interval) of two such dates.
DATE = re.compile(rf"^({DATE_PART})(?:/({DATE_PART}))?$")


def date_bounds(text: str) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The earliest and latest day a date or range of the fact files can mean.

    Examples
    --------
    >>> date_bounds("2022")
    ((2022, 1, 1), (2022, 12, 31))
    >>> date_bounds("2022-04/2022-07")
    ((2022, 4, 1), (2022, 7, 31))
    """
    start, _, end = text.partition("/")
    return _first_day(start), _last_day(end or start)


def _first_day(text: str) -> tuple[int, int, int]:
    parts = [int(p) for p in text.split("-")]
    return (
        parts[0],
        parts[1] if len(parts) > 1 else 1,
        parts[2] if len(parts) > 2 else 1,
    )


#: days of each month in a common year (``calendar`` costs a millisecond to import)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def month_days(year: int, month: int) -> int:
    """Days in ``month`` (1-12) of ``year``, as ``calendar.monthrange`` counts them."""
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else _MONTH_DAYS[month - 1]


def _last_day(text: str) -> tuple[int, int, int]:
    parts = [int(p) for p in text.split("-")]
    month = parts[1] if len(parts) > 1 else 12
    last = month_days(parts[0], month) if 1 <= month <= 12 else 31
    return (parts[0], month, parts[2] if len(parts) > 2 else last)


def date_sort_key(text: str | None) -> tuple[tuple[int, int, int], ...]:
    """Earliest possible day first, then the more precise date first.

    A year-only '2022' therefore sorts after '2022-01' and before '2022-02',
    and undated (None) after everything.

    Examples
    --------
    >>> sorted(["2022-02", "2022", "2022-01", "2021-12"], key=date_sort_key)
    ['2021-12', '2022-01', '2022', '2022-02']
    """
    if not text:
        return ((9999, 99, 99),)
    return date_bounds(text)


def date_label(released: str | None, paper_date: str | None = None) -> str:
    """How a model's dates read: the release (a range as 'A to B'), else the paper's.

    Examples
    --------
    >>> date_label("2022-04/2022-07")
    '2022-04 to 2022-07'
    >>> date_label(None, "2021-07")
    'paper 2021-07'
    >>> date_label("2022-11", "2022-03")
    '2022-11 (paper 2022-03)'
    >>> date_label(None)
    'date unknown'
    """
    shown = [(d or "").replace("/", " to ") for d in (released, paper_date)]
    if released and paper_date:
        return f"{shown[0]} (paper {shown[1]})"
    if released:
        return shown[0]
    if paper_date:
        return f"paper {shown[1]}"
    return "date unknown"


def effect_label(
    effect: str, partial: bool = False, still_below: str | None = None
) -> str:
    """How an effect reads with its qualifiers.

    Examples
    --------
    >>> effect_label("recovered", True, "code-davinci-002")
    'recovered (partly; still below code-davinci-002)'
    >>> effect_label("recovered", True)
    'recovered (partly)'
    >>> effect_label("gained")
    'gained'
    """
    quals = (["partly"] if partial else []) + (
        [f"still below {still_below}"] if still_below else []
    )
    words = Effect(effect).words if effect in _EFFECT_VALUES else effect
    return f"{words} ({'; '.join(quals)})" if quals else words


def change_note(
    effect: str,
    partial: bool = False,
    still_below: str | None = None,
    cause: str | None = None,
) -> str | None:
    """The line a view prints under a change with a cause or qualifiers (else None).

    Examples
    --------
    >>> change_note("recovered", True, "code-davinci-002", "LM mix-in")
    'recovered (partly; still below code-davinci-002) — cause: LM mix-in'
    >>> change_note("lost", cause="traded for dialogue")
    'lost — cause: traded for dialogue'
    >>> change_note("gained") is None
    True
    """
    if not (partial or still_below or cause):
        return None
    label = effect_label(effect, partial, still_below)
    return f"{label} — cause: {cause}" if cause else label


#: Every field name a record may have; positions refer to fields by index here.
FIELD_NAMES = (
    "id", "name", "title", "authors", "year", "url", "kind", "translation", "note",
    "definition", "aliases", "description", "broader", "organization",
    "parent_family", "family", "released", "training_data", "external_ids",
    "evidence", "parent", "child", "stage", "confidence", "model", "capability",
    "effect", "mechanism", "alternative_to", "contested", "subject", "property",
    "value", "unit", "source", "locator", "qualifier", "task", "setting",
    "training_flops", "parameters", "reference", "topic", "about", "sides", "says",
    "records", "version_of", "paper_date", "root", "papers", "approximations",
    "license", "imported_from", "stub", "dependencies", "created", "url", "mappings",
    "scheme", "term", "relation", "trained_on", "empty_fields",
    "unresolved_dependencies", "scheme", "value", "cause", "partial",
    "still_below", "supports", "examples", "stated_for",
)  # fmt: skip
FIELD_INDEX = {name: i for i, name in enumerate(FIELD_NAMES)}
#: one packed field position: field index, line, column
_FIELD = struct.Struct("<HII")


def pack_fields(positions: dict[str, tuple[int, int]]) -> bytes:
    """Pack ``{field: (line, column)}`` compactly (about 10x smaller than tuples)."""
    index, pack = FIELD_INDEX, _FIELD.pack
    return b"".join(
        [
            pack(index[k], line, column)
            for k, (line, column) in positions.items()
            if k in index
        ]
    )


@frozen_record
class SourceLocation:
    """A 1-based position in a fact file, with the positions of the record's fields.

    ``fields`` is packed by :func:`pack_fields`; use :meth:`of` to read it.
    """

    path: str
    line: int
    column: int
    fields: bytes = field(default=b"", compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def of(self, key: str) -> SourceLocation:
        """The position of the value of field ``key`` (the record's when unknown)."""
        wanted = FIELD_INDEX.get(key)
        for index, line, column in _FIELD.iter_unpack(self.fields):
            if index == wanted:
                return SourceLocation(self.path, line, column)
        return self


@frozen_record
class Evidence:
    """One piece of support for a record: a source, where in it, and what it says."""

    source: str
    locator: str
    note: str
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Source:
    """A publication or document cited by the facts."""

    id: str
    title: str
    authors: tuple[str, ...]
    year: int
    url: str
    kind: str | None = None
    translation: str | None = None
    note: str | None = None
    #: this record is one copy or version of that source (same work, other text)
    version_of: str | None = None
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)

    @property
    def work(self) -> str:
        """The id of the work this source is a copy of (its own id when none)."""
        return self.version_of or self.id


@frozen_record
class Mapping:
    """A SKOS mapping of one of our terms to a term of another vocabulary."""

    scheme: str
    term: str
    relation: str
    note: str | None = None


@frozen_record
class StageDef:
    """The definition of one stage of the closed vocabulary."""

    id: str
    name: str
    definition: str
    aliases: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    mappings: tuple[Mapping, ...] = ()
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Capability:
    """An ability (or limitation) a model can have."""

    id: str
    name: str
    kind: Kind
    description: str
    aliases: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Concept:
    """A named idea of the sources that is neither a capability nor a stage (the
    alignment tax), with its definition cited and the claims that exemplify it."""

    id: str
    name: str
    definition: str
    evidence: tuple[Evidence, ...]
    aliases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    note: str | None = None
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Family:
    """A named group of models such as GPT-3 or PaLM.

    ``root`` names the member a command takes when it needs one model and is
    given the family (``lineage path GPT-3 chatgpt``); without it, the members
    with no parent inside the family are the roots.
    """

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    organization: str | None = None
    description: str | None = None
    parent_family: str | None = None
    root: str | None = None
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Model:
    """One model, identified by its API name where one exists."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    family: str | None = None
    organization: str | None = None
    released: str | None = None
    description: str | None = None
    training_data: str | None = None
    external_ids: tuple[tuple[str, str], ...] = ()
    evidence: tuple[Evidence, ...] = ()
    #: the date of the paper that introduced the model, where that is what the
    #: source dates (``released`` is the API or product release)
    paper_date: str | None = None
    #: sources the facts name as the model's paper (Fu's table, 'OpenAI Paper')
    papers: tuple[str, ...] = ()
    #: open-source models, families or papers the facts name as approximations of
    #: this model (Fu's table, 'Open Source Approximate')
    approximations: tuple[str, ...] = ()
    license: str | None = None
    #: ``path:line:col`` of the record in the dataset it was imported from
    imported_from: str | None = None
    #: known only because another record names it; no input describes it
    stub: bool = False
    #: assets (datasets) the model was trained on or built with
    trained_on: tuple[str, ...] = ()
    #: fields the imported dataset left empty, as ``field@line:col`` of its input
    empty_fields: tuple[str, ...] = ()
    #: dependencies the imported dataset names but never defines, ``name@line:col``
    unresolved_dependencies: tuple[str, ...] = ()
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)

    @property
    def date(self) -> str | None:
        """The date that places the model in time: its release, else its paper's."""
        return self.released or self.paper_date

    @property
    def date_label(self) -> str:
        """The model's dates as a reader sees them (see :func:`date_label`)."""
        return date_label(self.released, self.paper_date)


@frozen_record
class Identifier:
    """The name a model has in another dataset or registry, cited (the crosswalk)."""

    id: str
    model: str
    scheme: IdScheme
    value: str
    evidence: tuple[Evidence, ...]
    note: str | None = None
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Asset:
    """A dataset or an application that models are trained on or built into."""

    id: str
    name: str
    kind: AssetKind
    organization: str | None = None
    created: str | None = None
    description: str | None = None
    url: str | None = None
    license: str | None = None
    dependencies: tuple[str, ...] = ()
    external_ids: tuple[tuple[str, str], ...] = ()
    evidence: tuple[Evidence, ...] = ()
    imported_from: str | None = None
    empty_fields: tuple[str, ...] = ()
    unresolved_dependencies: tuple[str, ...] = ()
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Derivation:
    """An edge ``parent -> child`` made by one training stage."""

    id: str
    parent: str
    child: str
    stage: Stage
    confidence: Confidence
    evidence: tuple[Evidence, ...]
    note: str | None = None
    imported_from: str | None = None
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Claim:
    """A capability change at a model, attributed to a stage, with evidence."""

    id: str
    model: str
    capability: str
    effect: Effect
    stage: Stage | None
    confidence: Confidence
    evidence: tuple[Evidence, ...]
    mechanism: Mechanism | None = None
    alternative_to: str | None = None
    contested: bool = False
    note: str | None = None
    #: the source's own mechanism or cause, when it is not the stage itself
    #: ("mixing the language-modelling objective into RL tuning")
    cause: str | None = None
    #: only part of the ability changed (a partial recovery)
    partial: bool = False
    #: a model the ability stays below after the change (e.g. code-davinci-002)
    still_below: str | None = None
    #: this claim is evidence for that claim (e.g. a hypothesis), not an origin
    supports: str | None = None
    #: the family the source states the claim for as a whole (every member then
    #: carries the claim; the rule 'family-statement' checks that none is missing)
    stated_for: str | None = None
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Figure:
    """One cited numeric fact about a model, family or source."""

    id: str
    subject: str
    property: str
    value: float
    unit: str
    source: str
    locator: str
    qualifier: str | None = None
    note: str | None = None
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Emergence:
    """The scale at which an ability emerges (one row of Wei et al. Table 1)."""

    id: str
    capability: str
    task: str
    setting: Setting
    model: str
    source: str
    locator: str
    training_flops: float | None = None
    parameters: float | None = None
    reference: str | None = None
    note: str | None = None
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Side:
    """One side of a conflict: what it says, who says it, and which records hold it.

    ``translation`` marks the reading of a translation (the other side is the
    original); such a side is a note on the fact, never a second fact.
    """

    says: str
    evidence: tuple[Evidence, ...]
    records: tuple[str, ...] = ()
    translation: bool = False
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@frozen_record
class Conflict:
    """A disagreement, recorded once with every side cited.

    ``topic`` groups conflicts about the same question (several kinds may share a
    topic); ``about`` names the records the disagreement concerns.
    """

    id: str
    topic: str
    kind: ConflictKind
    sides: tuple[Side, ...]
    about: tuple[str, ...] = ()
    note: str | None = None
    loc: SourceLocation | None = field(default=None, compare=False, repr=False)


@mutable_record
class Facts:
    """All records of a graph, keyed by id, in file order."""

    sources: dict[str, Source] = field(default_factory=dict)
    stages: dict[str, StageDef] = field(default_factory=dict)
    capabilities: dict[str, Capability] = field(default_factory=dict)
    families: dict[str, Family] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    derivations: dict[str, Derivation] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    emergence: dict[str, Emergence] = field(default_factory=dict)
    conflicts: dict[str, Conflict] = field(default_factory=dict)
    assets: dict[str, Asset] = field(default_factory=dict)
    identifiers: dict[str, Identifier] = field(default_factory=dict)
    concepts: dict[str, Concept] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    #: entries of the graph directories that are not fact files (hidden, other names)
    skipped: tuple[str, ...] = ()
    #: (section, record) of records with errors, built from their valid fields only
    #: so that validation can still check their references; never used for answers
    incomplete: list[tuple[str, Any]] = field(default_factory=list)

    def with_incomplete(self) -> Facts:
        """These facts with the incomplete records added (first id wins), for
        checks that should also cover records with errors (references)."""
        whole = Facts(files=self.files, skipped=self.skipped)
        for name in self.counts():
            setattr(whole, name, dict(getattr(self, name)))
        for number, (section, record) in enumerate(self.incomplete):
            table = getattr(whole, section)
            key = record.id if isinstance(record.id, str) else None
            # a record without an id, or repeating one, still has its references
            # checked, under a key that no reference can name
            table[key if key is not None and key not in table else f"\0{number}"] = (
                record
            )
        return whole

    def counts(self) -> dict[str, int]:
        """Number of records in each section."""
        return {
            "sources": len(self.sources),
            "stages": len(self.stages),
            "capabilities": len(self.capabilities),
            "families": len(self.families),
            "models": len(self.models),
            "derivations": len(self.derivations),
            "claims": len(self.claims),
            "figures": len(self.figures),
            "emergence": len(self.emergence),
            "conflicts": len(self.conflicts),
            "assets": len(self.assets),
            "identifiers": len(self.identifiers),
            "concepts": len(self.concepts),
        }
