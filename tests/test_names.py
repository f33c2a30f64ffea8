"""The name resolver (lineage.store.names) and its use by the commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import cli
from lineage.errors import AmbiguousNameError, UnknownNameError
from lineage.facts.fold import bag, suggest

PHRASINGS = Path(__file__).parent / "data" / "phrasings.tsv"
#: the kinds the command that takes each kind of name resolves among
COMMAND_KINDS = {
    "capability": ("capability",),
    "model": ("model", "family"),
    "family": ("model", "family"),
    "stage": ("stage",),
    "source": ("source",),
}


def phrasings() -> list[tuple[str, str]]:
    rows = []
    for line in PHRASINGS.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            text, expected = line.split("\t")
            rows.append((text, expected))
    return rows


def resolved(index, text: str, expected: str) -> str:  # type: ignore[no-untyped-def]
    try:
        match = index.words.resolve(text, COMMAND_KINDS[expected.split(":")[0]])
    except (UnknownNameError, AmbiguousNameError) as exc:
        return type(exc).__name__
    return f"{match.kind}:{match.id}"


def test_phrasing_table_is_large_and_covers_every_kind() -> None:
    rows = phrasings()
    assert len(rows) >= 150
    kinds = {expected.split(":")[0] for _, expected in rows}
    assert kinds == set(COMMAND_KINDS)
    assert any(any("\u4e00" <= c <= "\u9fff" for c in text) for text, _ in rows)


def test_phrasings_resolve_at_least_95_percent(shipped_index) -> None:  # type: ignore[no-untyped-def]
    rows = phrasings()
    wrong = [
        (text, expected, got)
        for text, expected in rows
        if (got := resolved(shipped_index, text, expected)) != expected
    ]
    rate = 1 - len(wrong) / len(rows)
    assert rate >= 0.95, f"{rate:.1%} resolved; wrong: {wrong}"


@pytest.mark.parametrize(
    ("text", "kinds", "candidates"),
    [
        ("knowledge", ("capability",), 4),
        ("code", ("capability",), 2),
        ("gpt", ("model", "family"), 4),
    ],
)
def test_generic_words_are_ambiguous_and_ranked(
    shipped_index, text: str, kinds: tuple[str, ...], candidates: int
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AmbiguousNameError) as info:
        shipped_index.words.resolve(text, kinds)
    scores = [m.score for m in info.value.ranked]
    assert len(scores) >= candidates and scores == sorted(scores, reverse=True)


def test_unknown_name_ranks_suggestions_and_finds_other_kinds(shipped_index) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownNameError) as info:
        shipped_index.words.resolve("rlhf", ("capability",))
    assert info.value.elsewhere.ref == ("stage", "rlhf")
    with pytest.raises(UnknownNameError) as info:
        shipped_index.words.resolve("frobnicate", ("capability",))
    assert info.value.suggestions == [] and info.value.elsewhere is None


@pytest.mark.parametrize(
    ("typed", "not_first"),
    [
        ("CoT prompting", "ask-me-anything-prompting"),
        ("zero-shot CoT", "zero-shot-prompting"),
        ("generalization", "language-generation"),
    ],
)
def test_issue_16_wrong_suggestions_are_fixed(
    shipped_index, typed: str, not_first: str
) -> None:  # type: ignore[no-untyped-def]
    ranked = shipped_index.words.rank(typed, ("capability",))
    assert ranked[0].id != not_first


def test_abbreviations_are_learnt_from_aliases(shipped_index) -> None:  # type: ignore[no-untyped-def]
    learnt = shipped_index.words.abbreviations
    assert sorted(learnt["cot"]) == list(bag("chain of thought"))
    assert sorted(learnt["rlhf"]) == list(bag("reinforcement learning human feedback"))
    assert sorted(learnt["sft"]) == list(bag("supervised fine-tuning"))


def test_folding_rules() -> None:
    assert bag("modeling dialogue history") == bag("Dialogue history modelling")
    assert bag("behaviour") == bag("behavior")
    assert bag("指令遵循") == bag("遵循指令")
    assert bag("Ｇｅｎｅｒａｌｉｓａｔｉｏｎ") == bag("generalization")


def test_validator_style_suggestions() -> None:
    stages = ["pretraining", "code_training", "instruction_tuning", "rlhf"]
    assert suggest("RLHF", stages) == ["rlhf"]
    assert suggest("Instruction-Tuning", stages) == ["instruction_tuning"]
    assert suggest("zzz", stages) == []


# --- commands --------------------------------------------------------------------


def run(runner: CliRunner, *args: str, code: int = 0):  # type: ignore[no-untyped-def]
    result = runner.invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result


def test_why_says_what_the_words_were_taken_as(runner: CliRunner) -> None:
    result = run(runner, "why", "modeling dialogue history")
    assert result.stderr == (
        'taking "modeling dialogue history" as dialogue-history-modelling\n'
    )
    assert result.stdout.startswith("Dialogue history modelling")


def test_why_exact_id_says_nothing(runner: CliRunner) -> None:
    assert run(runner, "why", "dialogue").stderr == ""


def test_why_unknown_lists_ranked_and_points_at_search(runner: CliRunner) -> None:
    result = run(runner, "why", "generalisaton of code", code=1)
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: unknown capability 'generalisaton of code'")
    assert lines[1].startswith("closest, best first")
    assert lines[-1] == (
        "to search names, descriptions and evidence: "
        "lineage search 'generalisaton of code'"
    )


def test_why_ambiguous_is_exit_1_with_ranked_candidates(runner: CliRunner) -> None:
    result = run(runner, "why", "code", code=1)
    assert result.stderr.startswith(
        "error: ambiguous capability 'code': it could be "
        "capability 'code-generation', capability 'code-understanding'"
    )


def test_why_a_stage_points_at_ablate(runner: CliRunner) -> None:
    result = run(runner, "why", "rlhf", code=1)
    assert "'rlhf' is the stage rlhf: try lineage ablate rlhf" in result.stderr


@pytest.mark.parametrize(
    "stage",
    [
        "RLHF",
        "reinforcement learning from human feedback",
        "instruction tuning",
        "supervised instruction tuning",
        "SFT",
    ],
)
def test_ablate_resolves_stage_names(runner: CliRunner, stage: str) -> None:
    data = json.loads(run(runner, "ablate", stage, "--json").stdout)
    assert data["stage"] in {"rlhf", "instruction_tuning"}


def test_ablate_unknown_stage_is_exit_1_with_suggestion(runner: CliRunner) -> None:
    result = run(runner, "ablate", "telepathy", code=1)
    assert result.stderr.startswith("error: unknown stage 'telepathy'")


def test_path_from_a_family_starts_at_its_root(runner: CliRunner) -> None:
    result = run(runner, "path", "GPT-3", "chatgpt", "--json")
    assert "taking the family gpt-3 as its root model davinci" in result.stderr
    assert json.loads(result.stdout)["steps"][0]["from"] == "davinci"


def test_family_with_several_roots_lists_them(runner: CliRunner) -> None:
    result = run(runner, "diff", "InstructGPT", "Codex", code=1)
    assert result.stderr == (
        "error: the family instructgpt has 2 root models: "
        "davinci-instruct-beta, text-davinci-001; name one of them\n"
    )


def test_check_suggests_stage_for_capitalised_value(write_facts) -> None:  # type: ignore[no-untyped-def]
    directory = write_facts(
        """
        models:
          - {id: a, name: A}
          - {id: b, name: B}
        derivations:
          - parent: a
            child: b
            stage: RLHF
            confidence: likely
            evidence: [{source: s, locator: p. 1, note: n}]
        sources:
          - {id: s, title: S, authors: [X], year: 2020, url: https://example.org}
        """
    )
    result = CliRunner().invoke(cli, ["check", "--graph", str(directory)])
    assert result.exit_code == 1
    assert "unknown stage 'RLHF'" in result.stderr
    assert "(did you mean 'rlhf'?)" in result.stderr


def test_sparql_param_resolves_names_and_says_so(runner: CliRunner) -> None:
    result = run(
        runner, "sparql", "ancestors", "-p", "model=ChatGPT", "--format", "csv"
    )
    assert result.stderr == (
        'taking model="ChatGPT" as chatgpt <https://w3id.org/lineage/id/model/chatgpt>\n'
    )
    assert "chatgpt,text-davinci-002" in result.stdout


def test_sparql_param_unknown_name_is_exit_1(runner: CliRunner) -> None:
    result = run(runner, "sparql", "ancestors", "-p", "model=frobozz", code=1)
    assert result.stderr.startswith("error: unknown model 'frobozz'")


def test_sparql_param_iri_and_other_names_are_bound_as_given(runner: CliRunner) -> None:
    iri = "<https://w3id.org/lineage/id/model/chatgpt>"
    result = run(runner, "sparql", "ancestors", "-p", f"model={iri}")
    assert result.stderr == ""
