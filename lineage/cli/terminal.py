"""Text that fits the terminal: prose wrapped and table columns fitted to its width.

On a terminal, the width is its own (``$COLUMNS`` wins when set); piped output has
no width, so tables keep one record per line (for ``grep``) and prose wraps at
:data:`PIPE_PROSE`. Words are never broken, so an id such as
``hierarchy-encoding`` is never split across lines; a word longer than its column
overflows it instead. Cells and text may carry click styles (ANSI codes): widths
count only what is visible.
"""

from __future__ import annotations

import os
import re
import sys

from ..outputs.wrapping import fold_words

__all__ = [
    "PIPE_PROSE",
    "PROSE_MAX",
    "table",
    "terminal_width",
    "unstyle",
    "wrap",
    "wrap_styled",
]

#: prose width when output is piped and ``$COLUMNS`` is not set
PIPE_PROSE = 88
#: prose is never wider than this, however wide the terminal (long lines read badly)
PROSE_MAX = 100
#: columns two table cells are apart
GAP = 2


def terminal_width() -> int | None:
    """``$COLUMNS``, else the width of the terminal on stdout, else None (piped)."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    stream = sys.stdout
    try:
        if stream.isatty():
            return os.get_terminal_size(stream.fileno()).columns or None
    except (OSError, ValueError, AttributeError):
        return None
    return None


#: an ANSI escape sequence (the pattern ``click.unstyle`` removes)
_ANSI = re.compile(r"\033\[[0-?]*[ -/]*[@-~]")


def unstyle(text: str) -> str:
    """``text`` without ANSI styles."""
    return _ANSI.sub("", text)


def _visible(text: str) -> int:
    return len(unstyle(text))


def wrap_styled(
    text: str, width: int | None, indent: str = "", subsequent: str | None = None
) -> list[str]:
    """Greedy word wrap of possibly styled text; words are never broken.

    ``width`` None means one line; a text that fits is returned as it is. Lines
    after the first start with ``subsequent`` (default: ``indent``).
    """
    rest = indent if subsequent is None else subsequent
    if width is None or _visible(indent) + _visible(text) <= width:
        return [indent + text]
    return fold_words(text, width, indent, rest, _visible)


def wrap(text: str, indent: str, width: int | None = None) -> list[str]:
    """Prose at the terminal's width (at most :data:`PROSE_MAX`), 88 when piped."""
    if width is None:
        width = min(terminal_width() or PIPE_PROSE, PROSE_MAX)
    return wrap_styled(text, width, indent) if text else [indent]


#: a last column narrower than this is hung below its row instead of squeezed
MIN_WRAPPED = 24
#: how far a hung tail is indented beyond the row
HANG = "    "


def _pad(cell: str, width: int) -> str:
    return cell + " " * (width - _visible(cell))


def _leading(natural: list[int], room: int) -> int:
    """How many leading columns fit side by side at their natural widths (>= 1)."""
    used, count = 0, 0
    for width in natural:
        used += width + (GAP if count else 0)
        if used > room:
            break
        count += 1
    return max(count, 1)


def table(
    rows: list[list[str]],
    indent: str = "  ",
    width: int | None = None,
    notes: list[str | None] | None = None,
) -> list[str]:
    """Align columns; on a terminal, fit its width without breaking a word.

    Piped (no width): one line per row, as wide as it needs. When the columns
    are wider than the terminal, the leading columns that fit stay aligned; a
    last column with room enough wraps inside its column, otherwise the
    columns that do not fit hang below their row, indented and wrapped. Cells
    may contain ANSI styles (widths ignore them). ``notes[i]``, when given, is
    prose printed below row ``i``, indented and wrapped (a cause, a caveat).
    """
    if not rows:
        return []
    if notes is not None:
        out: list[str] = []
        for row, note in zip(rows, notes, strict=True):
            out += _rows(rows, [row], indent, width)
            if note:
                out += wrap(note, indent + HANG, width)
        return out
    return _rows(rows, rows, indent, width)


def _rows(
    every: list[list[str]], rows: list[list[str]], indent: str, width: int | None
) -> list[str]:
    """The lines of ``rows``, aligned as columns of the whole table ``every``."""
    count = max(len(r) for r in every)
    natural = [
        max(_visible(r[i]) if i < len(r) else 0 for r in every) for i in range(count)
    ]
    rows = [r + [""] * (count - len(r)) for r in rows]
    limit = terminal_width() if width is None else width
    room = None if limit is None else limit - len(indent)
    if room is None or sum(natural) + GAP * (count - 1) <= room:
        return [
            (
                indent + (" " * GAP).join(_pad(c, natural[i]) for i, c in enumerate(r))
            ).rstrip()
            for r in rows
        ]
    keep = _leading(natural, room)
    left = room - sum(natural[:keep]) - GAP * keep
    out: list[str] = []
    if keep == count - 1 and left >= MIN_WRAPPED:
        for row in rows:  # the last column wraps inside its own column
            head = (" " * GAP).join(
                _pad(c, natural[i]) for i, c in enumerate(row[:keep])
            )
            lines = wrap_styled(row[-1], left)
            out.append((indent + head + " " * GAP + lines[0]).rstrip())
            pad = " " * (len(indent) + _visible(head) + GAP)
            out.extend((pad + line).rstrip() for line in lines[1:])
        return out
    for row in rows:  # the columns that do not fit hang below the row
        head = (" " * GAP).join(_pad(c, natural[i]) for i, c in enumerate(row[:keep]))
        out.append((indent + head).rstrip())
        tail = (" " * GAP).join(c for c in row[keep:] if c)
        if tail:
            out.extend(wrap_styled(tail, limit, indent + HANG))
    return out
