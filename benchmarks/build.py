"""A full build from nothing, this checkout against others, interleaved in one run.

    python benchmarks/build.py --size 10000 --runs 3 --against /work/old
    python benchmarks/build.py --hub /tmp/b100k/hub --runs 1 --against /work/old

Each run is one ``lineage check --graph HUB`` process with a fresh, empty
``LINEAGE_CACHE_DIR`` (so this checkout builds its store from nothing; a checkout
from before the store loads and validates as it always did), the checkouts taking
turns so that machine noise hits all alike. Figures are the child's CPU time (user
+ system), wall time and peak resident set (``wait4``); medians, and each
checkout's ratio to the first ``--against`` checkout. Results go to ``--out``
(JSON) when given.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from synth import write_hub  # noqa: E402


def build_once(
    checkout: Path, hub: Path, scratch: Path, output: list[str] | None = None
) -> dict[str, float]:
    """CPU seconds (user + system, and each), wall seconds and peak MB of one
    build from nothing (what ``check`` printed appended to ``output``, if given)."""
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=scratch))
    env = {**os.environ, "PYTHONPATH": str(checkout), "LINEAGE_CACHE_DIR": str(cache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cmd = [sys.executable, "-m", "lineage", "check", "--graph", hub.name]
    start = time.perf_counter()
    printed = tempfile.TemporaryFile(dir=scratch)
    proc = subprocess.Popen(
        cmd, env=env, cwd=hub.parent, stdout=printed, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)  # (not communicate: it reaps the child)
    wall = time.perf_counter() - start
    shutil.rmtree(cache, ignore_errors=True)
    with printed:
        printed.seek(0)
        if output is not None:
            output.append(printed.read().decode(errors="replace"))
    if os.waitstatus_to_exitcode(status) not in (0, 1):  # 1: the hub has problems
        sys.exit(f"{checkout}: check failed:\n{err.decode(errors='replace')}")
    return {
        "cpu": usage.ru_utime + usage.ru_stime,
        "user": usage.ru_utime,
        "system": usage.ru_stime,
        "wall": wall,
        "rss_mb": usage.ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10000, help="models in the hub")
    parser.add_argument("--hub", type=Path, help="an existing hub (else one is made)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--against", type=Path, action="append", default=[], help="another checkout"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="lineage-build-"))
    hub = args.hub.resolve() if args.hub else scratch / "hub"
    if args.hub is None:
        write_hub(args.size, hub)
    checkouts = [ROOT, *(p.resolve() for p in args.against)]
    runs: dict[str, list[dict[str, float]]] = {str(c): [] for c in checkouts}
    for n in range(args.runs):
        for checkout in checkouts:
            got = build_once(checkout, hub, scratch)
            runs[str(checkout)].append(got)
            print(
                f"run {n + 1} {checkout}: "
                + ", ".join(f"{k} {v:.2f}" for k, v in got.items()),
                flush=True,
            )
    shutil.rmtree(scratch, ignore_errors=True)
    medians = {
        c: {k: statistics.median(r[k] for r in rs) for k in ("cpu", "wall", "rss_mb")}
        for c, rs in runs.items()
    }
    base = medians[str(checkouts[1])] if len(checkouts) > 1 else None
    for c, m in medians.items():
        ratio = f" ({m['cpu'] / base['cpu']:.2f}x CPU)" if base else ""
        print(
            f"median {c}: CPU {m['cpu']:.2f} s, wall {m['wall']:.2f} s, "
            f"peak {m['rss_mb']:.0f} MB{ratio}"
        )
    if args.out:
        load = os.getloadavg()[0]
        args.out.write_text(
            json.dumps(
                {"hub": str(hub), "runs": runs, "medians": medians, "load": load}
            )
        )


if __name__ == "__main__":
    main()
