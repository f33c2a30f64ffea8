"""The shipped graph: it validates, and its answers agree with Fu et al. (2022).

Fu et al.'s summary table (Section 5 of the English original) attributes each
ability of GPT-3.5 to a training stage and model; each row is a test here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lineage.api import check_facts
from lineage.errors import Severity
from lineage.facts.model import Confidence, Effect, Kind, Stage
from lineage.provenance.query import (
    ablate,
    capability_states,
    find_origins,
    path_between,
)

GRAPH = Path(__file__).resolve().parent.parent / "graph"


def test_shipped_graph_has_no_problems() -> None:
    _, problems = check_facts([GRAPH])
    assert [str(p) for p in problems if p.severity is Severity.ERROR] == []
    assert [str(p) for p in problems] == []


def test_every_fact_file_is_globbed(shipped_index) -> None:
    shipped = sorted(p.name for p in GRAPH.glob("*.yaml"))
    assert sorted(Path(f).name for f in shipped_index.facts.files) == shipped


# capability -> (origin model, stage) of the primary origin, per Fu et al. Section 5
FU_ORIGINS = {
    "language-generation": ("davinci", Stage.PRETRAINING),
    "world-knowledge": ("davinci", Stage.PRETRAINING),
    "in-context-learning": ("davinci", Stage.PRETRAINING),
    "instruction-following": ("davinci-instruct-beta", Stage.INSTRUCTION_TUNING),
    "zero-shot-generalization": ("davinci-instruct-beta", Stage.INSTRUCTION_TUNING),
    "code-generation": ("code-cushman-001", Stage.CODE_TRAINING),
    "code-understanding": ("code-cushman-001", Stage.CODE_TRAINING),
    "complex-reasoning": ("code-davinci-002", Stage.CODE_TRAINING),
    "chain-of-thought": ("code-davinci-002", Stage.CODE_TRAINING),
    "long-range-dependency": ("code-davinci-002", Stage.CODE_TRAINING),
    "zero-shot-prompting": ("text-davinci-002", Stage.INSTRUCTION_TUNING),
    "informative-responses": ("text-davinci-003", Stage.RLHF),
    "dialogue-history-modelling": ("chatgpt", Stage.RLHF),
    "impartial-responses": ("chatgpt", Stage.RLHF),
    "refusing-improper-questions": ("chatgpt", Stage.RLHF),
    "refusing-out-of-knowledge-questions": ("chatgpt", Stage.RLHF),
}


@pytest.mark.parametrize(("capability", "expected"), sorted(FU_ORIGINS.items()))
def test_origin_matches_fu(
    shipped_index, capability: str, expected: tuple[str, Stage]
) -> None:
    origin = find_origins(shipped_index, capability).origins[0]
    assert (origin.claim.model, origin.claim.stage) == expected
    assert origin.claim.effect is Effect.GAINED
    assert origin.claim.evidence, "an origin without evidence"
    assert any(e.source == "fu-2022" for e in origin.claim.evidence)


@pytest.mark.parametrize(
    "capability", ["chain-of-thought", "complex-reasoning", "long-range-dependency"]
)
def test_code_hypotheses_are_hedged(shipped_index, capability: str) -> None:
    # Fu: "there is still no hard evidence showing training on code is absolutely
    # the reason for CoT and complex reasoning" -> never "established".
    origin = find_origins(shipped_index, capability).origins[0]
    assert origin.claim.confidence in (
        Confidence.HYPOTHESIS,
        Confidence.SPECULATIVE,
        Confidence.LIKELY,
    )
    assert origin.claim.confidence is not Confidence.ESTABLISHED


def test_cot_alternative_explanation_is_recorded(shipped_index) -> None:
    origin = find_origins(shipped_index, "chain-of-thought").origins[0]
    assert [a.stage for a in origin.alternatives] == [Stage.INSTRUCTION_TUNING]


@pytest.mark.parametrize(
    ("model", "capability", "effect"),
    [
        ("text-davinci-002", "in-context-learning", Effect.WEAKENED),
        ("chatgpt", "in-context-learning", Effect.LOST),
        ("text-davinci-003", "in-context-learning", Effect.RECOVERED),
        ("text-davinci-002", "complex-reasoning", Effect.WEAKENED),
    ],
)
def test_trade_offs(shipped_index, model: str, capability: str, effect: Effect) -> None:
    claims = [
        c
        for c in shipped_index.claims_by_model[model]
        if c.capability == capability and c.alternative_to is None
    ]
    assert [c.effect for c in claims] == [effect]
    assert all(c.evidence for c in claims)


def test_icl_recovery_is_attributed_to_lm_objective(shipped_index) -> None:
    claim = next(
        c
        for c in shipped_index.claims_by_model["text-davinci-003"]
        if c.capability == "in-context-learning"
    )
    text = " ".join([claim.note or "", *(e.note for e in claim.evidence)]).lower()
    assert "language model" in text or "lm objective" in text or "pretraining" in text


def test_states_after_alignment(shipped_index) -> None:
    states = capability_states(shipped_index, set(shipped_index.facts.models))
    assert not states["chatgpt"]["in-context-learning"].present
    assert states["text-davinci-003"]["in-context-learning"].present
    assert states["text-davinci-002"]["in-context-learning"].weakened
    assert states["chatgpt"]["chain-of-thought"].present
    assert "chain-of-thought" not in states["davinci"]


@pytest.mark.parametrize(
    ("target", "stages"),
    [
        ("chatgpt", [Stage.CODE_TRAINING, Stage.INSTRUCTION_TUNING, Stage.RLHF]),
        (
            "text-davinci-003",
            [Stage.CODE_TRAINING, Stage.INSTRUCTION_TUNING, Stage.RLHF],
        ),
    ],
)
def test_lineage_paths(shipped_index, target: str, stages: list[Stage]) -> None:
    result = path_between(shipped_index, "davinci", target)
    assert result.path == ("davinci", "code-davinci-002", "text-davinci-002", target)
    assert [s.stage for s in result.steps] == stages


def test_code_davinci_002_base_is_uncertain(shipped_index) -> None:
    der = next(
        d for d in shipped_index.parents["code-davinci-002"] if d.parent == "davinci"
    )
    assert der.confidence in (Confidence.HYPOTHESIS, Confidence.SPECULATIVE)
    assert der.note


def test_rlhf_adds_what_fu_lists(shipped_index) -> None:
    added = ablate(shipped_index, Stage.RLHF, "chatgpt").models["chatgpt"]
    for cap in (
        "dialogue-history-modelling",
        "impartial-responses",
        "refusing-improper-questions",
        "refusing-out-of-knowledge-questions",
    ):
        assert cap in added


def test_limitations_are_recorded(shipped_index) -> None:
    caps = shipped_index.facts.capabilities
    for cap in ("belief-revision", "formal-reasoning", "internet-retrieval"):
        assert caps[cap].kind is Kind.LIMITATION
        assert find_origins(shipped_index, cap).origins


def test_unlocked_not_injected(shipped_index) -> None:
    mechanisms = {
        c.mechanism.value
        for c in shipped_index.facts.claims.values()
        if c.mechanism is not None
    }
    assert {"unlocked", "injected"} <= mechanisms


def test_palm_code_share_conflict_is_kept(shipped_index) -> None:
    from lineage.provenance.query import find_conflicts

    figures = shipped_index.facts.figures
    palm = [
        c
        for t in find_conflicts(shipped_index)
        for c in t.conflicts
        if any(
            r.startswith("palm") and r in figures for s in c.sides for r in s.records
        )
    ]
    assert palm
    values = {figures[r].value for s in palm[0].sides for r in s.records}
    assert len(values) >= 2


def test_every_claim_cites_a_locator(shipped_index) -> None:
    for claim in shipped_index.facts.claims.values():
        for ev in claim.evidence:
            assert ev.locator.strip() and ev.note.strip(), claim.id
