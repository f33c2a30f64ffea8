"""The ``lineage`` console script: answer repeated questions before importing anything.

Read-only queries (``why``, ``show``, ``path`` ...) are memoized: the key covers the
arguments, the working directory, the environment that changes output, whether
stdout is a terminal, the library's code and the bytes of every fact file. When the
facts are unchanged since a question was last asked, the stored answer is printed
without importing click, yaml or the query code, so the command costs about as much
as starting Python. Anything else (first runs, errors, other commands) goes through
:mod:`lineage.cli` as usual. Only the standard library's cheapest modules are used
here, and only ``os``-level path handling, to keep that path short.
"""

from __future__ import annotations

import os
import sys

from .shipped import default_graph

#: commands whose output depends only on arguments and facts
MEMO_COMMANDS = frozenset(
    {
        "why",
        "show",
        "path",
        "diff",
        "ablate",
        "conflicts",
        "models",
        "capabilities",
        "sources",
        "emergence",
    }
)
#: the modules whose code shapes answers and the compiled graph (part of cache keys)
CODE_FILES = (
    "facts/model.py",
    "facts/files.py",
    "facts/loader.py",
    "facts/validate.py",
    "facts/fold.py",
    "store/index.py",
    "store/names.py",
    "provenance/query.py",
    "report.py",
    "cli/__init__.py",
    "store/cache.py",
    "api.py",
    "_entry.py",
    "cli/emergence.py",
    "provenance/emergence.py",
    "shipped.py",
)


def graph_dirs(argv: list[str]) -> list[str]:
    """The fact directories a command line uses (``--graph`` or the default)."""
    dirs: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--graph" and i + 1 < len(argv):
            dirs.append(argv[i + 1])
        elif arg.startswith("--graph="):
            dirs.append(arg.partition("=")[2])
    return dirs or list(default_graph())


def memo_key(argv: list[str]) -> str | None:
    """The memo key of a command line, or None when it must not be memoized."""
    if not argv or argv[0] not in MEMO_COMMANDS or "--help" in argv or "-h" in argv:
        return None
    if os.environ.get("LINEAGE_NO_MEMO"):
        return None
    if any(arg == "--plot" or arg.startswith("--plot=") for arg in argv):
        return None  # writes a file, so it must run every time
    import hashlib

    digest = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for name in CODE_FILES:
        try:
            with open(os.path.join(here, name), "rb") as handle:
                digest.update(handle.read())
        except OSError:
            digest.update(b"-")
    env = [
        os.environ.get(k, "") for k in ("LINEAGE_GRAPH", "NO_COLOR", "TERM", "COLUMNS")
    ]
    tty = sys.stdout.isatty()
    width = _terminal_width() if tty else 0
    digest.update(repr((argv, os.getcwd(), env, tty, width)).encode())
    from .facts.files import (
        FILE,
        SKIPPED,
        WARNING_CODES,
        Unreadable,
        read_fact_bytes,
        walk,
    )

    for directory in graph_dirs(argv):
        if not os.path.isdir(directory):
            return None
        for path, code, _ in walk(directory):
            if code in (SKIPPED, *WARNING_CODES):
                continue
            if code != FILE:
                return None  # a problem: the full run reports it
            try:
                data = read_fact_bytes(path)
            except Unreadable:
                return None
            digest.update(os.fsencode(os.path.abspath(path)) + b"\0")
            digest.update(data)
    return "answer-" + digest.hexdigest()


def _terminal_width() -> int:
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        return 0


def main() -> None:
    """Entry point of the ``lineage`` command."""
    argv = sys.argv[1:]
    try:
        key = memo_key(argv)
    except OSError:
        key = None
    if key is not None:
        from .store.cache import read_cache

        answer = read_cache(key)
        if isinstance(answer, str):
            sys.stdout.write(answer)
            sys.stdout.flush()
            return
    from .cli import run_and_capture

    run_and_capture(argv, key)
