"""The on-disk store: reused, updated one file at a time, equal to a fresh build,
never executes what it reads, safe under concurrent builders and kill -9."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lineage.api import check_facts, load_graph
from lineage.errors import FactsInvalid
from lineage.provenance.query import find_origins, show_model, to_jsonable
from lineage.store import cache, db
from lineage.store.lazy import StoredIndex

MINI = Path(__file__).parent / "data" / "mini" / "mini.yaml"


def _graph(tmp_path: Path) -> Path:
    graph = tmp_path / "g"
    graph.mkdir()
    (graph / "mini.yaml").write_bytes(MINI.read_bytes())
    return graph


def _stores() -> list[Path]:
    return sorted(cache.cache_dir().glob("store-*.sqlite"))


def _answers(index: object) -> object:
    facts = index.facts  # type: ignore[attr-defined]
    return (
        [to_jsonable(find_origins(index, c)) for c in facts.capabilities],  # type: ignore[arg-type]
        [to_jsonable(show_model(index, m)) for m in facts.models],  # type: ignore[arg-type]
    )


def test_store_answers_equal_the_in_memory_index(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    stored = load_graph([graph])
    assert isinstance(stored, StoredIndex)
    assert _answers(stored) == _answers(load_graph([graph], cache=False))
    assert len(_stores()) == 1


def test_second_load_parses_nothing(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    load_graph([graph])
    parsed: list[str] = []
    index = load_graph([graph], progress=parsed.append)
    assert parsed == []
    assert index.facts.counts()["claims"] == 9


def test_one_edited_file_is_the_only_one_parsed(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    (graph / "more.yaml").write_text("models:\n  - {id: extra, name: Extra}\n")
    load_graph([graph])
    path = graph / "mini.yaml"
    path.write_text(path.read_text().replace("Writes text.", "Writes prose."))
    parsed: list[str] = []
    index = load_graph([graph], progress=parsed.append)
    # progress names files as shown to users: relative to the working directory
    # when it can (a checkout under /tmp), so compare the files, not the strings
    assert [Path(p).resolve() for p in parsed if p.endswith(".yaml")] == [
        path.resolve()
    ]
    assert index.facts.capabilities["generation"].description == "Writes prose."
    assert "extra" in index.facts.models


def test_new_and_removed_files(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    load_graph([graph])
    (graph / "more.yaml").write_text("models:\n  - {id: extra, name: Extra}\n")
    assert "extra" in load_graph([graph]).facts.models
    (graph / "more.yaml").unlink()
    assert "extra" not in load_graph([graph]).facts.models


def test_an_edit_in_one_file_makes_a_problem_in_another(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    extra = graph / "extra.yaml"
    extra.write_text("models:\n  - {id: extra, name: Extra, family: fam}\n")
    assert check_facts([graph])[1] == []
    mini = graph / "mini.yaml"
    text = mini.read_text()
    mini.write_text(
        text.replace("- {id: fam, name: Family One", "- {id: fan, name: Family One")
    )
    problems = [str(p) for p in check_facts([graph])[1]]
    assert any("extra.yaml" in p and "'fam'" in p for p in problems), problems
    mini.write_text(text)
    assert check_facts([graph])[1] == []


def test_same_size_edit_with_restored_mtime_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 13 item 10: the key is what was parsed, not what a stat promised."""
    monkeypatch.setattr(db, "RACY_SECONDS", 0.0)
    graph = _graph(tmp_path)
    path = graph / "mini.yaml"
    old = os.stat(path)
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns - 10**10))
    load_graph([graph])
    before = os.stat(path)
    path.write_text(path.read_text().replace("Writes text.", "Writes TEXT."))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -r` would
    assert os.stat(path).st_size == before.st_size
    index = load_graph([graph])
    assert index.facts.capabilities["generation"].description == "Writes TEXT."


def test_file_edited_while_being_built_is_read_again(tmp_path: Path) -> None:
    """Issue 13 item 10: an edit during a run never leaves a stale answer behind."""
    graph = _graph(tmp_path)
    path = graph / "mini.yaml"
    text = path.read_text()

    def edit_meanwhile(shown: str) -> None:
        if shown.endswith("mini.yaml"):
            path.write_text(text.replace("Writes text.", "Writes later text."))

    first = load_graph([graph], progress=edit_meanwhile)
    assert first.facts.capabilities["generation"].description == "Writes text."
    second = load_graph([graph])
    assert second.facts.capabilities["generation"].description == "Writes later text."


def test_invalid_facts_are_stored_and_reported_every_time(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    (graph / "bad.yaml").write_text("models:\n  - {id: bad, name: Bad, family: nope}\n")
    for _ in range(2):
        with pytest.raises(FactsInvalid) as caught:
            load_graph([graph])
        assert [p.code for p in caught.value.problems] == ["unknown-reference"]


def test_corrupt_store_is_rebuilt(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    load_graph([graph])
    (store,) = _stores()
    data = store.read_bytes()
    store.write_bytes(b"garbage" * 100 + data[700:])
    for suffix in ("-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    assert load_graph([graph]).facts.counts()["claims"] == 9


def test_store_with_foreign_tables_is_not_used(tmp_path: Path) -> None:
    """A store someone else wrote (extra tables, triggers) is replaced, not trusted."""
    graph = _graph(tmp_path)
    load_graph([graph])
    (store,) = _stores()
    conn = sqlite3.connect(store)
    conn.execute(
        "CREATE TRIGGER t AFTER INSERT ON problems BEGIN DELETE FROM problems; END"
    )
    conn.commit()
    conn.close()
    (graph / "bad.yaml").write_text("models:\n  - {id: bad, name: Bad, family: nope}\n")
    with pytest.raises(FactsInvalid):
        load_graph([graph])


def test_no_pickle_is_ever_read(tmp_path: Path) -> None:
    """Issue 13 item 5: a planted pickle in the cache directory is deleted, not run."""
    graph = _graph(tmp_path)
    directory = cache.cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    marker = tmp_path / "ran"
    planted = directory / "deadbeef.pickle"
    payload = f"cos\nsystem\n(S'touch {marker}'\ntR.".encode()
    planted.write_bytes(payload)
    load_graph([graph])
    assert not marker.exists() and not planted.exists()


def test_unwritable_cache_dir_does_not_break_queries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(blocker / "sub"))
    assert load_graph([_graph(tmp_path)]).facts.counts()["models"] == 6


def test_old_stores_are_evicted(tmp_path: Path) -> None:
    for n in range(db.KEEP_STORES + 3):
        graph = tmp_path / f"g{n}"
        graph.mkdir()
        (graph / "mini.yaml").write_bytes(MINI.read_bytes())
        load_graph([graph])
    assert len(_stores()) == db.KEEP_STORES


def test_concurrent_builders_agree(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    graph = _graph(tmp_path)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: load_graph([graph]).facts.counts(), range(8)))
    assert all(r == results[0] for r in results)
    assert len(_stores()) == 1


_BUILD_AND_DIE = textwrap.dedent(
    """
    import os, sys
    from lineage.store import update
    def die(*args, **kwargs):
        os._exit(9)  # as kill -9 would: no rollback, no cleanup
    update._search = die  # the build's last step before its commit
    from lineage.api import load_graph
    load_graph([sys.argv[1]])
    """
)


def test_build_killed_half_way_leaves_the_previous_build(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    load_graph([graph])
    path = graph / "mini.yaml"
    path.write_text(path.read_text().replace("Writes text.", "Writes prose."))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", _BUILD_AND_DIE, str(graph)], env=env, check=False
    )
    assert done.returncode == 9
    index = load_graph([graph])
    assert index.facts.capabilities["generation"].description == "Writes prose."


def test_reader_keeps_its_snapshot_during_a_build(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    reader = load_graph([graph])
    path = graph / "mini.yaml"
    path.write_text(path.read_text().replace("Writes text.", "Writes prose."))
    assert load_graph([graph]).facts.capabilities["generation"].description == (
        "Writes prose."
    )
    assert reader.facts.capabilities["generation"].description == "Writes text."


def test_names_resolve_as_the_in_memory_table(graph_dir: Path) -> None:
    """Every id, name and alias of the shipped graph (and a few near misses) leads
    where the in-memory name table leads, or fails the same way."""
    from lineage.errors import LineageError
    from lineage.store.names import KINDS, _labels_of

    stored = load_graph([graph_dir])
    memory = load_graph([graph_dir], cache=False)
    texts = {"rlhf", "cot", "chain of thougth", "GPT 3", "nonsense", "  davinci "}
    for kind, table in (("capability", "capabilities"), ("model", "models")):
        for record in getattr(memory.facts, table).values():
            texts.update(_labels_of(kind, record))
    for text in sorted(texts):
        for kinds in (KINDS, ("capability",), ("model", "family"), ("stage",)):
            try:
                expected: object = memory.words.resolve(text, kinds)
            except LineageError as exc:
                expected = str(exc)
            try:
                got: object = stored.words.resolve(text, kinds)
            except LineageError as exc:
                got = str(exc)
            if hasattr(expected, "ref"):
                assert hasattr(got, "ref") and got.ref == expected.ref, (text, kinds)
                assert got.how == expected.how, (text, kinds)
            else:
                assert got == expected, (text, kinds)


def test_names_look_up_as_the_in_memory_table(graph_dir: Path) -> None:
    """``words.lookup`` (why asks it whether a text names a capability or a concept)
    finds the records the in-memory table finds, by the same step."""
    from lineage.store.names import KINDS, _labels_of

    stored = load_graph([graph_dir])
    memory = load_graph([graph_dir], cache=False)
    texts = {
        "rlhf",
        "cot",
        "chain of thougth",
        "alignment tax",
        "nonsense",
        " davinci ",
    }
    for kind, table in (("capability", "capabilities"), ("concept", "concepts")):
        for record in getattr(memory.facts, table).values():
            texts.update(_labels_of(kind, record))
    fresh = load_graph([graph_dir])
    assert fresh.words.lookup("chain of thought", ("capability",))
    assert fresh.words._full is None  # an exact name needs no whole name table
    for text in sorted(texts):
        for kinds in (KINDS, ("capability",), ("concept",), ("model", "family")):
            expected = {(m.ref, m.how) for m in memory.words.lookup(text, kinds)}
            got = {(m.ref, m.how) for m in stored.words.lookup(text, kinds)}
            assert got == expected, (text, kinds)


def test_rows_round_trip_every_shipped_record(graph_dir: Path) -> None:
    from lineage.facts.loader import load_facts
    from lineage.store.rows import CLASSES, decode, encode

    facts, _ = load_facts([graph_dir])
    for section in CLASSES:
        for record in getattr(facts, section).values():
            back = decode(section, encode(record), record.loc.path)
            assert back == record and back.loc == record.loc
            assert back.loc.fields == record.loc.fields


_FIRST_BUILD_AND_DIE = textwrap.dedent(
    """
    import json, os, sys
    from lineage.store import cache, update
    def die(*args, **kwargs):
        names = sorted(p.name for p in cache.cache_dir().iterdir())
        print(json.dumps([os.getpid(), names]), flush=True)
        os._exit(9)  # as kill -9 would: no rollback, no cleanup
    update._search = die  # the build's last step before its commit
    from lineage.api import load_graph
    load_graph([sys.argv[1]])
    """
)


def test_first_build_is_private_until_complete(tmp_path: Path) -> None:
    """A store built from nothing goes to a temporary file with no journal and
    appears under its name only when complete; killed half way, it leaves no store
    behind, and the next run builds one and removes what the killed one left."""
    import json

    graph = _graph(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_BUILD_AND_DIE, str(graph)],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 9, done.stderr
    pid, during = json.loads(done.stdout)
    (lock,) = [n for n in during if n.endswith(".lock")]
    store_name = lock.removesuffix(".lock")
    assert during == sorted([lock, f"{store_name}.{pid}.building"])  # no -wal, no store
    assert _stores() == []
    assert load_graph([graph]).facts.counts()["claims"] == 9
    assert [p.name for p in _stores()] == [store_name]
    names = {p.name for p in cache.cache_dir().iterdir()}
    assert names - {f"{store_name}-wal", f"{store_name}-shm"} == {store_name, lock}
    with (cache.cache_dir() / store_name).open("rb") as f:
        assert f.read(20)[18:20] == b"\x02\x02"  # WAL mode, as every store


def test_evict_removes_what_killed_first_builds_left(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    load_graph([graph])
    (store,) = _stores()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    left = store.with_name(
        f"store-0123456789abcdef.sqlite.{dead.stdout.strip()}.building"
    )
    left_wal = Path(f"{left}-wal")  # killed after the switch to WAL at the end
    # a first build running in another thread of this process, and in another process
    ours = store.with_name(f"store-0123456789abcdef.sqlite.{os.getpid()}.building")
    live = store.with_name(f"store-0123456789abcdef.sqlite.{os.getppid()}.building")
    for path in (left, left_wal, ours, live):
        path.write_bytes(b"part of a store")
    db.evict(store.parent, keep=store)
    assert not left.exists() and not left_wal.exists()
    assert ours.exists() and live.exists()


_LOAD_WITH_PROGRESS = textwrap.dedent(
    """
    import sys
    from lineage.api import load_graph
    index = load_graph([sys.argv[1]], progress=lambda s: print(s, flush=True))
    print("claims", index.facts.counts()["claims"], flush=True)
    """
)


def test_a_builder_that_waited_builds_nothing(tmp_path: Path) -> None:
    """While one process builds a new store, a second waits for it (saying so) and
    then reads that store instead of building its own."""
    import fcntl

    from lineage.facts.files import list_facts

    graph = _graph(tmp_path)
    path = db.store_path([graph])
    path.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with open(f"{path}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        child = subprocess.Popen(
            [sys.executable, "-c", _LOAD_WITH_PROGRESS, str(graph)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().startswith("waiting for another process")
        listing = list_facts([graph])
        seen = db._listing_key(listing.skipped, listing.problems)
        temp = path.with_name(f"{path.name}.{os.getpid()}.building")
        db._build_into(temp, listing.files, seen, None)
        assert db._link(temp, path)
        temp.unlink()
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0
    assert out.splitlines() == ["claims 9"]  # no file parsed: the store was there


def test_a_lock_held_too_long_does_not_discard_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another connection holding the store's write lock past SQLite's busy time-out
    (a long build of another version, a tool poking at the file) made the next
    build remove the store as if it were corrupt; now it is opened again."""
    import threading

    monkeypatch.setattr(db, "BUSY_SECONDS", 0.2)
    graph = _graph(tmp_path)
    load_graph([graph])
    (store,) = _stores()
    inode = store.stat().st_ino
    path = graph / "mini.yaml"
    path.write_text(path.read_text().replace("Writes text.", "Writes prose."))
    holder = sqlite3.connect(store, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, lambda: holder.execute("ROLLBACK"))
    release.start()
    try:
        index = load_graph([graph])
    finally:
        release.join()
        holder.close()
    assert index.facts.capabilities["generation"].description == "Writes prose."
    assert store.stat().st_ino == inode  # the same file, updated, not a new one


def test_a_first_build_answers_from_the_first_record_of_a_repeated_id(
    tmp_path: Path,
) -> None:
    """A first build marks live the first record of each id (files in reading
    order) and leaves the repeats to the rules: the same problems and records as
    the in-memory check, for an id repeated in one file and across files."""
    graph = tmp_path / "g"
    graph.mkdir()
    (graph / "a.yaml").write_text(
        "sources:\n"
        "  - {id: s, title: S, authors: [A], year: 2022, url: 'https://example.org/s'}\n"
        "models:\n"
        "  - {id: m1, name: First}\n"
        "  - {id: m2, name: Two}\n"
        "  - {id: m1, name: Again}\n"
    )
    (graph / "b.yaml").write_text(
        "models:\n  - {id: m2, name: Later}\n  - {id: m3, name: Three}\n"
    )
    stored, found = check_facts([graph])
    memory, expected = check_facts([graph], cache=False)

    def shown(problems: list[object]) -> list[tuple[object, ...]]:
        return sorted(
            (p.code, Path(p.path).name, p.line, p.column)  # type: ignore[attr-defined]
            for p in problems
        )

    assert shown(found) == shown(expected)
    assert [p[:3] for p in shown(found)] == [
        ("duplicate-id", "a.yaml", 6),
        ("duplicate-id", "b.yaml", 2),
    ]
    names = {m: stored.facts.models[m].name for m in ("m1", "m2", "m3")}
    assert names == {m: memory.facts.models[m].name for m in names}
    assert names == {"m1": "First", "m2": "Two", "m3": "Three"}
