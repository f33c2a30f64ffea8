"""Smoke test: the benchmarks run end to end at tiny sizes (they measure nothing here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_benchmarks_run_quick(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["startup"]["python_pass_s"] > 0
    assert results["startup"]["why_s"] > 0 and results["startup"]["ratio_check"] > 0
    sizes = results["scale"]["sizes"]
    assert set(sizes) == {"200", "400"}
    for row in sizes.values():
        assert row["load_validate_compile_s"] > 0 and row["peak_rss_mb"] > 0
        assert row["models"] in (200, 400)
    assert "load_validate_compile_s" in results["scale"]["exponents"]


def test_synthetic_hub_is_valid_and_shaped_like_a_hub(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_hub

    from lineage.api import check_facts

    counts = write_hub(3000, tmp_path)
    index, problems = check_facts([tmp_path])
    assert [str(p) for p in problems] == []
    assert counts["models"] == len(index.facts.models) == 3000
    roots = [m for m in index.facts.models if not index.parents.get(m)]
    merges = [m for m, ps in index.parents.items() if len(ps) > 1]
    fanout = max(len(c) for c in index.children.values())
    assert 10 < len(roots) < 300 and merges and fanout > 20
    deepest = max(len(index.ancestors(m)) for m in list(index.facts.models)[-50:])
    assert deepest >= 50


def test_import_benchmark_runs_and_its_dump_has_the_hubs_shape(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "imports.py"),
            "300",
            "--rounds",
            "1",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    results = json.loads(out.stdout)["results"]
    assert results["lineage import hf"]["median_s"] > 0
    assert results["floor: read + json.loads"]["peak_mb"] > 0
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from hf_jsonl import rows

    dump = list(rows(20_000))
    edges = [r["cardData"].get("base_model") for r in dump]
    with_parent = [e for e in edges if e]
    # the crawl: 574k edges for 1.86M models, most models have no base model
    assert 0.2 < len(with_parent) / len(dump) < 0.4
    relations = {r["cardData"].get("base_model_relation") for r in dump} - {None}
    assert relations == {"finetune", "adapter", "quantized", "merge"}


def test_build_benchmark_runs_and_writes_medians(tmp_path: Path) -> None:
    out = tmp_path / "build.json"
    _benchmark(
        "build.py",
        "--size",
        "200",
        "--runs",
        "1",
        "--against",
        str(ROOT),
        "--out",
        str(out),
    )
    medians = json.loads(out.read_text())["medians"]
    assert len(medians) == 1  # the same checkout twice: one entry, two runs
    (row,) = medians.values()
    assert row["cpu"] > 0 and row["rss_mb"] > 0


def test_linearity_benchmark_counts_the_models_and_writes_ratios(
    tmp_path: Path,
) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from synth import write_hub

    hubs = {}
    for size in (200, 600):
        hubs[size] = tmp_path / f"h{size}" / "hub"
        write_hub(size, hubs[size])
    out = tmp_path / "linearity.json"
    done = _benchmark(
        "linearity.py",
        "--small",
        str(hubs[200]),
        "--large",
        str(hubs[600]),
        "--runs",
        "2",
        "--out",
        str(out),
    )
    got = json.loads(out.read_text())
    assert got["models"] == {"small": 200, "large": 600}
    assert [len(got["runs"][k]) for k in ("small", "large")] == [2, 2]
    assert set(got["ratio"]) == {"cpu", "user", "system", "wall"}
    small, large = got["medians"]["small"], got["medians"]["large"]
    assert got["ratio"]["cpu"] == pytest.approx(large["cpu"] / (3 * small["cpu"]))
    assert "models: 200 and 600 (3.00x)" in done.stdout
    assert done.stdout.count(" ratio: ") == 2


def _benchmark(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``benchmarks/SCRIPT`` with ``args``; fails the test if it fails."""
    return subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
