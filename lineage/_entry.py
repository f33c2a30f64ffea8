"""The ``lineage`` console script.

The common questions are answered by :mod:`lineage.cli.quick` without importing
click; everything else goes to the click group (:mod:`lineage.cli.commands`). There
is no answer memo: with the indexed store a fresh question costs about what the
memo's own hashing of every fact file did (see docs/performance.md).

Standard output is made safe (:func:`~lineage.cli.streams.guard_streams`) and
flushed before exit, so that a closed pipe, a full disk or a closed stdout never
ends in a traceback.
"""

from __future__ import annotations

import sys

from .cli.streams import end_on_output_error, flush_stdout, guard_streams


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
        flush_stdout()
        raise
    except OSError as exc:  # BrokenPipeError too
        end_on_output_error(exc)
    flush_stdout()
