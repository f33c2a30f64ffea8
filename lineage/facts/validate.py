"""Checks across records: references, cycles, vocabulary, aliases, dates.

Each rule is a generator of :class:`~lineage.errors.Problem`; :func:`validate` runs
them all so that every problem is reported at once.

Most rules are about one record at a time (:data:`RULES`): they are called with the
facts to look things up in and the facts whose records to check (the same facts for
a whole check; one record for :func:`record_problems`), so that the store can
re-check only the records an edit can affect. The rest look at groups of records
(:func:`group_problems`): id collisions between names (one group per folded name),
claims that contradict each other (per model and capability), cycles and stage
definitions (the whole graph), each with a helper the store calls per group.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..errors import Problem, Severity, did_you_mean
from ..facts.model import (
    LIMITATION_EFFECTS,
    PRESENT_EFFECTS,
    Asset,
    ConflictKind,
    Effect,
    Facts,
    Kind,
    Model,
    SourceLocation,
    Stage,
    date_bounds,
)
from .confusables import skeleton
from .fold import normalize, suggest

__all__ = [
    "HINTED",
    "RULES",
    "alias_clashes",
    "cycle_problems",
    "family_statement_problems",
    "group_problems",
    "normalize",
    "record_problems",
    "records_problems",
    "stage_problems",
    "validate",
]

#: a rule: (facts to look up in, facts whose records to check) -> problems
_Rule = Callable[[Facts, Facts], Iterator[Problem]]
RULES: dict[str, _Rule] = {}


#: rules that also check records with errors (``Facts.incomplete``)
WHOLE: set[str] = set()
#: rules whose messages rank every record of a table ("did you mean"): their
#: problems can change when any record is added or removed
HINTED = frozenset({"unknown-reference", "unknown-source", "unknown-record"})


#: the sections of the checked facts each rule reads (tests/test_validate_rules.py
#: checks that a rule reads no other): a record is checked by those rules only
READS: dict[str, frozenset[str]] = {}


def rule(
    code: str, *, reads: tuple[str, ...], incomplete: bool = False
) -> Callable[[_Rule], _Rule]:
    """Register a rule that checks the records of the sections ``reads``; with
    ``incomplete``, it also sees records that have errors (built from their valid
    fields: any field may be None), so that one error in a record does not hide
    the others."""

    def register(func: _Rule) -> _Rule:
        RULES[code] = func
        READS[code] = frozenset(reads)
        if incomplete:
            WHOLE.add(code)
        _BY_SECTION.clear()
        return func

    return register


#: section -> the rules that read it, in the order of RULES (filled when used)
_BY_SECTION: dict[str, list[tuple[str, _Rule]]] = {}


def _rules_of(section: str) -> list[tuple[str, _Rule]]:
    found = _BY_SECTION.get(section)
    if found is None:
        found = [(c, f) for c, f in RULES.items() if section in READS[c]]
        _BY_SECTION[section] = found
    return found


def _problem(
    loc: SourceLocation | None,
    message: str,
    code: str,
    severity: Severity = Severity.ERROR,
) -> Problem:
    if loc is None:
        return Problem("<facts>", 0, 0, severity, message, code)
    return Problem(loc.path, loc.line, loc.column, severity, message, code)


def _ref(
    loc: SourceLocation | None,
    key: str,
    kind: str,
    value: str | None,
    *tables: Any,
) -> tuple[Problem, ...]:
    """A problem when ``value`` is in none of ``tables`` (one table: its names and
    aliases are suggested too; several: their ids). A tuple, not a generator: it
    runs for every reference of every record checked."""
    if value is None:
        return ()
    for table in tables:
        if value in table:
            return ()
    where = loc.of(key) if loc else None
    return (
        _problem(
            where,
            f"unknown {kind} '{value}'{_hint(value, tables)}",
            "unknown-reference",
        ),
    )


def _hint(value: str, tables: tuple[Any, ...]) -> str:
    """`` (did you mean 'id'?)`` ranked over the ids of the records (and over their
    names and aliases when there is one table)."""
    labels: dict[str, str] = {}
    if len(tables) == 1:
        for record in tables[0].values():
            for label in (
                getattr(record, "name", None),
                *getattr(record, "aliases", ()),
            ):
                if isinstance(label, str):
                    labels.setdefault(label, record.id)
    for table in tables:
        for rid in table:
            if not rid.startswith("\0"):  # a record with errors kept apart
                labels[rid] = rid
    best = suggest(value, labels)
    return f" (did you mean '{labels[best[0]]}'?)" if best else ""


@rule(
    "unknown-reference",
    reads=(
        "sources",
        "models",
        "families",
        "capabilities",
        "derivations",
        "identifiers",
        "assets",
        "claims",
        "concepts",
        "figures",
        "emergence",
    ),
    incomplete=True,
)
def check_references(facts: Facts, sub: Facts) -> Iterator[Problem]:
    models, caps, fams = facts.models, facts.capabilities, facts.families
    sources = facts.sources
    for src in sub.sources.values():
        yield from _ref(src.loc, "version_of", "source", src.version_of, sources)
    for model in sub.models.values():
        yield from _ref(model.loc, "family", "family", model.family, fams)
        for paper in model.papers:
            yield from _ref(model.loc, "papers", "source", paper, sources)
        for other in model.approximations:
            yield from _ref(
                model.loc,
                "approximations",
                "model, family or source",
                other,
                models,
                fams,
                sources,
            )
    yield from _family_references(facts, sub)
    for cap in sub.capabilities.values():
        for broader in cap.broader:
            yield from _ref(cap.loc, "broader", "capability", broader, caps)
    for der in sub.derivations.values():
        yield from _ref(der.loc, "parent", "model", der.parent, models)
        yield from _ref(der.loc, "child", "model", der.child, models)
    for ident in sub.identifiers.values():
        yield from _ref(ident.loc, "model", "model", ident.model, models)
    yield from _dependency_references(facts, sub)
    for claim in sub.claims.values():
        yield from _ref(
            claim.loc, "model", "model or family", claim.model, models, fams
        )
        yield from _ref(claim.loc, "capability", "capability", claim.capability, caps)
        yield from _ref(
            claim.loc, "alternative_to", "claim", claim.alternative_to, facts.claims
        )
        yield from _ref(claim.loc, "supports", "claim", claim.supports, facts.claims)
        yield from _ref(claim.loc, "still_below", "model", claim.still_below, models)
        yield from _ref(claim.loc, "stated_for", "family", claim.stated_for, fams)
    for concept in sub.concepts.values():
        for example in concept.examples:
            yield from _ref(concept.loc, "examples", "claim", example, facts.claims)
    for fig in sub.figures.values():
        yield from _ref(
            fig.loc, "subject", "subject", fig.subject, models, fams, sources, caps
        )
        yield from _ref(fig.loc, "source", "source", fig.source, sources)
    for row in sub.emergence.values():
        yield from _ref(row.loc, "capability", "capability", row.capability, caps)
        yield from _ref(row.loc, "model", "model or family", row.model, models, fams)
        yield from _ref(row.loc, "source", "source", row.source, sources)


def _family_references(facts: Facts, sub: Facts) -> Iterator[Problem]:
    models, fams = facts.models, facts.families
    for family in sub.families.values():
        yield from _ref(
            family.loc, "parent_family", "family", family.parent_family, fams
        )
        yield from _ref(family.loc, "root", "model", family.root, models)
        root = models.get(family.root or "")
        if root is not None and root.family != family.id:
            yield _problem(
                family.loc.of("root") if family.loc else None,
                f"root '{root.id}' of family '{family.id}' is not one of its members "
                f"(its family is {root.family or 'none'}); name a model whose "
                f"'family' is {family.id}",
                "unknown-reference",
            )


def _dependency_references(facts: Facts, sub: Facts) -> Iterator[Problem]:
    models, assets = facts.models, facts.assets
    for model in sub.models.values():
        for dep in model.trained_on:
            yield from _ref(model.loc, "trained_on", "asset", dep, assets)
    for asset in sub.assets.values():
        for dep in asset.dependencies:
            yield from _ref(
                asset.loc, "dependencies", "model or asset", dep, models, assets
            )


@rule(
    "unknown-source",
    reads=(
        "models",
        "derivations",
        "claims",
        "conflicts",
        "identifiers",
        "assets",
        "concepts",
    ),
    incomplete=True,
)
def check_evidence_sources(facts: Facts, sub: Facts) -> Iterator[Problem]:
    holders: list[Any] = [
        *sub.models.values(),
        *sub.derivations.values(),
        *sub.claims.values(),
        *(side for c in sub.conflicts.values() for side in c.sides or ()),
        *sub.identifiers.values(),
        *sub.assets.values(),
        *sub.concepts.values(),
    ]
    for holder in holders:
        for ev in holder.evidence or ():
            if ev.source not in facts.sources:
                where = ev.loc.of("source") if ev.loc else holder.loc
                yield _problem(
                    where,
                    f"evidence cites unknown source '{ev.source}'"
                    f"{did_you_mean(ev.source, facts.sources)}",
                    "unknown-source",
                )


def _cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Return one cycle per strongly connected knot, iteratively (deep graphs)."""
    white, grey, black = 0, 1, 2
    colour: dict[str, int] = {}
    found: list[list[str]] = []
    for start in sorted(edges):
        if colour.get(start, white) != white:
            continue
        stack: list[tuple[str, Iterator[str]]] = [(start, iter(edges.get(start, ())))]
        path = [start]
        colour[start] = grey
        while stack:
            node, children = stack[-1]
            for child in children:
                state = colour.get(child, white)
                if state == white:
                    colour[child] = grey
                    stack.append((child, iter(edges.get(child, ()))))
                    path.append(child)
                    break
                if state == grey:
                    found.append([*path[path.index(child) :], child])
            else:
                colour[node] = black
                stack.pop()
                path.pop()
    return found


def check_cycles(facts: Facts) -> Iterator[Problem]:
    first: dict[tuple[str, str], SourceLocation | None] = {}
    for der in facts.derivations.values():
        first.setdefault((der.parent, der.child), der.loc)
    broader = {c.id: list(c.broader) for c in facts.capabilities.values()}
    return cycle_problems(
        ((d.parent, d.child) for d in facts.derivations.values()),
        lambda parent, child: first.get((parent, child)),
        broader,
        lambda cap: facts.capabilities[cap].loc,
    )


def cycle_problems(
    edges: Iterable[tuple[str, str]],
    edge_loc: Callable[[str, str], SourceLocation | None],
    broader: dict[str, list[str]],
    capability_loc: Callable[[str], SourceLocation | None],
) -> Iterator[Problem]:
    """The cycles of the derivations (``(parent, child)`` in file order) and of the
    capability hierarchy; ``edge_loc``/``capability_loc`` place each one found."""
    children: dict[str, list[str]] = {}
    for parent, child in edges:
        children.setdefault(parent, []).append(child)
    for cycle in _cycles(children):
        yield _problem(
            edge_loc(cycle[-2], cycle[-1]),
            "derivations form a cycle: " + " -> ".join(cycle),
            "cycle",
        )
    for cycle in _cycles(broader):
        yield _problem(
            capability_loc(cycle[-2]),
            "capability hierarchy forms a cycle: " + " -> ".join(cycle) + " (broader)",
            "cycle",
        )


#: the sections whose names and aliases must each lead to one record, by group:
#: (group, rank within the group, kind)
NAMED = {
    "stages": ("stage", 0, "stage"),
    "capabilities": ("capability", 0, "capability"),
    "models": ("model", 0, "model"),
    "families": ("model", 1, "family"),
}


def named(section: str, record: Any) -> tuple[str, str, Any, tuple[str, ...], bool]:
    """``(kind, id, position, labels, imported)`` of a record of :data:`NAMED`."""
    kind = NAMED[section][2]
    labels = (record.id, record.name, *record.aliases)
    if section == "models":
        where = imported_at(record.imported_from, record.loc)
        return kind, record.id, where, labels, record.imported_from is not None
    return kind, record.id, record.loc, labels, False


def alias_keys(
    labels: Iterable[str], folded: Iterable[str] | None = None
) -> dict[str, str]:
    """The folded form of each label (first label of each), as names collide
    (``folded``: ``normalize`` of each label, when known already)."""
    keys: dict[str, str] = {}
    if folded is None:
        for label in labels:
            keys.setdefault(skeleton(normalize(label)), label)
        return keys
    for label, key in zip(labels, folded, strict=True):
        keys.setdefault(skeleton(key), label)
    return keys


#: a letter or digit of ASCII text, which folding keeps (``normalize`` removes
#: only what ``\W`` and ``_`` match, and ASCII text has no look-alikes)
_ASCII_WORD = re.compile("[A-Za-z0-9]")


@rule("ambiguous-alias", reads=tuple(NAMED))
def check_alias_letters(facts: Facts, sub: Facts) -> Iterator[Problem]:
    for section in NAMED:
        for record in getattr(sub, section).values():
            kind, record_id, loc, labels, _ = named(section, record)
            if all(label.isascii() and _ASCII_WORD.search(label) for label in labels):
                continue  # (most records: folding keeps a letter or digit of each)
            for key, label in alias_keys(labels).items():
                if not key:
                    yield _problem(
                        loc.of("aliases") if loc else None,
                        f"alias '{label}' of '{record_id}' has no letters or digits",
                        "ambiguous-alias",
                    )


def check_aliases(facts: Facts) -> Iterator[Problem]:
    groups: dict[str, list[Any]] = {}
    for section, (group, _, _) in NAMED.items():
        groups.setdefault(group, []).extend(
            named(section, r) for r in getattr(facts, section).values()
        )
    for records in groups.values():
        for _, problem in alias_clashes(records):
            yield problem


def alias_clashes(records: Iterable[Any]) -> Iterator[tuple[str, Problem]]:
    """``(folded name, problem)`` for each record of one group (in order) whose
    name or alias an earlier record of the group already has."""
    owner: dict[str, tuple[str, str, bool, str]] = {}
    for kind, record_id, loc, labels, imported in records:
        for key, label in alias_keys(labels).items():
            if not key:
                continue
            other = owner.setdefault(key, (kind, record_id, imported, label))
            if other[:2] != (kind, record_id):
                # a name an imported dataset uses is its own affair: people still
                # reach each record by its id
                yield (
                    key,
                    _problem(
                        loc.of("aliases") if loc else None,
                        f"name or alias '{label}' of {kind} '{record_id}' also names "
                        f"{other[0]} '{other[1]}'{_look_alike(label, other[3])}; a name "
                        "must lead to one thing",
                        "ambiguous-alias",
                        Severity.WARNING if imported or other[2] else Severity.ERROR,
                    ),
                )


def _look_alike(label: str, other: str) -> str:
    """`` (it only looks the same: 'а' is CYRILLIC SMALL LETTER A)`` when two
    labels differ by letters of another script."""
    import unicodedata

    if normalize(label) == normalize(other):
        return ""
    odd = next((c for c in label + other if skeleton(c) != c), None)
    if odd is None:
        return ""
    what = unicodedata.name(odd, f"U+{ord(odd):04X}")
    return f" (it only looks the same: '{odd}' is {what})"


def _dated(model: Any) -> str:
    return f"released {model.date_label}" if model.released else model.date_label


def imported_at(
    where: str | None, fallback: SourceLocation | None
) -> SourceLocation | None:
    """The position in the original dataset (``path:line:col``) of an imported record.

    Examples
    --------
    >>> str(imported_at("assets/openai.yaml:1259:3", None))
    'assets/openai.yaml:1259:3'
    """
    if where is None:
        return fallback
    path, _, rest = where.rpartition(":")
    path, _, line = path.rpartition(":")
    if not (line.isdigit() and rest.isdigit() and path):
        return fallback
    return SourceLocation(path, int(line), int(rest))


def _older(child: str | None, parent: str | None) -> bool:
    """Whether the child's latest possible day precedes the parent's earliest."""
    if not (child and parent):
        return False
    return _bounds(child)[1] < _bounds(parent)[0]


#: :func:`date_bounds` remembered (a hub has few distinct dates and checks each
#: derivation's two)
_bounds = functools.lru_cache(maxsize=4096)(date_bounds)


@rule("release-order", reads=("derivations", "assets"))
def check_release_order(facts: Facts, sub: Facts) -> Iterator[Problem]:
    for der in sub.derivations.values():
        parent, child = facts.models.get(der.parent), facts.models.get(der.child)
        if not (parent and child and _older(child.date, parent.date)):
            continue
        # an imported dataset's dates are its own data-quality problem, not ours
        yield _problem(
            imported_at(der.imported_from, der.loc),
            f"child '{child.id}' ({_dated(child)}) "
            f"is older than its parent '{parent.id}' ({_dated(parent)})",
            "release-order",
            Severity.WARNING if der.imported_from else Severity.ERROR,
        )
    for asset in sub.assets.values():
        for dep in asset.dependencies:
            other = facts.models.get(dep) or facts.assets.get(dep)
            when = getattr(other, "date", None) or getattr(other, "created", None)
            if other is not None and _older(asset.created, when):
                yield _problem(
                    imported_at(asset.imported_from, asset.loc),
                    f"{asset.kind.value} '{asset.id}' (created {asset.created}) is dated "
                    f"before '{dep}' (dated {when}), which it depends on",
                    "release-order",
                    Severity.WARNING if asset.imported_from else Severity.ERROR,
                )


@rule("missing-stage", reads=("claims",))
def check_claim_stage(facts: Facts, sub: Facts) -> Iterator[Problem]:
    for claim in sub.claims.values():
        cap = facts.capabilities.get(claim.capability)
        if claim.stage is None and cap is not None and cap.kind is Kind.ABILITY:
            yield _problem(
                claim.loc,
                f"claim '{claim.id}' needs a 'stage': the "
                "stage responsible (only limitations may omit it)",
                "missing-stage",
            )


_ABILITY_WORDS = "gained, strengthened, weakened, lost or recovered"
_LIMITATION_WORDS = "has (the model has the limitation) or lacks (it no longer has it)"


@rule("limitation-effect", reads=("claims",))
def check_limitation_effects(facts: Facts, sub: Facts) -> Iterator[Problem]:
    """A limitation is had or no longer had, never gained or lost like an ability;
    an ability is never 'had' as a limitation."""
    for claim in sub.claims.values():
        cap = facts.capabilities.get(claim.capability)
        if cap is None:
            continue
        limited = cap.kind is Kind.LIMITATION
        if limited == (claim.effect in LIMITATION_EFFECTS):
            continue  # (most claims: the position is looked up for a problem only)
        where = claim.loc.of("effect") if claim.loc else None
        if limited:
            yield _problem(
                where,
                f"claim '{claim.id}' says the limitation '{cap.id}' was "
                f"{claim.effect.value} at '{claim.model}'; a limitation is not "
                f"gained or lost like an ability: use {_LIMITATION_WORDS}",
                "limitation-effect",
            )
        else:
            yield _problem(
                where,
                f"claim '{claim.id}' uses '{claim.effect.value}', which is for "
                f"limitations, but '{cap.id}' is an ability: use {_ABILITY_WORDS}",
                "limitation-effect",
            )


def _families_below(facts: Facts) -> dict[str, set[str]]:
    """family -> itself and its sub-families."""
    below: dict[str, set[str]] = {}
    for fam in facts.families.values():
        seen: set[str] = set()
        node: str | None = fam.id
        while node is not None and node not in seen:
            seen.add(node)
            below.setdefault(node, set()).add(fam.id)
            parent = facts.families.get(node)
            node = parent.parent_family if parent else None
    return below


def family_statement_problems(
    facts: Facts, members_of: Callable[[str], Iterable[str]] | None = None
) -> Iterator[Problem]:
    """A claim stated for a whole family holds for every member: each member
    carries it (same capability and effect), and only members do. A rule about
    groups of records (one per family stated for); ``members_of(family)`` gives the
    model ids whose family is that one (default: read from ``facts.models``)."""
    below = _families_below(facts)
    carried: dict[tuple[str, str, str], set[str]] = {}
    first: dict[tuple[str, str, str], Any] = {}
    for claim in facts.claims.values():
        fam = claim.stated_for
        if fam is None or fam not in facts.families:
            continue
        model = facts.models.get(claim.model)
        if model is not None and model.family not in below.get(fam, {fam}):
            yield _problem(
                claim.loc.of("stated_for") if claim.loc else None,
                f"claim '{claim.id}' is stated for the family '{fam}', but "
                f"'{claim.model}' is not one of its members (its family is "
                f"{model.family or 'none'})",
                "family-statement",
            )
            continue
        key = (fam, claim.capability, claim.effect.words)
        carried.setdefault(key, set()).add(claim.model)
        first.setdefault(key, claim)
    if not carried:
        return
    if members_of is None:
        direct: dict[str, list[str]] = {}
        for m in facts.models.values():
            if m.family is not None:
                direct.setdefault(m.family, []).append(m.id)
        members_of = lambda f: direct.get(f, ())  # noqa: E731
    for key, models in carried.items():
        fam, cap, effect = key
        every = [m for sub in sorted(below.get(fam, {fam})) for m in members_of(sub)]
        for member in every:
            if member in models:
                continue
            claim = first[key]
            yield _problem(
                claim.loc.of("stated_for") if claim.loc else None,
                f"claim '{claim.id}' says every member of the family '{fam}' "
                f"{effect} '{cap}', but its member '{member}' has no such claim; "
                "add one with the same capability, effect, stated_for and evidence",
                "family-statement",
            )


def check_conflicting_claims(facts: Facts) -> Iterator[Problem]:
    seen: dict[tuple[str, str], dict[bool, str]] = {}
    for claim in facts.claims.values():
        if claim.alternative_to is not None:
            continue
        present = claim.effect in PRESENT_EFFECTS or claim.effect is Effect.WEAKENED
        sides = seen.setdefault((claim.model, claim.capability), {})
        other = sides.get(not present)
        if other is not None:
            said = (
                f"'{claim.model}' {claim.effect.words} '{claim.capability}'"
                if claim.effect in LIMITATION_EFFECTS
                else f"'{claim.capability}' is {claim.effect.value} at '{claim.model}'"
            )
            yield _problem(
                claim.loc,
                f"claim '{claim.id}' says {said}, but claim "
                f"'{other}' says the opposite; mark one as alternative_to "
                "the other",
                "conflicting-claims",
            )
        sides.setdefault(present, claim.id)


@rule("bad-alternative", reads=("claims",))
def check_alternatives(facts: Facts, sub: Facts) -> Iterator[Problem]:
    for claim in sub.claims.values():
        target = facts.claims.get(claim.alternative_to or "")
        if target is None:
            continue
        if target.id == claim.id:
            yield _problem(
                claim.loc.of("alternative_to") if claim.loc else None,
                f"claim '{claim.id}' is an alternative to itself",
                "bad-alternative",
            )
        elif target.capability != claim.capability:
            yield _problem(
                claim.loc.of("alternative_to") if claim.loc else None,
                f"claim '{claim.id}' is about '{claim.capability}' but its "
                f"alternative_to '{target.id}' is about "
                f"'{target.capability}'",
                "bad-alternative",
            )


@rule("bad-support", reads=("claims",))
def check_supports(facts: Facts, sub: Facts) -> Iterator[Problem]:
    """A supporting claim backs a claim about the same capability, not itself."""
    for claim in sub.claims.values():
        target = facts.claims.get(claim.supports or "")
        if target is None:
            continue
        where = claim.loc.of("supports") if claim.loc else None
        if target.id == claim.id:
            yield _problem(where, f"claim '{claim.id}' supports itself", "bad-support")
        elif target.capability != claim.capability:
            yield _problem(
                where,
                f"claim '{claim.id}' is about '{claim.capability}' but the claim "
                f"it supports, '{target.id}', is about '{target.capability}'",
                "bad-support",
            )
        elif target.supports is not None:
            yield _problem(
                where,
                f"claim '{claim.id}' supports '{target.id}', which itself only "
                f"supports '{target.supports}'; name the claim at the top",
                "bad-support",
            )


def record_ids(facts: Facts) -> dict[str, str]:
    """Every id a conflict may refer to, with the section that defines it."""
    out: dict[str, str] = {}
    for section in _RECORD_SECTIONS:
        for key in getattr(facts, section):
            out.setdefault(key, section)
    return out


_RECORD_SECTIONS = (
    "sources", "capabilities", "families", "models", "derivations", "claims",
    "figures", "emergence", "conflicts", "concepts",
)  # fmt: skip


@rule("unknown-record", reads=("conflicts",), incomplete=True)
def check_conflict_references(facts: Facts, sub: Facts) -> Iterator[Problem]:
    for conflict in sub.conflicts.values():
        refs = [(conflict.loc, "about", r) for r in conflict.about or ()]
        refs += [
            (s.loc, "records", r) for s in conflict.sides or () for r in s.records or ()
        ]
        for loc, key, ref in refs:
            if not any(ref in getattr(facts, s) for s in _RECORD_SECTIONS):
                known = [k for k in record_ids(facts) if not k.startswith("\0")]
                yield _problem(
                    loc.of(key) if loc else None,
                    f"conflict '{conflict.id}' refers to unknown record '{ref}'"
                    f"{did_you_mean(ref, known)}",
                    "unknown-record",
                )


def _work(facts: Facts, source_id: str) -> str:
    source = facts.sources.get(source_id)
    return source.work if source else source_id


def _side_problems(facts: Facts, conflict: Any) -> Iterator[str]:
    sides = conflict.sides
    sources = {_work(facts, e.source) for side in sides for e in side.evidence}
    translated = [s for s in sides if s.translation]
    if len(sides) < 2:
        yield "has one side; a conflict needs at least two"
    if conflict.kind is ConflictKind.TRANSLATION:
        if len(translated) != 1:
            yield (
                "is of kind translation, so exactly one side must be marked "
                f"'translation: true' (found {len(translated)})"
            )
    elif translated:
        yield (
            f"is of kind {conflict.kind.value} but has a side marked "
            "'translation: true'; use kind translation"
        )
    if conflict.kind is ConflictKind.WITHIN_SOURCE and len(sources) != 1:
        yield (
            "is of kind within-source but its sides cite "
            f"{', '.join(sorted(sources))}; use kind between-sources"
        )
    if conflict.kind is ConflictKind.BETWEEN_SOURCES and len(sources) < 2:
        yield (
            f"is of kind between-sources but every side cites {''.join(sources)}; "
            "use kind within-source"
        )


@rule("bad-conflict", reads=("conflicts",))
def check_conflict_sides(facts: Facts, sub: Facts) -> Iterator[Problem]:
    for conflict in sub.conflicts.values():
        for message in _side_problems(facts, conflict):
            yield _problem(
                conflict.loc.of("kind") if conflict.loc else None,
                f"conflict '{conflict.id}' {message}",
                "bad-conflict",
            )


def check_stage_definitions(facts: Facts) -> Iterator[Problem]:
    used = {d.stage.value for d in facts.derivations.values()} | {
        c.stage.value for c in facts.claims.values() if c.stage is not None
    }
    return stage_problems(facts.stages, used)


def stage_problems(defined: Any, used: set[str]) -> Iterator[Problem]:
    """A warning per stage used (``used``: their values) but not in ``defined``
    (when any stage is defined at all)."""
    if not defined:
        return
    for stage in Stage:
        if stage.value in used and stage.value not in defined:
            yield _problem(
                None,
                f"stage '{stage.value}' is used but has no "
                "definition in any 'stages' section",
                "undefined-stage",
                Severity.WARNING,
            )


@rule("referenced-unknown", reads=("models",))
def check_stubs(facts: Facts, sub: Facts) -> Iterator[Problem]:
    for model in sub.models.values():
        if model.stub:
            yield _problem(
                imported_at(model.imported_from, model.loc),
                f"model '{model.name}' is referenced as a base model, but no input "
                "describes it",
                "referenced-unknown",
                Severity.WARNING,
            )


def _field_positions(
    entries: tuple[str, ...], record: Any
) -> Iterator[tuple[str, SourceLocation | None]]:
    """``name@line:col`` entries -> (name, position in the record's original file)."""
    origin = imported_at(record.imported_from, record.loc)
    for entry in entries:
        name, _, at = entry.rpartition("@")
        line, _, column = at.partition(":")
        if origin is not None and line.isdigit() and column.isdigit():
            yield name, SourceLocation(origin.path, int(line), int(column))
        else:
            yield name or entry, origin


def _dataset_warnings(sub: Facts, key: str, says: str, code: str) -> Iterator[Problem]:
    """One warning per ``name@line:col`` entry of an imported record's field ``key``;
    ``says`` is formatted with the record's ``record`` name and the entry's ``name``."""
    records: list[Model | Asset] = [*sub.models.values(), *sub.assets.values()]
    for record in records:
        for name, where in _field_positions(getattr(record, key), record):
            message = says.format(record=record.name, name=name)
            yield _problem(where, message, code, Severity.WARNING)


@rule("empty-field", reads=("models", "assets"))
def check_empty_fields(facts: Facts, sub: Facts) -> Iterator[Problem]:
    return _dataset_warnings(
        sub,
        "empty_fields",
        "'{record}' has an empty or missing '{name}'",
        "empty-field",
    )


@rule("dangling-dependency", reads=("models", "assets"))
def check_unresolved(facts: Facts, sub: Facts) -> Iterator[Problem]:
    return _dataset_warnings(
        sub,
        "unresolved_dependencies",
        "'{record}' depends on '{name}', which no asset of the input defines",
        "dangling-dependency",
    )


def validate(facts: Facts) -> list[Problem]:
    """Run every rule on the facts and return the problems, sorted.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> validate(Facts())
    []
    """
    whole = facts.with_incomplete() if facts.incomplete else facts
    problems = [
        p
        for code, check in RULES.items()
        for p in check(*((whole, whole) if code in WHOLE else (facts, facts)))
    ]
    problems.extend(group_problems(facts))
    return sorted(problems, key=lambda p: p.sort_key)


def group_problems(facts: Facts) -> Iterator[Problem]:
    """The problems of the rules about groups of records, over all of ``facts``."""
    yield from check_cycles(facts)
    yield from check_aliases(facts)
    yield from check_conflicting_claims(facts)
    yield from check_stage_definitions(facts)
    yield from family_statement_problems(facts)


def record_problems(
    facts: Facts, whole: Facts, section: str, record: Any, live: bool
) -> list[Problem]:
    """The problems of :data:`RULES` about one record, looked up in ``facts`` (or, for
    the rules that also check records with errors, in ``whole``: the facts with
    those records added). ``live``: the record is one of ``facts`` (not a record
    with errors nor a repeated id, which only those rules check)."""
    key = record.id if isinstance(record.id, str) else "\0"
    return records_problems(facts, whole, section, {key: record}, live)


def records_problems(
    facts: Facts, whole: Facts, section: str, records: dict[str, Any], live: bool
) -> list[Problem]:
    """The problems of :data:`RULES` about the records of one section (``records``:
    id -> record), as :func:`record_problems` finds them for each one: each rule
    checks each record of the facts it is given on its own, so the problems of
    several records are theirs together (what the store uses to check a whole
    batch at once, and each record again only when the batch has problems)."""
    sub = Facts()
    getattr(sub, section).update(records)
    out: list[Problem] = []
    for code, check in _rules_of(section):
        if code in WHOLE:
            out.extend(check(whole, sub))
        elif live:
            out.extend(check(facts, sub))
    return out
