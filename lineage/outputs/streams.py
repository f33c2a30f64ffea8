"""Turtle, TriG and JSON-LD written from the N-Triples stream, in constant memory.

The export's lines (:func:`lineage.outputs.ntriples.nt_chunks`) are re-spelt one
by one: IRIs in a declared namespace become prefixed names, the triples of one
subject are joined with ``;``, and literals keep the lexical form N-Triples gave
them (so every format holds the same terms, ``"5.0E23"^^xsd:double`` included).
Nothing is sorted or held but the current subject, so the export of a graph of any
size needs a few megabytes; the order is the deterministic record order. No rdflib.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["Names", "graph_block", "jsonld_chunks", "trig_chunks", "turtle_chunks"]

Chunks = Iterator[tuple[str, int]]

#: A local name safe to write as a prefixed name without escapes (PN_LOCAL subset).
_LOCAL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


class Names:
    """Prefixed names for the IRIs of the declared namespaces (bounded cache)."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.by_ns = {ns: p for p, ns in prefixes.items()}
        self.cache: dict[str, str] = {}

    def iri(self, term: str) -> str:
        """``<iri>`` as ``prefix:local`` where that is safe, else unchanged."""
        out = self.cache.get(term)
        if out is not None:
            return out
        if term[0] != "<":  # a blank node (a CONSTRUCT result may have them)
            return term
        body = term[1:-1]
        cut = max(body.rfind("/"), body.rfind("#")) + 1
        prefix = self.by_ns.get(body[:cut])
        local = body[cut:]
        out = term
        if prefix is not None and (not local or _LOCAL.fullmatch(local)):
            out = f"{prefix}:{local}"
        if len(self.cache) > 65536:
            self.cache.clear()
        self.cache[term] = out
        return out

    def term(self, term: str) -> str:
        """An N-Triples object in Turtle: the IRI or a literal's datatype compacted."""
        if term[0] == "<":
            return self.iri(term)
        if term[-1] == ">":  # "..."^^<datatype>
            text, _, datatype = term.rpartition("^^")
            return f"{text}^^{self.iri(datatype)}"
        return term


def _split(line: str) -> tuple[str, str, str]:
    # subjects and predicates are IRIs without spaces (N-Triples escapes them)
    s, p, o = line.split(" ", 2)
    return s, p, o[:-2]  # drop " ."


def _prefix_block(prefixes: dict[str, str]) -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in prefixes.items()) + "\n"


def _statements(chunks: Chunks, names: Names) -> Chunks:
    """Turtle statements (no prefix block), one per run of lines of a subject."""
    subject = predicate = ""
    for text, count in chunks:
        out: list[str] = []
        add = out.append
        for line in text.split("\n")[:-1]:
            s, p, o = _split(line)
            obj = names.term(o)
            if s == subject:
                if p == predicate:
                    add(f" ,\n        {obj}")
                else:
                    predicate = p
                    add(f" ;\n    {'a' if p == _RDF_TYPE else names.iri(p)} {obj}")
            else:
                if subject:
                    add(" .\n")
                subject, predicate = s, p
                verb = "a" if p == _RDF_TYPE else names.iri(p)
                add(f"{names.iri(s)}\n    {verb} {obj}")
        yield "".join(out), count
    if subject:
        yield " .\n", 0


def turtle_chunks(chunks: Chunks, prefixes: dict[str, str]) -> Chunks:
    """The N-Triples ``chunks`` as Turtle with ``prefixes`` declared.

    Examples
    --------
    >>> lines = '<http://e.org/a> <http://e.org/p> "x" .\\n'
    >>> print("".join(t for t, _ in turtle_chunks(iter([(lines, 1)]), {"e": "http://e.org/"})))
    @prefix e: <http://e.org/> .
    <BLANKLINE>
    e:a
        e:p "x" .
    <BLANKLINE>
    """
    yield _prefix_block(prefixes), 0
    yield from _statements(chunks, Names(prefixes))


def graph_block(graph: str, lines: str, names: Names) -> str:
    """A TriG graph block ``<graph> { ... }`` of N-Triples ``lines``."""
    body = "".join(t for t, _ in _statements(iter([(lines, 0)]), names))
    return f"{names.iri(graph)} {{\n{body}}}\n"


def trig_chunks(chunks: Chunks, prefixes: dict[str, str], graph: str) -> Chunks:
    """The N-Triples ``chunks`` as TriG: one named graph ``graph`` holding them."""
    yield f"{_prefix_block(prefixes)}<{graph}> {{\n", 0
    yield from _statements(chunks, Names(prefixes))
    yield "}\n", 0


def _json_iri(term: str, names: Names) -> str:
    iri = names.iri(term)
    return iri[1:-1] if iri[0] == "<" else iri


def _json_value(term: str, names: Names) -> str:
    """A JSON-LD value object; literals keep their N-Triples lexical form.

    The quoted text of an N-Triples literal is a valid JSON string as it is
    (both escape with ``\\" \\\\ \\n \\t \\b \\f \\r \\uXXXX``).
    """
    if term[0] in "<_":  # an IRI or a blank node
        return f'{{"@id": "{_json_iri(term, names)}"}}'
    if term[-1] == ">":
        text, _, datatype = term.rpartition("^^")
        return f'{{"@value": {text}, "@type": "{names.iri(datatype)}"}}'
    if term[-1] != '"':
        text, _, lang = term.rpartition("@")
        return f'{{"@value": {text}, "@language": "{lang}"}}'
    return f'{{"@value": {term}}}'


def _json_node(subject: str, props: dict[str, list[str]], names: Names) -> str:
    fields = [f'"@id": "{_json_iri(subject, names)}"']
    for p, values in props.items():
        if p == _RDF_TYPE:
            types = ", ".join(f'"{v}"' for v in values)
            fields.append(f'"@type": [{types}]')
        else:
            fields.append(f'"{_json_iri(p, names)}": [{", ".join(values)}]')
    return "    {" + ",\n      ".join(fields) + "}"


def jsonld_chunks(chunks: Chunks, prefixes: dict[str, str]) -> Chunks:
    """The N-Triples ``chunks`` as JSON-LD: a context of ``prefixes`` and a flat
    ``@graph`` of one node object per run of lines of a subject.

    Every literal is a value object with its lexical form as a string (never a
    native JSON number), so any JSON-LD processor reads back the same terms.
    """
    import json

    names = Names(prefixes)
    context = ",\n    ".join(
        f"{json.dumps(p)}: {json.dumps(ns)}" for p, ns in prefixes.items()
    )
    yield f'{{\n  "@context": {{\n    {context}\n  }},\n  "@graph": [\n', 0
    subject = ""
    props: dict[str, list[str]] = {}
    sep = ""
    for text, count in chunks:
        out: list[str] = []
        for line in text.split("\n")[:-1]:
            s, p, o = _split(line)
            if s != subject:
                if subject:
                    out.append(sep + _json_node(subject, props, names))
                    sep = ",\n"
                subject, props = s, {}
            if p == _RDF_TYPE:
                props.setdefault(p, []).append(_json_iri(o, names))
            else:
                props.setdefault(p, []).append(_json_value(o, names))
        yield "".join(out), count
    tail = sep + _json_node(subject, props, names) if subject else ""
    yield f"{tail}\n  ]\n}}\n", 0
