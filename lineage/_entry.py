"""The ``lineage`` console script.

There is no answer memo any more: with the indexed store a fresh question costs
about what the memo's own hashing of every fact file did (see docs/performance.md),
and every answer is computed from the bytes the store parsed.

It also makes the standard streams safe (:func:`guard_streams`) and flushes
standard output before exit, so that a closed pipe, a full disk or a closed
stdout never ends in a traceback.
"""

from __future__ import annotations

import io
import os
import sys

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


def _flush_stdout() -> None:
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


def main() -> None:
    """Entry point of the ``lineage`` command.

    Standard output is flushed before exit, so a closed pipe (``lineage
    conflicts | head -1``) ends quietly with status 141 and a full disk or a
    closed stdout with one ``error:`` line and status 1, never a traceback.
    """
    guard_streams()
    try:
        from .cli.quick import dispatch

        if not dispatch(sys.argv[1:]):  # the common questions answer without click
            from .cli.commands import cli

            cli(prog_name="lineage")
    except SystemExit:
        _flush_stdout()
        raise
    except BrokenPipeError:
        silence_stdout()
        raise SystemExit(EXIT_CLOSED_PIPE) from None
    except OSError as exc:
        if exc.errno not in OUTPUT_ERRNOS:
            raise
        silence_stdout()
        sys.stderr.write(
            f"error: cannot write to standard output: {exc.strerror or exc}\n"
        )
        raise SystemExit(1) from None
    _flush_stdout()
