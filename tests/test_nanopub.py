"""Nanopublications, one per claim (``lineage export --format nanopub``).

Checked twice: by the nanopub Rust toolkit's checker (``nanopub_sign.Nanopub.check``,
the Python bindings of nanopub-rs, which runs offline) and by the structural rules
of the nanopub guidelines written out here, so a failure says which rule broke.
"""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import pytest
from rdflib import RDF, Dataset, Namespace, URIRef

from lineage.api import load_graph
from lineage.cli import cli
from lineage.outputs.nanopub import nanopublications, prefix_block
from lineage.outputs.rdf import DEFAULT_BASE, LIN

ROOT = Path(__file__).resolve().parent.parent
NP = Namespace("http://www.nanopub.org/nschema#")
PROV = Namespace("http://www.w3.org/ns/prov#")


@pytest.fixture(scope="module")
def index():  # type: ignore[no-untyped-def]
    return load_graph([ROOT / "graph"], cache=False)


@pytest.fixture(scope="module")
def nanopubs(index) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return list(nanopublications(index))


def _dataset(text: str) -> Dataset:
    ds = Dataset()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ds.parse(data=text, format="trig")
    return ds


def _guideline_problems(iri: str, text: str) -> list[str]:
    """The structural rules of the nanopub guidelines (working draft, section
    "Nanopublication structure"), checked on one nanopublication."""
    ds = _dataset(prefix_block() + text)
    graphs = {
        str(g.identifier): g
        for g in ds.graphs()
        if len(g) and isinstance(g.identifier, URIRef)
    }
    problems = []
    if len(ds.default_graph):
        problems.append("triples outside the four graphs")
    heads = [g for g in graphs.values() if (None, RDF.type, NP.Nanopublication) in g]
    if len(heads) != 1:
        return [f"{len(heads)} head graphs"]
    head = heads[0]
    (np,) = head.subjects(RDF.type, NP.Nanopublication)
    if str(np) != iri:
        problems.append(f"nanopublication IRI {np} is not {iri}")
    parts = {}
    for name, pred in (
        ("assertion", NP.hasAssertion),
        ("provenance", NP.hasProvenance),
        ("pubinfo", NP.hasPublicationInfo),
    ):
        values = list(head.objects(np, pred))
        if len(values) != 1:
            problems.append(f"head has {len(values)} {name} links")
            continue
        parts[name] = str(values[0])
        if parts[name] not in graphs:
            problems.append(f"the {name} graph is empty or missing")
    if len(set(parts.values()) | {str(head.identifier)}) != 4:
        problems.append("the four graphs are not distinct")
    if set(graphs) != {*parts.values(), str(head.identifier)}:
        problems.append("graphs other than the four")
    if len(head) != 4:
        problems.append("the head holds more than the four structural triples")
    if problems:
        return problems
    assertion = URIRef(parts["assertion"])
    if (assertion, None, None) not in graphs[parts["provenance"]]:
        problems.append("no provenance triple has the assertion graph as subject")
    if (np, None, None) not in graphs[parts["pubinfo"]]:
        problems.append("no pubinfo triple has the nanopublication as subject")
    return problems


def test_one_nanopublication_per_claim_with_stable_iris(index, nanopubs) -> None:  # type: ignore[no-untyped-def]
    iris = [iri for iri, _ in nanopubs]
    assert iris == [f"{DEFAULT_BASE}nanopub/{c}" for c in index.facts.claims]
    assert nanopubs == list(nanopublications(index))  # deterministic


def test_every_nanopublication_follows_the_guidelines(nanopubs) -> None:  # type: ignore[no-untyped-def]
    failures = {
        iri: p for iri, text in nanopubs if (p := _guideline_problems(iri, text))
    }
    assert not failures


def test_the_nanopub_checker_accepts_every_nanopublication(nanopubs) -> None:  # type: ignore[no-untyped-def]
    checker = pytest.importorskip("nanopub_sign")
    for iri, text in nanopubs:
        checked = checker.Nanopub(prefix_block() + text).check()
        assert checked.info()["uri"]["value"] == iri


@pytest.mark.parametrize(
    ("graph", "rule"),
    [
        ("pubinfo", "no triples in the pubinfo graph"),
        ("provenance", "provenance"),
    ],
)
def test_the_checker_rejects_a_broken_nanopublication(
    nanopubs, graph: str, rule: str
) -> None:  # type: ignore[no-untyped-def]
    """The checker is real: emptying a graph makes it refuse."""
    checker = pytest.importorskip("nanopub_sign")
    iri, text = nanopubs[0]
    start = text.index(f"<{iri}/{graph}> {{\n") + len(f"<{iri}/{graph}> {{\n")
    end = text.index("}\n", start)
    broken = text[:start] + text[end:]
    assert _guideline_problems(iri, broken)
    with pytest.raises(Exception, match=rule):
        checker.Nanopub(prefix_block() + broken).check()


def test_assertion_provenance_and_pubinfo_hold_the_claim(index, nanopubs) -> None:  # type: ignore[no-untyped-def]
    claim_id = "cdv2-cot-from-code"
    iri, text = next(n for n in nanopubs if n[0].endswith("/" + claim_id))
    ds = _dataset(prefix_block() + text)
    graph = {
        name: ds.graph(URIRef(f"{iri}/{name}"))
        for name in ("assertion", "provenance", "pubinfo")
    }
    claim = URIRef(f"{DEFAULT_BASE}claim/{claim_id}")
    facts = index.facts.claims[claim_id]
    assert (
        claim,
        LIN.capability,
        URIRef(f"{DEFAULT_BASE}capability/{facts.capability}"),
    ) in graph["assertion"]
    assert (claim, LIN.confidence, None) not in graph["assertion"]
    assertion = URIRef(f"{iri}/assertion")
    prov = graph["provenance"]
    assert prov.value(assertion, LIN.confidence) == LIN[facts.confidence.value]
    evidence = list(prov.objects(assertion, LIN.evidence))
    assert len(evidence) == len(facts.evidence)
    for node, ev in zip(sorted(evidence), facts.evidence, strict=True):
        assert str(prov.value(node, LIN.locator)) == ev.locator
        source = URIRef(f"{DEFAULT_BASE}source/{ev.source}")
        assert (assertion, PROV.wasDerivedFrom, source) in prov
        assert (source, RDF.type, LIN.Source) in prov
    assert (
        URIRef(iri),
        URIRef("http://purl.org/nanopub/x/introduces"),
        claim,
    ) in graph["pubinfo"]


def test_cli_writes_the_nanopublications(runner, tmp_path: Path, index) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "claims.trig"
    result = runner.invoke(
        cli, ["export", "--format", "nanopub", "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    n = len(index.facts.claims)
    assert f"({n} nanopublications, nanopub)" in result.stderr
    ds = _dataset(out.read_text(encoding="utf-8"))
    kinds = Counter(str(g.identifier).rsplit("/", 1)[-1] for g in ds.graphs() if len(g))
    assert kinds == {"Head": n, "assertion": n, "provenance": n, "pubinfo": n}
    stdout = runner.invoke(
        cli, ["export", "--format", "nanopub"], catch_exceptions=False
    )
    assert stdout.stdout == out.read_text(encoding="utf-8")
