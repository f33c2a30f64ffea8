"""A fast reader for fact files written one record per line.

Files that importers and hub generators write at scale look like this::

    models:
      - {id: m1, name: Model 1, released: '2021'}
      - {id: m2, name: Model 2, released: '2021-03', aliases: [m-two]}

Composing them through libyaml and converting every node costs more than anything
else in a build. :func:`flow_document` reads this layout directly: section headers at
the start of a line, each record one flow mapping on one line, plain, single-quoted
and escape-free double-quoted scalars, nested flow mappings and sequences, blank and
comment lines. It builds the same :class:`~lineage.facts.nodes._Map` /
:class:`~lineage.facts.nodes._List` tree, with the same positions, that the libyaml
path builds, and returns None for anything else (anchors, tags, block mappings,
escapes, multi-line values, duplicate keys, trailing commas, a size limit reached,
characters YAML treats specially), so that libyaml reads the file and reports what it
finds. ``tests/test_flow.py`` compares the two readers on generated and hostile files.
"""

from __future__ import annotations

import re
from typing import Any

from .model import FIELD_INDEX
from .nodes import MAX_NODES, MAX_STRING, _List, _Map, _plain

__all__ = ["flow_document"]

#: nesting past this goes to libyaml (which refuses past MAX_DEPTH)
_DEEPEST = 32
_HEADER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: +(\[\]))?(?: +#.*)? *\Z")
_ITEM = re.compile(r"( *)- +\{")
_TAIL = re.compile(r"(?: +#.*)? *\Z")
#: ASCII characters YAML does not allow in a file (tab and carriage return included:
#: this reader does not handle them)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
#: one step inside a flow collection: an optional key, an optional value (a
#: collection opening, a quoted or a plain scalar), closings, an optional comma
_STEP = re.compile(
    r" *(?:([A-Za-z_][A-Za-z0-9_-]*): +)?"  # 1: a key
    r"(?:([\[{])"  # 2: an opening
    r"|'([^']*(?:''[^']*)*)'"  # 3: single-quoted
    r'|"([^"\\]*)"'  # 4: double-quoted without escapes
    r"|((?:[^ ,\[\]{}#&*!|>'\"%@`?:-]|-(?=[0-9.]))[^,\[\]{}]*)(?=[,\]}]))?"  # 5: plain
    r" *((?:[\]}] *)*)(,?)"  # 6: closings, 7: a comma
)


class _Fallback(Exception):  # noqa: N818 - internal control flow
    """The file is not in the layout this reader handles."""


def flow_document(text: str) -> _Map | None:
    """The document of a plain one-record-per-line fact file, or None when the file
    is not in that layout (libyaml reads it then)."""
    if _CONTROL.search(text):
        return None
    reader = _Document()
    try:
        for number, line in enumerate(text.split("\n"), 1):
            prefix = reader.prefix
            if prefix and line.startswith(prefix) and line.isascii():
                reader.add(line, len(prefix) - 1, number)
            else:
                reader.line(number, line)
        return reader.finish()
    except _Fallback:
        return None


class _Document:
    """The top-level mapping being read, one line at a time."""

    def __init__(self) -> None:
        self.doc = _Map()
        self.doc.key_at, self.doc.value_at = {}, {}
        self.items: _List | None = None
        self.indent = -1  # of the current section's items (-1: none yet)
        self.closed = False  # the section was written ``name: []``
        self.nodes = 0
        #: how the current section's items start (``"  - {"``), once one was read
        self.prefix = ""
        #: record shapes seen in this file (most recently used first), and how many
        #: were worked out
        self.shapes: list[_Shape] = []
        self.derived = 0

    def line(self, number: int, line: str) -> None:
        if not line.isascii() and not line.isprintable():
            raise _Fallback
        first = line[:1]
        if first == " " or first == "-":
            rest = line.lstrip(" ")
            if rest and rest[0] != "#":
                self.item(number, line)
        elif first and first != "#":
            self.header(number, line)

    def header(self, number: int, line: str) -> None:
        match = _HEADER.match(line)
        if match is None:
            raise _Fallback
        name = match.group(1)
        doc = self.doc
        if name in doc or len(line) > MAX_STRING:
            raise _Fallback
        self._close_section()
        if not doc:
            doc.line, doc.column = number, 1
        doc.key_at[name] = (number, 1)
        self.indent, self.closed = -1, match.group(2) is not None
        if self.closed:
            column = match.start(2) + 1
            doc[name] = _new("[", number, column)
            doc.value_at[name] = (number, column)
            self.nodes += 1
        else:
            doc[name] = None

    def item(self, number: int, line: str) -> None:
        match = _ITEM.match(line)
        doc = self.doc
        if match is None or not doc or self.closed:
            raise _Fallback
        lead = len(match.group(1))
        if self.indent < 0:
            name = next(reversed(doc))
            doc[name] = self.items = _new("[", number, lead + 1)
            doc.value_at[name] = (number, lead + 1)
            self.indent = lead
            if match.end() == lead + 3:
                self.prefix = match.group()
        elif lead != self.indent:
            raise _Fallback
        self.add(line, match.end() - 1, number)

    def add(self, line: str, start: int, number: int) -> None:
        """Read the record at ``line[start]`` (its ``{``) into the current section."""
        if len(line) > MAX_STRING:
            raise _Fallback
        shapes = self.shapes
        for index, shape in enumerate(shapes):
            m = shape.pattern.match(line, start)
            if m is not None:
                record, end, nodes = (
                    _shaped(shape, m, number, start),
                    m.end(),
                    shape.nodes,
                )
                if index:  # the most recently used first
                    shapes.insert(0, shapes.pop(index))
                break
        else:
            record, end, nodes = _record(line, start, number)
            if self.derived < _SHAPES:
                self.derived += 1
                derived = _derive(line, start, nodes)
                if derived is not None:
                    shapes.insert(0, derived)
                    del shapes[_KEPT:]
        if end != len(line) and _TAIL.match(line, end) is None:
            raise _Fallback
        items = self.items
        assert items is not None
        items.append(record)
        items.item_at.append((number, start + 1))
        self.nodes += nodes

    def _close_section(self) -> None:
        if self.items is not None:
            self.nodes += len(self.items) + 1
            self.items, self.prefix = None, ""
        elif self.doc and not self.closed:
            raise _Fallback  # a section with no items: libyaml says what it is

    def finish(self) -> _Map | None:
        if not self.doc:
            return None
        self._close_section()
        self.nodes += len(self.doc) + 1
        return None if self.nodes > MAX_NODES else self.doc


def _new(kind: str, number: int, column: int) -> Any:
    if kind == "{":
        made: Any = _Map()
        made.key_at, made.value_at = {}, {}
    else:
        made = _List()
        made.item_at = []
    made.line, made.column = number, column
    return made


#: first characters of plain scalars that may read as other than text
_SPECIAL_FIRST = frozenset("0123456789+-.~tTfFyYnNoO")


def _record(line: str, start: int, number: int) -> tuple[_Map, int, int]:
    """The flow mapping opening at ``line[start]``, where it ends, and its nodes.

    The first record of each shape is read this way (the others through the shape's
    pattern, :func:`_shaped`), its steps in one pass of ``finditer``.
    """
    root = _new("{", number, start + 1)
    stack: list[Any] = [root]
    top: Any = root
    nodes = 0
    pos = start + 1
    expecting = True  # an entry may come next (after an opening or a comma)
    for m in _STEP.finditer(line, pos):
        end = m.end()
        if m.start() != pos or end == pos:
            raise _Fallback
        pos = end
        key, opened, quoted, double, plain, closings, comma = m.groups()
        value, at = _value(m, number, len(stack))
        if value is not _NONE:
            if not expecting:
                raise _Fallback
            _put(top, key, value, (number, at), m.start(1) + 1)
            if opened is not None:
                stack.append(value)
                top = value
            expecting = opened is not None
        if closings:
            for offset, closing in enumerate(closings):
                if closing == " ":
                    continue
                if (closing == "}") != (top.__class__ is _Map) or (expecting and top):
                    raise _Fallback
                stack.pop()
                nodes += len(top) + 1
                expecting = False
                if not stack:
                    if closings[offset + 1 :].strip() or comma:
                        raise _Fallback
                    return root, m.start(6) + offset + 1, nodes
                top = stack[-1]
        if comma:
            if expecting:
                raise _Fallback
            expecting = True
    raise _Fallback  # the line ended inside the mapping


def _value(m: re.Match[str], number: int, depth: int) -> tuple[Any, int]:
    """The value a step holds and its column (``_NONE``, 0 when it holds none)."""
    key, opened, quoted, double, plain = m.group(1, 2, 3, 4, 5)
    if plain is not None:
        return _plain_value(plain.rstrip(" ")), m.start(5) + 1
    if quoted is not None:
        return quoted.replace("''", "'"), m.start(3)
    if double is not None:
        return double, m.start(4)
    if opened is not None:
        if depth + 2 > _DEEPEST:
            raise _Fallback
        return _new(opened, number, m.start(2) + 1), m.start(2) + 1
    if key is not None:
        raise _Fallback  # a key with no value
    return _NONE, 0


def _plain_value(text: str) -> Any:
    """A plain scalar's value (trailing spaces already cut), or a fallback when it
    holds what would end a plain scalar in YAML (``: ``, `` #``, a final ``:``)."""
    if ": " in text or " #" in text or text[-1] == ":":
        raise _Fallback
    return _plain(text) if text[0] in _SPECIAL_FIRST else text


def _put(
    top: Any, key: str | None, value: Any, at: tuple[int, int], key_at: int
) -> None:
    """Add a value to the mapping (under ``key``) or the list it belongs in."""
    if top.__class__ is _Map:
        if key is None or key in top:
            raise _Fallback
        if key not in FIELD_INDEX:
            top.key_at[key] = (at[0], key_at)
        top[key] = value
        top.value_at[key] = at
    elif key is None:
        top.append(value)
        top.item_at.append(at)
    else:
        raise _Fallback


class _NoValue:
    __slots__ = ()


_NONE = _NoValue()


# --- records shaped like one read before ----------------------------------------
#
# Most records of a big file have the same shape: the same keys, spacing, quoting and
# nesting, only the scalars differ. The first record of a shape is read step by step
# (``_record``); from it, ``_derive`` makes one regular expression that matches any
# record of that shape (its literal text, with a group for each scalar and for the
# place of each opening) and a list of what to build from the groups. A record that
# matches is then built from one ``match`` with no further scanning. The groups
# accept exactly what ``_STEP`` accepts in the same place, so a record reads the same
# either way (``tests/test_flow.py`` compares both with libyaml).

#: records read step by step in one file that may each give a shape, and how many
#: shapes are tried before that
_SHAPES, _KEPT = 256, 8
#: a record with more scalars and openings than this gets no shape (compiling the
#: pattern would cost more than it saves)
_GROUPS = 48
_PLAIN_GROUP = (
    r"((?:[^ ,\[\]{}#&*!|>'\"%@`?:-]|-(?=[0-9.]))(?:[^,\[\]{}]*[^ ,\[\]{}])?)"
)
_QUOTED_GROUP = r"'([^']*(?:''[^']*)*)'"
_DOUBLE_GROUP = r'"([^"\\]*)"'
#: what to build: a plain, single-quoted or double-quoted scalar, an opening, closings
_PLAIN, _QUOTED, _DOUBLE, _OPEN, _CLOSE = range(5)


class _Shape:
    __slots__ = ("nodes", "pattern", "program")

    def __init__(
        self,
        pattern: re.Pattern[str],
        program: tuple[tuple[int, str | None, int, str], ...],
        nodes: int,
    ) -> None:
        self.pattern, self.program, self.nodes = pattern, program, nodes


def _derive(line: str, start: int, nodes: int) -> _Shape | None:
    """The shape of the record that opens at ``line[start]`` (already read), or None
    when it has a key whose position must be kept (one that is not a field name) or
    too many parts."""
    parts: list[str] = []
    program: list[tuple[int, str | None, int, str]] = []
    last, group, depth = start, 0, 1
    for m in _STEP.finditer(line, start + 1):
        key, opened, quoted, double, plain, closings, _ = m.groups()
        if key is not None and key not in FIELD_INDEX:
            return None
        if plain is not None:
            begin, end, kind, text = (
                m.start(5),
                m.start(5) + len(plain.rstrip(" ")),
                _PLAIN,
                _PLAIN_GROUP,
            )
        elif quoted is not None:
            begin, end, kind, text = (
                m.start(3) - 1,
                m.end(3) + 1,
                _QUOTED,
                _QUOTED_GROUP,
            )
        elif double is not None:
            begin, end, kind, text = (
                m.start(4) - 1,
                m.end(4) + 1,
                _DOUBLE,
                _DOUBLE_GROUP,
            )
        elif opened is not None:
            begin = end = m.start(2)
            kind, text = _OPEN, "()"
            depth += 1
        else:
            kind = -1
        if kind >= 0:
            group += 1
            if group > _GROUPS:
                return None
            parts += (re.escape(line[last:begin]), text)
            program.append((kind, key, group, opened or ""))
            last = end
        count = closings.count("]") + closings.count("}")
        if count:
            program.append((_CLOSE, None, count, ""))
            depth -= count
            if depth == 0:
                close = m.start(6) + len(closings.rstrip(" "))
                parts.append(re.escape(line[last:close]))
                return _Shape(re.compile("".join(parts)), tuple(program), nodes)
    return None  # pragma: no cover - the record was read, so it closes


def _shaped(shape: _Shape, m: re.Match[str], number: int, start: int) -> _Map:
    """The record ``m`` matched in ``shape``'s pattern, built as ``_record`` would."""
    groups, spans = m.groups(), m.regs
    root: _Map = _new("{", number, start + 1)
    stack: list[Any] = [root]
    top: Any = root
    for kind, key, group, opening in shape.program:
        if kind == _CLOSE:
            del stack[-group:]
            top = stack[-1] if stack else None
            continue
        if kind == _PLAIN:
            value: Any = _plain_value(groups[group - 1])
            at = spans[group][0] + 1
        elif kind == _QUOTED:
            value, at = groups[group - 1].replace("''", "'"), spans[group][0]
        elif kind == _DOUBLE:
            value, at = groups[group - 1], spans[group][0]
        else:
            at = spans[group][0] + 1
            value = _new(opening, number, at)
        if key is not None:
            top[key] = value
            top.value_at[key] = (number, at)
        else:
            top.append(value)
            top.item_at.append((number, at))
        if kind == _OPEN:
            stack.append(value)
            top = value
    return root
