"""The on-disk cache of compiled facts: reused, invalidated, never trusted if corrupt."""

from __future__ import annotations

import os
from pathlib import Path

from lineage.api import load_graph
from lineage.facts.loader import fact_files
from lineage.store import cache

MINI = Path(__file__).parent / "data" / "mini" / "mini.yaml"


def _graph(tmp_path: Path) -> Path:
    graph = tmp_path / "g"
    graph.mkdir()
    (graph / "mini.yaml").write_bytes(MINI.read_bytes())
    return graph


def test_second_load_comes_from_cache(tmp_path: Path, monkeypatch) -> None:
    graph = _graph(tmp_path)
    first = load_graph([graph])
    entries = list(cache.cache_dir().glob("*.pickle"))
    assert len(entries) == 1
    calls = []
    monkeypatch.setattr(
        "lineage.api.check_facts", lambda dirs: calls.append(dirs)
    )  # must not be called
    second = load_graph([graph])
    assert calls == []
    assert second.facts.counts() == first.facts.counts()


def test_any_edit_invalidates(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    before = cache.cache_key(fact_files([graph]))
    load_graph([graph])
    path = graph / "mini.yaml"
    path.write_text(path.read_text().replace("Writes text.", "Writes prose."))
    assert cache.cache_key(fact_files([graph])) != before
    index = load_graph([graph])
    assert index.facts.capabilities["generation"].description == "Writes prose."


def test_new_file_invalidates(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    before = cache.cache_key(fact_files([graph]))
    (graph / "more.yaml").write_text("models:\n  - {id: extra, name: Extra}\n")
    assert cache.cache_key(fact_files([graph])) != before
    assert "extra" in load_graph([graph]).facts.models


def test_corrupt_entry_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    graph = _graph(tmp_path)
    load_graph([graph])
    (entry,) = cache.cache_dir().glob("*.pickle")
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2])  # truncated
    assert cache.read_cache(entry.stem) is None
    assert load_graph([graph]).facts.counts()["claims"] == 9
    assert cache.read_cache(entry.stem) is not None
    entry.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))  # one flipped byte
    assert cache.read_cache(entry.stem) is None


def test_unwritable_cache_dir_does_not_break_queries(
    tmp_path: Path, monkeypatch
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(blocker / "sub"))
    assert load_graph([_graph(tmp_path)]).facts.counts()["models"] == 6


def test_concurrent_writers_leave_a_valid_entry(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    graph = _graph(tmp_path)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: load_graph([graph]).facts.counts(), range(8)))
    assert all(r == results[0] for r in results)
    (entry,) = cache.cache_dir().glob("*.pickle")
    assert cache.read_cache(entry.stem) is not None
    assert not [p for p in os.listdir(cache.cache_dir()) if p.startswith(".tmp-")]
