"""Measure rdflib against pyoxigraph for the RDF export and the saved queries.

    python benchmarks/rdf_engine.py graph /tmp/hub-10k ...

For each graph directory: build the rdflib graph (to_rdf), serialize it in every
format with rdflib and with pyoxigraph (from the same sorted N-Triples), and run
every saved query with rdflib's engine and with pyoxigraph (the latter including
the cost of loading the triples into a pyoxigraph store). Prints a Markdown table
(best of 3 runs, seconds). The numbers are recorded in docs/performance.md.
"""

# ruff: noqa: B023 - the lambdas run inside the loop iteration that makes them
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's own trig/json-ld code


def best(func, runs: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main(dirs: list[str]) -> None:
    import pyoxigraph as ox

    from lineage.api import load_graph
    from lineage.outputs.rdf import FORMATS, _rdflib_serialize, serialize, to_rdf
    from lineage.outputs.sparql import run_query, saved_queries

    ox_formats = {
        "turtle": ox.RdfFormat.TURTLE,
        "nt": ox.RdfFormat.N_TRIPLES,
        "jsonld": ox.RdfFormat.JSON_LD,
        "xml": ox.RdfFormat.RDF_XML,
        "trig": ox.RdfFormat.TRIG,
    }
    for directory in dirs:
        index = load_graph([directory], cache=False)
        graph = to_rdf(index)
        runs = 1 if len(graph) > 200_000 else 3
        print(
            f"\n### {directory}: {len(index.facts.models)} models, "
            f"{len(graph)} triples\n"
        )
        print(f"to_rdf: {best(lambda: to_rdf(index), runs):.3f} s\n")
        print("| format | rdflib | pyoxigraph | lineage (chosen) |")
        print("|---|---|---|---|")
        for fmt in FORMATS:
            t_rdflib = best(lambda: _rdflib_serialize(graph, fmt), runs)

            def oxi() -> None:
                nt = serialize(graph, "nt").encode()
                quads = ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)
                ox.serialize(quads, format=ox_formats[fmt])

            t_ox = best(oxi, runs)
            t_ours = best(lambda: serialize(graph, fmt), runs)
            print(f"| {fmt} | {t_rdflib:.3f} | {t_ox:.3f} | {t_ours:.3f} |")
        print("\n| query | rows | rdflib | pyoxigraph (incl. load) |")
        print("|---|---|---|---|")
        for name in saved_queries(ROOT / "queries"):
            rows = len(run_query(name, graph, engine="oxigraph").rows)
            t_ox = best(lambda: run_query(name, graph, engine="oxigraph"), runs)
            if len(graph) > 50_000 and name in ("ancestors", "origin"):
                # rdflib's origin query ran for over 13 minutes on 2,000 models
                t_rdflib_text = "not run (> 10 min)" if name == "origin" else "-"
                if name == "ancestors":
                    t_rdflib_text = f"{best(lambda: run_query(name, graph, engine='rdflib'), 1):.3f}"
            else:
                t_rdflib = best(lambda: run_query(name, graph, engine="rdflib"), runs)
                t_rdflib_text = f"{t_rdflib:.3f}"
            print(f"| {name} | {rows} | {t_rdflib_text} | {t_ox:.3f} |")


if __name__ == "__main__":
    main(sys.argv[1:] or [str(ROOT / "graph")])
