"""The fact-file reader alone: libyaml against the one-record-per-line reader.

    python benchmarks/synth.py 10000 /tmp/hub-10k
    python benchmarks/reader.py /tmp/hub-10k --runs 5

Each round reads every ``*.yaml`` file of the hub once with each reader, taking
turns (the cyclic garbage collector paused, as in a build): libyaml composing the
nodes and converting them into position-keeping mappings (what every file went
through before ``lineage.facts.flow``), then ``flow_document``. Figures are CPU
seconds (process time), medians of the rounds, and the ratio to libyaml in the same
run. That both give the same trees, positions included, is tests/test_flow.py's job.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lineage.facts import loader  # noqa: E402
from lineage.facts.flow import flow_document  # noqa: E402


def by_libyaml(text: str) -> Any:
    node = loader._Loader(text).get_single_node()
    return loader._Reader("hub.yaml", []).convert(node)


def timed(read: Any, texts: list[str]) -> tuple[float, list[Any]]:
    start = time.process_time()
    trees = [read(text) for text in texts]
    return time.process_time() - start, trees


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("hub", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted(args.hub.glob("*.yaml"))]
    gc.disable()
    times: dict[str, list[float]] = {"libyaml": [], "flow": []}
    for _ in range(args.runs):
        spent, slow = timed(by_libyaml, texts)
        times["libyaml"].append(spent)
        spent, fast = timed(flow_document, texts)
        times["flow"].append(spent)
        if any(tree is None for tree in fast):
            sys.exit("a hub file was not read by the fast reader")
        del slow, fast
    base = statistics.median(times["libyaml"])
    lines = sum(text.count("\n") for text in texts)
    print(f"{len(texts)} files, {lines:,} lines, {args.runs} rounds (CPU, medians)")
    for name, spent in times.items():
        median = statistics.median(spent)
        print(f"  {name:8} {median:.3f} s  ({median / base:.2f}x libyaml)")


if __name__ == "__main__":
    main()
