"""Greedy word wrap of text that may carry ANSI styles (shared by the tree's text
output and the command line's tables and prose; imports nothing heavy)."""

from __future__ import annotations

import re
from collections.abc import Callable


def fold_words(
    text: str, width: int, first: str, rest: str, visible: Callable[[str], int]
) -> list[str]:
    """Lines of at most ``width`` visible columns (``visible`` measures a piece
    without its styles), the first starting with ``first``, the others with
    ``rest``. Words are never broken; words alternate with the runs of spaces
    between them, and a run is kept inside a line (aligned cells stay aligned)
    and dropped where the line breaks."""
    lines: list[str] = []
    line, used, empty = first, visible(first), True
    tokens = re.split(r"( +)", text)
    for word, space in zip(tokens[::2], [*tokens[1::2], ""], strict=True):
        size = visible(word)
        if not empty and size and used + size > width:
            lines.append(line.rstrip(" "))
            line, used, empty = rest, visible(rest), True
        line += word
        used += size
        empty = empty and not size
        if not empty:
            line += space
            used += len(space)
    lines.append(line.rstrip(" "))
    return lines
