"""Benchmark of `lineage search` (SQLite FTS5) and the name resolver, shipped graph
and a synthetic hub. Not part of the test run.

    python benchmarks/search.py                    # shipped graph + 100k-model hub
    python benchmarks/search.py --sizes 10000      # smaller hub
    python benchmarks/search.py --quick            # tiny (the smoke test uses this)

Each query time is the median of many in-process runs, reported with a baseline
measured in the same run on the same index: ``find_origins`` of one capability
(what `lineage why` computes), so a ratio near 1 means "as fast as any other
query". The hub is benchmarks/synth.py's plus the shipped graph (so the real
texts are searched among 100k synthetic models). Results go to stdout as
Markdown and to benchmarks/out/search.json.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from synth import write_hub  # noqa: E402

from lineage.api import check_facts  # noqa: E402
from lineage.provenance.query import find_origins  # noqa: E402
from lineage.store.names import build_names  # noqa: E402
from lineage.store.search import build_search, search  # noqa: E402

SEARCHES = (
    "alignment tax",
    "3599",
    "absolute positional embedding",
    "modelling dialogue history",
    "思维链",
    "eval 7",  # in every synthetic claim note: the largest posting list
    "Model 4242",
)
NAMES = (
    "chain-of-thought",  # an id
    "ChatGPT",  # a name
    "modeling dialogue history",  # folded
    "chain of thougth",  # a typo
    "frobnicate the gizmo",  # nothing: ranked suggestions
)


def median_s(func, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(dirs: list[Path], runs: int) -> dict[str, object]:
    start = time.perf_counter()
    index, _ = check_facts(dirs)
    load_s = time.perf_counter() - start
    facts = index.facts
    start = time.perf_counter()
    build_names(facts)
    names_s = time.perf_counter() - start
    conn = sqlite3.connect(":memory:")
    start = time.perf_counter()
    build_search(conn, facts)
    build_s = time.perf_counter() - start
    rows = conn.execute("SELECT count(*) FROM search").fetchone()[0]
    cap = "chain-of-thought" if "chain-of-thought" in facts.capabilities else "cap-1"
    base = median_s(lambda: find_origins(index, cap), runs)
    out: dict[str, object] = {
        "models": len(facts.models),
        "rows": rows,
        "load_validate_compile_s": round(load_s, 2),
        "build_names_s": round(names_s, 3),
        "build_search_s": round(build_s, 3),
        "baseline_find_origins_ms": round(base * 1000, 3),
    }
    searches = {}
    for text in SEARCHES:
        t = median_s(lambda text=text: search(conn, text, None, 10), runs)
        searches[text] = {"ms": round(t * 1000, 3), "ratio": round(t / base, 2)}
    out["search"] = searches
    resolves = {}
    words = index.words
    for text in NAMES:

        def resolve(text: str = text) -> None:
            try:
                words.resolve(text, ("capability", "model", "family"))
            except Exception:  # noqa: BLE001, S110 - unknown names raise; timed anyway
                pass

        resolve()  # the typo table is built on first use
        t = median_s(resolve, runs)
        resolves[text] = {"ms": round(t * 1000, 3), "ratio": round(t / base, 2)}
    out["resolve"] = resolves
    return out


def table(name: str, result: dict[str, object]) -> list[str]:
    lines = [
        f"### {name}: {result['models']:,} models, {result['rows']:,} text rows",
        "",
        f"load+validate+compile {result['load_validate_compile_s']} s; "
        f"name tables {result['build_names_s']} s; FTS5 table {result['build_search_s']} s; "
        f"baseline find_origins {result['baseline_find_origins_ms']} ms",
        "",
        "| what | median | ratio to find_origins |",
        "|---|---|---|",
    ]
    for kind in ("search", "resolve"):
        for text, row in result[kind].items():  # type: ignore[attr-defined]
            lines.append(f"| {kind} `{text}` | {row['ms']} ms | {row['ratio']} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument("--runs", type=int, default=51)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()
    sizes = [300] if args.quick else args.sizes
    runs = 5 if args.quick else args.runs
    results: dict[str, object] = {"shipped": measure([ROOT / "graph"], runs)}
    lines = table("shipped graph", results["shipped"])  # type: ignore[arg-type]
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="lineage-search-") as tmp:
            write_hub(n, Path(tmp))
            result = measure([ROOT / "graph", Path(tmp)], runs)
        results[str(n)] = result
        lines += ["", *table(f"hub of {n:,}", result)]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "search.json").write_text(json.dumps(results, indent=2))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
