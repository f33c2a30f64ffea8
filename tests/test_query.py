"""Query functions on the small fixture graph (tests/data/mini)."""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage.api import load_graph
from lineage.errors import AmbiguousNameError, NoPathError, UnknownNameError
from lineage.facts.model import Confidence, Effect, Stage
from lineage.provenance.query import (
    ablate,
    capability_states,
    diff_models,
    find_conflicts,
    find_origins,
    lineage_of,
    path_between,
    show_family,
    show_model,
)

MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture(scope="module")
def index():  # type: ignore[no-untyped-def]
    return load_graph([MINI], cache=False)


@pytest.mark.parametrize(
    "name",
    [
        "cot",
        "CoT",
        "chain of thought",
        "Chain-of-Thought",
        "chain_of_thought",
        "思维链",
        " c.o.t ",
    ],
)
def test_resolve_capability_spellings(index, name: str) -> None:
    assert index.resolve(name, ("capability",)) == ("capability", "cot")


def test_resolve_unknown_suggests_closest_id(index) -> None:
    with pytest.raises(UnknownNameError) as info:
        index.resolve("chain of knots", ("capability",))
    assert (
        str(info.value) == "unknown capability 'chain of knots' (did you mean 'cot'?)"
    )


def test_resolve_ambiguous_lists_candidates(index) -> None:
    # "root" names a model; give the family the same label in another kind set
    index.words.exact["root"].append(("family", "fam", "root"))
    try:
        with pytest.raises(AmbiguousNameError) as info:
            index.resolve("Root", ("model", "family"))
        assert "family 'fam'" in str(info.value) and "model 'root'" in str(info.value)
    finally:
        index.words.exact["root"].pop()


def test_why_reports_origin_alternative_and_lineage(index) -> None:
    why = find_origins(index, "cot")
    assert [o.claim.id for o in why.origins] == ["cot-code"]
    origin = why.origins[0]
    assert origin.claim.stage is Stage.CODE_TRAINING
    assert origin.claim.confidence is Confidence.HYPOTHESIS
    assert origin.lineage == ("root", "coder")
    assert [a.id for a in origin.alternatives] == ["cot-alt"]
    assert [c.id for c in why.broader] == ["reasoning"]
    assert [r.id for r in why.emergence] == ["e1"]


def test_why_history_is_in_derivation_order(index) -> None:
    why = find_origins(index, "icl")
    assert [(c.model, c.effect) for c in why.history] == [
        ("root", Effect.GAINED),
        ("tuned", Effect.WEAKENED),
        ("chatty", Effect.LOST),
        ("rl", Effect.RECOVERED),
    ]


def test_lineage_of_root_is_itself(index) -> None:
    assert lineage_of(index, "root") == (("root",), ())


def test_states_follow_losses_and_recoveries(index) -> None:
    states = capability_states(index, set(index.facts.models))
    assert states["tuned"]["icl"].weakened
    assert not states["chatty"]["icl"].present
    assert states["rl"]["icl"].present and not states["rl"]["icl"].weakened
    assert "cot" not in states["root"]
    assert states["chatty"]["cot"].suppliers == {"cot-code"}


def test_show_model_splits_gained_inherited_lost(index) -> None:
    view = show_model(index, "chatty")
    assert [c.capability for c in view.gained] == ["chat"]
    assert [c.capability for c in view.lost] == ["icl"]
    assert view.inherited == ("cot", "generation")
    assert view.limitations == ("no-browsing",)
    assert [(s.from_, s.stage) for s in view.parents] == [("tuned", Stage.RLHF)]


def test_show_family_members_and_figures(index) -> None:
    view = show_family(index, "fam")
    assert [m.id for m in view.members] == ["root", "coder"]
    assert {f.value for f in view.figures} == {5, 39}


def test_path_between_steps(index) -> None:
    result = path_between(index, "root", "chatty")
    assert result.path == ("root", "coder", "tuned", "chatty")
    assert [s.stage for s in result.steps] == [
        Stage.CODE_TRAINING,
        Stage.INSTRUCTION_TUNING,
        Stage.RLHF,
    ]


@pytest.mark.parametrize(
    ("a", "b", "hint"),
    [("chatty", "root", "try: path root chatty"), ("other", "rl", "neither derives")],
)
def test_path_between_none(index, a: str, b: str, hint: str) -> None:
    with pytest.raises(NoPathError, match=hint):
        path_between(index, a, b)


def test_diff_attributes_each_difference(index) -> None:
    diff = diff_models(index, "tuned", "chatty")
    assert diff.only_in_a == ("icl",)
    assert diff.only_in_b == ("chat",)  # abilities only: a limitation is no gain
    assert diff.limitations_only_in_b == ("no-browsing",)
    assert diff.limitations_only_in_a == ()
    steps = {(s.capability, s.model, s.effect) for s in diff.steps}
    assert ("icl", "chatty", Effect.LOST) in steps
    assert ("chat", "chatty", Effect.GAINED) in steps
    assert ("no-browsing", "chatty", Effect.HAS) in steps


def test_diff_reports_weakening(index) -> None:
    diff = diff_models(index, "tuned", "rl")
    assert diff.weakened_in_a == ("icl",)
    assert diff.only_in_a == diff.only_in_b == ()


def test_ablate_code_training_removes_cot_downstream(index) -> None:
    result = ablate(index, Stage.CODE_TRAINING)
    assert result.models == {m: ("cot",) for m in ("coder", "tuned", "chatty", "rl")}


def test_ablate_single_model(index) -> None:
    assert ablate(index, Stage.RLHF, "chatty").models == {"chatty": ("chat",)}
    assert ablate(index, Stage.PRETRAINING, "rl").models == {"rl": ("generation",)}


def test_conflicts_include_alternatives_and_figures(index) -> None:
    found = {c.id: (t.topic, c) for t in find_conflicts(index) for c in t.conflicts}
    topic, figures = found["figures-fam-code-a"]
    assert topic == "fam data_share (code)"
    assert figures.kind == "within-source"
    assert [s.says for s in figures.sides] == ["5 percent", "39 percent"]
    topic, alt = found["alternatives-cot-code"]
    assert topic == "why cot is gained at coder"
    assert [s.records for s in alt.sides] == [("cot-code",), ("cot-alt",)]
