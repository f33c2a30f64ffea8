"""Benchmark `lineage import hf` on a synthetic hub dump with the Hub's measured shape.

    python benchmarks/imports.py                 # 100k models
    python benchmarks/imports.py 1860000         # the Hub's size (minutes)
    python benchmarks/imports.py 100000 --check  # also check/show on the result

Whole processes, as users pay them, interleaved with the floor: a Python process
that reads the same JSONL and parses every line (what any importer must do), so
the ratio says how much the import costs beyond reading its input. Three rounds;
medians; peak memory of each process from getrusage.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_FLOOR = (
    "import json,sys\nfor line in open(sys.argv[1], encoding='utf-8'): json.loads(line)"
)
_RUSAGE = (
    "import resource,subprocess,sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
)


def _run(argv: list[str], cwd: Path) -> tuple[float, int]:
    """Seconds and peak kB of one whole process."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", _RUSAGE, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    elapsed = time.perf_counter() - start
    if out[1] != "0":
        msg = f"{argv} exited {out[1]}"
        raise RuntimeError(msg)
    return elapsed, int(out[0])


def measure(n: int, rounds: int = 3, check: bool = False) -> dict[str, object]:
    """Time the floor, the import and (optionally) check/show of the overlay."""

    work = Path(tempfile.mkdtemp(prefix="lineage-import-bench-"))
    dump = work / "hub.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "hf_jsonl.py"), str(n), str(dump)],
        check=True,
    )
    lineage = [sys.executable, "-m", "lineage"]
    graph = str(ROOT / "graph")
    cases = {
        "floor: read + json.loads": [sys.executable, "-c", _FLOOR, str(dump)],
        "lineage import hf": [
            *lineage,
            "import",
            "hf",
            str(dump),
            "-o",
            str(work / "ov"),
            "--graph",
            graph,
        ],
    }
    if check:
        cases["lineage check (overlay)"] = [
            *lineage,
            "check",
            "--graph",
            graph,
            "--graph",
            str(work / "ov"),
        ]
        cases["lineage show (imported)"] = [
            *lineage,
            "show",
            "org000000/model-0000000",
            "--graph",
            graph,
            "--graph",
            str(work / "ov"),
        ]
    times: dict[str, list[float]] = {k: [] for k in cases}
    peaks: dict[str, int] = dict.fromkeys(cases, 0)
    env_cwd = work
    for _ in range(rounds):
        for name, argv in cases.items():
            seconds, peak = _run(argv, env_cwd)
            times[name].append(seconds)
            peaks[name] = max(peaks[name], peak)
    floor = statistics.median(times["floor: read + json.loads"])
    return {
        "models": n,
        "bytes": os.path.getsize(dump),
        "rounds": rounds,
        "results": {
            name: {
                "median_s": round(statistics.median(t), 3),
                "ratio_to_floor": round(statistics.median(t) / floor, 2),
                "peak_mb": round(peaks[name] / 1024, 1),
            }
            for name, t in times.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="?", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--check", action="store_true", help="also check and show")
    args = parser.parse_args()
    print(json.dumps(measure(args.models, args.rounds, args.check), indent=2))


if __name__ == "__main__":
    main()
