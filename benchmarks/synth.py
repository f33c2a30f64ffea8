"""Write a synthetic lineage shaped like a public model hub, for benchmarks.

    python benchmarks/synth.py 100000 /tmp/hub-100k
    python benchmarks/synth.py --hf 1860000 /tmp/hf     # the Hugging Face tree's shape

Shape (seeded, deterministic): about 2% of models are base models (pretraining roots);
the rest are fine-tunes of an earlier model, chosen with a preference for popular
bases (preferential attachment gives the hub's forests of fine-tunes); 3% are merges
with 2-3 parents; a few deep chains (each model fine-tuned from the previous one,
up to 2,000 deep) exercise recursion limits. Each model carries 1-4 capability
claims with evidence. Files hold at most 5,000 models each.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

STAGES = ("pretraining", "code_training", "instruction_tuning", "rlhf")
EFFECTS = (
    "gained",
    "gained",
    "gained",
    "strengthened",
    "weakened",
    "lost",
    "recovered",
)
CONFIDENCES = ("established", "likely", "hypothesis", "speculative")
CAPABILITIES = 60
PER_FILE = 5_000


def _parents(n: int, rng: random.Random) -> list[list[int]]:
    parents: list[list[int]] = [[]]
    pool = [0]  # preferential attachment: a model appears once per child it has
    chain_starts = set(rng.sample(range(1, n), k=min(5, n - 1))) if n > 1 else set()
    chain_left = 0
    for i in range(1, n):
        if i in chain_starts:
            chain_left = min(2_000, n // 50)
        if chain_left > 0:
            chain_left -= 1
            parents.append([i - 1])
        elif rng.random() < 0.02:
            parents.append([])
        elif rng.random() < 0.03 and i > 3:
            k = rng.choice((2, 3))
            parents.append(sorted({rng.choice(pool) for _ in range(k)}))
        else:
            parents.append(
                [rng.choice(pool) if rng.random() < 0.7 else rng.randrange(i)]
            )
        pool.extend(parents[-1] or [i])
        pool.append(i)
    return parents


def write_hub(n: int, out: Path, seed: int = 42) -> dict[str, int]:
    """Write ``n`` synthetic models (and their facts) into directory ``out``."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    parents = _parents(n, rng)
    head = [
        "sources:",
        "  - {id: hub, title: Synthetic hub, authors: [lineage benchmarks], "
        "year: 2024, url: 'https://example.org/hub'}",
        "stages:",
    ]
    head += [f"  - {{id: {s}, name: {s}, definition: synthetic}}" for s in STAGES]
    head.append("capabilities:")
    head += [
        f"  - {{id: cap-{c}, name: Capability {c}, kind: ability, "
        f"description: synthetic, aliases: [c{c}]"
        + (f", broader: [cap-{c // 2}]" if c else "")
        + "}"
        for c in range(CAPABILITIES)
    ]
    head.append(
        "  - {id: cap-rare, name: Rare capability, kind: ability, "
        "description: synthetic, aliases: [rare]}"
    )
    (out / "000-vocabulary.yaml").write_text("\n".join(head) + "\n")
    counts = {"models": n, "derivations": 0, "claims": 0}
    for start in range(0, n, PER_FILE):
        models, derivations, claims = ["models:"], ["derivations:"], ["claims:"]
        for i in range(start, min(n, start + PER_FILE)):
            year = 2019 + min(5, i * 6 // max(n, 1))
            models.append(f"  - {{id: m{i}, name: Model {i}, released: '{year}'}}")
            for p in parents[i]:
                stage = rng.choice(STAGES[1:])
                derivations.append(
                    f"  - {{parent: m{p}, child: m{i}, stage: {stage}, confidence: "
                    f"{rng.choice(CONFIDENCES)}, evidence: [{{source: hub, locator: "
                    f"'card m{i}', note: 'base model m{p}'}}]}}"
                )
                counts["derivations"] += 1
            caps = rng.sample(range(CAPABILITIES), k=rng.randint(1, 4))
            for c in caps:
                effect = "gained" if not parents[i] else rng.choice(EFFECTS)
                stage = "pretraining" if not parents[i] else rng.choice(STAGES[1:])
                claims.append(
                    f"  - {{id: k{i}-{c}, model: m{i}, capability: cap-{c}, effect: "
                    f"{effect}, stage: {stage}, confidence: {rng.choice(CONFIDENCES)}, "
                    f"evidence: [{{source: hub, locator: 'card m{i}', note: "
                    f"'eval {c}'}}]}}"
                )
                counts["claims"] += 1
        if start == 0:  # a rare capability: gained by three of the newest models
            for i in sorted({max(0, n - k) for k in (1, 2, 3)}):
                claims.append(
                    f"  - {{id: rare-{i}, model: m{i}, capability: cap-rare, effect: "
                    f"gained, stage: instruction_tuning, confidence: likely, "
                    f"evidence: [{{source: hub, locator: 'card m{i}', note: rare}}]}}"
                )
                counts["claims"] += 1
        text = "\n".join([*models, *derivations, *claims]) + "\n"
        (out / f"hub-{start // PER_FILE:05d}.yaml").write_text(text)
    return counts


#: the Hugging Face model tree's measured shape (base-model edges by relation, of
#: 1.86M models): most models are roots; the rest hang off popular bases
HF_MODELS = 1_860_000
HF_EDGES = {"finetune": 189_000, "adapter": 241_000, "quantization": 102_000}
HF_MERGE_EDGES = 42_000
#: the closed stage vocabulary has no quantization or adapter stage: the relation is
#: kept in the derivation's note, the stage is a stand-in
HF_STAGE = {"finetune": "instruction_tuning", "adapter": "instruction_tuning"}


def _hf_parent(i: int, pool: list[int], recent: list[int], rng: random.Random) -> int:
    if recent and rng.random() < 0.35:  # a fine-tune of a fine-tune: chains
        return rng.choice(recent[-2000:])
    return rng.choice(pool) if pool else rng.randrange(i)


def _relation(roll: float, share: dict[str, float], merge: float) -> str:
    """The relation a model has to its base ("" for a root), by the shares."""
    for rel, p in (*share.items(), ("merge", merge)):
        if roll < p:
            return rel
        roll -= p
    return ""


def write_hf(n: int, out: Path, seed: int = 7) -> dict[str, int]:
    """Write ``n`` models shaped like the Hugging Face tree (scaled from 1.86M)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    scale = n / HF_MODELS
    share = {rel: count * scale / n for rel, count in HF_EDGES.items()}
    merge_share = HF_MERGE_EDGES * scale / 2.5 / n
    head = [
        "sources:",
        "  - {id: hub, title: Synthetic HF-shaped hub, authors: [lineage benchmarks], "
        "year: 2024, url: 'https://example.org/hub'}",
        "capabilities:",
        "  - {id: cap-base, name: Base ability, kind: ability, description: synthetic}",
        "  - {id: cap-rare, name: Rare capability, kind: ability, "
        "description: synthetic, aliases: [rare]}",
    ]
    (out / "000-vocabulary.yaml").write_text("\n".join(head) + "\n")
    counts = {"models": n, "derivations": 0, "claims": 0, **dict.fromkeys(HF_EDGES, 0)}
    counts["merge"] = 0
    pool: list[int] = []  # roots, once per child they have (preferential attachment)
    recent: list[int] = []
    for start in range(0, n, PER_FILE):
        models, ders, claims = ["models:"], ["derivations:"], ["claims:"]
        for i in range(start, min(n, start + PER_FILE)):
            models.append(f"  - {{id: m{i}, name: Model {i}, released: '2024'}}")
            rel = _relation(rng.random(), share, merge_share) if i > 3 else ""
            if rel == "merge":
                parents = sorted({rng.randrange(i) for _ in range(rng.choice((2, 3)))})
            else:
                parents = [_hf_parent(i, pool, recent, rng)] if rel else []
            for parent in parents:
                stage = HF_STAGE.get(rel, "instruction_tuning")
                ders.append(
                    f"  - {{parent: m{parent}, child: m{i}, stage: {stage}, confidence: "
                    f"likely, note: {rel}, evidence: [{{source: hub, locator: "
                    f"'card m{i}', note: base_model}}]}}"
                )
                counts["derivations"] += 1
                counts[rel] += 1
                pool.append(parent)
            if parents:
                recent.append(i)
            else:
                pool.append(i)
                claims.append(
                    f"  - {{id: k{i}, model: m{i}, capability: cap-base, effect: "
                    f"gained, stage: pretraining, confidence: likely, evidence: "
                    f"[{{source: hub, locator: 'card m{i}', note: base}}]}}"
                )
                counts["claims"] += 1
        if start == 0:
            claims.append(
                "  - {id: rare-0, model: m0, capability: cap-rare, effect: gained, "
                "stage: pretraining, confidence: likely, evidence: [{source: hub, "
                "locator: 'card m0', note: rare}]}"
            )
        text = "\n".join([*models, *ders, *claims]) + "\n"
        (out / f"hub-{start // PER_FILE:05d}.yaml").write_text(text)
    return counts


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--hf"]
    if len(args) != 2:
        sys.exit("usage: python benchmarks/synth.py [--hf] N OUT_DIR")
    write = write_hf if "--hf" in sys.argv else write_hub
    print(write(int(args[0]), Path(args[1])))
