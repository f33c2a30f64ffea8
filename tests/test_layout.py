"""The package's layout is its pipeline (docs/architecture.md), checked on the source.

Every ``import`` of a ``lineage`` module is read from the source (at module level
and inside functions alike), so a lazy import that breaks the layering is caught too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).parent.parent / "lineage"

#: what each part may import: facts → store → provenance → report / outputs → cli,
#: with imports beside the store (it reads facts only); the package root (lazy
#: attributes, ``__version__``) is open to all
MAY_IMPORT = {
    "_records": {"_records_gen"},
    "_records_gen": set(),
    "errors": {"_records", "facts"},  # facts.fold: the one ranking of suggestions
    "outfile": {"errors"},
    "shipped": set(),
    "facts": {"_records", "errors"},
    "store": {"_records", "errors", "facts"},
    "imports": {"errors", "facts", "outfile"},
    "provenance": {"_records", "errors", "facts", "outfile", "store"},
    "api": {"errors", "facts", "store"},
    "report": {"facts", "provenance"},
    "outputs": {
        "_records",
        "errors",
        "facts",
        "outfile",
        "provenance",
        "report",
        "shipped",
        "store",
    },
    "cli": {
        "_records",
        "api",
        "errors",
        "facts",
        "imports",
        "outfile",
        "outputs",
        "provenance",
        "report",
        "shipped",
        "store",
    },
    "_entry": {"cli"},
    "__main__": {"_entry"},
}


def _module(path: Path) -> str:
    parts = ["lineage", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    base = package
    for _ in range(node.level - 1):
        base = base.rpartition(".")[0]
    module = node.module or ""
    target = (f"{base}.{module}" if module else base) if node.level else module
    return [target, *(f"{target}.{a.name}" for a in node.names)]


def _imports() -> nx.DiGraph:
    """Module → every lineage module it imports."""
    paths = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    graph.add_nodes_from(paths)
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node, package):
                    if target in paths and target != name:
                        graph.add_edge(name, target)
    return graph


def _part(module: str) -> str:
    return module.split(".")[1] if "." in module else "lineage"


def test_every_part_imports_only_the_parts_before_it() -> None:
    wrong = [
        f"{a} imports {b}"
        for a, b in _imports().edges
        if _part(b) not in {_part(a), "lineage"} | MAY_IMPORT[_part(a)]
    ]
    assert wrong == []


def test_no_import_circle_at_module_level() -> None:
    graph = nx.DiGraph()
    paths = {_module(p): p for p in PACKAGE.rglob("*.py")}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node, package):
                    if target in paths and target != name:
                        graph.add_edge(name, target)
    assert list(nx.simple_cycles(graph)) == []


def test_no_import_circle_even_through_lazy_imports() -> None:
    """Imports inside functions included, no module imports one that imports it
    back (a submodule importing its own package, for a sibling, does not count)."""
    graph = _imports()
    cycles = [
        c
        for c in nx.simple_cycles(graph)
        if not (len(c) == 2 and any(b.startswith(a + ".") for a in c for b in c))
    ]
    assert cycles == []


def test_every_part_is_listed() -> None:
    assert {_part(m) for m in _imports()} - {"lineage"} == set(MAY_IMPORT)
