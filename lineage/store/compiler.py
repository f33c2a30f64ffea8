"""Compile facts into a typed ``networkx.MultiDiGraph`` for graph tooling.

Node ids are ``"<kind>:<id>"`` (``model:davinci``, ``capability:chain-of-thought``)
so that a model and a capability may share a slug. The attribute names are the
constants below; use them instead of string literals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..facts.model import Facts

if TYPE_CHECKING:
    import networkx as nx

    from .index import Index

__all__ = [
    "BROADER",
    "CITES",
    "CLAIM",
    "DERIVATION",
    "KIND",
    "LABEL",
    "MADE_BY",
    "MEMBER_OF",
    "NODE_KINDS",
    "compile_graph",
    "node_id",
]

#: node attribute: one of NODE_KINDS
KIND = "kind"
#: node attribute: the display name
LABEL = "label"
#: edge attribute naming the edge type
EDGE = "edge"
NODE_KINDS = ("model", "family", "capability", "stage", "source")

DERIVATION = "derivation"  # model -> model (parent to child)
CLAIM = "claim"  # model or family -> capability
BROADER = "broader"  # capability -> broader capability
MEMBER_OF = "member_of"  # model -> family
MADE_BY = "made_by"  # model -> stage of the derivation that made it
CITES = "cites"  # model -> source cited by one of its claims


def node_id(kind: str, record_id: str) -> str:
    """The graph node id of a record.

    Examples
    --------
    >>> node_id("model", "davinci")
    'model:davinci'
    """
    return f"{kind}:{record_id}"


def compile_graph(facts: Facts | Index) -> nx.MultiDiGraph[str]:
    """Build the typed multigraph of the facts.

    Parameters
    ----------
    facts
        Loaded (and preferably validated) facts, or the :class:`Index` that
        :func:`lineage.load_graph` returns; references to unknown records are
        skipped.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes carry ``kind`` and ``label`` plus their record's fields; edges carry
        ``edge`` (one of the edge constants) and, for derivations and claims,
        ``stage``, ``confidence`` and, for claims, ``effect`` and ``sources``.

    Examples
    --------
    >>> from lineage.facts.model import Facts
    >>> compile_graph(Facts()).number_of_nodes()
    0
    """
    import networkx as nx

    if not isinstance(facts, Facts):
        facts = facts.facts

    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for kind, table, fields in _RECORD_NODES:
        for record in getattr(facts, table).values():
            graph.add_node(node_id(kind, record.id), **{KIND: kind}, **fields(record))
    _add_broader(graph, facts)
    _add_models(graph, facts)
    _add_derivations(graph, facts)
    _add_claims(graph, facts)
    return graph


#: (node kind, table of Facts, the node's label and fields) of the plain records,
#: added in this order before the models
_RECORD_NODES: tuple[tuple[str, str, Callable[[Any], dict[str, Any]]], ...] = (
    ("stage", "stages", lambda s: {LABEL: s.name, "definition": s.definition}),
    (
        "source",
        "sources",
        lambda s: {
            LABEL: s.title,
            "year": s.year,
            "url": s.url,
            "authors": list(s.authors),
        },
    ),
    ("family", "families", lambda f: {LABEL: f.name, "organization": f.organization}),
    (
        "capability",
        "capabilities",
        lambda c: {
            LABEL: c.name,
            "capability_kind": c.kind.value,
            "aliases": list(c.aliases),
        },
    ),
)


def _add_broader(graph: nx.MultiDiGraph[str], facts: Facts) -> None:
    """Capability -> broader capability edges (to known capabilities only)."""
    for cap in facts.capabilities.values():
        for broader in cap.broader:
            if broader in facts.capabilities:
                graph.add_edge(
                    node_id("capability", cap.id),
                    node_id("capability", broader),
                    key=BROADER,
                    **{EDGE: BROADER},
                )


def _add_models(graph: nx.MultiDiGraph[str], facts: Facts) -> None:
    """Model nodes, each with its member-of edge to a known family."""
    for model in facts.models.values():
        graph.add_node(
            node_id("model", model.id),
            **{KIND: "model", LABEL: model.name},
            family=model.family,
            released=model.released,
            organization=model.organization,
        )
        if model.family in facts.families:
            graph.add_edge(
                node_id("model", model.id),
                node_id("family", model.family),
                key=MEMBER_OF,
                **{EDGE: MEMBER_OF},
            )


def _add_derivations(graph: nx.MultiDiGraph[str], facts: Facts) -> None:
    """Parent -> child edges, and child -> stage (made by) where the stage is known."""
    for der in facts.derivations.values():
        if der.parent not in facts.models or der.child not in facts.models:
            continue
        graph.add_edge(
            node_id("model", der.parent),
            node_id("model", der.child),
            key=der.id,
            **{EDGE: DERIVATION},
            stage=der.stage.value,
            confidence=der.confidence.value,
        )
        if der.stage.value in facts.stages:
            graph.add_edge(
                node_id("model", der.child),
                node_id("stage", der.stage.value),
                key=f"{MADE_BY}:{der.id}",
                **{EDGE: MADE_BY},
            )


def _add_claims(graph: nx.MultiDiGraph[str], facts: Facts) -> None:
    """Holder -> capability edges, and holder -> source for each known source cited."""
    for claim in facts.claims.values():
        kind = "model" if claim.model in facts.models else "family"
        holder = node_id(kind, claim.model)
        if holder not in graph or claim.capability not in facts.capabilities:
            continue
        cited = sorted({e.source for e in claim.evidence})
        graph.add_edge(
            holder,
            node_id("capability", claim.capability),
            key=claim.id,
            **{EDGE: CLAIM},
            effect=claim.effect.value,
            stage=claim.stage.value if claim.stage else None,
            confidence=claim.confidence.value,
            sources=cited,
            alternative_to=claim.alternative_to,
            contested=claim.contested,
        )
        for src in cited:
            if src in facts.sources:
                graph.add_edge(
                    holder,
                    node_id("source", src),
                    key=f"{CITES}:{claim.id}",
                    **{EDGE: CITES},
                )
