"""Saved SPARQL queries, safe parameters, and a real Oxigraph server.

The server tests start ``oxigraph serve`` (the ``oxigraph`` package on PyPI) on
127.0.0.1 with a temporary store, push the export with the Graph Store Protocol,
and run every saved query both locally and against the server.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from lineage.api import check_facts, load_graph
from lineage.cli import cli
from lineage.errors import Severity
from lineage.outputs.rdf import DEFAULT_GRAPH, serialize, to_rdf
from lineage.outputs.sparql import (
    EndpointError,
    QueryError,
    bind_params,
    check_query,
    describe,
    format_results,
    push_graph,
    result_json,
    run_query,
    saved_queries,
)

ROOT = Path(__file__).resolve().parent.parent
MINI = ROOT / "tests" / "data" / "mini"
QUERIES = ROOT / "queries"
SAVED = sorted(saved_queries(QUERIES))
ENGINES = ("rdflib", "oxigraph")


def oxigraph_binary() -> str | None:
    """The server binary: beside this Python (the venv's bin) or on PATH."""
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.is_file():
        return str(candidate)
    return shutil.which("oxigraph")


OXIGRAPH = oxigraph_binary()
needs_oxigraph = pytest.mark.skipif(
    OXIGRAPH is None,
    reason="the oxigraph server binary is not installed (pip install oxigraph)",
)


@pytest.fixture(scope="module")
def mini() -> Graph:
    return to_rdf(load_graph([MINI], cache=False))


def values(result: Any) -> list[tuple[Any, ...]]:
    """Rows as Python values (numbers compare by value, whatever the lexical form)."""
    out = []
    for row in result.rows:
        out.append(
            tuple(
                None
                if t is None
                else t.toPython()
                if isinstance(t, Literal) and t.datatype
                else str(t)
                for t in row
            )
        )
    return out


def column(result: Any, name: str) -> list[Any]:
    i = result.variables.index(name)
    return [None if row[i] is None else str(row[i]) for row in result.rows]


# --- the saved queries ---------------------------------------------------------------


def test_required_saved_queries_exist() -> None:
    for name in (
        "origin",
        "ancestors",
        "lost-to-alignment",
        "rlhf-added",
        "contested",
        "models-by-stage",
        "emergence",
    ):
        assert name in SAVED


@pytest.mark.parametrize("name", SAVED)
def test_saved_query_parses_and_says_what_it_answers(name: str) -> None:
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    assert text.startswith("# ")
    assert len(describe(text)) > 20
    assert check_query(text) == "select"


@pytest.mark.parametrize("engine", ENGINES)
def test_origin(mini: Graph, engine: str) -> None:
    result = run_query(
        "origin", mini, {"capability": "cot"}, queries=QUERIES, engine=engine
    )
    assert values(result) == [
        ("cot", "coder", "code_training", "hypothesis", "unlocked", "cot-code", 4)
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_ancestors_follow_the_property_path(mini: Graph, engine: str) -> None:
    result = run_query(
        "ancestors", mini, {"model": "chatty"}, queries=QUERIES, engine=engine
    )
    assert column(result, "ancestor") == ["tuned", "coder", "root"]
    assert (
        run_query(
            "ancestors", mini, {"model": "root"}, queries=QUERIES, engine=engine
        ).rows
        == []
    )


@pytest.mark.parametrize("engine", ENGINES)
def test_lost_to_alignment(mini: Graph, engine: str) -> None:
    result = run_query("lost-to-alignment", mini, queries=QUERIES, engine=engine)
    assert values(result) == [
        ("icl", "chatty", "lost", "rlhf", "likely", "icl-lost"),
        ("icl", "tuned", "weakened", "instruction_tuning", "likely", "icl-weak"),
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_rlhf_added(mini: Graph, engine: str) -> None:
    result = run_query("rlhf-added", mini, queries=QUERIES, engine=engine)
    assert values(result) == [
        ("chatty", "chat", "gained", "likely", "chat-gain"),
        ("rl", "icl", "recovered", "hypothesis", "icl-back"),
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_contested(mini: Graph, engine: str) -> None:
    result = run_query("contested", mini, queries=QUERIES, engine=engine)
    assert column(result, "claim") == ["cot-alt"]
    assert column(result, "alternativeTo") == ["cot-code"]


@pytest.mark.parametrize("engine", ENGINES)
def test_models_by_stage(mini: Graph, engine: str) -> None:
    result = run_query(
        "models-by-stage", mini, {"stage": "rlhf"}, queries=QUERIES, engine=engine
    )
    assert values(result) == [
        ("rlhf", "chatty", "tuned", "established"),
        ("rlhf", "rl", "tuned", "likely"),
    ]
    roots = run_query(
        "models-by-stage",
        mini,
        {"stage": "pretraining"},
        queries=QUERIES,
        engine=engine,
    )
    assert column(roots, "model") == ["other", "root"]


@pytest.mark.parametrize("engine", ENGINES)
def test_emergence_figures_evidence(mini: Graph, engine: str) -> None:
    rows = values(run_query("emergence", mini, queries=QUERIES, engine=engine))
    assert rows == [
        (
            "cot",
            "Math word problems",
            "augmented",
            "fam",
            1.3e23,
            68000000000.0,
            "src-a",
            "Table 1",
        )
    ]
    figures = run_query(
        "figures", mini, {"subject": "fam"}, queries=QUERIES, engine=engine
    )
    assert values(figures) == [
        ("fam", "data_share", "code", 5, "percent", "src-a", "T2"),
        ("fam", "data_share", "code", 39, "percent", "src-a", "T3"),
    ]
    evidence = run_query(
        "claim-evidence", mini, {"claim": "icl-back"}, queries=QUERIES, engine=engine
    )
    assert values(evidence) == [
        ("icl", "rl", "icl-back", "src-a", "§8", "LM objective mixed in")
    ]


def test_engines_agree_on_every_saved_query(mini: Graph) -> None:
    for name in SAVED:
        a = run_query(name, mini, queries=QUERIES, engine="rdflib")
        b = run_query(name, mini, queries=QUERIES, engine="oxigraph")
        assert a.variables == b.variables, name
        assert a.rows == b.rows, name


# --- read-only and parameters --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "PREFIX x: <http://x/>\nDROP ALL",
        "# a comment\nCLEAR DEFAULT",
        "LOAD <http://example.org/evil.ttl>",
        "WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(mini: Graph, text: str) -> None:
    before = len(mini)
    with pytest.raises(QueryError, match="update"):
        run_query(text, mini)
    assert len(mini) == before


def test_update_refused_by_cli(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        cli, ["sparql", "-", "--graph", str(MINI)], input="DELETE WHERE { ?s ?p ?o }"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: this is a SPARQL update (DELETE)")


EVIL = [
    '"; DROP ALL; #',
    'x" } ; DELETE WHERE { ?s ?p ?o } #',
    "a'b\"c",
    "{ } { }",
    "<http://evil/> . ?s ?p ?o",
    "line one\nline two\r\n\ttab",
    "back\\slash\\",
    '""" triple """',
    "#not a comment",
    "?capability",
    "思维链",
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("value", EVIL)
def test_params_are_bound_never_pasted(mini: Graph, engine: str, value: str) -> None:
    query = "SELECT ?x ?n WHERE { BIND(STRLEN(?x) AS ?n) }"
    result = run_query(query, mini, {"x": value}, engine=engine)
    assert result.rows == [(Literal(value), Literal(len(value)))]
    # and against real data: a hostile id matches nothing and changes nothing
    before = len(mini)
    found = run_query(
        "origin", mini, {"capability": value}, queries=QUERIES, engine=engine
    )
    assert found.rows == []
    assert len(mini) == before


def test_iri_params(mini: Graph) -> None:
    q = "SELECT ?id WHERE { ?m <http://purl.org/dc/terms/identifier> ?id }"
    result = run_query(q, mini, {"m": "<https://w3id.org/lineage/id/model/coder>"})
    assert result.rows == [(Literal("coder"),)]
    for bad in ("<not an iri>", "<http://x/a>b>", "<relative>"):
        with pytest.raises(QueryError):
            run_query(q, mini, {"m": bad})


def test_param_errors(mini: Graph) -> None:
    with pytest.raises(QueryError, match=r"no variable \?capabilty.*did you mean"):
        run_query("origin", mini, {"capabilty": "cot"}, queries=QUERIES)
    with pytest.raises(QueryError, match="not a SPARQL variable name"):
        run_query("origin", mini, {"a b": "cot"}, queries=QUERIES)


def test_bind_params_places_values_in_the_where_clause() -> None:
    q = 'PREFIX x: <http://x/>\n# { a brace\nCONSTRUCT { ?s x:p "}{" } WHERE { ?s x:q ?o }'
    bound = bind_params(q, {"o": "v"})
    assert 'WHERE { VALUES ?o { "v" }' in bound
    assert check_query(bound) == "construct"
    two = bind_params("SELECT * { ?a ?b ?c } # {", {"a": "1", "c": "<http://x/y>"})
    assert two.startswith('SELECT * { VALUES (?a ?c) { ("1" <http://x/y>) }')


def test_query_kinds_and_formats(mini: Graph) -> None:
    ask = run_query("ASK { ?s a <https://w3id.org/lineage/vocab#Model> }", mini)
    assert ask.boolean is True
    assert json.loads(format_results(ask, "json")) == {"head": {}, "boolean": True}
    built = run_query(
        "CONSTRUCT { ?m ?p ?o } WHERE { ?m <http://purl.org/dc/terms/identifier> "
        "'root' ; ?p ?o }",
        mini,
    )
    assert built.kind == "graph"
    assert built.graph is not None and len(built.graph) >= 5
    with pytest.raises(QueryError, match="returns a graph"):
        format_results(built, "csv")
    sel = run_query(
        "SELECT ?id ?label WHERE { ?m <http://purl.org/dc/terms/"
        "identifier> ?id . OPTIONAL { ?m <http://www.w3.org/2004/02/"
        "skos/core#prefLabel> ?label } FILTER(?id IN ('cot', 'root')) }"
        " ORDER BY ?id",
        mini,
    )
    assert format_results(sel, "csv") == (
        "id,label\r\ncot,Chain-of-thought\r\nroot,\r\n"
    )
    assert format_results(sel, "tsv") == (
        '?id\t?label\n"cot"\t"Chain-of-thought"@en\n"root"\t\n'
    )
    data = result_json(sel)
    assert data["head"]["vars"] == ["id", "label"]
    assert data["results"]["bindings"][0]["label"] == {
        "type": "literal",
        "value": "Chain-of-thought",
        "xml:lang": "en",
    }
    assert data["results"]["bindings"][1] == {
        "id": {"type": "literal", "value": "root"}
    }


def test_syntax_errors_and_unknown_queries(mini: Graph) -> None:
    with pytest.raises(QueryError, match="syntax error at line 1"):
        run_query("SELECT * WHERE { ?s ?p ", mini)
    with pytest.raises(QueryError, match="did you mean 'origin'"):
        run_query("orign", mini, queries=QUERIES)
    with pytest.raises(QueryError, match="does not exist"):
        run_query("nope.rq", mini)


def test_sparql_cli(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ["--graph", str(MINI), "--queries", str(QUERIES)]
    result = runner.invoke(
        cli, ["sparql", "origin", "-p", "capability=cot", *args], catch_exceptions=False
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "capability",
        "model",
        "stage",
        "confidence",
        "mechanism",
        "claim",
        "reach",
    ]
    assert lines[1].split() == [
        "cot",
        "coder",
        "code_training",
        "hypothesis",
        "unlocked",
        "cot-code",
        "4",
    ]
    result = runner.invoke(cli, ["sparql", "--list", *args], catch_exceptions=False)
    assert "origin" in result.stdout and "ancestors" in result.stdout
    query = tmp_path / "q.rq"
    query.write_text(
        "SELECT ?m WHERE { ?m a <https://w3id.org/lineage/vocab#Model> } ORDER BY ?m",
        encoding="utf-8",
    )
    result = runner.invoke(
        cli, ["sparql", str(query), "--format", "csv", *args], catch_exceptions=False
    )
    assert result.stdout.splitlines()[1] == "https://w3id.org/lineage/id/model/chatty"
    result = runner.invoke(cli, ["sparql", *args])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["sparql", "origin", "-p", "nope", *args])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["sparql", "origin", "-p", "bogus=1", *args])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the query has no variable ?bogus")


# --- a real Oxigraph server ----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def oxigraph_server(tmp: Path) -> Iterator[str]:
    assert OXIGRAPH is not None
    port = free_port()
    log = (tmp / "oxigraph.log").open("wb")
    proc = subprocess.Popen(
        [
            OXIGRAPH,
            "serve",
            "--location",
            str(tmp / "store"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.close()
                    text = (tmp / "oxigraph.log").read_text(errors="replace")
                    pytest.fail(f"oxigraph serve did not start: {text}")
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if OXIGRAPH is None:
        pytest.skip(
            "the oxigraph server binary is not installed (pip install oxigraph)"
        )
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


@needs_oxigraph
def test_push_then_every_saved_query_matches_locally(server: str, mini: Graph) -> None:
    pushed = push_graph(mini, server + "/store", DEFAULT_GRAPH)
    assert pushed.triples == len(mini)
    assert pushed.status in (200, 201, 204)
    # what the server holds is exactly the export
    request = urllib.request.Request(
        server + "/store?graph=" + urllib.parse.quote(DEFAULT_GRAPH, safe=""),
        headers={"Accept": "application/n-triples"},
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        held = Graph().parse(data=reply.read().decode("utf-8"), format="nt")
    # by value: Oxigraph writes doubles in its own lexical form
    assert isomorphic(held, Graph().parse(data=serialize(mini, "nt"), format="nt"))
    for name in SAVED:
        local = run_query(name, mini, queries=QUERIES)
        remote = run_query(
            name, server + "/query", queries=QUERIES, default_graph=DEFAULT_GRAPH
        )
        assert remote.variables == local.variables, name
        assert remote.rows == local.rows, name
        assert values(remote) == values(local), name
    # parameters reach the server as bound terms too
    for value in ["cot", *EVIL]:
        local = run_query("origin", mini, {"capability": value}, queries=QUERIES)
        remote = run_query(
            "origin",
            server + "/query",
            {"capability": value},
            queries=QUERIES,
            default_graph=DEFAULT_GRAPH,
        )
        assert remote.rows == local.rows
    ask = run_query("ASK { ?s ?p ?o }", server + "/query", default_graph=DEFAULT_GRAPH)
    assert ask.boolean is True
    # the server's default graph is empty: the export went into the named graph
    assert run_query("ASK { ?s ?p ?o }", server + "/query").boolean is False


@needs_oxigraph
def test_push_replaces_the_named_graph(server: str, write_facts) -> None:  # type: ignore[no-untyped-def]
    graph_iri = "https://example.org/replace-test"
    small = to_rdf(
        load_graph(
            [
                write_facts(
                    "sources:\n  - {id: s, title: T, authors: [A], year: 2020, "
                    "url: 'https://e.org'}\n"
                )
            ],
            cache=False,
        )
    )
    push_graph(to_rdf(load_graph([MINI], cache=False)), server + "/store", graph_iri)
    push_graph(small, server + "/store", graph_iri)
    count = run_query(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        server + "/query",
        default_graph=graph_iri,
    )
    assert count.rows[0][0].toPython() == len(small)


@needs_oxigraph
def test_cli_push_and_remote_sparql(server: str, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        cli,
        ["push", "--endpoint", server + "/store", "--graph", str(MINI)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"loaded {len(to_rdf(load_graph([MINI])))} triples into <{DEFAULT_GRAPH}>"
    )
    args = [
        "sparql",
        "origin",
        "-p",
        "capability=cot",
        "--queries",
        str(QUERIES),
        "--format",
        "json",
    ]
    local = runner.invoke(cli, [*args, "--graph", str(MINI)], catch_exceptions=False)
    remote = runner.invoke(
        cli, [*args, "--endpoint", server + "/query"], catch_exceptions=False
    )
    assert remote.exit_code == 0, remote.output
    assert json.loads(remote.stdout) == json.loads(local.stdout)
    for fmt in ("table", "csv", "tsv"):
        a = runner.invoke(
            cli,
            [
                "sparql",
                "emergence",
                "--queries",
                str(QUERIES),
                "--format",
                fmt,
                "--graph",
                str(MINI),
            ],
        )
        b = runner.invoke(
            cli,
            [
                "sparql",
                "emergence",
                "--queries",
                str(QUERIES),
                "--format",
                fmt,
                "--endpoint",
                server + "/query",
            ],
        )
        assert a.stdout == b.stdout, fmt


@needs_oxigraph
def test_server_errors_are_one_clear_line(server: str, runner, mini: Graph) -> None:  # type: ignore[no-untyped-def]
    # the server cannot evaluate the query (Oxigraph answers HTTP 500)
    with pytest.raises(EndpointError, match=r"HTTP 500 .*custom function <urn:x>"):
        run_query("SELECT * WHERE { ?s ?p ?o FILTER(<urn:x>(?o)) }", server + "/query")
    # a URL that is not a SPARQL endpoint on that server (HTTP 404)
    result = runner.invoke(
        cli,
        ["sparql", "origin", "--queries", str(QUERIES), "--endpoint", server + "/nope"],
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: query to " + server + "/nope failed: HTTP 404"
    )
    assert len(result.stderr.strip().splitlines()) == 1
    # pushing to the query endpoint is refused: nothing is loaded
    with pytest.raises(EndpointError, match=r"HTTP 4\d\d.*nothing was loaded"):
        push_graph(mini, server + "/query", "https://example.org/never")
    held = run_query(
        "ASK { ?s ?p ?o }", server + "/query", default_graph="https://example.org/never"
    )
    assert held.boolean is False


def test_server_down(runner, mini: Graph) -> None:  # type: ignore[no-untyped-def]
    url = f"http://127.0.0.1:{free_port()}"
    result = runner.invoke(
        cli,
        ["sparql", "origin", "--queries", str(QUERIES), "--endpoint", url + "/query"],
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: query to {url}/query failed: connection refused"
        " (is the server running?)\n"
    )
    result = runner.invoke(
        cli, ["push", "--endpoint", url + "/store", "--graph", str(MINI)]
    )
    assert result.exit_code == 1
    assert "connection refused" in result.stderr
    assert "nothing was loaded" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


class _Handler(http.server.BaseHTTPRequestHandler):
    """A fake misbehaving server: slow, 500, or not SPARQL (per path)."""

    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        if self.path.startswith("/slow"):
            time.sleep(1.5)
        if self.path.startswith("/error"):
            self.send_response(500)
            body = b"internal trouble\nsecond line"
        elif self.path.startswith("/html"):
            self.send_response(200)
            body = b"<html><body>Welcome to my blog</body></html>"
        elif self.path.startswith("/badjson"):
            self.send_response(200)
            body = b'{"head": {"vars": ["x"]}, "results": 3}'
        else:
            self.send_response(200)
            body = b'{"head": {"vars": []}, "results": {"bindings": []}}'
        self.send_header(
            "Content-Type", "text/html" if "html" in self.path else "application/json"
        )
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    do_POST = _reply  # noqa: N815 - the name http.server looks up
    do_PUT = _reply  # noqa: N815


@pytest.fixture(scope="module")
def bad_server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_endpoint_timeout_http_error_and_non_sparql(
    bad_server: str,
    runner,  # type: ignore[no-untyped-def]
    mini: Graph,
) -> None:
    q = ["sparql", "origin", "--queries", str(QUERIES), "--endpoint"]
    result = runner.invoke(cli, [*q, bad_server + "/slow", "--timeout", "0.3"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: query to {bad_server}/slow failed: no answer "
        "within 0.3 s (raise --timeout to wait longer)\n"
    )
    result = runner.invoke(cli, [*q, bad_server + "/error"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: query to {bad_server}/error failed: HTTP 500 "
        "Internal Server Error: internal trouble second line\n"
    )
    result = runner.invoke(cli, [*q, bad_server + "/html"])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: {bad_server}/html did not answer with SPARQL results (got text/html"
    )
    result = runner.invoke(cli, [*q, bad_server + "/badjson"])
    assert result.exit_code == 1
    assert "did not answer with SPARQL results" in result.stderr
    result = runner.invoke(cli, [*q, "ftp://example.org/sparql"])
    assert result.exit_code == 1
    assert "is not an http(s) URL" in result.stderr
    result = runner.invoke(cli, [*q, bad_server, "--timeout", "0"])
    assert result.exit_code == 2
    with pytest.raises(EndpointError, match="not confirmed"):
        push_graph(mini, bad_server + "/slow", DEFAULT_GRAPH, timeout=0.3)
    with pytest.raises(EndpointError, match="HTTP 500.*nothing was loaded"):
        push_graph(mini, bad_server + "/error", DEFAULT_GRAPH)


# --- the shipped graph ---------------------------------------------------------------


def shipped_ok() -> bool:
    _index, problems = check_facts([ROOT / "graph"])
    return not any(p.severity is Severity.ERROR for p in problems)


@pytest.mark.skipif(not shipped_ok(), reason="the shipped graph has errors right now")
def test_shipped_graph_answers(shipped_index) -> None:  # type: ignore[no-untyped-def]
    g = to_rdf(shipped_index)
    origin = run_query("origin", g, {"capability": "chain-of-thought"}, queries=QUERIES)
    first = dict(zip(origin.variables, origin.rows[0], strict=True))
    assert str(first["model"]) == "code-davinci-002"
    assert str(first["stage"]) == "code_training"
    ancestors = run_query("ancestors", g, {"model": "chatgpt"}, queries=QUERIES)
    assert "davinci" in column(ancestors, "ancestor")
    assert "code-davinci-002" in column(ancestors, "ancestor")
    rlhf = run_query("rlhf-added", g, queries=QUERIES)
    assert "chatgpt" in column(rlhf, "model")
    contested = run_query(
        "contested", g, {"capability": "chain-of-thought"}, queries=QUERIES
    )
    assert "cdv2-cot-from-instruction-tuning" in column(contested, "claim")
    emergence = run_query("emergence", g, queries=QUERIES)
    assert len(emergence.rows) == len(shipped_index.facts.emergence)
    for name in SAVED:
        a = run_query(name, g, queries=QUERIES, engine="rdflib")
        b = run_query(name, g, queries=QUERIES, engine="oxigraph")
        assert a.rows == b.rows, name
