"""The streamed export: N-Triples, Turtle, TriG and JSON-LD without rdflib.

``lineage export`` in these formats needs only this module, the N-Triples writer
(:mod:`lineage.outputs.ntriples`) and the re-spelling of its lines
(:mod:`lineage.outputs.streams`), so it does not pay for importing rdflib (about
80 ms, a sixth of exporting a 10k-model hub). :mod:`lineage.outputs.rdf` adds the
rdflib graph, RDF/XML and the vocabulary, and re-exports what is here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LineageError
from .ntriples import DEFAULT_BASE, nt_chunks, write_chunks
from .streams import jsonld_chunks, trig_chunks, turtle_chunks
from .terms import NAMESPACES, id_prefixes

if TYPE_CHECKING:
    from ..facts.model import Facts
    from ..store.index import Index

__all__ = [
    "DEFAULT_GRAPH",
    "FORMATS",
    "PREFIXES",
    "STREAMED",
    "export_chunks",
    "format_for",
    "prefixes_for",
    "write_streamed",
]

#: The named graph that ``lineage push`` replaces and ``sparql --endpoint`` reads.
DEFAULT_GRAPH = DEFAULT_BASE + "graph"

#: ``--format`` name -> (rdflib format, file suffixes); the first suffix is canonical.
FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "turtle": ("turtle", (".ttl", ".turtle")),
    "nt": ("nt", (".nt",)),
    "jsonld": ("json-ld", (".jsonld", ".json")),
    "xml": ("xml", (".rdf", ".xml", ".owl")),
    "trig": ("trig", (".trig",)),
}

#: Formats written straight from the N-Triples stream (constant memory).
STREAMED = frozenset({"nt", "turtle", "trig", "jsonld"})

#: The vocabularies' prefixes (every output also declares :func:`prefixes_for`).
PREFIXES = dict(NAMESPACES)


def prefixes_for(base: str = DEFAULT_BASE) -> dict[str, str]:
    """Every prefix an export declares: the vocabularies and each minted id
    namespace (``model:``, ``family:``, ``claim:`` ...), so that every IRI of the
    export has a qualified name (the ``prov`` package needs one).

    Examples
    --------
    >>> prefixes_for()["family"]
    'https://w3id.org/lineage/id/family/'
    """
    return {**NAMESPACES, **id_prefixes(base)}


def format_for(path: str | os.PathLike[str] | None, fmt: str | None) -> str:
    """The ``--format`` name for an output file: ``fmt``, or from the suffix.

    Examples
    --------
    >>> format_for("lineage.nt", None)
    'nt'
    >>> format_for(None, None)
    'turtle'
    """
    if fmt is not None:
        if fmt not in FORMATS:
            msg = f"unknown RDF format '{fmt}'; expected one of {', '.join(FORMATS)}"
            raise LineageError(msg)
        return fmt
    if path is None:
        return "turtle"
    suffix = Path(path).suffix.lower()
    for name, (_, suffixes) in FORMATS.items():
        if suffix in suffixes:
            return name
    known = ", ".join(s for _, sufs in FORMATS.values() for s in sufs)
    found = f"'{suffix}'" if suffix else "no suffix"
    msg = f"cannot tell the RDF format of '{path}' ({found}); use --format or one of {known}"
    raise LineageError(msg)


def export_chunks(
    index_or_facts: Index | Facts,
    fmt: str,
    base: str = DEFAULT_BASE,
    graph_iri: str | None = None,
) -> Iterator[tuple[str, int]]:
    """The export in a streamed format (:data:`STREAMED`) as ``(text, triples)``
    chunks; TriG puts the triples in the named graph ``graph_iri`` (default
    :data:`DEFAULT_GRAPH`)."""
    chunks = nt_chunks(index_or_facts, base)
    if fmt == "nt":
        return chunks
    prefixes = prefixes_for(base)
    if fmt == "turtle":
        return turtle_chunks(chunks, prefixes)
    if fmt == "trig":
        return trig_chunks(chunks, prefixes, graph_iri or DEFAULT_GRAPH)
    if fmt == "jsonld":
        return jsonld_chunks(chunks, prefixes)
    msg = f"the {fmt} format is not streamed"
    raise LineageError(msg)


def write_streamed(
    index_or_facts: Index | Facts,
    path: str | os.PathLike[str],
    fmt: str | None = None,
    base: str = DEFAULT_BASE,
) -> int:
    """:func:`lineage.outputs.rdf.write_rdf` for the streamed formats: export to
    ``path`` atomically, return the number of triples.

    Raises
    ------
    LineageError
        If the format cannot be told from the suffix or is not streamed, or the
        file cannot be written.
    """
    return write_chunks(
        export_chunks(index_or_facts, format_for(path, fmt), base), path
    )
