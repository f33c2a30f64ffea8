"""The one-record rules declare the sections they read, so the store checks a
record with those rules only: no rule may read another section."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from lineage.facts.loader import load_facts
from lineage.facts.model import Facts
from lineage.facts.validate import (
    READS,
    RULES,
    group_problems,
    record_problems,
    records_problems,
    validate,
)

BAD = Path(__file__).parent / "data" / "bad"


class _Tracing(Facts):
    """Facts that note every table read from them."""

    def __init__(self, inner: Facts, seen: set[str]) -> None:
        for spec in dataclasses.fields(Facts):
            object.__setattr__(self, spec.name, getattr(inner, spec.name))
        object.__setattr__(self, "_seen", seen)

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if isinstance(value, dict):
            object.__getattribute__(self, "_seen").add(name)
        return value


def _every_section(facts: Facts) -> Facts:
    """One record of every section the shipped graph has, as one ``sub``."""
    sub = Facts()
    for spec in dataclasses.fields(Facts):
        table = getattr(facts, spec.name)
        if isinstance(table, dict) and table:
            rid, record = next(iter(table.items()))
            getattr(sub, spec.name)[rid] = record
    return sub


@pytest.mark.parametrize("code", sorted(RULES))
def test_a_rule_reads_only_the_sections_it_declares(graph_dir: Any, code: str) -> None:
    facts, _ = load_facts([graph_dir])
    for sub in (Facts(), _every_section(facts)):
        seen: set[str] = set()
        list(RULES[code](facts, _Tracing(sub, seen)))
        assert seen <= READS[code], f"{code} reads {sorted(seen - READS[code])}"


@pytest.mark.parametrize("where", ["shipped", "bad"])
def test_records_checked_one_by_one_find_what_validate_finds(
    graph_dir: Any, where: str
) -> None:
    facts, _ = load_facts([graph_dir if where == "shipped" else BAD])
    whole = facts.with_incomplete() if facts.incomplete else facts
    found = [
        p
        for section, record in facts.incomplete
        for p in record_problems(facts, whole, section, record, False)
    ]
    for spec in dataclasses.fields(Facts):
        table = getattr(facts, spec.name)
        if isinstance(table, dict):
            for record in table.values():
                found += record_problems(facts, whole, spec.name, record, True)
    every = validate(facts)
    for p in group_problems(facts):
        every.remove(p)
    assert sorted(found, key=lambda p: p.sort_key) == every
    assert every or where == "shipped"


@pytest.mark.parametrize("where", ["shipped", "bad"])
def test_a_section_checked_at_once_finds_what_its_records_find(
    graph_dir: Any, where: str
) -> None:
    # the store checks a batch of live records at once, and each one again only
    # when the batch has problems: a rule must check each record on its own
    facts, _ = load_facts([graph_dir if where == "shipped" else BAD])
    whole = facts.with_incomplete() if facts.incomplete else facts
    for spec in dataclasses.fields(Facts):
        table = getattr(facts, spec.name)
        if not isinstance(table, dict):
            continue
        one_by_one = [
            p
            for record in table.values()
            for p in record_problems(facts, whole, spec.name, record, True)
        ]
        at_once = records_problems(facts, whole, spec.name, dict(table), True)
        assert sorted(at_once, key=lambda p: p.sort_key) == sorted(
            one_by_one, key=lambda p: p.sort_key
        ), spec.name
