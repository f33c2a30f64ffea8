"""The provenance questions: ``why``, ``path``, ``diff``, ``ablate``, ``conflicts``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import LineageError
from .console import (
    CONFIDENCE_COLOURS,
    chain_text,
    claim_note,
    claim_row,
    echo,
    echo_evidence,
    echo_long,
    echo_omitted,
    emit_json,
    load,
    resolve_name,
    style,
    style_confidence,
    style_effect,
    style_stage,
    table,
    wrap,
)

MODEL_OR_FAMILY = ("model", "family")


def lineage_text(origin: dict[str, Any]) -> str:
    """An origin's chain from its root, and how many steps ``--limit`` left out."""
    text = chain_text(origin["steps"], origin["lineage"][0])
    more = origin["omitted"].get("steps", 0)
    if more:
        text += style(
            f" … and {more:,} more steps to {origin['model']}; --all or --limit N",
            dim=True,
        )
    return text


_CONFLICT_KIND_LABEL = {
    "between-sources": "between sources",
    "within-source": "within one source",
    "translation": "translation vs original",
}


def why(
    capability: str, graph_dirs: tuple[str, ...], as_json: bool, limit: int | None
) -> None:
    """Where did CAPABILITY come from? Origin, confidence, evidence, lineage, fate."""
    from ..provenance.query import find_origins
    from ..report import limit_answer, why_json

    index = load(graph_dirs)
    words = index.words
    if not words.lookup(capability, ("capability",)) and words.lookup(
        capability, ("concept",)
    ):  # a concept's name, and no capability's: the concept
        _why_concept(
            index, resolve_name(index, capability, ("concept",))[1], as_json, limit
        )
        return
    _, cap_id = resolve_name(index, capability, ("capability",))
    data = limit_answer(why_json(find_origins(index, cap_id, limit)), "why", limit)
    if as_json:
        emit_json(data)
        return
    limitation = data["capability"]["kind"] == "limitation"
    _echo_capability(data, limitation)
    if limitation:
        _echo_limitation_holders(index, data["origins"])
    else:
        for origin in data["origins"]:
            _echo_origin(origin, data["capability"]["kind"])
    for title, key in (
        ("Also observed in (models outside this lineage):", "also_observed_in"),
        ("Supporting evidence from:", "supporting_evidence"),
    ):
        _echo_claims(title, data[key], _supports_note)
    shown = {
        o["claim"]
        for key in ("origins", "also_observed_in", "supporting_evidence")
        for o in data[key]
    }
    later = [h for h in data["history"] if h["claim"] not in shown]
    title = "Elsewhere in the lineage:" if limitation else "What happened next:"
    _echo_claims(title, later, claim_note)
    _echo_emergence(data["emergence"])
    echo_omitted(data, "why")


def _echo_capability(data: dict[str, Any], limitation: bool) -> None:
    """``why``'s head: name, aliases, description, neighbours, or that none is known."""
    cap = data["capability"]
    _echo_head(cap, cap["id"], cap["description"])
    if data["broader"] or data["narrower"]:
        echo_long(
            style(
                f"  broader: {', '.join(data['broader']) or 'none'}   "
                f"narrower: {', '.join(data['narrower']) or 'none'}",
                dim=True,
            )
        )
    if data["origins"]:
        return
    what = (
        "model is recorded to have this limitation"
        if limitation
        else "origin is recorded for this capability"
    )
    echo(f"\nNo {what}.")
    if data["narrower"]:
        echo(f"Try a narrower one: {', '.join(data['narrower'])}")


def _echo_head(record: dict[str, Any], label: str, text: str) -> None:
    """Name (label), other names, then the description or definition, wrapped."""
    echo(style(record["name"], bold=True) + style(f"  ({label})", dim=True))
    if record["aliases"]:
        echo_long(style("  also: " + ", ".join(record["aliases"]), dim=True))
    for line in wrap(text, "  "):
        echo(line)


def _supports_note(claim: dict[str, Any]) -> str | None:
    """``supports chain-of-thought — recovered (partly)``: what a row adds."""
    parts = (
        f"supports {claim['supports']}" if claim.get("supports") else None,
        claim_note(claim),
    )
    return " — ".join(x for x in parts if x) or None


def _echo_claims(
    title: str,
    claims: list[dict[str, Any]],
    note: Callable[[dict[str, Any]], str | None],
) -> None:
    """A titled table of claims, one row per model, notes hung below."""
    if not claims:
        return
    echo("")
    echo(style(title, bold=True))
    rows = [claim_row(c, c["model"]) for c in claims]
    for line in table(rows, notes=[note(c) for c in claims]):
        echo(line)


def _echo_emergence(emergence: list[dict[str, Any]]) -> None:
    """``why``'s scale rows (Wei et al. Table 1) for the capability."""
    if not emergence:
        return
    from ..provenance.emergence import format_flops, format_parameters

    echo("")
    echo(style("Emerges with scale (Wei et al. 2022):", bold=True))
    rows = [
        [
            row["task"],
            row["setting"],
            row["model"],
            "FLOPs unknown"
            if row["training_flops"] is None
            else format_flops(row["training_flops"]) + " FLOPs",
            format_parameters(row["parameters"]),
            row["locator"],
        ]
        for row in emergence
    ]
    for line in table(rows):
        echo(line)


def path(a: str, b: str, graph_dirs: tuple[str, ...], as_json: bool) -> None:
    """The derivation path from model A down to model B, step by step."""
    from ..provenance.query import path_between
    from ..report import path_json

    index = load(graph_dirs)
    a_id, b_id = _two_models(index, a, b)
    data = path_json(path_between(index, a_id, b_id))
    if as_json:
        emit_json(data)
        return
    rows = [
        [
            style(s["from"], bold=True),
            "→",
            style(s["to"], bold=True),
            style_stage(s["stage"]),
            style_confidence(s["confidence"]),
        ]
        for s in data["steps"]
    ]
    if not rows:
        echo(f"{a_id} is {b_id}: an empty path")
    for line in table(rows, indent=""):
        echo(line)


def diff(
    a: str, b: str, graph_dirs: tuple[str, ...], as_json: bool, limit: int | None
) -> None:
    """Capabilities that B has and A lacks, and the reverse, with the step responsible."""
    from ..provenance.query import diff_models
    from ..report import diff_json, limit_answer

    index = load(graph_dirs)
    a_id, b_id = _two_models(index, a, b)
    data = limit_answer(diff_json(diff_models(index, a_id, b_id)), "diff", limit)
    if as_json:
        emit_json(data)
        return
    for title, key in (
        (f"Only in {b_id}:", "only_in_b"),
        (f"Only in {a_id}:", "only_in_a"),
    ):
        echo(style(title, bold=True) + ("" if data[key] else " nothing"))
        listed = [s for s in data["steps"] if s["capability"] in data[key]]
        for line in _diff_table(listed):
            echo(line)
    for title, key in (
        (f"Limitations only {b_id} has:", "limitations_only_in_b"),
        (f"Limitations only {a_id} has:", "limitations_only_in_a"),
    ):
        if data[key]:
            echo(style(title, bold=True))
            for line in table(_limitation_rows(index, data, key)):
                echo(line)
    for key, who in (("weakened_in_a", a_id), ("weakened_in_b", b_id)):
        if data[key]:
            echo_long(
                style(f"Weakened in {who}:", bold=True) + " " + ", ".join(data[key])
            )
    if data["strength_steps"]:
        echo(style("Changed in strength on the way:", bold=True))
        for line in _diff_table(data["strength_steps"]):
            echo(line)
    echo_omitted(data, "diff")


def ablate(
    stage: str,
    model: str | None,
    graph_dirs: tuple[str, ...],
    as_json: bool,
    limit: int | None,
) -> None:
    """Counterfactual: which capabilities would be missing without STAGE?"""
    from ..facts.model import Stage
    from ..provenance.query import ablate as run_ablation
    from ..report import ablation_json, limit_answer

    index = load(graph_dirs)
    stage = resolve_name(index, stage, ("stage",))[1]
    model_id = _model(index, model)[1] if model else None
    data = ablation_json(run_ablation(index, Stage(stage), model_id))
    data = limit_answer(data, "ablate", limit)
    if as_json:
        emit_json(data)
        return
    echo(f"Without {style_stage(stage)}:")
    if not any(data["models"].values()):
        echo("  nothing would be missing")
    rows = [
        [
            style(m, bold=True),
            ", ".join(_removed(m, cap, data["removed"][m].get(cap, [])) for cap in caps)
            or "nothing missing",
        ]
        for m, caps in data["models"].items()
        if caps or model_id
    ]
    for line in table(rows):
        echo(line)
    echo_omitted(data, "ablate")


def conflicts(graph_dirs: tuple[str, ...], as_json: bool) -> None:
    """Every disagreement the sources hold, once each, grouped by topic."""
    from ..provenance.query import find_conflicts
    from ..report import conflicts_json

    index = load(graph_dirs)
    data = conflicts_json(find_conflicts(index))
    if as_json:
        emit_json(data)
        return
    if not data:
        echo("No conflicts recorded.")
        return
    for topic in data:
        echo(style(topic["topic"], bold=True))
        for conflict in topic["conflicts"]:
            _echo_conflict(conflict)
    echo(_conflict_summary(data))


def _why_concept(index: Any, concept: str, as_json: bool, limit: int | None) -> None:
    """``why`` for a concept: its definition, cited, and the claims it links."""
    from ..provenance.query import explain_concept
    from ..report import concept_json, limit_answer

    data = limit_answer(concept_json(explain_concept(index, concept)), "concept", limit)
    if as_json:
        emit_json(data)
        return
    c = data["concept"]
    _echo_head(c, f"concept {c['id']}", c["definition"])
    if c["note"]:
        for line in wrap(c["note"], "  "):
            echo(style(line, dim=True))
    echo("  defined in the sources:")
    echo_evidence(c["evidence"])
    echo("")
    if not data["examples"]:
        echo("No claim is linked to this concept.")
    else:
        echo(style("Claims it links:", bold=True))
        rows = [
            [
                style(x["model"], bold=True),
                x["capability"],
                style_effect(x["effect"]) + (" (partly)" if x["partial"] else ""),
                style_stage(x["stage"]),
                style_confidence(x["confidence"]),
            ]
            for x in data["examples"]
        ]
        for line in table(rows, notes=[claim_note(x) for x in data["examples"]]):
            echo(line)
    echo_omitted(data, "concept")


def _echo_origin(origin: dict[str, Any], kind: str) -> None:
    """One ``Origin:`` block of ``why``: the claim, its cause, lineage, evidence."""
    from ..facts.model import effect_label

    stage = origin["stage"] or "?"
    effect = effect_label(
        origin["effect"], bool(origin["partial"]), origin["still_below"]
    )
    echo("")  # (a limitation's holders are shown by _echo_limitation_holders)
    echo_long(
        f"{style('Origin:', bold=True)} {effect} by "
        f"{style_stage(stage)} at {style(origin['model'], bold=True)} "
        f"{style_confidence(origin['confidence'])}"
        + (style("  contested", fg="red") if origin["contested"] else "")
    )
    if origin["mechanism"]:
        echo(f"  mechanism: {origin['mechanism']}")
    _echo_cause_and_note(origin, "  ")
    echo_long("  lineage: " + lineage_text(origin))
    echo("  evidence:")
    echo_evidence(origin["evidence"])
    for alt in origin["alternatives"]:
        echo_long(
            f"  {style('alternative:', fg='yellow')} "
            f"{alt['effect']} by {style_stage(alt['stage'])} at "
            f"{alt['model']} {style_confidence(alt['confidence'])}"
        )
        _echo_cause_and_note(alt, "    ")
        echo_evidence(alt["evidence"], "    ")


def _echo_cause_and_note(claim: dict[str, Any], indent: str) -> None:
    """A claim's cause and note, wrapped under its line."""
    if claim["cause"]:
        for line in wrap(f"cause: {claim['cause']}", indent):
            echo(line)
    if claim["note"]:
        for line in wrap(claim["note"], indent):
            echo(line)


def _echo_limitation_holders(index: Any, origins: list[dict[str, Any]]) -> None:
    """``why`` for a limitation: who has it, one block per family statement.

    A limitation has no origin like an ability: the sources observe it at a model
    or state it for a whole family, so the claims stated for one family are shown
    together (members listed, notes and evidence each once).
    """
    groups: dict[str, list[dict[str, Any]]] = {}
    last = len(index.order)
    for origin in sorted(origins, key=lambda o: index.order.get(o["model"], last)):
        groups.setdefault(origin["stated_for"] or origin["claim"], []).append(origin)
    for claims in groups.values():
        head = claims[0]
        family = head["stated_for"]
        confidences = list(dict.fromkeys(c["confidence"] for c in claims))
        echo("")
        if family:
            fam = index.facts.families.get(family)
            name = fam.name if fam else family
            echo_long(
                f"{style('Has the limitation:', bold=True)} every member of "
                f"the family {style(name, bold=True)} (the source states it "
                "for the whole family) "
                + " ".join(style_confidence(c) for c in confidences)
            )
            echo_long(
                "  members: " + ", ".join(style(c["model"], bold=True) for c in claims)
            )
        else:
            stage = f" (by {style_stage(head['stage'])})" if head["stage"] else ""
            echo_long(
                f"{style('Has the limitation:', bold=True)} "
                f"{style(head['model'], bold=True)}{stage} "
                f"{style_confidence(head['confidence'])}"
                + (style("  contested", fg="red") if head["contested"] else "")
            )
        for cause in dict.fromkeys(c["cause"] for c in claims if c.get("cause")):
            for line in wrap(f"cause: {cause}", "  "):
                echo(line)
        notes = list(dict.fromkeys(c["note"] for c in claims if c["note"]))
        for note in notes:
            at = [c["model"] for c in claims if c["note"] == note]
            prefix = f"at {', '.join(at)}: " if family and len(notes) > 1 else ""
            for line in wrap(prefix + note, "  "):
                echo(line)
        if not family:
            echo_long("  lineage: " + lineage_text(head))
        echo("  evidence:")
        seen: dict[tuple[str, str, str], dict[str, str]] = {}
        for c in claims:
            for ev in c["evidence"]:
                seen.setdefault((ev["source"], ev["locator"], ev["note"]), ev)
        echo_evidence(list(seen.values()))


def _model(index: Any, name: str) -> tuple[str, str]:
    """The model ``name`` names; a family stands for its root model."""
    kind, rid = resolve_name(index, name, MODEL_OR_FAMILY)
    return ("model", _root(index, rid)) if kind == "family" else (kind, rid)


def _root(index: Any, family: str, other: str | None = None) -> str:
    """The root model of ``family``; ``other`` (the far end of a path) picks
    among several roots. Several left: an error listing them."""
    from ..store.names import family_roots

    roots = family_roots(index, family)
    if len(roots) > 1 and other is not None:
        linked = index.ancestors(other) | index.descendants(other)
        roots = [r for r in roots if r in linked] or roots
    if len(roots) == 1:
        echo(f"taking the family {family} as its root model {roots[0]}", err=True)
        return str(roots[0])
    if roots:
        msg = (
            f"the family {family} has {len(roots)} root models: "
            f"{', '.join(roots)}; name one of them"
        )
    else:
        msg = f"the family {family} has no models; name a model"
    raise LineageError(msg)


def _two_models(index: Any, a: str, b: str) -> tuple[str, str]:
    """Models for ``path``/``diff`` arguments; families become their roots."""
    a_kind, a_id = resolve_name(index, a, MODEL_OR_FAMILY)
    b_kind, b_id = resolve_name(index, b, MODEL_OR_FAMILY)
    if a_kind == "family":
        a_id = _root(index, a_id, b_id if b_kind == "model" else None)
    if b_kind == "family":
        b_id = _root(index, b_id, a_id)
    return a_id, b_id


def _diff_table(steps: list[dict[str, Any]]) -> list[str]:
    rows = [
        [
            style(s["capability"], bold=True),
            style_effect(s["effect"]) + (" (partly)" if s["partial"] else ""),
            "at " + s["model"],
            style_stage(s["stage"]),
        ]
        for s in steps
    ]
    return table(rows, notes=[claim_note(s) for s in steps])


def _removed(model: str, cap: str, claims: list[dict[str, str]]) -> str:
    """``dialogue [likely]``: a capability ablate removes, with the confidence of
    each claim removed with it (and where, when a claim is at another model:
    ``chain-of-thought [hypothesis at code-davinci-002]``)."""
    if len(claims) == 1 and claims[0]["model"] == model:
        return f"{cap} {style_confidence(claims[0]['confidence'])}"
    by_confidence: dict[str, list[str]] = {}
    for c in claims:
        by_confidence.setdefault(c["confidence"], []).append(c["model"])
    shown = "; ".join(
        style(f"{conf} at {', '.join(models)}", fg=CONFIDENCE_COLOURS.get(conf))
        for conf, models in by_confidence.items()
    )
    return f"{cap} [{shown}]" if claims else cap


def _limitation_rows(index: Any, data: dict[str, Any], key: str) -> list[list[str]]:
    """``diff``: one row per limitation, naming the models whose claims give it."""
    from ..facts.model import limitation_text

    facts = index.facts
    rows = []
    for cap in data[key]:
        steps = [s for s in data["steps"] if s["capability"] == cap]
        claims = [facts.claims[s["claim"]] for s in steps if s["claim"] in facts.claims]
        families = {c.stated_for for c in claims if c.stated_for}
        fam = facts.families.get(next(iter(families))) if len(families) == 1 else None
        name = facts.capabilities[cap].name if cap in facts.capabilities else cap
        effect = steps[0]["effect"] if steps else "has"
        rows.append(
            [
                style(cap, bold=True),
                style_effect(effect) + ": " + limitation_text(name),
                "at "
                + ", ".join(
                    sorted(
                        {s["model"] for s in steps},
                        key=lambda m: index.order.get(m, len(index.order)),
                    )
                ),
                f"stated for all of {fam.name}" if fam else "",
            ]
        )
    return rows


def _echo_conflict(conflict: dict[str, Any]) -> None:
    label = _CONFLICT_KIND_LABEL[conflict["kind"]]
    echo("  " + style(f"[{label}]", fg="yellow") + f" {conflict['id']}")
    if conflict["note"]:
        for line in wrap(conflict["note"], "    "):
            echo(line)
    for side in conflict["sides"]:
        who = "the translation reads: " if side["translation"] else ""
        echo(f"    - {who}{side['says']}")
        for ev in side["evidence"]:
            echo(style(f"      {ev['source']}, {ev['locator']}", dim=True))
            if ev["note"]:
                for line in wrap(f"“{ev['note']}”", "      "):
                    echo(style(line, dim=True))


def _conflict_summary(data: list[dict[str, Any]]) -> str:
    kinds = [c["kind"] for t in data for c in t["conflicts"]]
    parts = [
        f"{kinds.count(kind)} {label}"
        for kind, label in _CONFLICT_KIND_LABEL.items()
        if kind in kinds
    ]
    return (
        f"{len(kinds)} conflict{'s' * (len(kinds) != 1)} on {len(data)} "
        f"topic{'s' * (len(data) != 1)}: {', '.join(parts)}"
    )
