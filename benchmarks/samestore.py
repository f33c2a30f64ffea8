"""Whether two checkouts build the same store and print the same ``check``.

    python benchmarks/samestore.py --against /work/main graph tests/data/bad HUB
    python benchmarks/samestore.py --against /work/main --variants HUB

For each graph directory, each checkout runs ``lineage check --graph DIR`` (from
the directory's parent, with a fresh ``LINEAGE_CACHE_DIR``); its exit code, output
and a dump of every table of the store it built (rows sorted; the full-text table
with its rowids, FTS5's own shadow tables left out; the schema) must be the same
as the first checkout's. ``--variants`` also compares copies of each graph with
problems injected (duplicate ids within and across files, an unknown reference, a
bad date, an alias clash, contradicting claims, a YAML syntax error); the graph's
files must be ones ``benchmarks/synth.py`` wrote (one record per line). Exits 1
at the first difference, printing it. For a refactoring that must keep the
answers: this checkout (the first) against the code before it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: FTS5's own tables behind ``search`` (its rows are compared instead)
_SHADOW = re.compile(r"search_(data|idx|content|docsize|config)$")
_QUERIES = {
    "search": "SELECT rowid, kind, id, field, text FROM search",
    # a file's identity (size, times, inode) is left out: a file written less
    # than two seconds before the build is remembered without one
    "files": "SELECT fid, path, shown, ord, digest, problems FROM files",
}


def dump(store: Path) -> list[str]:
    """Every table of the store, rows sorted, then the schema."""
    conn = sqlite3.connect(store)
    out: list[str] = []
    names = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
        if not _SHADOW.match(name)
    ]
    for name in names:
        query = _QUERIES.get(name, f"SELECT * FROM {name}")  # noqa: S608
        rows = sorted(repr(r) for r in conn.execute(query))
        out.append(f"TABLE {name} {len(rows)}")
        out.extend(rows)
    out.append("SCHEMA")
    out.extend(
        sorted(
            repr(r) for r in conn.execute("SELECT type, name, sql FROM sqlite_master")
        )
    )
    conn.close()
    return out


def build(checkout: Path, graph: Path) -> list[str]:
    """What ``check`` printed and the store it built, as lines."""
    cache = Path(tempfile.mkdtemp(prefix="samestore-"))
    env = {**os.environ, "PYTHONPATH": str(checkout), "LINEAGE_CACHE_DIR": str(cache)}
    try:
        done = subprocess.run(
            [sys.executable, "-m", "lineage", "check", "--graph", graph.name],
            env=env,
            cwd=graph.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        stores = list(cache.glob("store-*.sqlite"))
        lines = [f"rc {done.returncode}", *done.stdout.splitlines(), "STDERR"]
        lines.extend(done.stderr.splitlines())
        if len(stores) != 1:
            return [*lines, f"STORES {len(stores)}"]
        return [*lines, *dump(stores[0])]
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def _edit(graph: Path, name: str, work: Path, change: object) -> Path:
    """A copy of ``graph`` (in ``work/name``) with ``change(files)`` applied:
    ``files`` maps each file's name to its lines."""
    out = work / name / graph.name
    shutil.copytree(graph, out)
    files = {p.name: p.read_text().splitlines() for p in sorted(out.glob("*.yaml"))}
    change(files)  # type: ignore[operator]
    for fname, lines in files.items():
        (out / fname).write_text("\n".join(lines) + "\n")
    return out


def _first(lines: list[str], prefix: str) -> int:
    return next(n for n, line in enumerate(lines) if line.startswith(prefix))


def _hub_files(files: dict[str, list[str]]) -> list[list[str]]:
    return [lines for name, lines in files.items() if name.startswith("hub-")]


def _dup_within(files: dict[str, list[str]]) -> None:
    hub = _hub_files(files)[0]
    at = _first(hub, "  - {id: m")
    hub.insert(at + 3, hub[at + 1])
    claim = _first(hub, "  - {id: k")
    hub.insert(claim + 2, hub[claim])


def _dup_across(files: dict[str, list[str]]) -> None:
    first, last = _hub_files(files)[0], _hub_files(files)[-1]
    at = _first(last, "  - {id: m")
    last.insert(at, first[_first(first, "  - {id: m") + 5])


def _unknown_ref(files: dict[str, list[str]]) -> None:
    hub = _hub_files(files)[-1]
    at = _first(hub, "  - {parent: ")
    hub[at] = re.sub(r"parent: m\d+", "parent: m-nowhere", hub[at])
    claim = _first(hub, "  - {id: k")
    hub[claim] = re.sub(r"capability: cap-\d+", "capability: cap-nowhere", hub[claim])


def _bad_date(files: dict[str, list[str]]) -> None:
    hub = _hub_files(files)[0]
    at = _first(hub, "  - {id: m") + 7
    hub[at] = re.sub(r"released: '[^']*'", "released: '2019-13-45'", hub[at])


def _alias_clash(files: dict[str, list[str]]) -> None:
    hub = _hub_files(files)[-1]
    at = _first(hub, "  - {id: m") + 2
    hub[at] = re.sub(r"name: [^,}]*", "name: Model 3", hub[at])


def _contradicting(files: dict[str, list[str]]) -> None:
    hub = _hub_files(files)[0]
    at = _first(hub, "  - {id: k")
    line = hub[at].replace("{id: k", "{id: kx", 1)
    effect = "lost" if "effect: gained" in line else "gained"
    hub.insert(at + 1, re.sub(r"effect: \w+", f"effect: {effect}", line))


def _syntax_error(files: dict[str, list[str]]) -> None:
    hub = _hub_files(files)[-1]
    at = _first(hub, "  - {id: k") + 4
    hub[at] = hub[at].replace("}", "", 1) + " ]: ["


VARIANTS = {
    "dup-within": _dup_within,
    "dup-across": _dup_across,
    "unknown-ref": _unknown_ref,
    "bad-date": _bad_date,
    "alias-clash": _alias_clash,
    "contradicting": _contradicting,
    "syntax-error": _syntax_error,
}


def compare(checkouts: list[Path], graph: Path) -> bool:
    lines = [build(c, graph) for c in checkouts]
    for checkout, got in zip(checkouts[1:], lines[1:], strict=True):
        if got != lines[0]:
            diff = [
                f"  {a!r}\n  {b!r}"
                for a, b in zip(lines[0], got, strict=False)
                if a != b
            ][:5]
            print(f"{graph}: {checkouts[0]} and {checkout} differ", *diff, sep="\n")
            if len(got) != len(lines[0]):
                print(f"  {len(lines[0])} lines against {len(got)}")
            return False
    print(f"{graph}: same ({len(lines[0])} lines; {lines[0][0]})")
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("graphs", type=Path, nargs="+")
    parser.add_argument(
        "--against", type=Path, action="append", required=True, help="a checkout"
    )
    parser.add_argument("--variants", action="store_true")
    args = parser.parse_args()
    checkouts = [ROOT, *(p.resolve() for p in args.against)]
    work = Path(tempfile.mkdtemp(prefix="samestore-graphs-"))
    try:
        graphs = [g.resolve() for g in args.graphs]
        if args.variants:
            graphs = [
                _edit(g, name, work, change)
                for g in graphs
                for name, change in VARIANTS.items()
            ]
        same = all([compare(checkouts, g) for g in graphs])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
