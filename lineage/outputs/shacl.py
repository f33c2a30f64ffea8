"""SHACL validation of the RDF export against ``lineage/outputs/shapes.ttl`` (pyshacl).

``lineage check --rdf`` calls :func:`validate_rdf`; pyshacl and rdflib are imported
only here, when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import LineageError

if TYPE_CHECKING:
    from rdflib import Graph

    from ..facts.model import Facts
    from ..store.index import Index

__all__ = ["SHAPES", "count_targets", "shapes_graph", "validate_graph", "validate_rdf"]

#: The shapes file shipped with the package.
SHAPES = Path(__file__).with_name("shapes.ttl")


def shapes_graph() -> Graph:
    """The SHACL shapes (``lineage/outputs/shapes.ttl``) as a graph."""
    from rdflib import Graph

    return Graph().parse(SHAPES, format="turtle")


def validate_graph(data: Graph) -> tuple[bool, list[str]]:
    """Validate an RDF graph against the shapes; return ``(conforms, report lines)``.

    Each line reads ``shacl: <focus node> <path>: <message>``, sorted.

    Raises
    ------
    LineageError
        If pyshacl is not installed (``pip install 'capability-lineage[shacl]'``).
    """
    try:
        from pyshacl import validate
    except ImportError:
        msg = "SHACL validation needs pyshacl: pip install 'capability-lineage[shacl]'"
        raise LineageError(msg) from None
    from rdflib import RDF, Graph, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    conforms, report, _text = validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    assert isinstance(report, Graph)
    from ..outputs.rdf import PREFIXES

    names = Graph(bind_namespaces="none")
    for prefix, uri in PREFIXES.items():
        names.bind(prefix, uri)
    lines = []
    for result in report.subjects(RDF.type, sh.ValidationResult):
        focus = report.value(result, sh.focusNode)
        path = report.value(result, sh.resultPath)
        message = report.value(result, sh.resultMessage)
        severity = report.value(result, sh.resultSeverity)
        level = "warning" if severity == sh.Warning else "error"
        where = _short(names, focus) + (f" {_short(names, path)}" if path else "")
        lines.append(f"shacl: {where}: {level}: {message or 'constraint violated'}")
    return bool(conforms), sorted(set(lines))


def count_targets(data: Graph) -> tuple[int, int]:
    """How many nodes of ``data`` the shapes check, and how many node shapes there are.

    A node counts once however many shapes target it; targets are the instances
    of each shape's ``sh:targetClass`` (and of its subclasses declared in either
    graph, as pyshacl sees them), ``sh:targetNode`` and the subjects or objects
    of ``sh:targetSubjectsOf`` / ``sh:targetObjectsOf``.

    Examples
    --------
    >>> from rdflib import Graph
    >>> count_targets(Graph())[0]
    0
    """
    from rdflib import RDF, RDFS, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    shapes = shapes_graph()
    node_shapes = set(shapes.subjects(RDF.type, sh.NodeShape))
    focus: set[Any] = set()
    for shape in node_shapes:
        for cls in shapes.objects(shape, sh.targetClass):
            classes: set[Any] = {cls}
            for graph in (data, shapes):
                classes.update(graph.transitive_subjects(RDFS.subClassOf, cls))
            for c in classes:
                focus.update(data.subjects(RDF.type, c))
        focus.update(shapes.objects(shape, sh.targetNode))
        for prop in shapes.objects(shape, sh.targetSubjectsOf):
            focus.update(data.subjects(prop, None))
        for prop in shapes.objects(shape, sh.targetObjectsOf):
            focus.update(data.objects(None, prop))
    return len(focus), len(node_shapes)


def validate_rdf(
    index_or_facts: Index | Facts, base: str | None = None
) -> tuple[bool, list[str]]:
    """Export the facts to RDF and validate them against the shapes.

    Returns
    -------
    tuple
        ``(conforms, report_lines)``; the lines are empty when the export conforms.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> validate_rdf(Facts())
    (True, [])
    """
    from ..outputs.rdf import DEFAULT_BASE, to_rdf

    return validate_graph(to_rdf(index_or_facts, base or DEFAULT_BASE))


def _short(graph: Graph, node: Any) -> str:
    try:
        return str(graph.namespace_manager.normalizeUri(node))
    except Exception:  # noqa: BLE001 - a blank node or an odd IRI: show it as is
        return str(node.n3())
