"""JSON-ready dictionaries for every query result (the contract in docs/json.md).

The command line's ``--json`` and the web explorer both call these, so the two
never disagree.
"""

from __future__ import annotations

from typing import Any

from .facts.model import Claim, Conflict, Emergence, Figure, Source
from .provenance.query import (
    Ablation,
    ConceptView,
    ConflictTopic,
    Diff,
    DiffStep,
    FamilyView,
    ModelView,
    Origin,
    PathResult,
    Step,
    Why,
    evidence_json,
    to_jsonable,
)

__all__ = [
    "ablation_json",
    "claim_json",
    "concept_json",
    "conflict_json",
    "conflicts_json",
    "diff_json",
    "emergence_json",
    "family_json",
    "figure_json",
    "model_json",
    "path_json",
    "source_json",
    "step_json",
    "why_json",
]


def step_json(step: Step) -> dict[str, Any]:
    out = {
        "from": step.from_,
        "to": step.to,
        "stage": step.stage.value,
        "confidence": step.confidence.value,
    }
    if step.note:
        out["note"] = step.note
    return out


def claim_json(claim: Claim) -> dict[str, Any]:
    return {
        "claim": claim.id,
        "model": claim.model,
        "capability": claim.capability,
        "effect": claim.effect.value,
        "stage": claim.stage.value if claim.stage else None,
        "confidence": claim.confidence.value,
        "mechanism": claim.mechanism.value if claim.mechanism else None,
        "contested": claim.contested,
        "alternative_to": claim.alternative_to,
        "stated_for": claim.stated_for,
        "says": claim.effect.words,
        "note": claim.note,
        "cause": claim.cause,
        "partial": claim.partial,
        "still_below": claim.still_below,
        "supports": claim.supports,
        "evidence": evidence_json(claim.evidence),
    }


def _origin_json(origin: Origin) -> dict[str, Any]:
    out = claim_json(origin.claim)
    out["lineage"] = list(origin.lineage)
    out["steps"] = [step_json(s) for s in origin.steps]
    out["alternatives"] = [claim_json(c) for c in origin.alternatives]
    out["omitted"] = {"steps": origin.more_steps} if origin.more_steps else {}
    return out


def concept_json(view: ConceptView) -> dict[str, Any]:
    """``lineage why CONCEPT --json`` (a concept such as the alignment tax)."""
    c = view.concept
    return {
        "concept": {
            "id": c.id,
            "name": c.name,
            "aliases": list(c.aliases),
            "definition": c.definition,
            "note": c.note,
            "evidence": evidence_json(c.evidence),
        },
        "examples": [claim_json(claim) for claim in view.examples],
        "omitted": {},
    }


def emergence_json(row: Emergence) -> dict[str, Any]:
    return {
        "id": row.id,
        "capability": row.capability,
        "task": row.task,
        "setting": row.setting.value,
        "model": row.model,
        "training_flops": to_jsonable(row.training_flops),
        "parameters": to_jsonable(row.parameters),
        "reference": row.reference,
        "source": row.source,
        "locator": row.locator,
        "note": row.note,
    }


def figure_json(fig: Figure) -> dict[str, Any]:
    return {
        "id": fig.id,
        "subject": fig.subject,
        "property": fig.property,
        "qualifier": fig.qualifier,
        "value": to_jsonable(fig.value),
        "unit": fig.unit,
        "source": fig.source,
        "locator": fig.locator,
        "note": fig.note,
    }


def why_json(why: Why) -> dict[str, Any]:
    """``lineage why --json``."""
    cap = why.capability
    origins = [_origin_json(o) for o in why.origins]
    return {
        "capability": {
            "id": cap.id,
            "name": cap.name,
            "kind": cap.kind.value,
            "aliases": list(cap.aliases),
            "description": cap.description,
        },
        "origins": origins,
        "lineage": origins[0]["lineage"] if origins else [],
        "also_observed_in": [_origin_json(o) for o in why.also_observed],
        "supporting_evidence": [claim_json(c) for c in why.supporting],
        "history": [
            {
                "model": c.model,
                "effect": c.effect.value,
                "says": c.effect.words,
                "stage": c.stage.value if c.stage else None,
                "confidence": c.confidence.value,
                "stated_for": c.stated_for,
                "claim": c.id,
                "cause": c.cause,
                "partial": c.partial,
                "still_below": c.still_below,
                "evidence": evidence_json(c.evidence),
            }
            for c in why.history
        ],
        "broader": [c.id for c in why.broader],
        "narrower": [c.id for c in why.narrower],
        "emergence": [emergence_json(r) for r in why.emergence],
        "omitted": {
            key: count
            for key, count in (
                ("origins", why.more_origins),
                ("also_observed_in", why.more_observed),
            )
            if count
        },
    }


def model_json(view: ModelView) -> dict[str, Any]:
    """``lineage show --json`` for a model."""
    m = view.model
    return {
        "model": {
            "id": m.id,
            "name": m.name,
            "family": m.family,
            "organization": m.organization,
            "released": m.released,
            "paper_date": m.paper_date,
            "date_label": m.date_label,
            "papers": list(m.papers),
            "approximations": list(m.approximations),
            "aliases": list(m.aliases),
            "description": m.description,
        },
        "parents": [
            {
                "model": s.from_,
                "stage": s.stage.value,
                "confidence": s.confidence.value,
                "note": s.note,
            }
            for s in view.parents
        ],
        "children": [
            {"model": s.to, "stage": s.stage.value, "confidence": s.confidence.value}
            for s in view.children
        ],
        "gained": [c.capability for c in view.gained],
        "inherited": list(view.inherited),
        "weakened": [c.capability for c in view.weakened],
        "lost": [c.capability for c in view.lost],
        "limitations": list(view.limitations),
        "has_limitations": [c.capability for c in view.has],
        "no_longer_has_limitations": [c.capability for c in view.lacks],
        "claims": [
            claim_json(c)
            for c in (
                *view.gained,
                *view.weakened,
                *view.lost,
                *view.has,
                *view.lacks,
                *view.alternatives,
            )
        ],
        "figures": [figure_json(f) for f in view.figures],
        "identifiers": [
            {
                "scheme": scheme,
                "value": value,
                "evidence": evidence_json(ident.evidence) if ident else [],
            }
            for scheme, value, ident in view.identifiers
        ],
        "conflicts": [{"topic": c.topic, **conflict_json(c)} for c in view.conflicts],
        "omitted": {"children": view.more_children} if view.more_children else {},
    }


def family_json(view: FamilyView) -> dict[str, Any]:
    """``lineage show --json`` for a family."""
    f = view.family
    return {
        "family": {
            "id": f.id,
            "name": f.name,
            "organization": f.organization,
            "aliases": list(f.aliases),
            "description": f.description,
            "parent_family": f.parent_family,
        },
        "members": [m.id for m in view.members],
        "stated_for_family": [claim_json(c) for c in view.stated],
        "figures": [figure_json(x) for x in view.figures],
        "omitted": {},
    }


def path_json(result: PathResult) -> dict[str, Any]:
    """``lineage path --json``."""
    return {"path": list(result.path), "steps": [step_json(s) for s in result.steps]}


def _diff_step_json(step: DiffStep) -> dict[str, Any]:
    return {
        "capability": step.capability,
        "model": step.model,
        "stage": step.stage.value if step.stage else None,
        "effect": step.effect.value,
        "says": step.effect.words,
        "claim": step.claim,
        "cause": step.cause,
        "partial": step.partial,
        "still_below": step.still_below,
    }


def diff_json(diff: Diff) -> dict[str, Any]:
    """``lineage diff --json``."""
    return {
        "a": diff.a,
        "b": diff.b,
        "only_in_a": list(diff.only_in_a),
        "only_in_b": list(diff.only_in_b),
        "steps": [_diff_step_json(s) for s in diff.steps],
        "weakened_in_a": list(diff.weakened_in_a),
        "weakened_in_b": list(diff.weakened_in_b),
        "strength_steps": [_diff_step_json(s) for s in diff.strength_steps],
        "limitations_only_in_a": list(diff.limitations_only_in_a),
        "limitations_only_in_b": list(diff.limitations_only_in_b),
        "omitted": {},
    }


def ablation_json(result: Ablation) -> dict[str, Any]:
    """``lineage ablate --json``."""
    return {
        "stage": result.stage.value,
        "models": {m: list(caps) for m, caps in result.models.items()},
        "removed": {
            m: {
                cap: [
                    {
                        "claim": c.id,
                        "model": c.model,
                        "confidence": c.confidence.value,
                    }
                    for c in claims
                ]
                for cap, claims in caps.items()
            }
            for m, caps in result.claims.items()
        },
        "omitted": {},
    }


def conflict_json(conflict: Conflict) -> dict[str, Any]:
    """One conflict of ``lineage conflicts --json``; ``defined_at`` is None when the
    conflict is derived from records that disagree rather than recorded as such."""
    return {
        "id": conflict.id,
        "kind": conflict.kind.value,
        "about": list(conflict.about),
        "note": conflict.note,
        "defined_at": str(conflict.loc) if conflict.loc else None,
        "sides": [
            {
                "says": side.says,
                "translation": side.translation,
                "records": list(side.records),
                "evidence": evidence_json(side.evidence),
            }
            for side in conflict.sides
        ],
    }


def conflicts_json(topics: list[ConflictTopic]) -> list[dict[str, Any]]:
    """``lineage conflicts --json``: one entry per topic, each conflict once."""
    return [
        {"topic": t.topic, "conflicts": [conflict_json(c) for c in t.conflicts]}
        for t in topics
    ]


def source_json(source: Source) -> dict[str, Any]:
    """One record of ``lineage sources --json``."""
    return {
        "id": source.id,
        "title": source.title,
        "authors": list(source.authors),
        "year": source.year,
        "url": source.url,
        "kind": source.kind,
        "translation": source.translation,
        "note": source.note,
        "version_of": source.version_of,
    }


#: the lists each answer cuts to the limit, and what their items are called
LIMITED: dict[str, tuple[tuple[str, str], ...]] = {
    "why": (
        ("origins", "origins"),
        ("also_observed_in", "models outside this lineage"),
        ("supporting_evidence", "supporting claims"),
        ("history", "claims in the history"),
    ),
    "show": (("children", "children"), ("inherited", "inherited capabilities")),
    "family": (("members", "members"),),
    "diff": (
        ("only_in_a", "capabilities only in the first model"),
        ("only_in_b", "capabilities only in the second model"),
        ("limitations_only_in_a", "limitations only the first model has"),
        ("limitations_only_in_b", "limitations only the second model has"),
    ),
    "ablate": (("models", "models"),),
    "concept": (("examples", "claims"),),
}


def limit_answer(
    data: dict[str, Any], answer: str, limit: int | None
) -> dict[str, Any]:
    """Cut the long lists of an answer (``LIMITED[answer]``) to ``limit`` items.

    ``data["omitted"]`` maps each cut list to how many items were left out (empty
    when nothing was); ``limit`` None keeps everything.

    Examples
    --------
    >>> limit_answer({"models": {"a": [], "b": [], "c": []}}, "ablate", 1)
    {'models': {'a': []}, 'omitted': {'models': 2}}
    """
    omitted = dict(data.get("omitted", {}))
    for key, _ in LIMITED[answer]:
        items = data[key]
        if limit is None or len(items) <= limit:
            continue
        omitted[key] = omitted.get(key, 0) + len(items) - limit
        if isinstance(items, dict):
            data[key] = dict(list(items.items())[:limit])
        else:
            data[key] = items[:limit]
    if answer == "diff":
        kept = {
            *data["only_in_a"],
            *data["only_in_b"],
            *data["limitations_only_in_a"],
            *data["limitations_only_in_b"],
        }
        data["steps"] = [s for s in data["steps"] if s["capability"] in kept]
    if answer == "ablate" and "removed" in data:
        data["removed"] = {m: data["removed"].get(m, {}) for m in data["models"]}
    if answer == "why":
        data["lineage"] = data["origins"][0]["lineage"] if data["origins"] else []
    data["omitted"] = omitted
    return data


def omitted_lines(data: dict[str, Any], answer: str) -> list[str]:
    """``… and 1,742 more origins; --all or --limit N`` for each cut list."""
    nouns = dict(LIMITED[answer])
    return [
        f"… and {count:,} more {nouns[key]}; --all or --limit N"
        for key, count in data.get("omitted", {}).items()
        if count
    ]
