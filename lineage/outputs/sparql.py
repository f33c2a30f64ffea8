"""Saved SPARQL queries, run on the compiled graph or on a SPARQL 1.1 endpoint.

:func:`run_query` takes a saved query's name (``queries/<name>.rq``), a file or
the text of a query; it refuses updates, binds ``--param`` values as RDF terms in a
``VALUES`` block (never by pasting text into the query) and runs it either locally
(pyoxigraph when installed, else rdflib; see ``docs/performance.md``) or against a
remote endpoint over HTTP (standard library only). :func:`push_graph` loads an
export into a server through the SPARQL 1.1 Graph Store Protocol.
"""

from __future__ import annotations

import json
import os
import re
import stat
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import LineageError, did_you_mean, shown
from .endpoint import EndpointError, check_url, redact, send

if TYPE_CHECKING:
    from rdflib import Graph

    from ..facts.model import Facts
    from ..store.index import Index

__all__ = [
    "EndpointError",
    "PushResult",
    "QueryError",
    "QueryResult",
    "bind_params",
    "format_results",
    "load_query",
    "push_graph",
    "query_kind",
    "queries_dir",
    "run_query",
    "saved_queries",
]

#: Default deadline in seconds for a query (local or remote) and for ``push``.
DEFAULT_TIMEOUT = 30.0
#: Largest query file read (bytes).
MAX_QUERY_FILE = 1024 * 1024
_XSD = "http://www.w3.org/2001/XMLSchema#"
_UPDATE_WORDS = frozenset(
    {
        "INSERT",
        "DELETE",
        "LOAD",
        "CLEAR",
        "CREATE",
        "DROP",
        "COPY",
        "MOVE",
        "ADD",
        "WITH",
    }
)
_QUERY_WORDS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_TOKENS = re.compile(
    r'''(?P<comment>\#[^\n]*)
      | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""
                  | \'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
                  | "(?:[^"\\\n]|\\.)*"
                  | '(?:[^'\\\n]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][A-Za-z0-9_]+)
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<brace>[{}])
      | (?P<other>.)''',
    re.VERBOSE | re.DOTALL,
)


class QueryError(LineageError):
    """A query that cannot run: unknown name, syntax error, an update, bad params."""


@dataclass(slots=True)
class QueryResult:
    """The answer to a query: rows of RDF terms, a boolean, or a graph.

    ``kind`` is ``"select"``, ``"ask"`` or ``"graph"`` (CONSTRUCT and DESCRIBE).
    Cells are rdflib terms or ``None`` (unbound). Numeric literals carry one
    lexical form whichever engine answered, so local and remote results compare
    equal.
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None


@dataclass(frozen=True, slots=True)
class PushResult:
    """What ``push`` loaded: how many triples, into which graph, where."""

    triples: int
    graph: str
    url: str
    status: int


# --- finding and checking queries ---------------------------------------------------


def queries_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The saved-query directory: ``explicit``, ``./queries``, or the shipped one
    (the source checkout's ``queries/``, else the copy inside the package)."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_dir():
            msg = f"query directory '{path}' does not exist"
            raise QueryError(msg)
        return path
    if Path("queries").is_dir():
        return Path("queries")
    from ..shipped import shipped_dir

    return Path(shipped_dir("queries") or "queries")


def saved_queries(directory: str | os.PathLike[str] | None = None) -> dict[str, Path]:
    """Saved queries by name (``ancestors`` for ``queries/ancestors.rq``), sorted."""
    root = queries_dir(directory)
    if not root.is_dir():
        return {}
    return {p.stem: p for p in sorted(root.glob("*.rq"))}


def describe(text: str) -> str:
    """The leading ``# `` comment of a query (what it answers), joined into one line.

    Examples
    --------
    >>> describe("# All models.\\n# By id.\\nSELECT * {}")
    'All models. By id.'
    """
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(x for x in lines if x)


def load_query(
    spec: str, directory: str | os.PathLike[str] | None = None
) -> tuple[str, str]:
    """Find a query: a saved name, a ``.rq`` file, or query text; return (label, text).

    Raises
    ------
    QueryError
        If ``spec`` is none of these (with the closest saved name as a hint).
    """
    if "\n" in spec or "{" in spec:
        return "<query>", spec
    if "\0" in spec:
        msg = "a query name or path cannot contain a NUL character"
        raise QueryError(msg)
    path = Path(spec)
    try:
        is_file = path.exists() and not path.is_dir()
    except OSError:  # a name too long for a path, say
        is_file = False
    if is_file:
        return str(path), read_query_file(path)
    saved = saved_queries(directory)
    if spec in saved:
        return spec, read_query_file(saved[spec])
    if re.search(r"\s", spec.strip()):
        return "<query>", spec
    if path.suffix == ".rq" or "/" in spec or os.sep in spec:
        msg = f"query file '{shown(spec, 100)}' does not exist"
        raise QueryError(msg)
    names = ", ".join(saved) or "(none)"
    msg = (
        f"unknown query '{shown(spec, 100)}'{did_you_mean(spec, saved)}; "
        f"saved queries: {names}"
    )
    raise QueryError(msg)


def read_query_file(path: Path) -> str:
    """The text of a query file: a regular file of UTF-8 text up to 1 MiB.

    The message of a failure never quotes the file's content.
    """
    where = shown(str(path), 100)
    try:
        with path.open("rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                msg = f"query file '{where}' is not a regular file"
                raise QueryError(msg)
            data = handle.read(MAX_QUERY_FILE + 1)
    except OSError as exc:
        msg = f"cannot read query file '{where}': {exc.strerror or exc}"
        raise QueryError(msg) from None
    if len(data) > MAX_QUERY_FILE:
        msg = f"query file '{where}' is larger than 1 MiB; is it a query?"
        raise QueryError(msg)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"query file '{where}' is not UTF-8 text (byte {exc.start})"
        raise QueryError(msg) from None
    if "\0" in text:
        msg = f"query file '{where}' is binary (it holds NUL bytes), not a query"
        raise QueryError(msg)
    return text


def _tokens(text: str) -> list[tuple[str, str, int]]:
    return [
        (m.lastgroup or "other", m.group(), m.start()) for m in _TOKENS.finditer(text)
    ]


def query_kind(text: str) -> str:
    """``select``, ``ask``, ``construct`` or ``describe``; refuses updates.

    Examples
    --------
    >>> query_kind("PREFIX x: <http://x#> SELECT * { ?s ?p ?o }")
    'select'
    >>> query_kind("DELETE WHERE { ?s ?p ?o }")
    Traceback (most recent call last):
    ...
    lineage.outputs.sparql.QueryError: this is a SPARQL update (DELETE); lineage sparql only runs read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)
    """
    for kind, value, _ in _tokens(text):
        if kind != "word":
            continue
        word = value.upper()
        if word in _UPDATE_WORDS:
            msg = (
                f"this is a SPARQL update ({word}); lineage sparql only runs "
                "read-only queries (SELECT, ASK, CONSTRUCT, DESCRIBE)"
            )
            raise QueryError(msg)
        if word in _QUERY_WORDS:
            return word.lower()
    msg = "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE"
    raise QueryError(msg)


def check_query(text: str, *, allow_service: bool = False) -> str:
    """Parse ``text`` as a read-only query; return its kind or raise QueryError.

    Also refused: ``FROM`` and ``FROM NAMED`` (lineage chooses the dataset: the
    export locally, ``--named-graph`` on an endpoint, so that both answer alike),
    and ``SERVICE`` unless ``allow_service`` (then only to an ``http(s)`` IRI).

    Examples
    --------
    >>> check_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    lineage.outputs.sparql.QueryError: the query calls SERVICE <http://x/>: lineage does not contact other servers from a query unless you pass --allow-service (see docs/reliability.md)
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    kind = query_kind(text)
    try:
        parsed = parseQuery(text)
    except RecursionError:
        msg = "the query is nested too deeply to parse"
        raise QueryError(msg) from None
    except ParseException as exc:
        try:
            parseUpdate(text)
        except ParseException:
            pass
        else:
            msg = "this is a SPARQL update; lineage sparql only runs read-only queries"
            raise QueryError(msg) from None
        msg = f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}"
        raise QueryError(msg) from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises plain errors on bad IRIs
        msg = f"SPARQL syntax error: {shown(str(exc))}"
        raise QueryError(msg) from None
    _check_structure(parsed, allow_service)
    return kind


def _parts(node: Any) -> Iterator[Any]:
    """Every parse-tree node under ``node`` (rdflib's CompValue and lists)."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or type(item).__name__ == "ParseResults":
            stack.extend(item)


def _check_structure(parsed: Any, allow_service: bool) -> None:
    from rdflib import URIRef

    for node in _parts(parsed):
        if node.name == "DatasetClause":
            which = "FROM NAMED" if node.get("named") is not None else "FROM"
            msg = (
                f"the query has a {which} clause: lineage chooses the dataset "
                "itself (the export when run locally, --named-graph with "
                "--endpoint), so remove it"
            )
            raise QueryError(msg)
        if node.name != "ServiceGraphPattern":
            continue
        term = node.get("term")
        shown_term = (
            f"<{shown(str(term), 100)}>" if isinstance(term, URIRef) else f"?{term}"
        )
        if not allow_service:
            msg = (
                f"the query calls SERVICE {shown_term}: lineage does not contact "
                "other servers from a query unless you pass --allow-service (see "
                "docs/reliability.md)"
            )
            raise QueryError(msg)
        if not isinstance(term, URIRef) or not str(term).lower().startswith(
            ("http://", "https://")
        ):
            msg = (
                f"SERVICE {shown_term}: even with --allow-service, SERVICE must "
                "name an http(s) IRI written in the query"
            )
            raise QueryError(msg)


# --- parameters ---------------------------------------------------------------------


def param_term(value: str) -> Any:
    """The RDF term of a ``--param`` value: ``<iri>`` is an IRI, anything else a string.

    Examples
    --------
    >>> param_term("chain-of-thought")
    rdflib.term.Literal('chain-of-thought')
    >>> param_term("<https://w3id.org/lineage/id/model/davinci>")
    rdflib.term.URIRef('https://w3id.org/lineage/id/model/davinci')
    """
    from rdflib import Literal, URIRef

    if value.startswith("<") and value.endswith(">") and len(value) > 2:
        iri = value[1:-1]
        if _IRI_BAD.search(iri) or ":" not in iri:
            msg = f"'{value}' is not an absolute IRI"
            raise QueryError(msg)
        return URIRef(iri)
    return Literal(value)


def sparql_term(term: Any) -> str:
    r"""A term in SPARQL syntax, every special character escaped.

    Examples
    --------
    >>> from rdflib import Literal
    >>> print(sparql_term(Literal('a"} DROP ALL; {\n')))
    "a\"} DROP ALL; {\n"
    """
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        if _IRI_BAD.search(str(term)):
            msg = f"'{term}' is not a valid IRI"
            raise QueryError(msg)
        return f"<{term}>"
    if isinstance(term, Literal):
        from ..outputs.rdf import nt_literal

        if term.language:
            return nt_literal(str(term), "@" + term.language)
        if term.datatype and str(term.datatype) != _XSD + "string":
            return nt_literal(str(term), "^^" + sparql_term(URIRef(term.datatype)))
        return nt_literal(str(term))
    msg = f"cannot bind {term!r}: only IRIs and literals"
    raise QueryError(msg)


def bind_params(text: str, params: Mapping[str, Any]) -> str:
    """Bind variables by adding a ``VALUES`` block at the top of the WHERE clause.

    Values are RDF terms (strings become ``xsd:string`` literals, see
    :func:`param_term`) written with :func:`sparql_term`, so no value can change
    the query's structure. Unknown variables are an error.

    Examples
    --------
    >>> print(bind_params("SELECT ?m WHERE { ?m ?p ?x }", {"x": "a"}))
    SELECT ?m WHERE { VALUES ?x { "a" }
     ?m ?p ?x }
    """
    if not params:
        return text
    tokens = _tokens(text)
    _check_param_names(tokens, params)
    return _insert_values(text, tokens, _values_block(params))


def _check_param_names(
    tokens: list[tuple[str, str, int]], params: Mapping[str, Any]
) -> None:
    """Each parameter names a variable that the outer query can bind."""
    variables = {v[1:] for kind, v, _ in tokens if kind == "var"}
    outer = _outer_variables(tokens)
    for name in params:
        if not _VAR_NAME.match(name):
            msg = f"'{shown(name, 60)}' is not a SPARQL variable name"
            raise QueryError(msg)
        if name not in variables:
            known = ", ".join(f"?{v}" for v in sorted(variables)) or "none"
            msg = f"the query has no variable ?{name}{did_you_mean(name, variables)}; its variables: {known}"
            raise QueryError(msg)
        if name not in outer:
            msg = (
                f"?{name} is used only inside a subquery, which a binding at the "
                f"top of the query cannot reach: project it (SELECT ?{name} ...) "
                "from the subquery or bind a variable of the outer query"
            )
            raise QueryError(msg)


def _values_block(params: Mapping[str, Any]) -> str:
    """``VALUES ?x { "a" }``, or ``VALUES (?x ?y) { ("a" "b") }``."""
    terms = [
        sparql_term(v if not isinstance(v, str) else param_term(v))
        for v in params.values()
    ]
    names = list(params)
    if len(names) == 1:
        return f"VALUES ?{names[0]} {{ {terms[0]} }}"
    return (
        "VALUES ("
        + " ".join(f"?{n}" for n in names)
        + ") { ("
        + " ".join(terms)
        + ") }"
    )


def _insert_values(text: str, tokens: list[tuple[str, str, int]], block: str) -> str:
    """``block`` at the top of the WHERE pattern (after DESCRIBE without one)."""
    kind = None
    seen_where = False
    for tok, value, start in tokens:
        if tok == "word" and kind is None and value.upper() in _QUERY_WORDS:
            kind = value.upper()
        elif tok == "word" and value.upper() == "WHERE":
            seen_where = True
        elif tok == "brace" and value == "{" and kind is not None:
            if kind == "CONSTRUCT" and not seen_where:
                continue  # the template, not the pattern
            if kind == "CONSTRUCT" and _short_construct(tokens, start):
                break
            return text[: start + 1] + f" {block}\n" + text[start + 1 :]
    if kind == "DESCRIBE":
        return text.rstrip() + f"\n{block}\n"
    msg = "cannot bind parameters: the query has no WHERE pattern to bind them in"
    raise QueryError(msg)


def _outer_variables(tokens: list[tuple[str, str, int]]) -> set[str]:
    """Variables in the outer query's scope: outside sub-SELECTs, or projected.

    A sub-SELECT's variables reach the outer query only through its projection
    (all of them for ``SELECT *``).

    Examples
    --------
    >>> sorted(_outer_variables(_tokens(
    ...     "SELECT ?a { ?a ?b ?c { SELECT ?d { ?d ?e ?f } } }")))
    ['a', 'b', 'c', 'd']
    """
    stack: list[str] = []  # per open brace: "group", "sub" or "sub*"
    projecting = False  # between a sub-SELECT and its WHERE brace
    previous = ""
    outer: set[str] = set()
    for kind, value, _ in tokens:
        if kind == "comment" or value.isspace():
            continue
        if kind == "brace" and value == "{":
            stack.append("group")
            projecting = False
        elif kind == "brace":
            if stack:
                stack.pop()
        elif kind == "word" and value.upper() == "SELECT" and previous == "{":
            stack[-1] = "sub"
            projecting = True
        elif kind == "other" and value == "*" and projecting:
            stack[-1] = "sub*"
        elif kind == "var":
            subs = [s for s in stack if s != "group"]
            reachable = all(s == "sub*" for s in subs[:-1]) and (
                not subs or projecting or subs[-1] == "sub*"
            )
            if reachable:
                outer.add(value[1:])
        previous = value
    return outer


def _short_construct(tokens: list[tuple[str, str, int]], start: int) -> bool:
    """``CONSTRUCT WHERE { ... }``: the pattern is also the template."""
    words = [v.upper() for k, v, s in tokens if k == "word" and s < start]
    return len(words) >= 2 and words[-2:] == ["CONSTRUCT", "WHERE"]


# --- running ------------------------------------------------------------------------


def run_query(
    query: str,
    source: Graph | Index | Facts | str,
    params: Mapping[str, Any] | None = None,
    *,
    queries: str | os.PathLike[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    default_graph: str | None = None,
    engine: str | None = None,
    literal: bool = False,
    allow_service: bool = False,
) -> QueryResult:
    """Run a saved query, a query file or query text, locally or on an endpoint.

    Parameters
    ----------
    query
        A saved query's name, a path to a ``.rq`` file, or the query text.
    source
        An rdflib graph, the facts (exported with :func:`lineage.outputs.rdf.to_rdf`), or
        the URL of a SPARQL 1.1 query endpoint.
    params
        Variable name -> value; strings are bound as string literals, ``<iri>``
        as IRIs (see :func:`bind_params`).
    queries
        The saved-query directory (default: :func:`queries_dir`).
    timeout
        The deadline in seconds for the whole query: the HTTP exchange with an
        endpoint, or the local evaluation.
    default_graph
        For an endpoint: the graph to query as the default graph
        (``default-graph-uri``); ``None`` queries the server's default graph.
    engine
        ``"oxigraph"`` or ``"rdflib"`` for local runs (default: oxigraph when
        pyoxigraph is installed).
    literal
        ``query`` is the text of a query, never a name or a path (its content
        is not looked up again).
    allow_service
        Let a local query call ``SERVICE <http(s)://...>`` (contacting that
        server). Off by default: see :func:`check_query`.

    Raises
    ------
    QueryError
        Unknown query, syntax error, an update, or bad parameters.
    EndpointError
        The endpoint failed.

    Examples
    --------
    >>> from rdflib import Graph, URIRef
    >>> g = Graph()
    >>> _ = g.add((URIRef("http://x/a"), URIRef("http://x/p"), URIRef("http://x/b")))
    >>> run_query("SELECT ?o WHERE { ?s ?p ?o }", g).rows
    [(rdflib.term.URIRef('http://x/b'),)]
    """
    text = query if literal else load_query(query, queries)[1]
    text, kind = _checked(text, params, allow_service)
    if isinstance(source, str):
        return _remote(text, kind, source, timeout, default_graph)
    return _local(text, kind, _as_graph(source), engine, timeout)


def _local(
    text: str, kind: str, graph: Graph, engine: str | None, timeout: float
) -> QueryResult:
    """Evaluate on ``graph`` with oxigraph (when installed) or rdflib, in time."""
    if engine is None:
        engine = "oxigraph" if _has_pyoxigraph() else "rdflib"
    run = _oxigraph if engine == "oxigraph" else _rdflib
    return _within(timeout, lambda: run(text, kind, graph))


def _checked(
    text: str, params: Mapping[str, Any] | None, allow_service: bool
) -> tuple[str, str]:
    """The query with its parameters bound, and its kind; refused if not read-only."""
    kind = check_query(text, allow_service=allow_service)
    if params:
        text = bind_params(text, params)
        if check_query(text, allow_service=allow_service) != kind:  # belt and braces
            msg = "binding the parameters changed the query"
            raise QueryError(msg)
    return text, kind


class _Deadline(BaseException):
    """Raised inside an abandoned evaluation (BaseException: no library catches it)."""


def _within(timeout: float, work: Callable[[], QueryResult]) -> QueryResult:
    """Run ``work`` in a thread; give up after ``timeout`` seconds.

    The evaluation is stopped with an asynchronous exception: at once for
    rdflib (Python code), at the next solution for pyoxigraph (which releases
    the interpreter while it computes). A single long step of pyoxigraph, such
    as one aggregate over a huge product, finishes in the background; the
    command line exits at once anyway.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = work()
        except _Deadline:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    thread = threading.Thread(target=run, name="lineage-query", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        _interrupt(thread)
        msg = (
            f"the query did not finish within {timeout:g} s (raise --timeout to "
            "wait longer, or narrow the query)"
        )
        raise QueryError(msg)
    if "error" in box:
        raise box["error"]
    result: QueryResult = box["result"]
    return result


def _interrupt(thread: threading.Thread) -> None:
    import ctypes

    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(_Deadline)
        )


def _as_graph(source: Any) -> Graph:
    from rdflib import Graph

    if isinstance(source, Graph):
        return source
    from ..outputs.rdf import to_rdf

    return to_rdf(source)


def _has_pyoxigraph() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyoxigraph") is not None


def _normal(term: Any) -> Any:
    """One lexical form per numeric value, whichever engine produced it."""
    from rdflib import Literal

    if not isinstance(term, Literal) or term.datatype is None:
        return term
    dt = str(term.datatype)
    if not dt.startswith(_XSD):
        return term
    local = dt[len(_XSD) :]
    text = str(term)
    if local == "string":  # RDF 1.1: a simple literal is an xsd:string
        return Literal(text)
    try:
        if local in ("double", "float"):
            return Literal(repr(float(text)), datatype=term.datatype)
        if local == "decimal":
            d = Decimal(text).normalize()
            lexical = format(d, "f")
            return Literal(
                lexical if "." in lexical else lexical + ".0", datatype=term.datatype
            )
        if local in ("integer", "int", "long", "nonNegativeInteger"):
            return Literal(str(int(text)), datatype=term.datatype)
        if local == "boolean":
            return Literal(
                "true" if text in ("true", "1") else "false", datatype=term.datatype
            )
    except (ValueError, InvalidOperation):
        return term
    return term


def _rdflib(text: str, kind: str, graph: Graph) -> QueryResult:
    try:
        return _rdflib_result(graph.query(text), kind)
    except (QueryError, _Deadline):
        raise
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds on evaluation
        msg = f"the query failed: {shown(str(exc))}"
        raise QueryError(msg) from None


def _rdflib_result(result: Any, kind: str) -> QueryResult:
    if kind == "ask":
        return QueryResult("ask", boolean=bool(result.askAnswer))
    if kind in ("construct", "describe"):
        assert result.graph is not None
        return QueryResult("graph", graph=_sorted_graph(result.graph))
    variables = [str(v) for v in result.vars or ()]
    rows = [tuple(_normal(row[v]) for v in variables) for row in result]
    return QueryResult("select", variables, rows)


def _store_from(graph: Graph) -> Any:
    import pyoxigraph as ox

    from ..outputs.rdf import _ntriples

    store = ox.Store()
    store.bulk_load(_ntriples(graph).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _from_ox(term: Any) -> Any:
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return _normal(Literal(term.value, lang=term.language))
        return _normal(Literal(term.value, datatype=URIRef(term.datatype.value)))
    msg = f"unsupported term in a result: {term!r}"
    raise QueryError(msg)


def _oxigraph(text: str, kind: str, graph: Graph) -> QueryResult:
    store = _store_from(graph)
    try:
        return _oxigraph_result(store.query(text), kind)
    except (QueryError, _Deadline):
        raise
    except Exception as exc:  # noqa: BLE001 - SyntaxError, OSError, RuntimeError...
        msg = f"the query failed: {shown(str(exc))}"
        raise QueryError(msg) from None


def _oxigraph_result(result: Any, kind: str) -> QueryResult:
    if kind == "ask":
        return QueryResult("ask", boolean=bool(result))
    if kind in ("construct", "describe"):
        from rdflib import Graph

        out = Graph()
        for triple in result:
            out.add(
                (
                    _from_ox(triple.subject),
                    _from_ox(triple.predicate),
                    _from_ox(triple.object),
                )
            )
        return QueryResult("graph", graph=_sorted_graph(out))
    variables = [v.value for v in result.variables]
    rows = [tuple(_from_ox(sol[v]) for v in variables) for sol in result]
    return QueryResult("select", variables, rows)


def _sorted_graph(graph: Graph) -> Graph:
    from ..outputs.rdf import to_graph_sorted

    return to_graph_sorted(graph)


# --- endpoints (HTTP in lineage.outputs.endpoint) ---------------------------------


def _remote(
    text: str, kind: str, endpoint: str, timeout: float, default_graph: str | None
) -> QueryResult:
    fields = [("query", text)]
    if default_graph:
        fields.append(("default-graph-uri", default_graph))
    accept = (
        "application/sparql-results+json"
        if kind in ("select", "ask")
        else "application/n-triples, text/turtle;q=0.9"
    )
    reply = send(
        "POST",
        endpoint,
        urllib.parse.urlencode(fields).encode("utf-8"),
        {
            "Accept": accept,
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": "lineage-sparql",
        },
        timeout,
        "query to",
    )
    where = reply.url
    if kind in ("construct", "describe"):
        graph = _parse_graph_reply(reply.body, reply.content_type, where)
        return QueryResult("graph", graph=graph)
    return _parse_json_reply(reply.body, reply.content_type, where, kind)


def _not_sparql(endpoint: str, ctype: str, body: bytes, why: str = "") -> EndpointError:
    snippet = shown(body[:120].decode("utf-8", "replace"), 120)
    msg = (
        f"{redact(endpoint)} did not answer with SPARQL results "
        f"(got {shown(ctype, 60) or 'no content type'}{why}: {snippet!r})"
    )
    return EndpointError(msg)


def _parse_json_reply(body: bytes, ctype: str, endpoint: str, kind: str) -> QueryResult:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _not_sparql(endpoint, ctype, body) from None
    if not isinstance(data, dict) or not isinstance(data.get("head"), dict):
        raise _not_sparql(endpoint, ctype, body)
    if kind == "ask":
        if not isinstance(data.get("boolean"), bool):
            raise _not_sparql(endpoint, ctype, body)
        return QueryResult("ask", boolean=data["boolean"])
    try:
        variables = [_text(v) for v in data["head"].get("vars", [])]
        rows = [
            tuple(_cell(binding.get(var)) for var in variables)
            for binding in data["results"]["bindings"]
        ]
    except (KeyError, TypeError, AttributeError, ValueError, RecursionError):
        raise _not_sparql(endpoint, ctype, body) from None
    return QueryResult("select", variables, rows)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        msg = "not a string"
        raise TypeError(msg)
    return value


def _cell(cell: Any) -> Any:
    """One term of a SPARQL JSON binding (``None`` when unbound)."""
    from rdflib import BNode, Literal, URIRef

    if cell is None:
        return None
    kind, value = cell["type"], _text(cell["value"])
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind not in ("literal", "typed-literal"):
        raise KeyError(kind)
    lang = cell.get("xml:lang")
    if lang is not None:
        return _normal(Literal(value, lang=_text(lang)))
    dt = cell.get("datatype")
    return _normal(Literal(value, datatype=URIRef(_text(dt)) if dt else None))


#: Graph replies read, by content type; anything else (JSON-LD, whose contexts
#: name other documents, RDF/XML, whose entities do) is refused.
_GRAPH_FORMATS = {
    "application/n-triples": "nt",
    "text/plain": "nt",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "": "nt",
}


def _parse_graph_reply(body: bytes, ctype: str, endpoint: str) -> Graph:
    from rdflib import Graph

    media = ctype.partition(";")[0].strip().lower()
    fmt = _GRAPH_FORMATS.get(media)
    if fmt is None:
        why = (
            "; lineage reads CONSTRUCT and DESCRIBE answers only as N-Triples or "
            "Turtle, never formats that can name other documents to load"
        )
        if "json" in media:
            why += " (JSON-LD)"
        raise _not_sparql(endpoint, ctype, body, why)
    try:
        return _sorted_graph(Graph().parse(data=body.decode("utf-8"), format=fmt))
    except Exception:  # noqa: BLE001 - any parser error means "not RDF"
        raise _not_sparql(endpoint, ctype, body) from None


def push_graph(
    graph: Graph,
    endpoint: str,
    graph_iri: str | None,
    timeout: float = DEFAULT_TIMEOUT,
) -> PushResult:
    """Replace a graph on a server with ``graph`` (SPARQL 1.1 Graph Store HTTP PUT).

    Parameters
    ----------
    graph
        The triples to load.
    endpoint
        The server's Graph Store Protocol URL (Oxigraph: ``http://host:7878/store``;
        Fuseki: ``http://host:3030/<dataset>/data``; GraphDB:
        ``http://host:7200/repositories/<repo>/rdf-graphs/service``).
    graph_iri
        The named graph to replace; ``None`` replaces the default graph.
    timeout
        The deadline in seconds for the whole upload and the server's answer.

    Raises
    ------
    EndpointError
        The server is down, refused the upload, timed out, answered an HTTP error
        or a web page. The message says what was (not) loaded.
    """
    from ..outputs.rdf import serialize

    check_url(endpoint, "a Graph Store endpoint")
    count = len(graph)
    target = f"<{graph_iri}>" if graph_iri else "the default graph"
    url = _graph_store_url(endpoint, graph_iri)
    headers = {"Content-Type": "application/n-triples", "User-Agent": "lineage-push"}
    unsure = (
        f"; {count} triples were sent but not confirmed: the server may "
        f"still replace {target}, so check it before relying on it"
    )
    try:
        reply = send(
            "PUT",
            url,
            serialize(graph, "nt").encode("utf-8"),
            headers,
            timeout,
            "upload to",
        )
    except EndpointError as exc:
        tail = (
            unsure
            if exc.timed_out
            else f"; nothing was loaded: {target} is unchanged (0 of {count} triples)"
        )
        raise EndpointError(str(exc) + tail, timed_out=exc.timed_out) from None
    if "html" in reply.content_type.lower():
        msg = (
            f"upload to {redact(url)} got an HTML page (HTTP {reply.status}), not a "
            "Graph Store answer: is this the store URL (Oxigraph: "
            f"http://HOST:7878/store)?{unsure}"
        )
        raise EndpointError(msg)
    return PushResult(count, graph_iri or "", url, reply.status)


def _graph_store_url(endpoint: str, graph_iri: str | None) -> str:
    """The Graph Store URL of one graph: ``?graph=<IRI>``, or ``?default``."""
    query = urllib.parse.urlencode({"graph": graph_iri}) if graph_iri else "default"
    return endpoint + ("&" if "?" in endpoint else "?") + query


# --- output -------------------------------------------------------------------------


def _lexical(term: Any) -> str:
    return "" if term is None else str(term)


def _nt(term: Any) -> str:
    from ..outputs.rdf import nt_term

    return "" if term is None else nt_term(term)


def result_json(result: QueryResult) -> dict[str, Any]:
    """The SPARQL 1.1 Query Results JSON form of a SELECT or ASK result."""
    from rdflib import BNode, URIRef

    if result.kind == "ask":
        return {"head": {}, "boolean": bool(result.boolean)}
    bindings = []
    for row in result.rows:
        binding: dict[str, Any] = {}
        for var, term in zip(result.variables, row, strict=True):
            if term is None:
                continue
            if isinstance(term, URIRef):
                binding[var] = {"type": "uri", "value": str(term)}
            elif isinstance(term, BNode):
                binding[var] = {"type": "bnode", "value": str(term)}
            else:
                cell = {"type": "literal", "value": str(term)}
                if term.language:
                    cell["xml:lang"] = term.language
                elif term.datatype and str(term.datatype) != _XSD + "string":
                    cell["datatype"] = str(term.datatype)
                binding[var] = cell
        bindings.append(binding)
    return {"head": {"vars": result.variables}, "results": {"bindings": bindings}}


def format_results(result: QueryResult, fmt: str) -> str:
    """SELECT/ASK results as ``json``, ``csv`` or ``tsv`` (SPARQL 1.1 result formats).

    Graph results (CONSTRUCT, DESCRIBE) come out as Turtle (``json``: JSON-LD).
    """
    import csv
    import io

    if result.kind == "graph":
        from ..outputs.rdf import serialize

        assert result.graph is not None
        if fmt in ("csv", "tsv"):
            msg = "a CONSTRUCT or DESCRIBE query returns a graph: use --format table (Turtle) or json (JSON-LD)"
            raise QueryError(msg)
        return serialize(result.graph, "jsonld" if fmt == "json" else "turtle")
    if fmt == "json":
        return json.dumps(result_json(result), ensure_ascii=False, indent=2) + "\n"
    if result.kind == "ask":
        value = "true" if result.boolean else "false"
        return (
            f"_askResult\r\n{value}\r\n" if fmt == "csv" else f"?_askResult\n{value}\n"
        )
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([_lexical(t) for t in row])
        return buffer.getvalue()
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        lines += ["\t".join(_nt(t) for t in row) for row in result.rows]
        return "\n".join(lines) + "\n"
    msg = f"unknown result format '{fmt}'; expected json, csv or tsv"
    raise QueryError(msg)


def display(term: Any, prefixes: Sequence[tuple[str, str]]) -> str:
    """A term for the table view: literals as text, IRIs shortened by prefix."""
    from rdflib import URIRef

    if term is None:
        return "-"
    if isinstance(term, URIRef):
        text = str(term)
        for prefix, uri in prefixes:
            if text.startswith(uri) and len(text) > len(uri):
                return f"{prefix}:{text[len(uri) :]}"
        return f"<{text}>"
    return str(term)
