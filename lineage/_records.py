"""Dataclasses whose methods are compiled ahead of time, so importing them is cheap.

``@frozen_record`` is ``@dataclass(frozen=True, slots=True)`` and ``@mutable_record`` is
``@dataclass(slots=True)``: the same fields, ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, frozen ``__setattr__``/``__delattr__``, ``__slots__``, pickling, and
``dataclasses.fields``/``replace``/``asdict`` work on them. The difference is when
the methods are compiled. ``dataclasses`` writes each method as source text and
``exec``s it at import (about a millisecond per class, a third of the start-up of
``lineage why``); here the methods come from ``_records_gen.py``, plain Python
that is compiled once into bytecode like any module.

``_records_gen.py`` is generated from the classes (``python -m lineage._records``
rewrites it; tests/test_records.py checks it is current). A class whose fields no
longer match its generated methods falls back to ``dataclasses`` and is listed in
:data:`STALE`, so a stale file costs speed, never correctness.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any, TypeVar, dataclass_transform

from . import _records_gen as _gen

T = TypeVar("T")

#: every class made by this module, in definition order (the generator reads it)
REGISTRY: list[tuple[type, bool]] = []
#: classes that fell back to ``dataclasses`` (their generated methods are stale)
STALE: list[str] = []
#: modules whose classes are generated (imported by :func:`generate`)
MODULES = (
    "lineage.errors",
    "lineage.facts.model",
    "lineage.store.names",
    "lineage.store.index",
    "lineage.store.db",
    "lineage.store.search",
    "lineage.provenance.query",
    "lineage.provenance.emergence",
)


class _Factory:
    """The default of a field with a ``default_factory`` (shown as dataclasses do)."""

    def __repr__(self) -> str:
        return "<factory>"


HAS_FACTORY = _Factory()

#: what marks a real field in ``__dataclass_fields__`` (a ClassVar has another)
_FIELD = getattr(dataclasses, "_FIELD", None)


@dataclasses.dataclass(frozen=True, slots=True)
class _FrozenTemplate:
    """Only its ``__dataclass_params__`` are used: copied into every frozen record."""


@dataclasses.dataclass(slots=True)
class _MutableTemplate:
    """Only its ``__dataclass_params__`` are used: copied into every mutable record."""


_PARAMS = {
    True: _FrozenTemplate.__dataclass_params__,  # type: ignore[attr-defined]
    False: _MutableTemplate.__dataclass_params__,  # type: ignore[attr-defined]
}


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def frozen_record(cls: type[T]) -> type[T]:
    """``@dataclass(frozen=True, slots=True)``, without compiling at import."""
    made: type[T] = _make(cls, frozen=True)
    return made


@dataclass_transform(field_specifiers=(dataclasses.field,))
def mutable_record(cls: type[T]) -> type[T]:
    """``@dataclass(slots=True)``, without compiling at import."""
    made: type[T] = _make(cls, frozen=False)
    return made


def key(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def signature(
    fields: tuple[dataclasses.Field[Any], ...],
) -> tuple[tuple[Any, ...], ...]:
    """What the generated methods depend on: each field's name, kind and flags."""
    return tuple(
        (
            f.name,
            "f" if f.default_factory is not dataclasses.MISSING
            else "d" if f.default is not dataclasses.MISSING
            else "r",
            f.repr,
            f.compare,
            f.compare if f.hash is None else f.hash,
        )
        for f in fields
    )  # fmt: skip


def _make(cls: Any, frozen: bool) -> Any:
    made: Any = _gen.METHODS.get(key(cls))
    original = dict(cls.__dict__)
    fields = _fields(cls)
    if made is None or fields is None or made[0] != (frozen, signature(fields)):
        STALE.append(key(cls))
        fresh = _copy(cls, original)
        REGISTRY.append((fresh, frozen))
        return dataclasses.dataclass(fresh, frozen=frozen, slots=True)
    names = tuple(f.name for f in fields)
    body = {k: v for k, v in original.items() if k not in names}
    body["__slots__"] = names
    body["__dataclass_fields__"] = {f.name: f for f in fields}
    body["__dataclass_params__"] = copy.copy(_PARAMS[frozen])
    body["__match_args__"] = names
    new = _copy(cls, body)
    defaults = {f.name: f.default for f in fields}
    factories = {f.name: f.default_factory for f in fields}
    methods = made[1](
        new, defaults, factories, HAS_FACTORY, dataclasses.FrozenInstanceError
    )
    methods["__init__"].__annotations__ = {f.name: f.type for f in fields}
    methods["__init__"].__annotations__["return"] = None
    methods["__repr__"] = _guard_recursion(methods["__repr__"])
    if frozen:
        methods["__getstate__"] = _getstate
        methods["__setstate__"] = _setstate
    else:
        methods["__hash__"] = None
    for name, method in methods.items():
        if name not in body:
            if method is not None:
                method.__qualname__ = f"{new.__qualname__}.{name}"
            setattr(new, name, method)
    if not original.get("__doc__"):  # as dataclasses names it: class and signature
        import inspect

        new.__doc__ = new.__name__ + str(inspect.signature(new)).replace(" -> None", "")
    REGISTRY.append((new, frozen))
    return new


def _fields(cls: Any) -> tuple[dataclasses.Field[Any], ...] | None:
    """The fields ``dataclass()`` would find, without its per-field type checks
    (most of its cost); None for anything but the plain case (a base dataclass,
    ClassVar, InitVar, keyword-only fields, mutable defaults, __post_init__),
    which :func:`_make` leaves to ``dataclasses``."""
    plain_bases = all(not hasattr(b, "__dataclass_fields__") for b in cls.__mro__[1:])
    if _FIELD is None or type(cls) is not type or not plain_bases:
        return None
    if "__post_init__" in cls.__dict__:
        return None
    out = []
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        text = str(annotation)
        if "ClassVar" in text or "InitVar" in text or "KW_ONLY" in text:
            return None
        default = cls.__dict__.get(name, dataclasses.MISSING)
        f = (
            default
            if isinstance(default, dataclasses.Field)
            else dataclasses.field(default=default)
        )
        if f.default is not dataclasses.MISSING and type(f.default).__hash__ is None:
            return None  # dataclasses refuses mutable defaults; let it say so
        if not f.init or f.kw_only is True:
            return None
        f.name, f.type, f.kw_only = name, annotation, False
        f._field_type = _FIELD  # type: ignore[union-attr]
        out.append(f)
    return tuple(out)


def _copy(cls: Any, body: dict[str, Any]) -> Any:
    """A new class like ``cls`` with this class body (how dataclasses adds slots)."""
    body = {k: v for k, v in body.items() if k not in ("__dict__", "__weakref__")}
    new = type(cls)(cls.__name__, cls.__bases__, body)
    new.__qualname__ = cls.__qualname__
    return new


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for f, value in zip(dataclasses.fields(self), state, strict=False):
        object.__setattr__(self, f.name, value)


def _guard_recursion(method: Any) -> Any:
    """``'...'`` for an object met again while it is being shown (as dataclasses do)."""
    from _thread import get_ident

    running: set[tuple[int, int]] = set()

    def guarded(self: Any) -> str:
        token = (id(self), get_ident())
        if token in running:
            return "..."
        running.add(token)
        try:
            shown: str = method(self)
            return shown
        finally:
            running.discard(token)

    guarded.__name__ = "__repr__"
    return guarded


# --- the generator -----------------------------------------------------------------


def _methods_source(cls: type, frozen: bool) -> list[str]:
    """The factory of one class's methods, as lines of Python."""
    fields = dataclasses.fields(cls)
    name = "_" + key(cls).replace(".", "_")
    params = ["self"]
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:
            params.append(f"{f.name}=has_factory")
        elif f.default is not dataclasses.MISSING:
            params.append(f"{f.name}=defaults[{f.name!r}]")
        else:
            params.append(f.name)
    lines = [
        f"def {name}(cls, defaults, factories, has_factory, frozen_error):",
        "    set_field = object.__setattr__",
        f"    def __init__({', '.join(params)}):",
    ]
    for f in fields:
        value = f.name
        if f.default_factory is not dataclasses.MISSING:
            value = f"factories[{f.name!r}]() if {f.name} is has_factory else {f.name}"
        if frozen:
            lines.append(f"        set_field(self, {f.name!r}, {value})")
        else:
            lines.append(f"        self.{f.name} = {value}")
    if not fields:
        lines.append("        pass")
    shown = ", ".join(f"{f.name}={{self.{f.name}!r}}" for f in fields if f.repr)
    compared = "".join(f"self.{f.name}," for f in fields if f.compare)
    other = "".join(f"other.{f.name}," for f in fields if f.compare)
    lines += [
        "    def __repr__(self):",
        f'        return self.__class__.__qualname__ + f"({shown})"',
        "    def __eq__(self, other):",
        "        if other.__class__ is self.__class__:",
        f"            return ({compared}) == ({other})",
        "        return NotImplemented",
    ]
    methods = ["__init__", "__repr__", "__eq__"]
    if frozen:
        lines += _frozen_source(fields)
        methods += ["__hash__", "__setattr__", "__delattr__"]
    lines.append("    return {" + ", ".join(f"{m!r}: {m}" for m in methods) + "}")
    return lines


def _frozen_source(fields: tuple[dataclasses.Field[Any], ...]) -> list[str]:
    """``__hash__``, ``__setattr__`` and ``__delattr__`` of a frozen class."""
    hashed = "".join(
        f"self.{f.name}," for f in fields if (f.compare if f.hash is None else f.hash)
    )
    names = "".join(f"{f.name!r}," for f in fields)
    return [
        "    def __hash__(self):",
        f"        return hash(({hashed}))",
        "    def __setattr__(self, name, value):",
        f"        if type(self) is cls or name in ({names}):",
        '            raise frozen_error(f"cannot assign to field {name!r}")',
        "        super(cls, self).__setattr__(name, value)",
        "    def __delattr__(self, name):",
        f"        if type(self) is cls or name in ({names}):",
        '            raise frozen_error(f"cannot delete field {name!r}")',
        "        super(cls, self).__delattr__(name)",
    ]


def generate() -> str:
    """The text of ``_records_gen.py`` for the classes of :data:`MODULES`."""
    import importlib

    for module in MODULES:
        importlib.import_module(module)
    out = [
        '"""Generated by ``python -m lineage._records`` from the record classes: do not',
        'edit. Each function makes one class\'s dataclass methods (see _records.py)."""',
        "",
        "# fmt: off",
        "# ruff: noqa",
        "# mypy: ignore-errors",
        "",
    ]
    table = []
    for cls, frozen in sorted(REGISTRY, key=lambda entry: key(entry[0])):
        lines = _methods_source(cls, frozen)
        out += [*lines, ""]
        sig = (frozen, signature(dataclasses.fields(cls)))
        table.append(f"    {key(cls)!r}: ({sig!r}, {lines[0][4:].partition('(')[0]}),")
    out += ["METHODS = {", *table, "}", ""]
    return "\n".join(out)


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).with_name("_records_gen.py")
    target.write_text("METHODS: dict = {}\n", encoding="utf-8")  # from the fields alone
    from lineage import _records  # the module the classes register with, not __main__

    target.write_text(_records.generate(), encoding="utf-8")
    print(f"wrote {target}")
