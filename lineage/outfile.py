"""Writing output files safely: shared by every command that takes ``-o``.

Top level (beside ``errors.py``) because both ``outputs/`` and the emergence plot
in ``provenance/`` write files. The rules, each tested in
``tests/test_hostile_outputs.py``:

* only a regular file, or a path that does not exist yet, is written; a
  symlink is written through (its target is replaced), and a device, FIFO,
  socket or directory is refused;
* the data goes to a temporary file beside the target, named
  ``.NAME.PID.RANDOM.tmp``, which replaces the target only when complete;
* a new file gets the mode a plain ``open()`` would give (0666 less the umask),
  a replaced file keeps its mode;
* temporary files of that naming left by a process that no longer runs (a
  ``kill -9`` during a large export) are removed on the next write beside them.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from .errors import LineageError

__all__ = [
    "STDOUT",
    "check_target",
    "clean_stale",
    "new_mode",
    "temp_path",
    "write_atomic",
]

#: The ``-o`` value that means standard output.
STDOUT = "-"

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def check_target(
    path: str | os.PathLike[str], *, error: type[LineageError] = LineageError
) -> Path:
    """The file to replace for ``path``: itself, or a symlink's final target.

    Raises
    ------
    LineageError
        (or ``error``) If the path is anything but a regular file or a missing
        one, or its directory does not exist.
    """
    given = Path(path)
    target = given
    with contextlib.suppress(OSError):
        if given.is_symlink():
            target = Path(os.path.realpath(given))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        msg = f"cannot write '{given}': {exc.strerror or exc}"
        raise error(msg) from None
    if mode is not None and not stat.S_ISREG(mode):
        msg = (
            f"cannot write '{given}': it is {_kind(mode)}, not a regular file; "
            "choose another path (or - for standard output)"
        )
        raise error(msg)
    parent = target.parent
    if not parent.is_dir():
        msg = f"cannot write '{given}': directory '{parent}' does not exist"
        raise error(msg)
    return target


def new_mode(target: Path) -> int:
    """The mode for ``target``'s new content: its current mode, or 0666 less umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        return 0o666 & ~umask()


def umask() -> int:
    """The process umask (read without leaving it changed)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def temp_path(target: Path, suffix: str = ".tmp") -> Path:
    """A fresh temporary name beside ``target`` that :func:`clean_stale` knows
    (random part from ``os.urandom``: ``secrets`` imports OpenSSL's hashes, 4 ms)."""
    return target.with_name(
        f".{target.name}.{os.getpid()}.{os.urandom(4).hex()}{suffix}"
    )


def _ours(target: Path, suffixes: tuple[str, ...]) -> Iterator[tuple[Path, int]]:
    pattern = re.compile(
        rf"^\.{re.escape(target.name)}\.(\d+)\.[0-9a-f]{{8}}"
        rf"(?:{'|'.join(re.escape(s) for s in suffixes)})$"
    )
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        found = pattern.match(entry.name)
        if found:
            yield Path(entry.path), int(found.group(1))


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def clean_stale(target: Path, suffixes: tuple[str, ...] = (".tmp",)) -> int:
    """Remove our temporary files beside ``target`` whose writer has died.

    Only names of this module's pattern (``.NAME.PID.RANDOM.tmp``) with a PID
    that no longer runs; a concurrent writer's file is left alone. Returns the
    number removed.
    """
    removed = 0
    for path, pid in _ours(target, suffixes):
        if _running(pid):
            continue
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                import shutil  # rarely needed: not paid by every export

                shutil.rmtree(path)
            else:
                path.unlink()
            removed += 1
    return removed


def write_atomic(
    path: str | os.PathLike[str],
    data: bytes | str | Callable[[IO[bytes]], object],
    *,
    error: type[LineageError] = LineageError,
    buffering: int = -1,
) -> Path:
    """Write ``data`` (bytes, text as UTF-8, or a function given the open file).

    The previous file stays as it was until the new content is complete; a
    failure leaves no temporary file. Returns the path written (a symlink's
    target when ``path`` is a symlink).

    Raises
    ------
    LineageError
        (or ``error``) If the target is not a regular file or cannot be written.
    """
    target = check_target(path, error=error)
    clean_stale(target)
    temp = temp_path(target)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb", buffering=buffering) as handle:
            if isinstance(data, str):
                handle.write(data.encode("utf-8"))
            elif isinstance(data, bytes):
                handle.write(data)
            else:
                data(handle)
            os.fchmod(handle.fileno(), new_mode(target))
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            msg = f"cannot write '{path}': {exc.strerror or exc}"
            raise error(msg) from None
        raise
    return target
