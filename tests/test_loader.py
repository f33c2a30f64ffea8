"""Loader: positions, types, limits, and the shipped JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lineage.errors import FactError
from lineage.facts.loader import fact_files, json_schema, load_facts
from lineage.facts.model import Confidence, Stage

ROOT = Path(__file__).resolve().parent.parent


def test_records_keep_file_line_column(write_facts) -> None:
    graph = write_facts("""\
        sources:
          - {id: s, title: T, authors: [A], year: 2022, url: https://e.org}
        models:
          - id: m
            name: M
            released: 2022-03
        """)
    facts, problems = load_facts([graph])
    assert problems == []
    loc = facts.models["m"].loc
    assert (Path(loc.path).name, loc.line, loc.column) == ("x.yaml", 4, 5)
    assert facts.models["m"].loc.of("released").line == 6
    assert facts.models["m"].released == "2022-03"


def test_full_dates_stay_strings(write_facts) -> None:
    facts, problems = load_facts(
        [write_facts("models:\n  - {id: m, name: M, released: 2022-11-30}\n")]
    )
    assert problems == [] and facts.models["m"].released == "2022-11-30"


def test_derivation_id_defaults_to_endpoints(write_facts) -> None:
    graph = write_facts("""\
        sources: [{id: s, title: T, authors: [A], year: 2022, url: u}]
        models: [{id: a, name: A}, {id: b, name: B}]
        derivations:
          - {parent: a, child: b, stage: rlhf, confidence: likely,
             evidence: [{source: s, locator: L, note: n}]}
        """)
    facts, problems = load_facts([graph])
    assert problems == []
    der = facts.derivations["a--b"]
    assert der.stage is Stage.RLHF and der.confidence is Confidence.LIKELY


def test_files_are_globbed_recursively_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.yaml", "a.yaml", "sub/c.yaml", "notes.md"):
        (tmp_path / name).write_text("models: []\n")
    assert [p.relative_to(tmp_path).as_posix() for p in fact_files([tmp_path])] == [
        "a.yaml",
        "b.yaml",
        "sub/c.yaml",
    ]


def test_missing_directory_raises_fact_error(tmp_path: Path) -> None:
    with pytest.raises(FactError, match="does not exist"):
        fact_files([tmp_path / "nope"])


def test_problems_are_collected_not_raised(write_facts) -> None:
    graph = write_facts("models:\n  - {id: a}\n  - {id: b}\n")
    _, problems = load_facts([graph])
    assert [p.line for p in problems] == [2, 3]
    assert {p.code for p in problems} == {"missing-field"}


def test_alias_bomb_is_refused_quickly(write_facts) -> None:
    lines = ['a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [
        f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)
    ]
    graph = write_facts("\n".join(lines) + "\n")
    _, problems = load_facts([graph])
    assert [p.code for p in problems] == ["too-large"]


def test_file_size_limit(write_facts, monkeypatch: pytest.MonkeyPatch) -> None:
    import lineage.facts.loader as loader

    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 100)
    graph = write_facts("models:\n" + "  - {id: m, name: M}\n" * 20)
    _, problems = load_facts([graph])
    assert [p.code for p in problems] == ["too-large"]
    assert "split it into several files" in problems[0].message


def test_shipped_json_schema_is_current() -> None:
    shipped = json.loads((ROOT / "lineage" / "facts" / "schema.json").read_text())
    assert shipped == json_schema(), (
        "run: python -c 'import json; from "
        "lineage.facts.loader import json_schema; print(json.dumps(json_schema(), indent=2))'"
    )


def test_graph_files_validate_against_json_schema() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    schema = json_schema()
    for path in sorted((ROOT / "graph").glob("*.yaml")):
        # BaseLoader keeps every scalar a string, as editors see them; so check the
        # structure (sections, required keys, no unknown keys) only.
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        validator = jsonschema.Draft202012Validator(_structure_only(schema))
        errors = [e.message for e in validator.iter_errors(data)]
        assert errors == [], path.name


def _structure_only(node):  # type: ignore[no-untyped-def]
    if isinstance(node, dict):
        return {
            k: _structure_only(v)
            for k, v in node.items()
            if k not in ("type", "pattern", "enum", "minLength")
            or isinstance(v, dict)
            and k != "enum"
        }
    if isinstance(node, list):
        return [_structure_only(v) for v in node]
    return node


def test_every_field_has_a_packed_position_index() -> None:
    from lineage.facts.loader import _EVIDENCE, _SPECS
    from lineage.facts.model import FIELD_NAMES

    keys = {k for _, spec in _SPECS.values() for k in spec} | set(_EVIDENCE)
    assert keys <= set(FIELD_NAMES)
