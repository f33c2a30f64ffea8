"""Re-parsing only the records of a fact file that changed.

Parsing YAML is most of what an edit costs (a 5,000-model file of the synthetic hub
takes seconds), and an edit usually changes one record. A fact file whose layout is
plain (section names at the start of a line, each record an item of its section's
list, no anchors, aliases, tags or directives, which are the only ways one item of
YAML can affect another) is cut into one piece per record. The store remembers each
record's piece (section, first line, digest of its text); the next parse of the file
parses only the pieces not seen before, in one document that keeps them on their
own lines (so every position is the one a whole parse gives), and keeps the stored
rows of the others. Anything unexpected (a file that is not plain, a problem in a
changed piece, a piece that is not one record) falls back to parsing the whole file;
``tests/test_store_edits.py`` checks the result against a build from scratch.
"""

from __future__ import annotations

import hashlib
import re
from typing import NamedTuple

__all__ = ["Piece", "changed_document", "pieces"]

_HEADER = re.compile(r"([a-z_][a-z0-9_]*):[ ]*(\[\])?[ ]*(#.*)?$")
#: what can tie one item to another, or change how the whole file reads: anchors,
#: aliases, tags, tabs, carriage returns, byte-order marks anywhere, and document
#: markers or directives at the start of a line (searched apart: one regular
#: expression with both took 12 ms per MB, these take under 1 ms)
_UNSAFE_CHARACTERS = "&*!\t\r\ufeff"
_MARKERS = ("---", "...", "%")
_UNSAFE_LINE = re.compile(r"\n(?:---|\.\.\.|%)")


class Piece(NamedTuple):
    """One record's lines: its section, first line (1-based) and text."""

    section: str
    line: int
    text: str
    #: what the store remembers of it: section, line and a digest of the text
    key: str


def _piece(section: str, line: int, text: str) -> Piece:
    digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return Piece(section, line, text, f"{section}:{line}:{digest}")


def _unsafe(text: str) -> bool:
    return (
        any(c in text for c in _UNSAFE_CHARACTERS)
        or text.startswith(_MARKERS)
        or _UNSAFE_LINE.search(text) is not None
    )


def pieces(text: str) -> tuple[list[str], list[Piece]] | None:
    """The section headers (``name`` at line n, in order) and record pieces of a
    plain fact file, or None when its layout is not plain."""
    if _unsafe(text):
        return None
    headers: list[str] = []
    names: set[str] = set()
    out: list[Piece] = []
    section: str | None = None
    indent: int | None = None
    closed = False  # the section was written as "name: []"
    start = 0
    current: list[str] = []

    def close() -> None:
        if current:
            out.append(_piece(section or "", start, "".join(current)))
            current.clear()

    prefix = None  # how an item of the current section starts, once one was seen
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        if prefix is not None and line.startswith(prefix):  # the usual line, first
            close()
            start = number
            current.append(line)
            continue
        body = line.strip()
        if not body or body.startswith("#"):
            if current:
                current.append(line)
            continue
        if line[0] not in " -":
            match = _HEADER.match(line.rstrip("\n"))
            if match is None or match.group(1) in names:
                return None
            close()
            section, indent, closed = match.group(1), None, bool(match.group(2))
            prefix = None
            names.add(section)
            headers.append(f"{number}:{section}")
            continue
        lead = len(line) - len(line.lstrip(" "))
        if section is None or closed:
            return None
        if line[lead:].startswith(("- ", "-\n")) or body == "-":
            indent = lead if indent is None else indent
            prefix = " " * indent + "- "
            if lead == indent:
                close()
                start = number
                current.append(line)
                continue
        if indent is None or lead <= indent or not current:
            return None
        current.append(line)
    close()
    return (headers, out) if headers else None


def changed_document(headers: list[str], changed: list[Piece]) -> str:
    """A YAML document of every section header and the ``changed`` pieces, each on
    the line it has in the file (blank lines in between)."""
    at = {int(h.split(":", 1)[0]): h.split(":", 1)[1] for h in headers}
    lines: dict[int, str] = {n: f"{name}:\n" for n, name in at.items()}
    for piece in changed:
        lines[piece.line] = piece.text
    parts: list[str] = []
    line = 1
    for number in sorted(lines):
        parts.append("\n" * (number - line))
        text = lines[number]
        if not text.endswith("\n"):
            text += "\n"
        parts.append(text)
        line = number + text.count("\n")
    return "".join(parts)
