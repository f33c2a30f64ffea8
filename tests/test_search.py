"""Full-text search (lineage.store.search) and `lineage search`."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from lineage.cli import cli
from lineage.store.search import build_search, fts_query, search


@pytest.fixture(scope="module")
def conn():  # type: ignore[no-untyped-def]
    from pathlib import Path

    from lineage.api import load_graph

    index = load_graph([Path(__file__).parent.parent / "graph"], cache=False)
    connection = sqlite3.connect(":memory:")
    build_search(connection, index.facts)
    return connection


def ids(hits) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(h.kind, h.id) for h in hits]


def test_fts5_is_available() -> None:
    sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")


def test_alignment_tax_finds_the_claims_and_the_stage(conn) -> None:  # type: ignore[no-untyped-def]
    found = ids(search(conn, "alignment tax"))
    assert ("claim", "tdv2-icl-weakened-alignment-tax") in found
    assert ("stage", "instruction_tuning") in found


def test_a_number_finds_the_limitation(conn) -> None:  # type: ignore[no-untyped-def]
    hits = search(conn, "3599")
    assert ids(hits)[0] == ("capability", "belief-revision")
    assert "\x023599\x03" in hits[0].snippet


def test_inflections_and_spellings_match(conn) -> None:  # type: ignore[no-untyped-def]
    # the derivation note says "absolute position embeddings"
    assert ("derivation", "davinci--code-davinci-002") in ids(
        search(conn, "absolute positional embedding")
    )
    assert ids(search(conn, "dialogue history modeling"))[0] == (
        "capability",
        "dialogue-history-modelling",
    )


def test_chinese_is_matched_in_order(conn) -> None:  # type: ignore[no-untyped-def]
    hits = search(conn, "思维链")
    assert ids(hits)[0] == ("capability", "chain-of-thought")
    assert "\x02思维链\x03" in hits[0].snippet.replace("\x03\x02", "")


def test_names_outrank_quotes(conn) -> None:  # type: ignore[no-untyped-def]
    assert ids(search(conn, "chain of thought"))[0] == (
        "capability",
        "chain-of-thought",
    )


def test_kind_filter_and_limit(conn) -> None:  # type: ignore[no-untyped-def]
    hits = search(conn, "RLHF", {"claim"}, limit=3)
    assert len(hits) == 3 and {h.kind for h in hits} == {"claim"}


def test_partial_matches_are_marked(conn) -> None:  # type: ignore[no-untyped-def]
    hits = search(conn, "alignment zzzqqq")
    assert hits and all(h.partial for h in hits)


@pytest.mark.parametrize(
    "hostile", ['"', "NEAR(a b)", "*", "a OR", "x:y", "^start", "-", "'; DROP TABLE"]
)
def test_query_syntax_is_never_read_from_the_input(conn, hostile: str) -> None:  # type: ignore[no-untyped-def]
    search(conn, hostile)  # no sqlite3.OperationalError
    query = fts_query(hostile)
    assert query is None or query.startswith('("')


def test_cli_search_text(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["search", "3599", "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "capability  belief-revision  Cannot revise beliefs on the fly  (description)",
        "    …ChatGPT insisting 3599 is prime while acknowledging 3599 = 59 * 61); "
        "some core beliefs cannot be overwritten…",
    ]


def test_cli_search_json(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["search", "alignment", "tax", "--json", "-n", "2"])
    data = json.loads(result.stdout)
    assert data["query"] == "alignment tax" and len(data["hits"]) == 2
    hit = data["hits"][0]
    assert set(hit) == {
        "kind",
        "id",
        "name",
        "field",
        "snippet",
        "matches",
        "score",
        "all_words",
    }
    assert {m.lower() for m in hit["matches"]} == {"alignment", "tax"}


def test_cli_search_nothing_is_exit_1(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["search", "zzzqqq"])
    assert result.exit_code == 1
    assert result.stderr == "error: nothing matches 'zzzqqq'\n"


def test_cli_search_bad_kind_is_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["search", "x", "--kind", "clam"])
    assert result.exit_code == 2
    assert "unknown kind 'clam' (did you mean 'claim'?)" in result.stderr


def test_cli_search_reuses_its_cached_table(runner: CliRunner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    first = runner.invoke(cli, ["search", "3599"])
    files = list(os.scandir(os.environ["LINEAGE_CACHE_DIR"]))
    second = runner.invoke(cli, ["search", "3599"])
    assert first.stdout == second.stdout
    # the table lives in the store, built with it (no file of its own)
    names = [f.name for f in files]
    assert [n for n in names if n.startswith("store-")], names
    assert not [n for n in names if n.startswith("search-")], names
