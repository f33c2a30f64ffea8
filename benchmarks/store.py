"""The store at hub scale: build, fresh questions, an edit, against `python -c pass`.

    python benchmarks/store.py --size 100000 --runs 5
    python benchmarks/store.py --size 2000 --runs 3 --out /tmp/x    # quick
    python benchmarks/store.py --hf --size 186000                    # HF-shaped
    python benchmarks/store.py --work /tmp/b --before /tmp/old-checkout --no-pickle

With ``--work DIR`` the hub and the store stay in DIR and are reused by the next run
(the hub is written once; a store already built is not rebuilt, so no build figure
is taken); with ``--before CHECKOUT`` every command also runs with that checkout's
``lineage`` package, interleaved with this one, so the two are compared in one run
(each keeps its own store: the file name holds a key of the code).

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

#: where the commands run (the hub's parent: the hub is named relative to it, so
#: every run names it alike and finds the same store)
CWD = ROOT


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in MB of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=CWD, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
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
        [PY, "-c", code, *args],
        env=env,
        cwd=CWD,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout) if done.stdout.strip() else {}


def _edit(path: Path, kind: str, n: int) -> None:
    """One edit of a fact file: a comment appended (bytes change, facts do not), or
    one model's release year changed in place (one fact; no other line moves)."""
    if kind == "comment":
        with path.open("a") as handle:
            handle.write(f"  # edit {n}\n")
        return
    text = path.read_text()
    at = text.rindex("released: '")
    year = text[at + 11 : at + 15]
    text = text[: at + 11] + ("2023" if year != "2023" else "2024") + text[at + 15 :]
    path.write_text(text)


def _measure(
    commands: dict[str, tuple[list[str], dict[str, str]]],
    runs: int,
    env: dict[str, str],
) -> dict[str, dict[str, float]]:
    """Each command ``runs`` times, interleaved with ``python -c pass``: medians."""
    names = ["pass", *commands]
    times: dict[str, list[float]] = {k: [] for k in names}
    cpus: dict[str, list[float]] = {k: [] for k in names}
    peaks: dict[str, float] = {}
    for _ in range(runs):
        for name in names:
            cmd, cenv = ([PY, "-c", "pass"], env) if name == "pass" else commands[name]
            seconds, cpu, mb = run(cmd, cenv)
            times[name].append(seconds)
            cpus[name].append(cpu)
            peaks[name] = max(peaks.get(name, 0.0), mb)
    base = statistics.median(times["pass"])
    base_cpu = statistics.median(cpus["pass"])
    return {
        name: {
            "median_s": statistics.median(times[name]),
            "median_cpu_s": statistics.median(cpus[name]),
            "ratio": statistics.median(times[name]) / base,
            "cpu_ratio": statistics.median(cpus[name]) / base_cpu,
            "peak_mb": peaks[name],
        }
        for name in names
    }


def main() -> None:
    global CWD
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
    parser.add_argument("--work", type=Path, help="keep (and reuse) hub and store here")
    parser.add_argument(
        "--before", type=Path, help="a checkout whose lineage runs beside this one"
    )
    parser.add_argument("--edits", type=int, help="edits of each kind (runs // 2)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = args.work or Path(tempfile.mkdtemp(prefix="lineage-store-"))
    work.mkdir(parents=True, exist_ok=True)
    graph = work / "hub"
    marker = work / "hub.json"
    if marker.exists() and graph.is_dir():
        counts = json.loads(marker.read_text())
    else:
        counts = (write_hf if args.hf else write_hub)(args.size, graph)
        marker.write_text(json.dumps(counts))
    CWD = work
    env = {**os.environ, "LINEAGE_CACHE_DIR": str(work / "cache")}
    env["PYTHONPATH"] = str(ROOT)
    before_env = {**env, "PYTHONPATH": str(args.before)} if args.before else None
    os.environ["LINEAGE_CACHE_DIR"] = env["LINEAGE_CACHE_DIR"]
    lineage = [PY, "-m", "lineage"]
    g = ["--graph", graph.name]
    results: dict[str, object] = {
        "size": args.size,
        "shape": "hf" if args.hf else "hub",
        "counts": counts,
        "before": str(args.before) if args.before else None,
    }
    had = set((work / "cache").glob("store-*.sqlite"))
    build_s, build_cpu, build_mb = run([*lineage, "check", *g], env)
    store_files = set((work / "cache").glob("store-*.sqlite"))
    if store_files - had:
        results["build"] = {
            "seconds": build_s,
            "cpu_s": build_cpu,
            "peak_mb": build_mb,
            "store_mb": sum(p.stat().st_size for p in store_files - had) / 2**20,
        }
    if before_env is not None:
        run([*lineage, "check", *g], before_env)  # its store, built if missing
    t = _child_json(_TARGETS, graph.name, env=env)
    queries = {
        "check": [*lineage, "check", *g],
        "path": [*lineage, "path", t["root"], t["deep"], *g],
        "show": [*lineage, "show", t["hub"], *g],
        "why_rare": [*lineage, "why", "cap-rare", *g],
        "search": [*lineage, "search", "rare", "capability", *g],
    }
    commands = {name: (cmd, env) for name, cmd in queries.items()}
    if before_env is not None:
        commands.update(
            {f"{name}@before": (cmd, before_env) for name, cmd in queries.items()}
        )
    if not args.no_pickle:
        pickled = work / "index.pickle"
        _child_json(_PICKLE_WRITE, graph.name, str(pickled), env=env)
        results["pickle_mb"] = pickled.stat().st_size / 2**20
        commands["pickle_show"] = (
            [PY, "-c", _PICKLE_SHOW, str(pickled), t["hub"]],
            env,
        )
    measured = _measure(commands, args.runs, env)
    results["python_pass_s"] = measured["pass"]["median_s"]
    results["python_pass_cpu_s"] = measured["pass"]["median_cpu_s"]
    results["queries"] = measured
    results["edits"] = _edits(graph, queries["show"], env, before_env, args)
    results["targets"] = t
    out = args.out / f"store-{'hf-' if args.hf else ''}{args.size}.json"
    out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


def _edits(
    graph: Path,
    show: list[str],
    env: dict[str, str],
    before_env: dict[str, str] | None,
    args: argparse.Namespace,
) -> dict[str, dict[str, float]]:
    """The first question after each kind of edit of the last hub file: medians."""
    last = sorted(graph.glob("hub-*.yaml"))[-1]
    codes = {"": env, **({"@before": before_env} if before_env else {})}
    found: dict[str, list[tuple[float, float, float]]] = {}
    for kind in ("comment", "fact"):
        count = max(1, args.runs // 2) if args.edits is None else args.edits
        for n in range(count):
            _edit(last, kind, n)
            for suffix, code_env in codes.items():
                found.setdefault(kind + suffix, []).append(run(show, code_env))
    return {
        name: {
            "median_s": statistics.median(r[0] for r in rows),
            "median_cpu_s": statistics.median(r[1] for r in rows),
            "peak_mb": max(r[2] for r in rows),
        }
        for name, rows in found.items()
    }


if __name__ == "__main__":
    main()
