"""Load, validate and compile the facts in one call, through the on-disk store."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from .errors import FactsInvalid, Problem, Severity
from .store.index import Index, build_index

__all__ = ["check_facts", "load_graph"]

Progress = Callable[[str], None]


def _in_memory(
    directories: Sequence[str | os.PathLike[str]],
) -> tuple[Index, list[Problem]]:
    import gc

    from .facts.loader import load_facts
    from .facts.validate import validate

    facts, problems = load_facts(directories)
    paused = gc.isenabled()
    gc.disable()  # no cycles are made here; see load_facts
    try:
        problems = sorted([*problems, *validate(facts)], key=lambda p: p.sort_key)
        return build_index(facts), problems
    finally:
        if paused:
            gc.enable()


def check_facts(
    directories: Sequence[str | os.PathLike[str]] = ("graph",),
    *,
    cache: bool = True,
    progress: Progress | None = None,
) -> tuple[Index, list[Problem]]:
    """Load and validate; return the index and every problem (errors and warnings).

    With ``cache`` (the default) the store is brought up to date, re-reading only
    the files that changed, and the index reads from it; without, everything is
    parsed into memory. ``progress`` is called with each file parsed.
    """
    if not cache:
        return _in_memory(directories)
    from .store.db import open_store
    from .store.lazy import StoredIndex

    store = open_store(directories, progress=progress)
    return StoredIndex(store), store.problems()


def load_graph(
    directories: Sequence[str | os.PathLike[str]] = ("graph",),
    *,
    cache: bool = True,
    progress: Progress | None = None,
) -> Index:
    """The compiled facts of the given graph directories, ready for queries.

    Parameters
    ----------
    directories
        Graph directories; later ones add records to earlier ones.
    cache
        Read through the on-disk store (built or updated as needed); without,
        parse every file into memory.
    progress
        Called with the name of each file parsed (for long builds).

    Raises
    ------
    FactsInvalid
        If the facts have errors (warnings do not raise).
    FactError
        If a directory does not exist or holds no fact file.
    """
    index, problems = check_facts(directories, cache=cache, progress=progress)
    if any(p.severity is Severity.ERROR for p in problems):
        raise FactsInvalid(problems, len(index.facts.files))
    return index
