"""``lineage search``: full-text search over names, descriptions, notes and evidence.

The body of the command, without click (the option parsing is in
:mod:`.commands`; :mod:`.quick` calls it for plain words).
"""

from __future__ import annotations

from typing import Any

from ..errors import LineageError
from .console import echo, emit_json, load, style


def _connection(index: Any, graph_dirs: tuple[str, ...]) -> Any:
    """The search table: the store's when it has one, else a cached file of its own."""
    import hashlib
    import os

    from ..facts.files import Unreadable, fact_files, read_fact_bytes
    from ..shipped import default_graph
    from ..store.search import open_search

    store = getattr(index, "search_connection", None)
    if callable(store):
        return store()
    digest = hashlib.sha256()
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for name in ("store/search.py", "facts/fold.py", "facts/model.py"):
        with open(os.path.join(here, name), "rb") as handle:
            digest.update(handle.read())
    for path in fact_files(graph_dirs or default_graph()):
        try:  # the one safe reader of fact files (regular files, bounded)
            data = read_fact_bytes(path)
        except Unreadable as exc:  # changed since it was loaded: the key must differ
            data = b"\0unreadable:" + exc.code.encode()
        digest.update(os.fsencode(path.resolve()) + b"\0" + data + b"\0")
    return open_search(index.facts, digest.hexdigest())


def _label(index: Any, kind: str, rid: str) -> str:
    section = {"capability": "capabilities", "family": "families"}.get(kind, kind + "s")
    table = getattr(index.facts, section, None)
    record = table.get(rid) if isinstance(table, dict) else None
    for attr in ("name", "title", "topic"):
        text = getattr(record, attr, None)
        if isinstance(text, str) and text != rid:
            return text
    return ""


def _styled(snippet: str) -> str:
    from ..store.search import MARK_END, MARK_START

    out = []
    for i, part in enumerate(snippet.split(MARK_START)):
        if i == 0:
            out.append(part)
            continue
        word, _, rest = part.partition(MARK_END)
        out.append(style(word, bold=True, underline=True) + rest)
    return "".join(out)


def _plain(snippet: str) -> tuple[str, list[str]]:
    from ..store.search import MARK_END, MARK_START

    matches = []
    for part in snippet.split(MARK_START)[1:]:
        matches.append(part.partition(MARK_END)[0])
    return snippet.replace(MARK_START, "").replace(MARK_END, ""), matches


def search(
    text: tuple[str, ...],
    kinds: tuple[str, ...],
    limit: int,
    graph_dirs: tuple[str, ...],
    as_json: bool,
) -> None:
    """Search names, aliases, descriptions, claim notes and evidence quotes."""
    from ..store.search import kind_of
    from ..store.search import search as run_search

    words = " ".join(text)
    index = load(graph_dirs)
    known = sorted(kind_of(section) for section in index.facts.counts())
    for kind in kinds:
        if kind not in known:
            from click import BadParameter  # only click passes kinds

            from ..errors import did_you_mean

            msg = f"unknown kind '{kind}'{did_you_mean(kind, known)}; kinds: {', '.join(known)}"
            raise BadParameter(msg, param_hint="--kind")
    conn = _connection(index, graph_dirs)
    hits = run_search(conn, words, kinds or None, limit)
    if as_json:
        rows = []
        for hit in hits:
            snippet, matches = _plain(hit.snippet)
            rows.append(
                {
                    "kind": hit.kind,
                    "id": hit.id,
                    "name": _label(index, hit.kind, hit.id) or None,
                    "field": hit.field,
                    "snippet": snippet,
                    "matches": matches,
                    "score": hit.score,
                    "all_words": not hit.partial,
                }
            )
        emit_json({"query": words, "hits": rows})
        if not hits:
            raise SystemExit(1)
        return
    if not hits:
        msg = f"nothing matches '{words}'"
        raise LineageError(msg)
    if hits[0].partial:
        echo(style("no record holds every word; some words:", dim=True), err=True)
    for hit in hits:
        label = _label(index, hit.kind, hit.id)
        echo(
            style(hit.kind, fg="cyan")
            + "  "
            + style(hit.id, bold=True)
            + (f"  {label}" if label else "")
            + style(f"  ({hit.field})", dim=True)
        )
        echo("    " + _styled(hit.snippet))
