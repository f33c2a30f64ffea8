"""lineage: where did that capability come from?

A capability-lineage knowledge graph. Facts live in ``graph/*.yaml``; this package
loads them (:func:`load_graph`), answers provenance questions (:mod:`lineage.provenance`),
compiles a networkx graph (:func:`compile_graph`), draws the tree and exports RDF.

Attributes are imported lazily so that ``import lineage`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_graph": "api",
    "check_facts": "api",
    "load_facts": "facts.loader",
    "validate": "facts.validate",
    "build_index": "store.index",
    "Index": "store.index",
    "compile_graph": "store.compiler",
    "find_origins": "provenance.query",
    "lineage_of": "provenance.query",
    "show_model": "provenance.query",
    "show_family": "provenance.query",
    "path_between": "provenance.query",
    "diff_models": "provenance.query",
    "ablate": "provenance.query",
    "find_conflicts": "provenance.query",
    "capability_states": "provenance.query",
    "to_jsonable": "provenance.query",
    "LineageError": "errors",
    "FactError": "errors",
    "FactsInvalid": "errors",
    "Problem": "errors",
    "UnknownNameError": "errors",
    "AmbiguousNameError": "errors",
    "NoPathError": "errors",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module 'lineage' has no attribute '{name}'"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
