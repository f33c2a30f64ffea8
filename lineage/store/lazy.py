"""The stored graph with the interface of an :class:`~lineage.store.index.Index`.

:class:`StoredIndex` answers ``index.parents.get(m)``, ``index.facts.models[m]``,
``index.order[m]`` ... with indexed SELECTs on the store, remembering each answer for
the rest of the process, so a question reads only the rows it touches and the query
code does not know whether its index is in memory or on disk. Iterating a table
(``facts.models.values()``) reads it in file order without keeping it, so whole-graph
commands (tree, export, conflicts) stream.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from ..facts.model import Emergence, Facts, Figure
from .db import NAME_KINDS, Store
from .fetched import ABSENT, Fetched
from .index import Index
from .rows import decode

__all__ = ["StoredIndex"]

#: ids per ``IN (...)`` query when many rows are read at once
_CHUNK = 500


class StoredIndex(Index):
    """An :class:`Index` whose tables are read from a :class:`~lineage.store.db.Store`."""

    def __init__(self, store: Store) -> None:  # noqa: D107 - no dataclass init
        self.store = store
        self._db: sqlite3.Connection = store.conn
        rows = self._db.execute("SELECT fid, shown, ord FROM files ORDER BY ord")
        self._files = [(fid, shown) for fid, shown, _ in rows]
        self._shown = dict(self._files)
        self._ord = {fid: n for n, (fid, _) in enumerate(self._files)}
        counts = store.meta("counts") or {}
        self._facts = Facts(
            files=tuple(store.meta("files") or ()),
            skipped=tuple(store.meta("skipped") or ()),
        )
        for section, count in counts.items():
            setattr(self._facts, section, self._table(section, count))
        self._parents = self._lists("edges", "child", "derivations")
        self._children = self._lists("edges", "parent", "derivations")
        self._by_model = self._lists("claim_keys", "model", "claims")
        self._by_capability = self._lists("claim_keys", "capability", "claims")
        self._members = Fetched(
            self._member_ids,
            self._every_members,
            lambda: len(dict(self._every_members())),
        )
        self._order = self._topo_column("ord")
        self._sizes = self._topo_column("size")
        self._words = _StoredNames(self)
        #: child -> (best parent, key of that derivation), for the models whose
        #: chain was read (``_chained``)
        self._best: dict[str, tuple[str, tuple[int, int]]] = {}
        self._chained: set[str] = set()

    # --- the Index fields -----------------------------------------------------------

    facts = property(lambda self: self._facts)
    parents = property(lambda self: self._parents)
    children = property(lambda self: self._children)
    claims_by_model = property(lambda self: self._by_model)
    claims_by_capability = property(lambda self: self._by_capability)
    members = property(lambda self: self._members)
    order = property(lambda self: self._order)
    component_size = property(lambda self: self._sizes)

    words = property(lambda self: self._words)  # a Names, as far as readers can tell

    # --- reading rows ---------------------------------------------------------------

    def _decode(self, section: str, fid: int, body: str) -> Any:
        return decode(section, body, self._shown[fid])

    def _sorted(self, section: str, rows: list[tuple[int, int, str]]) -> list[Any]:
        rows.sort(key=lambda r: (self._ord[r[0]], r[1]))
        return [self._decode(section, fid, body) for fid, _, body in rows]

    def _table(self, section: str, count: int) -> Fetched:
        def fetch(rid: Any) -> Any:
            rows = self._db.execute(
                "SELECT fid, seq, body FROM records WHERE section = ? AND id = ? "
                "AND live",
                (section, rid),
            ).fetchall()
            return self._sorted(section, rows)[0] if rows else ABSENT

        def every() -> Iterator[tuple[str, Any]]:
            for fid, shown in self._files:
                rows = self._db.execute(
                    "SELECT id, body FROM records WHERE section = ? AND fid = ? "
                    "AND live ORDER BY seq",
                    (section, fid),
                )
                for rid, body in rows:
                    yield rid, decode(section, body, shown)

        return Fetched(fetch, every, lambda: count)

    def _lists(self, table: str, column: str, section: str) -> Fetched:
        sql = (
            f"SELECT r.fid, r.seq, r.body FROM {table} k JOIN records r "  # noqa: S608
            f"ON r.fid = k.fid AND r.seq = k.seq WHERE k.{column} = ?"
        )

        def fetch(key: Any) -> Any:
            rows = self._db.execute(sql, (key,)).fetchall()
            return self._sorted(section, rows) if rows else ABSENT

        def every() -> Iterator[tuple[str, list[Any]]]:
            out: dict[str, list[Any]] = {}
            for record in self._facts.__getattribute__(section).values():
                out.setdefault(getattr(record, column), []).append(record)
            return iter(out.items())

        return Fetched(fetch, every, lambda: len(dict(every())))

    def _member_ids(self, family: Any) -> Any:
        rows = self._db.execute(
            "SELECT fid, seq, model FROM members WHERE family = ?", (family,)
        ).fetchall()
        rows.sort(key=lambda r: (self._ord[r[0]], r[1]))
        return [r[2] for r in rows] if rows else ABSENT

    def _every_members(self) -> Iterator[tuple[str, list[str]]]:
        out: dict[str, list[str]] = {}
        for model in self._facts.models.values():
            if model.family:
                out.setdefault(model.family, []).append(model.id)
        return iter(out.items())

    def _topo_column(self, column: str) -> Fetched:
        def fetch(mid: Any) -> Any:
            row = self._db.execute(
                f"SELECT {column} FROM topo WHERE id = ?",  # noqa: S608
                (mid,),
            ).fetchone()
            return ABSENT if row is None else row[0]

        def every() -> Iterator[tuple[str, int]]:
            return iter(
                self._db.execute(f"SELECT id, {column} FROM topo ORDER BY ord")  # noqa: S608
            )

        return Fetched(fetch, every, lambda: len(self._facts.models))

    def search_connection(self) -> sqlite3.Connection:
        """The connection holding the full-text ``search`` table (filled by
        :func:`lineage.store.search.build_search` in each build)."""
        return self._db

    # --- Index methods that read many rows at once ----------------------------------

    def topo(self, models: set[str]) -> list[str]:
        missing = [m for m in models if not dict.__contains__(self._order, m)]
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for mid, n in self._db.execute(
                f"SELECT id, ord FROM topo WHERE id IN ({marks})",  # noqa: S608
                chunk,
            ):
                dict.__setitem__(self._order, mid, n)
        return super().topo(models)

    def ancestors(self, model: str) -> set[str]:
        """As :meth:`Index.ancestors`, with one recursive query for every derivation
        into ``model`` and its ancestors (kept as ``parents``), instead of a query
        per step up a chain."""
        rows = self._db.execute(
            "WITH RECURSIVE up(id) AS (SELECT ? UNION "
            "SELECT e.parent FROM edges e JOIN up ON e.child = up.id) "
            "SELECT up.id, r.fid, r.seq, r.body FROM up "
            "LEFT JOIN edges e ON e.child = up.id "
            "LEFT JOIN records r ON r.fid = e.fid AND r.seq = e.seq",
            (model,),
        ).fetchall()
        found: dict[str, list[tuple[int, int, str]]] = {}
        for mid, fid, seq, body in rows:
            into = found.setdefault(mid, [])
            if fid is not None:
                into.append((fid, seq, body))
        for mid, ders in found.items():
            if dict.__contains__(self._parents, mid):
                continue
            if ders:
                dict.__setitem__(self._parents, mid, self._sorted("derivations", ders))
            else:
                self._parents._absent.add(mid)
        return super().ancestors(model)

    def roots(self, model: str) -> set[str]:
        """The models without a parent that ``model`` descends from (itself if
        none), in one recursive query that decodes nothing."""
        rows = self._db.execute(
            "WITH RECURSIVE up(id) AS (SELECT ? UNION "
            "SELECT e.parent FROM edges e JOIN up ON e.child = up.id) "
            "SELECT id FROM up WHERE NOT EXISTS "
            "(SELECT 1 FROM edges e WHERE e.child = up.id)",
            (model,),
        )
        return {mid for (mid,) in rows}

    def best_chain(self, model: str) -> list[tuple[str, Any]]:
        """The chain of best parents above ``model`` (most confident derivation,
        then the parent first in derivation order, as :meth:`Index.best_parent`
        chooses): ``(model, key)`` from ``model`` up, ``key`` the derivation into
        the model before it (None for ``model``), for :meth:`derivation_at`; stops
        before a model seen already. Read by :meth:`read_chains` unless read
        already."""
        if model not in self._chained:
            self.read_chains([model])
        chain: list[tuple[str, Any]] = [(model, None)]
        seen = {model}
        up = self._best.get(model)
        while up is not None and up[0] not in seen:
            chain.append(up)
            seen.add(up[0])
            up = self._best.get(up[0])
        return chain

    def read_chains(self, models: list[str]) -> None:
        """Find the chains of best parents above ``models`` in one recursive query
        that decodes nothing (chains that join are walked once)."""
        import json

        from ..facts.model import Confidence

        rank = " ".join(f"WHEN '{c.value}' THEN {c.rank}" for c in Confidence)
        best = (  # a model's only derivation, else the best of them
            "(SELECT CASE WHEN count(*) = 1 THEN min(rowid) ELSE "
            "(SELECT b.rowid FROM edges b JOIN records r "
            "ON r.fid = b.fid AND r.seq = b.seq JOIN files f ON f.fid = b.fid "
            "LEFT JOIN topo t ON t.id = b.parent WHERE b.child = chain.id "
            f"ORDER BY CASE json_extract(r.body, '$[4]') {rank} END, t.ord, "
            "f.ord, b.seq LIMIT 1) END FROM edges WHERE child = chain.id)"
        )
        rows = self._db.execute(
            "WITH RECURSIVE chain(id, via) AS (SELECT value, NULL FROM json_each(?) "
            "UNION SELECT e.parent, e.rowid FROM chain JOIN edges e "  # noqa: S608
            f"ON e.rowid = {best}) SELECT chain.id, e.child, e.fid, e.seq "
            "FROM chain LEFT JOIN edges e ON e.rowid = chain.via",
            (json.dumps(models),),
        )
        for parent, child, fid, seq in rows:
            self._chained.add(parent)
            if child is not None:
                self._best[child] = (parent, (fid, seq))

    def derivation_at(self, key: tuple[int, int]) -> Any:
        """The derivation stored at ``(fid, seq)`` (a key of :meth:`best_chain`
        or :meth:`edges_above`)."""
        (body,) = self._db.execute(
            "SELECT body FROM records WHERE fid = ? AND seq = ?", key
        ).fetchone()
        return self._decode("derivations", key[0], body)

    def edges_above(self, model: str) -> list[tuple[str, str, int, int, Any]]:
        """Every derivation into ``model`` and its ancestors, as ``(parent, child,
        confidence rank, place of the child in derivation order, key)`` in file
        order, in one recursive query that decodes nothing (``key`` for
        :meth:`derivation_at`)."""
        from ..facts.model import Confidence

        rank = " ".join(f"WHEN '{c.value}' THEN {c.rank}" for c in Confidence)
        rows = self._db.execute(
            "WITH RECURSIVE up(id) AS (SELECT ? UNION "
            "SELECT e.parent FROM edges e JOIN up ON e.child = up.id) "
            "SELECT e.parent, e.child, CASE json_extract(r.body, '$[4]') "  # noqa: S608
            f"{rank} END, t.ord, e.fid, e.seq, f.ord FROM up "
            "JOIN edges e ON e.child = up.id JOIN records r ON r.fid = e.fid "
            "AND r.seq = e.seq JOIN files f ON f.fid = e.fid "
            "LEFT JOIN topo t ON t.id = e.child",
            (model,),
        ).fetchall()
        rows.sort(key=lambda r: (r[6], r[5]))
        return [
            (p, c, rank, place, (fid, seq)) for p, c, rank, place, fid, seq, _ in rows
        ]

    def first_children(self, model: str, limit: int | None) -> tuple[list[Any], int]:
        """The first ``limit`` derivations out of ``model`` (in file order, as
        ``children[model]``) and how many there are, decoding only those."""
        if limit is None or dict.__contains__(self._children, model):
            every = self._children.get(model, [])
            return list(every if limit is None else every[:limit]), len(every)
        (count,) = self._db.execute(
            "SELECT count(*) FROM edges WHERE parent = ?", (model,)
        ).fetchone()
        rows = self._db.execute(
            "SELECT r.fid, r.seq, r.body FROM edges e JOIN records r "
            "ON r.fid = e.fid AND r.seq = e.seq JOIN files f ON f.fid = e.fid "
            "WHERE e.parent = ? ORDER BY f.ord, e.seq LIMIT ?",
            (model, limit),
        ).fetchall()
        return self._sorted("derivations", rows), int(count)

    def derivation_ids(self, model: str) -> set[str]:
        """The ids of the derivations into and out of ``model``, decoding none."""
        rows = self._db.execute(
            "SELECT r.id FROM edges e JOIN records r ON r.fid = e.fid "
            "AND r.seq = e.seq WHERE e.child = ?1 UNION SELECT r.id FROM edges e "
            "JOIN records r ON r.fid = e.fid AND r.seq = e.seq WHERE e.parent = ?1",
            (model,),
        )
        return {rid for (rid,) in rows}

    def referring(self, section: str, targets: list[str]) -> list[Any]:
        """The live records of ``section`` that refer to one of ``targets`` (any
        field holding an id: ``refs``), and those that refer to them, and so on,
        in file order (CROSS JOIN: the planner would scan every record of
        ``section`` first)."""
        import json

        rows = self._db.execute(
            "WITH RECURSIVE hit(fid, seq, id) AS (SELECT r.fid, r.seq, r.id "
            "FROM json_each(?1) j CROSS JOIN refs x ON x.target = j.value "
            "CROSS JOIN records r ON r.fid = x.fid AND r.seq = x.seq "
            "WHERE r.section = ?2 AND r.live UNION SELECT r.fid, r.seq, r.id "
            "FROM hit CROSS JOIN refs x ON x.target = hit.id CROSS JOIN records r "
            "ON r.fid = x.fid AND r.seq = x.seq WHERE r.section = ?2 AND r.live) "
            "SELECT r.fid, r.seq, r.body FROM hit CROSS JOIN records r "
            "ON r.fid = hit.fid AND r.seq = hit.seq",
            (json.dumps(targets), section),
        ).fetchall()
        return self._sorted(section, rows)

    def _prefetch(self, section: str, ids: list[str]) -> None:
        """Read the records of ``ids`` not read yet in a few queries."""
        table = getattr(self._facts, section)
        missing = [i for i in ids if not dict.__contains__(table, i)]
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for rid, fid, body in self._db.execute(
                f"SELECT id, fid, body FROM records WHERE section = ? AND live "  # noqa: S608
                f"AND id IN ({marks})",
                (section, *chunk),
            ):
                dict.__setitem__(table, rid, self._decode(section, fid, body))

    def rows(self, section: str) -> Iterator[list[Any]]:
        """Every record of ``section`` in file order as its stored JSON list (the
        fields in declaration order, the position last: :mod:`lineage.store.rows`),
        without building records: for writers that read each record once and
        only some of its fields (the N-Triples export). The store's name holds
        the code of the record classes, so a row has the current fields."""
        decode = json.JSONDecoder().raw_decode  # json.loads less its checks
        for fid, _ in self._files:
            for (body,) in self._db.execute(
                "SELECT body FROM records WHERE section = ? AND fid = ? AND live "
                "ORDER BY seq",
                (section, fid),
            ):
                yield decode(body)[0]

    def row_batches(self, section: str, size: int) -> Iterator[tuple[list[Any], str]]:
        """:meth:`rows` in lists of at most ``size`` (a file's last one shorter),
        each decoded with one ``json.loads`` and given with the JSON text it was
        decoded from (a writer may test the text whole: the N-Triples export does)."""
        loads = json.loads
        for fid, _ in self._files:
            cursor = self._db.execute(
                "SELECT body FROM records WHERE section = ? AND fid = ? AND live "
                "ORDER BY seq",
                (section, fid),
            )
            while batch := cursor.fetchmany(size):
                text = ",".join([body for (body,) in batch])
                yield loads(f"[{text}]"), text

    def merged_children(self) -> dict[str, list[str]]:
        """The models with two or more derivations (``len(parents[m]) > 1``), each
        with the ids of its derivations in the order of ``parents[m]``, in one
        query and decoding none: the N-Triples writer needs these siblings only."""
        rows = self._db.execute(
            "SELECT e.child, e.fid, e.seq, r.id FROM edges e JOIN records r "
            "ON r.fid = e.fid AND r.seq = e.seq WHERE e.child IN "
            "(SELECT child FROM edges GROUP BY child HAVING COUNT(*) > 1)"
        ).fetchall()
        rows.sort(key=lambda r: (self._ord[r[1]], r[2]))
        out: dict[str, list[str]] = {}
        for child, _, _, rid in rows:
            out.setdefault(child, []).append(rid)
        return out

    def figures_of(self, subject: str) -> tuple[Figure, ...]:
        return tuple(self._keyed("figure_keys", "subject", "figures", subject))

    def emergence_of(self, capability: str) -> tuple[Emergence, ...]:
        return tuple(
            self._keyed("emergence_keys", "capability", "emergence", capability)
        )

    def _name_rows(
        self, key: str, how: int, kinds: list[str]
    ) -> set[tuple[str, str, str]]:
        """``(kind, id, label)`` of the names of ``kinds`` stored under ``key``."""
        if not kinds:
            return set()
        marks = ",".join("?" * len(kinds))
        rows = self._db.execute(
            f"SELECT kind, id, label FROM names WHERE key = ? AND how = ? "  # noqa: S608
            f"AND kind IN ({marks}) ORDER BY rowid",
            (key, how, *kinds),
        ).fetchall()
        found: dict[tuple[str, str], str] = {}
        for kind, rid, label in rows:
            found.setdefault((kind, rid), label)
        return {(k, i, label) for (k, i), label in found.items()}

    def _keyed(self, table: str, column: str, section: str, key: str) -> list[Any]:
        rows = self._db.execute(
            f"SELECT r.fid, r.seq, r.body FROM {table} k JOIN records r "  # noqa: S608
            f"ON r.fid = k.fid AND r.seq = k.seq WHERE k.{column} = ?",
            (key,),
        ).fetchall()
        return self._sorted(section, rows)


class _StoredNames:
    """:class:`~lineage.store.names.Names` for a stored index: the first two steps of
    :meth:`~lineage.store.names.Names.lookup` (an id, then a name or alias ignoring
    case and punctuation) are one indexed SELECT each; anything else (folding,
    typos, suggestions, ambiguity) builds the whole name table once, from the
    store, and asks it."""

    def __init__(self, index: StoredIndex) -> None:
        self._index = index
        self._full: Any = None

    def _names(self) -> Any:
        if self._full is None:
            from .names import build_names

            self._full = build_names(self._index.facts)
        return self._full

    def __getattr__(self, name: str) -> Any:
        return getattr(self._names(), name)

    def lookup(self, text: str, kinds: Iterable[str] | None = None) -> list[Any]:
        """:meth:`~lineage.store.names.Names.lookup`: its first two steps (an id,
        then a name ignoring case and punctuation) are an indexed SELECT each; only
        when both find nothing is the whole name table built."""
        from ..facts.fold import normalize
        from .names import KINDS, Match

        wanted = tuple(kinds or KINDS)
        if all(k in NAME_KINDS and k != "stage" for k in wanted):
            for how, key, called in (
                (0, text.strip(), "id"),
                (1, normalize(text), "name"),
            ):
                hits = self._index._name_rows(key, how, list(wanted))
                if hits:
                    return [
                        Match(kind, rid, label if how else rid, called)
                        for kind, rid, label in sorted(
                            hits, key=lambda h: (KINDS.index(h[0]), h[1], h[2])
                        )
                    ]
        found: list[Any] = self._names().lookup(text, wanted)
        return found

    def resolve(self, text: str, kinds: Iterable[str] | None = None) -> Any:
        from ..facts.fold import normalize
        from ..facts.model import Stage
        from .names import KINDS, Match

        wanted = tuple(kinds or KINDS)
        stored = [k for k in wanted if k in NAME_KINDS]
        steps = [(0, text.strip(), "id"), (1, normalize(text), "name")]
        for how, key, called in steps:
            if how == 0 and "stage" in wanted and key in set(Stage):
                return self._names().resolve(text, wanted)  # the closed vocabulary
            hits = self._index._name_rows(key, how, stored)
            if len(hits) == 1:
                kind, rid, label = hits.pop()
                return Match(kind, rid, label if how else rid, called)
            if hits:
                break
        return self._names().resolve(text, wanted)
