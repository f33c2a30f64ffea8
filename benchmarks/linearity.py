"""How a full build from nothing grows with the hub: a small and a large hub built
in turn by this checkout, interleaved in one run.

    python benchmarks/synth.py 100000 /tmp/b100k/hub
    python benchmarks/synth.py 1000000 /tmp/b1m/hub
    python benchmarks/linearity.py --small /tmp/b100k/hub --large /tmp/b1m/hub --runs 3

Each run builds the small hub, then the large one, each one ``lineage check``
process with a fresh, empty ``LINEAGE_CACHE_DIR`` (``build.build_once``), so that
the machine's noise falls on both sizes alike. The factor is the number of models
of each hub as ``check`` counts them (in what its first build printed). The ratio printed is the large hub's median CPU over the factor times the
small hub's median CPU: 1.00 is linear, and issue 15 asks for at most 1.20 from
100k to 1M models. Each run's own ratio (its large build over the small build just
before it) is printed too, and everything goes to ``--out`` (JSON) when given.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from build import build_once  # noqa: E402

_KEYS = ("cpu", "user", "system", "wall", "rss_mb")


def models_in(output: str, hub: Path) -> int:
    """How many models ``lineage check`` counted in ``hub``, from what it printed."""
    found = re.search(r"(\d+) models", output)
    if found is None:
        sys.exit(f"{hub}: check did not count its models:\n{output}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=Path, required=True, help="the smaller hub")
    parser.add_argument("--large", type=Path, required=True, help="the larger hub")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="lineage-linearity-"))
    hubs = {"small": args.small.resolve(), "large": args.large.resolve()}
    runs: dict[str, list[dict[str, float]]] = {"small": [], "large": []}
    counts: dict[str, int] = {}
    for n in range(args.runs):
        for name, hub in hubs.items():
            printed: list[str] = []
            got = build_once(ROOT, hub, scratch, printed)
            counts.setdefault(name, models_in(printed[0], hub))
            runs[name].append(got)
            print(
                f"run {n + 1} {name}: " + ", ".join(f"{k} {got[k]:.2f}" for k in _KEYS),
                flush=True,
            )
        factor = counts["large"] / counts["small"]
        own = runs["large"][-1]["cpu"] / (factor * runs["small"][-1]["cpu"])
        print(f"run {n + 1} ratio: {own:.3f}", flush=True)
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"models: {counts['small']:,} and {counts['large']:,} ({factor:.2f}x)")
    medians = {
        name: {k: statistics.median(r[k] for r in rs) for k in _KEYS}
        for name, rs in runs.items()
    }
    ratio = {
        k: medians["large"][k] / (factor * medians["small"][k])
        for k in ("cpu", "user", "system", "wall")
    }
    for name, m in medians.items():
        print(
            f"median {name}: CPU {m['cpu']:.2f} s (user {m['user']:.2f}, system "
            f"{m['system']:.2f}), wall {m['wall']:.2f} s, peak {m['rss_mb']:.0f} MB"
        )
    print(
        f"ratio to linear: CPU {ratio['cpu']:.3f}, user {ratio['user']:.3f}, "
        f"system {ratio['system']:.3f}, wall {ratio['wall']:.3f}"
    )
    if args.out:
        args.out.write_text(
            json.dumps(
                {
                    "hubs": {k: str(v) for k, v in hubs.items()},
                    "models": counts,
                    "runs": runs,
                    "medians": medians,
                    "ratio": ratio,
                    "load": os.getloadavg()[0],
                }
            )
        )


if __name__ == "__main__":
    main()
