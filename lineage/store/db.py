"""The on-disk store: the compiled facts in one SQLite file, built one fact file at a
time, read one row at a time.

Layout (one file per set of graph directories and version of the code, in
:func:`lineage.store.cache.cache_dir`):

``files``
    Each fact file's identity (size, mtime, inode) and the SHA-256 of the bytes that
    were parsed, its position in reading order and its own (loader) problems.
``records``
    Every record a file holds, as JSON (:mod:`lineage.store.rows`) with its position.
``edges``, ``claim_keys``, ``members``, ``names``, ``figure_keys``, ``emergence_keys``
    Per-file index rows pointing at ``records`` (derivations by parent and child,
    claims by model and capability, models by family, the exact-name index,
    figures by subject, emergence rows by capability).
``topo``, ``problems``, ``meta``
    Whole-graph results rebuilt after any change: the derivation order and lineage
    size of each model, every problem (loader and cross-record rules), counts.

A build re-reads a file only when its identity changed, re-parses it only when the
bytes differ from the ones parsed before, replaces that file's rows, and then
re-runs every cross-record rule over the facts (decoded from the store for the
unchanged files), so its answer is the answer of a build from scratch. Builds run in
one ``BEGIN IMMEDIATE`` transaction: a second builder waits and then finds the work
done, a reader keeps reading the snapshot it started with, and a build killed half
way leaves the previous build in place. Nothing read from the store is executed:
rows are JSON and numbers, the schema is compared with the expected one before use,
and ``trusted_schema`` is off.

The full-text index (:func:`lineage.store.search.build_search`, tables named
``search*``) is filled in the same transaction, as is anything in
:data:`BUILD_HOOKS`; queries reach the rows through ``StoredIndex.store.conn``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Problem, Severity
from ..facts.model import Facts
from .rows import decode, encode

__all__ = [
    "BUILD_HOOKS",
    "SCHEMA_VERSION",
    "Store",
    "evict",
    "open_store",
    "store_path",
]

#: bump when the tables change (part of the file name, so old files are not read)
SCHEMA_VERSION = 2
#: builds keep at most this many store files (least recently used removed first)
KEEP_STORES = 8
#: a file modified this recently may change again within the same mtime tick
RACY_SECONDS = 2.0
#: callables run inside each build transaction after the rows are written, given
#: the connection and the facts; they own tables whose names start with ``search``
BUILD_HOOKS: list[Callable[[sqlite3.Connection, Facts], None]] = []

_TABLES = {
    "meta": "key TEXT PRIMARY KEY, value TEXT NOT NULL",
    "files": (
        "fid INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, shown TEXT NOT NULL, "
        "ord INTEGER NOT NULL, size INTEGER, mtime INTEGER, ctime INTEGER, inode INTEGER, "
        "digest TEXT, problems TEXT NOT NULL"
    ),
    "records": (
        "fid INTEGER NOT NULL, seq INTEGER NOT NULL, section TEXT NOT NULL, "
        "id TEXT, body TEXT NOT NULL, complete INTEGER NOT NULL, "
        "PRIMARY KEY (fid, seq)"
    ),
    "edges": "fid INTEGER, seq INTEGER, parent TEXT, child TEXT",
    "claim_keys": "fid INTEGER, seq INTEGER, model TEXT, capability TEXT",
    "members": "fid INTEGER, seq INTEGER, family TEXT, model TEXT",
    "names": "fid INTEGER, kind TEXT, key TEXT, id TEXT, label TEXT, how INTEGER",
    "figure_keys": "fid INTEGER, seq INTEGER, subject TEXT",
    "emergence_keys": "fid INTEGER, seq INTEGER, capability TEXT",
    "topo": "id TEXT PRIMARY KEY, ord INTEGER NOT NULL, size INTEGER NOT NULL",
    "problems": (
        "path TEXT, line INTEGER, col INTEGER, severity TEXT, message TEXT, code TEXT"
    ),
}
_INDEXES = {
    "records_id": "records (section, id)",
    "records_section": "records (section, fid, seq)",
    "edges_parent": "edges (parent)",
    "edges_child": "edges (child)",
    "edges_fid": "edges (fid)",
    "claims_model": "claim_keys (model)",
    "claims_capability": "claim_keys (capability)",
    "claims_fid": "claim_keys (fid)",
    "members_family": "members (family)",
    "members_fid": "members (fid)",
    "names_key": "names (key)",
    "names_fid": "names (fid)",
    "figures_subject": "figure_keys (subject)",
    "figures_fid": "figure_keys (fid)",
    "emergence_capability": "emergence_keys (capability)",
    "emergence_fid": "emergence_keys (fid)",
}
#: the per-file tables (rows replaced when their file changes)
_PER_FILE = (
    "records",
    "edges",
    "claim_keys",
    "members",
    "names",
    "figure_keys",
    "emergence_keys",
)
#: the kinds of record a name can lead to, and the section holding them
NAME_KINDS = {
    "capability": "capabilities",
    "model": "models",
    "family": "families",
    "stage": "stages",
    "source": "sources",
    "concept": "concepts",
}


def _key(parts: Iterable[bytes]) -> str:
    """A 64-bit hex key of ``parts`` (two CRCs: a cache name, not a signature; what
    a store holds is checked when read, and the bytes it parsed carry a SHA-256).
    ``zlib`` instead of ``hashlib`` keeps OpenSSL out of every question's start-up."""
    import zlib

    crc, adler = 0, 1
    for part in parts:
        crc, adler = zlib.crc32(part, crc), zlib.adler32(part, adler)
    return f"{crc:08x}{adler:08x}"


def _code_parts() -> Iterator[bytes]:
    """The modules that shape the stored form (a new version, a new file)."""
    yield f"schema {SCHEMA_VERSION}".encode()
    here = Path(__file__).resolve().parent.parent
    for name in (
        "facts/model.py",
        "facts/files.py",
        "facts/loader.py",
        "facts/validate.py",
        "facts/fold.py",
        "store/names.py",
        "store/search.py",
        "store/index.py",
        "store/rows.py",
        "store/db.py",
    ):
        try:
            yield (here / name).read_bytes()
        except OSError:
            yield b"-"


def store_path(directories: Sequence[str | os.PathLike[str]]) -> Path:
    """The store file of a set of graph directories (and of the running code).

    The key holds each directory's absolute path and the way it is shown (paths in
    messages are relative to the working directory), so two working directories
    never share rows that print different paths.
    """
    from ..facts.files import display as _display
    from .cache import cache_dir

    roots = [Path(d) for d in directories]
    dirs = (f"{r.resolve()}\0{_display(r)}\0".encode() for r in roots)
    return cache_dir() / f"store-{_key([*_code_parts(), *dirs])}.sqlite"


@dataclass(frozen=True, slots=True)
class _Identity:
    size: int
    mtime: int
    ctime: int
    inode: int

    def row(self) -> tuple[int, int, int, int]:
        return (self.size, self.mtime, self.ctime, self.inode)


def _identity(path: Path) -> _Identity | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return _Identity(st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


class Store:
    """An open store: a connection reading one consistent build."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self.conn = conn
        self.path = path
        self._meta: dict[str, Any] | None = None

    def meta(self, key: str) -> Any:
        """A value the last build recorded (``counts``, ``files``)."""
        if self._meta is None:
            rows = self.conn.execute("SELECT key, value FROM meta").fetchall()
            self._meta = {k: json.loads(v) for k, v in rows}
        return self._meta.get(key)

    def problems(self) -> list[Problem]:
        """Every problem of the last build, sorted as ``check`` prints them."""
        rows = self.conn.execute(
            "SELECT path, line, col, severity, message, code FROM problems "
            "ORDER BY rowid"
        )
        return [
            Problem(p, ln, c, Severity(s), m, code) for p, ln, c, s, m, code in rows
        ]

    def close(self) -> None:
        self.conn.close()


def _connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=120, isolation_level=None)
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA busy_timeout = 120000")
    return conn


def _expected_schema() -> set[tuple[str, str]]:
    names = {("table", name) for name in _TABLES}
    return names | {("index", name) for name in _INDEXES}


def _schema_ok(conn: sqlite3.Connection) -> bool:
    """True when the file holds exactly our tables (empty: to be created)."""
    found = {
        (kind, name)
        for kind, name in conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'search%'"
        )
    }
    return not found or found == _expected_schema()


def _create(conn: sqlite3.Connection) -> None:
    for name, columns in _TABLES.items():
        conn.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
    for name, columns in _INDEXES.items():
        conn.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {columns}")


def _open_file(path: Path) -> sqlite3.Connection | None:
    """A connection to the store file, or None when it cannot be used (rebuilt)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = _connect(path)
        conn.execute("PRAGMA journal_mode = WAL")
        if not _schema_ok(conn):
            conn.close()
            return None
        return conn
    except (OSError, sqlite3.Error):
        return None


def open_store(
    directories: Sequence[str | os.PathLike[str]],
    *,
    progress: Callable[[str], None] | None = None,
) -> Store:
    """The store of the given graph directories, brought up to date first.

    Falls back to a private in-memory store when the cache directory cannot be
    written or holds a file that is not ours (which is then left alone).

    Raises
    ------
    FactError
        If a directory does not exist or holds no fact file.
    """
    from ..facts.files import list_facts

    listing = list_facts(directories)
    files = listing.files
    seen = _listing_key(listing.skipped, listing.problems)
    path = store_path(directories)
    conn = _open_file(path)
    if conn is None:
        conn, path_used = _connect(":memory:"), None
    else:
        path_used = path
    store = Store(conn, path_used)
    try:
        if not _fresh(conn, files, seen):
            _build(conn, files, seen, progress)
            if path_used is not None:
                evict(path.parent, keep=path)
    except sqlite3.DatabaseError:
        conn.close()
        if path_used is None:
            raise
        _remove(path)  # corrupt or foreign: start again from nothing
        return open_store(directories, progress=progress)
    conn.execute("BEGIN")  # one snapshot for every later read of this store
    return store


def _stored_files(conn: sqlite3.Connection) -> dict[str, tuple[Any, ...]]:
    try:
        rows = conn.execute(
            "SELECT path, fid, ord, size, mtime, ctime, inode, digest FROM files"
        ).fetchall()
    except sqlite3.OperationalError:  # no tables yet
        return {}
    return {row[0]: row[1:] for row in rows}


def _listing_key(skipped: list[str], problems: list[Problem]) -> str:
    """What the listing found besides fact files, as the store remembers it."""
    return json.dumps([skipped, [_problem_out(p) for p in problems]])


def _fresh(conn: sqlite3.Connection, files: list[Path], listing: str) -> bool:
    """True when every file is the one the last complete build read, and the listing
    found the same other entries."""
    stored = _stored_files(conn)
    if len(stored) != len(files):
        return False
    try:
        done = conn.execute("SELECT value FROM meta WHERE key = 'listing'").fetchone()
    except sqlite3.OperationalError:
        return False
    if done is None or json.loads(done[0]) != listing:
        return False
    for order, path in enumerate(files):
        row = stored.get(str(path.resolve()))
        ident = _identity(path)
        if row is None or ident is None or row[1] != order:
            return False
        if row[2:6] != ident.row():
            return False
    return True


# --- building ---------------------------------------------------------------------


@dataclass(slots=True)
class _Parsed:
    """One changed fact file, read and parsed."""

    records: list[tuple[str, Any, bool]]
    problems: list[Problem]


def _build(
    conn: sqlite3.Connection,
    files: list[Path],
    listing: str,
    progress: Callable[[str], None] | None,
) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        _create(conn)
        if _fresh(conn, files, listing):  # another process built it while we waited
            conn.execute("COMMIT")
            return
        before = conn.execute("SELECT value FROM meta WHERE key = 'listing'").fetchone()
        changed = _update_files(conn, files, progress)
        if changed or before is None or json.loads(before[0]) != listing:
            _rebuild_graph(conn, changed, listing, progress)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _update_files(
    conn: sqlite3.Connection,
    files: list[Path],
    progress: Callable[[str], None] | None,
) -> dict[int, _Parsed]:
    """Bring the ``files`` rows and per-file tables up to date; return what changed."""
    from ..facts.files import display as _display

    stored = _stored_files(conn)
    listed = {str(p.resolve()) for p in files}
    changed: dict[int, _Parsed] = {}
    for gone in set(stored) - listed:
        _delete_file(conn, stored[gone][0])
        changed[stored[gone][0]] = _Parsed([], [])
    for order, path in enumerate(files):
        key = str(path.resolve())
        row = stored.get(key)
        before = _identity(path)
        if row is not None and before is not None:
            if row[2:6] == before.row():
                conn.execute("UPDATE files SET ord = ? WHERE fid = ?", (order, row[0]))
                if row[1] != order:
                    changed.setdefault(row[0], _Parsed([], []))
                continue
        parsed, digest = _read_and_parse(path, _display(path), row, progress)
        ident = _trusted(before, _identity(path))
        fid = _write_file(conn, key, _display(path), order, ident, digest, parsed, row)
        if parsed is not None:
            changed[fid] = parsed
        elif row is not None and row[1] != order:
            changed.setdefault(fid, _Parsed([], []))
    return changed


def _trusted(before: _Identity | None, after: _Identity | None) -> _Identity | None:
    """The identity to remember, or None when the file may have changed unseen
    (it changed while being read, or so recently that the same mtime may recur)."""
    if before is None or before != after:
        return None
    if time.time() - before.mtime / 1e9 < RACY_SECONDS:
        return None
    return before


def _read_and_parse(
    path: Path,
    shown: str,
    row: tuple[Any, ...] | None,
    progress: Callable[[str], None] | None,
) -> tuple[_Parsed | None, str | None]:
    """The file's records parsed from the bytes read now (None: same bytes as before).

    The digest is taken of exactly the bytes handed to the parser, so what the store
    remembers is what it parsed, even if the file changes meanwhile.
    """
    from ..facts.loader import document_records, parse_document, read_fact_data

    problems: list[Problem] = []
    data = read_fact_data(path, shown, problems)
    if data is None:
        return _Parsed([], problems), None
    import hashlib

    digest = hashlib.sha256(data).hexdigest()
    if row is not None and row[6] == digest:
        return None, digest
    if progress is not None:
        progress(shown)
    document = parse_document(data, shown, problems)
    records = [] if document is None else document_records(document, shown, problems)
    return _Parsed(records, problems), digest


def _write_file(
    conn: sqlite3.Connection,
    key: str,
    shown: str,
    order: int,
    ident: _Identity | None,
    digest: str | None,
    parsed: _Parsed | None,
    row: tuple[Any, ...] | None,
) -> int:
    identity = ident.row() if ident else (-1, -1, -1, -1)
    if parsed is None and row is not None:  # same bytes: a new identity only
        conn.execute(
            "UPDATE files SET ord = ?, size = ?, mtime = ?, ctime = ?, inode = ? "
            "WHERE fid = ?",
            (order, *identity, row[0]),
        )
        return int(row[0])
    assert parsed is not None
    if row is not None:
        _delete_file(conn, row[0])
    problems = json.dumps([_problem_out(p) for p in parsed.problems])
    cursor = conn.execute(
        "INSERT INTO files (path, shown, ord, size, mtime, ctime, inode, digest, "
        "problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (key, shown, order, *identity, digest, problems),
    )
    fid = int(cursor.lastrowid or 0)
    _insert_rows(conn, fid, parsed.records)
    return fid


def _delete_file(conn: sqlite3.Connection, fid: int) -> None:
    for table in _PER_FILE:
        conn.execute(f"DELETE FROM {table} WHERE fid = ?", (fid,))
    conn.execute("DELETE FROM files WHERE fid = ?", (fid,))


def _insert_rows(
    conn: sqlite3.Connection, fid: int, records: list[tuple[str, Any, bool]]
) -> None:
    from ..facts.fold import normalize
    from .names import _labels_of

    kinds = {section: kind for kind, section in NAME_KINDS.items()}
    rows: list[tuple[Any, ...]] = []
    edges: list[tuple[Any, ...]] = []
    claims: list[tuple[Any, ...]] = []
    members: list[tuple[Any, ...]] = []
    names: list[tuple[Any, ...]] = []
    figures: list[tuple[Any, ...]] = []
    emergence: list[tuple[Any, ...]] = []
    for seq, (section, rec, complete) in enumerate(records):
        rows.append((fid, seq, section, rec.id, encode(rec), int(complete)))
        if not complete:  # kept for the rules, never answered from
            continue
        if section == "derivations":
            edges.append((fid, seq, rec.parent, rec.child))
        elif section == "claims":
            claims.append((fid, seq, rec.model, rec.capability))
        elif section == "models" and rec.family:
            members.append((fid, seq, rec.family, rec.id))
        elif section == "figures":
            figures.append((fid, seq, rec.subject))
        elif section == "emergence":
            emergence.append((fid, seq, rec.capability))
        if section in kinds:  # the first two steps of Names.lookup: id, then name
            kind = kinds[section]
            names.append((fid, kind, rec.id, rec.id, rec.id, 0))
            names.extend(
                (fid, kind, normalize(label), rec.id, label, 1)
                for label in _labels_of(kind, rec)
            )
    conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.executemany("INSERT INTO edges VALUES (?, ?, ?, ?)", edges)
    conn.executemany("INSERT INTO claim_keys VALUES (?, ?, ?, ?)", claims)
    conn.executemany("INSERT INTO members VALUES (?, ?, ?, ?)", members)
    conn.executemany("INSERT INTO names VALUES (?, ?, ?, ?, ?, ?)", names)
    conn.executemany("INSERT INTO figure_keys VALUES (?, ?, ?)", figures)
    conn.executemany("INSERT INTO emergence_keys VALUES (?, ?, ?)", emergence)


def _problem_out(p: Problem) -> list[Any]:
    return [p.path, p.line, p.column, p.severity.value, p.message, p.code]


def _problem_in(row: list[Any]) -> Problem:
    return Problem(row[0], row[1], row[2], Severity(row[3]), row[4], row[5])


def file_records(
    conn: sqlite3.Connection, fid: int, shown: str
) -> Iterator[tuple[str, Any, bool]]:
    """The records a stored file holds, decoded, in file order."""
    rows = conn.execute(
        "SELECT section, body, complete FROM records WHERE fid = ? ORDER BY seq",
        (fid,),
    )
    for section, body, complete in rows:
        yield section, decode(section, body, shown), bool(complete)


def _rebuild_graph(
    conn: sqlite3.Connection,
    changed: dict[int, _Parsed],
    listing: str,
    progress: Callable[[str], None] | None,
) -> None:
    """Re-run the cross-record rules and the whole-graph tables over every file."""
    from ..facts.loader import add_records
    from ..facts.validate import validate

    if progress is not None:
        progress("checking references, cycles, aliases and dates")
    skipped, listed = json.loads(listing)
    facts = Facts()
    facts.skipped = tuple(skipped)
    problems: list[Problem] = [_problem_in(p) for p in listed]
    shown_files: list[str] = []
    partial: dict[tuple[str, str | None], Any] = {}
    for fid, shown, file_problems in conn.execute(
        "SELECT fid, shown, problems FROM files ORDER BY ord"
    ).fetchall():
        shown_files.append(shown)
        parsed = changed.get(fid)
        if parsed is not None and (parsed.records or parsed.problems):
            records: Iterable[tuple[str, Any, bool]] = parsed.records
        else:
            records = file_records(conn, fid, shown)
        problems.extend(_problem_in(p) for p in json.loads(file_problems))
        add_records(facts, records, problems, partial)
    facts.files = tuple(shown_files)
    problems = sorted([*problems, *validate(facts)], key=lambda p: p.sort_key)
    _write_graph_tables(conn, facts, problems, listing)
    for hook in (*_search_builders(), *BUILD_HOOKS):
        hook(conn, facts)


def _search_builders() -> list[Callable[[sqlite3.Connection, Facts], None]]:
    """The full-text index's builder, when :mod:`lineage.store.search` is present
    (it fills its own ``search`` FTS5 table from the facts, in this transaction)."""
    try:
        from .search import build_search  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return []
    return [build_search]


def _write_graph_tables(
    conn: sqlite3.Connection, facts: Facts, problems: list[Problem], listing: str
) -> None:
    from .index import component_sizes, derivation_tables, topological_order

    parents, children = derivation_tables(facts)
    order = topological_order(facts, parents, children)
    sizes = component_sizes(facts, children)
    conn.execute("DELETE FROM topo")
    conn.executemany(
        "INSERT INTO topo VALUES (?, ?, ?)",
        ((mid, n, sizes[mid]) for mid, n in order.items()),
    )
    conn.execute("DELETE FROM problems")
    conn.executemany(
        "INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?)",
        (_problem_out(p) for p in problems),
    )
    meta = {
        "counts": facts.counts(),
        "files": list(facts.files),
        "skipped": list(facts.skipped),
        "listing": listing,
    }
    conn.execute("DELETE FROM meta")
    conn.executemany(
        "INSERT INTO meta VALUES (?, ?)",
        ((k, json.dumps(v)) for k, v in meta.items()),
    )


# --- eviction ---------------------------------------------------------------------


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.unlink(f"{path}{suffix}")
        except OSError:
            pass


def evict(directory: Path, keep: Path | None = None, limit: int = KEEP_STORES) -> int:
    """Remove old store files (and the pickles of earlier versions); return how many.

    The ``limit`` most recently built stores stay; ``keep`` always stays. A store in
    use by another process is removed from the directory only (its open file lives
    on until closed, as SQLite allows on POSIX).
    """
    try:
        stores = sorted(
            directory.glob("store-*.sqlite"),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        pickles = list(directory.glob("*.pickle"))
    except OSError:
        return 0
    old = [p for p in stores if p != keep][max(0, limit - 1) :]
    for path in old:
        _remove(path)
    for path in pickles:
        _remove(path)
    return len(old) + len(pickles)
