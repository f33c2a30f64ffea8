"""Read ``graph/*.yaml`` into :class:`~lineage.facts.model.Facts`, keeping file positions.

The loader composes each file into YAML nodes (safe tags only, libyaml when present),
turns nodes into records field by field and reports every problem it meets as a
:class:`~lineage.errors.Problem` with ``path:line:col``. Checks that need more than one
record live in :mod:`lineage.facts.validate`.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem, Severity, did_you_mean
from ..facts.files import (
    MAX_FILE_BYTES,
    Unreadable,
    display,
    fact_files,
    list_facts,
    read_fact_bytes,
)
from ..facts.model import (
    DATE,
    FIELD_INDEX,
    Asset,
    AssetKind,
    Capability,
    Claim,
    Concept,
    Confidence,
    Conflict,
    ConflictKind,
    Derivation,
    Effect,
    Emergence,
    Evidence,
    Facts,
    Family,
    Figure,
    Identifier,
    IdScheme,
    Kind,
    Mapping,
    Mechanism,
    Model,
    Setting,
    Side,
    Source,
    SourceLocation,
    Stage,
    StageDef,
    date_bounds,
    pack_fields,
)
from .flow import flow_document
from .nodes import (
    _LONG,
    MAX_ALIAS_CHARS,
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    MAX_NODES,
    MAX_STRING,
    _List,
    _Map,
    _Number,
    _plain,
    _to_number,
)

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "add_records",
    "document_records",
    "fact_files",
    "json_schema",
    "load_facts",
    "parse_document",
    "read_fact_data",
]

SLUG = re.compile(r"^[a-z0-9][a-z0-9.-]*$")
_DATE_PARTS = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")

_CParser: Any = getattr(yaml, "__with_libyaml__", False) and yaml.CSafeLoader.__base__

if _CParser:

    class _Loader(_CParser, yaml.resolver.BaseResolver):  # type: ignore[misc]
        """libyaml's parser and composer with no implicit tag resolution.

        PyYAML resolves every plain scalar against a list of regular expressions
        in Python; :func:`_plain` does the same job with one or two string tests.
        """

        def __init__(self, stream: str) -> None:
            _CParser.__init__(self, stream)
            yaml.resolver.BaseResolver.__init__(self)

        def resolve(self, kind: type, value: Any, implicit: Any) -> str:
            """Default tags only (called by libyaml for every untagged node)."""
            return _DEFAULT_TAGS[kind]

else:  # pragma: no cover - PyYAML built without libyaml

    class _Loader(  # type: ignore[no-redef]
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        yaml.composer.Composer,
        yaml.resolver.BaseResolver,
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.BaseResolver.__init__(self)


_DEFAULT_TAGS = {
    yaml.ScalarNode: "tag:yaml.org,2002:str",
    yaml.SequenceNode: "tag:yaml.org,2002:seq",
    yaml.MappingNode: "tag:yaml.org,2002:map",
}


class _Invalid:
    """An explicitly tagged value that is not of its tag (already reported)."""

    __slots__ = ()


_INVALID = _Invalid()


_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_constructor = yaml.constructor.SafeConstructor()
#: explicit tags and how to build their values (a bad value raises)
_TAGGED: dict[str, Callable[[yaml.ScalarNode], Any]] = {
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
}


def _shorten(text: str, limit: int = 40) -> str:
    """``'text'`` quoted for a message, cut to ``limit`` characters."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


class _Stop(Exception):  # noqa: N818 - internal control flow
    """Aborts reading one file after a fatal problem."""


@dataclass
class _Reader:
    path: str
    problems: list[Problem]
    nodes: int = 0
    alias_nodes: int = 0
    alias_chars: int = 0
    seen: set[int] = dataclasses.field(default_factory=set)

    def problem(
        self,
        line: int,
        column: int,
        message: str,
        code: str,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self.problems.append(Problem(self.path, line, column, severity, message, code))

    def convert(self, node: yaml.Node, depth: int = 0, aliased: bool = False) -> Any:
        """Turn a node tree into _Map/_List/scalars, checking every limit on the way.

        This runs once per YAML node of every fact file, so scalars inside
        mappings take a short inline path and key positions are kept only where an
        error message can need them (keys that are not field names).
        """
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if node.tag not in _SAFE_TAGS:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(
                line,
                column,
                f"tag '{tag}' is not allowed; facts are "
                "plain YAML (strings, numbers, lists, mappings)",
                "unsafe-tag",
            )
            raise _Stop
        if node.__class__ is yaml.ScalarNode:
            return self._scalar(node, line, column)
        size = len(node.value) + 1
        self.nodes += size
        aliased = aliased or id(node) in self.seen
        self.seen.add(id(node))
        if aliased:
            self.alias_nodes += size
        if self.nodes > MAX_NODES or self.alias_nodes > MAX_ALIAS_NODES:
            self.problem(
                line,
                column,
                "document expands to too many nodes (over "
                f"{MAX_NODES}, or over {MAX_ALIAS_NODES} through aliases); "
                "refusing to read it",
                "too-large",
            )
            raise _Stop
        if depth > MAX_DEPTH:
            self.problem(
                line, column, f"nesting deeper than {MAX_DEPTH} levels", "too-deep"
            )
            raise _Stop
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, line, column, depth, aliased)
        items = _List()
        items.line, items.column = line, column
        items.item_at = item_at = []
        for item in node.value:
            mark = item.start_mark
            items.append(self.convert(item, depth + 1, aliased))
            item_at.append((mark.line + 1, mark.column + 1))
        return items

    def _mapping(
        self, node: yaml.MappingNode, line: int, column: int, depth: int, aliased: bool
    ) -> _Map:
        result = _Map()
        result.line, result.column = line, column
        key_at: dict[str, tuple[int, int]] = {}
        value_at: dict[str, tuple[int, int]] = {}
        result.key_at, result.value_at = key_at, value_at
        scalar, str_tag = yaml.ScalarNode, "tag:yaml.org,2002:str"
        for key_node, value_node in node.value:
            if key_node.__class__ is not scalar:
                mark = key_node.start_mark
                self.problem(
                    mark.line + 1,
                    mark.column + 1,
                    "mapping keys must be plain strings",
                    "wrong-type",
                )
                continue
            key = str(key_node.value)
            if key == "<<" or key in result:
                mark = key_node.start_mark
                if key == "<<":
                    self.problem(
                        mark.line + 1,
                        mark.column + 1,
                        "merge keys ('<<') are not supported; write the fields out",
                        "unsupported-yaml",
                    )
                    raise _Stop
                first = key_at.get(key, value_at[key])[0]
                self.problem(
                    mark.line + 1,
                    mark.column + 1,
                    f"duplicate key '{key}' (first defined at line {first})",
                    "duplicate-key",
                )
                continue
            if depth == 0 or key not in FIELD_INDEX:
                mark = key_node.start_mark
                key_at[key] = (mark.line + 1, mark.column + 1)
            mark = value_node.start_mark
            if (
                value_node.__class__ is scalar
                and value_node.tag == str_tag
                and len(value_node.value) <= MAX_STRING
            ):
                text = value_node.value
                if len(text) >= _LONG:
                    self._long_string(value_node)
                result[key] = text if value_node.style else _plain(text)
            else:
                result[key] = self.convert(value_node, depth + 1, aliased)
            value_at[key] = (mark.line + 1, mark.column + 1)
        return result

    def _long_string(self, node: yaml.Node) -> None:
        """Count a long string met again through an alias; refuse past the limit."""
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return
        self.alias_chars += len(node.value)
        if self.alias_chars > MAX_ALIAS_CHARS:
            mark = node.start_mark
            self.problem(
                mark.line + 1,
                mark.column + 1,
                "aliases repeat strings past "
                f"{MAX_ALIAS_CHARS} characters; refusing to read it",
                "too-large",
            )
            raise _Stop

    def _scalar(self, node: yaml.Node, line: int, column: int) -> Any:
        if len(node.value) > MAX_STRING:
            self.problem(
                line,
                column,
                f"string of {len(node.value)} characters is "
                f"longer than the limit of {MAX_STRING}",
                "too-long",
            )
            raise _Stop
        assert isinstance(node, yaml.ScalarNode)
        if len(node.value) >= _LONG:
            self._long_string(node)
        tag = node.tag
        if tag == "tag:yaml.org,2002:str":
            return _plain(node.value) if not node.style else node.value
        if tag == "tag:yaml.org,2002:timestamp":
            return str(node.value)
        construct = _TAGGED.get(tag)
        if construct is None:
            return None
        try:
            return construct(node)
        except (ValueError, KeyError, OverflowError, TypeError):
            name = tag.replace("tag:yaml.org,2002:", "!!")
            self.problem(
                line,
                column,
                f"{_shorten(node.value)} is not a valid {name}",
                "bad-value",
            )
            return _INVALID


def _read_document(path: Path, shown: str, problems: list[Problem]) -> Any:
    data = read_fact_data(path, shown, problems)
    return None if data is None else parse_document(data, shown, problems)


def read_fact_data(path: Path, shown: str, problems: list[Problem]) -> bytes | None:
    """The bytes of one fact file, or None after appending why to ``problems``."""
    reader = _Reader(shown, problems)
    try:
        data = read_fact_bytes(path, MAX_FILE_BYTES)
    except Unreadable as exc:
        reader.problem(0, 0, exc.message, exc.code)
        return None
    return data


def parse_document(data: bytes, shown: str, problems: list[Problem]) -> Any:
    """Compose the YAML document held in ``data`` (the bytes of file ``shown``).

    Returns the converted document (mappings and lists that know their positions),
    or None after appending the reason to ``problems``.
    """
    reader = _Reader(shown, problems)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        reader.problem(
            line,
            column,
            f"invalid UTF-8 byte 0x{data[exc.start]:02x}; fact files must be UTF-8",
            "encoding",
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        reader.problem(
            1,
            1,
            "file is empty; a fact file is a mapping of sections "
            "such as 'models:' and 'claims:'",
            "empty-file",
        )
        return None
    document = flow_document(text)
    return document if document is not None else _by_libyaml(text, reader)


def _by_libyaml(text: str, reader: _Reader) -> Any:
    """The document composed by libyaml and converted (None after a problem)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or "invalid YAML"
        lines = text.splitlines()
        if line <= len(lines) and "\t" in lines[line - 1]:
            what += " (tabs are not allowed for indentation; use spaces)"
        reader.problem(line, column, f"invalid YAML: {what}", "yaml-syntax")
        return None
    except yaml.YAMLError as exc:
        reader.problem(1, 1, f"invalid YAML: {exc}", "yaml-syntax")
        return None
    except RecursionError:
        reader.problem(1, 1, f"nesting deeper than {MAX_DEPTH} levels", "too-deep")
        return None
    finally:
        loader.dispose()
    if node is None:
        reader.problem(1, 1, "file holds no YAML document", "empty-file")
        return None
    try:
        document = reader.convert(node)
    except _Stop:
        return None
    except RecursionError:
        reader.problem(1, 1, f"nesting deeper than {MAX_DEPTH} levels", "too-deep")
        return None
    if document is None:
        reader.problem(
            node.start_mark.line + 1,
            node.start_mark.column + 1,
            "file holds only an empty (null) document; a fact file is a mapping of "
            "sections such as 'models:' and 'claims:'",
            "empty-file",
        )
    return document


# --- turning mappings into records ----------------------------------------------

_Check = Callable[["_Record", str, Any], Any]


class _Record:
    """One mapping being turned into a record; collects its own problems."""

    __slots__ = ("data", "path", "problems", "section", "valid")

    def __init__(
        self, path: str, data: _Map, section: str, problems: list[Problem]
    ) -> None:
        self.path, self.data, self.section, self.problems = (
            path,
            data,
            section,
            problems,
        )
        #: the fields that passed their checks (kept when others did not)
        self.valid: dict[str, Any] = {}

    def at(self, key: str | None = None, value: bool = True) -> tuple[int, int]:
        if key is not None:
            table = self.data.value_at if value else self.data.key_at
            if key in table:
                return table[key]
            if key in self.data.value_at:
                return self.data.value_at[key]
        return self.data.line, self.data.column

    def error(self, key: str | None, message: str, code: str) -> None:
        self.error_at(*self.at(key), message, code)

    def error_at(self, line: int, column: int, message: str, code: str) -> None:
        self.problems.append(
            Problem(self.path, line, column, Severity.ERROR, message, code)
        )

    def loc(self) -> SourceLocation:
        return SourceLocation(
            self.path, self.data.line, self.data.column, pack_fields(self.data.value_at)
        )


def _text(rec: _Record, key: str, value: Any) -> str | None:
    if value.__class__ is str and value.strip():
        return value  # the usual case, first
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        rec.error(key, f"'{key}' must be a string, not {_kind(value)}", "wrong-type")
        return None
    text = str(value)  # a _Number keeps its spelling; explicit !!int/!!float convert
    if not text.strip():
        rec.error(key, f"'{key}' must not be empty", "wrong-type")
        return None
    return text


def _slug(rec: _Record, key: str, value: Any) -> str | None:
    text = _text(rec, key, value)
    if text is not None:
        text = sys.intern(text)  # ids repeat in every reference: share one string
    if text is not None and not SLUG.match(text):
        rec.error(
            key,
            f"'{text}' is not a valid id; ids are lowercase slugs such as "
            "'text-davinci-002' (letters a-z, digits, '-' and '.')",
            "bad-id",
        )
        return None
    return text


def _year(rec: _Record, key: str, value: Any) -> int | None:
    year = _to_number(value) if isinstance(value, (int, _Number)) else None
    if not isinstance(year, int) or not 1900 < year < 2100:
        shown = _shorten(value) if isinstance(value, str) else repr(value)
        rec.error(
            key, f"'{key}' must be a year such as 2022, not {shown}", "wrong-type"
        )
        return None
    return year


def _number(rec: _Record, key: str, value: Any) -> float | None:
    number = _to_number(value)
    if number is None:
        rec.error(key, f"'{key}' must be a number, not {_kind(value)}", "wrong-type")
        return None
    try:
        finite = abs(float(number)) < float("inf")
    except OverflowError:  # an integer of hundreds of digits
        finite = False
    if not finite:
        rec.error(
            key,
            f"'{key}' must be a finite number of magnitude below 1e308, not "
            f"{_shorten(str(value))}",
            "wrong-type",
        )
        return None
    return number


def _positive(rec: _Record, key: str, value: Any) -> float | None:
    number = _number(rec, key, value)
    if number is not None and not number > 0:
        rec.error(key, f"'{key}' must be greater than 0, not {value}", "wrong-type")
        return None
    return number


def _url(rec: _Record, key: str, value: Any) -> str | None:
    text = _text(rec, key, value)
    if text is not None and not URL.match(text):
        rec.error(
            key,
            f"'{key}' must be an absolute http(s) URL such as "
            f"'https://arxiv.org/abs/2206.07682', not {_shorten(text)}",
            "bad-url",
        )
        return None
    return text


def _flag(rec: _Record, key: str, value: Any) -> bool | None:
    if not isinstance(value, bool):
        rec.error(key, f"'{key}' must be true or false, not {value!r}", "wrong-type")
        return None
    return value


def _date_problem(text: str) -> str | None:
    """None for a date 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' of the calendar; else
    ``"format"`` or ``"calendar"`` (such as 2022-02-31)."""
    match = _DATE_PARTS.match(text)
    if not match:
        return "format"
    year, month, day = (int(g or 1) for g in match.groups())
    if not 1 <= month <= 12:
        return "format"
    return None if _real_date(year, month, day) else "calendar"


def _date(rec: _Record, key: str, value: Any) -> str | None:
    text = (
        str(value)
        if isinstance(value, (str, int)) and not isinstance(value, bool)
        else None
    )
    parts = text.split("/") if text and DATE.match(text) else []
    wrong = [p for p in parts if _date_problem(p) == "calendar"]
    if wrong:
        rec.error(key, f"'{key}' {wrong[0]} is not a day of the calendar", "bad-date")
        return None
    if not parts or any(_date_problem(p) for p in parts):
        rec.error(
            key,
            f"'{key}' must be a date 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD', or a range "
            f"'START/END' of two such dates, not {value!r}",
            "bad-date",
        )
        return None
    if len(parts) == 2 and date_bounds(parts[1])[1] < date_bounds(parts[0])[0]:
        rec.error(key, f"'{key}' range {text!r} ends before it starts", "bad-date")
        return None
    return text


def _real_date(year: int, month: int, day: int) -> bool:
    """Whether the (proleptic Gregorian) calendar has this day: no 2022-02-31."""
    import datetime

    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def _strings(rec: _Record, key: str, value: Any) -> tuple[str, ...] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        rec.error(
            key, f"'{key}' must be a list of strings, not {_kind(value)}", "wrong-type"
        )
        return None
    out = []
    for item in value:
        if item is _INVALID:
            return None  # reported where it was read
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            rec.error(
                key,
                f"'{key}' must be a list of strings; found {_kind(item)}",
                "wrong-type",
            )
            return None
        out.append(str(item))
    return tuple(out)


def _nonempty_strings(rec: _Record, key: str, value: Any) -> tuple[str, ...] | None:
    items = _strings(rec, key, value)
    if items is not None and not items:
        rec.error(key, f"'{key}' must list at least one name", "wrong-type")
        return None
    return items


def _slugs(rec: _Record, key: str, value: Any) -> tuple[str, ...] | None:
    items = _strings(rec, key, value)
    if items is None:
        return None
    for item in items:
        if not SLUG.match(item):
            rec.error(key, f"'{item}' is not a valid id", "bad-id")
            return None
    return items


def _pairs(rec: _Record, key: str, value: Any) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, dict):
        rec.error(
            key,
            f"'{key}' must be a mapping such as {{wikidata: Q...}}, not {_kind(value)}",
            "wrong-type",
        )
        return None
    return tuple(sorted((str(k), str(v)) for k, v in value.items()))


def _enum(enum: type[Enum], code: str) -> _Check:
    values = [e.value for e in enum]
    members = {e.value: e for e in enum}

    def check(rec: _Record, key: str, value: Any) -> Any:
        if isinstance(value, str) and value in members:
            return members[value]
        shown = value if isinstance(value, str) else repr(value)
        hint = did_you_mean(str(value), values)
        rec.error(
            key,
            f"unknown {key} '{shown}'; expected one of {', '.join(values)}{hint}",
            code,
        )
        return None

    check.values = values  # type: ignore[attr-defined]  # read by json_schema()
    return check


def _nested(cls: type, what: str, section: str) -> _Check:
    """A check for a non-empty list of sub-records (evidence items, conflict sides)."""

    def check(rec: _Record, key: str, value: Any) -> tuple[Any, ...] | None:
        if not isinstance(value, _List) or not value:
            rec.error(key, f"'{key}' must be a non-empty list of {what}", "wrong-type")
            return None
        out = []
        for index, item in enumerate(value):
            line, column = value.item_at[index]
            if not isinstance(item, _Map):
                message = f"{_SINGULAR[section]}s must be mappings with {what}"
                rec.error_at(line, column, message, "wrong-type")
                continue
            sub = _Record(rec.path, item, section, rec.problems)
            fields = _fields(sub, _NESTED[section])
            if fields is not None:
                out.append(cls(**fields, loc=sub.loc()))
        return tuple(out) if len(out) == len(value) else None

    check.nested = section  # type: ignore[attr-defined]  # read by json_schema()
    return check


def _mappings(rec: _Record, key: str, value: Any) -> tuple[Mapping, ...] | None:
    if not isinstance(value, _List):
        rec.error(
            key,
            f"'{key}' must be a list of {{scheme, term, relation}}, not {_kind(value)}",
            "wrong-type",
        )
        return None
    out = []
    for index, item in enumerate(value):
        if not isinstance(item, _Map):
            line, column = value.item_at[index]
            rec.problems.append(
                Problem(
                    rec.path,
                    line,
                    column,
                    Severity.ERROR,
                    "mappings must be mappings with scheme, term and relation",
                    "wrong-type",
                )
            )
            continue
        fields = _fields(_Record(rec.path, item, "mapping", rec.problems), _MAPPING)
        if fields is not None:
            fields["relation"] = fields["relation"].value
            out.append(Mapping(**fields))
    return tuple(out) if len(out) == len(value) else None


def _enum_list(enum: type[Enum], code: str) -> _Check:
    one = _enum(enum, code)

    def check(rec: _Record, key: str, value: Any) -> Any:
        if not isinstance(value, _List):
            rec.error(key, f"'{key}' must be a list, not {_kind(value)}", "wrong-type")
            return None
        items = [one(rec, key, item) for item in value]
        return None if None in items else tuple(item.value for item in items)

    check.values = one.values  # type: ignore[attr-defined]
    check.many = True  # type: ignore[attr-defined]  # read by json_schema()
    return check


_evidence = _nested(Evidence, "{source, locator, note}", "evidence")
_sides = _nested(Side, "{says, evidence}", "sides")


def _kind(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    return {
        dict: "a mapping",
        _Map: "a mapping",
        list: "a list",
        _List: "a list",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        _Number: "a number",
        _Invalid: "an invalid value",
    }.get(type(value), type(value).__name__)


# field name -> (check, required)
_Spec = dict[str, tuple[_Check, bool]]

_EVIDENCE: _Spec = {
    "source": (_slug, True),
    "locator": (_text, True),
    "note": (_text, True),
}
_SIDE: _Spec = {
    "says": (_text, True),
    "evidence": (_evidence, True),
    "records": (_slugs, False),
    "translation": (_flag, False),
}
_NESTED = {"evidence": _EVIDENCE, "sides": _SIDE}


class _MappingRelation(StrEnum):
    EXACT = "exactMatch"
    CLOSE = "closeMatch"
    BROAD = "broadMatch"
    NARROW = "narrowMatch"
    RELATED = "relatedMatch"


_MAPPING: _Spec = {
    "scheme": (_text, True),
    "term": (_text, True),
    "relation": (_enum(_MappingRelation, "unknown-relation"), True),
    "note": (_text, False),
}
_SPECS: dict[str, tuple[type, _Spec]] = {
    "sources": (
        Source,
        {
            "id": (_slug, True),
            "title": (_text, True),
            "authors": (_nonempty_strings, True),
            "year": (_year, True),
            "url": (_url, True),
            "kind": (_text, False),
            "translation": (_text, False),
            "note": (_text, False),
            "version_of": (_slug, False),
        },
    ),
    "stages": (
        StageDef,
        {
            "id": (_enum(Stage, "unknown-stage"), True),
            "name": (_text, True),
            "definition": (_text, True),
            "aliases": (_strings, False),
            "broader": (_enum_list(Stage, "unknown-stage"), False),
            "mappings": (_mappings, False),
        },
    ),
    "capabilities": (
        Capability,
        {
            "id": (_slug, True),
            "name": (_text, True),
            "kind": (_enum(Kind, "unknown-kind"), True),
            "description": (_text, True),
            "aliases": (_strings, False),
            "broader": (_slugs, False),
        },
    ),
    "families": (
        Family,
        {
            "id": (_slug, True),
            "name": (_text, True),
            "aliases": (_strings, False),
            "organization": (_text, False),
            "description": (_text, False),
            "parent_family": (_slug, False),
            "root": (_slug, False),
        },
    ),
    "models": (
        Model,
        {
            "id": (_slug, True),
            "name": (_text, True),
            "aliases": (_strings, False),
            "family": (_slug, False),
            "organization": (_text, False),
            "released": (_date, False),
            "paper_date": (_date, False),
            "papers": (_slugs, False),
            "approximations": (_slugs, False),
            "description": (_text, False),
            "training_data": (_text, False),
            "external_ids": (_pairs, False),
            "evidence": (_evidence, False),
            "license": (_text, False),
            "imported_from": (_text, False),
            "stub": (_flag, False),
            "trained_on": (_slugs, False),
            "empty_fields": (_strings, False),
            "unresolved_dependencies": (_strings, False),
        },
    ),
    "identifiers": (
        Identifier,
        {
            "id": (_slug, False),
            "model": (_slug, True),
            "scheme": (_enum(IdScheme, "unknown-scheme"), True),
            "value": (_text, True),
            "evidence": (_evidence, True),
            "note": (_text, False),
        },
    ),
    "assets": (
        Asset,
        {
            "id": (_slug, True),
            "name": (_text, True),
            "kind": (_enum(AssetKind, "unknown-kind"), True),
            "organization": (_text, False),
            "created": (_date, False),
            "description": (_text, False),
            "url": (_text, False),
            "license": (_text, False),
            "dependencies": (_slugs, False),
            "external_ids": (_pairs, False),
            "evidence": (_evidence, False),
            "imported_from": (_text, False),
            "empty_fields": (_strings, False),
            "unresolved_dependencies": (_strings, False),
        },
    ),
    "derivations": (
        Derivation,
        {
            "id": (_slug, False),
            "parent": (_slug, True),
            "child": (_slug, True),
            "stage": (_enum(Stage, "unknown-stage"), True),
            "confidence": (_enum(Confidence, "unknown-confidence"), True),
            "evidence": (_evidence, True),
            "note": (_text, False),
            "imported_from": (_text, False),
        },
    ),
    "claims": (
        Claim,
        {
            "id": (_slug, True),
            "model": (_slug, True),
            "capability": (_slug, True),
            "effect": (_enum(Effect, "unknown-effect"), True),
            "stage": (_enum(Stage, "unknown-stage"), False),
            "confidence": (_enum(Confidence, "unknown-confidence"), True),
            "evidence": (_evidence, True),
            "mechanism": (_enum(Mechanism, "unknown-mechanism"), False),
            "alternative_to": (_slug, False),
            "contested": (_flag, False),
            "note": (_text, False),
            "cause": (_text, False),
            "partial": (_flag, False),
            "still_below": (_slug, False),
            "supports": (_slug, False),
            "stated_for": (_slug, False),
        },
    ),
    "figures": (
        Figure,
        {
            "id": (_slug, True),
            "subject": (_slug, True),
            "property": (_text, True),
            "value": (_number, True),
            "unit": (_text, True),
            "source": (_slug, True),
            "locator": (_text, True),
            "qualifier": (_text, False),
            "note": (_text, False),
        },
    ),
    "emergence": (
        Emergence,
        {
            "id": (_slug, True),
            "capability": (_slug, True),
            "task": (_text, True),
            "setting": (_enum(Setting, "unknown-setting"), True),
            "model": (_slug, True),
            "source": (_slug, True),
            "locator": (_text, True),
            "training_flops": (_positive, False),
            "parameters": (_positive, False),
            "reference": (_text, False),
            "note": (_text, False),
        },
    ),
    "conflicts": (
        Conflict,
        {
            "id": (_slug, True),
            "topic": (_text, True),
            "kind": (_enum(ConflictKind, "unknown-conflict-kind"), True),
            "sides": (_sides, True),
            "about": (_slugs, False),
            "note": (_text, False),
        },
    ),
    "concepts": (
        Concept,
        {
            "id": (_slug, True),
            "name": (_text, True),
            "definition": (_text, True),
            "evidence": (_evidence, True),
            "aliases": (_strings, False),
            "examples": (_slugs, False),
            "note": (_text, False),
        },
    ),
}
SECTIONS = tuple(_SPECS)
_SINGULAR = {
    "sources": "source",
    "stages": "stage",
    "capabilities": "capability",
    "families": "family",
    "models": "model",
    "derivations": "derivation",
    "claims": "claim",
    "figures": "figure",
    "emergence": "emergence row",
    "conflicts": "conflict",
    "assets": "asset",
    "identifiers": "identifier",
    "concepts": "concept",
    "mapping": "mapping",
    "evidence": "evidence item",
    "sides": "conflict side",
}


def _fields(rec: _Record, spec: _Spec) -> dict[str, Any] | None:
    """Check a mapping against a spec; return its converted fields or None.

    This runs for every record and sub-record, so it walks the fields the mapping
    has (not every field the spec knows) and then asks for the required ones.
    Problems are reported in no particular order: they are sorted when shown.
    """
    ok = True
    out: dict[str, Any] = {}
    for key, value in rec.data.items():
        entry = spec.get(key)
        if entry is None:
            _unknown_field(rec, key, spec)
            ok = False
            continue
        if value is None:
            continue  # as if missing (reported below when required)
        if value is not _INVALID:  # (an invalid tagged value is already reported)
            value = entry[0](rec, key, value)
        if value is None or value is _INVALID:
            ok = False
        else:
            out[key] = value
    for key in _required(spec):
        if rec.data.get(key) is None:
            what = _SINGULAR.get(rec.section, "record")
            rec.error(
                None, f"{what} is missing required field '{key}'", "missing-field"
            )
            ok = False
    rec.valid = out
    return out if ok else None


def _unknown_field(rec: _Record, key: str, spec: _Spec) -> None:
    hint = did_you_mean(key, spec)
    line, column = rec.at(key, value=False)
    message = f"unknown field '{key}' in {rec.section}{hint}"
    rec.error_at(line, column, message, "unknown-field")


_REQUIRED: dict[int, tuple[str, ...]] = {}


def _required(spec: _Spec) -> tuple[str, ...]:
    """The spec's required fields, in its order (worked out once per spec)."""
    names = _REQUIRED.get(id(spec))
    if names is None:
        names = _REQUIRED[id(spec)] = tuple(k for k, (_, req) in spec.items() if req)
    return names


def _build(rec: _Record) -> tuple[Any, bool]:
    """The record and whether it is complete.

    A record with errors is still built from its valid fields (the others take
    their defaults, or None) so that its references and id are checked too; it
    is kept apart in ``Facts.incomplete``, never used for answers.
    """
    cls, spec = _SPECS[rec.section]
    fields = _fields(rec, spec)
    complete = fields is not None
    fields = rec.valid if fields is None else fields
    if rec.section == "stages" and "id" in fields:
        fields["id"] = fields["id"].value
    if rec.section == "identifiers" and "id" not in fields:
        owner, scheme = fields.get("model"), fields.get("scheme")
        fields["id"] = f"{owner}--{scheme.value}" if owner and scheme else None
    if rec.section == "derivations" and "id" not in fields:
        ends = fields.get("parent"), fields.get("child")
        fields["id"] = f"{ends[0]}--{ends[1]}" if None not in ends else None
    for name in _no_default(cls):
        if name not in fields:
            fields[name] = None
    return cls(**fields, loc=rec.loc()), complete


_NO_DEFAULT: dict[type, tuple[str, ...]] = {}


def _no_default(cls: type) -> tuple[str, ...]:
    """The fields of a record class that have no default (``loc`` apart)."""
    names = _NO_DEFAULT.get(cls)
    if names is None:
        names = _NO_DEFAULT[cls] = tuple(
            f.name
            for f in dataclasses.fields(cls)
            if f.name != "loc" and f.default is dataclasses.MISSING
        )
    return names


def _sections(document: Any, shown: str, problems: list[Problem]) -> Iterable[_Record]:
    if not isinstance(document, _Map):
        line, column = (getattr(document, "line", 1), getattr(document, "column", 1))
        problems.append(
            Problem(
                shown,
                line,
                column,
                Severity.ERROR,
                f"a fact file must be a mapping of sections ({', '.join(SECTIONS)}), "
                f"not {_kind(document)}",
                "not-a-mapping",
            )
        )
        return
    for section, records in document.items():
        kline, kcol = document.key_at[section]
        if section not in _SPECS:
            problems.append(
                Problem(
                    shown,
                    kline,
                    kcol,
                    Severity.ERROR,
                    f"unknown section '{section}'; expected one of {', '.join(SECTIONS)}"
                    f"{did_you_mean(section, SECTIONS)}",
                    "unknown-section",
                )
            )
            continue
        if records is None:
            continue
        if not isinstance(records, _List):
            line, column = document.value_at[section]
            problems.append(
                Problem(
                    shown,
                    line,
                    column,
                    Severity.ERROR,
                    f"section '{section}' must be a list of records, not {_kind(records)}",
                    "wrong-type",
                )
            )
            continue
        for index, item in enumerate(records):
            if not isinstance(item, _Map):
                line, column = records.item_at[index]
                problems.append(
                    Problem(
                        shown,
                        line,
                        column,
                        Severity.ERROR,
                        f"each entry of '{section}' must be a mapping, not {_kind(item)}",
                        "wrong-type",
                    )
                )
                continue
            yield _Record(shown, item, section, problems)


def load_facts(
    directories: Sequence[str | os.PathLike[str]] = ("graph",),
) -> tuple[Facts, list[Problem]]:
    """Load every fact file of the given directories.

    Parameters
    ----------
    directories
        Graph directories; later ones add records to earlier ones.

    Returns
    -------
    (facts, problems)
        The records that could be built, and every problem met while reading them
        (unsorted). Cross-record checks are in :func:`lineage.facts.validate.validate`.

    Raises
    ------
    FactError
        If a directory does not exist or holds no ``*.yaml`` file.
    """
    import gc

    listing = list_facts(directories)
    problems: list[Problem] = list(listing.problems)
    facts = Facts()
    facts.skipped = tuple(listing.skipped)
    files = listing.files
    # Reading creates millions of small objects and no cycles; the cyclic
    # collector would walk them again and again (3-6x slower on large graphs).
    paused = gc.isenabled()
    gc.disable()
    try:
        _load_files(files, facts, problems)
    finally:
        if paused:
            gc.enable()
    return facts, problems


def _load_files(files: list[Path], facts: Facts, problems: list[Problem]) -> None:
    facts.files = tuple(display(f) for f in files)
    partial: dict[tuple[str, str | None], Any] = {}  # incomplete records by id
    for path, shown in zip(files, facts.files, strict=True):
        document = _read_document(path, shown, problems)
        if document is not None:
            records = document_records(document, shown, problems)
            add_records(facts, records, problems, partial)


#: one record of a file: its section, the record, and whether it had no error
FileRecord = tuple[str, Any, bool]


def document_records(
    document: Any, shown: str, problems: list[Problem]
) -> list[FileRecord]:
    """The ``(section, record, complete)`` triples a parsed document holds, in file
    order (a record with errors is built from its valid fields, ``complete`` False)."""
    out = []
    for rec in _sections(document, shown, problems):
        record, complete = _build(rec)
        out.append((rec.section, record, complete))
    return out


def add_records(
    facts: Facts,
    records: Iterable[FileRecord],
    problems: list[Problem],
    partial: dict[tuple[str, str | None], Any],
) -> None:
    """Add one file's records to ``facts`` (files in reading order, ``partial``
    shared between them): a repeated id is a problem and that record is kept apart
    in ``facts.incomplete``, as is a record with errors; neither is ever answered
    from."""
    for section, record, complete in records:
        table: dict[str, Any] = getattr(facts, section)
        first = table.get(record.id) or partial.get((section, record.id))
        if first is not None and record.id is not None:
            at = record.loc.of("id")
            problems.append(
                Problem(
                    at.path,
                    at.line,
                    at.column,
                    Severity.ERROR,
                    f"duplicate id '{record.id}' in {section} (first defined at "
                    f"{first.loc})",
                    "duplicate-id",
                )
            )
            complete = False
        if complete:
            table[record.id] = record
        else:
            facts.incomplete.append((section, record))
            partial.setdefault((section, record.id), record)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a fact file, derived from the loader's own field specs.

    Shipped as ``lineage/facts/schema.json`` for editors; a test keeps the two equal.
    """
    slug = {"type": "string", "pattern": SLUG.pattern}
    text = {"type": "string", "minLength": 1}
    strings = {"type": "array", "items": {"type": ["string", "number"]}}
    fragments: dict[Any, dict[str, Any]] = {
        _text: text,
        _slug: slug,
        _year: {"type": "integer"},
        _number: {"type": "number"},
        _positive: {"type": "number", "exclusiveMinimum": 0},
        _url: {"type": "string", "pattern": URL.pattern},
        _flag: {"type": "boolean"},
        _date: {"type": ["string", "integer"], "pattern": DATE.pattern},
        _strings: strings,
        _nonempty_strings: {**strings, "minItems": 1},
        _slugs: {"type": "array", "items": slug},
        _pairs: {"type": "object", "additionalProperties": {"type": "string"}},
    }

    def record(spec: _Spec) -> dict[str, Any]:
        props: dict[str, Any] = {}
        for key, (check, _) in spec.items():
            if hasattr(check, "nested"):
                props[key] = {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": f"#/$defs/{check.nested}"},
                }
            elif getattr(check, "many", False):
                values = list(check.values)  # type: ignore[attr-defined]
                props[key] = {"type": "array", "items": {"enum": values}}
            elif hasattr(check, "values"):
                props[key] = {"enum": list(check.values)}
            elif check is _mappings:
                props[key] = {"type": "array", "items": record(_MAPPING)}
            else:
                props[key] = fragments[check]
        return {
            "type": "object",
            "additionalProperties": False,
            "required": [k for k, (_, req) in spec.items() if req],
            "properties": props,
        }

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://w3id.org/lineage/schema.json",
        "title": "lineage fact file",
        "description": "One file of graph/*.yaml; see docs/schema.md.",
        "type": "object",
        "additionalProperties": False,
        "$defs": {name: record(spec) for name, spec in _NESTED.items()},
        "properties": {
            section: {"type": "array", "items": record(spec)}
            for section, (_, spec) in _SPECS.items()
        },
    }
