"""Checks across records: references, cycles, vocabulary, aliases, dates.

Each rule is a generator of :class:`~lineage.errors.Problem`; :func:`validate` runs
them all so that every problem is reported at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..errors import Problem, Severity, did_you_mean
from ..facts.model import (
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

__all__ = ["RULES", "normalize", "validate"]

_Rule = Callable[[Facts], Iterator[Problem]]
RULES: dict[str, _Rule] = {}


#: rules that also check records with errors (``Facts.incomplete``)
WHOLE: set[str] = set()


def rule(code: str, *, incomplete: bool = False) -> Callable[[_Rule], _Rule]:
    """Register a rule; with ``incomplete``, it also sees records that have errors
    (built from their valid fields: any field may be None), so that one error in a
    record does not hide the others."""

    def register(func: _Rule) -> _Rule:
        RULES[code] = func
        if incomplete:
            WHOLE.add(code)
        return func

    return register


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
    table: Iterable[str],
) -> Iterator[Problem]:
    if value is None:
        return
    if value not in table:
        where = loc.of(key) if loc else None
        yield _problem(
            where,
            f"unknown {kind} '{value}'{_hint(value, table)}",
            "unknown-reference",
        )


def _hint(value: str, table: Iterable[str]) -> str:
    """`` (did you mean 'id'?)`` ranked over ids, names and aliases of the records."""
    labels: dict[str, str] = {}
    records = table.values() if isinstance(table, dict) else ()
    for record in records:
        for label in (getattr(record, "name", None), *getattr(record, "aliases", ())):
            if isinstance(label, str):
                labels.setdefault(label, record.id)
    for rid in table:
        labels[rid] = rid
    best = suggest(value, labels)
    return f" (did you mean '{labels[best[0]]}'?)" if best else ""


@rule("unknown-reference", incomplete=True)
def check_references(facts: Facts) -> Iterator[Problem]:
    models, caps, fams = facts.models, facts.capabilities, facts.families
    models_or_families = set(models) | set(fams)
    subjects = models_or_families | set(facts.sources) | set(caps)
    for src in facts.sources.values():
        yield from _ref(src.loc, "version_of", "source", src.version_of, facts.sources)
    related = models_or_families | set(facts.sources)
    for model in models.values():
        yield from _ref(model.loc, "family", "family", model.family, fams)
        for paper in model.papers:
            yield from _ref(model.loc, "papers", "source", paper, facts.sources)
        for other in model.approximations:
            yield from _ref(
                model.loc, "approximations", "model, family or source", other, related
            )
    for family in fams.values():
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
    for cap in caps.values():
        for broader in cap.broader:
            yield from _ref(cap.loc, "broader", "capability", broader, caps)
    for der in facts.derivations.values():
        yield from _ref(der.loc, "parent", "model", der.parent, models)
        yield from _ref(der.loc, "child", "model", der.child, models)
    for ident in facts.identifiers.values():
        yield from _ref(ident.loc, "model", "model", ident.model, models)
    assets = facts.assets
    for model in models.values():
        for dep in model.trained_on:
            yield from _ref(model.loc, "trained_on", "asset", dep, assets)
    models_or_assets = set(models) | set(assets)
    for asset in assets.values():
        for dep in asset.dependencies:
            yield from _ref(
                asset.loc, "dependencies", "model or asset", dep, models_or_assets
            )

    for claim in facts.claims.values():
        yield from _ref(
            claim.loc, "model", "model or family", claim.model, models_or_families
        )
        yield from _ref(claim.loc, "capability", "capability", claim.capability, caps)
        yield from _ref(
            claim.loc, "alternative_to", "claim", claim.alternative_to, facts.claims
        )
        yield from _ref(claim.loc, "supports", "claim", claim.supports, facts.claims)
        yield from _ref(claim.loc, "still_below", "model", claim.still_below, models)
    for concept in facts.concepts.values():
        for example in concept.examples:
            yield from _ref(concept.loc, "examples", "claim", example, facts.claims)
    for fig in facts.figures.values():
        yield from _ref(fig.loc, "subject", "subject", fig.subject, subjects)
        yield from _ref(fig.loc, "source", "source", fig.source, facts.sources)
    for row in facts.emergence.values():
        yield from _ref(row.loc, "capability", "capability", row.capability, caps)
        yield from _ref(
            row.loc, "model", "model or family", row.model, models_or_families
        )
        yield from _ref(row.loc, "source", "source", row.source, facts.sources)


@rule("unknown-source", incomplete=True)
def check_evidence_sources(facts: Facts) -> Iterator[Problem]:
    holders: list[Any] = [
        *facts.models.values(),
        *facts.derivations.values(),
        *facts.claims.values(),
        *(side for c in facts.conflicts.values() for side in c.sides or ()),
        *facts.identifiers.values(),
        *facts.assets.values(),
        *facts.concepts.values(),
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


@rule("cycle")
def check_cycles(facts: Facts) -> Iterator[Problem]:
    edges: dict[str, list[str]] = {}
    first: dict[tuple[str, str], SourceLocation | None] = {}
    for der in facts.derivations.values():
        edges.setdefault(der.parent, []).append(der.child)
        first.setdefault((der.parent, der.child), der.loc)
    for cycle in _cycles(edges):
        loc = first.get((cycle[-2], cycle[-1]))
        yield _problem(loc, "derivations form a cycle: " + " -> ".join(cycle), "cycle")
    broader = {c.id: list(c.broader) for c in facts.capabilities.values()}
    for cycle in _cycles(broader):
        loc = facts.capabilities[cycle[-2]].loc
        yield _problem(
            loc,
            "capability hierarchy forms a cycle: " + " -> ".join(cycle) + " (broader)",
            "cycle",
        )


@rule("ambiguous-alias")
def check_aliases(facts: Facts) -> Iterator[Problem]:
    groups: dict[str, list[Any]] = {
        "stage": [
            ("stage", st.id, st.loc, (st.id, st.name, *st.aliases), False)
            for st in facts.stages.values()
        ],
        "capability": [
            ("capability", c.id, c.loc, (c.id, c.name, *c.aliases), False)
            for c in facts.capabilities.values()
        ],
        "model": [
            (
                "model",
                m.id,
                imported_at(m.imported_from, m.loc),
                (m.id, m.name, *m.aliases),
                m.imported_from is not None,
            )
            for m in facts.models.values()
        ]
        + [
            ("family", f.id, f.loc, (f.id, f.name, *f.aliases), False)
            for f in facts.families.values()
        ],
    }
    for records in groups.values():
        yield from _alias_clashes(records)


def _alias_clashes(records: list[Any]) -> Iterator[Problem]:
    owner: dict[str, tuple[str, str, bool, str]] = {}
    for kind, record_id, loc, labels, imported in records:
        keys: dict[str, str] = {}
        for label in labels:
            keys.setdefault(skeleton(normalize(label)), label)
        for key, label in keys.items():
            if not key:
                yield _problem(
                    loc.of("aliases") if loc else None,
                    f"alias '{label}' of '{record_id}' has no letters or digits",
                    "ambiguous-alias",
                )
                continue
            other = owner.setdefault(key, (kind, record_id, imported, label))
            if other[:2] != (kind, record_id):
                # a name an imported dataset uses is its own affair: people still
                # reach each record by its id
                yield _problem(
                    loc.of("aliases") if loc else None,
                    f"name or alias '{label}' of {kind} '{record_id}' also names "
                    f"{other[0]} '{other[1]}'{_look_alike(label, other[3])}; a name "
                    "must lead to one thing",
                    "ambiguous-alias",
                    Severity.WARNING if imported or other[2] else Severity.ERROR,
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
    return date_bounds(child)[1] < date_bounds(parent)[0]


@rule("release-order")
def check_release_order(facts: Facts) -> Iterator[Problem]:
    for der in facts.derivations.values():
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
    for asset in facts.assets.values():
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


@rule("missing-stage")
def check_claim_stage(facts: Facts) -> Iterator[Problem]:
    for claim in facts.claims.values():
        cap = facts.capabilities.get(claim.capability)
        if claim.stage is None and cap is not None and cap.kind is Kind.ABILITY:
            yield _problem(
                claim.loc,
                f"claim '{claim.id}' needs a 'stage': the "
                "stage responsible (only limitations may omit it)",
                "missing-stage",
            )


@rule("conflicting-claims")
def check_conflicting_claims(facts: Facts) -> Iterator[Problem]:
    seen: dict[tuple[str, str], dict[bool, str]] = {}
    for claim in facts.claims.values():
        if claim.alternative_to is not None:
            continue
        present = claim.effect in PRESENT_EFFECTS or claim.effect is Effect.WEAKENED
        sides = seen.setdefault((claim.model, claim.capability), {})
        other = sides.get(not present)
        if other is not None:
            yield _problem(
                claim.loc,
                f"claim '{claim.id}' says '{claim.capability}' "
                f"is {claim.effect.value} at '{claim.model}', but claim "
                f"'{other}' says the opposite; mark one as alternative_to "
                "the other",
                "conflicting-claims",
            )
        sides.setdefault(present, claim.id)


@rule("bad-alternative")
def check_alternatives(facts: Facts) -> Iterator[Problem]:
    for claim in facts.claims.values():
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


@rule("bad-support")
def check_supports(facts: Facts) -> Iterator[Problem]:
    """A supporting claim backs a claim about the same capability, not itself."""
    for claim in facts.claims.values():
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
    for section in (
        "sources", "capabilities", "families", "models", "derivations", "claims",
        "figures", "emergence", "conflicts", "concepts",
    ):  # fmt: skip
        for key in getattr(facts, section):
            out.setdefault(key, section)
    return out


@rule("unknown-record", incomplete=True)
def check_conflict_references(facts: Facts) -> Iterator[Problem]:
    if not facts.conflicts:
        return
    known = record_ids(facts)
    for conflict in facts.conflicts.values():
        refs = [(conflict.loc, "about", r) for r in conflict.about or ()]
        refs += [
            (s.loc, "records", r) for s in conflict.sides or () for r in s.records or ()
        ]
        for loc, key, ref in refs:
            if ref not in known:
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


@rule("bad-conflict")
def check_conflict_sides(facts: Facts) -> Iterator[Problem]:
    for conflict in facts.conflicts.values():
        for message in _side_problems(facts, conflict):
            yield _problem(
                conflict.loc.of("kind") if conflict.loc else None,
                f"conflict '{conflict.id}' {message}",
                "bad-conflict",
            )


@rule("undefined-stage")
def check_stage_definitions(facts: Facts) -> Iterator[Problem]:
    if not facts.stages:
        return
    used = {d.stage for d in facts.derivations.values()} | {
        c.stage for c in facts.claims.values() if c.stage is not None
    }
    for stage in Stage:
        if stage in used and stage.value not in facts.stages:
            yield _problem(
                None,
                f"stage '{stage.value}' is used but has no "
                "definition in any 'stages' section",
                "undefined-stage",
                Severity.WARNING,
            )


@rule("referenced-unknown")
def check_stubs(facts: Facts) -> Iterator[Problem]:
    for model in facts.models.values():
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


def _dataset_warnings(
    facts: Facts, key: str, says: str, code: str
) -> Iterator[Problem]:
    """One warning per ``name@line:col`` entry of an imported record's field ``key``;
    ``says`` is formatted with the record's ``record`` name and the entry's ``name``."""
    records: list[Model | Asset] = [*facts.models.values(), *facts.assets.values()]
    for record in records:
        for name, where in _field_positions(getattr(record, key), record):
            message = says.format(record=record.name, name=name)
            yield _problem(where, message, code, Severity.WARNING)


@rule("empty-field")
def check_empty_fields(facts: Facts) -> Iterator[Problem]:
    return _dataset_warnings(
        facts,
        "empty_fields",
        "'{record}' has an empty or missing '{name}'",
        "empty-field",
    )


@rule("dangling-dependency")
def check_unresolved(facts: Facts) -> Iterator[Problem]:
    return _dataset_warnings(
        facts,
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
        for p in check(whole if code in WHOLE else facts)
    ]
    return sorted(problems, key=lambda p: p.sort_key)
