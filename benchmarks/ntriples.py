"""The N-Triples and Turtle exports against rdflib's N-Triples serializer, one run.

    python benchmarks/synth.py 10000 /tmp/hub-10k
    python benchmarks/ntriples.py /tmp/hub-10k                       # this checkout
    python benchmarks/ntriples.py /tmp/hub-10k --tree before=/tmp/old --tree after=.
    python benchmarks/ntriples.py /tmp/hub-100k --no-rdflib --export-only
    python benchmarks/ntriples.py /tmp/hub-10k --processes --rounds 5

Each measurement is its own process (PYTHONPATH set to the tree): the graph is
loaded from the store (built first), then ``write_ntriples`` runs ``--runs`` times
and its median is kept; the trees' runs are interleaved round by round. rdflib's
serializer (``to_rdf`` + ``Graph.serialize(format="nt")``, timed apart from building
its graph) runs once per round in the first tree. ``--export-only`` instead runs
``lineage export --format nt`` and ``--format turtle`` as whole processes and
reports their time and peak memory (``ru_maxrss`` of the child, via ``os.wait4``).

``--processes`` compares what users pay, whole processes, round by round:
``lineage export --format nt -o FILE`` of each tree (start-up, store, writing)
against a process that loads the same triples into rdflib (parses the N-Triples
the first tree wrote) and serializes them with ``Graph.serialize(format="nt")``.
The rdflib process reports its serialize step apart, so the table has both
baselines: rdflib's serializer alone (the graph already in memory: the stricter
one) and rdflib's whole process (import, parse, serialize).
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

_CHILD = r"""
import json, os, statistics, sys, tempfile, time
from lineage.api import load_graph
hub, what, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
index = load_graph([hub])
work = tempfile.mkdtemp()
out = {}
if what == "lineage":
    from lineage.outputs.ntriples import write_ntriples
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        n = write_ntriples(index, os.path.join(work, "x.nt"))
        times.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
    out = {"triples": n, "s": statistics.median(times), "cpu": statistics.median(cpu)}
else:
    from lineage.outputs.rdf import to_rdf
    g = to_rdf(index)
    t, c = time.perf_counter(), time.process_time()
    g.serialize(os.path.join(work, "x.nt"), format="nt", encoding="utf-8")
    out = {"triples": len(g), "s": time.perf_counter() - t,
           "cpu": time.process_time() - c}
print(json.dumps(out))
"""


_CACHES: dict[Path, str] = {}


def _env(tree: Path) -> dict[str, str]:
    """PYTHONPATH on ``tree``, and a store directory of its own (built once)."""
    cache = _CACHES.setdefault(tree, tempfile.mkdtemp(prefix="lineage-nt-"))
    env = {**os.environ, "PYTHONPATH": str(tree), "LINEAGE_CACHE_DIR": cache}
    env.pop("LINEAGE_GRAPH", None)
    return env


def _child(tree: Path, hub: Path, what: str, runs: int) -> dict[str, float]:
    done = subprocess.run(
        [PY, "-c", _CHILD, str(hub), what, str(runs)],
        env=_env(tree),
        cwd=tree,  # `python -c` puts the working directory before PYTHONPATH
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def writers(trees: dict[str, Path], hub: Path, rounds: int, runs: int, rdflib: bool):
    """Median triples/s by wall clock and by CPU time (both threads of the writer)."""
    rates: dict[str, list[tuple[float, float]]] = {k: [] for k in trees}
    if rdflib:
        rates["rdflib serialize(format='nt')"] = []
    triples = {}
    for _ in range(rounds):
        for label, tree in trees.items():
            r = _child(tree, hub, "lineage", runs)
            rates[label].append((r["triples"] / r["s"], r["triples"] / r["cpu"]))
            triples[label] = r["triples"]
        if rdflib:
            r = _child(next(iter(trees.values())), hub, "rdflib", 1)
            rates["rdflib serialize(format='nt')"].append(
                (r["triples"] / r["s"], r["triples"] / r["cpu"])
            )
            triples["rdflib serialize(format='nt')"] = r["triples"]
    print(
        f"| writer ({hub}) | triples | wall: triples/s | ratio | CPU: triples/s | ratio |"
    )
    print("|---|---|---|---|---|---|")
    med = {
        k: [statistics.median(x[i] for x in v) for i in (0, 1)]
        for k, v in rates.items()
    }
    base = med.get("rdflib serialize(format='nt')")
    for label, (wall, cpu) in med.items():
        ratios = (
            [f"{v / b:.1f}x" for v, b in zip((wall, cpu), base, strict=True)]
            if base
            else ["-", "-"]
        )
        print(f"| {label} | {triples.get(label, 0):,} | {wall / 1e6:.3f} M | {ratios[0]} "
              f"| {cpu / 1e6:.3f} M | {ratios[1]} |")  # fmt: skip


def exports(trees: dict[str, Path], hub: Path) -> None:
    print(f"| `lineage export` ({hub}) | wall | CPU | peak RSS |")
    print("|---|---|---|---|")
    for label, tree in trees.items():
        env = _env(tree)
        subprocess.run([PY, "-m", "lineage", "check", "--graph", str(hub)], env=env,
                       cwd=tree, stdout=subprocess.DEVNULL, check=False)  # fmt: skip
        for fmt in ("nt", "turtle"):
            target = Path(tempfile.mkdtemp()) / f"out.{fmt}"
            cmd = [PY, "-m", "lineage", "export", "--graph", str(hub)]
            cmd += ["--format", fmt, "-o", str(target)]
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, env=env, cwd=tree, stdout=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            if os.waitstatus_to_exitcode(status):
                msg = f"{cmd} failed"
                raise SystemExit(msg)
            cpu = usage.ru_utime + usage.ru_stime
            peak = usage.ru_maxrss / 1024
            print(f"| {label}: `--format {fmt}` | {wall:.1f} s | {cpu:.1f} s "
                  f"| {peak:,.0f} MB |")  # fmt: skip
            target.unlink()


_RDFLIB = r"""
import json, sys, time
from rdflib import Graph
g = Graph()
g.parse(sys.argv[1], format="nt")
t, c = time.perf_counter(), time.process_time()
g.serialize(sys.argv[2], format="nt", encoding="utf-8")
print(json.dumps({"triples": len(g), "s": time.perf_counter() - t,
                  "cpu": time.process_time() - c}))
"""


def _timed(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of the process ``cmd`` (``os.wait4``), and its stdout."""
    with tempfile.TemporaryFile("w+") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status):
            msg = f"{cmd} failed"
            raise SystemExit(msg)
        out.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, out.read()


def processes(trees: dict[str, Path], hub: Path, rounds: int) -> None:
    """Whole ``lineage export --format nt`` processes against rdflib's, interleaved."""
    work = Path(tempfile.mkdtemp(prefix="lineage-nt-"))
    for tree in trees.values():  # build each tree's store first, untimed
        subprocess.run([PY, "-m", "lineage", "check", "--graph", str(hub)],
                       env=_env(tree), cwd=tree, stdout=subprocess.DEVNULL,
                       check=False)  # fmt: skip
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in trees}
    serializer: list[tuple[float, float]] = []
    whole: list[tuple[float, float]] = []
    triples = 0
    for _ in range(rounds):
        for label, tree in trees.items():
            cmd = [PY, "-m", "lineage", "export", "--graph", str(hub), "--format"]
            cmd += ["nt", "-o", str(work / f"{label}.nt")]
            wall, cpu, _ = _timed(cmd, _env(tree), tree)
            runs[label].append((wall, cpu))
        first = work / f"{next(iter(trees))}.nt"
        cmd = [PY, "-c", _RDFLIB, str(first), str(work / "rdflib.nt")]
        wall, cpu, out = _timed(cmd, _env(ROOT), ROOT)
        r = json.loads(out)
        serializer.append((r["s"], r["cpu"]))
        whole.append((wall, cpu))
        triples = r["triples"]
    _process_table(hub, triples, runs, serializer, whole)


def _process_table(
    hub: Path,
    triples: int,
    runs: dict[str, list[tuple[float, float]]],
    serializer: list[tuple[float, float]],
    whole: list[tuple[float, float]],
) -> None:
    def med(xs: list[tuple[float, float]]) -> tuple[float, float]:
        return statistics.median(x[0] for x in xs), statistics.median(x[1] for x in xs)

    ser, rdf = med(serializer), med(whole)
    print(f"{triples:,} triples ({hub}), medians of {len(serializer)} rounds")
    print("| process | wall | CPU | wall vs rdflib's serializer | CPU vs it "
          "| wall vs rdflib's process | CPU vs it |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    rows = {**{f"`lineage export` ({k})": med(v) for k, v in runs.items()},
            "rdflib: `serialize(format='nt')` alone": ser,
            "rdflib: whole process (import, parse, serialize)": rdf}  # fmt: skip
    for label, (wall, cpu) in rows.items():
        print(f"| {label} | {wall:.2f} s | {cpu:.2f} s | {ser[0] / wall:.1f}x "
              f"| {ser[1] / cpu:.1f}x | {rdf[0] / wall:.1f}x | {rdf[1] / cpu:.1f}x |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("hub", type=Path)
    parser.add_argument("--tree", action="append", default=[], metavar="LABEL=DIR")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument("--export-only", action="store_true")
    parser.add_argument("--processes", action="store_true")
    args = parser.parse_args()
    trees = {k: Path(v).resolve() for k, v in (t.split("=", 1) for t in args.tree)}
    trees = trees or {"this": ROOT}
    print(f"load average {os.getloadavg()}")
    if args.export_only:
        exports(trees, args.hub)
    elif args.processes:
        processes(trees, args.hub, args.rounds)
    else:
        writers(trees, args.hub, args.rounds, args.runs, not args.no_rdflib)


if __name__ == "__main__":
    main()
