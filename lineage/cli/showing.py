"""``show``: a model or a family, what it gained, inherited, lost, its figures."""

from __future__ import annotations

from typing import Any

from .console import (
    claim_note,
    claim_row,
    echo,
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
    terminal_width,
    wrap,
    wrap_styled,
)


def show(
    model: str, graph_dirs: tuple[str, ...], as_json: bool, limit: int | None
) -> None:
    """Show MODEL (or a family): parents, what it gained, inherited and lost, figures."""
    from ..provenance.query import show_family, show_model
    from ..report import family_json, limit_answer, model_json

    index = load(graph_dirs)
    kind, rid = resolve_name(index, model, ("model", "family"))
    if kind == "family":
        fam = limit_answer(family_json(show_family(index, rid)), "family", limit)
        if as_json:
            emit_json(fam)
        else:
            _echo_family(index, fam)
        return
    data = limit_answer(model_json(show_model(index, rid, limit)), "show", limit)
    if as_json:
        emit_json(data)
        return
    _echo_model(index, data["model"], data["identifiers"])
    echo("")
    _echo_parents(data["parents"])
    _echo_changes(data)
    if data["inherited"]:
        echo(style("Inherited:", bold=True))
        for line in wrap(", ".join(data["inherited"]), "  "):
            echo(line)
    _echo_limitations(index, data)
    if data["children"]:
        echo_long(
            style("Children:", bold=True)
            + " "
            + ", ".join(f"{c['model']} ({c['stage']})" for c in data["children"]),
            "  ",
        )
    _echo_figures(data["figures"])
    _echo_conflicts(data["conflicts"])
    echo_omitted(data, "show")


def _echo_family(index: Any, fam: dict[str, Any]) -> None:
    """``show FAMILY``: name, description, members, what is stated of all, figures."""
    f = fam["family"]
    echo(
        style(f["name"], bold=True) + f"  (family {f['id']}, "
        f"{f['organization'] or 'unknown organization'})"
    )
    if f["description"]:
        for line in wrap(f["description"], "  "):
            echo(line)
    echo_long("  members: " + (", ".join(fam["members"]) or "none recorded"))
    _echo_stated(index, fam["stated_for_family"])
    _echo_figures(fam["figures"])
    echo_omitted(fam, "family")


def _echo_model(
    index: Any, m: dict[str, Any], identifiers: list[dict[str, Any]]
) -> None:
    """``show``'s head: name, family, organisation, date, papers, other names."""
    echo_long(
        style(m["name"], bold=True)
        + style(
            f"  ({m['id']}; {m['family'] or 'no family'}; "
            f"{m['organization'] or 'organization unknown'}; {_released(m)})",
            dim=True,
        )
    )
    if m["description"]:
        for line in wrap(m["description"], "  "):
            echo(line)
    for label, key in (
        ("Papers", "papers"),
        ("Open-source approximations", "approximations"),
    ):
        if m[key]:
            named = ", ".join(_short_name(index.facts, rid) for rid in m[key])
            echo_long(f"  {label}: {named}")
    for ident in identifiers:
        cited = ident["evidence"][0] if ident["evidence"] else None
        where = f" ({cited['source']}, {cited['locator']})" if cited else ""
        echo_long(f"  also known as: {ident['scheme']} '{ident['value']}'{where}")


def _echo_parents(parents: list[dict[str, Any]]) -> None:
    if not parents:
        echo(style("Root model", bold=True) + " (no recorded parent)")
    for p in parents:
        echo_long(
            f"{style('Parent:', bold=True)} {p['model']} by "
            f"{style_stage(p['stage'])} {style_confidence(p['confidence'])}"
        )
        if p["note"]:
            for line in wrap(p["note"], "  "):
                echo(style(line, dim=True))


#: ``show``'s tables of what changed at the model: title, answer key, effects listed
_CHANGES = (
    ("Gained here", "gained", ("gained", "strengthened", "recovered")),
    ("Weakened here", "weakened", ("weakened",)),
    ("Lost here", "lost", ("lost",)),
)


def _echo_changes(data: dict[str, Any]) -> None:
    for title, key, effects in _CHANGES:
        if not data[key]:
            continue
        echo(style(f"{title}:", bold=True))
        listed = [
            c
            for c in data["claims"]
            if c["effect"] in effects
            and c["capability"] in data[key]
            and c["alternative_to"] is None
        ]
        rows = [claim_row(c, c["capability"]) for c in listed]
        for line in table(rows, notes=[claim_note(c) for c in listed]):
            echo(line)


def _echo_conflicts(conflicts: list[dict[str, Any]]) -> None:
    """``show``'s recorded and derived disagreements about the model, sides cited."""
    if not conflicts:
        return
    echo(style("Conflicts:", bold=True) + "  (lineage conflicts: all)")
    for c in conflicts:
        for line in wrap_styled(
            f"{c['topic']}  " + style(f"({c['kind']}; {c['id']})", dim=True),
            terminal_width(),
            "  ",
            "      ",
        ):
            echo(line)
        for side in c["sides"]:
            cited = side["evidence"][0] if side["evidence"] else None
            where = f" — {cited['source']}, {cited['locator']}" if cited else ""
            said = ("translation: " if side["translation"] else "") + side["says"]
            for line in wrap_styled(
                f"· {said}" + style(where, dim=True),
                min(terminal_width() or 88, 100),
                "    ",
                "      ",
            ):
                echo(line)


def _echo_stated(index: Any, claims: list[dict[str, Any]]) -> None:
    """``show FAMILY``: what the sources state of every member."""
    from ..facts.model import Kind, limitation_text

    if not claims:
        return
    echo(style("Stated for every member:", bold=True))
    rows = []
    for c in claims:
        cap = index.facts.capabilities.get(c["capability"])
        name = cap.name if cap else c["capability"]
        limited = cap is not None and cap.kind is Kind.LIMITATION
        rows.append(
            [
                style(c["capability"], bold=True),
                style_effect(c["effect"])
                + ": "
                + (limitation_text(name) if limited else name),
                style_confidence(c["confidence"]),
                f"{c['evidence'][0]['source']}, {c['evidence'][0]['locator']}",
            ]
        )
    for line in table(rows):
        echo(line)


def _echo_limitations(index: Any, data: dict[str, Any]) -> None:
    """``show``'s limitations: had here (cited), inherited, no longer had."""
    from ..facts.model import limitation_text

    caps = index.facts.capabilities

    def says(cap: str) -> str:
        return limitation_text(caps[cap].name) if cap in caps else cap

    for title, effect in (
        ("Has the limitations", "has"),
        ("No longer has the limitations", "lacks"),
    ):
        rows = []
        for c in data["claims"]:
            if c["effect"] != effect or c["alternative_to"] is not None:
                continue
            fam = index.facts.families.get(c["stated_for"] or "")
            rows.append(
                [
                    style(c["capability"], bold=True),
                    says(c["capability"]),
                    style_confidence(c["confidence"]),
                    f"stated for all of {fam.name}" if fam else "at this model",
                    f"{c['evidence'][0]['source']}, {c['evidence'][0]['locator']}",
                ]
            )
        if rows:
            echo(style(f"{title}:", bold=True))
            for line in table(rows):
                echo(line)
    inherited = [c for c in data["limitations"] if c not in data["has_limitations"]]
    if inherited:
        echo(style("Has the limitations (inherited):", bold=True))
        for line in wrap(", ".join(f"{c} ({says(c)})" for c in inherited), "  "):
            echo(line)


def _echo_figures(figures: list[dict[str, Any]]) -> None:
    if not figures:
        return
    echo(style("Figures:", bold=True))
    rows = []
    for f in figures:
        what = f["property"] + (f" ({f['qualifier']})" if f["qualifier"] else "")
        value = f["value"]
        shown = f"{value:,}" if isinstance(value, int) else f"{value:g}"
        rows.append([what, f"{shown} {f['unit']}", f"{f['source']}, {f['locator']}"])
    for line in table(rows):
        echo(line)


def _short_name(facts: Any, rid: str) -> str:
    """'Glaese et al. 2022 (glaese-2022)' for a source; a model's or family's name."""
    source = facts.sources.get(rid)
    if source is not None:
        surname = source.authors[0].split()[-1]
        more = " et al." if len(source.authors) > 1 else ""
        return f"{surname}{more} {source.year} ({rid})"
    record = facts.models.get(rid) or facts.families.get(rid)
    return record.name if record is not None else rid


def _released(model: dict[str, Any]) -> str:
    """'released 2022-11', 'paper 2021-07' or 'release date unknown' for ``show``."""
    if model["released"]:
        return f"released {model['date_label']}"
    return model["date_label"] if model["paper_date"] else "release date unknown"
