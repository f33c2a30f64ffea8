"""``lineage export``, ``lineage sparql`` and ``lineage push``: the RDF commands.

Imported only when one of them runs (see ``LAZY_COMMANDS`` in :mod:`lineage.cli`);
rdflib, pyoxigraph and the HTTP client are imported inside the commands, so
``lineage --help`` stays fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ..errors import LineageError
from .commands import Failure, graph_option, handle_errors
from .console import load, table

if TYPE_CHECKING:
    from ..outputs.sparql import QueryResult

#: Kept in step with lineage.outputs.rdf.FORMATS (a test checks), without importing rdflib.
RDF_FORMATS = ("turtle", "nt", "jsonld", "xml", "trig")
#: ``export`` also writes nanopublications (TriG, one per claim).
EXPORT_FORMATS = (*RDF_FORMATS, "nanopub")
RESULT_FORMATS = ("table", "json", "csv", "tsv")

timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=3600),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Give up after this many seconds in all (0.1 to 3600): the whole "
    "exchange with a server, or a local query's evaluation.",
)
base_option = click.option(
    "--base",
    metavar="IRI",
    default=None,
    help="Base of the record IRIs, ending in / or # "
    "(default: https://w3id.org/lineage/id/).",
)


def _base(base: str | None) -> str:
    from .exporting import base_of

    return base_of(base)


def _graph_iri(value: str | None) -> str | None:
    """``--named-graph``: an IRI, ``default`` (server default) or None."""
    from ..outputs.rdf import DEFAULT_GRAPH

    if value is None:
        return DEFAULT_GRAPH
    if value == "default":
        return None
    import re

    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*$", value):
        msg = f"'{value}' is not an absolute IRI (or 'default' for the default graph)"
        raise click.BadParameter(msg)
    return value


@click.command()
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    default=None,
    help="Write to FILE (atomically) instead of standard output ('-' is "
    "standard output).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    default=None,
    help="RDF syntax (default: from the suffix of FILE: .ttl .nt .jsonld .rdf "
    ".trig; Turtle on standard output), or nanopub: one nanopublication per "
    "claim, as TriG.",
)
@base_option
@graph_option
@handle_errors
def export(
    output: str | None, fmt: str | None, base: str | None, graph_dirs: tuple[str, ...]
) -> None:
    """Export the facts as RDF (PROV-O, SKOS, Dublin Core; see docs/rdf.md).

    Models are prov:Entity nodes linked by prov:wasDerivedFrom, with a qualified
    derivation whose activity is typed by its stage; stages and capabilities are
    SKOS concept schemes; claims, evidence, figures and emergence rows are nodes
    of their own. IRIs are stable (made from ids) and the output is
    deterministic. A failed export never leaves a half-written FILE.
    N-Triples, Turtle, TriG, JSON-LD and nanopub stream in constant memory.

    \b
    Example:
        lineage export -o lineage.ttl
        lineage export --format nt > lineage.nt
        lineage export -o lineage.jsonld --base https://example.org/id/
        lineage export --format nanopub -o claims.trig
    """
    from .exporting import export as export_body

    export_body(output, fmt, base, graph_dirs)


def _resolve_params(
    bindings: dict[str, str], graph_dirs: tuple[str, ...], base_iri: str, local: bool
) -> Any:
    """Resolve ``--param`` values named after a kind of record (model, capability,
    family, stage, source) to the record's id, as every other command does, and
    say so with its IRI; other values and ``<IRI>`` values stay as given. With
    ``--endpoint``, only when ``--graph`` says which facts the server holds.
    Returns the loaded index (None when nothing needed it)."""
    from ..store.names import KINDS

    named = {k: v for k, v in bindings.items() if k in KINDS and not v.startswith("<")}
    if not named:
        return None
    try:
        index = load(graph_dirs)
    except LineageError:
        if local:
            raise
        return None  # a remote endpoint without local facts: bind as given
    for name, value in named.items():
        _, rid = index.words.resolve(value, (name,)).ref
        if rid != value:
            click.echo(
                f'taking {name}="{value}" as {rid} <{base_iri}{name}/{rid}>', err=True
            )
        bindings[name] = rid
    return index


@click.command()
@click.argument("query", required=False, metavar="NAME|FILE|-")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Bind ?NAME to VALUE: a string, or <IRI> (repeatable). Bound as an RDF "
    "term, never pasted into the query. A value of ?model, ?capability, ?family, "
    "?stage or ?source is a name resolved to the record's id (ChatGPT -> chatgpt).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RESULT_FORMATS),
    default="table",
    show_default=True,
    help="table, or a standard SPARQL 1.1 results format.",
)
@click.option(
    "--endpoint",
    metavar="URL",
    default=None,
    help="Run on a remote SPARQL 1.1 query endpoint instead of the local graph.",
)
@click.option(
    "--named-graph",
    metavar="IRI",
    default=None,
    help="With --endpoint: the graph to query (default: the one `lineage push` "
    "writes, https://w3id.org/lineage/id/graph; 'default' for the server's "
    "default graph).",
)
@timeout_option
@click.option(
    "--queries",
    "queries_dir",
    metavar="DIR",
    default=None,
    help="Saved-query directory (default: ./queries, else the shipped queries).",
)
@click.option("--list", "list_only", is_flag=True, help="List the saved queries.")
@click.option(
    "--allow-service",
    is_flag=True,
    help="Let a local query call SERVICE <http(s)://...>, contacting that server "
    "with the query's data. Off by default: a query from someone else could "
    "send your data anywhere. See docs/reliability.md.",
)
@base_option
@graph_option
@handle_errors
def sparql(
    query: str | None,
    params: tuple[str, ...],
    fmt: str,
    endpoint: str | None,
    named_graph: str | None,
    timeout: float,
    queries_dir: str | None,
    list_only: bool,
    allow_service: bool,
    base: str | None,
    graph_dirs: tuple[str, ...],
) -> None:
    """Run a saved SPARQL query (queries/NAME.rq), a query FILE, or - (stdin).

    Runs on the compiled graph, or with --endpoint on a SPARQL 1.1 server
    (after `lineage push`); both give the same results. Read-only: updates are
    refused, and so are FROM clauses and (unless --allow-service) SERVICE calls.
    Parameters are bound as RDF terms in a VALUES block.

    \b
    Example:
        lineage sparql --list
        lineage sparql origin --param capability=chain-of-thought
        lineage sparql ancestors -p model=chatgpt --format csv
        echo 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' | lineage sparql -
        lineage sparql rlhf-added --endpoint http://127.0.0.1:7878/query
    """
    from ..outputs.sparql import format_results, run_query

    if list_only:
        _list_queries(queries_dir)
        return
    if query is None:
        msg = "missing NAME|FILE|- (see --list for the saved queries)"
        raise click.UsageError(msg)
    bindings = _bindings(params)
    text = _query_text(query, queries_dir)
    base_iri = _base(base)
    result = run_query(
        text,
        _source(endpoint, bindings, graph_dirs, base_iri),
        bindings,
        default_graph=_graph_iri(named_graph) if endpoint else None,
        timeout=timeout,
        literal=True,
        allow_service=allow_service,
    )
    if fmt != "table" or result.kind == "graph":
        sys.stdout.write(format_results(result, fmt))
    elif result.kind == "ask":
        click.echo("true" if result.boolean else "false")
    else:
        _echo_table(result, base_iri)


def _source(
    endpoint: str | None,
    bindings: dict[str, str],
    graph_dirs: tuple[str, ...],
    base_iri: str,
) -> Any:
    """The endpoint's URL, or the local graph as RDF; names in ``bindings``
    resolved to ids on the way (in place)."""
    index = None
    if endpoint is None or graph_dirs:  # a remote endpoint's facts may not be ours
        index = _resolve_params(bindings, graph_dirs, base_iri, endpoint is None)
    if endpoint is not None:
        return endpoint
    from ..outputs.rdf import to_rdf

    return to_rdf(index or load(graph_dirs), base_iri)


def _list_queries(queries_dir: str | None) -> None:
    """``--list``: each saved query's name and what it answers."""
    from ..outputs.sparql import describe, saved_queries

    rows = [
        [click.style(name, bold=True), describe(path.read_text("utf-8"))]
        for name, path in saved_queries(queries_dir).items()
    ]
    for line in table(rows, indent=""):
        click.echo(line)


def _bindings(params: tuple[str, ...]) -> dict[str, str]:
    """``--param NAME=VALUE`` options, each variable bound once."""
    bindings: dict[str, str] = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            msg = f"'{item}' is not NAME=VALUE"
            raise click.BadParameter(msg, param_hint="--param")
        if name in bindings:
            msg = f"?{name} is bound twice; give each variable one value"
            raise click.BadParameter(msg, param_hint="--param")
        bindings[name] = value
    return bindings


def _query_text(query: str, queries_dir: str | None) -> str:
    """The text of a saved query, a query file, or standard input (``-``)."""
    from ..outputs.sparql import load_query

    if query != "-":
        return load_query(query, queries_dir)[1]
    if sys.stdin is None:
        msg = "standard input is closed: give the query as NAME or FILE"
        raise Failure(msg)
    text = sys.stdin.read()
    if not text.strip():
        msg = "no query on standard input"
        raise Failure(msg)
    return text


def _echo_table(result: QueryResult, base_iri: str) -> None:
    """SELECT results as a table, IRIs shortened with the export's prefixes."""
    from ..outputs.rdf import LIN_URI, PREFIXES
    from ..outputs.sparql import display

    prefixes = [("lin", LIN_URI), ("id", base_iri)] + [
        (p, u) for p, u in PREFIXES.items() if p != "lin"
    ]
    rows = [[click.style(v, bold=True) for v in result.variables]]
    rows += [[display(t, prefixes) for t in row] for row in result.rows]
    for line in table(rows, indent=""):
        click.echo(line)
    if not result.rows:
        click.echo("(no rows)")


@click.command()
@click.option(
    "--endpoint",
    metavar="URL",
    required=True,
    help="The server's SPARQL 1.1 Graph Store URL (Oxigraph: http://HOST:7878/store).",
)
@click.option(
    "--named-graph",
    "named_graph",
    metavar="IRI",
    default=None,
    help="The named graph to replace (default: https://w3id.org/lineage/id/graph; "
    "'default' for the server's default graph).",
)
@graph_option
@base_option
@timeout_option
@handle_errors
def push(
    endpoint: str,
    named_graph: str | None,
    graph_dirs: tuple[str, ...],
    base: str | None,
    timeout: float,
) -> None:
    """Load the RDF export into a server, replacing one named graph.

    Uses the SPARQL 1.1 Graph Store Protocol (HTTP PUT), which Oxigraph,
    Apache Jena Fuseki and GraphDB speak; see docs/rdf.md. A failure (server down,
    refused, timeout, HTTP error) is an error with exit 1 that says what was and
    was not loaded.

    \b
    Example:
        oxigraph serve --location /tmp/store --bind 127.0.0.1:7878 &
        lineage push --endpoint http://127.0.0.1:7878/store
        lineage push --endpoint http://127.0.0.1:7878/store --graph my-facts \\
            --named-graph https://example.org/my-lineage
        lineage sparql origin --endpoint http://127.0.0.1:7878/query
    """
    from ..outputs.endpoint import check_url
    from ..outputs.rdf import to_rdf
    from ..outputs.sparql import push_graph

    check_url(endpoint, "a Graph Store endpoint")  # before the work of exporting
    target = _graph_iri(named_graph)
    graph = to_rdf(load(graph_dirs), _base(base))
    result = push_graph(graph, endpoint, target, timeout)
    where = f"<{result.graph}>" if result.graph else "the default graph"
    click.echo(
        f"loaded {result.triples} triples into {where} at {endpoint} "
        f"(replaced; HTTP {result.status})"
    )
