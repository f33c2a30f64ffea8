"""What a fact file's YAML becomes before it is read as records: the size limits,
plain scalars as YAML 1.1 reads them, and mappings and sequences that remember the
position of each of their parts. Both readers (:mod:`lineage.facts.loader` through
libyaml, :mod:`lineage.facts.flow` for plain one-record-per-line files) build these.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "MAX_ALIAS_CHARS",
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_STRING",
]

#: Alias expansion past this many nodes in one file is refused ("billion laughs").
MAX_NODES = 2_000_000
#: Nodes reached through YAML aliases past this count are refused ("billion laughs").
MAX_ALIAS_NODES = 100_000
#: Nesting deeper than this is refused.
MAX_DEPTH = 64
#: A single string longer than this is refused.
MAX_STRING = 100_000
#: Characters reached again through aliases of long strings past this are refused.
MAX_ALIAS_CHARS = 10_000_000
#: Strings at least this long are counted against MAX_ALIAS_CHARS when aliased.
_LONG = 256


_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    "yes": True,
    "Yes": True,
    "YES": True,
    "no": False,
    "No": False,
    "NO": False,
    "on": True,
    "On": True,
    "ON": True,
    "off": False,
    "Off": False,
    "OFF": False,
}
_SPECIAL_FLOATS = {
    ".inf": float("inf"),
    ".Inf": float("inf"),
    ".INF": float("inf"),
    "+.inf": float("inf"),
    "-.inf": float("-inf"),
    "-.Inf": float("-inf"),
    ".nan": float("nan"),
    ".NaN": float("nan"),
    ".NAN": float("nan"),
}


class _Number(str):
    """A plain scalar that reads as a number, kept as written.

    Text fields keep the spelling (``3.10`` stays ``3.10``, ``1e3`` stays ``1e3``);
    number fields convert it with :func:`_to_number`, bounded.
    """

    __slots__ = ()


def _plain(text: str) -> Any:
    """The value of a plain (unquoted) scalar, following YAML 1.1's core types.

    Numbers are recognised in ASCII only (``2٠٢٢`` is text) and returned as
    :class:`_Number`, so that nothing is converted before a field asks for it.
    """
    if text in _NULLS:
        return None
    first = text[0]
    if first in "0123456789+-.":
        if text in _SPECIAL_FLOATS or (text.isascii() and _to_number(text) is not None):
            return _Number(text)
        return text
    if first in "tTfFyYnNoO":
        return _BOOLS.get(text, text)
    return text


def _to_number(value: Any) -> int | float | None:
    """The number an int, a float or an ASCII numeric string stands for, or None.

    Integers too long to convert (over 4300 digits) come back as ``inf``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if not isinstance(value, str) or not value.isascii():
        return None
    text = str(value)
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text.replace("_", "")) if text[:1] in "0123456789+-." else None
    except ValueError:
        return None


class _Map(dict[str, Any]):
    """A mapping that remembers where it and each of its keys and values start."""

    line: int
    column: int
    key_at: dict[str, tuple[int, int]]
    value_at: dict[str, tuple[int, int]]


class _List(list[Any]):
    """A sequence that remembers where it and each of its items start."""

    line: int
    column: int
    item_at: list[tuple[int, int]]
