"""Causes, partial changes and what counts as an origin (issue 14), on the shipped
graph through the real command line: a cause the source gives is printed where the
change is, a partial recovery reads as partial, and models outside the lineage or
that only support a hypothesis are not shown as origins."""

from __future__ import annotations

import json
import re
from pathlib import Path

import rdflib
from click.testing import CliRunner

from lineage.cli import cli

GRAPH = str(Path(__file__).resolve().parent.parent / "graph")
LIN = rdflib.Namespace("https://w3id.org/lineage/vocab#")
RECOVERY = (
    "recovered (partly; still below code-davinci-002) — cause: mixing the "
    "language-modelling objective into the RL tuning (InstructGPT's PPO-ptx), "
    "not RLHF itself"
)


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--graph", GRAPH])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _flat(text: str) -> str:
    """The text with its line breaks and tree drawing undone (wrapping varies)."""
    return re.sub(r"[\s│]+", " ", text)


def _origins(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("Origin:")]


def _section(text: str, title: str) -> str:
    """The lines after ``title`` up to the next blank line."""
    return text.split(title, 1)[1].split("\n\n", 1)[0]


def test_why_prints_the_cause_and_the_partial_recovery() -> None:
    out = _run("why", "in-context learning")
    assert RECOVERY in _flat(out)
    # the table says it too, not only the note under it
    row = next(x for x in out.splitlines() if x.lstrip().startswith("text-davinci-003"))
    assert "recovered (partly)" in row
    assert "lost — cause: traded for modelling the dialogue history" in _flat(out)


def test_why_in_context_learning_has_one_origin_and_other_lineages_apart() -> None:
    out = _run("why", "in-context learning")
    assert _origins(out) == ["Origin: gained by pretraining at davinci [established]"]
    also = _section(out, "Also observed in (models outside this lineage):")
    assert "opt-175b" in also and "bloom-176b" in also
    assert "opt-175b" not in out.split("Also observed in")[0]


def test_why_cot_puts_palm_under_supporting_evidence() -> None:
    out = _run("why", "cot")
    assert [o for o in _origins(out) if "palm" in o] == []
    supporting = _section(out, "Supporting evidence from:")
    assert "palm-540b" in supporting and "supports cdv2-cot-from-code" in supporting


def test_code_cushman_001_is_no_origin_of_complex_reasoning() -> None:
    out = _run("why", "complex reasoning")
    assert [o for o in _origins(out) if "code-cushman-001" in o] == []
    assert "code-davinci-002" in _origins(out)[0]
    assert "code-cushman-001" in _section(out, "Supporting evidence from:")


def test_why_json_keeps_the_three_kinds_apart() -> None:
    icl = json.loads(_run("why", "ICL", "--json"))
    assert [o["model"] for o in icl["origins"]] == ["davinci"]
    assert [o["model"] for o in icl["also_observed_in"]] == ["opt-175b", "bloom-176b"]
    assert icl["also_observed_in"][0]["lineage"] == ["opt-175b"]
    recovery = next(h for h in icl["history"] if h["model"] == "text-davinci-003")
    assert recovery["partial"] is True
    assert recovery["still_below"] == "code-davinci-002"
    assert recovery["cause"].startswith("mixing the language-modelling objective")
    cot = json.loads(_run("why", "cot", "--json"))
    assert [c["model"] for c in cot["supporting_evidence"]] == ["palm-540b"]
    assert cot["supporting_evidence"][0]["supports"] == "cdv2-cot-from-code"
    assert "palm-540b" not in {o["model"] for o in cot["origins"]}


def test_show_prints_the_cause_under_the_claim() -> None:
    out = _run("show", "text-davinci-003")
    assert RECOVERY in _flat(out)
    data = json.loads(_run("show", "text-davinci-003", "--json"))
    claim = next(
        c for c in data["claims"] if c["claim"] == "tdv3-icl-recovered-lm-mixin"
    )
    assert (claim["partial"], claim["still_below"]) == (True, "code-davinci-002")


def test_diff_shows_the_recovery_with_its_cause() -> None:
    out = _run("diff", "text-davinci-002", "text-davinci-003")
    strength = out.split("Changed in strength on the way:", 1)[1]
    assert "in-context-learning  recovered (partly)  at text-davinci-003" in strength
    assert RECOVERY in _flat(strength)
    chat = _run("diff", "text-davinci-002", "chatgpt")
    assert "lost — cause: traded for modelling the dialogue history" in _flat(chat)


def test_a_partial_recovery_is_still_weaker_than_before() -> None:
    data = json.loads(_run("diff", "code-davinci-002", "text-davinci-003", "--json"))
    assert "in-context-learning" in data["weakened_in_b"]
    steps = [
        (s["model"], s["effect"])
        for s in data["strength_steps"]
        if s["capability"] == "in-context-learning"
    ]
    assert steps == [
        ("text-davinci-002", "weakened"),
        ("text-davinci-003", "recovered"),
    ]


def test_tree_text_prints_the_cause() -> None:
    out = _flat(_run("tree", "--format", "text"))
    assert "↺ In-context learning: " + RECOVERY in out
    assert "✗ In-context learning: lost — cause: traded for modelling" in out


def test_tree_dot_marks_the_recovery_partial() -> None:
    out = _run("tree", "--format", "dot")
    assert "In-context learning (partly)" in out


def test_rdf_carries_cause_partial_still_below_and_supports() -> None:
    g = rdflib.Graph().parse(data=_run("export", "--format", "turtle"), format="turtle")
    claim = rdflib.URIRef(next(iter(g.subjects(LIN.stillBelow, None))))
    assert str(claim).endswith("tdv3-icl-recovered-lm-mixin")
    assert g.value(claim, LIN.partial).toPython() is True
    assert str(g.value(claim, LIN.stillBelow)).endswith("/code-davinci-002")
    cause = g.value(claim, LIN.cause)
    assert cause.language == "en" and "not RLHF itself" in str(cause)
    supported = {str(o).rsplit("/", 1)[1] for o in g.objects(None, LIN.supports)}
    assert supported == {"cdv2-cot-from-code", "cdv2-complex-reasoning-from-code"}


def test_why_alignment_tax_prints_the_definition_and_the_linked_claims() -> None:
    result = CliRunner().invoke(cli, ["why", "alignment tax", "--graph", GRAPH])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # the name is the id's spelling
    out = result.stdout
    assert out.startswith("Alignment tax  (concept alignment-tax)")
    flat = _flat(out)
    assert "unlikely to be intentional" in flat
    assert (
        "this tradeoff is more like a side effect of supervised instruction tuning "
        "(the alignment tax)" in flat
    )
    linked = out.split("Claims it links:", 1)[1].splitlines()
    rows = [
        line.split()[:3] for line in linked if line.startswith("  ") and "[" in line
    ]
    assert rows == [
        ["text-davinci-002", "complex-reasoning", "weakened"],
        ["text-davinci-002", "in-context-learning", "weakened"],
        ["chatgpt", "in-context-learning", "lost"],
    ]


def test_why_alignment_tax_json_and_its_chinese_name() -> None:
    data = json.loads(_run("why", "对齐税", "--json"))
    assert data["concept"]["id"] == "alignment-tax"
    assert {e["source"] for e in data["concept"]["evidence"]} == {
        "fu-2022",
        "ouyang-2022",
    }
    assert [c["claim"] for c in data["examples"]] == [
        "tdv2-complex-reasoning-weakened-alignment-tax",
        "tdv2-icl-weakened-alignment-tax",
        "chatgpt-icl-lost",
    ]
    # a capability's name still wins over a concept's
    assert "capability" in json.loads(_run("why", "ICL", "--json"))


def test_search_finds_the_concept_first() -> None:
    data = json.loads(_run("search", "alignment tax", "--json"))
    assert (data["hits"][0]["kind"], data["hits"][0]["id"]) == (
        "concept",
        "alignment-tax",
    )


def test_show_lists_the_conflicts_about_the_model() -> None:
    out = _run("show", "text-davinci-003")
    section = out.split("Conflicts:", 1)[1]
    for conflict in ("tdv3-parent-fu", "tdv3-parent-index", "zh-fu-struck-hedge"):
        assert conflict in section
    flat = _flat(section)
    assert "· instruction-tuned from code-davinci-002 — fu-2022" in flat
    assert "· translation: not sure whether" in flat
    data = json.loads(_run("show", "text-davinci-003", "--json"))
    ids = [c["id"] for c in data["conflicts"]]
    assert ids[:3] == ["tdv3-parent-fu", "tdv3-parent-index", "zh-fu-struck-hedge"]
    assert "alternatives-tdv3-icl-recovered-lm-mixin" in ids  # derived, not recorded
    first = data["conflicts"][0]
    assert first["topic"] == "text-davinci-003's parent" and len(first["sides"]) == 2
    # a model nobody disagrees about has no such section
    assert "Conflicts:" not in _run("show", "t5-11b")
    assert json.loads(_run("show", "t5-11b", "--json"))["conflicts"] == []


def test_rdf_exports_the_concept() -> None:
    g = rdflib.Graph().parse(data=_run("export", "--format", "turtle"), format="turtle")
    skos = rdflib.namespace.SKOS
    (tax,) = g.subjects(rdflib.RDF.type, LIN.NamedConcept)
    assert str(g.value(tax, skos.prefLabel)) == "Alignment tax"
    assert "unlikely to be intentional" in str(g.value(tax, skos.definition))
    linked = {str(o).rsplit("/", 1)[1] for o in g.objects(tax, LIN.exemplifiedBy)}
    assert linked == {
        "tdv2-icl-weakened-alignment-tax",
        "tdv2-complex-reasoning-weakened-alignment-tax",
        "chatgpt-icl-lost",
    }
    assert len(list(g.objects(tax, LIN.evidence))) == 7
