"""Finding and reading fact files: the one listing every reader of the facts uses.

The loader and the store (:mod:`lineage.store.db`) both walk a graph
directory with :func:`walk` and read with :func:`read_fact_bytes`, so they agree on
what a fact file is: a regular file named ``*.yaml`` or ``*.yml`` (symbolic links
followed), never a FIFO, a device or a socket, and never more than
:data:`MAX_FILE_BYTES`, checked before reading. Every other entry is accounted for:
skipped (hidden, or not a fact file) or reported (unreadable, broken link, bad name).
Only :mod:`os` and :mod:`stat` are imported at the top, so listing stays cheap.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from ..errors import Problem

__all__ = [
    "FACT_SUFFIXES",
    "MAX_FILE_BYTES",
    "Listing",
    "Unreadable",
    "display",
    "fact_files",
    "list_facts",
    "read_fact_bytes",
    "read_fact_file",
    "walk",
]

#: Names that hold facts.
FACT_SUFFIXES = (".yaml", ".yml")
#: A fact file larger than this is refused, before it is read (bytes).
MAX_FILE_BYTES = 64 * 1024 * 1024

#: codes of :func:`walk` entries that are not problems
FILE = ""
SKIPPED = "skipped"
#: the marker of a folder written by ``lineage import`` (expected; not reported)
IMPORT_MARKER = ".lineage-import"
#: problem codes of :func:`walk` that are warnings (the rest are errors)
WARNING_CODES = frozenset({"symlink-loop"})

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class Unreadable(Exception):  # noqa: N818 - a reason, carried to a Problem
    """A fact file that cannot be read; ``code`` is the rule id of the problem."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def display(path: str | os.PathLike[str]) -> str:
    """``path`` as shown in messages: relative to the working directory when near it,
    and printable whatever bytes its name holds (undecodable bytes as ``\\xff``)."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:  # another drive on Windows
        rel = text
    shown = text if rel.startswith(".." + os.sep + "..") else rel
    return os.fsencode(shown).decode("utf-8", "backslashreplace")


def _kind_of(mode: int) -> str:
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def read_fact_bytes(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular fact file of at most ``limit`` bytes.

    The file is opened without blocking (a FIFO never waits for a writer), checked to
    be a regular file and measured before a byte is read, and read no further than
    ``limit`` (a file that grows meanwhile is still refused).

    Raises
    ------
    Unreadable
        With code ``not-a-file``, ``too-large`` or ``unreadable``.
    """
    result = _read(path, limit)
    if isinstance(result, tuple):
        raise Unreadable(*result)
    return result


def _read(path: str | os.PathLike[str], limit: int) -> bytes | tuple[str, str]:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        return "unreadable", _open_error(path, exc)
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd)
        if not stat.S_ISREG(mode.st_mode):
            return "not-a-file", f"not a regular file ({_kind_of(mode.st_mode)})"
        if mode.st_size > limit:
            return "too-large", _too_large(mode.st_size, limit)
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            return "unreadable", f"cannot read file: {_reason(exc)}"
    if len(data) > limit:
        return "too-large", _too_large(len(data), limit)
    return data


def _too_large(size: int, limit: int) -> str:
    return (
        f"file is {size} bytes, over the limit of {limit} bytes; "
        "split it into several files"
    )


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _open_error(path: str | os.PathLike[str], exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop (the link points back to itself)"
    if exc.errno == errno.ENOENT and os.path.islink(path):
        target = os.fsencode(os.readlink(path)).decode("utf-8", "backslashreplace")
        return f"broken symbolic link (it points to '{target}', which does not exist)"
    return f"cannot read file: {_reason(exc)}"


def _entry_problem(path: str) -> tuple[str, str]:
    """Why an entry named like a fact file is not a regular file: (code, message)."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return "unreadable", _open_error(path, exc)
    return "not-a-file", f"not a regular file ({_kind_of(mode)})"


def walk(directory: str) -> Iterator[tuple[str, str, str]]:
    """Every entry under ``directory`` as ``(path, code, message)``, depth first,
    names sorted (the order of sorted paths).

    ``code`` is ``""`` for a fact file to read, ``"skipped"`` for an entry that is not
    one (hidden names, other suffixes; hidden directories are not entered), or the
    rule id of a problem: ``unreadable``, ``not-a-file``, ``bad-file-name``, or the
    warning ``symlink-loop`` for a directory reached again through a link.
    """
    seen = {os.path.realpath(directory)}
    stack: list[Iterator[os.DirEntry[str]]] = []
    problem = _open_directory(directory, stack)
    if problem:
        yield directory, *problem
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        yield from _visit(entry, stack, seen)


def _open_directory(
    path: str, stack: list[Iterator[os.DirEntry[str]]]
) -> tuple[str, str] | None:
    try:
        with os.scandir(path) as entries:
            stack.append(iter(sorted(entries, key=lambda e: e.name)))
    except OSError as exc:
        return "unreadable", f"cannot read directory: {_reason(exc)}"
    return None


def _visit(
    entry: os.DirEntry[str], stack: list[Iterator[os.DirEntry[str]]], seen: set[str]
) -> Iterator[tuple[str, str, str]]:
    path, name = entry.path, entry.name
    if name.startswith("."):
        yield path, SKIPPED, "hidden"
    elif _safely(entry.is_dir):
        real = os.path.realpath(path)
        if real in seen:
            yield (
                path,
                "symlink-loop",
                "link to a directory that is already read; not read again",
            )
            return
        seen.add(real)
        problem = _open_directory(path, stack)
        if problem:
            yield path, *problem
    elif not name.endswith(FACT_SUFFIXES):
        yield path, SKIPPED, "not a fact file"
    elif not _printable(name):
        yield (
            path,
            "bad-file-name",
            "file name is not valid UTF-8; rename the file",
        )
    elif _safely(entry.is_file):
        yield path, FILE, ""
    else:
        yield path, *_entry_problem(path)


def _safely(test: Callable[[], bool]) -> bool:
    """A ``DirEntry`` test, False where it raises (e.g. a symbolic link loop)."""
    try:
        return test()
    except OSError:
        return False


def _printable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes, kept as surrogates
        return False
    return True


class Listing:
    """What :func:`list_facts` found: files to read, entries skipped, problems."""

    __slots__ = ("files", "problems", "skipped")

    def __init__(
        self, files: list[Path], skipped: list[str], problems: list[Problem]
    ) -> None:
        self.files = files
        self.skipped = skipped
        self.problems = problems


def list_facts(directories: Sequence[str | os.PathLike[str]]) -> Listing:
    """Walk the graph directories; every entry is a file, a skip or a problem.

    Raises
    ------
    FactError
        If a directory does not exist or holds neither a fact file nor a problem.
    """
    from pathlib import Path

    from ..errors import FactError, Problem, Severity

    files: list[Path] = []
    skipped: list[str] = []
    problems: list[Problem] = []
    for directory in directories:
        root = os.fspath(directory)
        if not os.path.isdir(root):
            msg = (
                f"graph directory '{display(root)}' does not exist; name the fact "
                "directory with --graph DIR or $LINEAGE_GRAPH"
            )
            if os.path.lexists(root):
                msg = f"'{display(root)}' is not a directory"
            raise FactError(msg, display(root), code="no-graph")
        before = len(files) + len(problems)
        for path, code, message in walk(root):
            if code == FILE:
                files.append(Path(path))
            elif code == SKIPPED:
                if os.path.basename(path) != IMPORT_MARKER:
                    skipped.append(display(path))
            else:
                severity = Severity.WARNING if code in WARNING_CODES else Severity.ERROR
                problems.append(Problem(display(path), 0, 0, severity, message, code))
        if len(files) + len(problems) == before:
            msg = f"no fact files (*.yaml, *.yml) in '{display(root)}'"
            raise FactError(msg, display(root), code="no-facts")
    return Listing(files, skipped, problems)


def fact_files(directories: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Every fact file under the given directories, in reading order.

    Raises
    ------
    FactError
        If a directory does not exist or holds no fact file.
    """
    return list_facts(directories).files


def read_fact_file(path: str | os.PathLike[str], limit: int = MAX_FILE_BYTES) -> bytes:
    """:func:`read_fact_bytes`, raising :class:`~lineage.errors.FactError` instead."""
    from ..errors import FactError

    try:
        return read_fact_bytes(path, limit)
    except Unreadable as exc:
        raise FactError(exc.message, display(path), code=exc.code) from None
