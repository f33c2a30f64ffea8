"""Write a synthetic Hugging Face Hub metadata dump (JSONL) with the hub's measured shape.

    python benchmarks/hf_jsonl.py 1860000 /tmp/hub.jsonl

Shape, scaled from a 2025 crawl of the Hub (about 1.86M models, 574k base-model
edges: 189k finetune, 241k adapter, 102k quantized, the rest merges): roughly 70% of
models have no base model; parents are chosen with preferential attachment, so a few
bases gather thousands of derivatives while most have none; some chains run five or
more deep (a finetune of a finetune of ...). Rows look like ``huggingface_hub``'s
``ModelInfo`` (``id``, ``author``, ``createdAt``, ``tags``, ``cardData``). Seeded and
deterministic.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

#: the crawl's edge counts per relation, per 1.86M models
EDGES = {"finetune": 189_000, "adapter": 241_000, "quantized": 102_000, "merge": 42_000}
MODELS = 1_860_000
LICENSES = ("apache-2.0", "mit", "llama2", "cc-by-4.0", "other", None)


def rows(n: int, seed: int = 7) -> Iterator[dict]:
    """``n`` rows of synthetic hub metadata."""
    rng = random.Random(seed)
    scale = n / MODELS
    per_model = {rel: count * scale / n for rel, count in EDGES.items()}
    merge_parents = 2.8  # merges average a little under three parents
    ids: list[str] = []
    pool: list[int] = []
    for i in range(n):
        org = f"org{rng.randrange(max(1, n // 12)):06d}"
        row: dict = {
            "id": f"{org}/model-{i:07d}",
            "author": org,
            "createdAt": f"20{22 + i * 3 // max(n, 1)}-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00.000Z",
            "tags": ["transformers"],
            "cardData": {},
        }
        licence = LICENSES[i % len(LICENSES)]
        if licence:
            row["cardData"]["license"] = licence
        draw = rng.random()
        relation = None
        edge = 0.0
        for rel, share in per_model.items():
            edge += share / (merge_parents if rel == "merge" else 1)
            if pool and draw < edge:
                relation = rel
                break
        if relation == "merge":
            k = rng.choice((2, 3, 3))
            parents = sorted({ids[rng.choice(pool)] for _ in range(k)})
            row["cardData"]["base_model"] = parents
        elif relation:
            row["cardData"]["base_model"] = ids[rng.choice(pool)]
        if relation:
            row["cardData"]["base_model_relation"] = relation
        ids.append(row["id"])
        yield row
        pool.append(i)
        if relation:  # a derivative that is itself popular makes chains
            pool.append(i)


def main() -> None:
    n, path = int(sys.argv[1]), Path(sys.argv[2])
    with path.open("w", encoding="utf-8") as handle:
        for row in rows(n):
            handle.write(json.dumps(row, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
