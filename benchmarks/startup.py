"""Start-up of fresh questions on the shipped graph, as a ratio to `python -c pass`.

    python benchmarks/startup.py                       # this checkout, 11 rounds
    python benchmarks/startup.py --runs 21 --tree before=/tmp/old-checkout --tree after=.

Each round runs `python -c pass` and every command once per code tree, each in its own
process, interleaved so that machine noise hits all alike; CPU time (user + sys) comes
from `os.wait4`, wall time from the clock. Bytecode is compiled first and written
(PYTHONDONTWRITEBYTECODE is dropped for the children), so compilation is not counted.
Every tree gets its own built store. Prints medians and ratios as Markdown and JSON.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

COMMANDS = {
    "why": ["why", "chain of thought"],
    "show": ["show", "code-davinci-002"],
    "path": ["path", "davinci", "text-davinci-003"],
    "check": ["check"],
}


def _env(tree: Path, cache: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "LINEAGE_CACHE_DIR": cache}
    for name in ("LINEAGE_GRAPH", "PYTHONDONTWRITEBYTECODE", "NO_COLOR"):
        env.pop(name, None)
    return env


def run_once(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU (user + sys) seconds of one whole process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        msg = f"{' '.join(cmd)} exited {proc.returncode}"
        raise SystemExit(msg)
    return wall, usage.ru_utime + usage.ru_stime


def measure(trees: dict[str, Path], runs: int) -> dict[str, dict[str, float]]:
    """Median wall/CPU per (tree, command) and for `python -c pass`."""
    plan: list[tuple[str, list[str], dict[str, str], Path]] = []
    base_env = _env(ROOT, tempfile.mkdtemp(prefix="lineage-startup-"))
    plan.append(("python -c pass", [PY, "-c", "pass"], base_env, ROOT))
    for label, tree in trees.items():
        compileall.compile_dir(tree / "lineage", quiet=1)
        env = _env(tree, tempfile.mkdtemp(prefix="lineage-startup-"))
        for args in COMMANDS.values():
            cmd = [PY, "-m", "lineage", *args]
            plan.append((f"{label}: lineage {' '.join(args)}", cmd, env, tree))
    for _, cmd, env, cwd in plan:  # build the stores, write any missing bytecode
        run_once(cmd, env, cwd)
    samples: dict[str, list[tuple[float, float]]] = {key: [] for key, *_ in plan}
    for _ in range(runs):
        for key, cmd, env, cwd in plan:
            samples[key].append(run_once(cmd, env, cwd))
    base_wall = statistics.median(w for w, _ in samples["python -c pass"])
    base_cpu = statistics.median(c for _, c in samples["python -c pass"])
    out = {}
    for key, values in samples.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        out[key] = {
            "wall_s": wall,
            "wall_ratio": wall / base_wall,
            "cpu_s": cpu,
            "cpu_ratio": cpu / base_cpu,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument(
        "--tree",
        action="append",
        default=[],
        metavar="LABEL=DIR",
        help="a checkout to measure (repeatable; default: this one)",
    )
    parser.add_argument("--json", type=Path, help="also write the medians here")
    args = parser.parse_args()
    trees = {k: Path(v).resolve() for k, v in (t.split("=", 1) for t in args.tree)}
    results = measure(trees or {"this": ROOT}, args.runs)
    print(f"median of {args.runs} interleaved runs; load average {os.getloadavg()}")
    print("| command | wall | ratio | CPU (user+sys) | ratio |")
    print("|---|---|---|---|---|")
    for key, r in results.items():
        print(
            f"| `{key}` | {r['wall_s']:.3f} s | {r['wall_ratio']:.1f} "
            f"| {r['cpu_s']:.3f} s | {r['cpu_ratio']:.2f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
