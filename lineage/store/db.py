"""The on-disk store: the compiled facts in one SQLite file, built one fact file at a
time, read one row at a time.

Layout (one file per set of graph directories and version of the code, in
:func:`lineage.store.cache.cache_dir`):

``files``
    Each fact file's identity (size, mtime, inode) and the SHA-256 of the bytes that
    were parsed, its position in reading order and its own (loader) problems.
``records``
    Every record a file holds, as JSON (:mod:`lineage.store.rows`) with its position,
    and whether it is answered from (``live``: no errors, first of its id).
``edges``, ``claim_keys``, ``members``, ``names``, ``figure_keys``, ``emergence_keys``
    Per-file index rows pointing at ``records`` (derivations by parent and child,
    claims by model and capability, models by family, the exact-name index,
    figures by subject, emergence rows by capability).
``refs``, ``labels``, ``dates``
    Per-file rows for the cross-record rules: every id a record refers to, the
    folded form of every name and alias, each model's release date.
``topo``, ``problems``, ``meta``
    Whole-graph results: the derivation order and lineage size of each model, every
    problem (each with the record or group of records it is about), counts.

A build re-reads a file only when its identity changed, re-parses it only when the
bytes differ from the ones parsed before, replaces the rows of the records that
differ, and then re-checks only what those records can affect
(:mod:`lineage.store.update`), so its answer is the answer of a build from
scratch. Updates run in
one ``BEGIN IMMEDIATE`` transaction: a second builder waits and then finds the work
done, a reader keeps reading the snapshot it started with, and a build killed half
way leaves the previous build in place. A store that does not exist yet is built in
a temporary file without a journal and linked into place when complete
(:func:`_first_build`): nobody can be reading it, and a killed first build leaves
no store at all. Nothing read from the store is executed:
rows are JSON and numbers, the schema is compared with the expected one before use,
and ``trusted_schema`` is off.

The full-text index (:func:`lineage.store.search.build_search`, tables named
``search*``) is filled in the same transaction; queries reach its rows through
``StoredIndex.store.conn``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .._records import frozen_record, mutable_record
from ..errors import Problem, Severity
from ..facts.model import PRESENT_EFFECTS, Effect
from .rows import decode, encode

__all__ = [
    "SCHEMA_VERSION",
    "Store",
    "evict",
    "open_store",
    "store_path",
]

#: bump when the tables change (part of the file name, so old files are not read)
SCHEMA_VERSION = 3
#: builds keep at most this many store files (least recently used removed first)
KEEP_STORES = 8
#: a file modified this recently may change again within the same mtime tick
RACY_SECONDS = 2.0

#: how long a statement waits for another connection's lock before it gives up
#: (then the store is opened again: builders wait for each other on an ``flock``)
BUSY_SECONDS = 120.0

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
        "live INTEGER NOT NULL DEFAULT 0, src TEXT, PRIMARY KEY (fid, seq)"
    ),
    "edges": "fid INTEGER, seq INTEGER, parent TEXT, child TEXT, stage TEXT",
    "claim_keys": (
        "fid INTEGER, seq INTEGER, model TEXT, capability TEXT, stage TEXT, "
        "side INTEGER"
    ),
    "members": "fid INTEGER, seq INTEGER, family TEXT, model TEXT",
    "names": (
        "fid INTEGER, seq INTEGER, kind TEXT, key TEXT, id TEXT, label TEXT, "
        "how INTEGER"
    ),
    "figure_keys": "fid INTEGER, seq INTEGER, subject TEXT",
    "emergence_keys": "fid INTEGER, seq INTEGER, capability TEXT",
    "refs": "fid INTEGER, seq INTEGER, target TEXT",
    "labels": (
        "fid INTEGER, seq INTEGER, grp TEXT, rank INTEGER, key TEXT, kind TEXT, "
        "id TEXT, label TEXT, imported INTEGER"
    ),
    "dates": "fid INTEGER, seq INTEGER, date TEXT",
    "topo": "id TEXT PRIMARY KEY, ord INTEGER NOT NULL, size INTEGER NOT NULL",
    "problems": (
        "path TEXT, line INTEGER, col INTEGER, severity TEXT, message TEXT, "
        "code TEXT, fid INTEGER, seq INTEGER, grp TEXT"
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
    "refs_target": "refs (target)",
    "refs_fid": "refs (fid, seq)",
    "labels_key": "labels (key)",
    "labels_fid": "labels (fid, seq)",
    "dates_fid": "dates (fid, seq)",
    "problems_owner": "problems (fid, seq)",
    "problems_grp": "problems (grp)",
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
    "refs",
    "labels",
    "dates",
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
        "store/update.py",
        "store/chunks.py",
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


@frozen_record
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
            "SELECT path, line, col, severity, message, code FROM problems"
        )
        found = [
            Problem(p, ln, c, Severity(s), m, code) for p, ln, c, s, m, code in rows
        ]
        return sorted(found, key=lambda p: p.sort_key)

    def close(self) -> None:
        self.conn.close()


def _connect(path: Path | str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
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
    """The tables, and their indexes unless the tables are new: a first build
    fills them and then indexes them (:func:`_index`), which sorts each index once
    instead of inserting into it row by row."""
    new = (
        conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'records'"
        ).fetchone()[0]
        == 0
    )
    for name, columns in _TABLES.items():
        conn.execute(f"CREATE TABLE IF NOT EXISTS {name} ({columns})")
    if not new:
        _index(conn)


def _index(conn: sqlite3.Connection) -> None:
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
    built = not path.exists() and _first_build(path, files, seen, progress)
    conn = _open_file(path)
    if conn is None:
        conn, path_used = _connect(":memory:"), None
    else:
        path_used = path
    store = Store(conn, path_used)
    try:
        built = built and path_used is not None  # what we linked is what we read
        if not built and not _fresh(conn, files, seen):
            if path_used is None:
                _build(conn, files, seen, progress)
            else:
                with _build_lock(path_used, progress):  # no SQLite time-out to wait out
                    _build(conn, files, seen, progress)
            built = True
        if built and path_used is not None:
            evict(path.parent, keep=path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if path_used is None:
            raise
        if not _busy(exc):
            _remove(path)  # corrupt or foreign: start again from nothing
        return open_store(directories, progress=progress)
    conn.execute("BEGIN")  # one snapshot for every later read of this store
    return store


def _busy(exc: sqlite3.DatabaseError) -> bool:
    """Whether ``exc`` says another connection held the file too long (which is no
    reason to think the store broken: it is opened again, not removed)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and (
        "locked" in text or "busy" in text
    )


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


@mutable_record
class _Parsed:
    """One changed fact file, read and parsed: per record ``(section, id, complete,
    body, record, piece)``, ``record`` None for a row kept from the store (decoded
    when needed), ``piece`` the key of its lines (:mod:`lineage.store.chunks`)."""

    records: list[tuple[str, Any, int, str, Any, str | None]]
    problems: list[Problem]


def _build(
    conn: sqlite3.Connection,
    files: list[Path],
    listing: str,
    progress: Callable[[str], None] | None,
) -> None:
    import gc

    paused = gc.isenabled()
    gc.disable()
    conn.execute("BEGIN IMMEDIATE")
    try:
        _create(conn)
        if _fresh(conn, files, listing):  # another process built it while we waited
            conn.execute("COMMIT")
            return
        from .update import Changes, refresh

        before = conn.execute("SELECT value FROM meta WHERE key = 'listing'").fetchone()
        changes = Changes(full=before is None)
        _update_files(conn, files, progress, changes)
        _index(conn)
        refresh(conn, changes, listing, progress)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    finally:
        if paused:
            gc.enable()


def _first_build(
    path: Path,
    files: list[Path],
    listing: str,
    progress: Callable[[str], None] | None,
) -> bool:
    """Build a store that does not exist yet in a private temporary file without a
    journal, and link it into place complete.

    A store built from nothing has no earlier build to keep and no reader to serve,
    so it needs neither the rollback journal nor the write-ahead log (which wrote
    every page twice: once to the log, once at the checkpoint). The temporary file
    is named by the builder's process id and only ever linked to ``path``, never
    renamed over it, so a store that exists is always complete and never replaced
    under its readers. One builder at a time per store (an ``flock`` on
    ``path.lock``); a builder that waited finds ``path`` there and builds nothing.
    A killed build leaves its temporary file, removed by the next build of the
    same store or by :func:`evict`. Where none of this can be done (no ``flock``,
    no room, an unwritable directory) nothing is linked and :func:`open_store`
    builds in place as before. True when this call linked a new store.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _build_lock(path, progress) as locked:
            if not locked or path.exists():
                return False
            _remove_stale(path)
            temp = path.with_name(f"{path.name}.{os.getpid()}.{_TEMP}")
            try:
                _build_into(temp, files, listing, progress)
                return _link(temp, path)
            finally:
                _remove(temp)
    except (OSError, sqlite3.OperationalError):
        return False  # no room or no rights: open_store builds in place (or in memory)


#: the suffix of a first build's temporary file (``store-KEY.sqlite.PID.building``)
_TEMP = "building"


def _build_into(
    temp: Path,
    files: list[Path],
    listing: str,
    progress: Callable[[str], None] | None,
) -> None:
    """A complete store in ``temp``, synced to disk, in WAL mode like every store."""
    _remove(temp)
    conn = _connect(temp)
    try:
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        _build(conn, files, listing, progress)
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    fd = os.open(temp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link(temp: Path, path: Path) -> bool:
    """``temp`` under the name ``path`` unless ``path`` exists (then left alone)."""
    try:
        os.link(temp, path)
    except FileExistsError:
        return False
    except OSError:  # no hard links here: the lock makes the check-then-rename safe
        if path.exists():
            return False
        os.rename(temp, path)
    return True


@contextlib.contextmanager
def _build_lock(path: Path, progress: Callable[[str], None] | None) -> Iterator[bool]:
    """An exclusive ``flock`` on ``path.lock`` for as long as the block runs (said
    to ``progress`` when another builder holds it); False where ``flock`` does not
    exist."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield False
        return
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if progress is not None:
                progress("waiting for another process building the same store")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield True
    finally:
        os.close(fd)


def _remove_stale(path: Path) -> None:
    """The temporary files of ``path``'s first builds whose process is gone."""
    for temp in path.parent.glob(f"{path.name}.*.{_TEMP}"):
        pid = temp.name[len(path.name) + 1 : -len(_TEMP) - 1]
        if not pid.isdigit() or not _alive(int(pid)):
            _remove(temp)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (this one does: another of its threads may be
    building; a failed build of its own removed its file). The twin of
    ``lineage.outfile._running``, which the store may not import."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _update_files(
    conn: sqlite3.Connection,
    files: list[Path],
    progress: Callable[[str], None] | None,
    changes: Any,
) -> None:
    """Bring the ``files`` rows and per-file tables up to date, noting in
    ``changes`` (:class:`lineage.store.update.Changes`) each record that differs."""
    from ..facts.files import display as _display

    stored = _stored_files(conn)
    listed = {str(p.resolve()) for p in files}
    for gone in set(stored) - listed:
        _delete_file(conn, stored[gone][0], changes)
    for order, path in enumerate(files):
        key = str(path.resolve())
        row = stored.get(key)
        before = _identity(path)
        if row is not None and before is not None:
            if row[2:6] == before.row():
                conn.execute("UPDATE files SET ord = ? WHERE fid = ?", (order, row[0]))
                continue
        parsed, digest = _read_and_parse(conn, path, _display(path), row, progress)
        ident = _trusted(before, _identity(path))
        _write_file(
            conn, key, _display(path), order, ident, digest, parsed, row, changes
        )


def _trusted(before: _Identity | None, after: _Identity | None) -> _Identity | None:
    """The identity to remember, or None when the file may have changed unseen
    (it changed while being read, or so recently that the same mtime may recur)."""
    if before is None or before != after:
        return None
    if time.time() - before.mtime / 1e9 < RACY_SECONDS:
        return None
    return before


def _read_and_parse(
    conn: sqlite3.Connection,
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
    kept = _parse_changed(conn, data, shown, row)
    if kept is not None:
        return kept, digest
    document = parse_document(data, shown, problems)
    records = [] if document is None else document_records(document, shown, problems)
    return _Parsed(_rows_of(records, data, problems), problems), digest


def _rows_of(
    records: list[tuple[str, Any, bool]], data: bytes, problems: list[Problem]
) -> list[tuple[str, Any, int, str, Any, str | None]]:
    """Rows of a whole parse, each with its piece when the file is plain and every
    piece made one record (so the next parse can keep them)."""
    from .chunks import pieces

    cut = None if problems else pieces(data.decode("utf-8", "replace"))
    keys: list[str | None] = [None] * len(records)
    if cut is not None and len(cut[1]) == len(records):
        if all(p.section == r[0] for p, r in zip(cut[1], records, strict=True)):
            keys = [p.key for p in cut[1]]
    return [
        (section, rec.id, int(complete), encode(rec), rec, key)
        for (section, rec, complete), key in zip(records, keys, strict=True)
    ]


def _parse_changed(
    conn: sqlite3.Connection, data: bytes, shown: str, row: tuple[Any, ...] | None
) -> _Parsed | None:
    """The file's rows from the stored rows of its unchanged pieces and a parse of
    the others (None: parse the whole file)."""
    from ..facts.loader import document_records, parse_document
    from .chunks import changed_document, pieces

    if row is None:
        return None
    fid = row[0]
    (before,) = conn.execute(
        "SELECT problems FROM files WHERE fid = ?", (fid,)
    ).fetchone()
    if json.loads(before):
        return None
    try:
        cut = pieces(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if cut is None:
        return None
    headers, found = cut
    stored = {
        src: (section, rid, complete, body)
        for src, section, rid, complete, body in conn.execute(
            "SELECT src, section, id, complete, body FROM records WHERE fid = ? "
            "AND src IS NOT NULL",
            (fid,),
        )
    }
    if len(stored) * 2 < len(found):  # mostly new: parse it whole
        return None
    changed = [p for p in found if p.key not in stored]
    problems: list[Problem] = []
    records: list[tuple[str, Any, bool]] = []
    if changed:
        text = changed_document(headers, changed).encode()
        document = parse_document(text, shown, problems)
        if document is not None:
            records = document_records(document, shown, problems)
        if problems or len(records) != len(changed):
            return None
    fresh = iter(records)
    out: list[tuple[str, Any, int, str, Any, str | None]] = []
    for piece in found:
        if piece.key in stored:
            section, rid, complete, body = stored[piece.key]
            out.append((section, rid, complete, body, None, piece.key))
            continue
        section, rec, complete = next(fresh)
        if section != piece.section:
            return None
        out.append((section, rec.id, int(complete), encode(rec), rec, piece.key))
    return _Parsed(out, [])


def _write_file(
    conn: sqlite3.Connection,
    key: str,
    shown: str,
    order: int,
    ident: _Identity | None,
    digest: str | None,
    parsed: _Parsed | None,
    row: tuple[Any, ...] | None,
    changes: Any,
) -> None:
    """Write one read file: its identity, and (when parsed) the rows of the records
    that differ from the stored ones (the same record at the same place is kept)."""
    identity = ident.row() if ident else (-1, -1, -1, -1)
    if parsed is None and row is not None:  # same bytes: a new identity only
        conn.execute(
            "UPDATE files SET ord = ?, size = ?, mtime = ?, ctime = ?, inode = ? "
            "WHERE fid = ?",
            (order, *identity, row[0]),
        )
        return
    assert parsed is not None
    problems = json.dumps([_problem_out(p) for p in parsed.problems])
    old: dict[int, tuple[Any, ...]] = {}
    if row is None:
        cursor = conn.execute(
            "INSERT INTO files (path, shown, ord, size, mtime, ctime, inode, digest, "
            "problems) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (key, shown, order, *identity, digest, problems),
        )
        fid = int(cursor.lastrowid or 0)
    else:
        fid = int(row[0])
        conn.execute(
            "UPDATE files SET shown = ?, ord = ?, size = ?, mtime = ?, ctime = ?, "
            "inode = ?, digest = ?, problems = ? WHERE fid = ?",
            (shown, order, *identity, digest, problems, fid),
        )
        stored = conn.execute(
            "SELECT seq, section, id, body, complete FROM records WHERE fid = ?",
            (fid,),
        )
        old = {
            seq: (section, rid, body, complete)
            for seq, section, rid, body, complete in stored
        }
    new = parsed.records
    same = {
        seq
        for seq, (section, rid, complete, body, _, _) in enumerate(new)
        if old.get(seq) == (section, rid, body, complete)
    }
    gone = [seq for seq in old if seq not in same]
    fresh = [seq for seq in range(len(new)) if seq not in same] if same else None
    changes.file(conn, fid, gone, parsed.problems)
    _delete_rows(conn, fid, gone)
    written = changes.parsed
    for seq in range(len(new)) if fresh is None else fresh:
        entry = new[seq]
        if entry[4] is None:  # kept from the store, at another place in the file
            rec = decode(entry[0], entry[3], shown)
            new[seq] = entry = (*entry[:4], rec, entry[5])
        written.put(fid, seq, entry[4])
    _insert_rows(conn, fid, new, fresh, changes.seen if changes.full else None)
    if not changes.full:
        seqs = range(len(new)) if fresh is None else fresh
        changes.added(fid, [(seq, new[seq][0], new[seq][1]) for seq in seqs])
    if same:  # the kept rows' pieces (a whole parse finds them again)
        conn.executemany(
            "UPDATE records SET src = ? WHERE fid = ? AND seq = ?",
            ((new[seq][5], fid, seq) for seq in same),
        )


def _delete_rows(conn: sqlite3.Connection, fid: int, seqs: list[int]) -> None:
    for start in range(0, len(seqs), 500):
        chunk = seqs[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for table in _PER_FILE:
            conn.execute(
                f"DELETE FROM {table} WHERE fid = ? AND seq IN ({marks})",  # noqa: S608
                (fid, *chunk),
            )


def _delete_file(conn: sqlite3.Connection, fid: int, changes: Any) -> None:
    seqs = [s for (s,) in conn.execute("SELECT seq FROM records WHERE fid = ?", (fid,))]
    changes.file(conn, fid, seqs, [])
    for table in _PER_FILE:
        conn.execute(f"DELETE FROM {table} WHERE fid = ?", (fid,))
    conn.execute("DELETE FROM files WHERE fid = ?", (fid,))


def _insert_rows(
    conn: sqlite3.Connection,
    fid: int,
    records: list[tuple[str, Any, int, str, Any, str | None]],
    seqs: list[int] | None,
    seen: Any = None,
) -> None:
    """The rows of the records ``(section, id, complete, body, record, piece)`` of
    file ``fid`` at the places ``seqs`` (None: every one), in every per-file table.

    On a first build (``seen``: the ids written so far, files in reading order,
    :class:`lineage.store.update.FirstIds`) a row is written answered from
    (``live``) when it has no errors and is the first of its id; otherwise the
    rules decide (:func:`lineage.store.update.refresh`).
    """
    from ..facts.fold import normalize
    from .names import _labels_of
    from .update import key_rows

    out: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _PER_FILE}
    rows, names = out["records"], out["names"]
    for seq in range(len(records)) if seqs is None else seqs:
        section, rid, complete, body, rec, src = records[seq]
        live = 0
        if seen is not None and rid is not None:
            live = int(seen.first(section, rid) and bool(complete))
        rows.append((fid, seq, section, rid, body, complete, live, src))
        if not complete:  # kept for the rules, never answered from
            key_rows(fid, seq, section, rec, False, out)
            continue
        _index_rows(fid, seq, section, rec, out)
        kind = _KIND_OF.get(section)
        if kind is None:
            key_rows(fid, seq, section, rec, True, out)
            continue
        # the first two steps of Names.lookup: id, then name
        labels = _labels_of(kind, rec)
        folded = [normalize(label) for label in labels]
        names.append((fid, seq, kind, rid, rid, rid, 0))
        names += [
            (fid, seq, kind, key, rid, label, 1)
            for label, key in zip(labels, folded, strict=True)
        ]
        key_rows(fid, seq, section, rec, True, out, folded)
    for name, found in out.items():
        if found:
            marks = ",".join("?" * len(found[0]))
            conn.executemany(f"INSERT INTO {name} VALUES ({marks})", found)  # noqa: S608


def _index_rows(
    fid: int, seq: int, section: str, rec: Any, out: dict[str, list[tuple[Any, ...]]]
) -> None:
    """The index rows of a record without errors (edges, claim keys, members,
    figure and emergence keys) into ``out``."""
    if section == "claims":
        out["claim_keys"].append(_claim_row(fid, seq, rec))
    elif section == "derivations":
        out["edges"].append((fid, seq, rec.parent, rec.child, rec.stage.value))
    elif section == "models" and rec.family:
        out["members"].append((fid, seq, rec.family, rec.id))
    elif section == "figures":
        out["figure_keys"].append((fid, seq, rec.subject))
    elif section == "emergence":
        out["emergence_keys"].append((fid, seq, rec.capability))


#: section -> the kind of name its records have
_KIND_OF = {section: kind for kind, section in NAME_KINDS.items()}


#: the effects that say a capability is there (the conflicting-claims rule's sides)
_PRESENT = frozenset({*PRESENT_EFFECTS, Effect.WEAKENED})


def _claim_row(fid: int, seq: int, claim: Any) -> tuple[Any, ...]:
    """A claim's keys; ``side``: whether it says the capability is there (None for
    an alternative, which the conflicting-claims rule leaves out)."""
    side = None
    if claim.alternative_to is None:
        side = int(claim.effect in _PRESENT)
    stage = claim.stage.value if claim.stage is not None else None
    return (fid, seq, claim.model, claim.capability, stage, side)


def _problem_out(p: Problem) -> list[Any]:
    return [p.path, p.line, p.column, p.severity.value, p.message, p.code]


# --- eviction ---------------------------------------------------------------------


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        _unlink(f"{path}{suffix}")


def _unlink(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def evict(directory: Path, keep: Path | None = None, limit: int = KEEP_STORES) -> int:
    """Remove old store files (and the pickles of earlier versions); return how many.
    The temporary files of first builds that were killed go too.

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
        _unlink(f"{path}.lock")
    for stem in {b.name.split(".")[0] for b in directory.glob(f"store-*.*.{_TEMP}")}:
        _remove_stale(directory / f"{stem}.sqlite")
    for path in pickles:
        _remove(path)
    return len(old) + len(pickles)
