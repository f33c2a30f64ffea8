"""Records as rows: each record is JSON (its fields in declaration order) plus its
position, so reading the store never runs code (no pickle) and decoding builds the
same frozen records the loader builds.

The conversions are derived from the dataclasses' own annotations, so a field added
to :mod:`lineage.facts.model` is stored without a change here.
"""

from __future__ import annotations

import dataclasses
import json
import operator
from collections.abc import Callable
from enum import Enum
from typing import Any

from ..errors import Problem, Severity
from ..facts import model
from ..facts.model import SourceLocation

__all__ = ["CLASSES", "decode", "encode"]


def _record_class(annotation: str) -> type | None:
    """The record class a ``dict[str, X]`` field of :class:`Facts` holds."""
    if not annotation.startswith("dict[str, "):
        return None
    found = getattr(model, annotation[len("dict[str, ") : -1].strip(), None)
    return found if isinstance(found, type) else None


#: section name -> record class (every ``dict[str, Record]`` field of Facts)
CLASSES: dict[str, type] = {
    f.name: cls
    for f in dataclasses.fields(model.Facts)
    if (cls := _record_class(str(f.type))) is not None
}
#: records nested in records (evidence items, conflict sides, mappings ...)
_NESTED: dict[str, type] = {
    name: obj
    for name, obj in vars(model).items()
    if isinstance(obj, type)
    and dataclasses.is_dataclass(obj)
    and obj not in CLASSES.values()
    and obj not in (model.Facts, SourceLocation)
}

_Decode = Callable[[Any, str], Any]


def _loc_out(loc: SourceLocation | None) -> list[Any] | None:
    if loc is None:
        return None
    return [loc.line, loc.column, loc.fields.hex()]


def _loc_in(data: list[Any] | None, path: str) -> SourceLocation | None:
    if data is None:
        return None
    line, column, fields = data  # JSON keeps the numbers as ints
    return SourceLocation(path, line, column, bytes.fromhex(fields))


def _converter(annotation: str) -> _Decode:
    """How to turn a JSON value back into a field of the given annotation."""
    text = annotation.replace(" | None", "").strip()
    for name, nested in _NESTED.items():
        if text == f"tuple[{name}, ...]":
            return _nested_tuple(nested)
        if text == name:
            return _nested_one(nested)
    if text.startswith("tuple[tuple"):
        return lambda v, _p: None if v is None else tuple(tuple(x) for x in v)
    if text.startswith("tuple"):
        return lambda v, _p: None if v is None else tuple(v)
    enum = getattr(model, text, None)
    if isinstance(enum, type) and issubclass(enum, Enum):
        members = {m.value: m for m in enum}  # a lookup, not Enum's __call__
        return lambda v, _p: None if v is None else members.get(v) or enum(v)
    return _same


def _same(value: Any, _path: str) -> Any:
    """A field JSON holds as it is (strings, numbers, booleans)."""
    return value


def _nested_tuple(cls: type) -> _Decode:
    return lambda v, path: (
        None if v is None else tuple(_build(cls, item, path) for item in v)
    )


def _nested_one(cls: type) -> _Decode:
    return lambda v, path: None if v is None else _build(cls, v, path)


def _build(cls: type, values: list[Any], path: str) -> Any:
    # positional: the fields are stored in declaration order, ``loc`` last; only
    # the fields that JSON cannot hold as they are get converted
    count, conversions, has_loc = _PLAN[cls]
    args = values[:count]
    if len(args) < count:  # a row written before a field was added
        conversions = tuple((i, c) for i, c in conversions if i < len(args))
    for i, convert in conversions:
        args[i] = convert(args[i], path)
    if has_loc:
        return cls(*args, loc=_loc_in(values[count], path))
    return cls(*args)


_NAMES: dict[type, tuple[str, ...]] = {}
_HAS_LOC: set[type] = set()
_PLAN: dict[type, tuple[int, tuple[tuple[int, _Decode], ...], bool]] = {}
for _cls in (*CLASSES.values(), *_NESTED.values()):
    _all = dataclasses.fields(_cls)
    _fields = tuple(f for f in _all if f.name != "loc")
    assert _fields == _all[: len(_fields)], f"{_cls.__name__}: loc must come last"
    _NAMES[_cls] = tuple(f.name for f in _fields)
    if len(_fields) < len(_all):
        _HAS_LOC.add(_cls)
    _converters = ((i, _converter(str(f.type))) for i, f in enumerate(_fields))
    _PLAN[_cls] = (
        len(_fields),
        tuple((i, c) for i, c in _converters if c is not _same),
        _cls in _HAS_LOC,
    )


def _fields_out(value: Any) -> Any:
    """A record as JSON holds it, for the encoder's ``default`` (which meets only
    records and positions: tuples, strings, numbers and str-valued enums are
    written as they are, and nested records and positions come back here)."""
    try:
        return _OUT[type(value)](value)
    except KeyError:
        msg = f"cannot store a {type(value).__name__}"
        raise TypeError(msg) from None


def _out(names: tuple[str, ...], has_loc: bool) -> Callable[[Any], tuple[Any, ...]]:
    """A record class's fields (declaration order) and its position (or None) as
    one tuple: one ``attrgetter`` call."""
    if has_loc:
        return operator.attrgetter(*names, "loc")
    if len(names) == 1:
        one = operator.attrgetter(names[0])
        return lambda v: (one(v), None)
    get = operator.attrgetter(*names)
    return lambda v: (*get(v), None)


#: what :func:`_fields_out` turns each record class (and a position) into
_OUT: dict[type, Callable[[Any], Any]] = {
    _cls: _out(_names, _cls in _HAS_LOC) for _cls, _names in _NAMES.items()
}
_OUT[SourceLocation] = _loc_out


def _encoder() -> Callable[[Any], Any]:
    """The JSON encoder's C loop, made once (``JSONEncoder.encode`` makes it again
    for every call): the same text as ``JSONEncoder(ensure_ascii=False,
    separators=(",", ":"), check_circular=False, default=_fields_out).encode``,
    which is used where the C loop is missing. Records hold no cycles."""
    from json import encoder

    make = getattr(encoder, "c_make_encoder", None)  # not in the stubs
    if make is None:  # pragma: no cover - CPython has it
        slow = json.JSONEncoder(
            ensure_ascii=False,
            separators=(",", ":"),
            check_circular=False,
            default=_fields_out,
        ).encode
        return lambda record: (slow(record),)
    loop = make(
        None, _fields_out, encoder.encode_basestring, None, ":", ",", False, False, True
    )
    return lambda record: loop(record, 0)


_CHUNKS = _encoder()


def encode(record: Any) -> str:
    """The JSON text of a record (fields in declaration order, then its position)."""
    # the record's own tuple made here (the nested ones by the encoder's default)
    out = _OUT.get(type(record))
    return "".join(_CHUNKS(record if out is None else out(record)))


def decode(section: str, body: str, path: str) -> Any:
    """The record of ``section`` that :func:`encode` wrote, positioned in ``path``.

    Examples
    --------
    >>> from lineage.facts.model import Stage, StageDef
    >>> stage = StageDef("rlhf", "RLHF", "d")
    >>> decode("stages", encode(stage), "x.yaml") == stage
    True
    """
    return _build(CLASSES[section], json.loads(body), path)


def problem_from_row(row: list[Any]) -> Problem:
    """A problem from its stored row: path, line, column, severity, message, code."""
    return Problem(row[0], row[1], row[2], Severity(row[3]), row[4], row[5])
