"""Records as rows: each record is JSON (its fields in declaration order) plus its
position, so reading the store never runs code (no pickle) and decoding builds the
same frozen records the loader builds.

The conversions are derived from the dataclasses' own annotations, so a field added
to :mod:`lineage.facts.model` is stored without a change here.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from enum import Enum
from typing import Any

from ..facts import model
from ..facts.model import Evidence, Side, SourceLocation

__all__ = ["CLASSES", "decode", "encode"]

#: section name -> record class
CLASSES: dict[str, type] = {
    "sources": model.Source,
    "stages": model.StageDef,
    "capabilities": model.Capability,
    "families": model.Family,
    "models": model.Model,
    "derivations": model.Derivation,
    "claims": model.Claim,
    "figures": model.Figure,
    "emergence": model.Emergence,
    "conflicts": model.Conflict,
}

_Decode = Callable[[Any, str], Any]


def _loc_out(loc: SourceLocation | None) -> list[Any] | None:
    if loc is None:
        return None
    return [loc.line, loc.column, loc.fields.hex()]


def _loc_in(data: list[Any] | None, path: str) -> SourceLocation | None:
    if data is None:
        return None
    return SourceLocation(path, int(data[0]), int(data[1]), bytes.fromhex(data[2]))


def _out(value: Any) -> Any:
    # str-valued enums are written by json as their values; only records and
    # tuples need taking apart (this runs once per field of every record built)
    names = _NAMES.get(type(value))
    if names is not None:
        return [*(_out(getattr(value, n)) for n in names), _loc_out(value.loc)]
    if type(value) is tuple:
        return [_out(v) for v in value]
    return value


def _converter(annotation: str) -> _Decode:
    """How to turn a JSON value back into a field of the given annotation."""
    text = annotation.replace(" | None", "").strip()
    for nested in (Evidence, Side):
        if text == f"tuple[{nested.__name__}, ...]":
            return _nested_tuple(nested)
    if text.startswith("tuple[tuple"):
        return lambda v, _p: None if v is None else tuple(tuple(x) for x in v)
    if text.startswith("tuple"):
        return lambda v, _p: None if v is None else tuple(v)
    enum = getattr(model, text, None)
    if isinstance(enum, type) and issubclass(enum, Enum):
        return lambda v, _p: None if v is None else enum(v)
    return lambda v, _p: v


def _nested_tuple(cls: type) -> _Decode:
    return lambda v, path: (
        None if v is None else tuple(_build(cls, item, path) for item in v)
    )


def _build(cls: type, values: list[Any], path: str) -> Any:
    kwargs = {
        f.name: convert(value, path)
        for (f, convert), value in zip(_PLAN[cls], values, strict=False)
    }
    return cls(**kwargs, loc=_loc_in(values[len(_PLAN[cls])], path))


_NAMES: dict[type, tuple[str, ...]] = {}
_PLAN: dict[type, list[tuple[dataclasses.Field[Any], _Decode]]] = {}
for _cls in (*CLASSES.values(), Evidence, Side):
    _fields = tuple(f for f in dataclasses.fields(_cls) if f.name != "loc")
    _NAMES[_cls] = tuple(f.name for f in _fields)
    _PLAN[_cls] = [(f, _converter(str(f.type))) for f in _fields]


def encode(record: Any) -> str:
    """The JSON text of a record (fields in declaration order, then its position)."""
    return json.dumps(_out(record), ensure_ascii=False, separators=(",", ":"))


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
