"""Where the store lives: ``$LINEAGE_CACHE_DIR``, ``$XDG_CACHE_HOME/lineage`` or
``~/.cache/lineage``.

Nothing here is unpickled or otherwise executed: the compiled graph is kept as
SQLite rows (:mod:`lineage.store.db`), and the pickled entries of earlier versions
are deleted by :func:`lineage.store.db.evict`, never read.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """``$LINEAGE_CACHE_DIR``, or ``$XDG_CACHE_HOME/lineage``, or ``~/.cache/lineage``."""
    explicit = os.environ.get("LINEAGE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return Path(base) / "lineage"
