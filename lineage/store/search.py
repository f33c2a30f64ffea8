"""Full-text search over the facts with SQLite FTS5: names, aliases, descriptions,
claim notes, evidence quotes, conflict sides, figures.

:func:`build_search` creates and fills the tables in a given connection (the store
runs it inside its build; :func:`open_search` keeps a file of its own in the cache
directory otherwise); :func:`search` queries them. Every record of every section
is indexed by reflection over its text fields, so a new section (concepts,
conflicts) is searched without a change here. Each text becomes one row
``(kind, id, field, text)``; hits are ranked by FTS5's BM25 times a weight per
field (a name counts more than an evidence quote), best row per record.

What is typed is folded as names are (:mod:`lineage.facts.fold`): every word must
occur (its British or American spelling, any inflection: the index stems with
Porter), Chinese is matched character by character in order; when no record holds
every word, records holding any of them are returned, marked ``partial``.
"""

from __future__ import annotations

import dataclasses
import enum
import operator
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from .._records import frozen_record
from ..facts.fold import FILLER, SPELLING, words
from ..facts.model import Facts

__all__ = [
    "FIELD_WEIGHTS",
    "Hit",
    "build_search",
    "fts_query",
    "kind_of",
    "open_search",
    "search",
    "text_rows",
    "update_search",
]

#: BM25 is multiplied by these (fields not listed weigh 1)
FIELD_WEIGHTS = {
    "name": 4.0,
    "title": 4.0,
    "aliases": 3.0,
    "topic": 3.0,
    "description": 2.0,
    "definition": 2.0,
    "says": 1.5,
    "note": 1.2,
}
#: fields that hold ids of other records or addresses, not words
_SKIP = frozenset(
    {
        "id", "model", "capability", "parent", "child", "family", "parent_family",
        "broader", "alternative_to", "about", "records", "subject", "source", "url",
        "root", "version_of", "reference", "external_ids", "loc", "fields",
    }
)  # fmt: skip
_CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
_IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: a place between an ideograph and any other character (not a space)
_CJK_EDGE = re.compile(f"(?<=[{_IDEOGRAPH}])(?=[^\\s])|(?<=[^\\s])(?=[{_IDEOGRAPH}])")
_CJK_GAP = re.compile(
    r"(?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]) "
    r"(?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\x02\x03])"
    r"|(?<=[\x02\x03]) (?=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])"
)
#: marks around matched words in snippets (the command line styles them)
MARK_START, MARK_END = "\x02", "\x03"
_SCHEMA = (
    "CREATE VIRTUAL TABLE search USING fts5("
    "kind UNINDEXED, id UNINDEXED, field UNINDEXED, text, "
    "tokenize = 'porter unicode61 remove_diacritics 2')"
)
_INSERT = "INSERT INTO search (rowid, kind, id, field, text) VALUES (?, ?, ?, ?, ?)"
_KEYS = "CREATE TABLE search_keys (kind TEXT, id TEXT, lo INTEGER, hi INTEGER)"


@frozen_record
class Hit:
    """One record found: its kind and id, the field matched and a snippet of it."""

    kind: str
    id: str
    field: str
    snippet: str
    score: float
    partial: bool = False


def kind_of(section: str) -> str:
    """The kind of the records of a section: ``capabilities`` -> ``capability``."""
    if section.endswith("ies"):
        return section[:-3] + "y"
    return section[:-1] if section.endswith("s") else section


def _spaced(text: str) -> str:
    """Chinese characters as separate tokens (unicode61 would keep a run as one)."""
    return _CJK_EDGE.sub(" ", text)


#: each record class's fields that can hold words, and one getter of their values
_WORDY: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


def _texts(record: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """``(field, text)`` for every text in a record, nested evidence and sides too."""
    out: list[tuple[str, str]] = []
    _collect(record, prefix, out)
    return iter(out)


def _wordy(cls: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """The fields of ``cls`` that can hold words (not ids, enums nor flags) and a
    getter of their values."""
    names = tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.name not in _SKIP and not _wordless(str(f.type))
    )
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return names, lambda record: (one(record),)
    return names, operator.attrgetter(*names)


def _wordless(annotation: str) -> bool:
    """Whether a field so annotated holds a flag or an enum member (or None), whose
    value :func:`_collect` passes over."""
    from ..facts import model

    text = annotation.replace(" | None", "").strip()
    if text == "bool":
        return True
    found = getattr(model, text, None)
    return isinstance(found, type) and issubclass(found, enum.Enum)


def _collect(record: Any, prefix: str, out: list[tuple[str, str]]) -> None:
    """:func:`_texts` into ``out`` (a loop, not nested generators: it runs for
    every record of a build; the commonest values, strings and tuples, first)."""
    plan = _WORDY.get(type(record))
    if plan is None:
        plan = _WORDY[type(record)] = _wordy(type(record))
    names, values = plan
    for attr, value in zip(names, values(record) if names else (), strict=True):
        if value is None:
            continue
        kind = type(value)
        if kind is str:
            out.append((prefix + attr, value))
        elif kind is tuple:
            if value:
                _collect_tuple(value, prefix + attr, out)
        elif isinstance(value, (enum.Enum, bool)):
            continue
        elif isinstance(value, str):
            out.append((prefix + attr, value))
        elif isinstance(value, (int, float)):
            text = f"{value:g}" if isinstance(value, float) else str(value)
            out.append((prefix + attr, text))
        elif isinstance(value, tuple):
            _collect_tuple(value, prefix + attr, out)


def _collect_tuple(
    value: tuple[Any, ...], name: str, out: list[tuple[str, str]]
) -> None:
    """A tuple's strings as one text, then the texts of the records it holds."""
    if len(value) == 1 and type(value[0]) in _WORDY:  # one evidence item ...
        _collect(value[0], "", out)
        return
    plain = [v for v in value if isinstance(v, str)]
    if plain:
        out.append((name, " · ".join(plain)))
        if len(plain) == len(value):  # names, aliases ...
            return
    for item in value:
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            _collect(item, "", out)


def text_rows(facts: Facts) -> Iterator[tuple[str, str, str, str]]:
    """``(kind, id, field, text)`` for every text of every record."""
    for spec in dataclasses.fields(facts):
        table = getattr(facts, spec.name)
        if not isinstance(table, dict):
            continue
        kind = kind_of(spec.name)
        for rid, record in table.items():
            if not dataclasses.is_dataclass(record):
                continue
            for name, text in _texts(record):
                if text.strip():
                    yield kind, rid, name, text


def build_search(conn: sqlite3.Connection, facts: Facts) -> None:
    """Create (or replace) the ``search`` table in ``conn`` and fill it from ``facts``.

    Runs inside the caller's transaction; commits nothing itself. Beside it,
    ``search_keys`` holds the rowids of each record's rows, for
    :func:`update_search`.
    """
    conn.execute("DROP TABLE IF EXISTS search")
    conn.execute("DROP TABLE IF EXISTS search_keys")
    conn.execute(_SCHEMA)
    conn.execute(_KEYS)
    _insert_records(
        conn,
        (
            (kind_of(spec.name), table.items())
            for spec in dataclasses.fields(facts)
            if isinstance(table := getattr(facts, spec.name), dict)
        ),
    )
    conn.execute("CREATE INDEX search_keys_id ON search_keys (kind, id)")


def update_search(
    conn: sqlite3.Connection, records: Iterable[tuple[str, str, Any]]
) -> None:
    """Replace the rows of each ``(section, id, record)`` (record None: removed)."""
    changed = list(records)
    for section, rid, _ in changed:
        kind = kind_of(section)
        for lo, hi in conn.execute(
            "SELECT lo, hi FROM search_keys WHERE kind = ? AND id = ?", (kind, rid)
        ).fetchall():
            conn.execute("DELETE FROM search WHERE rowid BETWEEN ? AND ?", (lo, hi))
        conn.execute("DELETE FROM search_keys WHERE kind = ? AND id = ?", (kind, rid))
    _insert_records(
        conn,
        (
            (kind_of(s), [(rid, record)])
            for s, rid, record in changed
            if record is not None
        ),
    )


def _insert_records(
    conn: sqlite3.Connection,
    groups: Iterable[tuple[str, Iterable[tuple[str, Any]]]],
) -> None:
    """The rows of the records of each ``(kind, [(id, record), ...])``."""
    (top,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM search").fetchone()
    rows: list[tuple[Any, ...]] = []
    keys: list[tuple[Any, ...]] = []
    texts: list[tuple[str, str]] = []
    add = rows.append
    for kind, records in groups:
        for rid, record in records:
            if type(record) not in _WORDY and not dataclasses.is_dataclass(record):
                continue
            lo = top + 1
            _collect(record, "", texts)
            for name, text in texts:
                if text.isascii():
                    if text.strip():
                        top += 1
                        add((top, kind, rid, name, text))
                elif text.strip():
                    top += 1
                    add((top, kind, rid, name, _spaced(text)))
            texts.clear()
            if top >= lo:
                keys.append((kind, rid, lo, top))
            if len(rows) > 5000:
                conn.executemany(_INSERT, rows)
                rows.clear()
    conn.executemany(_INSERT, rows)
    conn.executemany("INSERT INTO search_keys VALUES (?, ?, ?, ?)", keys)


def _variants(word: str) -> set[str]:
    """A word and its other spellings (modelling/modeling, dialogue/dialog)."""
    out = {word}
    for british, american in SPELLING:
        if word.endswith(british) and len(word) >= 5:
            out.add(word[: -len(british)] + american)
        elif word.endswith(american) and len(word) >= 5:
            out.add(word[: -len(american)] + british)
    return out


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_query(text: str, every: bool = True) -> str | None:
    """The FTS5 query for ``text``: each word (any spelling) required, or any.

    Chinese characters in a row form a phrase. Every token is quoted, so nothing
    typed is read as FTS5 syntax.

    Examples
    --------
    >>> fts_query("dialogue history")
    '("dialog" OR "dialogue") AND ("history")'
    >>> fts_query("对齐税")
    '("对 齐 税")'
    """
    groups: list[str] = []
    run: list[str] = []
    typed = words(text)
    typed = [w for w in typed if w not in FILLER] or typed
    for word in [*typed, ""]:
        if _CJK.fullmatch(word):
            run.append(word)
            continue
        if run:
            groups.append("(" + _quote(" ".join(run)) + ")")
            run = []
        if word:
            options = " OR ".join(_quote(v) for v in sorted(_variants(word)))
            groups.append(f"({options})")
    if not groups:
        return None
    return (" AND " if every else " OR ").join(groups)


def search(
    conn: sqlite3.Connection,
    text: str,
    kinds: Iterable[str] | None = None,
    limit: int = 10,
) -> list[Hit]:
    """Records whose text matches ``text``, best first, one hit per record.

    ``kinds`` keeps only those kinds of record (``capability``, ``claim``, ...).
    """
    wanted = set(kinds) if kinds else None
    for every in (True, False):
        query = fts_query(text, every)
        if query is None:
            return []
        rows = conn.execute(
            "SELECT kind, id, field, bm25(search), "
            "snippet(search, 3, ?, ?, '…', 16) FROM search WHERE search MATCH ? "
            "ORDER BY rank LIMIT 2000",
            (MARK_START, MARK_END, query),
        ).fetchall()
        best: dict[tuple[str, str], Hit] = {}
        for kind, rid, name, rank, snippet in rows:
            if wanted is not None and kind not in wanted:
                continue
            weight = FIELD_WEIGHTS.get(name.rsplit(".", 1)[-1], 1.0)
            score = round(-rank * weight, 3)
            seen = best.get((kind, rid))
            # equal scores: the first field by name (not by row order, which
            # depends on the order records were indexed in)
            if seen is None or (score, seen.field) > (seen.score, name):
                best[(kind, rid)] = Hit(
                    kind, rid, name, _CJK_GAP.sub("", snippet), score, not every
                )
        if best:
            ranked = sorted(best.values(), key=lambda h: (-h.score, h.kind, h.id))
            return ranked[:limit]
    return []


def open_search(facts: Facts, key: str) -> sqlite3.Connection:
    """A connection to the search table of ``facts``, kept in the cache directory
    under ``key`` (built on first use, atomically); in memory if that fails."""
    import os
    import tempfile

    from .cache import cache_dir

    path = cache_dir() / f"search-{key}.sqlite"
    if path.exists():
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            conn.execute("SELECT count(*) FROM search").fetchone()
            return conn
        except sqlite3.Error:
            pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".sqlite")
        os.close(fd)
        with sqlite3.connect(tmp) as conn:
            build_search(conn, facts)
        conn.close()
        os.replace(tmp, path)
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except (OSError, sqlite3.Error):
        conn = sqlite3.connect(":memory:")
        build_search(conn, facts)
        return conn
