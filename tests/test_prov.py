"""The export as the PROV world reads it: explicit types, unique generation, the
``prov`` package on every format, one set of terms across formats, quotes as Web
Annotations, and Turtle that streams."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import RDF, Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV

from lineage.outputs.ntriples import double_lexical, nt_chunks, quoted_passages
from lineage.outputs.rdf import (
    DEFAULT_BASE,
    FORMATS,
    LIN,
    export_chunks,
    keep_lexical_forms,
    prefixes_for,
    to_rdf,
    write_rdf,
)
from lineage.outputs.terms import NAMESPACES, superclasses

ROOT = Path(__file__).resolve().parent.parent
OA = "http://www.w3.org/ns/oa#"
#: rdflib's parser name of each --format
PARSERS = {name: rdflib_name for name, (rdflib_name, _) in FORMATS.items()}


@pytest.fixture(scope="module")
def index():  # type: ignore[no-untyped-def]
    from lineage.api import load_graph

    return load_graph([ROOT / "graph"], cache=False)


@pytest.fixture(scope="module")
def shipped_rdf(index) -> Graph:  # type: ignore[no-untyped-def]
    return to_rdf(index)


@pytest.fixture(scope="module")
def exports(index, tmp_path_factory) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("exports")
    paths = {}
    for name, (_, suffixes) in FORMATS.items():
        paths[name] = out / f"lineage{suffixes[0]}"
        write_rdf(index, paths[name], name)
    return paths


def _lexical(term: object) -> str:
    """A term as written: rdflib's n3() would print doubles in its own form."""
    if isinstance(term, Literal):
        return f"{str(term)!r}^^{term.datatype}@{term.language}"
    return str(term)


def _terms(path: Path, fmt: str) -> set[tuple[str, str, str]]:
    with keep_lexical_forms(), warnings.catch_warnings():
        # rdflib 7's JSON-LD parser calls its own deprecated ConjunctiveGraph
        warnings.simplefilter("ignore", DeprecationWarning)
        if fmt == "trig":
            ds = Dataset()
            ds.parse(path, format="trig")
            triples = [(s, p, o) for s, p, o, _g in ds.quads()]
        else:
            triples = list(Graph().parse(path, format=PARSERS[fmt]))
    return {(_lexical(s), _lexical(p), _lexical(o)) for s, p, o in triples}


def test_every_model_is_a_prov_entity_without_inference(
    index, shipped_rdf: Graph
) -> None:  # type: ignore[no-untyped-def]
    rows = shipped_rdf.query(
        "PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?x WHERE { ?x a prov:Entity }"
    )
    entities = {str(row[0]) for row in rows}  # type: ignore[index]
    models = {f"{DEFAULT_BASE}model/{m}" for m in index.facts.models}
    assert models and models <= entities
    for kind, ids in (
        ("claim", index.facts.claims),
        ("source", index.facts.sources),
        ("family", index.facts.families),
    ):
        assert {f"{DEFAULT_BASE}{kind}/{i}" for i in ids} <= entities, kind
    agents = {str(s) for s in shipped_rdf.subjects(RDF.type, PROV.Agent)}
    assert agents == {str(s) for s in shipped_rdf.subjects(RDF.type, PROV.Organization)}
    assert agents


def test_types_are_closed_under_the_vocabulary(shipped_rdf: Graph) -> None:
    """Whatever a node is typed with, it is also typed with every class above."""
    prefix = {uri: p for p, uri in NAMESPACES.items()}
    missing = []
    for node, cls in shipped_rdf.subject_objects(RDF.type):
        ns = next((u for u in prefix if str(cls).startswith(u)), None)
        if ns is None:
            continue
        for above in superclasses(f"{prefix[ns]}:{str(cls)[len(ns) :]}"):
            p, _, local = above.partition(":")
            if (node, RDF.type, URIRef(NAMESPACES[p] + local)) not in shipped_rdf:
                missing.append((node, above))
    assert not missing[:5]


def test_generation_is_unique_and_alternatives_are_qualified(
    index, shipped_rdf: Graph
) -> None:  # type: ignore[no-untyped-def]
    g = shipped_rdf
    generations = Counter(s for s, _ in g.subject_objects(PROV.wasGeneratedBy))
    assert generations and max(generations.values()) == 1
    cdv2 = URIRef(f"{DEFAULT_BASE}model/code-davinci-002")
    assert (cdv2, PROV.wasGeneratedBy, None) not in g
    ders = set(g.objects(cdv2, PROV.qualifiedDerivation))
    assert len(ders) == len(index.parents["code-davinci-002"]) >= 3
    for d in ders:
        assert (d, RDF.type, LIN.AlternativeDerivation) in g
        assert (d, PROV.hadActivity, None) not in g
        assert set(g.objects(d, LIN.alternativeTo)) == ders - {d}
        assert (d, LIN.stage, None) in g
    # a single derivation keeps its activity, which generated the child
    tdv2 = URIRef(f"{DEFAULT_BASE}model/text-davinci-002")
    (d,) = g.objects(tdv2, PROV.qualifiedDerivation)
    act = g.value(d, PROV.hadActivity)
    assert (tdv2, PROV.wasGeneratedBy, act) in g
    assert (act, PROV.used, g.value(d, PROV.entity)) in g


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_prov_package_reads_every_format(
    fmt: str, exports: dict[str, Path], index
) -> None:  # type: ignore[no-untyped-def]
    from prov.model import ProvDerivation, ProvDocument, ProvEntity

    with warnings.catch_warnings():
        # prov warns about every non-PROV attribute (skos, dcterms, ...)
        warnings.simplefilter("ignore")
        doc = ProvDocument.deserialize(
            source=str(exports[fmt]), format="rdf", rdf_format=PARSERS[fmt]
        )
    records = list(doc.get_records())
    for bundle in doc.bundles:  # TriG: the named graph is a bundle
        records += bundle.get_records()
    entities = {str(r.identifier.uri) for r in records if isinstance(r, ProvEntity)}
    models = {f"{DEFAULT_BASE}model/{m}" for m in index.facts.models}
    assert models <= entities
    derivations = {
        (r.args[0].uri, r.args[1].uri) for r in records if isinstance(r, ProvDerivation)
    }
    model = f"{DEFAULT_BASE}model/"
    expected = {
        (model + d.child, model + d.parent) for d in index.facts.derivations.values()
    }
    assert derivations == expected


def test_all_five_formats_hold_the_same_terms(exports: dict[str, Path]) -> None:
    """Compared as sets of N3 terms, not isomorphism: lexical forms must agree."""
    reference = _terms(exports["nt"], "nt")
    assert any("'5.0E23'^^" in o for _s, _p, o in reference)
    for fmt, path in exports.items():
        assert _terms(path, fmt) == reference, fmt


def test_every_minted_namespace_has_a_prefix(exports: dict[str, Path]) -> None:
    text = exports["turtle"].read_text(encoding="utf-8")
    for prefix, uri in prefixes_for().items():
        assert f"@prefix {prefix}: <{uri}> ." in text
    assert "\nmodel:davinci\n    a lin:Model" in text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_double_lexical_round_trips(value: float) -> None:
    text = double_lexical(value)
    assert float(text) == value
    mantissa, _, exponent = text.partition("E")
    assert "." in mantissa and exponent.lstrip("-").isdigit()


def test_quoted_passages() -> None:
    note = "'a is b'; Fu's tree (per 'c d') says 'e ... f [the model] g'."
    assert quoted_passages(note) == ["a is b", "c d", "e", "f", "g"]
    assert quoted_passages("no quotes, only the models' names") == []


def test_quotes_are_web_annotations(index, shipped_rdf: Graph) -> None:  # type: ignore[no-untyped-def]
    g = shipped_rdf
    exact = URIRef(OA + "exact")
    selectors = list(g.subjects(RDF.type, URIRef(OA + "TextQuoteSelector")))
    assert len(selectors) > 100
    for sel in selectors:
        passage = str(g.value(sel, exact))
        (quote,) = g.subjects(URIRef(OA + "hasSelector"), sel)
        (evidence,) = g.subjects(LIN.quote, quote)
        note = str(
            g.value(evidence, URIRef("http://www.w3.org/2000/01/rdf-schema#comment"))
        )
        assert passage and passage in note
        assert g.value(quote, URIRef(OA + "hasSource")) == g.value(
            evidence, URIRef("http://purl.org/dc/terms/source")
        )
        assert g.value(quote, LIN.locator) == g.value(evidence, LIN.locator)


def test_turtle_streams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first Turtle text comes out before the records are all formatted."""
    import sys

    from lineage.api import load_graph
    from lineage.outputs.ntriples import Writer

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_hub

    write_hub(300, tmp_path / "hub")
    index = load_graph([tmp_path / "hub"], cache=False)
    monkeypatch.setattr(Writer, "BATCH", 16)  # a chunk per 16 models
    total = sum(n for _t, n in nt_chunks(index))
    chunks = export_chunks(index, "turtle")
    seen = 0
    for _text, n in chunks:
        seen += n
        if seen:
            break
    assert 0 < seen < total / 4
    assert sum(n for _t, n in chunks) + seen == total


@pytest.mark.parametrize("fmt", ["turtle", "trig", "jsonld"])
def test_graphs_with_blank_nodes_serialize(fmt: str) -> None:
    """A CONSTRUCT result may hold blank nodes: every streamed writer keeps them."""
    from rdflib import BNode

    from lineage.outputs.rdf import serialize

    g = Graph()
    node = BNode()
    g.add((URIRef("https://e.org/a"), URIRef("https://e.org/p"), node))
    g.add((node, URIRef("https://e.org/q"), Literal("x", lang="en")))
    back = Dataset() if fmt == "trig" else Graph()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        back.parse(data=serialize(g, fmt), format=PARSERS[fmt])
    triples = Graph()
    for s, p, o, *_ in back.quads() if fmt == "trig" else back:
        triples.add((s, p, o))
    from rdflib.compare import isomorphic

    assert isomorphic(triples, g)
