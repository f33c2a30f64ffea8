"""``check`` and the lists: ``models``, ``capabilities``, ``sources``."""

from __future__ import annotations

from typing import Any, NamedTuple

from ..errors import Problem, Severity
from ..shipped import choose_graph
from .console import (
    BuildProgress,
    LibraryLog,
    count_line,
    echo,
    emit_json,
    load,
    report_problems,
    skipped_note,
    style,
    table,
    wrap,
)


def check(
    graph_dirs: tuple[str, ...], as_json: bool, strict: bool, fail_fast: bool, rdf: bool
) -> None:
    """Validate the facts: every problem, sorted, then a count."""
    from ..api import check_facts

    chosen = choose_graph(graph_dirs)
    with BuildProgress() as progress:
        index, problems = check_facts(chosen.directories, progress=progress.callback)
    if fail_fast:
        problems = problems[:1]
    failing = [p for p in problems if p.severity is Severity.ERROR or strict]
    shacl = _Shacl()
    if rdf and not failing:
        shacl = _Shacl.of(index)
        if not shacl.conforms:
            failing.append(shacl.problem())
            problems = [*problems, failing[-1]]  # printed and counted like any other
    if as_json:
        emit_json(_check_json(index, problems, failing, shacl, chosen))
    else:
        _echo_check(index, problems, failing, shacl, chosen.describe())
    if failing:
        raise SystemExit(1)


class _Shacl(NamedTuple):
    """What ``check --rdf`` found: conformance, report lines, nodes and shapes."""

    conforms: bool = True
    report: list[str] = []
    nodes: int | None = None
    shapes: int = 0

    @classmethod
    def of(cls, index: Any) -> _Shacl:
        with LibraryLog():  # rdflib and pyshacl log; the rest of check uses neither
            return cls(*_shacl(index))

    def problem(self) -> Problem:
        return Problem(
            "<rdf>",
            0,
            0,
            Severity.ERROR,
            f"the RDF export does not conform to shapes "
            f"({self.nodes} nodes checked against {self.shapes} shapes)",
            "shacl",
        )


def _check_json(
    index: Any,
    problems: list[Problem],
    failing: list[Problem],
    shacl: _Shacl,
    chosen: Any,
) -> dict[str, Any]:
    return {
        "ok": not failing,
        "files": len(index.facts.files),
        "skipped": list(index.facts.skipped),
        "counts": index.facts.counts(),
        "problems": [
            {
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "severity": p.severity.value,
                "message": p.message,
                "code": p.code,
            }
            for p in problems
        ],
        "shacl": shacl.report,
        "shacl_nodes": shacl.nodes,
        "graph": {"directories": list(chosen.directories), "source": chosen.source},
    }


def _echo_check(
    index: Any,
    problems: list[Problem],
    failing: list[Problem],
    shacl: _Shacl,
    graph: str,
) -> None:
    files = len(index.facts.files)
    report_problems(problems)
    for line in shacl.report:
        echo(line, err=True)
    if problems or failing:
        echo(count_line(problems, files), err=True)
    if failing:
        return
    counts = index.facts.counts()
    summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    echo(f"ok: {files} files, {skipped_note(index.facts.skipped)}{summary}")
    if shacl.nodes is not None:
        echo(
            f"ok: SHACL validated {shacl.nodes} nodes of the RDF export "
            f"against {shacl.shapes} shapes (lineage/outputs/shapes.ttl): conforms"
        )
    echo(f"graph: {graph}")


def models(graph_dirs: tuple[str, ...], as_json: bool) -> None:
    """List the models, parents first, with family, release date and parents."""
    index = load(graph_dirs)
    rows = []
    data = []
    for mid in index.topo(set(index.facts.models)):
        m = index.facts.models[mid]
        parents = [d.parent for d in index.parents.get(mid, ())]
        data.append(
            {
                "id": m.id,
                "name": m.name,
                "family": m.family,
                "organization": m.organization,
                "released": m.released,
                "paper_date": m.paper_date,
                "parents": parents,
                "aliases": list(m.aliases),
            }
        )
        rows.append(
            [
                style(m.id, bold=True),
                m.family or "unknown",
                m.date_label if m.date else "unknown",
                m.organization or "unknown",
                ", ".join(parents) or "none (a root)",
            ]
        )
    if as_json:
        emit_json(data)
        return
    for line in table(
        [["MODEL", "FAMILY", "RELEASED", "ORGANIZATION", "PARENTS"], *rows], indent=""
    ):
        echo(line)


def capabilities(graph_dirs: tuple[str, ...], as_json: bool) -> None:
    """List the capabilities (abilities and limitations) with their aliases."""
    index = load(graph_dirs)
    caps = index.facts.capabilities.values()
    if as_json:
        emit_json(
            [
                {
                    "id": c.id,
                    "name": c.name,
                    "kind": c.kind.value,
                    "aliases": list(c.aliases),
                    "broader": list(c.broader),
                    "description": c.description,
                }
                for c in caps
            ]
        )
        return
    rows = [["CAPABILITY", "KIND", "BROADER", "ALIASES"]]
    for c in sorted(caps, key=lambda c: (c.kind.value, c.id)):
        rows.append(
            [
                style(c.id, bold=True),
                c.kind.value,
                ", ".join(c.broader) or "none",
                ", ".join(c.aliases),
            ]
        )
    for line in table(rows, indent=""):
        echo(line)


def sources(graph_dirs: tuple[str, ...], as_json: bool) -> None:
    """List the cited sources."""
    index = load(graph_dirs)
    srcs = index.facts.sources.values()
    if as_json:
        from ..report import source_json

        emit_json([source_json(s) for s in srcs])
        return
    for s in srcs:
        authors = ", ".join(s.authors[:3]) + (" et al." if len(s.authors) > 3 else "")
        echo(f"{style(s.id, bold=True)}  {authors} ({s.year}). {s.title}")
        echo(style(f"    {s.url}", dim=True))
        if s.translation:
            for line in wrap(f"note: {s.translation}", "    "):
                echo(style(line, fg="yellow"))


def _shacl(index: Any) -> tuple[bool, list[str], int, int]:
    """Validate the RDF export: (conforms, report lines, nodes checked, shapes)."""
    from ..outputs.rdf import DEFAULT_BASE, to_rdf
    from ..outputs.shacl import count_targets, validate_graph

    data = to_rdf(index, DEFAULT_BASE)
    conforms, lines = validate_graph(data)
    nodes, shapes = count_targets(data)
    return conforms, lines, nodes, shapes
