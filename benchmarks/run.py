"""Benchmarks for lineage: start-up, the RDF way, and scale. Not part of the test run.

    python benchmarks/run.py                 # start-up + rdf + scale at 10k, 100k
    python benchmarks/run.py --sizes 10000 100000 1000000
    python benchmarks/run.py --quick         # tiny sizes (the smoke test uses this)

Every number is reported with a baseline measured in the same run (these machines
are shared and noisy): start-up as a ratio to `python -c pass`, scale as growth
between sizes (the exponent of a log-log fit). Results go to stdout as Markdown and
to benchmarks/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from synth import write_hub  # noqa: E402

PY = sys.executable


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, **extra}
    env.pop("LINEAGE_GRAPH", None)
    return env


def _time_cmd(cmd: list[str], runs: int, env: dict[str, str], cwd: Path) -> float:
    """Median wall time of a whole process, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_startup(runs: int) -> dict[str, float]:
    """Fresh questions against `python -c pass`, interleaved, on a built store."""
    cache = tempfile.mkdtemp(prefix="lineage-bench-")
    env = _env(LINEAGE_CACHE_DIR=cache)
    lineage = [PY, "-m", "lineage"]
    commands = {
        "why": [*lineage, "why", "chain of thought"],
        "show": [*lineage, "show", "code-davinci-002"],
        "check": [*lineage, "check"],
    }
    build_start = time.perf_counter()
    subprocess.run(commands["check"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    build = time.perf_counter() - build_start
    times: dict[str, list[float]] = {"pass": [], **{k: [] for k in commands}}
    for _ in range(runs):  # interleave so that machine noise hits all alike
        times["pass"].append(_time_cmd([PY, "-c", "pass"], 1, env, ROOT))
        for name, cmd in commands.items():
            times[name].append(_time_cmd(cmd, 1, env, ROOT))
    med = {k: statistics.median(v) for k, v in times.items()}
    out = {"python_pass_s": med["pass"], "store_build_s": build}
    for name in commands:
        out[f"{name}_s"] = med[name]
        out[f"ratio_{name}"] = med[name] / med["pass"]
    return out


def bench_rdf_way(runs: int) -> dict[str, float] | None:
    """`lineage why` against rdflib loading the Turtle export and running the query."""
    try:
        from lineage.api import load_graph
        from lineage.outputs.rdf import to_rdf  # noqa: F401
    except ImportError:
        return None
    from lineage.provenance.query import find_origins

    tmp = Path(tempfile.mkdtemp(prefix="lineage-bench-"))
    env = _env(LINEAGE_CACHE_DIR=str(tmp / "cache"))
    ttl = tmp / "graph.ttl"
    subprocess.run(
        [PY, "-m", "lineage", "export", "-o", str(ttl)],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    # The same question the RDF way: rdflib parses the Turtle export, then runs the
    # saved query queries/origin.rq with the capability bound (rdflib engine).
    rdflib_code = (
        "import rdflib; from lineage.outputs.sparql import run_query; g = rdflib.Graph(); "
        f"g.parse({str(ttl)!r}, format='turtle'); "
        "r = run_query('origin', g, {'capability': 'chain-of-thought'}, "
        f"queries={str(ROOT / 'queries')!r}, engine='rdflib'); "
        "assert r.rows, 'no rows'"
    )
    why = [PY, "-m", "lineage", "why", "chain of thought"]
    subprocess.run(why, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
    rdf_times, why_times = [], []
    for _ in range(runs):
        rdf_times.append(_time_cmd([PY, "-c", rdflib_code], 1, env, ROOT))
        why_times.append(_time_cmd(why, 1, env, ROOT))
    index = load_graph([ROOT / "graph"], cache=False)
    start = time.perf_counter()
    find_origins(index, "chain-of-thought")
    in_process = time.perf_counter() - start
    r, w = statistics.median(rdf_times), statistics.median(why_times)
    return {
        "rdflib_load_and_query_s": r,
        "why_s": w,
        "speedup": r / w,
        "why_in_process_s": in_process,
        "query": "origin.rq",
    }


_CHILD = r"""
import gc, json, os, resource, subprocess, sys, tempfile, time
from lineage.api import check_facts
from lineage.facts.model import Stage
from lineage.provenance.query import ablate, find_origins, path_between
rdflib_max, sparql_child = int(sys.argv[2]), sys.argv[3]
t = time.perf_counter(); index, problems = check_facts([sys.argv[1]])
load = time.perf_counter() - t
assert not [p for p in problems if p.severity.value == "error"], problems[:3]
gc.freeze()  # as lineage.api.load_graph does after compiling
out = {"load_validate_compile_s": load,
       "peak_rss_after_load_mb":
           resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
n = len(index.facts.models)
depth = {}
for m in sorted(index.facts.models, key=index.order.__getitem__):  # deepest model
    depth[m] = 1 + max((depth[d.parent] for d in index.parents.get(m, ())), default=0)
deep = max(depth, key=depth.__getitem__)
out["deep_model"], out["deep_model_depth"] = deep, depth[deep]
del depth
root = min(index.ancestors(deep) or {deep}, key=index.order.__getitem__)
def timed(f, runs=3):
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter(); f(); best = min(best, time.perf_counter() - t)
    return best
out.update({"why_s": timed(lambda: find_origins(index, "cap-7")),
            "path_s": timed(lambda: path_between(index, root, deep)),
            "ablate_model_s": timed(lambda: ablate(index, Stage.RLHF, deep))})
try:
    from lineage.outputs.rdf import write_ntriples
except ImportError:
    write_ntriples = None
if write_ntriples is not None:
    work = tempfile.mkdtemp()
    target = os.path.join(work, "hub.nt")
    t = time.perf_counter(); triples = write_ntriples(index, target)
    out["export_nt_s"] = time.perf_counter() - t
    out["export_triples"] = triples
    out["export_triples_per_s"] = triples / out["export_nt_s"]
    out["export_nt_bytes"] = os.path.getsize(target)
    # Turtle streams too: its time, and how much it adds to the peak memory of the
    # process (ru_maxrss only grows, so growth ~0 means constant memory)
    from lineage.outputs.rdf import write_rdf
    ttl = os.path.join(work, "hub.ttl")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter(); write_rdf(index, ttl, "turtle")
    out["export_turtle_s"] = time.perf_counter() - t
    out["export_turtle_triples_per_s"] = triples / out["export_turtle_s"]
    out["export_turtle_peak_growth_mb"] = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before)
    os.unlink(ttl)
    if n <= rdflib_max:  # rdflib's own serializer, on the same triples
        from lineage.outputs.rdf import to_rdf
        t = time.perf_counter(); g = to_rdf(index)
        out["rdflib_build_s"] = time.perf_counter() - t
        t = time.perf_counter(); g.serialize(os.path.join(work, "rdflib.nt"), format="nt")
        out["rdflib_serialize_s"] = time.perf_counter() - t
        out["rdflib_serialize_triples_per_s"] = len(g) / out["rdflib_serialize_s"]
        out["rdflib_build_serialize_triples_per_s"] = len(g) / (
            out["rdflib_build_s"] + out["rdflib_serialize_s"])
        out["nt_vs_rdflib_serializer"] = (
            out["export_triples_per_s"] / out["rdflib_serialize_triples_per_s"])
        if n <= rdflib_max // 10:  # rdflib's Turtle writer is much slower
            t = time.perf_counter()
            g.serialize(os.path.join(work, "rdflib.ttl"), format="turtle")
            out["rdflib_turtle_s"] = time.perf_counter() - t
            out["turtle_vs_rdflib_turtle"] = out["rdflib_turtle_s"] / out["export_turtle_s"]
            os.unlink(os.path.join(work, "rdflib.ttl"))
        os.unlink(os.path.join(work, "rdflib.nt"))
        del g
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del index
    gc.unfreeze(); gc.collect()
    done = subprocess.run([sys.executable, "-c", sparql_child, target, deep, work],
                          capture_output=True, text=True, check=True)
    out.update(json.loads(done.stdout))
    import shutil; shutil.rmtree(work, ignore_errors=True)
else:
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

#: SPARQL ancestors of the deepest model, on an on-disk pyoxigraph store loaded
#: from the streamed N-Triples (own process, so its memory is reported apart).
_SPARQL_CHILD = r"""
import json, os, sys, time
import pyoxigraph as ox
nt, model, work = sys.argv[1:4]
# The ancestor query of the issue: every model the deepest one derives from, along
# prov:wasDerivedFrom+ (a property path). The model's IRI is written into the
# query: Oxigraph plans a path with an unbound start before joining on
# dcterms:identifier, which does not finish on large graphs (see docs/performance.md).
query = ("PREFIX prov: <http://www.w3.org/ns/prov#> SELECT ?a WHERE { "
         f"<https://w3id.org/lineage/id/model/{model}> prov:wasDerivedFrom+ ?a }}")
t = time.perf_counter()
store = ox.Store(os.path.join(work, "store"))
store.bulk_load(path=nt, format=ox.RdfFormat.N_TRIPLES)
store.flush()
load = time.perf_counter() - t
times = []
for _ in range(3):
    t = time.perf_counter()
    rows = list(store.query(query))
    times.append(time.perf_counter() - t)
# VmHWM: this program's own peak (ru_maxrss would include the parent's, via fork)
hwm = next(int(line.split()[1]) for line in open("/proc/self/status")
           if line.startswith("VmHWM:")) / 1024
print(json.dumps({"sparql_load_s": load, "sparql_ancestors_s": min(times),
                  "sparql_ancestors_rows": len(rows),
                  "sparql_peak_rss_mb": hwm}))
"""

#: Sizes above this skip rdflib's serializer (its graph does not fit in memory).
RDFLIB_MAX = 100_000


def bench_scale(
    sizes: list[int], hubs: dict[int, Path] | None = None, rdflib_max: int = RDFLIB_MAX
) -> dict[str, object]:
    """Load, query, export and SPARQL at each size; exponents of a log-log fit."""
    rows = {}
    for n in sizes:
        directory = (hubs or {}).get(n)
        if directory is None:
            directory = Path(tempfile.mkdtemp(prefix=f"lineage-hub-{n}-"))
            counts = write_hub(n, directory)
        else:
            counts = {"models": n, "hub": str(directory)}
        done = subprocess.run(
            [PY, "-c", _CHILD, str(directory), str(rdflib_max), _SPARQL_CHILD],
            env=_env(),
            capture_output=True,
            text=True,
        )
        if done.returncode:
            sys.exit(f"scale child failed at N={n}:\n{done.stderr}")
        rows[n] = {**counts, **json.loads(done.stdout)}
    return {"sizes": rows, "exponents": exponents(rows)}


def exponents(rows: dict[int, dict[str, float]]) -> dict[str, float]:
    """Slope of a least-squares fit of log(cost) on log(N), per measure."""
    keys = (
        "load_validate_compile_s",
        "peak_rss_mb",
        "why_s",
        "path_s",
        "ablate_model_s",
        "export_nt_s",
        "export_turtle_s",
        "sparql_load_s",
        "sparql_ancestors_s",
    )
    out = {}
    for key in keys:
        pts = [
            (math.log(n), math.log(row[key]))
            for n, row in rows.items()
            if isinstance(row.get(key), (int, float)) and row[key] > 0
        ]
        if len(pts) >= 2:
            mx = sum(x for x, _ in pts) / len(pts)
            my = sum(y for _, y in pts) / len(pts)
            den = sum((x - mx) ** 2 for x, _ in pts)
            out[key] = sum((x - mx) * (y - my) for x, y in pts) / den
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--quick", action="store_true", help="tiny sizes and few runs (smoke test)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument(
        "--hub",
        action="append",
        default=[],
        metavar="N=DIR",
        help="reuse a hub written by synth.py for size N (repeatable)",
    )
    parser.add_argument(
        "--scale-only", action="store_true", help="skip start-up and the RDF way"
    )
    parser.add_argument("--rdflib-max", type=int, default=RDFLIB_MAX)
    args = parser.parse_args()
    hubs = {int(k): Path(v) for k, v in (h.split("=", 1) for h in args.hub)}
    if args.quick:
        args.sizes, args.runs = [200, 400], 2
    results: dict[str, object] = {"python": sys.version.split()[0]}
    if not args.scale_only:
        results["startup"] = bench_startup(args.runs)
        results["rdf_way"] = bench_rdf_way(max(3, args.runs // 3))
    results["scale"] = bench_scale(args.sizes, hubs, args.rdflib_max)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
