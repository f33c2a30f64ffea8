"""The record classes behave exactly like the dataclasses they replace."""

from __future__ import annotations

import copy
import dataclasses
import importlib
import inspect
import pickle
from pathlib import Path
from typing import Any

import pytest

from lineage import _records

for _module in _records.MODULES:
    importlib.import_module(_module)
CLASSES = list(_records.REGISTRY)


def test_the_generated_methods_are_current() -> None:
    target = Path(_records.__file__).with_name("_records_gen.py")
    assert _records.STALE == [], "run: python -m lineage._records"
    assert target.read_text(encoding="utf-8") == _records.generate()
    assert {cls.__module__ for cls, _ in CLASSES} <= set(_records.MODULES)
    assert len(CLASSES) >= 30


def _twin(cls: type, frozen: bool) -> type:
    """The same fields as a real ``dataclass(frozen=..., slots=True)``."""
    specs = []
    for f in dataclasses.fields(cls):
        options: dict[str, Any] = {"repr": f.repr, "compare": f.compare, "hash": f.hash}
        if f.default is not dataclasses.MISSING:
            options["default"] = f.default
        if f.default_factory is not dataclasses.MISSING:
            options["default_factory"] = f.default_factory
        specs.append((f.name, f.type, dataclasses.field(**options)))
    return dataclasses.make_dataclass(
        cls.__name__, specs, frozen=frozen, slots=True, namespace={}
    )


def _sample(cls: type, tag: str) -> dict[str, str]:
    return {f.name: f"{tag}{i}" for i, f in enumerate(dataclasses.fields(cls))}


@pytest.mark.parametrize(
    ("cls", "frozen"), CLASSES, ids=lambda c: getattr(c, "__name__", "")
)
def test_a_record_class_is_the_dataclass_it_stands_for(cls: type, frozen: bool) -> None:
    twin = _twin(cls, frozen)
    assert str(inspect.signature(cls)) == str(inspect.signature(twin))
    assert cls.__match_args__ == twin.__match_args__  # type: ignore[attr-defined]
    assert cls.__slots__ == twin.__slots__  # type: ignore[attr-defined]
    params, expected = cls.__dataclass_params__, twin.__dataclass_params__  # type: ignore[attr-defined]
    for name in ("init", "repr", "eq", "order", "unsafe_hash", "frozen"):
        assert getattr(params, name) == getattr(expected, name), name
    assert (cls.__hash__ is None) == (twin.__hash__ is None)
    values = _sample(cls, "v")
    ours, theirs = cls(**values), twin(**values)
    assert repr(ours) == repr(theirs)
    assert ours == cls(**values) and ours != twin(**values)
    assert ours != cls(**_sample(cls, "w")) or not any(
        f.compare for f in dataclasses.fields(cls)
    )
    if frozen:
        assert hash(ours) == hash(theirs)
    assert dataclasses.asdict(ours) == dataclasses.asdict(theirs)
    assert pickle.loads(pickle.dumps(ours)) == ours
    assert copy.deepcopy(ours) == ours and copy.copy(ours) == ours
    first = dataclasses.fields(cls)[0].name
    assert getattr(dataclasses.replace(ours, **{first: "x"}), first) == "x"
    if frozen:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(ours, first, "y")
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(ours, first)
    else:
        setattr(ours, first, "y")
        assert getattr(ours, first) == "y"
    with pytest.raises(AttributeError):
        ours.__dict__  # noqa: B018 - slots: no instance dictionary


def test_defaults_and_factories_are_fresh_per_instance() -> None:
    from lineage.facts.model import Facts, Model

    a, b = Facts(), Facts()
    a.models["m"] = Model("m", "M")
    assert b.models == {} and a != b
    assert Model("m", "M").aliases == () and Model("m", "M").loc is None
    with pytest.raises(TypeError):
        Model("m")  # type: ignore[call-arg]


def test_a_stale_class_falls_back_to_dataclasses() -> None:
    @_records.frozen_record
    class Unlisted:
        """Not in the generated file."""

        a: int
        b: str = "x"

    try:
        assert _records.STALE[-1].endswith("Unlisted")
        assert repr(Unlisted(1)) == (
            "test_a_stale_class_falls_back_to_dataclasses.<locals>.Unlisted(a=1, b='x')"
        )
        with pytest.raises(dataclasses.FrozenInstanceError):
            Unlisted(1).a = 2  # type: ignore[misc]
    finally:
        _records.STALE.pop()
        _records.REGISTRY.pop()
