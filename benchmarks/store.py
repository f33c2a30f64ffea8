"""The store at hub scale: build, fresh questions, an edit, against `python -c pass`.

    python benchmarks/store.py --size 100000 --runs 5
    python benchmarks/store.py --size 2000 --runs 3 --out /tmp/x    # quick
    python benchmarks/store.py --hf --size 186000                    # HF-shaped

Every command runs as its own process (as a user runs it), interleaved with
`python -c pass` so that machine noise hits all alike; peak memory is the child's
maximum resident set (``wait4``). The alternative measured beside the store is the
design it replaced: the whole compiled graph as one pickle, loaded before answering.
Results go to ``OUT/store-<size>.json``.
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
PY = sys.executable
sys.path.insert(0, str(ROOT / "benchmarks"))

from synth import write_hf, write_hub  # noqa: E402


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in MB of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


#: today's design, the alternative: the in-memory index pickled whole
_PICKLE_WRITE = """
import pickle, sys
from lineage.api import load_graph
index = load_graph([sys.argv[1]], cache=False)
with open(sys.argv[2], 'wb') as f:
    pickle.dump(index, f, protocol=pickle.HIGHEST_PROTOCOL)
"""
_PICKLE_SHOW = """
import pickle, sys
from lineage.provenance.query import show_model
with open(sys.argv[1], 'rb') as f:
    index = pickle.load(f)
show_model(index, sys.argv[2])
"""
#: a hub model, a deep model and its root, read from the store
_TARGETS = """
import json, sys
from lineage.api import load_graph
index = load_graph([sys.argv[1]])
models = list(index.facts.models)
deep = max(models[-200:], key=lambda m: len(index.ancestors(m)))
root = index.topo(index.ancestors(deep) | {deep})[0]
hub = max(models[:50], key=lambda m: len(index.children.get(m, ())))
print(json.dumps({"hub": hub, "deep": deep, "root": root}))
"""


def _child_json(code: str, *args: str, env: dict[str, str]) -> dict[str, str]:
    done = subprocess.run(
        [PY, "-c", code, *args], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout) if done.stdout.strip() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--no-pickle", action="store_true")
    parser.add_argument(
        "--hf",
        action="store_true",
        help="the Hugging Face tree's shape (synth.write_hf)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="lineage-store-"))
    graph = work / "hub"
    counts = (write_hf if args.hf else write_hub)(args.size, graph)
    env = {**os.environ, "LINEAGE_CACHE_DIR": str(work / "cache")}
    env["PYTHONPATH"] = str(ROOT)
    os.environ["LINEAGE_CACHE_DIR"] = env["LINEAGE_CACHE_DIR"]
    lineage = [PY, "-m", "lineage"]
    g = ["--graph", str(graph)]
    results: dict[str, object] = {
        "size": args.size,
        "shape": "hf" if args.hf else "hub",
        "counts": counts,
    }

    build_s, build_cpu, build_mb = run([*lineage, "check", *g], env)
    store_files = list((work / "cache").glob("store-*.sqlite"))
    results["build"] = {
        "seconds": build_s,
        "cpu_s": build_cpu,
        "peak_mb": build_mb,
        "store_mb": sum(p.stat().st_size for p in store_files) / 2**20,
    }
    t = _child_json(_TARGETS, str(graph), env=env)
    commands = {
        "check": [*lineage, "check", *g],
        "path": [*lineage, "path", t["root"], t["deep"], *g],
        "show": [*lineage, "show", t["hub"], *g],
        "why_rare": [*lineage, "why", "cap-rare", *g],
    }
    if not args.no_pickle:
        pickled = work / "index.pickle"
        _child_json(_PICKLE_WRITE, str(graph), str(pickled), env=env)
        results["pickle_mb"] = pickled.stat().st_size / 2**20
        commands["pickle_show"] = [PY, "-c", _PICKLE_SHOW, str(pickled), t["hub"]]
    names = ["pass", *commands]
    times: dict[str, list[float]] = {k: [] for k in names}
    cpus: dict[str, list[float]] = {k: [] for k in names}
    peaks: dict[str, float] = {}
    for _ in range(args.runs):
        for name in names:
            cmd = [PY, "-c", "pass"] if name == "pass" else commands[name]
            seconds, cpu, mb = run(cmd, env)
            times[name].append(seconds)
            cpus[name].append(cpu)
            peaks[name] = max(peaks.get(name, 0.0), mb)
    base = statistics.median(times["pass"])
    base_cpu = statistics.median(cpus["pass"])
    results["python_pass_s"] = base
    results["python_pass_cpu_s"] = base_cpu
    results["queries"] = {
        name: {
            "median_s": statistics.median(times[name]),
            "ratio": statistics.median(times[name]) / base,
            "cpu_ratio": statistics.median(cpus[name]) / base_cpu,
            "peak_mb": peaks[name],
        }
        for name in names
    }
    edits = []
    first = sorted(graph.glob("hub-*.yaml"))[-1]
    for n in range(max(1, args.runs // 2)):
        with first.open("a") as handle:
            handle.write(f"  # edit {n}\n")
        edits.append(run(commands["show"], env)[:2])
    results["first_query_after_edit_s"] = statistics.median(e[0] for e in edits)
    results["first_query_after_edit_cpu_s"] = statistics.median(e[1] for e in edits)
    results["targets"] = t
    out = args.out / f"store-{'hf-' if args.hf else ''}{args.size}.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
