"""The facts as RDF: the ``LIN`` vocabulary, :func:`to_rdf`, :func:`write_rdf`.

Models are PROV-O entities linked by ``prov:wasDerivedFrom`` with a qualified
derivation whose activity is typed by its training stage; stages and capabilities
are SKOS concept schemes; claims, evidence, figures and emergence observations are
nodes of their own so that provenance can be queried (see ``queries/*.rq``). The
terms are the table of :mod:`lineage.outputs.terms` (published as
``lineage/outputs/vocab.ttl`` by :func:`vocabulary_graph`); the triples are the
lines of :mod:`lineage.outputs.ntriples`, which every format is made from: N-Triples,
Turtle, TriG and JSON-LD stream without rdflib (:mod:`lineage.outputs.export`, whose
names this module re-exports), RDF/XML goes through an rdflib graph.

Only :mod:`lineage.cli.rdf`, :mod:`lineage.outputs.sparql` and
:mod:`lineage.outputs.shacl` import this module, and only when an RDF command runs
(rdflib is slow to import).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SDO, ClosedNamespace

from ..facts.model import Confidence, Effect, Facts, Kind, Mechanism, Setting
from . import ntriples
from .export import (
    DEFAULT_GRAPH,
    FORMATS,
    PREFIXES,
    STREAMED,
    export_chunks,
    format_for,
    prefixes_for,
    write_streamed,
)
from .ntriples import (
    DEFAULT_BASE,
    check_base,
    nt_chunks,
    nt_iri,
    nt_literal,
    stream_ntriples,
    write_ntriples,
)
from .streams import jsonld_chunks, trig_chunks, turtle_chunks
from .terms import (
    CLASS,
    CONCEPT,
    DATA,
    LIN_URI,
    OBJECT,
    SCHEME,
    TERMS,
    expand,
)

if TYPE_CHECKING:
    from ..store.index import Index

__all__ = [
    "DEFAULT_BASE",
    "DEFAULT_GRAPH",
    "FORMATS",
    "LIN",
    "LIN_URI",
    "PREFIXES",
    "STREAMED",
    "TERMS",
    "check_base",
    "export_chunks",
    "format_for",
    "keep_lexical_forms",
    "nt_iri",
    "nt_literal",
    "prefixes_for",
    "serialize",
    "stream_ntriples",
    "to_rdf",
    "vocabulary_graph",
    "write_ntriples",
    "write_rdf",
]

#: The vocabulary document (the ``owl:Ontology``).
VOCAB_IRI = URIRef("https://w3id.org/lineage/vocab")
#: The namespace of our own terms; an unknown term raises (catches typos).
LIN = ClosedNamespace(LIN_URI, [name for name, *_ in TERMS])

#: The activity class of each stage.
STAGE_CLASSES = {
    stage: URIRef(expand(c)) for stage, c in ntriples.STAGE_CLASSES.items()
}
#: Closed vocabularies whose members are concepts of LIN (enum value = local name).
_CLOSED = {
    "effects": Effect,
    "confidences": Confidence,
    "mechanisms": Mechanism,
    "kinds": Kind,
    "settings": Setting,
}


def _term(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return Literal(value)
    return URIRef(expand(value))


def _closed_triples() -> Iterator[tuple[Any, Any, Any]]:
    """The concepts of the closed vocabularies: type, scheme, label, rank."""
    for name, kind, label, _comment, extra in TERMS:
        node = LIN[name]
        if kind == SCHEME:
            yield node, RDF.type, SKOS.ConceptScheme
            yield node, SKOS.prefLabel, Literal(label, lang="en")
        elif kind == CONCEPT:
            yield node, RDF.type, SKOS.Concept
            yield node, SKOS.prefLabel, Literal(label, lang="en")
            yield node, SKOS.notation, Literal(name)
            for pred, obj in extra:
                yield node, _term(pred), _term(obj)


def vocabulary_graph() -> Graph:
    """The published vocabulary (``lineage/outputs/vocab.ttl``): every LIN term, documented.

    Examples
    --------
    >>> g = vocabulary_graph()
    >>> (LIN.Claim, RDFS.subClassOf, URIRef(expand("prov:Entity"))) in g
    True
    """
    g = _new_graph()
    g.add((VOCAB_IRI, RDF.type, OWL.Ontology))
    g.add((VOCAB_IRI, DCTERMS.title, Literal("The lineage vocabulary", lang="en")))
    g.add(
        (
            VOCAB_IRI,
            RDFS.comment,
            Literal(
                "Terms of the capability-lineage knowledge graph that PROV-O, SKOS, "
                "Dublin Core and schema.org do not already provide.",
                lang="en",
            ),
        )
    )
    g.add((VOCAB_IRI, OWL.versionInfo, Literal("0.1.0")))
    g.add((VOCAB_IRI, SDO.url, URIRef("https://w3id.org/lineage/vocab.ttl")))
    types = {
        CLASS: OWL.Class,
        OBJECT: OWL.ObjectProperty,
        DATA: OWL.DatatypeProperty,
        SCHEME: SKOS.ConceptScheme,
        CONCEPT: SKOS.Concept,
    }
    for name, kind, label, comment, _extra in TERMS:
        node = LIN[name]
        g.add((node, RDF.type, types[kind]))
        if kind in (OBJECT, DATA):
            g.add((node, RDF.type, RDF.Property))
        g.add((node, RDFS.label, Literal(label, lang="en")))
        g.add((node, RDFS.comment, Literal(comment, lang="en")))
        g.add((node, RDFS.isDefinedBy, VOCAB_IRI))
        if kind == CONCEPT:
            g.add((node, SKOS.definition, Literal(comment, lang="en")))
    for triple in _closed_triples():
        g.add(triple)
    for cls in _CLOSED.values():
        scheme = next(n for n, c in _CLOSED.items() if c is cls)
        for member in cls:
            g.add((LIN[member.value], SKOS.topConceptOf, LIN[scheme]))
            g.add((LIN[scheme], SKOS.hasTopConcept, LIN[member.value]))
    for name, kind, _label, _comment, extra in TERMS:
        if kind in (CLASS, OBJECT, DATA):
            for pred, obj in extra:
                g.add((LIN[name], _term(pred), _term(obj)))
    return g


def _new_graph(base: str | None = None) -> Graph:
    g = Graph(bind_namespaces="none")
    for prefix, uri in (prefixes_for(base) if base else PREFIXES).items():
        g.bind(prefix, Namespace(uri))
    return g


def _sort_key(triple: tuple[Any, Any, Any]) -> tuple[str, str, str]:
    return (triple[0].n3(), triple[1].n3(), triple[2].n3())


@contextmanager
def keep_lexical_forms() -> Iterator[None]:
    """Parse literals as written: rdflib otherwise rewrites ``"5.0E23"^^xsd:double``
    as ``"5e+23"``, and the RDF/XML export would disagree with the others."""
    import rdflib

    before = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = before


def to_rdf(index_or_facts: Index | Facts, base: str = DEFAULT_BASE) -> Graph:
    """The facts as an rdflib graph: the lines of :func:`nt_chunks`, parsed.

    Deterministic (triples are added in sorted order) and bound to every prefix
    of :func:`prefixes_for`.

    Parameters
    ----------
    index_or_facts
        Validated facts, or their :class:`~lineage.store.index.Index`.
    base
        The IRI that record IRIs start with (``<base>model/<id>``); must end with
        ``/`` or ``#``.

    Raises
    ------
    LineageError
        If ``base`` is not an absolute IRI ending with ``/`` or ``#``.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> len(to_rdf(Facts())) > 0   # the closed vocabularies are always there
    True
    """
    # split at "\n" only: literals may hold U+2028 and the like, raw
    lines = sorted(
        line for text, _ in nt_chunks(index_or_facts, base) for line in text.split("\n")
    )
    parsed = Graph(bind_namespaces="none")
    with keep_lexical_forms():
        parsed.parse(data="\n".join(lines) + "\n", format="nt")
    g = _new_graph(base)
    for triple in sorted(parsed, key=_sort_key):
        g.add(triple)
    return g


def to_graph_sorted(graph: Graph) -> Graph:
    """A copy of ``graph`` with our prefixes, triples added in sorted order."""
    g = _new_graph()
    for triple in sorted(graph, key=_sort_key):
        g.add(triple)
    return g


def nt_term(term: Any) -> str:
    r"""A term in N-Triples (and SPARQL) syntax, on one line, specials escaped.

    Examples
    --------
    >>> print(nt_term(Literal('say "hi"\n', lang="en")))
    "say \"hi\"\n"@en
    """
    from rdflib import BNode

    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if term.language:
        return nt_literal(str(term), f"@{term.language}")
    if term.datatype is not None and term.datatype != XSD.string:
        return nt_literal(str(term), f"^^<{term.datatype}>")
    return nt_literal(str(term))


def _ntriples(graph: Graph) -> str:
    return "".join(
        sorted(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in graph)
    )


def serialize(
    graph: Graph,
    fmt: str = "turtle",
    graph_iri: str | None = None,
    engine: str | None = None,
) -> str:
    """``graph`` as text in ``fmt`` (a key of :data:`FORMATS`); deterministic.

    By default (``engine`` None) N-Triples are sorted lines, and Turtle, TriG
    and JSON-LD are those lines re-spelt by :mod:`lineage.outputs.streams`, which
    keeps every literal's lexical form; RDF/XML is rdflib's. TriG puts the
    triples into the named graph ``graph_iri`` (default :data:`DEFAULT_GRAPH`).
    ``engine="oxigraph"`` or ``"rdflib"`` asks those libraries instead (rdflib
    rewrites doubles in its own form, see docs/performance.md).
    """
    fmt = format_for(None, fmt)
    if fmt == "nt":
        return _ntriples(graph)
    if engine == "oxigraph":
        return _oxigraph_serialize(graph, fmt, graph_iri)
    if engine == "rdflib" or fmt not in STREAMED:
        return _rdflib_serialize(graph, fmt, graph_iri)
    text = _ntriples(graph)
    chunks = iter([(text, text.count("\n"))])
    prefixes = prefixes_for(DEFAULT_BASE)
    if fmt == "turtle":
        out = turtle_chunks(chunks, prefixes)
    elif fmt == "trig":
        out = trig_chunks(chunks, prefixes, graph_iri or DEFAULT_GRAPH)
    else:
        out = jsonld_chunks(chunks, prefixes)
    return "".join(t for t, _ in out)


def _oxigraph_serialize(graph: Graph, fmt: str, graph_iri: str | None = None) -> str:
    import pyoxigraph as ox

    formats = {
        "turtle": ox.RdfFormat.TURTLE,
        "jsonld": ox.RdfFormat.JSON_LD,
        "xml": ox.RdfFormat.RDF_XML,
        "trig": ox.RdfFormat.TRIG,
    }
    triples = ox.parse(_ntriples(graph).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    if fmt == "trig":
        name = ox.NamedNode(graph_iri or DEFAULT_GRAPH)
        items: Any = [ox.Quad(t.subject, t.predicate, t.object, name) for t in triples]
    else:
        items = list(triples)
    prefixes = {p: u for p, u in sorted(PREFIXES.items())}
    data = ox.serialize(items, format=formats[fmt], prefixes=prefixes)
    assert data is not None
    return data.decode("utf-8")


def _rdflib_serialize(graph: Graph, fmt: str, graph_iri: str | None = None) -> str:
    import warnings

    with warnings.catch_warnings():
        # rdflib 7's TriG and JSON-LD code calls its own deprecated Dataset API
        warnings.simplefilter("ignore", DeprecationWarning)
        if fmt == "nt":
            return _ntriples(graph)
        if fmt == "trig":
            from rdflib import Dataset

            ds = Dataset()
            for prefix, uri in PREFIXES.items():
                ds.bind(prefix, uri)
            named = ds.graph(URIRef(graph_iri or DEFAULT_GRAPH))
            for triple in sorted(graph, key=_sort_key):
                named.add(triple)
            return ds.serialize(format="trig")
        ordered = _ordered_copy(graph)
        if fmt == "jsonld":
            text = ordered.serialize(format="json-ld", context=dict(PREFIXES), indent=1)
            return _sorted_jsonld(text)
        return ordered.serialize(format=FORMATS[fmt][0])


def _ordered_copy(graph: Graph) -> Graph:
    """``graph`` in a store that iterates in insertion order, triples sorted.

    rdflib's default store iterates in hash order, which made RDF/XML and
    JSON-LD differ between runs (``PYTHONHASHSEED``).
    """
    g = Graph(store="SimpleMemory", bind_namespaces="none")
    for prefix, uri in PREFIXES.items():
        g.bind(prefix, Namespace(uri))
    for triple in sorted(graph, key=_sort_key):
        g.add(triple)
    return g


def _sorted_jsonld(text: str) -> str:
    """JSON-LD with its node objects in ``@id`` order (rdflib's writer uses sets)."""
    import json

    data = json.loads(text)
    nodes = data.get("@graph") if isinstance(data, dict) else None
    if isinstance(nodes, list):
        nodes.sort(key=lambda n: (str(n.get("@id", "")), json.dumps(n, sort_keys=True)))
    return json.dumps(data, indent=1, ensure_ascii=False)


def write_rdf(
    index_or_facts: Index | Facts | Graph,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    base: str = DEFAULT_BASE,
) -> int:
    """Export to ``path`` atomically; return the number of triples written.

    N-Triples, Turtle, TriG and JSON-LD stream from the records in constant
    memory (:func:`export_chunks`); RDF/XML and a given rdflib graph are
    serialised whole. The text goes to a temporary file in the same directory,
    which replaces ``path`` only when it is complete: a failed export leaves the
    old file.

    Raises
    ------
    LineageError
        If the format cannot be told from the suffix, or the file cannot be written.
    """
    fmt = format_for(path, fmt)
    if not isinstance(index_or_facts, Graph) and fmt in STREAMED:
        return write_streamed(index_or_facts, path, fmt, base)
    graph = (
        index_or_facts
        if isinstance(index_or_facts, Graph)
        else to_rdf(index_or_facts, base)
    )
    write_atomic(Path(path), serialize(graph, fmt))
    return len(graph)


def write_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` atomically (see :mod:`lineage.outfile`)."""
    from ..outfile import write_atomic as write

    write(target, text)


# --- streamed N-Triples ---------------------------------------------------------
#
# ``write_ntriples`` formats the lines of :func:`triples` straight from the records,
# without rdflib terms or an rdflib graph: record IRIs are a precomputed prefix plus
# an id (ids are slugs, checked by the loader), and literals are escaped only when
