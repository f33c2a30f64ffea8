"""Standard streams that never end a command in a traceback.

A closed stdout or stderr, an encoding that cannot hold a character, a reader of a
pipe that went away, a full disk: :func:`guard_streams` makes the streams safe at
start, :func:`flush_stdout` ends a run with the right status, :func:`silence_stdout`
sends what is left to /dev/null after a closed pipe.
"""

from __future__ import annotations

import io
import os
import sys
from typing import NoReturn

#: Output errors that mean "standard output cannot take it" (exit 1 with a message).
OUTPUT_ERRNOS = frozenset({9, 5, 27, 28, 122})  # EBADF EIO EFBIG ENOSPC EDQUOT
#: Exit status after the reader of a pipe went away (128 + SIGPIPE, as shells do).
EXIT_CLOSED_PIPE = 141


class _Closed(io.TextIOBase):
    """Stands in for a standard stream that was closed (``>&-``): writes fail cleanly."""

    def __init__(self, name: str) -> None:
        self.name = name

    def write(self, text: str) -> int:
        raise OSError(9, f"standard {self.name[3:]}put is closed")

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"


def guard_streams() -> None:
    """Make standard streams safe to use, whatever the shell handed us.

    A closed stdout or stderr keeps its descriptor taken (by ``/dev/null``), so no
    file opened later becomes "standard output", and writing to it is a clear
    error. A stream whose encoding cannot hold a character (``PYTHONIOENCODING=
    ascii``) writes it as a backslash escape instead of failing.
    """
    for fd, name in ((1, "stdout"), (2, "stderr")):
        stream = getattr(sys, name)
        if stream is None:
            try:
                os.fstat(fd)
            except OSError:
                null = os.open(os.devnull, os.O_WRONLY)
                if null != fd:
                    os.dup2(null, fd)
                    os.close(null)
            setattr(sys, name, _Closed(name))
            continue
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding != "utf8" and hasattr(stream, "reconfigure"):
            import codecs

            codecs.register_error("lineage-escape", _escape)
            stream.reconfigure(errors="lineage-escape")


def _escape(error: UnicodeError) -> tuple[str, int]:
    """``\\uXXXX`` for what the encoding cannot hold (also valid inside JSON)."""
    assert isinstance(error, UnicodeEncodeError)
    units = error.object[error.start : error.end].encode("utf-16-be")
    text = "".join(
        f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}"
        for i in range(0, len(units), 2)
    )
    return text, error.end


def silence_stdout() -> None:
    """After a closed pipe: send what is left to /dev/null, so exit stays quiet."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass  # not a real descriptor (a test runner's stream)


def flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        raise SystemExit(EXIT_CLOSED_PIPE) from None
    except OSError as exc:
        silence_stdout()
        sys.stderr.write(
            f"error: cannot write to standard output: {exc.strerror or exc}\n"
        )
        raise SystemExit(1) from None


def end_on_output_error(exc: OSError) -> NoReturn:
    """End the run after ``exc`` writing standard output: quietly with 141 after a
    closed pipe, with one ``error:`` line and 1 after a full disk or a closed
    stdout; any other error is raised again."""
    if not isinstance(exc, BrokenPipeError) and exc.errno not in OUTPUT_ERRNOS:
        raise exc
    silence_stdout()
    if isinstance(exc, BrokenPipeError):
        raise SystemExit(EXIT_CLOSED_PIPE) from None
    sys.stderr.write(f"error: cannot write to standard output: {exc.strerror or exc}\n")
    raise SystemExit(1) from None
