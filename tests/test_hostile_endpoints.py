"""Hostile queries, hostile servers and hostile URLs (issue 13: items 1-4, 8, 14).

Every fake listens on 127.0.0.1 only (``tests/fakes.py``); the update-path test
uses a real ``oxigraph serve``. Each case asserts a clean error (exit 1 or 2,
one ``error:`` line, no traceback) and, for escapes, that no request reached
the listener.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fakes import SELECT_ROW, FakeServer, fake_server
from rdflib import Graph
from test_sparql import MINI, OXIGRAPH, QUERIES, free_port, oxigraph_server

from lineage.api import load_graph
from lineage.cli import cli
from lineage.outputs.endpoint import EndpointError, check_url, redact
from lineage.outputs.rdf import DEFAULT_GRAPH, to_rdf
from lineage.outputs.sparql import QueryError, push_graph, run_query

ENGINES = ("rdflib", "oxigraph")


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    with fake_server() as server:
        yield server


@pytest.fixture(scope="module")
def mini() -> Graph:
    return to_rdf(load_graph([MINI], cache=False))


def clean_error(result: Result, code: int = 1) -> str:
    """The stderr of a failed run, asserting its exit code and no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    first = "error:" if code == 1 else "Error:"
    assert any(line.startswith(first) for line in result.stderr.splitlines()), (
        result.stderr
    )
    return result.stderr


def sparql(*args: str) -> Result:
    return CliRunner().invoke(cli, ["sparql", "--graph", str(MINI), *args])


# --- item 1: the local engine never federates ---------------------------------


def service_queries(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?q ?r OPTIONAL {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?x ?p ?o }} }}",
        f"ASK {{ SERVICE <{url}> {{ ?x ?p ?o }} }}",
        f"CONSTRUCT {{ ?x ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}",
        f"select * where {{ {{ select * where {{ service <{url}> {{ ?x ?p ?o }} }} }} }}",
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?x ?p ?o } }",
    ]


def test_service_is_refused_locally(fake: FakeServer) -> None:
    url = fake.route("/x")
    for text in service_queries(url):
        stderr = clean_error(sparql(text))
        assert "SERVICE" in stderr and "--allow-service" in stderr, stderr
    bound = sparql(
        "SELECT * WHERE { SERVICE ?where { ?x ?p ?o } }", "-p", f"where=<{url}>"
    )
    assert "SERVICE" in clean_error(bound)
    assert fake.seen == []


@pytest.mark.parametrize("engine", ENGINES)
def test_service_is_refused_by_both_engines(
    fake: FakeServer, mini: Graph, engine: str
) -> None:
    for text in service_queries(fake.route("/x")):
        with pytest.raises(QueryError, match="SERVICE"):
            run_query(text, mini, engine=engine)
    assert fake.seen == []


def test_allow_service_opts_in_for_http_only(fake: FakeServer) -> None:
    url = fake.route("/x")
    ok = sparql(
        "--allow-service", f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"
    )
    assert ok.exit_code == 0, ok.output
    assert "FROM-THE-FAKE" in ok.stdout
    assert len(fake.seen) == 1
    fake.seen.clear()
    for text in (
        "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?x ?p ?o } }",
        "SELECT * WHERE { SERVICE ?v { ?x ?p ?o } }",
    ):
        assert "SERVICE" in clean_error(sparql("--allow-service", text))
    assert fake.seen == []


def test_from_clauses_are_refused_everywhere(fake: FakeServer, mini: Graph) -> None:
    """FROM was honoured by one engine, ignored by the other and by endpoints."""
    for text in (
        "SELECT * FROM <file:///etc/hostname> WHERE { ?s ?p ?o }",
        f"SELECT * FROM NAMED <{fake.url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    ):
        assert "FROM" in clean_error(sparql(text))
        assert "FROM" in clean_error(sparql(text, "--endpoint", fake.url + "/q"))
    assert fake.seen == []


# --- item 2: nothing a server names is dereferenced ---------------------------


def test_json_ld_replies_are_refused(fake: FakeServer, tmp_path: Path) -> None:
    secret = tmp_path / "secret.jsonld"
    secret.write_text('{"@context": {"leak": "http://leak/SECRET-CONTENT#"}}')
    with fake_server() as third:
        remote_ctx = third.route("/ctx", body=b'{"@context": {}}')
        for context in (secret.as_uri(), remote_ctx):
            body = json.dumps(
                {"@context": context, "@id": "http://a", "leak:x": "y"}
            ).encode()
            url = fake.route("/q", body=body, content_type="application/ld+json")
            result = sparql(
                "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "--endpoint", url
            )
            stderr = clean_error(result)
            assert "JSON-LD" in stderr
            assert "SECRET-CONTENT" not in result.output
        assert third.seen == []


def test_graph_replies_must_be_n_triples_or_turtle(fake: FakeServer) -> None:
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    turtle = fake.route(
        "/ttl", body=b'<http://a> <http://b> "c" .\n', content_type="text/turtle"
    )
    ok = sparql(query, "--endpoint", turtle)
    assert ok.exit_code == 0, ok.output
    xml = fake.route(
        "/xml",
        body=b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">&e;</rdf:RDF>',
        content_type="application/rdf+xml",
    )
    stderr = clean_error(sparql(query, "--endpoint", xml))
    assert "root:" not in stderr


# --- item 3: the endpoint URL cannot carry an update --------------------------

UPDATE_URLS = [
    "/update?update=DROP%20ALL",
    "/update",
    "/%75pdate",
    "/UPDATE/",
    "/query?update=DROP%20ALL",
    "/query?query=SELECT%20*%20%7B%7D",
    "/query?x=1&Update=DROP+ALL",
    "/query?x=1;update=DROP+ALL",
    "/repositories/r/statements",
    "/ds%2Fupdate",
    "/update;jsessionid=1",
]


@pytest.mark.skipif(OXIGRAPH is None, reason="needs the oxigraph server binary")
def test_update_urls_are_refused_by_a_real_server(tmp_path: Path) -> None:
    runner = CliRunner()
    with oxigraph_server(tmp_path) as server:
        pushed = runner.invoke(
            cli, ["push", "--endpoint", server + "/store", "--graph", str(MINI)]
        )
        assert pushed.exit_code == 0, pushed.output
        for tail in UPDATE_URLS:
            result = sparql(
                "origin", "--queries", str(QUERIES), "--endpoint", server + tail
            )
            assert "update" in clean_error(result).lower() or "query=" in result.stderr
            result = runner.invoke(
                cli, ["push", "--endpoint", server + tail, "--graph", str(MINI)]
            )
            clean_error(result)
        count = run_query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            server + "/query",
            default_graph=DEFAULT_GRAPH,
        )
        assert int(count.rows[0][0]) == len(to_rdf(load_graph([MINI], cache=False)))


def test_accepted_url_forms() -> None:
    for url in (
        "http://127.0.0.1:7878/query",
        "https://example.org/sparql",
        "http://[::1]:7878/query",
        "http://localhost:3030/ds/sparql?timeout=5",
        "http://127.0.0.1:7878/store",
    ):
        assert check_url(url) == url


# --- item 4: no redirect to another origin ------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_origin_is_refused(fake: FakeServer, status: int) -> None:
    with fake_server() as other:
        target = other.route("/q")
        url = fake.route("/q", status=status, headers={"Location": target}, body=b"")
        stderr = clean_error(
            sparql("origin", "--queries", str(QUERIES), "--endpoint", url)
        )
        assert "redirect" in stderr and "another origin" in stderr
        pushed = CliRunner().invoke(
            cli, ["push", "--endpoint", url, "--graph", str(MINI)]
        )
        assert "another origin" in clean_error(pushed)
        assert other.seen == []


def test_same_origin_redirect_keeps_the_query(fake: FakeServer) -> None:
    fake.route("/new", body=SELECT_ROW)
    url = fake.route("/old", status=301, headers={"Location": "/new"}, body=b"")
    result = sparql("SELECT ?x WHERE { ?x ?p ?o }", "--endpoint", url)
    assert result.exit_code == 0, result.output
    assert "FROM-THE-FAKE" in result.stdout
    assert [s.method for s in fake.seen] == ["POST", "POST"]
    assert fake.seen[1].body == fake.seen[0].body and b"query=" in fake.seen[1].body
    loop = fake.route("/loop", status=302, headers={"Location": "/loop"}, body=b"")
    assert "redirects" in clean_error(sparql("SELECT * {?s ?p ?o}", "--endpoint", loop))


# --- item 8: --timeout is a total deadline -------------------------------------


def test_timeout_is_a_total_deadline(fake: FakeServer, mini: Graph) -> None:
    slow = fake.route("/drip", body=SELECT_ROW * 4, drip=0.05)  # ~20 s in all
    start = time.monotonic()
    stderr = clean_error(
        sparql("SELECT * {?s ?p ?o}", "--endpoint", slow, "--timeout", "0.5")
    )
    assert "no answer within 0.5 s" in stderr
    with pytest.raises(EndpointError, match="not confirmed"):
        push_graph(mini, slow, DEFAULT_GRAPH, timeout=0.5)
    assert time.monotonic() - start < 10  # not a timing test: 20 s each if per-read


def test_local_queries_have_a_deadline() -> None:
    cross = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    )
    for engine in ENGINES:
        with pytest.raises(QueryError, match=r"did not finish within 0.5 s"):
            run_query(
                cross,
                to_rdf(load_graph([MINI], cache=False)),
                engine=engine,
                timeout=0.5,
            )
    stderr = clean_error(sparql(cross, "--timeout", "0.5"))
    assert "--timeout" in stderr


# --- item 14: endpoint replies and URLs that used to crash --------------------

HOSTILE_REPLIES = {
    "deep-json": b"[" * 200_000 + b"]" * 200_000,
    "deep-in-results": b'{"head": {"vars": ["x"]}, "results": {"bindings": '
    + b"[" * 200_000
    + b"]" * 200_000
    + b"}}",
    "bad-lang": b'{"head": {"vars": ["x"]}, "results": {"bindings": '
    b'[{"x": {"type": "literal", "value": "v", "xml:lang": "not a tag!"}}]}}',
    "lang-not-string": b'{"head": {"vars": ["x"]}, "results": {"bindings": '
    b'[{"x": {"type": "literal", "value": "v", "xml:lang": 7}}]}}',
    "huge-number": b'{"head": {"vars": ["x"]}, "results": {"bindings": '
    b'[{"x": ' + b"9" * 100_000 + b"}]}}",
    "huge-number-head": b'{"head": ' + b"9" * 100_000 + b"}",
    "value-not-string": b'{"head": {"vars": ["x"]}, "results": {"bindings": '
    b'[{"x": {"type": "uri", "value": {"a": 1}}}]}}',
    "escape-codes": b"\x1b[2J\x1b]0;owned\x07 not json",
}


@pytest.mark.parametrize("case", sorted(HOSTILE_REPLIES))
def test_hostile_replies_are_clean_errors(fake: FakeServer, case: str) -> None:
    url = fake.route("/q", body=HOSTILE_REPLIES[case])
    stderr = clean_error(sparql("SELECT * { ?s ?p ?o }", "--endpoint", url))
    assert "did not answer with SPARQL results" in stderr
    assert "\x1b" not in stderr and "\x07" not in stderr


def test_bad_datatype_in_a_reply_is_one_warning_line(fake: FakeServer) -> None:
    body = (
        b'{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal",'
        b' "value": "abc", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}},'
        b' {"x": {"type": "literal", "value": "' + b"1" * 5000 + b'", "datatype":'
        b' "http://www.w3.org/2001/XMLSchema#integer"}}]}}'
    )
    result = sparql("SELECT * { ?s ?p ?o }", "--endpoint", fake.route("/q", body=body))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: rdflib"), lines
    assert "abc" in result.stdout


BAD_URLS = [
    "http://[::1/q",
    "http://127.0.0.1:7878/a query",
    "http://127.0.0.1:7878/q\r\nX-Injected: 1",
    "http://127.0.0.1:7878/q\n",
    "http://127.0.0.1:99999/q",
    "http://127.0.0.1:port/q",
    "http:///q",
    "file:///etc/passwd",
    "gopher://127.0.0.1/q",
    "http://user:hunter2@127.0.0.1:7878/query",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_bad_urls_are_refused_before_connecting(url: str) -> None:
    stderr = clean_error(sparql("origin", "--queries", str(QUERIES), "--endpoint", url))
    assert "hunter2" not in stderr and "\r" not in stderr
    pushed = CliRunner().invoke(cli, ["push", "--endpoint", url, "--graph", str(MINI)])
    assert "hunter2" not in clean_error(pushed)


def test_password_never_echoed_in_http_errors(fake: FakeServer) -> None:
    assert redact("http://a:b@h/x") == "http://***@h/x"
    port = free_port()
    for url in (f"http://u:hunter2@127.0.0.1:{port}/q",):
        assert "hunter2" not in clean_error(sparql("origin", "--endpoint", url))


def test_push_refuses_an_html_200_page(fake: FakeServer) -> None:
    url = fake.route(
        "/store", body=b"<html><body>Welcome</body></html>", content_type="text/html"
    )
    stderr = clean_error(
        CliRunner().invoke(cli, ["push", "--endpoint", url, "--graph", str(MINI)])
    )
    assert "HTML" in stderr and "not confirmed" in stderr


# --- smaller: parameters, query files, standard input -------------------------


def test_param_used_only_in_a_subquery_is_an_error() -> None:
    inner = "SELECT ?m WHERE { ?m ?p ?o { SELECT ?m WHERE { ?m ?q ?x } } }"
    assert "subquery" in clean_error(sparql(inner, "-p", "x=1"))
    projected = "SELECT ?m WHERE { ?m ?p ?o { SELECT ?m ?x WHERE { ?m ?q ?x } } }"
    assert sparql(projected, "-p", "x=1").exit_code == 0
    star = "SELECT ?m WHERE { ?m ?p ?o { SELECT * WHERE { ?m ?q ?x } } }"
    assert sparql(star, "-p", "x=1").exit_code == 0


def test_repeated_param_is_a_usage_error() -> None:
    result = sparql(
        "origin", "--queries", str(QUERIES), "-p", "capability=a", "-p", "capability=b"
    )
    assert "bound twice" in clean_error(result, code=2)


def test_query_text_is_never_looked_up_again(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    other = tmp_path / "other.rq"
    other.write_text("SELECT ?x WHERE { ?x ?p ?o } LIMIT 1\n")
    pointer = tmp_path / "pointer.rq"
    pointer.write_text(str(other))
    assert "not a SPARQL query" in clean_error(sparql(str(pointer)))
    monkeypatch.chdir(tmp_path)
    piped = CliRunner().invoke(
        cli,
        ["sparql", "--queries", str(QUERIES), "--graph", str(MINI), "-"],
        input="origin",
    )
    assert "not a SPARQL query" in clean_error(piped)


def test_query_file_content_is_never_echoed(tmp_path: Path) -> None:
    secret = tmp_path / "environ"
    secret.write_bytes(b"API_TOKEN=hunter2\0HOME=/root\0")
    for path in (str(secret), "/proc/self/environ"):
        stderr = clean_error(sparql(path))
        assert "hunter2" not in stderr and "HOME=" not in stderr
    assert "not a regular file" in clean_error(sparql("/dev/zero"))
