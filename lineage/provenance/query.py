"""Provenance queries: pure functions on an :class:`~lineage.store.index.Index`.

Each function returns dataclasses; turning them into text or JSON is the job of the
command line (:mod:`lineage.cli`) and of :func:`to_jsonable`.

How capabilities flow: a model has a capability when a claim at the model says it was
gained, strengthened or recovered there, or when a parent has it and no claim at the
model says it was lost. Limitations flow the same way with their own effects: a
model has one when a claim says it ``has`` it or a parent has it, until a claim says
it ``lacks`` it (no longer has it). Claims marked ``alternative_to`` are competing explanations;
they are reported but do not change what a model has.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import field, fields, is_dataclass
from enum import Enum
from typing import Any

from .._records import frozen_record
from ..errors import LineageError, NoPathError
from ..facts.model import (
    PRESENT_EFFECTS,
    Capability,
    Claim,
    Concept,
    Confidence,
    Conflict,
    ConflictKind,
    Effect,
    Emergence,
    Evidence,
    Facts,
    Family,
    Figure,
    Identifier,
    Kind,
    Model,
    Side,
    Stage,
)
from ..store.index import Index

__all__ = [
    "Ablation",
    "CapabilityState",
    "ConflictTopic",
    "Diff",
    "DiffStep",
    "FamilyView",
    "ModelView",
    "ConceptView",
    "Origin",
    "PathResult",
    "Step",
    "Why",
    "ablate",
    "capability_states",
    "diff_models",
    "find_conflicts",
    "explain_concept",
    "conflicts_about",
    "find_origins",
    "lineage_of",
    "path_between",
    "show_family",
    "show_model",
    "to_jsonable",
]


@frozen_record
class Step:
    """One derivation on a path: ``from_ -> to`` by ``stage``."""

    from_: str
    to: str
    stage: Stage
    confidence: Confidence
    note: str | None = None


@frozen_record
class Origin:
    """Where a capability appeared: the claim, and the chain of models behind it."""

    claim: Claim
    lineage: tuple[str, ...]
    steps: tuple[Step, ...]
    alternatives: tuple[Claim, ...] = ()
    #: steps of the lineage below the last one kept (``limit``), not traced
    more_steps: int = 0


@frozen_record
class Why:
    """The answer of :func:`find_origins`."""

    capability: Capability
    origins: tuple[Origin, ...]
    history: tuple[Claim, ...]
    broader: tuple[Capability, ...] = ()
    narrower: tuple[Capability, ...] = ()
    emergence: tuple[Emergence, ...] = ()
    #: origins found but left out by ``limit`` (their lineage was not traced)
    more_origins: int = 0
    #: gains at models outside the lineage of the first origin (no shared root)
    also_observed: tuple[Origin, ...] = ()
    #: gains recorded only as evidence for another claim (``supports``)
    supporting: tuple[Claim, ...] = ()
    #: models outside the lineage left out by ``limit``
    more_observed: int = 0


@frozen_record
class ConceptView:
    """The answer of :func:`explain_concept`: a concept and the claims it links."""

    concept: Concept
    examples: tuple[Claim, ...]


@frozen_record
class CapabilityState:
    """Whether a model has a capability, and which claims supply it."""

    present: bool
    weakened: bool
    suppliers: frozenset[str]
    changed_by: str | None = None


@frozen_record
class ModelView:
    """The answer of :func:`show_model`."""

    model: Model
    parents: tuple[Step, ...]
    children: tuple[Step, ...]
    gained: tuple[Claim, ...]
    inherited: tuple[str, ...]
    weakened: tuple[Claim, ...]
    lost: tuple[Claim, ...]
    limitations: tuple[str, ...]
    figures: tuple[Figure, ...]
    alternatives: tuple[Claim, ...] = ()
    #: the model's own claims that it has a limitation, and that it no longer has one
    has: tuple[Claim, ...] = ()
    lacks: tuple[Claim, ...] = ()
    #: the model's names in other datasets: (scheme, value, the record citing it)
    identifiers: tuple[tuple[str, str, Identifier | None], ...] = ()
    #: disagreements about the model, its derivations, claims or figures
    conflicts: tuple[Conflict, ...] = ()
    #: children left out by ``limit``
    more_children: int = 0


@frozen_record
class FamilyView:
    """The answer of :func:`show_family`."""

    family: Family
    members: tuple[Model, ...]
    figures: tuple[Figure, ...]
    #: claims the source states for the whole family: one per capability and
    #: effect (the first member's), every member carrying the same
    stated: tuple[Claim, ...] = ()


@frozen_record
class PathResult:
    """The answer of :func:`path_between`."""

    path: tuple[str, ...]
    steps: tuple[Step, ...]


@frozen_record
class DiffStep:
    """The step responsible for one difference between two models."""

    capability: str
    model: str
    stage: Stage | None
    effect: Effect
    claim: str
    cause: str | None = None
    partial: bool = False
    still_below: str | None = None


@frozen_record
class Diff:
    """The answer of :func:`diff_models`."""

    a: str
    b: str
    only_in_a: tuple[str, ...]
    only_in_b: tuple[str, ...]
    steps: tuple[DiffStep, ...]
    weakened_in_a: tuple[str, ...] = ()
    weakened_in_b: tuple[str, ...] = ()
    #: changes in strength (weakened, recovered, strengthened) of a capability both
    #: have, at a model in the lineage of only one of them
    strength_steps: tuple[DiffStep, ...] = ()
    #: limitations one model has and the other does not (``only_in_*`` are abilities)
    limitations_only_in_a: tuple[str, ...] = ()
    limitations_only_in_b: tuple[str, ...] = ()


@frozen_record
class Ablation:
    """The answer of :func:`ablate`."""

    stage: Stage
    models: dict[str, tuple[str, ...]]
    #: model -> capability -> the claims removed with the stage (they supply it)
    claims: dict[str, dict[str, tuple[Claim, ...]]] = field(default_factory=dict)


@frozen_record
class ConflictTopic:
    """Every recorded disagreement about one question, each once."""

    topic: str
    conflicts: tuple[Conflict, ...]


# --- helpers ----------------------------------------------------------------------


def _step(der: Any) -> Step:
    return Step(der.parent, der.child, der.stage, der.confidence, der.note)


def lineage_of(index: Index, model: str) -> tuple[tuple[str, ...], tuple[Step, ...]]:
    """The chain of derivations from a root model down to ``model``.

    Where a model has several parents the most confident derivation is followed.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> from lineage.store.index import build_index
    >>> lineage_of(build_index(Facts()), "davinci")
    (('davinci',), ())
    """
    chain, steps, _ = lineage_upto(index, model, None)
    return chain, steps


def lineage_upto(
    index: Index, model: str, limit: int | None
) -> tuple[tuple[str, ...], tuple[Step, ...], int]:
    """:func:`lineage_of` cut to its first ``limit`` steps from the root (None:
    all), and how many steps were left out; a stored index decodes only the
    derivations kept."""
    found = index.best_chain(model)
    found.reverse()  # root first; each entry's key is the step below it
    total = len(found) - 1
    kept = total if limit is None else min(limit, total)
    steps = tuple(_step(index.derivation_at(key)) for _, key in found[:kept])
    return tuple(m for m, _ in found[: kept + 1]), steps, total - kept


def _primary(claims: list[Claim]) -> list[Claim]:
    return [c for c in claims if c.alternative_to is None]


def find_origins(index: Index, capability: str, limit: int | None = None) -> Why:
    """Where a capability came from: origin claims, their lineage, and its history.

    Parameters
    ----------
    index
        The compiled facts.
    capability
        A capability id (resolve names first with :meth:`Index.resolve`).
    limit
        Trace the lineage of at most this many origins (the first by rank); the
        number left out is ``more_origins``. Each origin's lineage keeps its
        first ``limit`` steps from the root (``more_steps`` left out).

    Returns
    -------
    Why
        ``origins`` are the claims where it was gained (or, with no gain recorded,
        first strengthened; for a limitation, the claims that a model has it) in
        the lineage of the best-supported one (models that share a root model
        with it), best first; gains in other lineages are ``also_observed`` and
        gains that only support another claim (``supports``) are ``supporting``;
        ``history`` holds every primary claim about it in derivation order.

    Raises
    ------
    LineageError
        If the capability id is unknown.
    """
    facts = index.facts
    cap = facts.capabilities.get(capability)
    if cap is None:
        msg = f"unknown capability '{capability}'"
        raise LineageError(msg)
    claims = index.claims_by_capability.get(capability, [])
    last = len(index.order)
    primary = sorted(
        _primary(claims), key=lambda c: (index.order.get(c.model, last), c.id)
    )
    gains = [c for c in primary if c.effect in (Effect.GAINED, Effect.HAS)]
    if not gains:
        gains = [c for c in primary if c.effect is Effect.STRENGTHENED][:1]
    alternatives: dict[str, list[Claim]] = {}
    for claim in claims:
        if claim.alternative_to:
            alternatives.setdefault(claim.alternative_to, []).append(claim)
    supporting = tuple(c for c in gains if c.supports is not None)
    ranked = _by_reach(index, capability, [c for c in gains if c.supports is None])
    inside, outside = _split_by_lineage(index, ranked)
    kept = inside if limit is None else inside[:limit]
    seen_elsewhere = outside if limit is None else outside[:limit]

    def traced(claim: Claim) -> Origin:
        chain, steps, more = lineage_upto(index, claim.model, limit)
        alts = tuple(alternatives.get(claim.id, ()))
        return Origin(claim, chain, steps, alts, more)

    # a stored index finds all the chains at once
    index.read_chains([c.model for c in (*kept, *seen_elsewhere)])
    origins = [traced(c) for c in kept]
    narrower = tuple(c for c in facts.capabilities.values() if capability in c.broader)
    broader = tuple(
        facts.capabilities[b] for b in cap.broader if b in facts.capabilities
    )
    emergence = index.emergence_of(capability)
    return Why(
        cap,
        tuple(origins),
        tuple(primary),
        broader,
        narrower,
        emergence,
        len(inside) - len(kept),
        tuple(traced(c) for c in seen_elsewhere),
        supporting,
        len(outside) - len(seen_elsewhere),
    )


def explain_concept(index: Index, concept: str) -> ConceptView:
    """A concept (the alignment tax) with the claims that exemplify it, in
    derivation order.

    Raises
    ------
    LineageError
        If the concept id is unknown.

    Examples
    --------
    >>> from lineage.facts.model import Concept, Facts
    >>> from lineage.store.index import build_index
    >>> facts = Facts(concepts={"tax": Concept("tax", "Tax", "a cost", ())})
    >>> explain_concept(build_index(facts), "tax").examples
    ()
    """
    found = index.facts.concepts.get(concept)
    if found is None:
        msg = f"unknown concept '{concept}'"
        raise LineageError(msg)
    claims = [index.facts.claims[c] for c in found.examples if c in index.facts.claims]
    last = len(index.order)
    claims.sort(key=lambda c: (index.order.get(c.model, last), c.id))
    return ConceptView(found, tuple(claims))


def _split_by_lineage(
    index: Index, ranked: list[Claim]
) -> tuple[list[Claim], list[Claim]]:
    """Origins in the lineage of the first one at a model (sharing a root model
    with it), and the rest: the same ability observed in models of other lineages
    (OPT, BLOOM next to davinci), which are not where this lineage's ability came
    from. A family-level claim is inside when one of its members is."""
    at_models = [c for c in ranked if c.model in index.facts.models]
    if not at_models:
        return list(ranked), []
    first = index.roots(at_models[0].model)

    def inside_lineage(claim: Claim) -> bool:
        if claim.model in index.facts.models:
            return bool(first & index.roots(claim.model))
        members = index.members.get(claim.model, ())
        return any(first & index.roots(m) for m in members)

    inside: list[Claim] = []
    outside: list[Claim] = []
    for claim in ranked:
        same = claim is at_models[0] or inside_lineage(claim)
        (inside if same else outside).append(claim)
    return inside, outside


def _by_reach(index: Index, capability: str, gains: list[Claim]) -> list[Claim]:
    """Order origin claims by how many models owe the capability to them.

    The claim the sources are surest of comes first. Among equally confident
    claims, one in a larger lineage (connected tree of models) comes first, then
    the one that carried the capability to more models: a model owes it to the
    nearest gain above it (or at it), so an origin that was re-gained further down
    gets no credit for that branch. Ties keep derivation order; family-level
    claims come last.
    """
    if len(gains) < 2:
        return gains
    own = {c.model: c.id for c in gains}
    targets = {c.model for c in gains if c.model in index.facts.models}
    stack = list(targets)
    while stack:  # everything below any origin, in one pass
        for der in index.children.get(stack.pop(), ()):
            if der.child not in targets:
                targets.add(der.child)
                stack.append(der.child)
    lost = {
        c.model
        for c in index.claims_by_capability.get(capability, [])
        if c.alternative_to is None and c.effect in (Effect.LOST, Effect.LACKS)
    }
    nearest: dict[str, frozenset[str]] = {}
    reach = {c.id: 0 for c in gains}
    for mid in index.topo(targets):
        if mid in own:
            mine = frozenset({own[mid]})
        elif mid in lost:
            mine = frozenset()
        else:
            mine = frozenset().union(
                *(
                    nearest.get(d.parent, frozenset())
                    for d in index.parents.get(mid, ())
                )
            )
        nearest[mid] = mine
        for claim_id in mine:
            reach[claim_id] += 1
    size = index.component_size
    return sorted(
        gains, key=lambda c: (c.confidence.rank, -size.get(c.model, 0), -reach[c.id])
    )


def capability_states(
    index: Index,
    models: set[str],
    capability: str | None = None,
) -> dict[str, dict[str, CapabilityState]]:
    """What each model has, computed parents first.

    ``models`` must be closed under ancestors (include every ancestor of each model).
    With ``capability``, only that capability is tracked (much cheaper on big graphs).
    """
    states: dict[str, dict[str, CapabilityState]] = {}
    for mid in index.topo(models):
        mine: dict[str, CapabilityState] = {}
        for der in index.parents.get(mid, ()):
            for cap, state in states.get(der.parent, {}).items():
                if not state.present:
                    continue
                seen = mine.get(cap)
                if seen is None:
                    mine[cap] = CapabilityState(True, state.weakened, state.suppliers)
                else:
                    mine[cap] = CapabilityState(
                        True,
                        seen.weakened and state.weakened,
                        seen.suppliers | state.suppliers,
                    )
        for claim in _primary(index.claims_by_model.get(mid, [])):
            if capability is not None and claim.capability != capability:
                continue
            before = mine.get(claim.capability)
            inherited = before.suppliers if before and before.present else frozenset()
            effect = claim.effect
            if effect in (Effect.GAINED, Effect.HAS):
                new = CapabilityState(True, False, inherited | {claim.id}, claim.id)
            elif effect in (Effect.STRENGTHENED, Effect.RECOVERED):
                carried = before.suppliers if before else frozenset()
                # a partial recovery leaves it weaker than before it was weakened
                new = CapabilityState(
                    True, claim.partial, carried | {claim.id}, claim.id
                )
            elif effect is Effect.WEAKENED:
                new = CapabilityState(True, True, inherited, claim.id)
            else:
                new = CapabilityState(
                    False, False, before.suppliers if before else frozenset(), claim.id
                )
            mine[claim.capability] = new
        states[mid] = mine
    return states


def _closure(index: Index, *models: str) -> set[str]:
    out: set[str] = set(models)
    for model in models:
        out |= index.ancestors(model)
    return out


def show_model(index: Index, model: str, limit: int | None = None) -> ModelView:
    """A model's parents, and what it gained, inherited, weakened and lost (at most
    ``limit`` of its children, ``more_children`` left out)."""
    facts = index.facts
    record = facts.models[model]
    children, count = index.first_children(model, limit)
    states = capability_states(index, _closure(index, model))
    own = index.claims_by_model.get(model, [])
    primary = _primary(own)
    mine = states[model]
    touched = {c.capability for c in primary}
    limitation = _limitations(facts)
    inherited = tuple(
        sorted(
            cap
            for cap, st in mine.items()
            if st.present and cap not in touched and cap not in limitation
        )
    )
    limitations = tuple(
        sorted(cap for cap, st in mine.items() if st.present and cap in limitation)
    )
    return ModelView(
        model=record,
        parents=tuple(_step(d) for d in index.parents.get(model, ())),
        children=tuple(_step(d) for d in children),
        gained=tuple(
            c
            for c in primary
            if c.effect in PRESENT_EFFECTS and c.capability not in limitation
        ),
        inherited=inherited,
        weakened=tuple(c for c in primary if c.effect is Effect.WEAKENED),
        lost=tuple(c for c in primary if c.effect is Effect.LOST),
        limitations=limitations,
        figures=index.figures_of(model),
        alternatives=tuple(c for c in own if c.alternative_to is not None),
        identifiers=_identifiers(facts, record, index),
        conflicts=conflicts_about(index, model),
        has=tuple(c for c in primary if c.effect is Effect.HAS),
        lacks=tuple(c for c in primary if c.effect is Effect.LACKS),
        more_children=count - len(children),
    )


def _limitations(facts: Any) -> set[str]:
    return {cid for cid, c in facts.capabilities.items() if c.kind is Kind.LIMITATION}


def conflicts_about(index: Index, model: str) -> tuple[Conflict, ...]:
    """The conflicts of :func:`find_conflicts` that concern ``model``: those naming
    it, its derivations, its claims or its figures (in ``about`` or a side's
    ``records``), recorded ones first.

    Only the model's own claims and figures are searched for derived conflicts,
    so the answer costs what the model's records cost, not the graph's.
    """
    facts = index.facts
    own = index.claims_by_model.get(model, [])
    figures = index.figures_of(model)
    refs = {model, *(c.id for c in own), *(f.id for f in figures)}
    recorded, covered = [], set()
    if len(facts.conflicts):  # a store counts them without reading any
        refs |= index.derivation_ids(model)
        for conflict in facts.conflicts.values():
            named = {r for side in conflict.sides for r in side.records}
            covered |= named
            if refs & (named | set(conflict.about)):
                recorded.append(conflict)
    related = {c.id: c for c in own}
    candidates = _alternative_candidates(index, own)
    for claim in own:  # the heads of its competing explanations, and theirs
        head = facts.claims.get(claim.alternative_to or "")
        if head is not None:
            related[head.id] = head
        for other in candidates(claim.capability):
            if other.alternative_to in related:
                related[other.id] = other
    mini = Facts(claims=related, figures={f.id: f for f in figures})
    derived = [
        c
        for c in (*_claim_conflicts(mini), *_figure_conflicts(mini))
        if not covered.issuperset(r for side in c.sides for r in side.records)
        and refs & {r for side in c.sides for r in side.records}
    ]
    return (*recorded, *derived)


def _alternative_candidates(index: Index, own: list[Claim]) -> Any:
    """``capability -> claims`` (in ``claims_by_capability`` order) holding every
    claim that can be a competing explanation of one of ``own`` or of their heads
    (transitively); a stored index reads only the claims referring to them."""
    referring = getattr(index, "referring", None)
    if referring is None or not own:
        return lambda cap: index.claims_by_capability.get(cap, ())
    seeds = {c.id for c in own} | {c.alternative_to for c in own if c.alternative_to}
    found: dict[str, list[Claim]] = {}
    for claim in referring("claims", sorted(seeds)):
        if claim.alternative_to is not None:
            found.setdefault(claim.capability, []).append(claim)
    return lambda cap: found.get(cap, ())


def _identifiers(
    facts: Any, record: Model, index: Index | None = None
) -> tuple[tuple[str, str, Identifier | None], ...]:
    referring = getattr(index, "referring", None)
    if not len(facts.identifiers):
        every: Any = ()
    elif referring is not None:  # a stored index reads the ones naming the model
        every = referring("identifiers", [record.id])
    else:
        every = facts.identifiers.values()
    cited = {(i.scheme.value, i.value): i for i in every if i.model == record.id}
    plain = {(s, v): None for s, v in record.external_ids if (s, v) not in cited}
    found: dict[tuple[str, str], Identifier | None] = {**plain, **cited}
    return tuple((s, v, found[s, v]) for s, v in sorted(found))


def show_family(index: Index, family: str) -> FamilyView:
    """A family with its member models (parents first) and its figures."""
    members = index.topo(set(index.members.get(family, ())))
    stated: dict[tuple[str, Effect], Claim] = {}
    for mid in members:
        for claim in index.claims_by_model.get(mid, ()):
            if claim.stated_for == family and claim.alternative_to is None:
                stated.setdefault((claim.capability, claim.effect), claim)
    return FamilyView(
        index.facts.families[family],
        tuple(index.facts.models[m] for m in members),
        index.figures_of(family),
        tuple(stated.values()),
    )


def path_between(index: Index, a: str, b: str) -> PathResult:
    """The shortest derivation path from model ``a`` down to model ``b``.

    Raises
    ------
    NoPathError
        If ``b`` does not derive from ``a`` (the message says when ``a`` derives
        from ``b`` instead).
    """
    if a == b:
        return PathResult((a,), ())
    # Only b's ancestors can be on a path to b: walking up from b first keeps the
    # search to b's lineage (a hub's root has millions of other descendants). A
    # pruned model has no child that reaches b, so the path found is the same.
    edges = index.edges_above(b)
    below: dict[str, list[tuple[str, str, int, int, Any]]] = {}
    for edge in edges:  # the derivations inside the lineage, in file order
        below.setdefault(edge[0], []).append(edge)
    back: dict[str, Any] = {a: None}
    queue: deque[str] = deque([a] if a in below else [])
    while queue:
        node = queue.popleft()
        for parent, child, _, _, key in sorted(below[node], key=lambda e: e[2:4]):
            if child in back:
                continue
            back[child] = (parent, key)
            if child == b:
                steps: list[Step] = []
                while child != a:
                    parent, key = back[child]
                    steps.append(_step(index.derivation_at(key)))
                    child = parent
                steps.reverse()
                return PathResult((a, *(s.to for s in steps)), tuple(steps))
            if child in below:
                queue.append(child)
    if b in index.ancestors(a):
        msg = (
            f"no derivation path from '{a}' to '{b}': '{b}' is an ancestor of "
            f"'{a}' (try: path {b} {a})"
        )
    else:
        msg = f"no derivation path from '{a}' to '{b}': neither derives from the other"
    raise NoPathError(msg)


def _responsible(
    index: Index,
    cap: str,
    have: CapabilityState,
    lacker: str,
    lack_closure: set[str],
    states: dict[str, dict[str, CapabilityState]],
) -> list[DiffStep]:
    claims = index.facts.claims
    steps = [
        claims[s] for s in sorted(have.suppliers) if claims[s].model not in lack_closure
    ]
    if not steps:
        lack = states[lacker].get(cap)
        if lack is not None and lack.changed_by:
            steps = [claims[lack.changed_by]]
        else:
            steps = [claims[s] for s in sorted(have.suppliers)]
    return [_diff_step(c) for c in steps]


#: the effects that change how strong a capability is without adding or removing it
STRENGTH_EFFECTS = frozenset({Effect.WEAKENED, Effect.RECOVERED, Effect.STRENGTHENED})


def _diff_step(c: Claim) -> DiffStep:
    return DiffStep(
        c.capability,
        c.model,
        c.stage,
        c.effect,
        c.id,
        c.cause,
        c.partial,
        c.still_below,
    )


def diff_models(index: Index, a: str, b: str) -> Diff:
    """Capabilities one model has and the other lacks, with the step responsible."""
    closure_a, closure_b = _closure(index, a), _closure(index, b)
    states = capability_states(index, closure_a | closure_b)
    has_a = {c: s for c, s in states[a].items() if s.present}
    has_b = {c: s for c, s in states[b].items() if s.present}
    only_a = sorted(set(has_a) - set(has_b))
    only_b = sorted(set(has_b) - set(has_a))
    steps: list[DiffStep] = []
    for cap in only_a:
        steps += _responsible(index, cap, has_a[cap], b, closure_b, states)
    for cap in only_b:
        steps += _responsible(index, cap, has_b[cap], a, closure_a, states)
    both = set(has_a) & set(has_b)
    weak_a = sorted(c for c in both if has_a[c].weakened and not has_b[c].weakened)
    weak_b = sorted(c for c in both if has_b[c].weakened and not has_a[c].weakened)
    differ = closure_a ^ closure_b
    strength = [
        _diff_step(claim)
        for cap in sorted(both)
        for claim in _primary(index.claims_by_capability.get(cap, []))
        if claim.model in differ and claim.effect in STRENGTH_EFFECTS
    ]
    limitation = _limitations(index.facts)
    return Diff(
        a,
        b,
        tuple(c for c in only_a if c not in limitation),
        tuple(c for c in only_b if c not in limitation),
        tuple(steps),
        tuple(weak_a),
        tuple(weak_b),
        tuple(strength),
        tuple(c for c in only_a if c in limitation),
        tuple(c for c in only_b if c in limitation),
    )


def ablate(index: Index, stage: Stage, model: str | None = None) -> Ablation:
    """Which capabilities would be missing without ``stage`` (counterfactual).

    A model's capability counts when every claim that supplies it was made by
    ``stage``; ``claims`` holds those claims (with their confidence). Limitations
    are left out.
    """
    facts = index.facts
    targets = {model} if model else set(facts.models)
    closure = _closure(index, *targets) if model else set(facts.models)
    states = capability_states(index, closure)
    out: dict[str, tuple[str, ...]] = {}
    removed: dict[str, dict[str, tuple[Claim, ...]]] = {}
    for mid in index.topo(targets):
        missing = sorted(
            cap
            for cap, st in states[mid].items()
            if st.present
            and st.suppliers
            and facts.capabilities[cap].kind is Kind.ABILITY
            and all(facts.claims[s].stage is stage for s in st.suppliers)
        )
        if missing or model:
            out[mid] = tuple(missing)
            removed[mid] = {
                cap: tuple(
                    facts.claims[s]
                    for s in sorted(
                        states[mid][cap].suppliers,
                        key=lambda s: (index.order.get(facts.claims[s].model, 0), s),
                    )
                )
                for cap in missing
            }
    return Ablation(stage, out, removed)


def _format_number(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:g}"


def find_conflicts(index: Index) -> list[ConflictTopic]:
    """Every disagreement, once each, grouped by topic (in file order).

    The ``conflicts`` records come first. Figures that give one quantity different
    values, competing explanations (``alternative_to``) and contested claims are
    added as derived conflicts (``loc`` None) unless a record already covers them.
    """
    facts = index.facts
    # a record covers a derived conflict when its sides name the records that
    # disagree (``about`` alone does not: it may be another kind of disagreement)
    covered = {
        ref
        for c in facts.conflicts.values()
        for side in c.sides
        for ref in side.records
    }
    derived = [
        c
        for c in (*_claim_conflicts(facts), *_figure_conflicts(facts))
        if not covered.issuperset(r for side in c.sides for r in side.records)
    ]
    topics: dict[str, list[Conflict]] = {}
    for conflict in (*facts.conflicts.values(), *derived):
        topics.setdefault(conflict.topic, []).append(conflict)
    return [ConflictTopic(t, tuple(cs)) for t, cs in topics.items()]


def _kind_of(sides: Iterable[Side]) -> ConflictKind:
    sources = {e.source for side in sides for e in side.evidence}
    if len(sources) > 1:
        return ConflictKind.BETWEEN_SOURCES
    return ConflictKind.WITHIN_SOURCE


def _claim_side(claim: Claim) -> Side:
    stage = f" by {claim.stage.value}" if claim.stage else ""
    says = f"{claim.effect.words} at {claim.model}{stage} ({claim.confidence.value})"
    return Side(says, claim.evidence[:1], (claim.id,))


def _stated(claim: Claim) -> str:
    """'cot is gained at m', or for a limitation 'm has the limitation x'."""
    if claim.effect in (Effect.HAS, Effect.LACKS):
        return f"{claim.model} {claim.effect.words} {claim.capability}"
    return f"{claim.capability} is {claim.effect.value} at {claim.model}"


def _claim_conflicts(facts: Facts) -> Iterator[Conflict]:
    groups: dict[str, list[Claim]] = {}
    for claim in facts.claims.values():
        if claim.alternative_to and claim.alternative_to in facts.claims:
            groups.setdefault(claim.alternative_to, []).append(claim)
    for head_id, alternatives in groups.items():
        head = facts.claims[head_id]
        sides = tuple(_claim_side(c) for c in [head, *alternatives])
        topic = f"why {_stated(head)}"
        yield Conflict(f"alternatives-{head.id}", topic, _kind_of(sides), sides)
    for claim in facts.claims.values():
        if claim.contested and claim.id not in groups and not claim.alternative_to:
            sides = (_claim_side(claim),) + tuple(
                Side(f"disputed ({e.source})", (e,)) for e in claim.evidence[1:]
            )
            topic = f"whether {_stated(claim)}"
            yield Conflict(f"contested-{claim.id}", topic, _kind_of(sides), sides)


def _figure_conflicts(facts: Facts) -> Iterator[Conflict]:
    figures: dict[tuple[str, str, str], list[Figure]] = {}
    for fig in facts.figures.values():
        key = (fig.subject, fig.property, fig.qualifier or "")
        figures.setdefault(key, []).append(fig)
    for (subject, prop, qualifier), figs in figures.items():
        if len({f.value for f in figs}) < 2:
            continue
        sides = tuple(
            Side(
                f"{_format_number(f.value)} {f.unit}",
                (Evidence(f.source, f.locator, f.note or ""),),
                (f.id,),
            )
            for f in figs
        )
        topic = f"{subject} {prop}" + (f" ({qualifier})" if qualifier else "")
        yield Conflict(f"figures-{figs[0].id}", topic, _kind_of(sides), sides)


# --- JSON -------------------------------------------------------------------------


def to_jsonable(value: Any) -> Any:
    """Plain JSON data for any query result (positions dropped, enums as values)."""
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return {
            ("from" if f.name == "from_" else f.name): to_jsonable(
                getattr(value, f.name)
            )
            for f in fields(value)
            if f.name != "loc"
        }
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [to_jsonable(v) for v in value]
        return sorted(items) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def evidence_json(evidence: tuple[Evidence, ...]) -> list[dict[str, str]]:
    return [
        {"source": e.source, "locator": e.locator, "note": e.note} for e in evidence
    ]
