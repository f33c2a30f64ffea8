"""The conflict model: `conflicts` records, derived conflicts, and the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import cli

MINI = str(Path(__file__).parent / "data" / "mini")

EXTRA = """
sources:
  - {id: src-b, title: B, authors: [Bea], year: 2023, url: https://example.org/b}
conflicts:
  - id: code-share
    topic: Family One's code share
    kind: within-source
    about: [fam]
    sides:
      - says: "5% code"
        records: [fam-code-a]
        evidence: [{source: src-a, locator: T2, note: five}]
      - says: "39% code"
        records: [fam-code-b]
        evidence: [{source: src-a, locator: T3, note: thirty-nine}]
  - id: code-share-elsewhere
    topic: Family One's code share
    kind: between-sources
    sides:
      - says: "5% code"
        evidence: [{source: src-a, locator: T2, note: five}]
      - says: "6% code"
        evidence: [{source: src-b, locator: "p. 3", note: six}]
  - id: code-share-translated
    topic: Root's size
    kind: translation
    about: [root-params]
    sides:
      - says: "175B parameters"
        evidence: [{source: src-a, locator: T1, note: 175B}]
      - says: "175 million parameters"
        translation: true
        evidence: [{source: src-a, locator: "translation, T1", note: 1.75 亿}]
"""


@pytest.fixture
def extra(tmp_path: Path) -> str:
    (tmp_path / "conflicts.yaml").write_text(EXTRA, encoding="utf-8")
    return str(tmp_path)


def conflicts(*args: str) -> str:
    result = CliRunner().invoke(cli, ["conflicts", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_recorded_conflicts_group_by_topic_and_replace_derived(extra: str) -> None:
    data = json.loads(conflicts("--json", "--graph", MINI, "--graph", extra))
    topics = {t["topic"]: [c["id"] for c in t["conflicts"]] for t in data}
    assert topics["Family One's code share"] == ["code-share", "code-share-elsewhere"]
    # the record names both figures, so the derived figure conflict is gone
    assert not any(i.startswith("figures-") for ids in topics.values() for i in ids)
    ids = [c["id"] for t in data for c in t["conflicts"]]
    assert len(ids) == len(set(ids))


def test_json_carries_kind_sides_and_location(extra: str) -> None:
    data = json.loads(conflicts("--json", "--graph", MINI, "--graph", extra))
    by_id = {c["id"]: c for t in data for c in t["conflicts"]}
    share = by_id["code-share"]
    assert share["kind"] == "within-source"
    assert share["defined_at"].endswith("conflicts.yaml:5:5")
    assert share["sides"][0] == {
        "says": "5% code",
        "translation": False,
        "records": ["fam-code-a"],
        "evidence": [{"source": "src-a", "locator": "T2", "note": "five"}],
    }
    assert by_id["code-share-elsewhere"]["kind"] == "between-sources"
    translated = by_id["code-share-translated"]
    assert translated["about"] == ["root-params"]
    assert [s["translation"] for s in translated["sides"]] == [False, True]


def test_text_prints_each_conflict_once_with_its_kind(extra: str) -> None:
    out = conflicts("--graph", MINI, "--graph", extra)
    assert out.count("Family One's code share") == 1
    assert out.count("code-share-elsewhere") == 1
    assert "[within one source] code-share\n" in out
    assert "[between sources] code-share-elsewhere\n" in out
    assert "[translation vs original] code-share-translated\n" in out
    assert "- the translation reads: 175 million parameters\n" in out
    assert out.rstrip().splitlines()[-1] == (
        "4 conflicts on 3 topics: 1 between sources, 2 within one source, "
        "1 translation vs original"
    )


def test_mini_graph_derives_conflicts_without_records() -> None:
    out = conflicts("--graph", MINI)
    assert "fam data_share (code)\n  [within one source] figures-fam-code-a" in out
    assert "why cot is gained at coder" in out


def test_shipped_conflicts_each_once_and_typed() -> None:
    data = json.loads(conflicts("--json"))
    ids = [c["id"] for t in data for c in t["conflicts"]]
    assert len(ids) == len(set(ids))
    topics = [t["topic"] for t in data]
    assert len(topics) == len(set(topics))
    kinds = {c["kind"] for t in data for c in t["conflicts"]}
    assert kinds <= {"between-sources", "within-source", "translation"}
    for t in data:
        for c in t["conflicts"]:
            assert len(c["sides"]) >= 2, c["id"]
            for side in c["sides"]:
                assert side["evidence"], (c["id"], side)


FIGURE = "evolution-tree figure (assets/images/chatgpt/branch.jpg)"
#: every edge Fu et al.'s figure draws (the branch merge as one edge per model)
FIGURE_EDGES = {
    ("davinci", "code-davinci-001"),
    ("davinci", "code-cushman-001"),
    ("davinci", "davinci-instruct-beta"),
    ("davinci", "text-davinci-001"),
    ("code-davinci-001", "code-davinci-002"),
    ("code-cushman-001", "code-davinci-002"),
    ("davinci-instruct-beta", "code-davinci-002"),
    ("text-davinci-001", "code-davinci-002"),
    ("code-davinci-002", "text-davinci-002"),
    ("text-davinci-002", "text-davinci-003"),
    ("text-davinci-002", "chatgpt"),
}


def test_figure_edges_are_in_the_graph_cited_to_the_figure() -> None:
    from lineage.api import load_graph

    facts = load_graph().facts
    cited = {
        (d.parent, d.child)
        for d in facts.derivations.values()
        if any(e.source == "fu-2022-cires" and FIGURE in e.locator for e in d.evidence)
    }
    assert cited == FIGURE_EDGES
    assert facts.sources["fu-2022-cires"].version_of == "fu-2022"
    assert facts.models["code-davinci-001"].family == "codex"
    # the figure's edges into 003 and ChatGPT disagree with the prose: recorded
    assert facts.derivations["text-davinci-002--chatgpt"].confidence.value == "likely"
    assert facts.derivations["code-davinci-002--text-davinci-002"].confidence.value == (
        "established"
    )


def test_shipped_conflicts_cover_the_contested_derivations_and_all_kinds() -> None:
    data = json.loads(conflicts("--json"))
    by_id = {c["id"]: c for t in data for c in t["conflicts"]}
    for cid in ("tdv3-parent-fu", "tdv3-parent-index", "chatgpt-parent", "cdv2-base"):
        assert cid in by_id
    assert by_id["tdv3-parent-index"]["kind"] == "between-sources"
    assert by_id["palm-code-share-fu"]["kind"] == "within-source"
    compute = by_id["flan-palm-compute-share"]
    assert [s["says"] for s in compute["sides"]] == [
        "0.4% (Flan-PaLM, no size given)",
        "0.2% for Flan-PaLM 540B; 0.4% for Flan-PaLM 8B and 62B",
    ]
    kinds = [c["kind"] for c in by_id.values()]
    assert {k: kinds.count(k) > 2 for k in set(kinds)} == {
        "between-sources": True,
        "within-source": True,
        "translation": True,
    }
    # a translation's reading is a note on a fact, never a second fact
    for c in by_id.values():
        if c["kind"] == "translation":
            assert c["about"] and all(not s["records"] for s in c["sides"]), c["id"]


def test_palm_code_share_printed_once() -> None:
    out = conflicts()
    assert out.count("PaLM's share of code in its training data\n") == 1
    assert "palm-540b data_share (code)" not in out  # covered by the records


def test_rdf_carries_conflicts_with_typed_sides(extra: str) -> None:
    from rdflib import Literal

    from lineage.api import load_graph
    from lineage.outputs.rdf import LIN, to_rdf, write_ntriples

    index = load_graph([MINI, extra])
    graph = to_rdf(index)
    conflicts_ = set(graph.subjects(LIN.conflictKind, Literal("translation")))
    assert [str(c).rsplit("/", 1)[-1] for c in conflicts_] == ["code-share-translated"]
    (c,) = conflicts_
    readings = [
        graph.value(side, LIN.translationReading).toPython()
        for side in graph.objects(c, LIN.side)
    ]
    assert sorted(readings) == [False, True]
    about = {str(o).rsplit("/", 2)[-2:][0] for o in graph.objects(c, LIN.about)}
    assert about == {"figure"}
    out = Path(extra) / "out.nt"
    assert write_ntriples(index, out) == len(graph)


def test_about_alone_does_not_hide_a_derived_conflict(tmp_path: Path) -> None:
    (tmp_path / "c.yaml").write_text(
        """
conflicts:
  - id: cot-translated
    topic: How the translation reads the CoT claim
    kind: translation
    about: [cot-code, cot-alt]
    sides:
      - {says: a, evidence: [{source: src-a, locator: L, note: n}]}
      - {says: b, translation: true, evidence: [{source: src-a, locator: zh, note: n}]}
""",
        encoding="utf-8",
    )
    data = json.loads(conflicts("--json", "--graph", MINI, "--graph", str(tmp_path)))
    ids = [c["id"] for t in data for c in t["conflicts"]]
    assert "cot-translated" in ids and "alternatives-cot-code" in ids


def test_concept_translation_reading_is_a_recorded_conflict() -> None:
    # the translation credits the term to OpenAI where the original only brackets it
    data = json.loads(conflicts("--json"))
    about_concept = [
        c for t in data for c in t["conflicts"] if "alignment-tax" in (c["about"] or [])
    ]
    assert [c["kind"] for c in about_concept] == ["translation"]
    translated = [s for s in about_concept[0]["sides"] if s["translation"]]
    assert "OpenAI 管这叫对齐税" in translated[0]["says"]
