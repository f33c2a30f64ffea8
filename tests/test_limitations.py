"""Limitations read as what they are, in every view (issue 14).

A limitation (capabilities.yaml kind ``limitation``) is had (``has``) or no longer
had (``lacks``); no view may show it as gained, strengthened, weakened, lost or
recovered, and none may say "origin" of it. Fu et al. state GPT-3.5's
limitations for the whole series, so every member has them. Each test runs the
real command (or the real browser, dot, rdflib) on the shipped graph.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GRAPH = str(ROOT / "graph")
GPT35 = ["code-davinci-002", "text-davinci-002", "text-davinci-003", "chatgpt"]
SERIES = ["belief-revision", "formal-reasoning", "internet-retrieval"]
#: the shipped limitations (names start 'Cannot ...') written as a gain or loss
AS_ABILITY = re.compile(r"[+▲▼✗↺] Cannot|\b(gained|strengthened|lost)\b.*Cannot")

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs dot")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--graph", GRAPH], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_gpt35_member_has_the_series_limitations() -> None:
    for model in GPT35:
        data = json.loads(run("show", model, "--json"))
        assert sorted(data["has_limitations"]) == SERIES, model
        claims = [c for c in data["claims"] if c["capability"] in SERIES]
        assert {c["effect"] for c in claims} == {"has"}
        assert {c["stated_for"] for c in claims} == {"gpt-3.5"}
        assert all(c["evidence"][0]["locator"].startswith("Section 6.") for c in claims)


def test_show_says_has_the_limitations() -> None:
    out = run("show", "code-davinci-002")
    block = out.split("Has the limitations:\n", 1)[1]
    rows = block.splitlines()[:3]
    assert [r.split()[0] for r in rows] == SERIES
    assert "cannot do formal reasoning" in rows[1]
    assert all("stated for all of GPT-3.5" in r for r in rows)
    gained = out.split("Gained here:", 1)[1].split("Has the limitations:", 1)[0]
    assert "formal-reasoning" not in gained


def test_diff_within_gpt35_shows_no_limitation_as_gained() -> None:
    out = run("diff", "text-davinci-002", "chatgpt")
    for cap in SERIES:
        assert cap not in out  # both have them: no difference
    assert "gained" in out  # the abilities RLHF added are still there


def test_diff_across_series_says_has_the_limitation() -> None:
    out = run("diff", "davinci", "chatgpt")
    only = out.split("Only in davinci:", 1)[0]
    assert not any(cap in only for cap in SERIES)
    block = out.split("Limitations only chatgpt has:\n", 1)[1]
    row = next(r for r in block.splitlines() if r.split()[0] == "formal-reasoning")
    assert "has the limitation: cannot do formal reasoning" in row
    assert "stated for all of GPT-3.5" in row
    data = json.loads(run("diff", "davinci", "chatgpt", "--json"))
    assert data["limitations_only_in_b"] == SERIES
    assert not set(SERIES) & set(data["only_in_b"])
    steps = [s for s in data["steps"] if s["capability"] in SERIES]
    assert {(s["effect"], s["says"]) for s in steps} == {("has", "has the limitation")}


def test_why_a_limitation_has_no_origin() -> None:
    out = run("why", "formal reasoning")
    assert "Origin" not in out and "seen by" not in out and "?" not in out
    head = next(
        line for line in out.splitlines() if line.startswith("Has the limitation:")
    )
    assert "every member of the family GPT-3.5" in head
    members = next(line for line in out.splitlines() if "members:" in line)
    assert sorted(members.split("members:")[1].strip().split(", ")) == sorted(GPT35)
    data = json.loads(run("why", "formal reasoning", "--json"))
    assert sorted(o["model"] for o in data["origins"]) == sorted(GPT35)
    assert {(o["effect"], o["says"]) for o in data["origins"]} == {
        ("has", "has the limitation")
    }


def test_webgpt_does_retrieve_from_the_internet() -> None:
    out = run("show", "webgpt")
    assert "web-browsing  gained" in out
    assert "Cannot" not in out and "internet-retrieval" not in out
    data = json.loads(run("why", "web browsing", "--json"))
    (origin,) = data["origins"]
    assert origin["model"] == "webgpt" and origin["effect"] == "gained"
    assert origin["evidence"][0]["source"] == "nakano-2021"


def test_text_tree_says_has_the_limitation() -> None:
    for args in (
        ("tree", "--format", "text"),
        ("tree", "--format", "text", "--timeline"),
    ):
        out = run(*args)
        assert not AS_ABILITY.search(out), args
        assert out.count("⚠ has the limitation: cannot do formal reasoning") == 4
        webgpt = out.split("WebGPT", 1)[1].splitlines()[1]
        assert "+ Searching and browsing the web" in webgpt


def _labels(dot: str) -> str:
    """The visible text of a DOT source's HTML labels."""
    return re.sub(r"<[^>]*>", " ", dot.replace("&#160;", " "))


@pytest.mark.parametrize("timeline", [False, True])
def test_dot_and_mermaid_say_has_the_limitation(timeline: bool) -> None:
    extra = ("--timeline",) if timeline else ()
    dot = _labels(run("tree", "--format", "dot", *extra))
    assert not AS_ABILITY.search(re.sub(r"\s+", " ", dot))
    assert dot.count("has the limitation: cannot retrieve from the internet") == 4
    assert "has the limitation (grey italic)" in dot  # the legend
    mermaid = run("tree", "--format", "mermaid", *extra)
    assert not AS_ABILITY.search(mermaid)
    assert mermaid.count("⚠ has the limitation: cannot revise beliefs on the fly") == 4


def test_highlighting_a_limitation_marks_who_has_it() -> None:
    dot = run("tree", "--format", "dot", "--highlight", "formal reasoning")
    assert "★ origin" not in dot and "origin (thick outline)" not in dot
    assert dot.count("⚠ has the limitation</B>") == 4
    text = run("tree", "--format", "text", "--highlight", "formal reasoning")
    assert text.count("◀ ⚠ has the limitation") == 4 and "origin" not in text


@needs_dot
def test_svg_says_has_the_limitation(tmp_path: Path) -> None:
    out = tmp_path / "tree.svg"
    run("tree", "-o", str(out))
    svg = out.read_text(encoding="utf-8")
    texts = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    assert texts.count("has the limitation: cannot do formal reasoning") == 4
    assert not AS_ABILITY.search(texts)


def test_rdf_export_has_limitation_effects() -> None:
    import rdflib

    from lineage.outputs.rdf import LIN

    g = rdflib.Graph().parse(data=run("export", "--format", "turtle"), format="turtle")
    effects = {
        (str(c).rsplit("/", 1)[-1], str(e).rsplit("#", 1)[-1])
        for c, cap in g.subject_objects(LIN.capability)
        if g.value(cap, LIN.kind) == LIN.limitation
        for e in g.objects(c, LIN.effect)
    }
    assert effects and {e for _, e in effects} == {"has"}
    stated = {str(f).rsplit("/", 1)[-1] for f in g.objects(None, LIN.statedFor)}
    assert stated == {"gpt-3.5"}
    label = g.value(
        LIN.has, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    )
    assert str(label) == "has the limitation"


def test_shapes_reject_a_limitation_gained() -> None:
    pytest.importorskip("pyshacl")
    import rdflib

    from lineage.outputs.rdf import LIN
    from lineage.outputs.shacl import validate_graph

    g = rdflib.Graph().parse(data=run("export", "--format", "turtle"), format="turtle")
    claim = next(
        c
        for c, cap in g.subject_objects(LIN.capability)
        if str(cap).endswith("/formal-reasoning")
    )
    assert validate_graph(g)[0]
    g.set((claim, LIN.effect, LIN.gained))
    conforms, lines = validate_graph(g)
    assert not conforms
    assert any("has it (lin:has)" in line and str(claim) in line for line in lines)


def test_show_family_lists_what_is_stated_for_every_member() -> None:
    out = run("show", "GPT-3.5")
    block = out.split("Stated for every member:\n", 1)[1].splitlines()[:3]
    assert [r.split()[0] for r in block] == SERIES
    assert "has the limitation: cannot retrieve from the internet" in block[2]
    data = json.loads(run("show", "GPT-3.5", "--json"))
    assert sorted(c["capability"] for c in data["stated_for_family"]) == SERIES
    assert {c["says"] for c in data["stated_for_family"]} == {"has the limitation"}


def test_store_rechecks_family_statements_after_an_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Removing one member's claim is an error after an incremental build too, the
    same as from scratch; putting it back clears it."""
    from lineage.api import check_facts

    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(tmp_path / "cache"))
    graph = tmp_path / "graph"
    shutil.copytree(ROOT / "graph", graph)
    check_facts([graph])  # the first build
    facts_file = graph / "openai.yaml"
    text = facts_file.read_text(encoding="utf-8")
    start = text.index("  - id: tdv2-limitation-formal-reasoning\n")
    end = text.index("  - id:", start + 10)
    facts_file.write_text(text[:start] + text[end:], encoding="utf-8")

    def family_problems(cache: bool) -> list[str]:
        return [
            p.message
            for p in check_facts([graph], cache=cache)[1]
            if p.code == "family-statement"
        ]

    incremental = family_problems(True)
    assert incremental == family_problems(False)
    assert (
        len(incremental) == 1
        and "'text-davinci-002' has no such claim" in incremental[0]
    )
    facts_file.write_text(text, encoding="utf-8")
    assert family_problems(True) == []
