"""The ``lineage`` console script.

There is no answer memo any more: with the indexed store a fresh question costs
about what the memo's own hashing of every fact file did (see docs/performance.md),
and every answer is computed from the bytes the store parsed.
"""

from __future__ import annotations


def main() -> None:
    """Entry point of the ``lineage`` command."""
    from .cli import cli

    cli(prog_name="lineage")
