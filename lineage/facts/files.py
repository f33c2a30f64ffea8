"""Finding fact files (kept apart from the YAML loader so that cached runs skip yaml)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..errors import FactError

__all__ = ["fact_files"]


def fact_files(directories: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Return every ``*.yaml`` file under the given directories, sorted per directory.

    Raises
    ------
    FactError
        If a directory does not exist or holds no fact file.
    """
    files: list[Path] = []
    for directory in directories:
        root = Path(directory)
        if not root.is_dir():
            msg = (
                f"graph directory '{_display(root)}' does not exist; name the fact "
                "directory with --graph DIR or $LINEAGE_GRAPH"
            )
            if root.exists():
                msg = f"'{_display(root)}' is not a directory"
            raise FactError(msg, _display(root), code="no-graph")
        found = sorted(p for p in root.rglob("*.yaml") if not p.is_dir())
        if not found:
            msg = f"no *.yaml fact files in '{_display(root)}'"
            raise FactError(msg, _display(root), code="no-facts")
        files.extend(found)
    return files


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith(".." + os.sep + "..") else rel
