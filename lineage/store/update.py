"""Bringing the store's whole-graph results up to date after some records changed.

A build writes the rows of the records that differ from the stored ones
(:mod:`lineage.store.db`) and notes them in :class:`Changes`; :func:`refresh` then
re-checks only what those records can affect, with the rules of
:mod:`lineage.facts.validate`, and keeps every other problem:

* which record of an id is answered from (the first; a later one is a duplicate),
  for the ids of the changed records;
* the rules about one record (:data:`~lineage.facts.validate.RULES`), for the
  changed records, the records with one of their ids, the records that refer to
  one of their ids (``refs``), and the records whose problem suggests a name
  ("did you mean": any added or removed record can change the suggestion);
* the names and aliases that must lead to one record, for the folded names the
  changed records had or have (``labels``);
* contradicting claims, for the (model, capability) pairs of the changed claims;
* cycles, stage definitions and the derivation order, over the whole graph but
  from the narrow index tables (ids, no records), when a capability, stage, claim
  or model changed or the derivations between models did (not only a
  derivation's confidence, evidence or note); when only release dates changed,
  the models whose date changed and their descendants move in the order;
* the full-text index, for the changed ids.

Each problem is stored with what it is about (a record's ``fid, seq``, or a group
``grp``), which is how the stale ones are found. A first build is the same code
with every record changed. Lookups go through the store (``Fetched`` tables of
:mod:`lineage.store.lazy`, remembered for the build), so a small change reads a
small part of the graph; the property test in ``tests/test_store_edits.py`` checks
the result against a build from scratch.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..errors import Problem, Severity
from ..facts.model import Facts
from ..facts.validate import NAMED, alias_keys, named
from .fetched import ABSENT, Fetched
from .rows import CLASSES, decode, problem_from_row

__all__ = ["Changes", "key_rows", "refresh"]

#: separates the parts of a problem's group key (no id holds it)
SEP = "\x1f"
#: fields that hold ids of other records (any record kind, nested records too)
_REF_FIELDS = frozenset(
    {
        "version_of", "family", "papers", "approximations", "trained_on",
        "parent_family", "root", "broader", "parent", "child", "model",
        "dependencies", "capability", "alternative_to", "subject", "source",
        "about", "records", "supports", "still_below", "examples", "stated_for",
    }
)  # fmt: skip
_KIND_SECTION = {"stage": "stages", "capability": "capabilities", "model": "models"}
_KIND_SECTION["family"] = "families"


class Parsed:
    """The records a build parsed, by ``(fid, seq)``: one list per file, indexed by
    ``seq`` (None where a record was not parsed). A dict keyed by ``(fid, seq)``
    held a tuple and an int per record besides the record: about 0.4 GB of a
    first build at 1M models."""

    __slots__ = ("_files", "_count")

    def __init__(self) -> None:
        self._files: dict[int, list[Any]] = {}
        self._count = 0

    def put(self, fid: int, seq: int, record: Any) -> None:
        row = self._files.get(fid)
        if row is None:
            row = self._files[fid] = []
        if seq >= len(row):
            row.extend([None] * (seq + 1 - len(row)))
        self._count += row[seq] is None
        row[seq] = record

    def pop(self, fid: int, seq: int) -> Any:
        """The record parsed at ``(fid, seq)``, forgotten here (None: not parsed)."""
        row = self._files.get(fid)
        if row is None or seq >= len(row) or row[seq] is None:
            return None
        record, row[seq] = row[seq], None
        self._count -= 1
        return record

    def __len__(self) -> int:
        return self._count

    def items(self) -> Iterator[tuple[int, int, Any]]:
        """``(fid, seq, record)`` in the order the files were first written."""
        for fid, row in self._files.items():
            for seq, record in enumerate(row):
                if record is not None:
                    yield fid, seq, record

    def clear(self) -> None:
        self._files.clear()
        self._count = 0


class FirstIds:
    """On a first build, the ids of each section written so far (files in reading
    order): the first record of an id is answered from, the rest are ranked by
    the rules. Sets of ids per section, not a count per ``(section, id)`` tuple
    (a tuple per record: about 0.3 GB at 1M models)."""

    __slots__ = ("_ids", "repeated")

    def __init__(self) -> None:
        self._ids: dict[str, set[str]] = {}
        #: ``(section, id)`` of each id written more than once
        self.repeated: set[tuple[str, str]] = set()

    def first(self, section: str, rid: str) -> bool:
        """Note a record of ``rid``; True when it is the first of its id."""
        ids = self._ids.get(section)
        if ids is None:
            ids = self._ids[section] = set()
        if rid in ids:
            self.repeated.add((section, rid))
            return False
        ids.add(rid)
        return True

    def clear(self) -> None:
        self._ids.clear()
        self.repeated.clear()


@dataclass(slots=True)
class Changes:
    """What a build changed: records written or removed, and what they held."""

    full: bool = False
    #: (section, id) of every record removed, added or changed
    keys: set[tuple[str, str]] = field(default_factory=set)
    #: (fid, seq) of those rows (removed ones included)
    rows: set[tuple[int, int]] = field(default_factory=set)
    #: folded names and (model, capability) pairs of the removed rows
    alias_keys: set[str] = field(default_factory=set)
    claim_groups: set[tuple[str, str]] = field(default_factory=set)
    #: the loader's problems of each file read again (None: the file is gone)
    files: dict[int, list[Problem] | None] = field(default_factory=dict)
    #: the records parsed by this build, by file and place (not decoded again)
    parsed: Parsed = field(default_factory=Parsed)
    #: on a first build: the ids written so far, and those written more than once
    seen: FirstIds = field(default_factory=FirstIds)
    #: the release date of each model whose live row was removed (the order
    #: changes only where a date did)
    old_dates: dict[str, str | None] = field(default_factory=dict)
    #: ``(parent, child, stage)`` of each live derivation row removed
    old_edges: list[tuple[str, str, str]] = field(default_factory=list)
    #: whether the live derivations between models changed (not only their
    #: confidence, evidence or notes): set by :func:`refresh`
    edges_moved: bool = True

    def file(
        self,
        conn: sqlite3.Connection,
        fid: int,
        gone: list[int],
        problems: list[Problem] | None,
    ) -> None:
        """Note the rows ``gone`` of file ``fid`` before they are deleted."""
        self.files[fid] = problems
        for start in range(0, len(gone), 500):
            chunk = gone[start : start + 500]
            marks = ",".join("?" * len(chunk))
            where = f"WHERE fid = ? AND seq IN ({marks})"
            args = (fid, *chunk)
            for section, rid in conn.execute(
                f"SELECT section, id FROM records {where}",
                args,  # noqa: S608
            ):
                if rid is not None:
                    self.keys.add((section, rid))
            self.alias_keys.update(
                k
                for (k,) in conn.execute(f"SELECT key FROM labels {where}", args)  # noqa: S608
            )
            self.claim_groups.update(
                conn.execute(f"SELECT model, capability FROM claim_keys {where}", args)  # noqa: S608
            )
            self.old_dates.update(
                conn.execute(
                    "SELECT r.id, d.date FROM dates d JOIN records r "  # noqa: S608
                    f"USING (fid, seq) WHERE d.fid = ? AND d.seq IN ({marks}) "
                    "AND r.live AND r.section = 'models'",
                    args,
                )
            )
            self.old_edges.extend(
                conn.execute(
                    "SELECT e.parent, e.child, e.stage FROM edges e "  # noqa: S608
                    f"JOIN records r USING (fid, seq) WHERE e.fid = ? "
                    f"AND e.seq IN ({marks}) AND r.live",
                    args,
                )
            )
        self.rows.update((fid, seq) for seq in gone)

    def added(self, fid: int, rows: list[tuple[int, str, str | None]]) -> None:
        """Note the rows ``(seq, section, id)`` written for file ``fid`` (a first
        build changes every row: it notes none, and counts ids in ``seen``)."""
        if self.full:
            return
        for seq, section, rid in rows:
            self.rows.add((fid, seq))
            if rid is not None:
                self.keys.add((section, rid))

    def touches(self, *sections: str) -> bool:
        return self.full or any(s in sections for s, _ in self.keys)


# --- per-file key rows (written with the records) ----------------------------------

_FIELDS: dict[type, list[tuple[str, bool]]] = {}


def _targets(record: Any, out: set[str]) -> None:
    """Every id ``record`` refers to (nested records too) into ``out``."""
    names = _FIELDS.get(type(record))
    if names is None:
        names = _FIELDS[type(record)] = _plan(type(record))
    for name, is_ref in names:
        value = getattr(record, name)
        if value is None:  # (most optional references)
            continue
        if type(value) is str:
            if is_ref:
                out.add(value)
        elif type(value) is tuple:
            for item in value:
                if isinstance(item, str):
                    if is_ref:
                        out.add(item)
                elif type(item) in _FIELDS or dataclasses.is_dataclass(item):
                    _targets(item, out)
        elif is_ref and isinstance(value, str):
            out.add(value)


def _plan(cls: type) -> list[tuple[str, bool]]:
    """The fields of ``cls`` that can hold ids: references, and tuples of nested
    records (the rest hold none, so :func:`_targets` skips them)."""
    from .rows import _NESTED

    nested = tuple(_NESTED)
    return [
        (f.name, f.name in _REF_FIELDS)
        for f in dataclasses.fields(cls)
        if f.name in _REF_FIELDS or any(n in str(f.type) for n in nested)
    ]


def key_rows(
    fid: int,
    seq: int,
    section: str,
    record: Any,
    complete: bool,
    out: dict[str, list[tuple[Any, ...]]],
    folded: list[str] | None = None,
) -> None:
    """The ``refs``, ``labels`` and ``dates`` rows of one record, into ``out``
    (``folded``: ``normalize`` of each of its labels, when known)."""
    targets: set[str] = set()
    _targets(record, targets)
    out["refs"] += [(fid, seq, t) for t in sorted(targets)]
    if not complete:
        return
    if section in NAMED:
        group, rank, _ = NAMED[section]
        kind, rid, _, labels, imported = named(section, record)
        out["labels"] += [
            (fid, seq, group, rank, key, kind, rid, label, int(imported))
            for key, label in alias_keys(labels, folded).items()
            if key
        ]
    if section == "models":
        out["dates"].append((fid, seq, record.date))


# --- refreshing ------------------------------------------------------------------


class _Context:
    """The graph being built, as the rules see it: ``live`` (the records answered
    from) and ``whole`` (with the records that have errors), read from ``conn``."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        files = conn.execute("SELECT fid, shown FROM files ORDER BY ord").fetchall()
        self.shown = dict(files)
        self.order = {fid: n for n, (fid, _) in enumerate(files)}
        self.files = [shown for _, shown in files]

    def decode(self, section: str, fid: int, body: str) -> Any:
        return decode(section, body, self.shown[fid])

    def place(self, fid: int, seq: int) -> tuple[int, int]:
        return (self.order[fid], seq)

    def facts(self, *, whole: bool) -> Facts:
        out = Facts(files=tuple(self.files))
        for section in Facts().counts():
            fetch, every, count = (
                (self._any, self._every_whole, self._count_all)
                if whole
                else (self._live, self._every_live, self._count_live)
            )
            setattr(
                out,
                section,
                Fetched(
                    _bind(fetch, section), _bind(every, section), _bind(count, section)
                ),
            )
        return out

    def _live(self, section: str, rid: Any) -> Any:
        row = self.conn.execute(
            "SELECT fid, body FROM records WHERE section = ? AND id = ? AND live",
            (section, rid),
        ).fetchone()
        return ABSENT if row is None else self.decode(section, *row)

    def _any(self, section: str, rid: Any) -> Any:
        rows = self.conn.execute(
            "SELECT fid, seq, body FROM records WHERE section = ? AND id = ?",
            (section, rid),
        ).fetchall()
        if not rows:
            return ABSENT
        fid, _, body = min(rows, key=lambda r: self.place(r[0], r[1]))
        return self.decode(section, fid, body)

    def _rows(self, section: str, live: int) -> Iterator[tuple[Any, Any]]:
        rows = self.conn.execute(
            "SELECT r.id, r.fid, r.body FROM records r JOIN files f USING (fid) "
            "WHERE r.section = ? AND r.live = ? ORDER BY f.ord, r.seq",
            (section, live),
        )
        for rid, fid, body in rows:
            yield rid, self.decode(section, fid, body)

    def _every_live(self, section: str) -> Iterator[tuple[Any, Any]]:
        return self._rows(section, 1)

    def _every_whole(self, section: str) -> Iterator[tuple[Any, Any]]:
        """As :meth:`Facts.with_incomplete` orders them: live records, then the others
        (each under its id when no record before it has that id)."""
        seen: set[Any] = set()
        for rid, record in self._rows(section, 1):
            seen.add(rid)
            yield rid, record
        for number, (rid, record) in enumerate(self._rows(section, 0)):
            key = rid if isinstance(rid, str) and rid not in seen else f"\0{number}"
            seen.add(key)
            yield key, record

    def _count_live(self, section: str) -> int:
        return int(
            self.conn.execute(
                "SELECT count(*) FROM records WHERE section = ? AND live", (section,)
            ).fetchone()[0]
        )

    def _count_all(self, section: str) -> int:
        return int(
            self.conn.execute(
                "SELECT count(*) FROM records WHERE section = ?", (section,)
            ).fetchone()[0]
        )


def _bind(func: Callable[..., Any], section: str) -> Callable[..., Any]:
    return lambda *args: func(section, *args)


def _insert(
    conn: sqlite3.Connection,
    problems: Iterable[Problem],
    fid: int | None = None,
    seq: int | None = None,
    grp: str | None = None,
) -> None:
    conn.executemany(
        "INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                p.path,
                p.line,
                p.column,
                p.severity.value,
                p.message,
                p.code,
                fid,
                seq,
                grp,
            )
            for p in problems
        ),
    )


def _temp(conn: sqlite3.Connection, name: str, columns: str) -> None:
    conn.execute(f"DROP TABLE IF EXISTS temp.{name}")
    conn.execute(f"CREATE TEMP TABLE {name} ({columns})")


def refresh(
    conn: sqlite3.Connection,
    changes: Changes,
    listing: str,
    progress: Callable[[str], None] | None = None,
) -> None:
    """Bring problems, order, counts and the search index up to date with the rows,
    given what changed (inside the build's transaction)."""
    if progress is not None and (changes.keys or changes.full):
        progress("checking references, cycles, aliases and dates")
    ctx = _Context(conn)
    _file_problems(conn, changes, listing)
    _temp(conn, "ck", "section TEXT, id TEXT, PRIMARY KEY (section, id)")
    if changes.full:  # rows were written live when first of their id: the rest
        conn.executemany("INSERT INTO ck VALUES (?, ?)", changes.seen.repeated)
        changes.seen.clear()
    else:
        conn.executemany("INSERT INTO ck VALUES (?, ?)", changes.keys)
    kept = None if changes.full else _changed_edges(conn)
    _first_of_each_id(conn, ctx)
    if kept is not None:  # the same edges, only their evidence or notes differ?
        before = Counter(changes.old_edges + kept)
        changes.edges_moved = before != Counter(_changed_edges(conn))
    read: list[tuple[str, str, Any, tuple[int, int]]] = []
    first = _first_rules(conn, changes, ctx)
    if first is None:
        live = ctx.facts(whole=False)
        read = _record_rules(conn, changes, ctx, live, ctx.facts(whole=True))
    else:
        live = first
    changes.parsed.clear()  # (each was a subject of those rules: none is left)
    _alias_rule(conn, changes, ctx)
    _claims_rule(conn, changes, ctx)
    edges = changes.touches("derivations") and changes.edges_moved
    if changes.touches("capabilities") or edges or _recorded_cycle(conn, changes):
        _cycle_rule(conn, ctx, live)
    if edges or changes.touches("claims", "stages"):
        _stage_rule(conn)
    if changes.touches("claims", "models", "families"):
        _family_rule(
            conn, live, ctx, _stated(live, ctx, read) if changes.full else None
        )
    if edges or changes.touches("models"):
        _order(conn, changes)
    _meta(conn, ctx, listing)
    _search(conn, changes, live, read)


def _first_rules(
    conn: sqlite3.Connection, changes: Changes, ctx: _Context
) -> Facts | None:
    """On a first build, :func:`_record_rules` over the records it parsed, without
    reading them back; returns the live ones in plain dicts, in reading order (the
    rules look records up hundreds of thousands of times, and a dict answers
    without a call into :class:`Fetched`; the later rules and the full-text index
    read them from there). None when the rules are to read the store."""
    if not changes.full:
        return None
    fids = [fid for (fid,) in conn.execute("SELECT fid FROM files ORDER BY ord")]
    (count,) = conn.execute("SELECT count(*) FROM records").fetchone()
    if fids != sorted(fids) or count != len(changes.parsed):
        return None  # (a first build writes every file, in reading order)
    others = set(conn.execute("SELECT fid, seq FROM records WHERE NOT live"))
    groups, rest = _by_section(changes.parsed, others)
    live = Facts(files=tuple(ctx.files))
    for section, group in groups.items():
        setattr(live, section, {entry[0]: entry[1] for entry in group})
    whole = live
    if others:  # the live records first of their ids, the others looked up
        whole = ctx.facts(whole=True)
        for section, group in groups.items():
            table = getattr(whole, section)
            for rid, record, _, _ in group:
                dict.__setitem__(table, rid, record)
    _insert_owned(conn, _first_problems(live, whole, groups, rest))
    return live


#: a live record to check: ``(id, record, fid, seq)``
_Entry = tuple[str, Any, int, int]


def _by_section(
    parsed: Parsed, others: set[tuple[int, int]]
) -> tuple[dict[str, list[_Entry]], list[tuple[str, Any, int, int]]]:
    """The records ``parsed`` (in reading order) as each section's live ones,
    ``(id, record, fid, seq)``, and the ``others`` as ``(section, record, fid,
    seq)``."""
    groups: dict[type, list[_Entry]] = {}
    rest: list[tuple[str, Any, int, int]] = []
    for fid, seq, record in parsed.items():
        cls = type(record)
        if others and (fid, seq) in others:
            rest.append((_SECTION_OF[cls], record, fid, seq))
            continue
        group = groups.get(cls)
        if group is None:
            group = groups[cls] = []
        group.append((record.id, record, fid, seq))
    return {_SECTION_OF[cls]: group for cls, group in groups.items()}, rest


def _first_problems(
    live: Facts,
    whole: Facts,
    groups: dict[str, list[_Entry]],
    rest: list[tuple[str, Any, int, int]],
) -> Iterator[tuple[Problem, int, int]]:
    """The one-record problems of the live records (``groups``: each section's
    ``(id, record, fid, seq)``, checked a batch at a time) and of the others
    (one at a time), each with its record."""
    from ..facts.validate import record_problems

    for section, group in groups.items():
        for start in range(0, len(group), 2000):
            yield from _group_problems(
                live, whole, section, group[start : start + 2000]
            )
    for section, record, fid, seq in rest:
        for p in record_problems(live, whole, section, record, False):
            yield p, fid, seq


def _insert_owned(
    conn: sqlite3.Connection, found: Iterable[tuple[Problem, int, int]]
) -> None:
    """Problems, each about the record ``(fid, seq)``."""
    conn.executemany(
        "INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
        (
            (p.path, p.line, p.column, p.severity.value, p.message, p.code, f, s)
            for p, f, s in found
        ),
    )


#: record class -> its section
_SECTION_OF = {cls: section for section, cls in CLASSES.items()}
assert len(_SECTION_OF) == len(CLASSES), "a record class of two sections"


def _changed_edges(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """``(parent, child, stage)`` of the live rows of the changed derivation ids."""
    return conn.execute(
        "SELECT e.parent, e.child, e.stage FROM ck CROSS JOIN records r "
        "ON r.section = ck.section AND r.id = ck.id CROSS JOIN edges e "
        "ON e.fid = r.fid AND e.seq = r.seq WHERE ck.section = 'derivations' "
        "AND r.live"
    ).fetchall()


def _recorded_cycle(conn: sqlite3.Connection, changes: Changes) -> bool:
    """A changed derivation when a cycle is recorded: its place may be in the
    message."""
    return changes.touches("derivations") and _cycle_recorded(conn)


def _cycle_recorded(conn: sqlite3.Connection) -> bool:
    """Whether the build before recorded a derivation cycle."""
    found = conn.execute("SELECT 1 FROM problems WHERE grp = 'cycle'").fetchone()
    return found is not None


def _file_problems(conn: sqlite3.Connection, changes: Changes, listing: str) -> None:
    """The loader's problems of the files read again, and the listing's."""
    for fid, problems in changes.files.items():
        conn.execute("DELETE FROM problems WHERE grp = ?", (f"file{SEP}{fid}",))
        _insert(conn, problems or (), grp=f"file{SEP}{fid}")
    conn.execute("DELETE FROM problems WHERE grp = 'listing'")
    _insert(conn, (problem_from_row(p) for p in json.loads(listing)[1]), grp="listing")


def _first_of_each_id(conn: sqlite3.Connection, ctx: _Context) -> None:
    """For each changed id: the first record holding it is answered from (when it
    has no errors); each later one is a duplicate (the loader's ``add_records``)."""
    rows = conn.execute(
        "SELECT r.section, r.id, r.fid, r.seq, r.complete, r.live "
        "FROM ck CROSS JOIN records r ON r.section = ck.section AND r.id = ck.id"
    )
    by_key: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for section, rid, *rest in rows:
        by_key.setdefault((section, rid), []).append(tuple(rest))
    conn.execute(
        f"DELETE FROM problems WHERE grp IN (SELECT 'dup' || '{SEP}' || section "  # noqa: S608
        f"|| '{SEP}' || id FROM ck)"
    )
    flags: list[tuple[int, int, int]] = []
    for (section, rid), found in by_key.items():
        if len(found) == 1:  # most ids: answered from when it has no errors
            fid, seq, complete, live = found[0]
            if int(bool(complete)) != live:
                flags.append((int(bool(complete)), fid, seq))
            continue
        found.sort(key=lambda r: ctx.place(r[0], r[1]))
        for n, (fid, seq, complete, live) in enumerate(found):
            now = int(n == 0 and bool(complete))
            if now != live:
                flags.append((now, fid, seq))
        if len(found) > 1:
            _insert(
                conn,
                _duplicates(ctx, section, rid, found),
                grp=f"dup{SEP}{section}{SEP}{rid}",
            )
    conn.executemany("UPDATE records SET live = ? WHERE fid = ? AND seq = ?", flags)


def _duplicates(
    ctx: _Context, section: str, rid: str, found: list[tuple[Any, ...]]
) -> Iterator[Problem]:
    def record(fid: int, seq: int) -> Any:
        (body,) = ctx.conn.execute(
            "SELECT body FROM records WHERE fid = ? AND seq = ?", (fid, seq)
        ).fetchone()
        return ctx.decode(section, fid, body)

    first = record(*found[0][:2])
    for fid, seq, *_ in found[1:]:
        at = record(fid, seq).loc.of("id")
        yield Problem(
            at.path,
            at.line,
            at.column,
            Severity.ERROR,
            f"duplicate id '{rid}' in {section} (first defined at {first.loc})",
            "duplicate-id",
        )


def _record_rules(
    conn: sqlite3.Connection,
    changes: Changes,
    ctx: _Context,
    live: Facts,
    whole: Facts,
) -> list[tuple[str, str, Any, tuple[int, int]]]:
    """Re-run the one-record rules for every record a change can affect; return
    the live records read, ``(section, id, record, (fid, seq))`` (kept, for later
    lookups)."""
    from ..facts.validate import record_problems

    rows = conn.execute(_subjects(conn, changes))
    read: list[tuple[str, str, Any, tuple[int, int]]] = []
    while batch := rows.fetchmany(2000):
        found: list[tuple[Problem, int, int]] = []
        #: section -> the batch's live records of it (their ids are distinct)
        groups: dict[str, list[_Entry]] = {}
        for fid, seq, section, body, is_live in batch:
            record = changes.parsed.pop(fid, seq)
            if record is None:
                record = ctx.decode(section, fid, body or _body(conn, fid, seq))
            if is_live and type(record.id) is str:
                # what the rules look up next is often read already
                dict.__setitem__(getattr(live, section), record.id, record)
                dict.__setitem__(getattr(whole, section), record.id, record)
                groups.setdefault(section, []).append((record.id, record, fid, seq))
                continue
            for p in record_problems(live, whole, section, record, bool(is_live)):
                found.append((p, fid, seq))
        for section, group in groups.items():
            read.extend((section, rid, rec, (fid, seq)) for rid, rec, fid, seq in group)
            found.extend(_group_problems(live, whole, section, group))
        _insert_owned(conn, found)
    return read


def _group_problems(
    live: Facts,
    whole: Facts,
    section: str,
    group: list[_Entry],
) -> Iterator[tuple[Problem, int, int]]:
    """The one-record problems of live records of one section, each with the
    record it is about: the rules run over the whole group at once, and again
    over each record only when the group has problems (most have none)."""
    from ..facts.validate import records_problems

    if not records_problems(
        live, whole, section, {entry[0]: entry[1] for entry in group}, True
    ):
        return
    for rid, record, fid, seq in group:
        for p in records_problems(live, whole, section, {rid: record}, True):
            yield p, fid, seq


def _subjects(conn: sqlite3.Connection, changes: Changes) -> str:
    """The query of the records whose one-record rules are to run again, ``(fid,
    seq, section, body, live)``; their stored problems are removed. A first build
    checks every record and has parsed them all (no body is read back)."""
    from ..facts.validate import HINTED

    if changes.full:
        return "SELECT fid, seq, section, NULL, live FROM records"
    _temp(conn, "subj", "fid INTEGER, seq INTEGER, PRIMARY KEY (fid, seq)")
    conn.executemany("INSERT OR IGNORE INTO subj VALUES (?, ?)", changes.rows)
    conn.execute(
        "INSERT OR IGNORE INTO subj SELECT r.fid, r.seq FROM ck CROSS JOIN records r "
        "ON r.section = ck.section AND r.id = ck.id"
    )
    conn.execute(
        "INSERT OR IGNORE INTO subj SELECT fid, seq FROM refs "
        "WHERE target IN (SELECT id FROM ck)"
    )
    if changes.keys:
        marks = ",".join("?" * len(HINTED))
        conn.execute(
            "INSERT OR IGNORE INTO subj SELECT fid, seq FROM problems "  # noqa: S608
            f"WHERE grp IS NULL AND code IN ({marks})",
            tuple(HINTED),
        )
    conn.execute(
        "DELETE FROM problems WHERE grp IS NULL AND (fid, seq) IN "
        "(SELECT fid, seq FROM subj)"
    )
    return (
        "SELECT r.fid, r.seq, r.section, r.body, r.live FROM subj "
        "CROSS JOIN records r USING (fid, seq)"
    )


def _body(conn: sqlite3.Connection, fid: int, seq: int) -> str:
    (body,) = conn.execute(
        "SELECT body FROM records WHERE fid = ? AND seq = ?", (fid, seq)
    ).fetchone()
    return str(body)


def _alias_rule(conn: sqlite3.Connection, changes: Changes, ctx: _Context) -> None:
    """Names and aliases leading to two records, for the folded names a change
    touched (one group per folded name: the first record to use it keeps it)."""
    from ..facts.validate import alias_clashes, named

    _temp(conn, "ak", "key TEXT PRIMARY KEY")
    if changes.full:  # only a name used by two records can clash
        conn.execute(
            "INSERT INTO ak SELECT key FROM labels GROUP BY key "
            "HAVING count(DISTINCT kind || ':' || id) > 1"
        )
    else:
        conn.executemany(
            "INSERT OR IGNORE INTO ak VALUES (?)", ((k,) for k in changes.alias_keys)
        )
        conn.execute(
            "INSERT OR IGNORE INTO ak SELECT l.key FROM ck CROSS JOIN records r "
            "ON r.section = ck.section AND r.id = ck.id "
            "CROSS JOIN labels l ON l.fid = r.fid AND l.seq = r.seq"
        )
        conn.execute(
            f"DELETE FROM problems WHERE grp IN (SELECT 'alias' || '{SEP}' || key FROM ak)"  # noqa: S608
        )
    rows = conn.execute(
        "SELECT l.key, l.grp, l.rank, l.fid, l.seq, l.kind, l.id, l.label, l.imported "
        "FROM ak CROSS JOIN labels l USING (key) CROSS JOIN records r "
        "ON r.fid = l.fid AND r.seq = l.seq WHERE r.live"
    )
    groups: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for key, grp, *rest in rows:
        groups.setdefault((key, grp), []).append(tuple(rest))
    for (key, _), found in groups.items():
        if len({(kind, rid) for _, _, _, kind, rid, _, _ in found}) < 2:
            continue
        found.sort(key=lambda r: (r[0], *ctx.place(r[1], r[2])))
        records = []
        for _, fid, seq, kind, rid, label, imported in found:
            section = _KIND_SECTION[kind]
            (body,) = conn.execute(
                "SELECT body FROM records WHERE fid = ? AND seq = ?", (fid, seq)
            ).fetchone()
            loc = named(section, ctx.decode(section, fid, body))[2]
            records.append((kind, rid, loc, (label,), bool(imported)))
        _insert(conn, (p for _, p in alias_clashes(records)), grp=f"alias{SEP}{key}")


def _claims_rule(conn: sqlite3.Connection, changes: Changes, ctx: _Context) -> None:
    """Claims that contradict each other, for the (model, capability) pairs of the
    changed claims (only pairs with claims on both sides are read)."""
    from ..facts.validate import check_conflicting_claims

    _temp(conn, "cg", "model TEXT, capability TEXT, PRIMARY KEY (model, capability)")
    if not changes.full:
        conn.executemany("INSERT OR IGNORE INTO cg VALUES (?, ?)", changes.claim_groups)
        conn.execute(
            "INSERT OR IGNORE INTO cg SELECT c.model, c.capability FROM ck "
            "CROSS JOIN records r ON r.section = ck.section AND r.id = ck.id "
            "CROSS JOIN claim_keys c ON c.fid = r.fid AND c.seq = r.seq "
            "WHERE ck.section = 'claims'"
        )
        conn.execute(
            f"DELETE FROM problems WHERE grp IN (SELECT 'claims' || '{SEP}' || model "  # noqa: S608
            f"|| '{SEP}' || capability FROM cg)"
        )
    # a few pairs: each looked up by model (a capability has thousands of claims);
    # every pair (a first build): every claim, in the planner's own order
    pairs = (
        "claim_keys c JOIN records r"
        if changes.full
        else "cg CROSS JOIN claim_keys c INDEXED BY claims_model ON c.model = "
        "cg.model AND c.capability = cg.capability CROSS JOIN records r"
    )
    both = conn.execute(
        f"SELECT c.model, c.capability FROM {pairs} "  # noqa: S608
        "ON r.fid = c.fid AND r.seq = c.seq "
        "WHERE r.live AND c.side IS NOT NULL GROUP BY c.model, c.capability "
        "HAVING count(DISTINCT c.side) = 2"
    ).fetchall()
    for model, capability in both:
        rows = conn.execute(
            "SELECT r.fid, r.seq, r.body FROM claim_keys c JOIN records r "
            "ON r.fid = c.fid AND r.seq = c.seq WHERE c.model = ? AND c.capability = ? "
            "AND r.live AND c.side IS NOT NULL",
            (model, capability),
        ).fetchall()
        rows.sort(key=lambda r: ctx.place(r[0], r[1]))
        group = Facts()
        for fid, _, body in rows:
            claim = ctx.decode("claims", fid, body)
            group.claims[claim.id] = claim
        _insert(
            conn,
            check_conflicting_claims(group),
            grp=f"claims{SEP}{model}{SEP}{capability}",
        )


_LIVE_EDGES = (
    "SELECT e.parent, e.child FROM edges e JOIN records r "
    "ON r.fid = e.fid AND r.seq = e.seq JOIN files f ON f.fid = e.fid "
    "WHERE r.live ORDER BY f.ord, e.seq"
)


def _cycle_rule(conn: sqlite3.Connection, ctx: _Context, live: Facts) -> None:
    from ..facts.validate import cycle_problems

    def edge_loc(parent: str, child: str) -> Any:
        rows = conn.execute(
            "SELECT r.fid, r.seq, r.body FROM edges e JOIN records r "
            "ON r.fid = e.fid AND r.seq = e.seq WHERE e.parent = ? AND e.child = ? "
            "AND r.live",
            (parent, child),
        ).fetchall()
        fid, _, body = min(rows, key=lambda r: ctx.place(r[0], r[1]))
        return ctx.decode("derivations", fid, body).loc

    conn.execute("DELETE FROM problems WHERE grp = 'cycle'")
    broader = {c.id: list(c.broader) for c in live.capabilities.values()}
    found = cycle_problems(
        conn.execute(_LIVE_EDGES).fetchall(),
        edge_loc,
        broader,
        lambda cap: live.capabilities[cap].loc,
    )
    _insert(conn, list(found), grp="cycle")


def _stated(
    live: Facts, ctx: _Context, read: list[tuple[str, str, Any, tuple[int, int]]]
) -> dict[str, Any]:
    """On a first build, the live claims stated for a family, in reading order:
    from the live facts when they hold every record, else from those ``read``."""
    if type(live.claims) is not Fetched:
        return {r: c for r, c in live.claims.items() if c.stated_for is not None}
    stated = sorted(
        (ctx.place(*at), rid, claim)
        for section, rid, claim, at in read
        if section == "claims" and claim.stated_for is not None
    )
    return {rid: claim for _, rid, claim in stated}


def _family_rule(
    conn: sqlite3.Connection,
    live: Facts,
    ctx: _Context,
    stated: dict[str, Any] | None,
) -> None:
    """Claims stated for a whole family, against the family's members (from the
    narrow members table), over the whole graph. On a first build the rule is
    given the claims ``stated`` for a family (it passes over the others), in
    reading order; after an edit only the claims that refer to a family
    (``refs``: the ones stated for one among them) are read."""
    from ..facts.validate import family_statement_problems

    claims = _claims_about_families(conn, ctx) if stated is None else stated

    def members_of(family: str) -> list[str]:
        rows = conn.execute(
            "SELECT m.model FROM members m JOIN records r ON r.fid = m.fid "
            "AND r.seq = m.seq JOIN files f ON f.fid = m.fid "
            "WHERE m.family = ? AND r.live ORDER BY f.ord, m.seq",
            (family,),
        ).fetchall()
        return list(dict.fromkeys(row[0] for row in rows))

    conn.execute("DELETE FROM problems WHERE grp = 'family-statement'")
    if not claims:
        return
    facts = Facts(families=live.families, models=live.models, claims=claims)
    found = family_statement_problems(facts, members_of)
    _insert(conn, list(found), grp="family-statement")


def _claims_about_families(conn: sqlite3.Connection, ctx: _Context) -> dict[str, Any]:
    """The live claims referring to a live family, in reading order."""
    rows = conn.execute(
        "SELECT DISTINCT r.fid, r.seq, r.body FROM records fam CROSS JOIN refs x "
        "ON x.target = fam.id CROSS JOIN records r ON r.fid = x.fid AND r.seq = x.seq "
        "WHERE fam.section = 'families' AND fam.live AND r.section = 'claims' "
        "AND r.live"
    ).fetchall()
    rows.sort(key=lambda r: ctx.place(r[0], r[1]))
    claims: dict[str, Any] = {}
    for fid, _, body in rows:
        claim = ctx.decode("claims", fid, body)
        claims[claim.id] = claim
    return claims


def _stage_rule(conn: sqlite3.Connection) -> None:
    from ..facts.validate import stage_problems

    conn.execute("DELETE FROM problems WHERE grp = 'stage'")
    used = {
        stage
        for (stage,) in conn.execute(
            "SELECT DISTINCT e.stage FROM edges e JOIN records r "
            "ON r.fid = e.fid AND r.seq = e.seq WHERE r.live "
            "UNION SELECT DISTINCT c.stage FROM claim_keys c JOIN records r "
            "ON r.fid = c.fid AND r.seq = c.seq WHERE r.live AND c.stage IS NOT NULL"
        )
    }
    defined = {
        rid
        for (rid,) in conn.execute(
            "SELECT id FROM records WHERE section = 'stages' AND live"
        )
    }
    _insert(conn, list(stage_problems(defined, used)), grp="stage")


def _order(conn: sqlite3.Connection, changes: Changes) -> None:
    """The derivation order and lineage size of every model: recomputed whole when
    derivations or the set of models changed (or a cycle is recorded), else only
    where a release date changed (:func:`_reorder`)."""
    if (
        changes.full
        or (changes.touches("derivations") and changes.edges_moved)
        or _model_set_changed(conn)
        or _cycle_recorded(conn)
    ):
        _whole_order(conn)
        return
    moved = [
        mid
        for mid, date in conn.execute(
            "SELECT r.id, d.date FROM ck CROSS JOIN records r ON r.section = "
            "ck.section AND r.id = ck.id CROSS JOIN dates d ON d.fid = r.fid "
            "AND d.seq = r.seq "
            "WHERE ck.section = 'models' AND r.live"
        )
        if changes.old_dates.get(mid, _UNKNOWN) != date
    ]
    if moved:
        _reorder(conn, moved)


#: an old date not recorded (the model's row was kept): treated as changed
_UNKNOWN = "\0unknown"


def _model_set_changed(conn: sqlite3.Connection) -> bool:
    """Whether a changed model id was added or removed (``topo`` holds the models
    of the build before)."""
    row = conn.execute(
        "SELECT 1 FROM ck WHERE ck.section = 'models' AND "
        "EXISTS (SELECT 1 FROM topo t WHERE t.id = ck.id) != EXISTS (SELECT 1 FROM "
        "records r WHERE r.section = 'models' AND r.id = ck.id AND r.live) LIMIT 1"
    ).fetchone()
    return row is not None


def _reorder(conn: sqlite3.Connection, moved: list[str]) -> None:
    """Move the models whose date changed, and their descendants, to their new
    places in the derivation order (:func:`lineage.store.index.reorder`): only the
    rows between the first and the last place that changed are read and written."""
    from .index import reorder

    _temp(conn, "mv", "id TEXT PRIMARY KEY")
    conn.executemany("INSERT OR IGNORE INTO mv VALUES (?)", ((m,) for m in moved))
    conn.execute(
        "INSERT OR IGNORE INTO mv WITH RECURSIVE down(id) AS (SELECT id FROM mv "
        "UNION SELECT e.child FROM down CROSS JOIN edges e ON e.parent = down.id "
        "CROSS JOIN records r ON r.fid = e.fid AND r.seq = e.seq WHERE r.live) "
        "SELECT id FROM down"
    )
    old = dict(conn.execute("SELECT t.id, t.ord FROM mv CROSS JOIN topo t USING (id)"))
    dates: dict[str, str | None] = dict(
        conn.execute(
            "SELECT r.id, d.date FROM mv CROSS JOIN records r ON r.section = "
            "'models' AND r.id = mv.id CROSS JOIN dates d ON d.fid = r.fid "
            "AND d.seq = r.seq "
            "WHERE r.live"
        )
    )
    parents: dict[str, list[str]] = {}
    for parent, child, place in conn.execute(
        "SELECT e.parent, e.child, t.ord FROM mv CROSS JOIN edges e "
        "ON e.child = mv.id CROSS JOIN records r ON r.fid = e.fid AND r.seq = e.seq "
        "CROSS JOIN topo t ON t.id = e.parent WHERE r.live"
    ):
        if child in dates:
            parents.setdefault(child, []).append(parent)
            old[parent] = place

    read: list[sqlite3.Cursor] = []

    def rows_from(start: int) -> Iterator[tuple[str, int, str | None]]:
        read.append(
            conn.execute(
                "SELECT t.id, t.ord, d.date FROM topo t JOIN records r "
                "ON r.section = 'models' AND r.id = t.id AND r.live "
                "JOIN dates d ON d.fid = r.fid AND d.seq = r.seq "
                "WHERE t.ord >= ? ORDER BY t.ord",
                (start,),
            )
        )
        return iter(read[-1])

    places = reorder(dates, parents, old, rows_from)
    for cursor in read:  # read only as far as a model moved
        cursor.close()
    conn.executemany(
        "UPDATE topo SET ord = ? WHERE id = ?", ((n, mid) for mid, n in places)
    )


def _whole_order(conn: sqlite3.Connection) -> None:
    """The derivation order and lineage size of every model (rows that moved)."""
    from .index import order_of, sizes_of

    dates: dict[str, str | None] = dict(
        conn.execute(
            "SELECT r.id, d.date FROM dates d JOIN records r "
            "ON r.fid = d.fid AND r.seq = d.seq JOIN files f ON f.fid = d.fid "
            "WHERE r.live ORDER BY f.ord, d.seq"
        ).fetchall()
    )
    children: dict[str, list[str]] = {}
    for parent, child in conn.execute(_LIVE_EDGES):
        if parent in dates and child in dates:
            children.setdefault(parent, []).append(child)
    order = order_of(dates, children)
    sizes = sizes_of(dates, children)
    old = {mid: (n, size) for mid, n, size in conn.execute("SELECT * FROM topo")}
    conn.executemany(
        "DELETE FROM topo WHERE id = ?", ((mid,) for mid in old if mid not in order)
    )
    conn.executemany(
        "INSERT OR REPLACE INTO topo VALUES (?, ?, ?)",
        (
            (mid, n, sizes[mid])
            for mid, n in order.items()
            if old.get(mid) != (n, sizes[mid])
        ),
    )


def _meta(conn: sqlite3.Connection, ctx: _Context, listing: str) -> None:
    counts = dict.fromkeys(Facts().counts(), 0)
    counts.update(
        conn.execute(
            "SELECT section, count(*) FROM records WHERE live GROUP BY section"
        ).fetchall()
    )
    meta = {
        "counts": counts,
        "files": ctx.files,
        "skipped": json.loads(listing)[0],
        "listing": listing,
    }
    conn.execute("DELETE FROM meta")
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)", ((k, json.dumps(v)) for k, v in meta.items())
    )


def _search(
    conn: sqlite3.Connection,
    changes: Changes,
    live: Facts,
    read: list[tuple[str, str, Any, tuple[int, int]]],
) -> None:
    """The full-text rows of the changed ids (all of them on a first build, from the
    records ``read`` already), when :mod:`lineage.store.search` is present."""
    try:
        from . import search
    except ImportError:  # pragma: no cover - the search module is optional
        return
    if changes.full:
        if type(live.models) is not Fetched:  # every live record, in reading order
            search.build_search(conn, live)
            return
        facts = Facts()
        for section, rid, record, _ in read:
            getattr(facts, section)[rid] = record
        search.build_search(conn, facts)
        return
    search.update_search(
        conn,
        (
            (section, rid, getattr(live, section).get(rid))
            for section, rid in changes.keys
        ),
    )
