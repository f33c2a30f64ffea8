"""Nanopublications: one per claim, as TriG (``lineage export --format nanopub``).

Each claim becomes a nanopublication in the shape the nanopub guidelines define
(http://nanopub.org/guidelines/working_draft/): four named graphs, the head
linking the other three to the nanopublication, each non-empty.

- **assertion**: what the claim says: the claim node, its model, capability,
  effect, stage, mechanism and competing claim (the lines of the export's claim
  without its confidence and evidence).
- **provenance**, about the assertion graph: ``prov:wasDerivedFrom`` each cited
  source, ``lin:confidence``, ``lin:contested``, ``lin:evidence`` each piece of
  evidence with its source, locator, note and quoted passages (Web Annotations),
  and the cited sources' records.
- **pubinfo**, about the nanopublication: a label, ``npx:introduces`` the claim,
  ``npx:hasNanopubType lin:Claim`` and ``dcterms:isPartOf`` the export's graph.
  No creation time: the output stays byte-for-byte deterministic, and the IRIs are
  stable (``<base>nanopub/<claim id>``, graphs ``.../Head``, ``.../assertion``,
  ``.../provenance``, ``.../pubinfo``). They are not signed or trusty URIs; a
  publisher signs them on the way to a nanopub server.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..facts.model import Facts
from .ntriples import DEFAULT_BASE, Writer, check_base, nt_literal
from .streams import Names, graph_block
from .terms import NAMESPACES, id_prefixes

if TYPE_CHECKING:
    from ..store.index import Index

__all__ = ["NANOPUB_PREFIXES", "nanopub_chunks", "nanopublications"]

#: The nanopub vocabularies, declared by every nanopublication file.
NANOPUB_PREFIXES = {
    "np": "http://www.nanopub.org/nschema#",
    "npx": "http://purl.org/nanopub/x/",
}
_GRAPHS = ("Head", "assertion", "provenance", "pubinfo")


def _prefixes(base: str) -> dict[str, str]:
    return {
        **NAMESPACES,
        **NANOPUB_PREFIXES,
        **id_prefixes(base),
        "nanopub": f"{base}nanopub/",
    }


def prefix_block(base: str = DEFAULT_BASE) -> str:
    """The ``@prefix`` lines of a nanopublication file."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in _prefixes(base).items())


class _Nanopubs:
    """Formats the nanopublication of each claim (graph IRIs and lines)."""

    def __init__(self, index_or_facts: Index | Facts, base: str) -> None:
        self.writer = Writer(index_or_facts, base)
        self.base = base
        self.names = Names(_prefixes(base))
        w, t = self.writer, self.writer.t
        self.head_p = (
            t.a,
            f"<{NANOPUB_PREFIXES['np']}Nanopublication>",
            f"<{NANOPUB_PREFIXES['np']}hasAssertion>",
            f"<{NANOPUB_PREFIXES['np']}hasProvenance>",
            f"<{NANOPUB_PREFIXES['np']}hasPublicationInfo>",
        )
        self.sources = w.facts.sources

    def graphs(self, claim: Any) -> tuple[str, dict[str, str]]:
        """The IRI of ``claim``'s nanopublication and the lines of its graphs."""
        w, t = self.writer, self.writer.t
        np = f"<{self.base}nanopub/{claim.id}>"
        g = {name: f"<{self.base}nanopub/{claim.id}/{name}>" for name in _GRAPHS}
        a, cls, has_a, has_p, has_i = self.head_p
        head = (
            f"{np} {a} {cls} .\n{np} {has_a} {g['assertion']} .\n"
            f"{np} {has_p} {g['provenance']} .\n{np} {has_i} {g['pubinfo']} .\n"
        )
        assertion = g["assertion"]
        cited = dict.fromkeys(ev.source for ev in claim.evidence)
        provenance = "".join(
            f"{assertion} {t['prov:wasDerivedFrom']} {w.source(s)} .\n" for s in cited
        )
        provenance += w.support(claim, assertion)
        provenance += "".join(
            w.source_lines(self.sources[s]) for s in cited if s in self.sources
        )
        npx = NANOPUB_PREFIXES["npx"]
        label = nt_literal(f"Claim {claim.id} of the lineage graph", "@en")
        pubinfo = (
            f"{np} {t['rdfs:label']} {label} .\n"
            f"{np} <{npx}introduces> {t.pre['claim']}{claim.id}> .\n"
            f"{np} <{npx}hasNanopubType> {t['lin:Claim']} .\n"
            f"{np} {t['dcterms:isPartOf']} <{self.base}graph> .\n"
        )
        lines = {
            "Head": head,
            "assertion": w.claim(claim),
            "provenance": provenance,
            "pubinfo": pubinfo,
        }
        return np[1:-1], {g[name]: lines[name] for name in _GRAPHS}

    def trig(self, claim: Any) -> tuple[str, str]:
        iri, graphs = self.graphs(claim)
        text = "".join(graph_block(g, lines, self.names) for g, lines in graphs.items())
        return iri, text


def nanopublications(
    index_or_facts: Index | Facts, base: str = DEFAULT_BASE
) -> Iterator[tuple[str, str]]:
    """``(IRI, TriG)`` of each claim's nanopublication, in file order; the TriG
    has no prefix lines (:func:`prefix_block` gives them)."""
    check_base(base)
    nanopubs = _Nanopubs(index_or_facts, base)
    for claim in nanopubs.writer.facts.claims.values():
        yield nanopubs.trig(claim)


def nanopub_chunks(
    index_or_facts: Index | Facts, base: str = DEFAULT_BASE
) -> Iterator[tuple[str, int]]:
    """The nanopublication file as ``(text, number of nanopublications)`` chunks."""
    check_base(base)
    yield prefix_block(base) + "\n", 0
    for _iri, text in nanopublications(index_or_facts, base):
        yield text + "\n", 1
