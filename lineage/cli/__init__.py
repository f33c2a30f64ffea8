"""The ``lineage`` command line: parse arguments, call the library, print.

- :mod:`.quick` answers the common questions (``why``, ``show``, ``path``, ``check``
  ...) with plain arguments without importing click; anything else (``--help``, an
  option it does not know, a usage error) goes to click.
- :mod:`.commands` is the click group: options, help texts, the lazily imported
  command modules (:mod:`.tree`, :mod:`.rdf`, :mod:`.emergence`, :mod:`.site`,
  :mod:`.imports`).
- :mod:`.listing`, :mod:`.questions`, :mod:`.showing` and :mod:`.searching` hold
  the bodies of the store's commands; :mod:`.console` and :mod:`.terminal` what they print with.

``from lineage.cli import cli`` gives the click group (imported on first use).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("cli", "main"):
        from . import commands

        return getattr(commands, name)
    msg = f"module 'lineage.cli' has no attribute {name!r}"
    raise AttributeError(msg)
